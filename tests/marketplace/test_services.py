"""The marketplace through its service functions: the whole life cycle of an
assignment — draft, publish, apply, shortlist, accept, filled — and every
way it can go wrong. Checked by what a person would notice: the rows, the
in-app notifications, the e-mails, the audit trail, the error message and
the field it points at."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from marketplace import selectors, services
from marketplace.models import (
    Application,
    Assignment,
    AssignmentInvitation,
    Engagement,
    Offer,
    Source,
)
from members.errors import DomainError
from members.models import AuditEntry, Membership, Notification, Release
from members.services import membership_grant
from tests.factories import (
    AssignmentFactory,
    EngagementFactory,
    MemberProfileFactory,
    OfferFactory,
    SkillFactory,
    UserFactory,
    approved_release,
    publish,
)

TODAY = timezone.localdate


def assignment_data(**overrides) -> dict:
    """What a coordinator fills in: 8 hours a week, starting in two weeks
    for four months, deadline in a week."""
    start = TODAY() + timedelta(days=14)
    data = {
        "title": "Adviseur duurzame energie",
        "description": "Help ons met de regionale energiestrategie en de warmtetransitie.",
        "hours_per_week": Decimal("8"),
        "positions": 1,
        "start_date": start,
        "end_date": start + timedelta(days=120),
        "place": "Tilburg",
        "work_mode": "hybrid",
        "rate_ceiling": Decimal("100.00"),
        "application_deadline": TODAY() + timedelta(days=7),
        "contact_name": "Anna Contact",
        "contact_email": "anna@example.nl",
        "internal_first_days": 0,
    }
    data.update(overrides)
    return data


def create_draft(coordinator, organisation, **overrides) -> Assignment:
    return services.assignment_create(actor=coordinator, organisation=organisation, data=assignment_data(**overrides))


def apply(user, assignment, **kwargs) -> Application:
    kwargs.setdefault("motivation", "Ik heb de energiestrategie van mijn eigen gemeente geschreven.")
    kwargs.setdefault("availability", "Dinsdag en donderdag.")
    return services.application_submit(actor=user, assignment=assignment, **kwargs)


def new_member(organisation, email, **user_kwargs):
    user = UserFactory(email=email, **user_kwargs)
    membership_grant(actor=None, user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


def notified(user, kind=None) -> list[Notification]:
    qs = Notification.objects.filter(user=user)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs)


def mailed_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


@pytest.fixture
def assignment(coordinator_a, org_a):
    """A published assignment of organisation A (through the services)."""
    return services.assignment_publish(actor=coordinator_a, assignment=create_draft(coordinator_a, org_a))


# --- The whole life cycle ----------------------------------------------------


def test_life_cycle_draft_publish_apply_shortlist_accept(
    coordinator_a, org_a, org_b, member_a, member_b, run_on_commit
):
    org_a.zpp_hourly_rate = Decimal("85.00")
    org_a.save()
    org_b.zpp_hourly_rate = Decimal("92.50")
    org_b.save()
    release_b = approved_release(member_b, days_per_week="1.0")
    approved_release(member_a, days_per_week="1.0")
    other = new_member(org_b, "ander.lid.b@example.nl")
    approved_release(other)

    # A draft: only the coordinators of A see it.
    draft = create_draft(coordinator_a, org_a)
    assert draft.status == Assignment.Status.DRAFT
    assert draft.published_at is None and draft.province_wide_at is None
    assert draft.created_by == coordinator_a
    assert draft in selectors.assignments_visible_to(coordinator_a)
    assert draft not in selectors.assignments_visible_to(member_a)
    assert draft not in selectors.assignments_visible_to(member_b)

    # Published: the whole province sees it at once (no internal window).
    before = timezone.now()
    published = services.assignment_publish(actor=coordinator_a, assignment=draft)
    published.refresh_from_db()
    assert published.status == Assignment.Status.PUBLISHED
    assert before <= published.published_at <= timezone.now()
    assert published.province_wide_at == published.published_at
    assert not published.in_internal_window
    assert published in selectors.assignments_visible_to(member_b)
    assert published in selectors.assignments_visible_to(member_a)

    # Two members of B apply; the coordinators of A are told.
    mail.outbox.clear()
    with run_on_commit():
        application = apply(member_b, published)
        other_application = apply(other, published)
    assert application.status == Application.Status.SUBMITTED
    assert application.source == Source.APPLICATION
    assert len(notified(coordinator_a, "application_received")) == 2
    assert len(mailed_to(coordinator_a)) == 2

    # Shortlist: the applicant is told.
    mail.outbox.clear()
    with run_on_commit():
        services.application_shortlist(actor=coordinator_a, application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.SHORTLISTED
    assert len(notified(member_b, "application_status")) == 1
    assert len(mailed_to(member_b)) == 1

    # Accept: the engagement is the contract.
    mail.outbox.clear()
    with run_on_commit():
        engagement = services.application_accept(actor=coordinator_a, application=application)
    engagement.refresh_from_db()
    assert engagement.member == member_b.profile
    assert engagement.application == application
    assert engagement.assignment == published
    assert engagement.hiring_organisation == org_a
    assert engagement.home_organisation == org_b
    assert engagement.variant == Release.Variant.ZPP
    assert not engagement.issuer_is_member
    assert engagement.agreed_rate == Decimal("92.50")  # the home organisation's tariff
    assert engagement.hours_per_week == Decimal("8")
    assert engagement.start_date == published.start_date
    assert engagement.end_date == min(published.end_date, release_b.end_date)
    assert engagement.source == Source.APPLICATION
    assert engagement.created_by == coordinator_a

    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.decided_by == coordinator_a
    assert application.decided_at is not None

    # One position: the assignment is filled; the other applicant is told.
    published.refresh_from_db()
    assert published.status == Assignment.Status.FILLED
    assert published.closed_at is not None
    other_application.refresh_from_db()
    assert other_application.status == Application.Status.REJECTED
    assert other_application.decided_by == coordinator_a
    assert len(notified(member_b, "engagement_created")) == 1
    assert len(notified(other, "application_status")) == 1
    assert {tuple(m.to) for m in mail.outbox} == {(member_b.email,), (other.email,)}

    # Filled work stays visible (with its status), the engagement to both sides.
    assert published in selectors.assignments_visible_to(member_b)
    assert engagement in selectors.engagements_visible_to(member_b)
    assert engagement in selectors.engagements_visible_to(coordinator_a)

    # Every step is in the audit trail with its actor.
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "actor__email"))
    assert [a for a in actions if a[0].startswith(("assignment.", "application."))] == [
        ("assignment.create", coordinator_a.email),
        ("assignment.publish", coordinator_a.email),
        ("application.submit", member_b.email),
        ("application.submit", other.email),
        ("application.shortlist", coordinator_a.email),
        ("application.accept", coordinator_a.email),
        ("assignment.filled", coordinator_a.email),
    ]
    accept = AuditEntry.objects.get(action="application.accept")
    assert accept.organisation == org_a
    assert accept.data == {"engagement": engagement.pk, "rate": "92.50"}


def test_accepting_a_zzp_member_uses_the_proposed_rate(coordinator_a, org_b, assignment):
    zzp = MemberProfileFactory(zzp=True, home_organisation=org_b)
    approved_release(zzp, variant=Release.Variant.ZZP)
    application = apply(zzp.user, assignment, proposed_rate=Decimal("97.50"))

    engagement = services.application_accept(actor=coordinator_a, application=application)

    assert engagement.variant == Release.Variant.ZZP
    assert engagement.issuer_is_member
    assert engagement.agreed_rate == Decimal("97.50")
    assert engagement.home_organisation == org_b


def test_engagement_period_is_clipped_to_the_release(coordinator_a, member_b, assignment):
    release = approved_release(member_b, days=60)
    assert release.end_date < assignment.end_date
    engagement = services.application_accept(actor=coordinator_a, application=apply(member_b, assignment))
    assert engagement.start_date == assignment.start_date
    assert engagement.end_date == release.end_date


def test_two_positions_stay_open_after_the_first_acceptance(coordinator_a, org_a, org_b, member_b, run_on_commit):
    assignment = publish(create_draft(coordinator_a, org_a, positions=2), coordinator_a)
    second = new_member(org_b, "tweede@example.nl")
    third = new_member(org_b, "derde@example.nl")
    for user in (member_b, second, third):
        approved_release(user)
    apps = [apply(user, assignment) for user in (member_b, second, third)]

    services.application_accept(actor=coordinator_a, application=apps[0])
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.PUBLISHED
    apps[2].refresh_from_db()
    assert apps[2].status == Application.Status.SUBMITTED

    with run_on_commit():
        services.application_accept(actor=coordinator_a, application=apps[1])
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.FILLED
    apps[2].refresh_from_db()
    assert apps[2].status == Application.Status.REJECTED
    assert Engagement.objects.filter(assignment=assignment).count() == 2
    assert len(notified(third, "application_status")) == 1


# --- Internal-first window ---------------------------------------------------


def test_internal_first_window_hides_the_assignment_from_other_organisations(
    coordinator_a, org_a, member_a, member_b, monkeypatch
):
    assignment = publish(create_draft(coordinator_a, org_a, internal_first_days=3), coordinator_a)
    assert assignment.province_wide_at == assignment.published_at + timedelta(days=3)
    assert assignment.in_internal_window

    assert assignment in selectors.assignments_visible_to(member_a)  # same organisation
    assert assignment in selectors.assignments_visible_to(coordinator_a)
    assert assignment not in selectors.assignments_visible_to(member_b)

    # Three days later the whole province sees it.
    later = assignment.province_wide_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert assignment in selectors.assignments_visible_to(member_b)


def test_internal_first_window_is_at_most_five_days(coordinator_a, org_a):
    with pytest.raises(ValidationError) as excinfo:  # from the model's full_clean
        create_draft(coordinator_a, org_a, internal_first_days=6)
    assert "internal_first_days" in excinfo.value.message_dict
    assert not Assignment.objects.exists()


def test_internal_first_window_cannot_change_after_publication(coordinator_a, assignment):
    with pytest.raises(DomainError) as excinfo:
        services.assignment_update(actor=coordinator_a, assignment=assignment, data={"internal_first_days": 2})
    assert excinfo.value.field == "internal_first_days"
    assignment.refresh_from_db()
    assert assignment.internal_first_days == 0


# --- Creating, publishing, closing -----------------------------------------


def test_create_end_before_start_refused_at_end_date(coordinator_a, org_a):
    with pytest.raises(DomainError) as excinfo:
        create_draft(coordinator_a, org_a, end_date=TODAY() + timedelta(days=13))
    assert excinfo.value.field == "end_date"
    assert not Assignment.objects.exists()


def test_create_deadline_after_end_refused_at_deadline(coordinator_a, org_a):
    data = assignment_data()
    with pytest.raises(DomainError) as excinfo:
        create_draft(coordinator_a, org_a, application_deadline=data["end_date"] + timedelta(days=1))
    assert excinfo.value.field == "application_deadline"
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("persona", ["member_a", "hr_a", "coordinator_b", "programme_manager"])
def test_only_coordinators_of_the_organisation_create(request, persona, org_a):
    with pytest.raises(DomainError):
        create_draft(request.getfixturevalue(persona), org_a)
    assert not Assignment.objects.exists()


def test_admin_may_create(admin_user, org_a):
    assert create_draft(admin_user, org_a).organisation == org_a


def test_coordinator_of_another_organisation_cannot_publish(coordinator_a, coordinator_b, org_a):
    draft = create_draft(coordinator_a, org_a)
    with pytest.raises(DomainError):
        services.assignment_publish(actor=coordinator_b, assignment=draft)
    draft.refresh_from_db()
    assert draft.status == Assignment.Status.DRAFT


def test_publish_twice_refused(coordinator_a, assignment):
    with pytest.raises(DomainError):
        services.assignment_publish(actor=coordinator_a, assignment=assignment)
    assert AuditEntry.objects.filter(action="assignment.publish").count() == 1


def test_publish_with_a_passed_deadline_refused(coordinator_a, org_a):
    draft = AssignmentFactory(organisation=org_a, application_deadline=TODAY() - timedelta(days=1))
    with pytest.raises(DomainError):
        services.assignment_publish(actor=coordinator_a, assignment=draft)
    draft.refresh_from_db()
    assert draft.status == Assignment.Status.DRAFT


def test_close_and_reopen(coordinator_a, member_b, assignment):
    approved_release(member_b)
    services.assignment_close(actor=coordinator_a, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.CLOSED
    assert assignment.closed_at is not None
    with pytest.raises(DomainError):
        apply(member_b, assignment)
    assert not Application.objects.exists()

    services.assignment_reopen(actor=coordinator_a, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.PUBLISHED
    assert apply(member_b, assignment).status == Application.Status.SUBMITTED
    assert list(AuditEntry.objects.filter(action__in=["assignment.close", "assignment.reopen"])
                .order_by("pk").values_list("action", flat=True)) == ["assignment.close", "assignment.reopen"]


def test_expired_assignments_are_closed_by_the_daily_job(org_a):
    expired = AssignmentFactory(organisation=org_a, published=True, application_deadline=TODAY() - timedelta(days=1))
    running = AssignmentFactory(organisation=org_a, published=True)
    assert services.assignments_close_expired() == 1
    expired.refresh_from_db()
    running.refresh_from_db()
    assert expired.status == Assignment.Status.CLOSED
    assert running.status == Assignment.Status.PUBLISHED
    assert AuditEntry.objects.filter(action="assignment.close_expired", target_id=str(expired.pk)).exists()
    assert services.assignments_close_expired() == 0


# --- Editing a published assignment keeps applicants informed -------------------


def test_edit_published_assignment_notifies_open_applicants(
    coordinator_a, org_b, member_b, assignment, run_on_commit
):
    approved_release(member_b)
    withdrawn = new_member(org_b, "ingetrokken@example.nl")
    approved_release(withdrawn)
    apply(member_b, assignment)
    services.application_withdraw(actor=withdrawn, application=apply(withdrawn, assignment))
    mail.outbox.clear()

    with run_on_commit():
        services.assignment_update(
            actor=coordinator_a, assignment=assignment,
            data={"hours_per_week": Decimal("6"), "title": "Adviseur duurzame energie (6 uur)"},
        )

    assignment.refresh_from_db()
    assert assignment.hours_per_week == Decimal("6")
    assert len(notified(member_b, "assignment_changed")) == 1
    assert notified(withdrawn, "assignment_changed") == []
    assert [m.to for m in mail.outbox] == [[member_b.email]]
    entry = AuditEntry.objects.get(action="assignment.update")
    assert sorted(entry.data["fields"]) == ["hours_per_week", "title"]


def test_edit_without_changes_notifies_nobody(coordinator_a, member_b, assignment, run_on_commit):
    approved_release(member_b)
    apply(member_b, assignment)
    with run_on_commit():
        services.assignment_update(actor=coordinator_a, assignment=assignment, data={"title": assignment.title})
    assert notified(member_b, "assignment_changed") == []


def test_edit_by_coordinator_of_another_organisation_refused(coordinator_b, assignment):
    with pytest.raises(DomainError):
        services.assignment_update(actor=coordinator_b, assignment=assignment, data={"title": "Gekaapt"})
    assignment.refresh_from_db()
    assert assignment.title == "Adviseur duurzame energie"


def test_edit_cancelled_assignment_refused(coordinator_a, assignment):
    services.assignment_cancel(actor=coordinator_a, assignment=assignment)
    with pytest.raises(DomainError):
        services.assignment_update(actor=coordinator_a, assignment=assignment, data={"title": "Nieuw"})


# --- Cancelling ----------------------------------------------------------------


def test_cancel_rejects_and_notifies_open_applicants(
    coordinator_a, org_b, member_b, assignment, run_on_commit
):
    approved_release(member_b)
    shortlisted = new_member(org_b, "shortlist@example.nl")
    approved_release(shortlisted)
    withdrawn = new_member(org_b, "weg@example.nl")
    approved_release(withdrawn)
    open_app = apply(member_b, assignment)
    short_app = apply(shortlisted, assignment)
    services.application_shortlist(actor=coordinator_a, application=short_app)
    gone = apply(withdrawn, assignment)
    services.application_withdraw(actor=withdrawn, application=gone)
    mail.outbox.clear()

    with run_on_commit():
        services.assignment_cancel(actor=coordinator_a, assignment=assignment, reason="Budget ingetrokken.")

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.CANCELLED
    for app in (open_app, short_app):
        app.refresh_from_db()
        assert app.status == Application.Status.REJECTED
        assert app.decision_message == "Budget ingetrokken."
        assert app.decided_by == coordinator_a
    gone.refresh_from_db()
    assert gone.status == Application.Status.WITHDRAWN
    assert len(notified(member_b, "assignment_cancelled")) == 1
    assert len(notified(shortlisted, "assignment_cancelled")) == 1
    assert notified(withdrawn, "assignment_cancelled") == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member_b.email, shortlisted.email])
    assert AuditEntry.objects.filter(action="assignment.cancel", actor=coordinator_a).count() == 1

    # A cancelled assignment disappears for the network, not for its coordinators.
    assert assignment not in selectors.assignments_visible_to(member_b)
    assert assignment in selectors.assignments_visible_to(coordinator_a)


def test_cancel_filled_assignment_refused(coordinator_a, member_b, assignment):
    approved_release(member_b)
    services.application_accept(actor=coordinator_a, application=apply(member_b, assignment))
    with pytest.raises(DomainError):
        services.assignment_cancel(actor=coordinator_a, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.FILLED


# --- Applying: the bad paths ----------------------------------------------------


def test_apply_twice_refused_one_row(member_b, assignment):
    approved_release(member_b)
    apply(member_b, assignment)
    with pytest.raises(DomainError) as excinfo:
        apply(member_b, assignment, motivation="Nog een keer.")
    with translation.override("nl"):
        assert str(excinfo.value.message) == gettext("You have already applied to this assignment.")
    assert Application.objects.filter(assignment=assignment, member=member_b.profile).count() == 1
    assert AuditEntry.objects.filter(action="application.submit").count() == 1


def test_apply_after_the_deadline_refused(member_b, org_a):
    late = AssignmentFactory(
        organisation=org_a, published=True, application_deadline=TODAY() - timedelta(days=1),
    )
    approved_release(member_b)
    with pytest.raises(DomainError):
        apply(member_b, late)
    assert not Application.objects.exists()


def test_apply_on_the_deadline_day_is_allowed(member_b, org_a):
    approved_release(member_b)
    today = AssignmentFactory(organisation=org_a, published=True, application_deadline=TODAY())
    assert apply(member_b, today).status == Application.Status.SUBMITTED


@pytest.mark.parametrize("trait", ["draft", "cancelled"])
def test_apply_to_a_draft_or_cancelled_assignment_refused(member_b, org_a, trait):
    approved_release(member_b)
    target = AssignmentFactory(organisation=org_a, **({"cancelled": True} if trait == "cancelled" else {}))
    with pytest.raises(DomainError):
        apply(member_b, target)
    assert not Application.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator_b", "hr_b", "programme_manager"])
def test_only_members_apply(request, persona, assignment):
    with pytest.raises(DomainError):
        apply(request.getfixturevalue(persona), assignment)
    assert not Application.objects.exists()


def test_zzp_rate_above_the_ceiling_needs_a_note(org_b, assignment):
    zzp = MemberProfileFactory(zzp=True, home_organisation=org_b)
    approved_release(zzp, variant=Release.Variant.ZZP)

    with pytest.raises(DomainError) as excinfo:
        apply(zzp.user, assignment, proposed_rate=Decimal("120.00"))
    assert excinfo.value.field == "rate_note"
    with pytest.raises(DomainError) as excinfo:
        apply(zzp.user, assignment, proposed_rate=Decimal("120.00"), rate_note="   ")
    assert excinfo.value.field == "rate_note"
    assert not Application.objects.exists()

    application = apply(zzp.user, assignment, proposed_rate=Decimal("120.00"),
                        rate_note="Specialistische kennis van warmtenetten.")
    assert application.proposed_rate == Decimal("120.00")


def test_zzp_member_must_propose_a_rate(org_b, assignment):
    zzp = MemberProfileFactory(zzp=True, home_organisation=org_b)
    approved_release(zzp, variant=Release.Variant.ZZP)
    with pytest.raises(DomainError) as excinfo:
        apply(zzp.user, assignment)
    assert excinfo.value.field == "proposed_rate"
    assert not Application.objects.exists()


# --- Release warning --------------------------------------------------------------


def test_release_warning_when_hours_left_do_not_cover_the_assignment(coordinator_a, org_a, member_b):
    big = publish(create_draft(coordinator_a, org_a, hours_per_week=Decimal("12")), coordinator_a)
    small = publish(create_draft(coordinator_a, org_a, hours_per_week=Decimal("8")), coordinator_a)

    # No release at all: nothing left.
    assert services.application_release_warning(member_id=member_b.profile.pk, assignment=small)

    approved_release(member_b, days_per_week="1.0")  # 8 hours a week
    assert services.application_release_warning(member_id=member_b.profile.pk, assignment=small) is None
    warning = services.application_release_warning(member_id=member_b.profile.pk, assignment=big)
    assert warning and "8" in warning and "12" in warning

    # An engagement of 4 hours in the same period leaves 4.
    EngagementFactory(member=member_b.profile, hours_per_week=Decimal("4"),
                      start_date=small.start_date, end_date=small.end_date)
    assert services.application_release_warning(member_id=member_b.profile.pk, assignment=small)
    assert selectors.hours_left(member_b.profile, small.start_date, small.end_date) == Decimal("4")

    # It is a warning, not a refusal: applying still works.
    assert apply(member_b, big).status == Application.Status.SUBMITTED


# --- Withdrawing ------------------------------------------------------------------


def test_withdraw_while_open(member_b, assignment):
    approved_release(member_b)
    application = apply(member_b, assignment)
    services.application_withdraw(actor=member_b, application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert AuditEntry.objects.filter(action="application.withdraw", actor=member_b).count() == 1


def test_withdraw_after_acceptance_refused(coordinator_a, member_b, assignment):
    approved_release(member_b)
    application = apply(member_b, assignment)
    services.application_accept(actor=coordinator_a, application=application)
    with pytest.raises(DomainError):
        services.application_withdraw(actor=member_b, application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert Engagement.objects.filter(application=application).exists()


def test_withdraw_someone_elses_application_refused(member_a, member_b, assignment):
    approved_release(member_b)
    application = apply(member_b, assignment)
    with pytest.raises(DomainError):
        services.application_withdraw(actor=member_a, application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


# --- Selecting: the bad paths ---------------------------------------------------


def test_accept_more_people_than_asked_refused(coordinator_a, org_b, member_b, assignment):
    """One position: once it is filled, the next acceptance is refused and
    no second engagement appears."""
    approved_release(member_b)
    second = new_member(org_b, "tweede@example.nl")
    approved_release(second)
    first_app, second_app = apply(member_b, assignment), apply(second, assignment)
    services.application_accept(actor=coordinator_a, application=first_app)

    with pytest.raises(DomainError):
        services.application_accept(actor=coordinator_a, application=second_app)
    assert Engagement.objects.filter(assignment=assignment).count() == 1


def test_positions_cannot_drop_below_the_people_already_accepted(coordinator_a, org_a, org_b, member_b):
    """Three positions, two accepted, lowered to one: refused at the field,
    nothing changes, nobody is told anything."""
    assignment = publish(create_draft(coordinator_a, org_a, positions=3), coordinator_a)
    approved_release(member_b)
    second = new_member(org_b, "tweede@example.nl")
    approved_release(second)
    services.application_accept(actor=coordinator_a, application=apply(member_b, assignment))
    services.application_accept(actor=coordinator_a, application=apply(second, assignment))

    with pytest.raises(DomainError) as excinfo:
        services.assignment_update(actor=coordinator_a, assignment=assignment, data={"positions": 1})
    assert excinfo.value.field == "positions"
    assignment.refresh_from_db()
    assert assignment.positions == 3
    assert assignment.status == Assignment.Status.PUBLISHED


def test_lowering_positions_to_the_accepted_count_rejects_the_waiting_applicants(
    coordinator_a, org_a, org_b, member_b
):
    assignment = publish(create_draft(coordinator_a, org_a, positions=2), coordinator_a)
    approved_release(member_b)
    second = new_member(org_b, "tweede@example.nl")
    approved_release(second)
    first_app, second_app = apply(member_b, assignment), apply(second, assignment)
    services.application_accept(actor=coordinator_a, application=first_app)
    services.assignment_update(actor=coordinator_a, assignment=assignment, data={"positions": 1})

    with pytest.raises(DomainError):
        services.application_accept(actor=coordinator_a, application=second_app)
    assert Engagement.objects.filter(assignment=assignment).count() == 1
    second_app.refresh_from_db()
    assert second_app.status == Application.Status.REJECTED


def test_lowering_positions_to_the_accepted_count_fills_the_assignment_or_is_refused(
    coordinator_a, org_a, org_b, member_b
):
    """Two positions, one accepted, then lowered to one: the assignment is
    full, so it must not stay open for applications nobody can accept."""
    assignment = publish(create_draft(coordinator_a, org_a, positions=2), coordinator_a)
    approved_release(member_b)
    services.application_accept(actor=coordinator_a, application=apply(member_b, assignment))
    try:
        services.assignment_update(actor=coordinator_a, assignment=assignment, data={"positions": 1})
    except DomainError:
        assignment.refresh_from_db()
        assert assignment.positions == 2
    else:
        assignment.refresh_from_db()
        assert assignment.status == Assignment.Status.FILLED


def test_accept_beyond_the_members_release_refused(coordinator_a, org_a, member_b):
    approved_release(member_b, days_per_week="1.0")  # 8 hours
    big = publish(create_draft(coordinator_a, org_a, hours_per_week=Decimal("12")), coordinator_a)
    application = apply(member_b, big)  # allowed, with a warning

    with pytest.raises(DomainError):
        services.application_accept(actor=coordinator_a, application=application)
    assert not Engagement.objects.exists()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_accept_refused_when_other_engagements_use_up_the_release(coordinator_a, member_b, assignment):
    approved_release(member_b, days_per_week="1.0")
    EngagementFactory(member=member_b.profile, hours_per_week=Decimal("4"),
                      start_date=assignment.start_date, end_date=assignment.end_date)
    application = apply(member_b, assignment)  # needs 8, 4 left
    with pytest.raises(DomainError):
        services.application_accept(actor=coordinator_a, application=application)
    assert Engagement.objects.count() == 1


def test_accept_without_an_approved_release_refused(coordinator_a, member_b, assignment):
    application = apply(member_b, assignment)
    with pytest.raises(DomainError):
        services.application_accept(actor=coordinator_a, application=application)
    assert not Engagement.objects.exists()


def test_accept_with_vat_exemption_needs_the_legal_ground(coordinator_a, member_b, assignment):
    approved_release(member_b)
    application = apply(member_b, assignment)
    with pytest.raises(DomainError) as excinfo:
        services.application_accept(
            actor=coordinator_a, application=application, vat_treatment=Engagement.VatTreatment.EXEMPT,
        )
    assert excinfo.value.field == "vat_exemption_reason"
    assert not Engagement.objects.exists()


def test_reject_without_a_message_refused(coordinator_a, member_b, assignment):
    approved_release(member_b)
    application = apply(member_b, assignment)
    for message in ("", "   "):
        with pytest.raises(DomainError) as excinfo:
            services.application_reject(actor=coordinator_a, application=application, message=message)
        assert excinfo.value.field == "message"
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_reject_with_a_message_tells_the_applicant(coordinator_a, member_b, assignment, run_on_commit):
    approved_release(member_b)
    application = apply(member_b, assignment)
    mail.outbox.clear()
    with run_on_commit():
        services.application_reject(actor=coordinator_a, application=application, message="  Te weinig ervaring.  ")
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.decision_message == "Te weinig ervaring."
    assert application.decided_by == coordinator_a
    assert len(notified(member_b, "application_status")) == 1
    assert [m.to for m in mail.outbox] == [[member_b.email]]
    # Decided: no second decision, no withdrawal.
    with pytest.raises(DomainError):
        services.application_accept(actor=coordinator_a, application=application)
    with pytest.raises(DomainError):
        services.application_withdraw(actor=member_b, application=application)


def test_shortlist_only_new_applications(coordinator_a, member_b, assignment):
    approved_release(member_b)
    application = apply(member_b, assignment)
    services.application_shortlist(actor=coordinator_a, application=application)
    with pytest.raises(DomainError):
        services.application_shortlist(actor=coordinator_a, application=application)


@pytest.mark.parametrize("persona", ["coordinator_b", "member_a", "member_b", "hr_a", "programme_manager"])
@pytest.mark.parametrize("action", ["shortlist", "reject", "accept"])
def test_only_coordinators_of_the_hiring_organisation_decide(request, persona, action, member_b, assignment):
    approved_release(member_b)
    application = apply(member_b, assignment)
    actor = request.getfixturevalue(persona)
    with pytest.raises(DomainError):
        if action == "shortlist":
            services.application_shortlist(actor=actor, application=application)
        elif action == "reject":
            services.application_reject(actor=actor, application=application, message="Nee.")
        else:
            services.application_accept(actor=actor, application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("action", ["close", "cancel", "update"])
def test_coordinator_of_another_organisation_cannot_manage(coordinator_b, assignment, action):
    with pytest.raises(DomainError):
        if action == "close":
            services.assignment_close(actor=coordinator_b, assignment=assignment)
        elif action == "cancel":
            services.assignment_cancel(actor=coordinator_b, assignment=assignment)
        else:
            services.assignment_update(actor=coordinator_b, assignment=assignment, data={"positions": 3})
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.PUBLISHED
    assert assignment.positions == 1


# --- Invitations to apply (proactive matching) --------------------------------


def test_invitation_notifies_the_member_and_applying_marks_it(
    coordinator_a, member_b, assignment, run_on_commit
):
    approved_release(member_b)
    mail.outbox.clear()
    with run_on_commit():
        invitation = services.assignment_invite(
            actor=coordinator_a, assignment=assignment, member=member_b.profile, message="Iets voor jou?",
        )
    assert invitation.status == AssignmentInvitation.Status.OPEN
    assert invitation.source == Source.INVITATION
    assert invitation.invited_by == coordinator_a
    assert len(notified(member_b, "invitation")) == 1
    assert [m.to for m in mail.outbox] == [[member_b.email]]
    assert invitation in selectors.assignment_invitations_visible_to(member_b)
    assert AuditEntry.objects.filter(action="assignment.invite", actor=coordinator_a).exists()

    application = apply(member_b, assignment)
    assert application.source == Source.INVITATION
    invitation.refresh_from_db()
    assert invitation.status == AssignmentInvitation.Status.APPLIED

    # The engagement remembers where the match came from.
    engagement = services.application_accept(actor=coordinator_a, application=application)
    assert engagement.source == Source.INVITATION


def test_invitation_from_an_offer_counts_as_offer(coordinator_a, member_b, assignment):
    approved_release(member_b)
    offer = OfferFactory(member=member_b.profile)
    invitation = services.assignment_invite(
        actor=coordinator_a, assignment=assignment, member=member_b.profile, offer=offer,
    )
    assert invitation.source == Source.OFFER
    assert apply(member_b, assignment).source == Source.OFFER


def test_invite_twice_refused(coordinator_a, member_b, assignment):
    services.assignment_invite(actor=coordinator_a, assignment=assignment, member=member_b.profile)
    with pytest.raises(DomainError):
        services.assignment_invite(actor=coordinator_a, assignment=assignment, member=member_b.profile)
    assert AssignmentInvitation.objects.count() == 1


def test_invite_someone_who_already_applied_refused(coordinator_a, member_b, assignment):
    apply(member_b, assignment)
    with pytest.raises(DomainError):
        services.assignment_invite(actor=coordinator_a, assignment=assignment, member=member_b.profile)
    assert not AssignmentInvitation.objects.exists()


def test_invite_to_a_draft_refused(coordinator_a, org_a, member_b):
    draft = create_draft(coordinator_a, org_a)
    with pytest.raises(DomainError):
        services.assignment_invite(actor=coordinator_a, assignment=draft, member=member_b.profile)
    assert not AssignmentInvitation.objects.exists()


def test_invite_by_coordinator_of_another_organisation_refused(coordinator_b, member_b, assignment):
    with pytest.raises(DomainError):
        services.assignment_invite(actor=coordinator_b, assignment=assignment, member=member_b.profile)
    assert not AssignmentInvitation.objects.exists()


def test_decline_an_invitation(coordinator_a, member_a, member_b, assignment):
    invitation = services.assignment_invite(actor=coordinator_a, assignment=assignment, member=member_b.profile)
    with pytest.raises(DomainError):
        services.assignment_invitation_decline(actor=member_a, invitation=invitation)
    services.assignment_invitation_decline(actor=member_b, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == AssignmentInvitation.Status.DECLINED
    with pytest.raises(DomainError):
        services.assignment_invitation_decline(actor=member_b, invitation=invitation)


# --- Offers ----------------------------------------------------------------------


def offer_data(**overrides):
    data = {
        "title": "Projectleiding energietransitie",
        "description": "Ik begeleid gemeenten bij warmtevisies en wijkuitvoeringsplannen.",
        "hours_per_week": Decimal("8"),
        "available_from": TODAY(),
        "available_until": TODAY() + timedelta(days=90),
        "work_mode": "remote",
    }
    data.update(overrides)
    return data


def test_offer_save_publish_edit_and_withdraw(member_a, member_b, coordinator_b):
    skill = SkillFactory(name="Energietransitie")
    offer = services.offer_save(actor=member_a, data=offer_data(), skills=[skill])
    assert offer.status == Offer.Status.PUBLISHED
    assert offer.member == member_a.profile
    assert list(offer.skills.all()) == [skill]
    assert offer in selectors.offers_visible_to(coordinator_b)

    services.offer_save(actor=member_a, offer=offer, data=offer_data(hours_per_week=Decimal("12")), skills=[])
    offer.refresh_from_db()
    assert offer.hours_per_week == Decimal("12")
    assert not offer.skills.exists()

    with pytest.raises(DomainError):
        services.offer_save(actor=member_b, offer=offer, data=offer_data(title="Overgenomen"))
    with pytest.raises(DomainError):
        services.offer_withdraw(actor=member_b, offer=offer)

    services.offer_withdraw(actor=member_a, offer=offer)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    assert offer.title == "Projectleiding energietransitie"
    assert offer not in selectors.offers_visible_to(coordinator_b)
    assert offer in selectors.offers_visible_to(member_a)  # the author still sees it
    with pytest.raises(DomainError):
        services.offer_withdraw(actor=member_a, offer=offer)

    assert list(AuditEntry.objects.filter(target_id=str(offer.pk), action__startswith="offer.")
                .order_by("pk").values_list("action", flat=True)) == ["offer.save", "offer.save", "offer.withdraw"]


def test_offer_until_before_from_refused_at_field(member_a):
    with pytest.raises(DomainError) as excinfo:
        services.offer_save(actor=member_a, data=offer_data(available_until=TODAY() - timedelta(days=1)))
    assert excinfo.value.field == "available_until"
    assert not Offer.objects.exists()


def test_only_members_publish_offers(coordinator_a):
    with pytest.raises(DomainError):
        services.offer_save(actor=coordinator_a, data=offer_data())
    assert not Offer.objects.exists()


# --- Full-text search (Dutch) ----------------------------------------------------


def _search(qs, words):
    return qs.filter(search_vector=SearchQuery(words, config="dutch"))


def test_published_assignment_found_by_a_stemmed_dutch_word(member_b, assignment):
    """The title says "duurzame"; a member types "duurzaam". The trigger
    filled search_vector on insert."""
    visible = selectors.assignments_visible_to(member_b)
    assert list(_search(visible, "duurzaam")) == [assignment]
    assert list(_search(visible, "energiestrategie")) == [assignment]  # from the description
    assert list(_search(visible, "tilburg")) == [assignment]  # the place
    assert list(_search(visible, "zwembad")) == []


def test_search_vector_follows_an_edit(coordinator_a, member_b, assignment):
    services.assignment_update(actor=coordinator_a, assignment=assignment, data={"title": "Jurist aanbestedingen"})
    visible = selectors.assignments_visible_to(member_b)
    assert list(_search(visible, "aanbesteding")) == [assignment]
    assert list(_search(visible, "duurzaam")) == []  # the old title is gone from the vector


def test_offer_found_by_a_stemmed_dutch_word(member_a, coordinator_b):
    offer = services.offer_save(actor=member_a, data=offer_data())
    visible = selectors.offers_visible_to(coordinator_b)
    assert list(_search(visible, "gemeente")) == [offer]  # the text says "gemeenten"
    assert list(_search(visible, "zwembad")) == []


# --- Notifications in the recipient's language ----------------------------------


def test_notifications_are_written_in_each_recipients_language(coordinator_a, org_b, member_b, assignment, run_on_commit):
    english = new_member(org_b, "english@example.nl", language="en")
    for user in (member_b, english):
        approved_release(user)
    apps = [apply(user, assignment) for user in (member_b, english)]
    mail.outbox.clear()
    with run_on_commit():
        for app in apps:
            services.application_shortlist(actor=coordinator_a, application=app)

    [en] = notified(english, "application_status")
    [nl] = notified(member_b, "application_status")
    assert en.message == f"You are on the shortlist for “{assignment.title}”."
    assert nl.message != en.message and assignment.title in nl.message  # Dutch
    assert en.url == nl.url.replace(str(apps[0].pk), str(apps[1].pk))
    [en_mail] = mailed_to(english)
    assert en.message in en_mail.body and "Hello" in en_mail.body
