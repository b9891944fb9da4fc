"""Each database constraint in marketplace/models.py refuses a direct write
that skips all Python validation. The constraint's name is asserted so a test
cannot pass because of some other error."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace.models import Application, Assignment, AssignmentInvitation, Engagement, Offer
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AssignmentInvitationFactory,
    EngagementFactory,
    MemberProfileFactory,
    OfferFactory,
)
from tests.members.test_constraints import refused

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_valid_rows_are_accepted():
    """The baseline: the factories write rows every constraint accepts."""
    application = ApplicationFactory()
    EngagementFactory()
    OfferFactory()
    AssignmentInvitationFactory()
    AssignmentFactory()
    assert Application.objects.filter(pk=application.pk).exists()
    assert Assignment.objects.count() == 3  # the application's, the invitation's, the draft


# --- Assignment -------------------------------------------------------------


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-1"), Decimal("40.5"), Decimal("99")])
def test_assignment_hours_in_range(hours):
    with refused("marketplace_assignment_hours_range"):
        AssignmentFactory(hours_per_week=hours)


def test_assignment_hours_update_refused():
    assignment = AssignmentFactory()
    with refused("marketplace_assignment_hours_range"):
        Assignment.objects.filter(pk=assignment.pk).update(hours_per_week=0)


def test_assignment_needs_at_least_one_position():
    with refused("marketplace_assignment_positions_positive"):
        AssignmentFactory(positions=0)


@pytest.mark.parametrize("offset", [-1, -30])
def test_assignment_end_after_start(offset):
    start = TODAY() + timedelta(days=14)
    with refused("marketplace_assignment_end_after_start"):
        AssignmentFactory(start_date=start, end_date=start + timedelta(days=offset))


def test_assignment_one_day_is_allowed():
    start = TODAY() + timedelta(days=14)
    assert AssignmentFactory(start_date=start, end_date=start).pk


@pytest.mark.parametrize("rate", [Decimal("0"), Decimal("-5")])
def test_assignment_rate_ceiling_positive(rate):
    with refused("marketplace_assignment_rate_positive"):
        AssignmentFactory(rate_ceiling=rate)


def test_assignment_without_rate_ceiling_is_allowed():
    assert AssignmentFactory(rate_ceiling=None).pk


@pytest.mark.parametrize("days", [6, 30])
def test_assignment_internal_window_short(days):
    with refused("marketplace_assignment_internal_window_short"):
        AssignmentFactory(internal_first_days=days)


@pytest.mark.parametrize("status", ["published", "closed", "filled", "cancelled"])
def test_assignment_out_of_draft_needs_publication_times(status):
    with refused("marketplace_assignment_published_at_set"):
        AssignmentFactory(status=status)


def test_assignment_published_without_province_wide_at_refused():
    assignment = AssignmentFactory(published=True)
    with refused("marketplace_assignment_published_at_set"):
        Assignment.objects.filter(pk=assignment.pk).update(province_wide_at=None)


# --- Application ------------------------------------------------------------


def test_one_application_per_member_per_assignment():
    first = ApplicationFactory()
    with refused("marketplace_application_one_per_member"):
        ApplicationFactory(assignment=first.assignment, member=first.member)
    assert Application.objects.count() == 1


def test_the_same_member_may_apply_to_another_assignment():
    first = ApplicationFactory()
    assert ApplicationFactory(member=first.member).pk


@pytest.mark.parametrize("rate", [Decimal("0"), Decimal("-5")])
def test_application_rate_positive(rate):
    with refused("marketplace_application_rate_positive"):
        ApplicationFactory(proposed_rate=rate)


# --- Engagement ---------------------------------------------------------------


@pytest.mark.parametrize("rate", [Decimal("0"), Decimal("-85")])
def test_engagement_rate_positive(rate):
    with refused("marketplace_engagement_rate_positive"):
        EngagementFactory(agreed_rate=rate)


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("41")])
def test_engagement_hours_in_range(hours):
    with refused("marketplace_engagement_hours_range"):
        EngagementFactory(hours_per_week=hours)


def test_engagement_end_after_start():
    with refused("marketplace_engagement_end_after_start"):
        EngagementFactory(start_date=TODAY(), end_date=TODAY() - timedelta(days=1))


@pytest.mark.parametrize("treatment", ["exempt", "out_of_scope"])
def test_engagement_exemption_needs_a_reason(treatment):
    with refused("marketplace_engagement_exemption_has_reason"):
        EngagementFactory(vat_treatment=treatment, vat_exemption_reason="")


def test_engagement_exemption_with_reason_is_allowed():
    assert EngagementFactory(
        vat_treatment="exempt", vat_exemption_reason="Art. 11 lid 1 onderdeel o Wet OB 1968"
    ).pk


def test_one_engagement_per_application():
    application = ApplicationFactory()
    EngagementFactory(application=application, member=application.member)
    with refused("application_id"):  # OneToOneField: Django's own unique index
        EngagementFactory(application=application, member=application.member)
    assert Engagement.objects.count() == 1


# --- Offer ----------------------------------------------------------------------


def test_offer_until_after_from():
    with refused("marketplace_offer_until_after_from"):
        OfferFactory(available_from=TODAY(), available_until=TODAY() - timedelta(days=1))


@pytest.mark.parametrize("hours", [Decimal("0"), Decimal("-8"), Decimal("41")])
def test_offer_hours_in_range(hours):
    with refused("marketplace_offer_hours_range"):
        OfferFactory(hours_per_week=hours)


def test_offer_update_to_bad_hours_refused():
    offer = OfferFactory()
    with refused("marketplace_offer_hours_range"):
        Offer.objects.filter(pk=offer.pk).update(hours_per_week=0)


# --- Invitation to apply ----------------------------------------------------------


def test_one_invitation_per_member_per_assignment():
    first = AssignmentInvitationFactory()
    with refused("marketplace_assignmentinvitation_once"):
        AssignmentInvitationFactory(assignment=first.assignment, member=first.member)
    assert AssignmentInvitation.objects.count() == 1


def test_another_member_may_be_invited():
    first = AssignmentInvitationFactory()
    assert AssignmentInvitationFactory(assignment=first.assignment, member=MemberProfileFactory()).pk
