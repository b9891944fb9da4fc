"""Versions of what cached page parts show.

A cached list, total or block has the version of its data in its key; every
write bumps that version after the transaction commits, so the next request
makes a new key and nothing stale is served (old keys simply expire). A
model's saves and deletes bump its version through signals (services, the
admin, cascades alike); a bulk ``update()`` has no signal and calls
``changed()`` itself.

Versions in use: ``assignments`` (any assignment write; the list pages, the
home page's newest assignments, the assignment page), ``applications`` (the
inbox), ``releases`` (the HR release queue), ``people`` (names of people and
organisations, and members' home organisations: rows of the inbox and the
release queue).
"""

import time

from django.core.cache import cache
from django.db import transaction

# How long a versioned cache entry lives: the version already changes with
# every write, so this only bounds what a write that bypassed it (a bulk
# update without changed(), a write while the cache was down) leaves behind.
CACHE_SECONDS = 10 * 60


def _key(name: str) -> str:
    return f"version:{name}"


def current(name: str) -> int:
    key = _key(name)
    version = cache.get(key)
    if version is None:
        # A start value that no earlier (evicted) version can have had.
        cache.add(key, time.time_ns(), None)
        version = cache.get(key) or 0
    return version


def bump(name: str) -> None:
    key = _key(name)
    try:
        cache.incr(key)
    except ValueError:  # not there (evicted, or a fresh cache)
        cache.set(key, time.time_ns(), None)


def changed(name: str) -> None:
    """What ``name`` covers changes in this transaction: bump after commit
    (a request in between still sees, and caches, the old data)."""
    transaction.on_commit(lambda: bump(name))


def follow_model(model, name: str, ignore_fields: frozenset[str] = frozenset()) -> None:
    """Bump ``name`` whenever a row of ``model`` is saved or deleted, except
    for a save of only ``ignore_fields`` (a user's ``last_login``)."""
    from django.db.models.signals import post_delete, post_save

    def _changed(sender, update_fields=None, **kwargs):
        if update_fields and ignore_fields.issuperset(update_fields):
            return
        changed(name)

    post_save.connect(_changed, sender=model, weak=False, dispatch_uid=f"version-{name}-save-{model.__name__}")
    post_delete.connect(_changed, sender=model, weak=False, dispatch_uid=f"version-{name}-delete-{model.__name__}")
