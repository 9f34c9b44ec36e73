"""The web container's health probe: GET /healthz the way the outside world reaches it.

docker-compose runs ``python -m station.healthcheck``. A bare request to 127.0.0.1 is refused in production:
ALLOWED_HOSTS answers 400 and SECURE_SSL_REDIRECT answers 301 to https. So the probe names the first allowed
host and says, as the TLS-terminating proxy does, that the request came in over https.
"""

import os
import sys
import urllib.request


def probe(url: str = "http://127.0.0.1:8000/healthz", host: str | None = None, timeout: float = 5) -> bool:
    if host is None:
        first = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
        host = first if first and first != "*" else "localhost"
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status == 200
    except OSError:  # refused, timed out, or an HTTP error status
        return False


if __name__ == "__main__":
    sys.exit(0 if probe() else 1)
