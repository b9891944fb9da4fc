#!/usr/bin/env python3
"""Health check of the web container: GET / on the local gunicorn must answer < 400.

Sends the first concrete name in ALLOWED_HOSTS as Host and ``X-Forwarded-Proto:
https`` (as the TLS proxy in front does), so neither the host check nor the
HTTPS redirect gets in the way. Exit 0 healthy, 1 not. Standard library only.
"""

import http.client
import os
import sys


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    path = os.environ.get("HEALTHCHECK_PATH", "/")
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and h != "*" and not h.startswith(".")), "localhost")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "https"})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"unhealthy: {exc}")
        return 1
    print(f"GET {path} (Host: {host}) -> {status}")
    return 0 if status < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
