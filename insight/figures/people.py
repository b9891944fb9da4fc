"""People and hours, and training: figures about members by their home
organisation.

Scope X (``Scope.organisation_id``) means: members whose home organisation
(``MemberProfile.home_organisation``) is X. Each figure is one or two
aggregate queries; the Python below only loops over the aggregated rows (at
most one per organisation or per training track).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from insight.figures.base import CENT, NO_DATA, Chart, Column, Figure, Headline, Period, Scope, ratio
from invoicing.models import Timesheet
from members.models import Release
from training.models import Completion, Enrolment, Module

ZERO = Decimal("0")


# --- Helpers ------------------------------------------------------------------


def _day_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as aware datetimes ``[start 00:00, day after end 00:00)`` in
    the site's time zone (Europe/Amsterdam), so a timestamp counts by its
    local date and the comparison can use a plain index on the column."""
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(period.start, time.min), tz),
        timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min), tz),
    )


def _member_scope(scope: Scope) -> Q:
    """Rows (with a ``member`` foreign key) of members whose home
    organisation is the scope's organisation; everything for the province."""
    if scope.province_wide:
        return Q()
    return Q(member__home_organisation_id=scope.organisation_id)


def _overlapping_releases(scope: Scope):
    period = scope.period
    return Release.objects.filter(
        _member_scope(scope),
        status=Release.Status.APPROVED,
        start_date__lte=period.end,
        end_date__gte=period.start,
    )


# --- Participants ---------------------------------------------------------------


def participants(scope: Scope) -> Figure:
    """Members with an approved release overlapping the period, per home
    organisation and variant (one query)."""
    aggregated = (
        _overlapping_releases(scope)
        .values(organisation=F("member__home_organisation__name"))
        .annotate(
            zpp=Count("member", distinct=True, filter=Q(variant=Release.Variant.ZPP)),
            zzp=Count("member", distinct=True, filter=Q(variant=Release.Variant.ZZP)),
            total=Count("member", distinct=True),
        )
        .order_by("organisation")
    )
    rows = [[row["organisation"], row["zpp"], row["zzp"], row["total"]] for row in aggregated]
    # A member has one home organisation, so the per-organisation distinct
    # counts add up to the distinct count over the scope.
    total = sum(row[3] for row in rows)
    zpp = sum(row[1] for row in rows)
    zzp = sum(row[2] for row in rows)
    return Figure(
        key="participants",
        title=_("Participants"),
        definition=_(
            "Members with an approved release whose period (from–until) overlaps the selected period, "
            "per home organisation. A member with releases of both variants in the period counts under "
            "ZPP and under ZZP, but once in the total."
        ),
        columns=[
            Column("organisation", _("Home organisation"), "text"),
            Column("zpp", _("ZPP"), "int"),
            Column("zzp", _("ZZP"), "int"),
            Column("total", _("Total"), "int"),
        ],
        rows=rows,
        headlines=[
            Headline(_("Participants"), total, "int"),
            Headline(_("ZPP"), zpp, "int"),
            Headline(_("ZZP"), zzp, "int"),
        ],
        chart=Chart("stacked", label="organisation", values=("zpp", "zzp"), unit="int"),
        empty_text=str(NO_DATA),
    )


# --- Utilisation ----------------------------------------------------------------


# One statement: released hours from the releases, hours worked from the
# time entries, both per home organisation. Hours worked are summed per
# member first, so the 100,000-row side joins the profiles once per member,
# not once per entry. ``{members}`` / ``{entries}`` are empty for the
# province or one of the constant filters below — never data.
_UTILISATION_SQL = """
WITH released AS (
    SELECT p.home_organisation_id AS organisation_id,
           SUM(r.days_per_week * %(hours_per_day)s
               * (LEAST(r.end_date, %(end)s) - GREATEST(r.start_date, %(start)s) + 1)) AS released_times_7
    FROM members_release r
    JOIN members_memberprofile p ON p.id = r.member_id
    WHERE r.status = %(release_approved)s
      AND r.start_date <= %(end)s AND r.end_date >= %(start)s {members}
    GROUP BY p.home_organisation_id
), worked_per_member AS (
    SELECT te.member_id, SUM(te.hours) AS hours
    FROM invoicing_timeentry te
    JOIN invoicing_timesheet ts ON ts.id = te.timesheet_id
    WHERE ts.status = %(timesheet_approved)s
      AND te.date BETWEEN %(start)s AND %(end)s {entries}
    GROUP BY te.member_id
), worked AS (
    SELECT p.home_organisation_id AS organisation_id, SUM(w.hours) AS hours
    FROM worked_per_member w
    JOIN members_memberprofile p ON p.id = w.member_id
    GROUP BY p.home_organisation_id
)
SELECT o.name, COALESCE(r.released_times_7, 0), COALESCE(w.hours, 0)
FROM members_organisation o
LEFT JOIN released r ON r.organisation_id = o.id
LEFT JOIN worked w ON w.organisation_id = o.id
WHERE r.organisation_id IS NOT NULL OR w.organisation_id IS NOT NULL
ORDER BY o.name
"""
_UTILISATION_ORGANISATION_FILTERS = {
    "members": "AND p.home_organisation_id = %(organisation)s",
    "entries": "AND te.member_id IN "
               "(SELECT id FROM members_memberprofile WHERE home_organisation_id = %(organisation)s)",
}


