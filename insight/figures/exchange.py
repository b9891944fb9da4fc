"""Exchange between organisations, and the money kept in the public sector.

"Lending": a member's home organisation lends hours to the hiring
organisation of an engagement (``Engagement.home_organisation`` →
``hiring_organisation``). Only pairs of two different organisations are
exchange; work for one's own organisation is left out of every figure here.

Scope: for one organisation X the exchange figures keep the rows in which X
is one side (lender or borrower), so X's counterparts appear and pairs of two
other organisations never do; ``external_cost`` keeps the invoices X received.

Every figure is one to two aggregate queries; the Python below only walks the
aggregated rows (at most one per pair of organisations or per skill area).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, DecimalField, F, Min, OuterRef, Q, Subquery, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from insight.models import ExternalRate
from invoicing.models import Invoice, InvoiceLine, Timesheet, TimeEntry
from marketplace.models import Assignment, Engagement
from members.models import Organisation, Skill

from .base import CENT, NO_DATA, Chart, Column, Figure, Headline, Period, Scope, ratio

ZERO = Decimal("0")
INVOICED_STATUSES = (Invoice.Status.APPROVED, Invoice.Status.SENT, Invoice.Status.PAID)


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _moments(period: Period) -> tuple[datetime, datetime]:
    """The period as aware datetimes in Europe/Amsterdam (the project's time
    zone): from the start day's midnight up to, not including, the midnight
    after the end day."""
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(period.start, time.min), tz),
        timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min), tz),
    )


def _between_organisations(prefix: str = "") -> Q:
    """Home ≠ hiring (``prefix`` leads from the queried model to the engagement)."""
    return ~Q(**{f"{prefix}home_organisation_id": F(f"{prefix}hiring_organisation_id")})


def _one_side(scope: Scope, prefix: str = "") -> Q:
    """Province: everything; organisation X: rows where X lends or borrows."""
    if scope.province_wide:
        return Q()
    return Q(**{f"{prefix}home_organisation_id": scope.organisation_id}) | Q(
        **{f"{prefix}hiring_organisation_id": scope.organisation_id}
    )


def _name(ref: str) -> Subquery:
    """The name of the organisation whose id is the outer column ``ref``.
    Grouping by the two organisation ids and looking the names up once per
    group keeps the aggregate a hash on two integers (grouping by the names
    themselves sorted the 100,000 bench time entries on disk: 280 ms instead
    of 90 ms for a year, measured on a busy two-core machine)."""
    return Subquery(Organisation.objects.filter(pk=OuterRef(ref)).order_by().values("name")[:1])


# --- Hours lent and borrowed ------------------------------------------------------


def _exchanged_pairs(scope: Scope) -> list[dict]:
    """Approved hours dated in the period and their value (hours × agreed
    rate), per (lender, borrower) pair of two different organisations; one
    query. Sorted by hours (most first), then lender and borrower name."""
    period = scope.period
    rows = (
        TimeEntry.objects.filter(
            timesheet__status=Timesheet.Status.APPROVED, date__gte=period.start, date__lte=period.end
        )
        .filter(_between_organisations("engagement__"))
        .filter(_one_side(scope, "engagement__"))
        .values(lender_id=F("engagement__home_organisation_id"), borrower_id=F("engagement__hiring_organisation_id"))
        .annotate(
            # Named apart from the model's own ``hours``, which F("hours") must keep meaning.
            total_hours=Sum("hours"),
            total_euros=Sum(
                F("hours") * F("engagement__agreed_rate"),
                output_field=DecimalField(max_digits=16, decimal_places=4),
            ),
        )
        .annotate(lender=_name("lender_id"), borrower=_name("borrower_id"))
        .order_by("-total_hours", "lender", "borrower")
    )
    return [{**row, "hours": row["total_hours"], "euros": _money(row["total_euros"])} for row in rows]


def exchange_pairs(scope: Scope) -> Figure:
    pairs = scope.shared("exchanged_pairs", lambda: _exchanged_pairs(scope))
    return Figure(
        key="exchange_pairs",
        title=_("Who lends to whom"),
        definition=_(
            "Per pair of organisations: the hours the lending organisation's members worked for the borrowing "
            "(hiring) organisation, counted from time entries dated in the period on an approved timesheet, "
            "and their value (hours × the engagement's agreed hourly rate, excluding VAT). Work for one's own "
            "organisation is not exchange and is left out. For one organisation, only the pairs it is part of."
        ),
        columns=[
            Column("lender", _("Lending organisation"), "text"),
            Column("borrower", _("Borrowing organisation"), "text"),
            Column("hours", _("Hours"), "hours"),
            Column("euros", _("Value excl. VAT"), "money"),
        ],
        rows=[[p["lender"], p["borrower"], p["hours"], p["euros"]] for p in pairs],
        headlines=[Headline(_("Pairs of organisations"), len(pairs), "int")],
        chart=Chart("matrix", label="lender", target="borrower", values=("hours",), unit="hours"),
        empty_text=NO_DATA,
    )


def exchange_balance(scope: Scope) -> Figure:
    pairs = scope.shared("exchanged_pairs", lambda: _exchanged_pairs(scope))
    # Fold the (at most organisations²) pair rows into one row per organisation.
    balance: dict[int, dict] = {}

    def row_of(organisation_id, name):
        return balance.setdefault(organisation_id, {
            "name": name, "hours_lent": ZERO, "hours_borrowed": ZERO, "earned": ZERO, "spent": ZERO,
        })

    for pair in pairs:
        lender = row_of(pair["lender_id"], pair["lender"])
        lender["hours_lent"] += pair["hours"]
        lender["earned"] += pair["euros"]
        borrower = row_of(pair["borrower_id"], pair["borrower"])
        borrower["hours_borrowed"] += pair["hours"]
        borrower["spent"] += pair["euros"]
    rows = [
        [r["name"], r["hours_lent"], r["hours_borrowed"], r["earned"], r["spent"], r["earned"] - r["spent"]]
        for r in sorted(balance.values(), key=lambda r: r["name"])
    ]
    return Figure(
        key="exchange_balance",
        title=_("Hours lent and borrowed"),
        definition=_(
            "Per organisation: hours its members worked for other organisations (lent) and hours other "
            "organisations' members worked for it (borrowed), from time entries dated in the period on an approved "
            "timesheet; euros = hours × the engagement's agreed hourly rate, excluding VAT; balance = earned − "
            "spent. Work for one's own organisation is not exchange and is left out. For one organisation, only "
            "its exchange with its counterparts: their rows show only what they lent to or borrowed from it."
        ),
        columns=[
            Column("organisation", _("Organisation"), "text"),
            Column("hours_lent", _("Hours lent"), "hours"),
            Column("hours_borrowed", _("Hours borrowed"), "hours"),
            Column("earned", _("Earned (lent)"), "money"),
            Column("spent", _("Spent (borrowed)"), "money"),
            Column("balance", _("Balance"), "money"),
        ],
        rows=rows,
        headlines=[
            Headline(_("Hours exchanged"), sum((p["hours"] for p in pairs), ZERO), "hours"),
            Headline(_("Value excl. VAT"), sum((p["euros"] for p in pairs), ZERO), "money"),
        ],
        chart=Chart("bar", label="organisation", values=("hours_lent", "hours_borrowed"), unit="hours"),
        empty_text=NO_DATA,
    )


# --- Who works for whom -----------------------------------------------------------


def network(scope: Scope) -> Figure:
    period = scope.period
    engagements = (
        Engagement.objects.filter(start_date__lte=period.end, end_date__gte=period.start)
        .filter(_between_organisations())
        .filter(_one_side(scope))
    )
    rows = list(
        engagements.values("home_organisation_id", "hiring_organisation_id")
        .annotate(people=Count("member", distinct=True), engagements=Count("pk"))
        .annotate(home=_name("home_organisation_id"), hiring=_name("hiring_organisation_id"))
        .order_by("home", "hiring")
    )
    people = engagements.aggregate(people=Count("member", distinct=True))["people"]
    return Figure(
        key="network",
        title=_("Who works for whom"),
        definition=_(
            "Per pair of organisations: the members of the home organisation with an engagement at the hiring "
            "organisation that runs during the period (its start and end dates overlap the period), each person "
            "counted once per pair, and the number of those engagements. Work for one's own organisation is not "
            "exchange and is left out. For one organisation, only the pairs it is part of."
        ),
        columns=[
            Column("home", _("Home organisation"), "text"),
            Column("hiring", _("Works for"), "text"),
            Column("people", _("People"), "int"),
            Column("engagements", _("Engagements"), "int"),
        ],
        rows=[[r["home"], r["hiring"], r["people"], r["engagements"]] for r in rows],
        headlines=[Headline(_("People working for another organisation"), people, "int")],
        chart=Chart("network", label="home", target="hiring", values=("people",), unit="int"),
        empty_text=NO_DATA,
    )


def new_links(scope: Scope) -> Figure:
    start, end = _moments(scope.period)
    in_period = Q(created_at__gte=start, created_at__lt=end)
    rows = list(
        Engagement.objects.filter(_between_organisations())
        .filter(_one_side(scope))
        .values("home_organisation_id", "hiring_organisation_id")
        .annotate(first=Min("created_at"), engagements=Count("pk", filter=in_period))
        .filter(first__gte=start, first__lt=end)
        .annotate(lender=_name("home_organisation_id"), borrower=_name("hiring_organisation_id"))
        .order_by("first", "lender", "borrower")
    )
    tz = timezone.get_default_timezone()
    return Figure(
        key="new_links",
        title=_("New links"),
        definition=_(
            "Pairs of organisations whose first engagement ever (a member of the lending organisation engaged by "
            "the borrowing organisation, counted from the moment it was made) falls in the period, with the "
            "number of their engagements made in the period. Work for one's own organisation is not exchange "
            "and is left out. For one organisation, only the pairs it is part of."
        ),
        columns=[
            Column("lender", _("Lending organisation"), "text"),
            Column("borrower", _("Borrowing organisation"), "text"),
            Column("first", _("First engagement"), "text"),
            Column("engagements", _("Engagements in the period"), "int"),
        ],
        rows=[
            [
                r["lender"],
                r["borrower"],
                formats.date_format(timezone.localtime(r["first"], tz).date(), "SHORT_DATE_FORMAT"),
                r["engagements"],
            ]
            for r in rows
        ],
        headlines=[Headline(_("New links"), len(rows), "int")],
        chart=Chart("network", label="lender", target="borrower", values=("engagements",), unit="int"),
        empty_text=NO_DATA,
    )


# --- Money kept in the public sector ------------------------------------------------

_INVOICED_PER_AREA = """
    WITH invoiced AS (
        SELECT line.engagement_id, SUM(line.quantity) AS hours, SUM(line.line_total) AS amount
          FROM {line} line
          JOIN {invoice} invoice ON invoice.id = line.invoice_id
         WHERE invoice.status = ANY(%(statuses)s)
           AND invoice.period_start BETWEEN %(start)s AND %(end)s
           {recipient}
         GROUP BY line.engagement_id
    )
    SELECT COALESCE(area.skill_area, '') AS area,
           MAX(area.hourly_rate) AS rate,
           SUM(invoiced.hours) AS hours,
           SUM(invoiced.amount) AS amount
      FROM invoiced
      JOIN {engagement} engagement ON engagement.id = invoiced.engagement_id
      LEFT JOIN LATERAL (
            -- The area of the engagement: of the areas (with a rate) of its
            -- assignment required skills, the dearest; on a tie the first by name.
            SELECT rate.skill_area, rate.hourly_rate
              FROM {required} required
              JOIN {skill} skill ON skill.id = required.skill_id
              JOIN {rate} rate ON rate.skill_area = skill.category
             WHERE required.assignment_id = engagement.assignment_id
               AND skill.category <> ''
             ORDER BY rate.hourly_rate DESC, rate.skill_area
             LIMIT 1
      ) area ON TRUE
     GROUP BY 1
    HAVING SUM(invoiced.hours) <> 0 OR SUM(invoiced.amount) <> 0
     ORDER BY (COALESCE(area.skill_area, '') = ''), 1
