"""Logging, submitting and deciding hours (services.week_save and friends):
the rules of the week grid, each refused with a message at its field and
nothing saved."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.utils import translation
from django.core import mail

from invoicing import selectors, services
from invoicing.models import TimeEntry, Timesheet
from members.errors import DomainError
from members.models import AuditEntry, Notification
from tests.factories import EngagementFactory, approved_release

MONDAY = date(2026, 10, 5)


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in their English source text."""
    with translation.override("en"):
        yield
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def release(member_a):
    """Two released days: 16 hours a week."""
    return approved_release(member_a, days_per_week="2.0", start_date=date(2026, 9, 1), days=365)


@pytest.fixture
def engagement(member_a, org_b, release):
    return EngagementFactory(
        member=member_a.profile, hiring_organisation=org_b, start_date=date(2026, 10, 1), end_date=date(2026, 12, 31)
    )


def save(engagement, actor, hours_by_day, week_start=MONDAY):
    return services.week_save(
        actor=actor, engagement=engagement, week_start=week_start,
        days={day: (hours, "Werk") for day, hours in hours_by_day.items()},
    )


def refused(engagement, actor, hours_by_day, week_start=MONDAY) -> DomainError:
    with pytest.raises(DomainError) as info:
        save(engagement, actor, hours_by_day, week_start)
    return info.value


def hours_of(engagement):
    return dict(TimeEntry.objects.filter(engagement=engagement).values_list("date", "hours"))


def test_member_saves_a_week_and_corrects_it(engagement, member_a):
    timesheet = save(engagement, member_a, {MONDAY: D("8"), TUESDAY: "4.75"})
    assert timesheet.status == Timesheet.Status.DRAFT
    assert hours_of(engagement) == {MONDAY: D("8.00"), TUESDAY: D("4.75")}
    save(engagement, member_a, {MONDAY: D("6.5"), TUESDAY: None})  # None clears the day
    assert hours_of(engagement) == {MONDAY: D("6.50")}
    assert AuditEntry.objects.filter(action="timesheet.save", actor=member_a).count() == 2


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (D("-2"), "negative"),
        (D("25"), "at most 24 hours"),
        (D("7.3"), "quarter-hour"),
        ("acht", "number"),
    ],
)
def test_bad_hours_are_refused_at_the_day(engagement, member_a, hours, message):
    save(engagement, member_a, {MONDAY: D("8")})
    error = refused(engagement, member_a, {MONDAY: D("4"), TUESDAY: hours})
    assert error.field == f"hours_{TUESDAY.isoformat()}"
    assert message in str(error.message)
    assert hours_of(engagement) == {MONDAY: D("8.00")}  # nothing of the refused save


def test_hours_outside_the_engagement_are_refused(member_a, org_b, release):
    engagement = EngagementFactory(
        member=member_a.profile, hiring_organisation=org_b, start_date=date(2026, 10, 7), end_date=date(2026, 12, 31)
    )
    error = refused(engagement, member_a, {MONDAY: D("4"), date(2026, 10, 7): D("4")})
    assert error.field == "hours_2026-10-05"
    assert "outside the engagement" in str(error.message)
    assert hours_of(engagement) == {}


