"""Assignments and engagements: the marketplace figures.

Scope X (``Scope.organisation_id``):

- ``assignments``, ``cross_organisation``, ``internal_first``: assignments
  and engagements whose *hiring* organisation is X;
- ``proactivity``, ``trend``: engagements where X is the hiring *or* the
  home organisation (and, for hours, time entries of those engagements).

Period rules (``insight.md``): timestamps count by their local date in
Europe/Amsterdam — compared with aware datetimes ``[start 00:00, day after
end 00:00)`` so a plain index on the column can be used; an engagement
"starts" (a position is filled) by its ``created_at``; time entries count
by their ``date`` when their timesheet is approved.

Each figure is one or two aggregate queries; the Python below only loops
over the aggregated rows (at most one per organisation, source or month).
Plain counts are ``Count("*")`` (not ``Count("id")``) so PostgreSQL can
answer them from an index alone (index-only scans on the bench data).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DateField, DurationField, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from insight.figures.base import NO_DATA, Chart, Column, Figure, Headline, Period, Scope, average, ratio
from invoicing.models import TimeEntry, Timesheet
from marketplace.models import Application, Assignment, Engagement, Source

ZERO = Decimal("0")
DAY_MICROSECONDS = Decimal(86_400 * 1_000_000)


# --- Helpers ------------------------------------------------------------------


def _day_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as aware datetimes ``[start 00:00, day after end 00:00)``
    in the site's time zone (Europe/Amsterdam)."""
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(period.start, time.min), tz),
        timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min), tz),
    )


def _in_period(field: str, period: Period) -> Q:
    """``field`` (a datetime) falls on a local date inside the period."""
    start, end = _day_bounds(period)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _hiring_scope(scope: Scope, path: str) -> Q:
    """Rows whose hiring organisation (``path``) is the scope's
    organisation; everything for the province."""
    if scope.province_wide:
        return Q()
    return Q(**{path: scope.organisation_id})


def _either_side_scope(scope: Scope, prefix: str = "") -> Q:
    """Engagements where the scope's organisation hires or lends."""
    if scope.province_wide:
        return Q()
    return Q(**{f"{prefix}hiring_organisation_id": scope.organisation_id}) | Q(
        **{f"{prefix}home_organisation_id": scope.organisation_id}
    )


def _cross(prefix: str = "") -> Q:
    """The engaged member's home organisation is not the hiring one."""
    return ~Q(**{f"{prefix}home_organisation_id": F(f"{prefix}hiring_organisation_id")})


