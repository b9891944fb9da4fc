"""Reading settings from the environment. Imports nothing from Django."""

import os
import socket
from urllib.parse import urlparse

TRUE_VALUES = {"1", "true", "yes", "on"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_VALUES


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def redis_with_db(url: str, db: int) -> str:
    """``url`` pointing at Redis database number ``db``."""
    parsed = urlparse(url)
    return parsed._replace(path=f"/{db}").geturl()


def redis_reachable(url: str, timeout: float = 0.3) -> bool:
    """True when something answers a Redis PING at ``url``."""
    parsed = urlparse(url)
    host = parsed.hostname or "127.0.0.1"
    port = parsed.port or 6379
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            if parsed.password:
                user = parsed.username or "default"
                sock.sendall(
                    f"AUTH {user} {parsed.password}\r\n".encode()
                )
                sock.recv(64)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False