def test_a_day_has_at_most_24_hours_across_engagements(member_a, org_b, org_c):
    approved_release(member_a, days_per_week="3.0", start_date=date(2026, 9, 1), days=365)  # 24 h a week
    first = EngagementFactory(member=member_a.profile, hiring_organisation=org_b,
                              start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    second = EngagementFactory(member=member_a.profile, hiring_organisation=org_c,
                               start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    save(first, member_a, {MONDAY: D("16")})
    error = refused(second, member_a, {MONDAY: D("8.25")})
    assert error.field == f"hours_{MONDAY.isoformat()}"
    assert "24" in str(error.message)
    assert hours_of(second) == {}
    save(second, member_a, {MONDAY: D("8")})  # exactly 24 is fine
    assert hours_of(second) == {MONDAY: D("8.00")}


def test_the_week_stays_within_the_release_across_engagements(engagement, member_a, org_c):
    other = EngagementFactory(member=member_a.profile, hiring_organisation=org_c,
                              start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    save(engagement, member_a, {MONDAY: D("8"), TUESDAY: D("4")})
    error = refused(other, member_a, {MONDAY + timedelta(days=2): D("4.25")})  # 16.25 > 16
    assert error.field == "__all__"
    assert "16.25" in str(error.message) or "16,25" in str(error.message)
    assert hours_of(other) == {}
    save(other, member_a, {MONDAY + timedelta(days=2): D("4")})  # exactly 16
    # The next week has its own budget.
    save(other, member_a, {MONDAY + timedelta(days=7): D("16")}, week_start=MONDAY + timedelta(days=7))


def test_hours_can_be_reduced_even_when_the_release_shrank(engagement, member_a, release):
    save(engagement, member_a, {MONDAY: D("8"), TUESDAY: D("8")})
    release.days_per_week = D("1.0")  # now 8 hours a week
    release.save()
    error = refused(engagement, member_a, {MONDAY: D("8.25")})
    assert error.field == "__all__"
    save(engagement, member_a, {TUESDAY: D("2")})
    assert hours_of(engagement) == {MONDAY: D("8.00"), TUESDAY: D("2.00")}


def test_no_release_no_hours(member_b, org_a):
    engagement = EngagementFactory(member=member_b.profile, hiring_organisation=org_a,
                                   start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    error = refused(engagement, member_b, {MONDAY: D("1")})
    assert error.field == "__all__"
    assert "no approved release" in str(error.message)
    assert not Timesheet.objects.exists()


def test_only_the_engagements_member_logs_hours(engagement, member_b, coordinator_b):
    for person in (member_b, coordinator_b):
        refused(engagement, person, {MONDAY: D("1")})
    assert hours_of(engagement) == {}


def test_week_must_start_on_monday(engagement, member_a):
    assert refused(engagement, member_a, {TUESDAY: D("1")}, week_start=TUESDAY).field == "week_start"
    error = refused(engagement, member_a, {MONDAY + timedelta(days=7): D("1")})
    assert error.field == "hours_2026-10-12"


def test_submitted_and_approved_hours_cannot_be_edited(engagement, member_a, coordinator_b):
    timesheet = save(engagement, member_a, {MONDAY: D("8")})
    services.timesheet_submit(actor=member_a, timesheet=timesheet)
    assert "submitted or approved" in str(refused(engagement, member_a, {MONDAY: D("7")}).message)
    services.timesheet_approve(actor=coordinator_b, timesheet=timesheet)
    refused(engagement, member_a, {MONDAY: D("7")})
    refused(engagement, member_a, {MONDAY: None})
    assert hours_of(engagement) == {MONDAY: D("8.00")}
    with pytest.raises(DomainError):
        services.timesheet_submit(actor=member_a, timesheet=timesheet)
    with pytest.raises(DomainError):
        services.timesheet_reject(actor=coordinator_b, timesheet=timesheet, reason="Toch niet")


def test_reject_correct_resubmit_approve(engagement, member_a, coordinator_b, run_on_commit):
    timesheet = save(engagement, member_a, {MONDAY: D("8"), TUESDAY: D("8")})
    with run_on_commit():
        services.timesheet_submit(actor=member_a, timesheet=timesheet)
    assert Notification.objects.filter(user=coordinator_b, kind="timesheet_submitted").exists()
    assert coordinator_b.email in [m.to[0] for m in mail.outbox]

    with pytest.raises(DomainError) as info:
        services.timesheet_reject(actor=coordinator_b, timesheet=timesheet, reason="  ")
    assert info.value.field == "reason"
    mail.outbox.clear()
    with run_on_commit():
        services.timesheet_reject(actor=coordinator_b, timesheet=timesheet, reason="Dinsdag was een feestdag")
    timesheet.refresh_from_db()
    assert timesheet.status == Timesheet.Status.REJECTED
    note = Notification.objects.get(user=member_a, kind="timesheet_rejected")
    assert "Dinsdag was een feestdag" in note.message
    assert [m.to for m in mail.outbox] == [[member_a.email]]

    save(engagement, member_a, {TUESDAY: None})  # the member corrects ...
    services.timesheet_submit(actor=member_a, timesheet=timesheet)  # ... and resubmits
    assert list(selectors.approval_queue_for(coordinator_b).values_list("pk", "total_hours")) == [
        (timesheet.pk, D("8.00"))
    ]
    services.timesheet_approve(actor=coordinator_b, timesheet=timesheet)
    timesheet.refresh_from_db()
    assert (timesheet.status, timesheet.decided_by, timesheet.rejection_reason) == (
        Timesheet.Status.APPROVED, coordinator_b, ""
    )
    assert Notification.objects.filter(user=member_a, kind="timesheet_approved").exists()
    assert selectors.approval_queue_for(coordinator_b).count() == 0
    assert AuditEntry.objects.filter(
        action__in=["timesheet.submit", "timesheet.reject", "timesheet.approve"]
    ).count() == 4


def test_only_the_hiring_coordinators_decide(engagement, member_a, coordinator_a, hr_b, admin_user):
    timesheet = services.timesheet_submit(actor=member_a, timesheet=save(engagement, member_a, {MONDAY: D("8")}))
    for person in (coordinator_a, hr_b, member_a):
        assert not selectors.can_decide_timesheet(person, timesheet)
        with pytest.raises(DomainError):
            services.timesheet_approve(actor=person, timesheet=timesheet)
        assert selectors.approval_queue_for(person).count() == 0
    assert selectors.can_decide_timesheet(admin_user, timesheet)


def test_timesheet_visibility(engagement, member_a, member_b, coordinator_a, coordinator_b, hr_a, hr_b,
                              programme_manager):
    timesheet = save(engagement, member_a, {MONDAY: D("8")})
    seen = {
        name: selectors.timesheets_visible_to(person).filter(pk=timesheet.pk).exists()
        for name, person in {
            "member_a": member_a, "member_b": member_b, "coordinator_a": coordinator_a,
            "coordinator_b": coordinator_b, "hr_a": hr_a, "hr_b": hr_b, "pm": programme_manager,
        }.items()
    }
    assert seen == {
        "member_a": True, "member_b": False, "coordinator_a": False, "coordinator_b": True,
        "hr_a": True, "hr_b": True, "pm": True,
    }


def test_month_submit_hands_in_every_week_with_hours(engagement, member_a, member_b, coordinator_b):
    first = save(engagement, member_a, {MONDAY: D("8")})
    second = save(engagement, member_a, {date(2026, 10, 26): D("8")}, week_start=date(2026, 10, 26))
    november = save(engagement, member_a, {date(2026, 11, 9): D("8")}, week_start=date(2026, 11, 9))
    with pytest.raises(DomainError):
        services.month_submit(actor=member_b, member=member_a.profile, year=2026, month=10)
    submitted = services.month_submit(actor=member_a, member=member_a.profile, year=2026, month=10)
    assert {t.pk for t in submitted} == {first.pk, second.pk}
    november.refresh_from_db()
    assert november.status == Timesheet.Status.DRAFT
    assert Notification.objects.filter(user=coordinator_b, kind="timesheet_submitted").count() == 1
    with pytest.raises(DomainError) as info:
        services.month_submit(actor=member_a, member=member_a.profile, year=2026, month=10)
    assert info.value.field == "month"


@pytest.fixture
def org_c(db):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name="Waterschap Ceedorp", slug="ceedorp")


def test_approved_hours_elsewhere_count_towards_the_week(engagement, member_a, org_c):
    from tests.factories import TimeEntryFactory

    elsewhere = EngagementFactory(member=member_a.profile, hiring_organisation=org_c,
                                  start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    entry = TimeEntryFactory(
        timesheet__engagement=elsewhere, timesheet__week_start=MONDAY, timesheet__approved=True, hours=D("12")
    )
    assert (entry.date, entry.timesheet.status, entry.member) == (MONDAY, "approved", member_a.profile)
    error = refused(engagement, member_a, {TUESDAY: D("4.25")})  # 12 + 4.25 > 16
    assert error.field == "__all__"
    save(engagement, member_a, {TUESDAY: D("4")})
