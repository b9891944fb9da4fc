"""Helpers for the matching tests: members with skills and a release, and
published assignments that ask for skills, in a few lines each."""

from decimal import Decimal

import pytest

from marketplace.models import WorkMode
from matching.models import Suggestion
from members.models import Release
from tests.factories import AssignmentFactory, MemberProfileFactory, OrganisationFactory, SkillFactory, approved_release


@pytest.fixture
def skills(db):
    """Six skills: skills[0] … skills[5]."""
    return [SkillFactory(name=f"Vaardigheid {letter}") for letter in "ABCDEF"]


@pytest.fixture
def org_c(db):
    return OrganisationFactory(name="Gemeente Ceedorp", slug="ceedorp", city="Ceedorp")


def make_member(organisation, skills, *, days="2.0", variant=Release.Variant.ZPP, release=True, **profile):
    """A member with these skills and (unless release=False) an approved
    release of ``days`` days a week (8 hours a day) from today for a year."""
    member = MemberProfileFactory(home_organisation=organisation, **profile)
    member.skills.set(skills)
    if release:
        approved_release(member, days_per_week=days, variant=variant)
    return member


def make_assignment(organisation, required, nice=(), *, hours="8.0", work_mode=WorkMode.REMOTE, **fields):
    """A published assignment (visible province-wide) of 8 hours a week,
    remote, starting in two weeks for four months."""
    return AssignmentFactory(
        organisation=organisation, published=True, required_skills=list(required), nice_skills=list(nice),
        hours_per_week=Decimal(hours), work_mode=work_mode, **fields,
    )


def suggestion(member, assignment) -> Suggestion | None:
    return Suggestion.objects.filter(member=member, assignment=assignment).first()


def reason(found: Suggestion, code: str) -> list | None:
    """The reason with this code, e.g. ["hours", 16, 8]."""
    return next((r for r in found.reasons if r[0] == code), None)


def rows() -> set[tuple]:
    """Everything the jobs wrote, comparable between runs."""
    return set(
        Suggestion.objects.values_list("member_id", "assignment_id", "score", "dismissed_at", "created_at", "updated_at")
    )
