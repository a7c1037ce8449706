#!/usr/bin/env python
"""Container health check: GET /healthz on the local gunicorn, with Python only (no curl in the image).

Sends the first ALLOWED_HOSTS entry as Host (Django refuses unknown hosts) and X-Forwarded-Proto: https
(so that an SSL redirect behind a TLS proxy does not bounce the probe). Exit 0 when healthy, 1 otherwise.
HEALTHCHECK_URL overrides the address (default http://127.0.0.1:8000/healthz).
"""

import os
import sys
import urllib.error
import urllib.request


def probe_host() -> str:
    for entry in os.environ.get("ALLOWED_HOSTS", "localhost").split(","):
        entry = entry.strip().lstrip(".")
        if entry and "*" not in entry:
            return entry
    return "localhost"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> int:
    url = os.environ.get("HEALTHCHECK_URL", "http://127.0.0.1:8000/healthz")
    request = urllib.request.Request(url, headers={"Host": probe_host(), "X-Forwarded-Proto": "https"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=4) as response:
            healthy = response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    if not healthy:
        print(f"unhealthy: HTTP {response.status}", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
