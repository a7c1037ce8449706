"""ASGI entry point: what the container serves (gunicorn with uvicorn workers, see docker/entrypoint.sh).

An event loop reads every connection's request before Django sees it, so a slow or idle client costs a
socket, not a worker. Django runs the (synchronous) views in a thread per request.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")

application = get_asgi_application()