"""


def _invoiced_per_area(scope: Scope) -> list[tuple[str, Decimal | None, Decimal, Decimal]]:
    """(area, its rate or None for '', hours, amount excl. VAT) per skill
    area; '' = no area with a rate of its own. One query."""
    sql = _INVOICED_PER_AREA.format(
        line=InvoiceLine._meta.db_table,
        invoice=Invoice._meta.db_table,
        engagement=Engagement._meta.db_table,
        required=Assignment.required_skills.through._meta.db_table,
        skill=Skill._meta.db_table,
        rate=ExternalRate._meta.db_table,
        recipient="" if scope.province_wide else "AND invoice.recipient_id = %(recipient)s",
    )
    params = {
        "statuses": [str(status) for status in INVOICED_STATUSES],
        "start": scope.period.start,
        "end": scope.period.end,
        "recipient": scope.organisation_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def external_cost(scope: Scope) -> Figure:
    default_rate = ExternalRate.objects.filter(skill_area="").values_list("hourly_rate", flat=True).first()
    rows, total_external, total_kept_from = [], ZERO, ZERO
    has_external = False
    for area, area_rate, hours, invoiced in _invoiced_per_area(scope):
        rate = area_rate if area else default_rate
        invoiced = _money(invoiced)
        external = kept = None
        if rate is not None:
            external = _money(hours * rate)
            kept = external - invoiced
            has_external = True
            total_external += external
            total_kept_from += invoiced
        rows.append([area or _("Other / default"), hours, invoiced, rate, external, kept, ratio(kept, external)])
    total_kept = total_external - total_kept_from if has_external else None

    definition = _(
        "Per skill area: the hours and amounts (excluding VAT) on approved, sent or paid invoices whose period "
        "starts in the period, credit notes included (their lines are negative, so a credited invoice counts "
        "zero), compared with the same hours at the external consultancy rate of the area set by the programme "
        "manager; kept = external cost − invoiced amount. A line's area is the category of its assignment's "
        "required skills (with several, the one with the highest external rate); lines without one, or without "
        "a rate for it, count at the default rate. For one organisation, the invoices it received."
    )
    if default_rate is None:
        definition += " " + _(
            "The default rate is not set: those hours have no external cost and are left out of the totals."
        )
    return Figure(
        key="external_cost",
        title=_("Cost compared with external hiring"),
        definition=definition,
        columns=[
            Column("area", _("Skill area"), "text"),
            Column("hours", _("Invoiced hours"), "hours"),
            Column("invoiced", _("Invoiced excl. VAT"), "money"),
            Column("rate", _("External hourly rate"), "money"),
            Column("external", _("External cost"), "money"),
            Column("kept", _("Kept in the public sector"), "money"),
            Column("kept_percent", _("Kept, share of external cost"), "percent"),
        ],
        rows=rows,
        headlines=[
            Headline(_("Kept in the public sector"), total_kept, "money"),
            Headline(_("Kept, share of external cost"), ratio(total_kept, total_external), "percent"),
        ],
        chart=Chart("bar", label="area", values=("invoiced", "external"), unit="money"),
        empty_text=NO_DATA,
    )
