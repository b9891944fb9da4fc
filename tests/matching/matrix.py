"""Permission-matrix rows for the matching URLs (see tests/matrix.py)."""

from tests.matrix import LOGIN, row  # noqa: F401

ROWS = {}


def extend_world(world: dict) -> dict:
    return {}
