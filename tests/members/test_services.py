"""Service functions of the members app: the release life cycle, invitations
and the audit trail. Every state change is checked by what a person would
notice: the row in the database, the e-mail, the error message."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members import services
from members.errors import DomainError
from members.models import AuditEntry, Invitation, Membership, Release
from tests.factories import ReleaseFactory, UserFactory, valid_iban, valid_vat_number

TODAY = timezone.localdate


def _request(member, *, start=None, days=180, variant=Release.Variant.ZPP, days_per_week="1.0"):
    start = start or TODAY()
    return services.release_request(
        actor=member, member=member.profile, days_per_week=Decimal(days_per_week),
        variant=variant, start_date=start, end_date=start + timedelta(days=days),
        motivation="Ik wil graag ervaring opdoen.",
    )


# --- Release life cycle ---------------------------------------------------


def test_release_request_creates_a_request_and_tells_hr(member_a, hr_a, hr_b, run_on_commit):
    with run_on_commit():
        release = _request(member_a)

    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED
    assert release.decided_at is None
    # Only HR of the home organisation is told.
    recipients = [m.to for m in mail.outbox]
    assert recipients == [[hr_a.email]]
    assert AuditEntry.objects.filter(action="release.request", actor=member_a).count() == 1


def test_release_request_for_someone_else_is_refused(member_a, member_b):
    with pytest.raises(DomainError):
        services.release_request(
            actor=member_b, member=member_a.profile, days_per_week=Decimal("1"),
            variant=Release.Variant.ZPP, start_date=TODAY(),
            end_date=TODAY() + timedelta(days=30),
        )
    assert not Release.objects.exists()


def test_release_request_end_before_start_is_refused(member_a):
    with pytest.raises(DomainError) as excinfo:
        _request(member_a, days=-1)
    assert excinfo.value.field == "end_date"
    assert not Release.objects.exists()


def test_overlapping_release_request_is_refused(member_a):
    first = _request(member_a, days=100)
    with pytest.raises(DomainError) as excinfo:
        _request(member_a, start=first.start_date + timedelta(days=50), days=100)
    assert excinfo.value.field == "start_date"
    assert Release.objects.filter(member=member_a.profile).count() == 1


def test_a_request_after_a_withdrawn_one_in_the_same_period_is_allowed(member_a):
    first = _request(member_a)
    services.release_withdraw(actor=member_a, release=first)
    second = _request(member_a)
    assert second.status == Release.Status.REQUESTED
    assert Release.objects.filter(member=member_a.profile).count() == 2


def test_hr_approves_member_is_emailed_and_audited(member_a, hr_a, run_on_commit):
    release = _request(member_a)
    mail.outbox.clear()

    with run_on_commit():
        services.release_approve(actor=hr_a, release=release, reason="Veel succes!")

    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED
    assert release.decided_by == hr_a
    assert release.decided_at is not None
    assert release.decision_reason == "Veel succes!"
    assert release.is_current()
    assert member_a.profile.current_release() == release
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member_a.email]

    entry = AuditEntry.objects.get(action="release.approve")
    assert entry.actor == hr_a
    assert entry.organisation == member_a.profile.home_organisation
    assert entry.target_id == str(release.pk)
    assert entry.data["reason"] == "Veel succes!"


def test_hr_rejects_with_reason_member_is_emailed_with_the_reason(member_a, hr_a, run_on_commit):
    release = _request(member_a)
    mail.outbox.clear()

    with run_on_commit():
        services.release_reject(actor=hr_a, release=release, reason="Te druk in het voorjaar.")

    release.refresh_from_db()
    assert release.status == Release.Status.REJECTED
    assert release.decision_reason == "Te druk in het voorjaar."
    assert release.decided_by == hr_a
    assert not release.is_current()
    assert member_a.profile.current_release() is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member_a.email]
    assert "Te druk in het voorjaar." in mail.outbox[0].body

    entry = AuditEntry.objects.get(action="release.reject")
    assert (entry.actor, entry.organisation) == (hr_a, member_a.profile.home_organisation)


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_reason_is_refused(member_a, hr_a, reason):
    release = _request(member_a)
    with pytest.raises(DomainError) as excinfo:
        services.release_reject(actor=hr_a, release=release, reason=reason)
    assert excinfo.value.field == "reason"
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED
    assert not AuditEntry.objects.filter(action="release.reject").exists()


def test_approving_twice_refuses_the_second_and_audits_once(member_a, hr_a, run_on_commit):
    release = _request(member_a)
    mail.outbox.clear()
    with run_on_commit():
        services.release_approve(actor=hr_a, release=release)

    stale = Release.objects.get(pk=release.pk)  # what a second browser tab would post
    with run_on_commit(), pytest.raises(DomainError):
        services.release_approve(actor=hr_a, release=stale)

    assert AuditEntry.objects.filter(action="release.approve").count() == 1
    assert len(mail.outbox) == 1  # the member is told once


def test_rejecting_an_approved_release_is_refused(member_a, hr_a):
    release = _request(member_a)
    services.release_approve(actor=hr_a, release=release)
    with pytest.raises(DomainError):
        services.release_reject(actor=hr_a, release=release, reason="Toch niet")
    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED


def test_withdraw_only_while_requested(member_a, hr_a):
    release = _request(member_a)
    services.release_withdraw(actor=member_a, release=release)
    release.refresh_from_db()
    assert release.status == Release.Status.WITHDRAWN
    assert AuditEntry.objects.filter(action="release.withdraw", actor=member_a).count() == 1

    with pytest.raises(DomainError):
        services.release_withdraw(actor=member_a, release=release)

    approved = _request(member_a)
    services.release_approve(actor=hr_a, release=approved)
    with pytest.raises(DomainError):
        services.release_withdraw(actor=member_a, release=approved)
    approved.refresh_from_db()
    assert approved.status == Release.Status.APPROVED


def test_withdrawn_release_cannot_be_approved(member_a, hr_a):
    release = _request(member_a)
    services.release_withdraw(actor=member_a, release=release)
    with pytest.raises(DomainError):
        services.release_approve(actor=hr_a, release=release)
    release.refresh_from_db()
    assert release.status == Release.Status.WITHDRAWN


def test_someone_else_cannot_withdraw(member_a, hr_a):
    release = _request(member_a)
    with pytest.raises(DomainError):
        services.release_withdraw(actor=hr_a, release=release)
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED


def test_zzp_request_refused_while_business_details_missing(member_a):
    with pytest.raises(DomainError) as excinfo:
        _request(member_a, variant=Release.Variant.ZZP)
    assert excinfo.value.field == "variant"
    missing = [str(m) for m in services.missing_zzp_requirements(member_a.profile)]
    assert len(missing) == 3
    for item in missing:
        assert item in str(excinfo.value.message)
    assert not Release.objects.exists()


def test_zzp_approval_refused_while_business_details_missing(member_a, hr_a):
    # E.g. the member removed the details after asking; HR must not approve.
    release = ReleaseFactory(member=member_a.profile, variant=Release.Variant.ZZP)
    with pytest.raises(DomainError) as excinfo:
        services.release_approve(actor=hr_a, release=release)
    message = str(excinfo.value.message)
    missing = [str(m) for m in services.missing_zzp_requirements(member_a.profile)]
    assert len(missing) == 3  # KvK, VAT number, own rate
    for item in missing:
        assert item in message
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED
    assert not AuditEntry.objects.filter(action="release.approve").exists()


def test_zzp_approval_names_only_what_is_still_missing(member_a, hr_a):
    profile = member_a.profile
    profile.business_kvk = "87654321"
    profile.own_hourly_rate = Decimal("95.00")
    profile.save()
    release = ReleaseFactory(member=profile, variant=Release.Variant.ZZP)
    with pytest.raises(DomainError) as excinfo:
        services.release_approve(actor=hr_a, release=release)
    message = str(excinfo.value.message)
    missing = [str(m) for m in services.missing_zzp_requirements(profile)]
    assert len(missing) == 1  # only the VAT number
    assert missing[0] in message
    profile.business_kvk, profile.business_vat = "", valid_vat_number(7)
    kvk_label = str(services.missing_zzp_requirements(profile)[0])
    assert kvk_label not in message  # the KvK number was given


def test_zzp_approval_succeeds_with_business_details(member_a, hr_a):
    profile = member_a.profile
    profile.business_kvk = "87654321"
    profile.business_vat = valid_vat_number(42)
    profile.business_iban = valid_iban(42)
    profile.own_hourly_rate = Decimal("95.00")
    profile.full_clean()
    profile.save()
    release = _request(member_a, variant=Release.Variant.ZZP)
    services.release_approve(actor=hr_a, release=release)
    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED
    assert profile.hourly_rate_for(release.variant) == Decimal("95.00")


def test_zpp_rate_is_the_home_organisations_tariff(member_a, org_a):
    assert member_a.profile.hourly_rate_for(Release.Variant.ZPP) == org_a.zpp_hourly_rate


def test_hr_cannot_decide_own_release(org_a, member_a, hr_a):
    services.membership_grant(actor=None, user=member_a, organisation=org_a, role="hr")
    release = _request(member_a)
    with pytest.raises(DomainError):
        services.release_approve(actor=member_a, release=release)
    with pytest.raises(DomainError):
        services.release_reject(actor=member_a, release=release, reason="nee")
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED
    assert not AuditEntry.objects.filter(action__in=["release.approve", "release.reject"]).exists()


def test_hr_of_b_cannot_decide_on_release_of_a(member_a, hr_b):
    release = _request(member_a)
    with pytest.raises(DomainError):
        services.release_approve(actor=hr_b, release=release)
    with pytest.raises(DomainError):
        services.release_reject(actor=hr_b, release=release, reason="nee")
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED


@pytest.mark.parametrize("persona", ["coordinator_a", "member_b", "programme_manager"])
def test_only_hr_decides(request, member_a, persona):
    actor = request.getfixturevalue(persona)
    release = _request(member_a)
    with pytest.raises(DomainError):
        services.release_approve(actor=actor, release=release)
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED


def test_admin_may_decide(member_a, admin_user):
    release = _request(member_a)
    services.release_approve(actor=admin_user, release=release)
    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED


def test_second_approved_release_in_the_same_period_is_refused(member_a, hr_a):
    # A request that overlaps an approved one cannot even be made through the
    # service; the approval check guards rows that got there another way.
    first = _request(member_a)
    services.release_approve(actor=hr_a, release=first)
    sneaky = ReleaseFactory(member=member_a.profile, start_date=first.start_date + timedelta(days=10))
    with pytest.raises(DomainError):
        services.release_approve(actor=hr_a, release=sneaky)
    sneaky.refresh_from_db()
    assert sneaky.status == Release.Status.REQUESTED


def test_only_an_approved_current_release_makes_a_member_available(member_a, hr_a):
    profile = member_a.profile
    future = _request(member_a, start=TODAY() + timedelta(days=30))
    services.release_approve(actor=hr_a, release=future)
    assert profile.current_release() is None
    assert profile.current_release(on=TODAY() + timedelta(days=31)) == future


# --- Invitations ----------------------------------------------------------


def _accept_url_in(body: str) -> str:
    match = re.search(r"(https?://\S+)?(/uitnodiging/[^/\s]+/)", body)
    assert match, f"no accept link in the e-mail:\n{body}"
    return match.group(2)


def test_invitation_sends_one_email_with_a_working_accept_link(org_a, hr_a, run_on_commit):
    with run_on_commit():
        invitation, token = services.invitation_create(
            actor=hr_a, organisation=org_a, email="Nieuw.Lid@Example.nl", role="member"
        )

    assert invitation.email == "nieuw.lid@example.nl"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nieuw.lid@example.nl"]
    path = _accept_url_in(message.body)
    assert path == reverse("members:invitation_accept", kwargs={"token": token})
    # The token itself is never stored.
    assert token not in Invitation.objects.values_list("token_hash", flat=True)[0]
    assert AuditEntry.objects.filter(
        action="invitation.create", actor=hr_a, organisation=org_a
    ).count() == 1


def test_invitation_token_works_once(org_a, hr_a):
    invitation, token = services.invitation_create(
        actor=hr_a, organisation=org_a, email="nieuw@example.nl", role="coordinator"
    )
    user = UserFactory(email="nieuw@example.nl")
    membership = services.invitation_accept(user=user, token=token)

    assert (membership.user, membership.organisation, membership.role) == (user, org_a, "coordinator")
    assert membership.granted_by == hr_a
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.status == "accepted"
    assert services.invitation_by_token(token) is None
    with pytest.raises(DomainError):
        services.invitation_accept(user=user, token=token)
    assert Membership.objects.filter(user=user).count() == 1


def test_member_invitation_creates_profile_at_the_organisation(org_a, hr_a):
    _, token = services.invitation_create(
        actor=hr_a, organisation=org_a, email="nieuw@example.nl", role="member"
    )
    user = UserFactory(email="nieuw@example.nl")
    services.invitation_accept(user=user, token=token)
    user.refresh_from_db()
    assert user.profile.home_organisation == org_a


def test_expired_invitation_is_invalid(org_a, hr_a):
    invitation, token = services.invitation_create(
        actor=hr_a, organisation=org_a, email="nieuw@example.nl", role="member"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert services.invitation_by_token(token) is None
    user = UserFactory(email="nieuw@example.nl")
    with pytest.raises(DomainError):
        services.invitation_accept(user=user, token=token)
    assert not Membership.objects.filter(user=user).exists()


def test_revoked_invitation_is_invalid(org_a, hr_a):
    invitation, token = services.invitation_create(
        actor=hr_a, organisation=org_a, email="nieuw@example.nl", role="member"
    )
    services.invitation_revoke(actor=hr_a, invitation=invitation)
    assert services.invitation_by_token(token) is None
    user = UserFactory(email="nieuw@example.nl")
    with pytest.raises(DomainError):
        services.invitation_accept(user=user, token=token)
    assert not Membership.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="invitation.revoke", actor=hr_a).count() == 1
    with pytest.raises(DomainError):
        services.invitation_revoke(actor=hr_a, invitation=invitation)


def test_unknown_token_is_invalid(db):
    assert services.invitation_by_token("niet-bestaand") is None
    assert services.invitation_by_token("") is None


def test_accept_with_another_email_address_is_refused(org_a, hr_a):
    _, token = services.invitation_create(
        actor=hr_a, organisation=org_a, email="nieuw@example.nl", role="member"
    )
    intruder = UserFactory(email="iemand.anders@example.nl")
    with pytest.raises(DomainError) as excinfo:
        services.invitation_accept(user=intruder, token=token)
    assert "nieuw@example.nl" in str(excinfo.value.message)
    assert not Membership.objects.filter(user=intruder).exists()
    # The rightful person can still use it.
    assert services.invitation_by_token(token) is not None


def test_member_invitation_for_a_member_elsewhere_is_refused(org_a, hr_a, member_b):
    with pytest.raises(DomainError) as excinfo:
        services.invitation_create(actor=hr_a, organisation=org_a, email=member_b.email, role="member")
    assert excinfo.value.field == "email"
    assert not Invitation.objects.exists()


def test_coordinator_invitation_for_a_member_elsewhere_is_allowed(org_a, hr_a, member_b):
    invitation, _ = services.invitation_create(
        actor=hr_a, organisation=org_a, email=member_b.email, role="coordinator"
    )
    assert invitation.pk


def test_second_open_invitation_for_the_same_role_is_refused(org_a, hr_a):
    services.invitation_create(actor=hr_a, organisation=org_a, email="nieuw@example.nl", role="member")
    with pytest.raises(DomainError):
        services.invitation_create(actor=hr_a, organisation=org_a, email="NIEUW@example.nl", role="member")
    assert Invitation.objects.count() == 1


def test_new_invitation_after_expiry_replaces_the_old_one(org_a, hr_a):
    old, old_token = services.invitation_create(
        actor=hr_a, organisation=org_a, email="nieuw@example.nl", role="member"
    )
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    new, new_token = services.invitation_create(
        actor=hr_a, organisation=org_a, email="nieuw@example.nl", role="member"
    )
    assert services.invitation_by_token(new_token) == new
    assert services.invitation_by_token(old_token) is None


@pytest.mark.parametrize("persona", ["member_a", "coordinator_a", "hr_b", "programme_manager"])
def test_only_hr_of_the_organisation_invites(request, org_a, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(DomainError):
        services.invitation_create(actor=actor, organisation=org_a, email="x@example.nl", role="member")
    assert not Invitation.objects.exists()


def test_invitation_for_existing_role_is_refused(org_a, hr_a, member_a):
    with pytest.raises(DomainError):
        services.invitation_create(actor=hr_a, organisation=org_a, email=member_a.email, role="member")


# --- Roles and the audit trail --------------------------------------------


def test_role_grant_is_audited_once(org_a, hr_a):
    user = UserFactory()
    services.membership_grant(actor=hr_a, user=user, organisation=org_a, role="coordinator")
    services.membership_grant(actor=hr_a, user=user, organisation=org_a, role="coordinator")

    assert Membership.objects.filter(user=user).count() == 1
    entries = AuditEntry.objects.filter(action="membership.grant", data__user=user.email)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == hr_a
    assert entry.organisation == org_a
    assert entry.data["role"] == "coordinator"
    assert hr_a.email in entry.actor_label


def test_role_grant_by_the_system_is_audited_as_system(org_a):
    user = UserFactory()
    services.membership_grant(actor=None, user=user, organisation=org_a, role="hr")
    entry = AuditEntry.objects.get(action="membership.grant", data__user=user.email)
    assert entry.actor is None
    assert entry.actor_label == "system"


def test_member_role_at_a_second_organisation_is_refused(org_b, member_a):
    with pytest.raises(DomainError):
        services.membership_grant(actor=None, user=member_a, organisation=org_b, role="member")
    assert list(Membership.objects.filter(user=member_a).values_list("organisation", flat=True)) == [
        member_a.profile.home_organisation_id
    ]


def test_role_revoke_is_audited(org_a, hr_a, coordinator_a):
    membership = Membership.objects.get(user=coordinator_a, role="coordinator")
    services.membership_revoke(actor=hr_a, membership=membership)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get(action="membership.revoke")
    assert entry.actor == hr_a
    assert entry.organisation == org_a
    assert entry.data == {"user": coordinator_a.email, "role": "coordinator"}


def test_role_revoke_twice_is_refused(hr_a, coordinator_a):
    membership = Membership.objects.get(user=coordinator_a, role="coordinator")
    services.membership_revoke(actor=hr_a, membership=membership)
    with pytest.raises(DomainError):
        services.membership_revoke(actor=hr_a, membership=membership)
    assert AuditEntry.objects.filter(action="membership.revoke").count() == 1


def test_hr_of_b_cannot_revoke_roles_in_a(hr_b, coordinator_a):
    membership = Membership.objects.get(user=coordinator_a, role="coordinator")
    with pytest.raises(DomainError):
        services.membership_revoke(actor=hr_b, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_hr_cannot_remove_own_hr_role(hr_a):
    membership = Membership.objects.get(user=hr_a, role="hr")
    with pytest.raises(DomainError):
        services.membership_revoke(actor=hr_a, membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_every_decision_is_audited_with_who_what_and_organisation(org_a, member_a, hr_a):
    r1 = _request(member_a, days=30)
    services.release_approve(actor=hr_a, release=r1)
    r2 = _request(member_a, start=TODAY() + timedelta(days=60), days=30)
    services.release_reject(actor=hr_a, release=r2, reason="Nee")

    decisions = AuditEntry.objects.filter(action__in=["release.approve", "release.reject"])
    assert sorted(decisions.values_list("action", "actor", "organisation", "target_id")) == sorted([
        ("release.approve", hr_a.pk, org_a.pk, str(r1.pk)),
        ("release.reject", hr_a.pk, org_a.pk, str(r2.pk)),
    ])


def test_organisation_update_is_audited_with_the_changes(org_a, hr_a):
    services.organisation_update(actor=hr_a, organisation=org_a, data={"city": "Tilburg"})
    org_a.refresh_from_db()
    assert org_a.city == "Tilburg"
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.actor == hr_a
    assert entry.data["changes"]["city"][1] == "Tilburg"


def test_organisation_update_by_non_hr_is_refused(org_a, coordinator_a):
    with pytest.raises(DomainError):
        services.organisation_update(actor=coordinator_a, organisation=org_a, data={"city": "Tilburg"})
    org_a.refresh_from_db()
    assert org_a.city != "Tilburg"


def test_profile_update_only_by_the_member(member_a, member_b):
    with pytest.raises(DomainError):
        services.profile_update(actor=member_b, profile=member_a.profile, data={"bio": "gehackt"})
    member_a.profile.refresh_from_db()
    assert member_a.profile.bio != "gehackt"
