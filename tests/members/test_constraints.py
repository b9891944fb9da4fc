"""Each database constraint in members/models.py refuses a direct write that
skips all Python validation. One test per constraint; the constraint's name
is asserted so a test cannot pass because of some other error."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import (
    Invitation,
    Membership,
    MemberProfile,
    Organisation,
    Release,
    User,
)
from tests.factories import (
    MemberProfileFactory,
    OrganisationFactory,
    ReleaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class refused:
    """``with refused("constraint_name"): <write>`` — the write raises an
    IntegrityError that names the constraint, and nothing is written."""

    def __init__(self, constraint: str):
        self.constraint = constraint

    def __enter__(self):
        self._raises = pytest.raises(IntegrityError)
        self._excinfo = self._raises.__enter__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        return self

    def __exit__(self, *exc):
        self._atomic.__exit__(*exc)
        suppressed = self._raises.__exit__(*exc)
        assert self.constraint in str(self._excinfo.value), str(self._excinfo.value)
        return suppressed


def test_a_valid_row_is_accepted():
    """The baseline: factories write rows every constraint accepts."""
    release = ReleaseFactory()
    assert Release.objects.filter(pk=release.pk).exists()


# --- Organisation ---------------------------------------------------------


@pytest.mark.parametrize("rate", [Decimal("0"), Decimal("-5")])
def test_organisation_rate_must_be_positive(rate):
    with refused("members_organisation_rate_positive"):
        OrganisationFactory(zpp_hourly_rate=rate)


def test_organisation_rate_update_to_zero_refused():
    org = OrganisationFactory()
    with refused("members_organisation_rate_positive"):
        Organisation.objects.filter(pk=org.pk).update(zpp_hourly_rate=0)
    org.refresh_from_db()
    assert org.zpp_hourly_rate > 0


@pytest.mark.parametrize("kvk", ["1234567", "1234567a", "", "1234 567"])
def test_organisation_kvk_must_be_8_digits(kvk):
    with refused("members_organisation_kvk_8_digits"):
        OrganisationFactory(kvk_number=kvk)


@pytest.mark.parametrize("oin", ["0" * 19, "0" * 18 + "ab", ""])
def test_organisation_oin_must_be_20_digits(oin):
    with refused("members_organisation_oin_20_digits"):
        OrganisationFactory(oin=oin)


# --- Membership -----------------------------------------------------------


def test_duplicate_role_refused():
    org = OrganisationFactory()
    user = UserFactory()
    Membership.objects.create(user=user, organisation=org, role="coordinator")
    with refused("members_membership_unique_role"):
        Membership.objects.create(user=user, organisation=org, role="coordinator")


def test_duplicate_programme_manager_role_refused():
    """NULL organisation counts as equal (nulls_distinct=False)."""
    user = UserFactory()
    Membership.objects.create(user=user, organisation=None, role="programme_manager")
    with refused("members_membership_unique_role"):
        Membership.objects.create(user=user, organisation=None, role="programme_manager")


def test_programme_manager_with_organisation_refused():
    with refused("members_membership_organisation_matches_role"):
        Membership.objects.create(
            user=UserFactory(), organisation=OrganisationFactory(), role="programme_manager"
        )


@pytest.mark.parametrize("role", ["member", "coordinator", "hr"])
def test_organisation_role_without_organisation_refused(role):
    with refused("members_membership_organisation_matches_role"):
        Membership.objects.create(user=UserFactory(), organisation=None, role=role)


def test_two_home_organisations_refused():
    user = UserFactory()
    Membership.objects.create(user=user, organisation=OrganisationFactory(), role="member")
    with refused("members_membership_one_home_organisation"):
        Membership.objects.create(user=user, organisation=OrganisationFactory(), role="member")


def test_member_elsewhere_may_hold_other_roles():
    """The home-organisation rule is only about the member role."""
    user = UserFactory()
    Membership.objects.create(user=user, organisation=OrganisationFactory(), role="member")
    Membership.objects.create(user=user, organisation=OrganisationFactory(), role="coordinator")
    assert Membership.objects.filter(user=user).count() == 2


# --- Release --------------------------------------------------------------


@pytest.mark.parametrize("days", [Decimal("7"), Decimal("1.3"), Decimal("0"), Decimal("3.5")])
def test_release_days_in_half_steps(days):
    with refused("members_release_days_in_half_steps"):
        ReleaseFactory(days_per_week=days)


def test_release_days_update_refused():
    release = ReleaseFactory()
    with refused("members_release_days_in_half_steps"):
        Release.objects.filter(pk=release.pk).update(days_per_week=Decimal("1.3"))


@pytest.mark.parametrize("offset", [0, -1])
def test_release_end_after_start(offset):
    today = timezone.localdate()
    with refused("members_release_end_after_start"):
        ReleaseFactory(start_date=today, end_date=today + timedelta(days=offset))


@pytest.mark.parametrize("status", ["approved", "rejected"])
def test_decided_release_needs_decided_at(status):
    with refused("members_release_decision_recorded"):
        ReleaseFactory(status=status, decided_at=None)


def test_approve_by_update_without_decided_at_refused():
    release = ReleaseFactory()
    with refused("members_release_decision_recorded"):
        Release.objects.filter(pk=release.pk).update(status="approved")
    release.refresh_from_db()
    assert release.status == "requested"


@pytest.mark.parametrize("status", ["requested", "withdrawn"])
def test_undecided_release_cannot_carry_decided_at(status):
    with refused("members_release_decision_recorded"):
        ReleaseFactory(status=status, decided_at=timezone.now())


# --- Invitation -----------------------------------------------------------


def _invitation(**kwargs):
    defaults = {
        "email": "nieuw@example.nl",
        "organisation": kwargs.pop("organisation", None) or OrganisationFactory(),
        "role": "member",
        "token_hash": kwargs.pop("token_hash"),
        "expires_at": timezone.now() + timedelta(days=14),
    }
    defaults.update(kwargs)
    return Invitation.objects.create(**defaults)


def test_one_open_invitation_per_address_and_role():
    org = OrganisationFactory()
    _invitation(organisation=org, token_hash="a" * 64)
    with refused("members_invitation_one_open_per_role"):
        _invitation(organisation=org, token_hash="b" * 64, email="NIEUW@Example.nl")


def test_closed_invitation_does_not_block_a_new_one():
    org = OrganisationFactory()
    _invitation(organisation=org, token_hash="a" * 64, revoked_at=timezone.now())
    _invitation(organisation=org, token_hash="b" * 64)
    assert Invitation.objects.count() == 2


def test_invitation_token_hash_unique():
    _invitation(token_hash="a" * 64)
    with refused("token_hash"):
        _invitation(token_hash="a" * 64, email="ander@example.nl")


# --- User -----------------------------------------------------------------


def test_email_unique_case_insensitive():
    User.objects.create(email="jan@example.nl")
    with refused("members_user_email_ci_unique"):
        User.objects.create(email="Jan@Example.NL")


# --- MemberProfile --------------------------------------------------------


@pytest.mark.parametrize("rate", [Decimal("0"), Decimal("-5")])
def test_member_profile_rate_positive(rate):
    with refused("members_memberprofile_rate_positive"):
        MemberProfileFactory(own_hourly_rate=rate)


def test_member_profile_rate_update_refused():
    profile = MemberProfileFactory(own_hourly_rate=Decimal("90"))
    with refused("members_memberprofile_rate_positive"):
        MemberProfile.objects.filter(pk=profile.pk).update(own_hourly_rate=Decimal("-5"))


def test_member_profile_without_rate_is_fine():
    profile = MemberProfileFactory(own_hourly_rate=None)
    assert profile.pk
