"""Demo hours and invoices, so every step of the chain can be seen in
``make run``: Anne (Den Bosch) and three other members have worked for other
organisations since two months ago; the month before last is invoiced (one
invoice approved and numbered, the others drafts waiting for HR), last
month's hours are approved and not yet invoiced (ready for the run), and
this week Anne has hours in draft.

``seed_invoicing()`` is idempotent: it does nothing once the demo
engagements exist.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from invoicing import services
from invoicing.models import Invoice, InvoiceRun, TimeEntry, Timesheet
from marketplace.models import Engagement, Source
from members.demo import DEMO_DOMAIN
from members.models import Membership, MemberProfile, Organisation, Release

EXEMPTION = "Vrijgesteld van btw: ter beschikking stellen van personeel tussen overheidslichamen"
# (member e-mail, hiring organisation slug, VAT treatment)
WORK = [
    (f"anne.devries@{DEMO_DOMAIN}", "eindhoven", Engagement.VatTreatment.STANDARD),
    (f"bas.jansen@{DEMO_DOMAIN}", "s-hertogenbosch", Engagement.VatTreatment.EXEMPT),
]
OTHERS = 2  # more members, picked from those with an approved release
WORKDAYS = (1, 3)  # Tuesday and Thursday


def _first_of_month(day, months_back):
    for _ in range(months_back):
        day = day.replace(day=1) - timedelta(days=1)
    return day.replace(day=1)


def _coordinator(organisation):
    return Membership.objects.filter(organisation=organisation, role=Membership.Role.COORDINATOR).first().user


def _hr(organisation):
    membership = Membership.objects.filter(organisation=organisation, role=Membership.Role.HR).first()
    return membership.user if membership else None


def _engagements(start, end):
    pairs = []
    for email, slug, vat in WORK:
        profile = MemberProfile.objects.filter(user__email=email).first()
        if profile:
            pairs.append((profile, Organisation.objects.get(slug=slug), vat))
    taken = {p.pk for p, _, _ in pairs}
    others = (
        MemberProfile.objects.filter(releases__status=Release.Status.APPROVED, releases__variant="zpp")
        .exclude(pk__in=taken).order_by("user__email").distinct()[:OTHERS]
    )
    organisations = list(Organisation.objects.order_by("name"))
    for index, profile in enumerate(others):
        hiring = next(o for o in organisations[index * 3:] + organisations if o.pk != profile.home_organisation_id)
        pairs.append((profile, hiring, Engagement.VatTreatment.STANDARD))

    made = []
    for profile, hiring, vat in pairs:
        if profile.home_organisation_id == hiring.pk:
            continue
        release = profile.releases.filter(status=Release.Status.APPROVED).order_by("-start_date").first()
        if release is None:
            continue
        # Demo only: the release covers the months the hours are in.
        if release.start_date > start or release.end_date < end:
            release.start_date, release.end_date = min(release.start_date, start), max(release.end_date, end)
            release.save(update_fields=["start_date", "end_date"])
        engagement = Engagement.objects.create(
            member=profile, hiring_organisation=hiring, home_organisation=profile.home_organisation,
            variant=release.variant, agreed_rate=profile.home_organisation.zpp_hourly_rate,
            hours_per_week=Decimal("8"), start_date=start, end_date=end, vat_treatment=vat,
            vat_exemption_reason=EXEMPTION if vat == Engagement.VatTreatment.EXEMPT else "",
            source=Source.INVITATION, created_by=_coordinator(hiring),
        )
        # Agreed the week before the work started (the dashboard counts it then).
        agreed = timezone.make_aware(datetime.combine(start - timedelta(days=7), time(10)))
        Engagement.objects.filter(pk=engagement.pk).update(created_at=agreed)
        made.append(engagement)
    return made


def _log_week(engagement, monday, status):
    """A week of hours on Tuesday and Thursday, in the given state."""
    timesheet = Timesheet.objects.create(engagement=engagement, week_start=monday)
    entries = []
    for offset in WORKDAYS:
        day = monday + timedelta(days=offset)
        if engagement.start_date <= day <= engagement.end_date:
            entries.append(TimeEntry(
                timesheet=timesheet, engagement=engagement, member=engagement.member, date=day,
                # 2 × 4 h: the 8 hours a week of a one-day release, no more.
                hours=Decimal("4"),
                description="Overleg met het projectteam en uitwerking van het advies",
            ))
    TimeEntry.objects.bulk_create(entries)
    now = timezone.now()
    if status != Timesheet.Status.DRAFT:
        timesheet.status = status
        timesheet.submitted_at, timesheet.submitted_by = now, engagement.member.user
        if status == Timesheet.Status.APPROVED:
            timesheet.decided_at, timesheet.decided_by = now, _coordinator(engagement.hiring_organisation)
        timesheet.save()


@transaction.atomic
def seed_invoicing() -> dict:
    if Engagement.objects.filter(member__user__email__endswith=f"@{DEMO_DOMAIN}", timesheets__isnull=False).exists():
        return {}
    today = timezone.localdate()
    start = _first_of_month(today, 2)
    engagements = _engagements(start, start + timedelta(days=240))
    this_monday = today - timedelta(days=today.weekday())
    monday = start - timedelta(days=start.weekday())
    weeks = 0
    while monday <= this_monday:
        for engagement in engagements:
            if monday == this_monday:
                if engagement.member.user.email.startswith("anne."):
                    _log_week(engagement, monday, Timesheet.Status.DRAFT)
            else:
                _log_week(engagement, monday, Timesheet.Status.APPROVED)
        weeks += 1
        monday += timedelta(days=7)

    # The month before last is invoiced; one of its invoices is approved.
    run = InvoiceRun.objects.create(period_start=start)
    invoices = services.invoice_run_execute(run)
    first = (
        Invoice.objects.filter(run=run, issuer_organisation__slug="s-hertogenbosch").first()
        or Invoice.objects.filter(run=run).first()
    )
    if first is not None:
        approver = _hr(first.issuer_organisation) if first.issuer_organisation else first.issuer_member.user
        if approver is not None:
            services.invoice_approve(actor=approver, invoice=first)
    return {"Engagement": len(engagements), "Timesheet": Timesheet.objects.count(), "Invoice": invoices}
