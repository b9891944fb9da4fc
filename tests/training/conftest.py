"""Fixtures for the training tests: members to fill sessions with, and a
session with few seats."""

import pytest

from tests.factories import MemberProfileFactory, ModuleFactory, SessionFactory


@pytest.fixture
def make_members(org_a, org_b):
    """``make_members(n)`` → n members (users), alternately of A and B,
    each with their profile and member role."""
    counter = {"n": 0}

    def _make(n):
        users = []
        for _ in range(n):
            i = counter["n"] = counter["n"] + 1
            profile = MemberProfileFactory(
                home_organisation=org_a if i % 2 else org_b,
                user__email=f"deelnemer{i}@example.nl", user__first_name=f"Deelnemer{i}",
            )
            users.append(profile.user)
        return users

    return _make


@pytest.fixture
def talent(db):
    return ModuleFactory(title="Ontdek je talent")


@pytest.fixture
def small_session(talent, training_coordinator):
    """"Ontdek je talent" in three weeks with 2 seats."""
    return SessionFactory(module=talent, capacity=2, created_by=training_coordinator)
