"""The dashboard's demo history (``insight.demo.seed_insight``, part of
``seed_demo``): a year of work between the demo organisations that every
figure of ``/inzicht/`` has something to show for, consistent with the rules
the services enforce, and loaded only once."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.db.models import F, Sum
from django.test import Client
from django.utils import timezone
from lxml import html

from insight.demo import MARKER, seed_insight
from insight.figures import SECTIONS
from insight.models import ExternalRate
from invoicing.models import Invoice, TimeEntry, Timesheet
from invoicing.services import release_for_week
from marketplace.models import Application, Assignment, Engagement, Source
from members.demo import DEMO_DOMAIN
from members.models import MemberProfile, Release, Skill, User
from training.models import Completion, Enrolment


def _counts():
    return [
        m.objects.count()
        for m in (Assignment, Application, Engagement, Release, Timesheet, TimeEntry, Invoice, ExternalRate,
                  Enrolment, Completion)
    ]


def test_demo_history_fills_every_figure_of_the_dashboard_once(db, run_on_commit):
    # on_commit work runs, so the approved invoices get their PDF and UBL.
    with run_on_commit():
        call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    since = today - timedelta(days=365)  # the history: the twelve months up to today
    assert Assignment.objects.filter(title=MARKER).exists()

    # Engagements started in the year came from every kind of source.
    started = Engagement.objects.filter(created_at__date__range=(since, today))
    sources = set(started.values_list("source", flat=True))
    assert sources == set(Source.values), sources
    assert started.filter(source=Source.APPLICATION).count() > started.filter(source=Source.OFFER).count()
    # Mostly between organisations, some within one; ZPP and ZZP.
    internal = started.filter(home_organisation=F("hiring_organisation")).count()
    assert 1 <= internal < started.exclude(home_organisation=F("hiring_organisation")).count() / 4
    assert set(started.values_list("variant", flat=True)) == {Release.Variant.ZPP, Release.Variant.ZZP}

    # Approved hours between at least five pairs of organisations.
    approved = TimeEntry.objects.filter(timesheet__status=Timesheet.Status.APPROVED, date__range=(since, today))
    pairs = {
        (home, hiring)
        for home, hiring in approved.values_list("engagement__home_organisation", "engagement__hiring_organisation")
        if home != hiring
    }
    assert len(pairs) >= 5, pairs
    # Hours in (almost) every month of the year, so new links appear over it.
    months = {d.replace(day=1) for d in approved.values_list("date", flat=True)}
    assert len(months) >= 11, sorted(months)

    # Every week's hours of the history (the engagements that came from an
    # assignment; the invoicing demo's have none) stay within the member's
    # release in force that week, the rule ``week_save`` enforces.
    weeks = (
        TimeEntry.objects.filter(engagement__assignment__isnull=False)
        .values("member_id", "timesheet__week_start").annotate(hours=Sum("hours"))
    )
    profiles = {p.pk: p for p in MemberProfile.objects.filter(engagements__assignment__isnull=False).distinct()}
    for week in weeks:
        release = release_for_week(profiles[week["member_id"]], week["timesheet__week_start"])
        assert release is not None and week["hours"] <= release.hours_per_week, week
    assert len(weeks) > 100

    # Invoices: approved through the service, numbered, with their documents;
    # the rest of the year waits as drafts.
    final = Invoice.objects.filter(
        status__in=(Invoice.Status.APPROVED, Invoice.Status.SENT, Invoice.Status.PAID),
        period_start__gte=since,
    )
    assert final.count() >= 5
    for invoice in final:
        assert invoice.number.startswith(f"{today.year}-") and invoice.pdf and invoice.xml, invoice.pk
        assert invoice.issue_date > invoice.period_end
    assert Invoice.objects.filter(status=Invoice.Status.DRAFT).exists()

    # External rates for every skill area and a default, set by the programme manager.
    areas = set(Skill.objects.exclude(category="").values_list("category", flat=True))
    rates = dict(ExternalRate.objects.values_list("skill_area", "hourly_rate"))
    assert set(rates) == areas | {""}
    assert all(95 <= rate <= 150 for rate in rates.values()), rates

    # Training over the year: completions in at least four months.
    completed = {d.replace(day=1) for d in
                 Completion.objects.filter(completed_on__range=(since, today)).values_list("completed_on", flat=True)}
    assert len(completed) >= 4

    # The dashboard over the year, as the programme manager of the demo: every
    # figure of every section is there with data (no "nothing to show").
    manager = User.objects.get(email=f"programma@{DEMO_DOMAIN}")
    client = Client()
    client.force_login(manager)
    response = client.get("/inzicht/", {"period": "custom", "start": since.isoformat(), "end": today.isoformat()})
    assert response.status_code == 200
    page = html.fromstring(response.content.decode())
    for _title, paths in SECTIONS:
        for path in paths:
            key = path.rsplit(".", 1)[1]
            article = page.get_element_by_id(f"figure-{key}")
            assert not article.find_class("insight-empty"), key
            assert article.find(".//table") is not None, key

    # Seeding again adds nothing.
    before = _counts()
    assert seed_insight() == {}
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == before
    assert "nothing new" in out.getvalue()