def _days(duration: timedelta | None) -> Decimal:
    """A duration as a (fractional) number of days, exactly."""
    if not duration:
        return ZERO
    return Decimal(duration // timedelta(microseconds=1)) / DAY_MICROSECONDS


def _month_label(month) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


# --- Assignments published, filled, cancelled -------------------------------------


def assignments(scope: Scope) -> Figure:
    period = scope.period
    published = _in_period("published_at", period)
    filled = Q(status=Assignment.Status.FILLED) & _in_period("closed_at", period)
    cancelled = Q(status=Assignment.Status.CANCELLED) & _in_period("closed_at", period)

    per_organisation = (
        Assignment.objects.filter(published | filled | cancelled, _hiring_scope(scope, "organisation_id"))
        .values("organisation_id", "organisation__name")
        .annotate(
            published=Count("id", filter=published),
            filled=Count("id", filter=filled),
            cancelled=Count("id", filter=cancelled),
            time_to_fill=Sum(F("closed_at") - F("published_at"), filter=filled, output_field=DurationField()),
        )
        .order_by("organisation__name", "organisation_id")
    )
    applications = dict(
        Application.objects.filter(
            _in_period("assignment__published_at", period),
            _hiring_scope(scope, "assignment__organisation_id"),
        )
        .values("assignment__organisation_id")
        .annotate(n=Count("*"))
        .values_list("assignment__organisation_id", "n")
    )

    rows, total_published, total_filled, total_days = [], 0, 0, ZERO
    for row in per_organisation:
        days = _days(row["time_to_fill"])
        rows.append([
            row["organisation__name"],
            row["published"],
            row["filled"],
            row["cancelled"],
            average(days, row["filled"]),
            average(applications.get(row["organisation_id"], 0), row["published"]),
        ])
        total_published += row["published"]
        total_filled += row["filled"]
        total_days += days

    return Figure(
        key="assignments",
        title=_("Assignments published, filled and cancelled"),
        definition=_(
            "Per hiring organisation: assignments published in the period (by publication date), and "
            "assignments filled or cancelled in the period (by the date they were closed as filled or "
            "cancelled). Days to fill: from publication to being filled, averaged over the assignments "
            "filled in the period. Applications per assignment: all applications to the assignments "
            "published in the period, divided by the number of those assignments."
        ),
        columns=[
            Column("organisation", _("Hiring organisation"), "text"),
            Column("published", _("Published"), "int"),
            Column("filled", _("Filled"), "int"),
            Column("cancelled", _("Cancelled"), "int"),
            Column("days_to_fill", _("Average days to fill"), "days"),
            Column("applications_per_assignment", _("Applications per assignment"), "decimal"),
        ],
        rows=rows,
        headlines=[
            Headline(_("Published"), total_published, "int"),
            Headline(_("Filled"), total_filled, "int"),
            Headline(_("Average days to fill"), average(total_days, total_filled), "days"),
        ],
        chart=Chart("bar", "organisation", ("published", "filled", "cancelled")),
        empty_text=NO_DATA,
    )


# --- Cross-organisation fill rate -----------------------------------------------


def cross_organisation(scope: Scope) -> Figure:
    per_organisation = (
        Engagement.objects.filter(
            _in_period("created_at", scope.period), _hiring_scope(scope, "hiring_organisation_id")
        )
        .values("hiring_organisation_id", "hiring_organisation__name")
        .annotate(filled=Count("*"), other=Count("id", filter=_cross()))
        .order_by("hiring_organisation__name", "hiring_organisation_id")
    )

    rows, total_filled, total_other = [], 0, 0
    for row in per_organisation:
        filled, other = row["filled"], row["other"]
        rows.append([
            row["hiring_organisation__name"], filled, other, filled - other, ratio(other, filled),
        ])
        total_filled += filled
        total_other += other

    return Figure(
        key="cross_organisation",
        title=_("Cross-organisation fill rate"),
        definition=_(
            "Per hiring organisation: positions filled in the period (engagements by the date the person "
            "was engaged), and how many of them went to a member of another organisation (the member's "
            "home organisation is not the hiring organisation). The rate is that number as a share of all "
            "positions filled."
        ),
        columns=[
            Column("organisation", _("Hiring organisation"), "text"),
            Column("filled", _("Positions filled"), "int"),
            Column("other", _("By another organisation"), "int"),
            Column("own", _("By own organisation"), "int"),
            Column("rate", _("Cross-organisation fill rate"), "percent"),
        ],
        rows=rows,
        headlines=[Headline(_("Cross-organisation fill rate"), ratio(total_other, total_filled), "percent")],
        chart=Chart("stacked", "organisation", ("own", "other")),
        empty_text=NO_DATA,
    )


# --- Internal-first windows -------------------------------------------------------


def internal_first(scope: Scope) -> Figure:
    period = scope.period
    windowed = Q(internal_first_days__gt=0)

    per_organisation = (
        Assignment.objects.filter(
            _in_period("published_at", period), _hiring_scope(scope, "organisation_id")
        )
        .values("organisation_id", "organisation__name")
        .annotate(
            published=Count("*"),
            windowed=Count("id", filter=windowed),
            window_days=Sum("internal_first_days", filter=windowed),
        )
        .order_by("organisation__name", "organisation_id")
    )
    fills = {
        row["assignment__organisation_id"]: row
        for row in Engagement.objects.filter(
            _in_period("assignment__published_at", period),
            _hiring_scope(scope, "assignment__organisation_id"),
            assignment__internal_first_days__gt=0,
        )
        .values("assignment__organisation_id")
        .annotate(filled=Count("*"), own=Count("id", filter=~_cross()))
    }

    rows, total_published, total_windowed = [], 0, 0
    for row in per_organisation:
        fill = fills.get(row["organisation_id"], {})
        rows.append([
            row["organisation__name"],
            row["published"],
            row["windowed"],
            ratio(row["windowed"], row["published"]),
            average(row["window_days"], row["windowed"]),
            fill.get("filled", 0),
            fill.get("own", 0),
        ])
        total_published += row["published"]
        total_windowed += row["windowed"]

    return Figure(
        key="internal_first",
        title=_("Use of internal-first windows"),
        definition=_(
            "Per hiring organisation: assignments published in the period, how many of them were first "
            "shown to the organisation's own members only (an internal-first window of one day or more), "
            "and the average length of those windows. Positions filled: engagements on the assignments "
            "with a window, whenever they were made, and how many of them went to the organisation's own "
            "members."
        ),
        columns=[
            Column("organisation", _("Hiring organisation"), "text"),
            Column("published", _("Published"), "int"),
            Column("windowed", _("With internal-first window"), "int"),
            Column("share", _("Share with window"), "percent"),
            Column("window_days", _("Average window (days)"), "days"),
            Column("filled", _("Positions filled with window"), "int"),
            Column("own", _("Of which own organisation"), "int"),
        ],
        rows=rows,
        headlines=[
            Headline(_("Assignments with an internal-first window"), ratio(total_windowed, total_published),
                     "percent"),
        ],
        chart=Chart("bar", "organisation", ("share",), unit="percent"),
        empty_text=NO_DATA,
    )


# --- Proactivity -----------------------------------------------------------------


def proactivity(scope: Scope) -> Figure:
    counts = dict(
        Engagement.objects.filter(_in_period("created_at", scope.period), _either_side_scope(scope))
        .values("source")
        .annotate(n=Count("*"))
        .values_list("source", "n")
    )
    total = sum(counts.values())
    rows = [
        [str(source.label), counts.get(source.value, 0), ratio(counts.get(source.value, 0), total)]
        for source in Source
    ]
    proactive = total - counts.get(Source.APPLICATION, 0)

    return Figure(
        key="proactivity",
        title=_("Proactivity: how engagements came about"),
        definition=_(
            "Engagements made in the period (by the date the person was engaged), by how the member and the "
            "work found each other. Proactive: everything except a plain application — an invitation by a "
            "coordinator, a response to the member's own offer, or a match suggestion. For one organisation: "
            "engagements in which it is the hiring or the home organisation."
        ),
        columns=[
            Column("source", _("Came from"), "text"),
            Column("engagements", _("Engagements"), "int"),
            Column("share", _("Share"), "percent"),
        ],
        rows=rows,
        headlines=[Headline(_("Proactive share"), ratio(proactive, total), "percent")],
        chart=Chart("bar", "source", ("engagements",)),
        empty_text=NO_DATA,
    )


# --- Trend per month --------------------------------------------------------------


def trend(scope: Scope) -> Figure:
    period = scope.period
    tz = timezone.get_default_timezone()

    engagements = {
        row["month"]: row
        for row in Engagement.objects.filter(_in_period("created_at", period), _either_side_scope(scope))
        .annotate(month=TruncMonth("created_at", output_field=DateField(), tzinfo=tz))
        .values("month")
        .annotate(
            started=Count("*"),
            other=Count("id", filter=_cross()),
            proactive=Count("id", filter=~Q(source=Source.APPLICATION)),
        )
        .order_by()
    }
    hours = dict(
        TimeEntry.objects.filter(
            _either_side_scope(scope, "engagement__"),
            date__range=(period.start, period.end),
            timesheet__status=Timesheet.Status.APPROVED,
        )
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(hours=Sum("hours"))
        .order_by()
        .values_list("month", "hours")
    )

    rows, total_started, total_hours = [], 0, ZERO
    for month in period.months():
        row = engagements.get(month, {})
        started = row.get("started", 0)
        month_hours = hours.get(month) or ZERO
        rows.append([
            _month_label(month),
            started,
            ratio(row.get("other", 0), started),
            month_hours,
            ratio(row.get("proactive", 0), started),
        ])
        total_started += started
        total_hours += month_hours

    return Figure(
        key="trend",
        title=_("Trend per month"),
        definition=_(
            "Per calendar month of the period: engagements started (by the date the person was engaged), the "
            "share of them taken by a member of another organisation, approved hours worked (time entries "
            "dated in that month on an approved timesheet) and the share of engagements that came from an "
            "invitation, an offer or a match suggestion instead of a plain application. For one organisation: "
            "engagements in which it is the hiring or the home organisation."
        ),
        columns=[
            Column("month", _("Month"), "text"),
            Column("engagements", _("Engagements started"), "int"),
            Column("cross_share", _("Cross-organisation share"), "percent"),
            Column("hours", _("Approved hours worked"), "hours"),
            Column("proactive_share", _("Proactive share"), "percent"),
        ],
        rows=rows,
        headlines=[
            Headline(_("Engagements started"), total_started, "int"),
            Headline(_("Approved hours worked"), total_hours, "hours"),
        ],
        chart=Chart("line", "month", ("engagements",)),
        empty_text=NO_DATA,
    )
