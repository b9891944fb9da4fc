"""A Redis cache that keeps the site answering when Redis is down.

Every operation goes to Redis; when Redis refuses or times out, the same
operation goes to the database cache (the "db" alias) instead, and Redis is
left alone for ``RETRY_AFTER`` seconds so that each request does not wait for
a dead server again. What this means while Redis is down:

- pages keep working (no 500);
- sessions live in the cache, so people who were logged in are asked to log
  in again, once, and again after Redis returns (their outage-time session is
  in the database cache);
- login rate limits keep counting, in the database cache;
- list-page caches start cold.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER = 15.0  # seconds
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)

_down_until = 0.0


def redis_is_marked_down() -> bool:
    return time.monotonic() < _down_until


def _mark_down(error: Exception) -> None:
    global _down_until
    if not redis_is_marked_down():
        logger.warning("Redis unreachable (%s); using the database cache for %.0f s", error, RETRY_AFTER)
    _down_until = time.monotonic() + RETRY_AFTER


def _failover(name):
    def method(self, *args, **kwargs):
        if not redis_is_marked_down():
            try:
                return getattr(super(FailoverRedisCache, self), name)(*args, **kwargs)
            except REDIS_DOWN as error:
                _mark_down(error)
        return getattr(caches["db"], name)(*args, **kwargs)

    method.__name__ = name
    return method


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client makes a new ``redis.Redis`` object for every cache
    operation, and each one builds its table of ~170 response callbacks
    (about 0.1 ms; a page makes several cache calls). The objects are
    thread-safe and only hold the shared connection pool: keep one per pool."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(index))
        return client


class FailoverRedisCache(RedisCache):
    """``RedisCache`` that falls back to the database cache (see module doc)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    # get_or_set and decr are built on these in Django's base class.
    for _name in (
        "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr",
        "set_many", "delete_many", "clear",
    ):
        locals()[_name] = _failover(_name)
    del _name