def utilisation(scope: Scope) -> Figure:
    """Released hours against hours actually worked, per home organisation
    (one query)."""
    period = scope.period
    filters = {"members": "", "entries": ""} if scope.province_wide else _UTILISATION_ORGANISATION_FILTERS
    with connection.cursor() as cursor:
        cursor.execute(
            _UTILISATION_SQL.format(**filters),
            {
                "start": period.start,
                "end": period.end,
                "hours_per_day": Decimal(str(settings.HOURS_PER_RELEASED_DAY)),
                "release_approved": Release.Status.APPROVED.value,
                "timesheet_approved": Timesheet.Status.APPROVED.value,
                "organisation": scope.organisation_id,
            },
        )
        aggregated = cursor.fetchall()

    # released_times_7 = Σ days/week × hours/day × overlap days; ÷ 7 once per
    # organisation, to the cent (half up).
    rows = []
    for name, released_times_7, worked in aggregated:
        released = (Decimal(released_times_7) / 7).quantize(CENT, rounding=ROUND_HALF_UP)
        rows.append([name, released, Decimal(worked), ratio(worked, released)])
    released_total = sum((row[1] for row in rows), ZERO)
    worked_total = sum((row[2] for row in rows), ZERO)
    return Figure(
        key="utilisation",
        title=_("Utilisation of released hours"),
        definition=_(
            "Released hours: for every approved release that overlaps the period, days per week × "
            "%(hours)s hours × the calendar days it overlaps the period (both ends included) ÷ 7. "
            "Hours worked: all hours the organisation's members logged on dates in the period on "
            "approved timesheets, for any engagement, also when their release lies outside the period. "
            "Utilisation = hours worked ÷ released hours."
        ) % {"hours": settings.HOURS_PER_RELEASED_DAY},
        columns=[
            Column("organisation", _("Home organisation"), "text"),
            Column("released", _("Released hours"), "hours"),
            Column("worked", _("Hours worked"), "hours"),
            Column("utilisation", _("Utilisation"), "percent"),
        ],
        rows=rows,
        headlines=[
            Headline(_("Utilisation"), ratio(worked_total, released_total), "percent"),
            Headline(_("Released hours"), released_total, "hours"),
            Headline(_("Hours worked"), worked_total, "hours"),
        ],
        chart=Chart("bar", label="organisation", values=("released", "worked"), unit="hours"),
        empty_text=str(NO_DATA),
    )


# --- Training -------------------------------------------------------------------


def training(scope: Scope) -> Figure:
    """Enrolments, completions and waiting lists per training track (two
    queries: enrolments, completions)."""
    period = scope.period
    since, until = _day_bounds(period)
    made_in_period = Q(created_at__gte=since, created_at__lt=until) & ~Q(status=Enrolment.Status.CANCELLED)
    waiting_in_period = Q(
        status=Enrolment.Status.WAITING, session__starts_at__gte=since, session__starts_at__lt=until
    )
    enrolments = (
        Enrolment.objects.filter(_member_scope(scope))
        .filter(made_in_period | waiting_in_period)
        .values(track=F("session__module__track"))
        .annotate(
            enrolments=Count("pk", filter=made_in_period),
            waiting=Count("pk", filter=waiting_in_period),
        )
        .order_by()
    )
    completions = (
        Completion.objects.filter(_member_scope(scope), completed_on__range=(period.start, period.end))
        .values(track=F("module__track"))
        .annotate(completions=Count("pk"))
        .order_by()
    )
    enrolled = {row["track"]: row for row in enrolments}
    completed = {row["track"]: row["completions"] for row in completions}

    rows = []
    for track in Module.Track:
        made = enrolled.get(track.value, {}).get("enrolments", 0)
        waiting = enrolled.get(track.value, {}).get("waiting", 0)
        done = completed.get(track.value, 0)
        rows.append([str(track.label), made, done, waiting, ratio(done, made)])
    return Figure(
        key="training",
        title=_("Training"),
        definition=_(
            "Per track: enrolments made in the period (by enrolment date, every status except cancelled, "
            "waiting list included); modules completed in the period (by completion date); members on the "
            "waiting list now for sessions that start in the period; and completions as a share of "
            "enrolments in the same period."
        ),
        columns=[
            Column("track", _("Track"), "text"),
            Column("enrolments", _("Enrolments"), "int"),
            Column("completions", _("Completions"), "int"),
            Column("waiting", _("On the waiting list"), "int"),
            Column("completion_rate", _("Completions per enrolment"), "percent"),
        ],
        rows=rows,
        headlines=[
            Headline(_("Enrolments"), sum(row[1] for row in rows), "int"),
            Headline(_("Completions"), sum(row[2] for row in rows), "int"),
            Headline(_("On the waiting list"), sum(row[3] for row in rows), "int"),
        ],
        chart=Chart("bar", label="track", values=("enrolments", "completions"), unit="int"),
        empty_text=str(NO_DATA),
    )
