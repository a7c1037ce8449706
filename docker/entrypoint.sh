#!/bin/sh
# Container entrypoint.
#   web     (default) apply migrations, create groups and default data (init_db), then serve with gunicorn
#           running uvicorn workers (ASGI): slow or idle connections wait in the event loop, not in a worker
#   worker  run the background worker (notifications, expiry); start it after web has migrated
#   *       run the given command, e.g. `python manage.py createsuperuser`
set -eu

case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    if [ "${INIT_DB_DEMO:-false}" = "true" ]; then
      python manage.py init_db --demo
    else
      python manage.py init_db
    fi
    exec gunicorn labsite.asgi:application \
      --worker-class uvicorn_worker.UvicornWorker \
      --bind "${BIND:-0.0.0.0:8000}" \
      --workers "${GUNICORN_WORKERS:-3}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" \
      --worker-tmp-dir /dev/shm \
      --access-logfile -
    ;;
  worker)
    exec python manage.py run_worker
    ;;
  *)
    exec "$@"
    ;;
esac
