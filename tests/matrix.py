"""The building blocks of the permission matrix (tests/test_permission_matrix.py).

Apps keep their own rows in ``tests/<app>/matrix.py``: ``ROWS`` maps URL
names to ``row(...)``, ``extend_world(world)`` returns the objects the URLs
need (all of organisation A).
"""

from dataclasses import dataclass, field
from typing import Callable

LOGIN = "login"  # expected: 302 to the login page with ?next=


@dataclass(frozen=True)
class Row:
    """Expected status per persona: ``default`` unless named in ``expect``.
    ``kwargs`` builds the URL's kwargs from the world (objects of org A)."""

    default: int | str
    expect: dict = field(default_factory=dict)
    kwargs: Callable[[dict], dict] = lambda world: {}
    method: str = "get"

    def status_for(self, persona: str):
        return self.expect.get(persona, self.default)


def row(default, *, kwargs=None, method="get", **expect):
    expect.setdefault("anonymous", LOGIN)
    return Row(default=default, expect=expect, kwargs=kwargs or (lambda world: {}), method=method)
