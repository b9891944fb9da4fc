"""The dashboard for a whole year over the bench data set: server time of
one page through Django's full stack (test client, DEBUG off) and its number
of SQL queries — the province (programme manager) and one organisation (its
HR).

The data: the bench set (20,000 members with releases, 100,000 assignments,
200,000 applications, 2,000 engagements with 100,000 approved time entries in
September and October 2026). Invoices are what the monthly run makes of those
hours; when the database has no approved invoice (the ``invoice_run``
benchmark empties the invoice tables), this benchmark runs the invoice run
for both months and marks its drafts approved directly (HR's approval would
render 1,000+ PDFs, which the dashboard does not read). External rates: one
per skill category and a default.

    {"bench": "dashboard_year", "ms": …, "queries": …, "org_ms": …, "org_queries": …}
"""

import time
from datetime import date
from decimal import Decimal

from bench.pages import measure_page

NAME = "dashboard_year"
REQUESTS = 15
YEAR = 2026
MONTHS = (date(2026, 9, 1), date(2026, 10, 1))


def _ensure_rates() -> int:
    from insight.models import ExternalRate
    from members.models import Skill

    areas = [""] + list(Skill.objects.exclude(category="").values_list("category", flat=True).distinct())
    for i, area in enumerate(sorted(areas)):
        ExternalRate.objects.get_or_create(skill_area=area, defaults={"hourly_rate": Decimal(95 + 5 * (i % 10))})
    return ExternalRate.objects.count()


def _ensure_invoices() -> int:
    from django.conf import settings
    from django.utils import timezone

    from invoicing import services
    from invoicing.models import Invoice
    from zppbrabant.celery import app

    approved = Invoice.objects.filter(status=Invoice.Status.APPROVED)
    if not approved.exists():
        app.conf.task_always_eager = True
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        started = time.perf_counter()
        for month in MONTHS:
            services.invoice_run_start(actor=None, period_start=month, organisation=None)
        from django.db.models import CharField, Value
        from django.db.models.functions import Cast, Concat

        Invoice.objects.filter(status=Invoice.Status.DRAFT).update(
            status=Invoice.Status.APPROVED, decided_at=timezone.now(), issue_date=date(2026, 11, 2),
            due_date=date(2026, 12, 2), number=Concat(Value("BENCH-"), Cast("id", CharField())),
        )
        print(f"[bench] dashboard_year: invoiced both months in {time.perf_counter() - started:.1f} s")
    return approved.count()


def run() -> dict:
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from invoicing.models import TimeEntry
    from marketplace.models import Application, Assignment, Engagement
    from members.models import Membership, MemberProfile, Organisation

    settings.ALLOWED_HOSTS = ["*"]
    rates = _ensure_rates()
    invoices = _ensure_invoices()

    manager = Membership.objects.filter(role=Membership.Role.PROGRAMME_MANAGER).select_related("user").first()
    if manager is None:
        from django.contrib.auth import get_user_model

        from members.services import membership_grant

        manager_user = get_user_model().objects.create_user(email="programma@bench.example", password=None)
        membership_grant(actor=None, user=manager_user, organisation=None, role=Membership.Role.PROGRAMME_MANAGER)
    else:
        manager_user = manager.user
    client = Client()
    client.force_login(manager_user)
    province = measure_page(client, f"/inzicht/?period=year&year={YEAR}", REQUESTS)
    assert b"Definitie" in province.response.content or b"Definition" in province.response.content

    busiest = (
        Engagement.objects.values("hiring_organisation").annotate(n=Count("id")).order_by("-n").first()
    )
    organisation = Organisation.objects.get(pk=busiest["hiring_organisation"])
    hr = Membership.objects.filter(role=Membership.Role.HR, organisation=organisation).select_related("user").first().user
    hr_client = Client()
    hr_client.force_login(hr)
    own = measure_page(hr_client, f"/inzicht/organisatie/{organisation.slug}/?period=year&year={YEAR}", REQUESTS)
    return {
        "ms": round(province.p50_ms, 1),
        "max_ms": round(province.max_ms, 1),
        "queries": province.queries,
        "org_ms": round(own.p50_ms, 1),
        "org_max_ms": round(own.max_ms, 1),
        "org_queries": own.queries,
        "requests": REQUESTS,
        "members": MemberProfile.objects.count(),
        "assignments": Assignment.objects.count(),
        "applications": Application.objects.count(),
        "engagements": Engagement.objects.count(),
        "time_entries": TimeEntry.objects.count(),
        "approved_invoices": invoices,
        "external_rates": rates,
    }
