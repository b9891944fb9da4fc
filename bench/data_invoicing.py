"""Bench data for invoicing: 2,000 engagements between the bench
organisations' members and other organisations, with 100,000 approved time
entries (at the default size; both scale with ``size``).

A time entry is unique per engagement and day, so 100,000 entries over 2,000
engagements need 50 days each: they lie in two months, September and October
2026 (50 of the 61 days per engagement, 1–8 hours in quarter hours), in
weekly timesheets that are all approved. The ``invoice_run`` benchmark
invoices both months. Mix: 90 % ZPP engagements (the home organisation
invoices), 10 % ZZP (the member's own business); VAT 80 % standard, 15 %
exempt, 5 % outside the scope. Rows go in with PostgreSQL ``COPY``.
"""

import random
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bench.db import log
from bench.generate import generator

MONTHS = (date(2026, 9, 1), date(2026, 10, 1))
DAYS = [MONTHS[0] + timedelta(days=i) for i in range((date(2026, 11, 1) - MONTHS[0]).days)]
EXEMPT = "Vrijgesteld van btw: detachering tussen overheidslichamen (art. 11 lid 1 sub o Wet OB)"
SOURCES = ["application", "invitation", "offer", "suggestion"]
SOURCE_WEIGHTS = [70, 12, 8, 10]
ACCEPTED_FROM = datetime(2026, 1, 5, 9, tzinfo=ZoneInfo("Europe/Amsterdam"))
ACCEPTED_SPAN_MINUTES = 200 * 24 * 60
OUT_OF_SCOPE = "Buiten de reikwijdte van de btw: overheid handelend als overheid (art. 7 lid 3 Wet OB)"


def _copy(cursor, model, rows: list[dict]) -> int:
    """COPY dicts keyed by column name into ``model``'s table."""
    columns = [f.column for f in model._meta.concrete_fields if f.column in rows[0]]
    with cursor.cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
    return len(rows)


def _next_id(cursor, model) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {model._meta.db_table}")
    return cursor.fetchone()[0]


def _sync_sequence(cursor, model) -> None:
    table = model._meta.db_table
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


@generator("invoicing", after=["members"])
def invoicing(size: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from invoicing.models import TimeEntry, Timesheet
    from marketplace.models import Engagement
    from members.models import MemberProfile, Membership, Organisation

    rng = random.Random(20261129)
    now = timezone.now()
    n_engagements = max(size // 50, 2)
    per_engagement = 50
    started = time.perf_counter()

    org_ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    coordinator_of = dict(
        Membership.objects.filter(role=Membership.Role.COORDINATOR).order_by("pk").values_list("organisation_id", "user_id")
    )
    profiles = list(MemberProfile.objects.order_by("pk").values_list("pk", "home_organisation_id"))
    chosen = rng.sample(profiles, n_engagements * 4 // 5)
    members = chosen + rng.sample(chosen, n_engagements - len(chosen))  # a fifth have two engagements

    with connection.cursor() as cursor:
        engagement_id = _next_id(cursor, Engagement)
        timesheet_id = _next_id(cursor, Timesheet)
        engagements, timesheets, entries = [], [], []
        hired: set[tuple[int, int]] = set()
        for member_id, home_id in members:
            hiring_id = rng.choice([o for o in org_ids if o != home_id and (member_id, o) not in hired])
            hired.add((member_id, hiring_id))
            zzp = rng.random() < 0.10
            vat = rng.choices(["standard", "exempt", "out_of_scope"], weights=[80, 15, 5])[0]
            engagements.append({
                "id": engagement_id, "assignment_id": None, "application_id": None, "member_id": member_id,
                "hiring_organisation_id": hiring_id, "home_organisation_id": home_id,
                "variant": "zzp" if zzp else "zpp",
                "agreed_rate": Decimal(rng.randint(6000, 11000)) / 100,
                "hours_per_week": Decimal(rng.choice([8, 12, 16])), "start_date": date(2026, 8, 1),
                "end_date": date(2026, 12, 31), "vat_treatment": vat,
                "vat_exemption_reason": {"exempt": EXEMPT, "out_of_scope": OUT_OF_SCOPE}.get(vat, ""),
                # How they found each other, and when (accepted during the
                # first seven months of the year, before the work started).
                "source": rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0],
                "created_by_id": coordinator_of.get(hiring_id),
                "created_at": ACCEPTED_FROM + timedelta(minutes=rng.randint(0, ACCEPTED_SPAN_MINUTES)),
            })
            week_ids: dict[date, int] = {}
            for day in sorted(rng.sample(DAYS, per_engagement)):
                monday = day - timedelta(days=day.weekday())
                if monday not in week_ids:
                    week_ids[monday] = timesheet_id
                    timesheets.append({
                        "id": timesheet_id, "engagement_id": engagement_id, "week_start": monday,
                        "status": "approved", "submitted_at": now, "submitted_by_id": None, "decided_at": now,
                        "decided_by_id": coordinator_of.get(hiring_id), "rejection_reason": "",
                        "created_at": now, "updated_at": now,
                    })
                    timesheet_id += 1
                entries.append({
                    "timesheet_id": week_ids[monday], "engagement_id": engagement_id, "member_id": member_id,
                    "date": day, "hours": Decimal(rng.randint(4, 32)) / 4, "description": "Werkzaamheden",
                    "created_at": now, "updated_at": now,
                })
            engagement_id += 1
        built = time.perf_counter() - started

        t0 = time.perf_counter()
        _copy(cursor, Engagement, engagements)
        _copy(cursor, Timesheet, timesheets)
        _copy(cursor, TimeEntry, entries)
        for model in (Engagement, Timesheet):
            _sync_sequence(cursor, model)
        for model in (Engagement, Timesheet, TimeEntry):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        copied = time.perf_counter() - t0
    log(f"invoicing: {len(engagements)} engagements, {len(timesheets)} timesheets, {len(entries)} entries "
        f"(built in {built:.1f} s, COPY + ANALYZE in {copied:.1f} s)")
    return {
        "engagements": len(engagements),
        "timesheets": len(timesheets),
        "time_entries": len(entries),
        "zzp_engagements": sum(e["variant"] == "zzp" for e in engagements),
        "months": [m.isoformat() for m in MONTHS],
    }
