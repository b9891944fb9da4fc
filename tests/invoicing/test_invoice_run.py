"""The invoice run at service level: approved, not yet invoiced hours of a
month become one draft invoice per issuer × recipient × VAT regime, one line
per engagement, every entry linked once; the whole chain from a logged week
to a paid invoice; the HR overview; the scheduler."""

from datetime import date, timedelta
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from invoicing import money, selectors, services, tasks
from invoicing.models import Invoice, InvoiceLine, InvoiceLineEntry, InvoiceRun, TimeEntry
from members.errors import DomainError
from members.models import AuditEntry, Notification
from tests.factories import (
    EngagementFactory,
    MemberProfileFactory,
    OrganisationFactory,
    approved_hours,
    approved_release,
    run_invoice_month,
)

OCTOBER = date(2026, 10, 1)
EXEMPT = "Vrijgesteld: detachering tussen overheidslichamen (art. 11 lid 1 sub o Wet OB)"
OUT_OF_SCOPE = "Buiten de reikwijdte van de btw: overheid als overheid (art. 7 lid 3 Wet OB)"


def engagement(member, hiring, **kwargs):
    kwargs.setdefault("start_date", date(2026, 9, 1))
    kwargs.setdefault("end_date", date(2026, 12, 31))
    return EngagementFactory(member=member, hiring_organisation=hiring, **kwargs)


@pytest.fixture
def world(org_a, org_b, member_a, hr_a):
    """Org A lends two ZPP members to B (one invoice, two lines), one of
    them also to C (exempt: its own invoice), and to B once outside the scope
    of VAT (its own invoice); a ZZP member of A invoices B themselves."""
    org_c = OrganisationFactory(name="Waterschap Ceedorp", slug="ceedorp")
    colleague = MemberProfileFactory(home_organisation=org_a)
    zzp = MemberProfileFactory(home_organisation=org_a, zzp=True, business_street="Zandstraat 1",
                               business_postal_code="5611 AA", business_city="Eindhoven")
    w = SimpleNamespace(org_a=org_a, org_b=org_b, org_c=org_c, member_a=member_a, hr_a=hr_a, zzp=zzp)
    w.a_to_b = engagement(member_a.profile, org_b, agreed_rate=D("63.37"))
    w.colleague_to_b = engagement(colleague, org_b, agreed_rate=D("85.00"))
    w.a_to_c = engagement(member_a.profile, org_c, agreed_rate=D("92.50"), vat_treatment="exempt",
                          vat_exemption_reason=EXEMPT)
    w.out_of_scope = engagement(colleague, org_b, agreed_rate=D("70.00"), vat_treatment="out_of_scope",
                                vat_exemption_reason=OUT_OF_SCOPE)
    w.zzp_to_b = engagement(zzp, org_b, variant="zzp", agreed_rate=D("95.00"), home_organisation=org_a)
    # October: 7.25 h on a Monday, 8 on the Tuesday and 8 on the Thursday.
    approved_hours(w.a_to_b, date(2026, 10, 5), ["7.25", "8"])
    approved_hours(w.a_to_b, date(2026, 10, 26), [None, None, None, "8"])
    approved_hours(w.colleague_to_b, date(2026, 10, 12), ["4", "4", "4"])
    approved_hours(w.a_to_c, date(2026, 10, 19), ["2.5"])
    approved_hours(w.out_of_scope, date(2026, 10, 19), [None, "3"])
    approved_hours(w.zzp_to_b, date(2026, 10, 12), [None, None, "6"])
    # Not for the October run: a week still waiting, November, September.
    approved_hours(w.colleague_to_b, date(2026, 10, 19), [None, None, None, "5"], status="submitted")
    approved_hours(w.a_to_b, date(2026, 11, 2), ["8"])  # Monday 2 November
    approved_hours(w.a_to_b, date(2026, 9, 28), ["8", "8"])  # 28 and 29 September
    return w


def invoice_of(issuer, recipient, regime_category="S"):
    qs = Invoice.objects.filter(recipient=recipient)
    if hasattr(issuer, "user"):
        qs = qs.filter(issuer_member=issuer)
    else:
        qs = qs.filter(issuer_organisation=issuer)
    return qs.filter(lines__vat_category=regime_category).distinct().get()


def lines_of(invoice):
    return list(invoice.lines.order_by("engagement_id").values_list("engagement_id", "quantity", "unit_price",
                                                                     "vat_category", "line_total"))


def test_one_draft_per_issuer_recipient_and_vat_regime(world):
    invoices = run_invoice_month(OCTOBER, actor=None)
    assert len(invoices) == 4

    to_b = invoice_of(world.org_a, world.org_b)
    assert lines_of(to_b) == [
        (world.a_to_b.pk, D("23.25"), D("63.37"), "S", D("1473.35")),  # 23.25 × 63.37 = 1473.3525
        (world.colleague_to_b.pk, D("12.00"), D("85.00"), "S", D("1020.00")),
    ]
    # VAT over the sum: 2493.35 × 21 % = 523.6035 → 523.60
    assert (to_b.total_excl_vat, to_b.total_vat, to_b.total_incl_vat) == (D("2493.35"), D("523.60"), D("3016.95"))
    assert (to_b.status, to_b.kind, to_b.number, to_b.issuer_key) == ("draft", "invoice", "", f"org:{world.org_a.pk}")
    assert (to_b.period_start, to_b.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert to_b.buyer_reference == f"ZPP-{world.org_b.slug}-2026-10"

    to_c = invoice_of(world.org_a, world.org_c, "E")
    assert lines_of(to_c) == [(world.a_to_c.pk, D("2.50"), D("92.50"), "E", D("231.25"))]
    assert to_c.lines.get().vat_exemption_reason == EXEMPT
    assert (to_c.total_vat, to_c.total_incl_vat) == (D("0.00"), D("231.25"))
    assert to_c.buyer_reference == f"ZPP-{world.a_to_c.pk}"

    out = invoice_of(world.org_a, world.org_b, "O")
    assert lines_of(out) == [(world.out_of_scope.pk, D("3.00"), D("70.00"), "O", D("210.00"))]

    own = invoice_of(world.zzp, world.org_b)
    assert (own.issuer_organisation, own.issuer_key) == (None, f"member:{world.zzp.pk}")
    assert lines_of(own) == [(world.zzp_to_b.pk, D("6.00"), D("95.00"), "S", D("570.00"))]

    # Every October entry of an approved week linked exactly once, nothing else.
    october_approved = TimeEntry.objects.filter(date__month=10, timesheet__status="approved")
    assert InvoiceLineEntry.objects.filter(active=True).count() == october_approved.count() == 9
    assert set(InvoiceLineEntry.objects.values_list("time_entry_id", flat=True)) == set(
        october_approved.values_list("pk", flat=True)
    )
    run = InvoiceRun.objects.get()
    assert (run.status, run.invoices_created, run.error) == ("done", 4, "")
    assert run.finished_at is not None
    assert AuditEntry.objects.filter(action="invoice_run.finish", data__invoices=4).exists()
    drafts_note = Notification.objects.get(user=world.hr_a, kind="invoice_drafts").message
    assert "3" in drafts_note and "10-2026" in drafts_note
    assert Notification.objects.filter(user=world.zzp.user, kind="invoice_drafts").exists()


def test_line_totals_follow_the_rounding_rule(world):
    for invoice in run_invoice_month(OCTOBER):
        lines = list(invoice.lines.all())
        for line in lines:
            assert line.line_total == money.line_total(line.quantity, line.unit_price)
        expected = money.totals(lines)
        assert (invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat) == (
            expected.excl_vat, expected.vat, expected.incl_vat
        )


def test_a_second_run_creates_nothing(world):
    run_invoice_month(OCTOBER)
    assert run_invoice_month(OCTOBER) == []
    assert Invoice.objects.count() == 4
    second = InvoiceRun.objects.order_by("-pk").first()
    assert (second.status, second.invoices_created) == ("done", 0)


def test_own_organisations_zpp_work_is_not_invoiced_but_a_zzp_business_invoices_its_employer(world):
    """A ZPP'er of A working on A's own assignment: A does not invoice
    itself, and HR of A is not shown those hours as waiting to be invoiced.
    A ZZP'er of A working for A does invoice A (their own business)."""
    colleague = MemberProfileFactory(home_organisation=world.org_a)
    internal = engagement(colleague, world.org_a, agreed_rate=D("80.00"))
    approved_hours(internal, date(2026, 10, 5), ["8"])
    zzp_internal = engagement(world.zzp, world.org_a, variant="zzp", agreed_rate=D("90.00"),
                              home_organisation=world.org_a)
    approved_hours(zzp_internal, date(2026, 10, 6), ["5"])
    run_invoice_month(OCTOBER)
    assert not Invoice.objects.filter(issuer_organisation=world.org_a, recipient=world.org_a).exists()
    assert not InvoiceLineEntry.objects.filter(time_entry__engagement=internal).exists()
    own = Invoice.objects.get(issuer_member=world.zzp, recipient=world.org_a)
    assert own.total_excl_vat == D("450.00")  # 5 h × € 90
    overview = selectors.hr_overview(world.hr_a, world.org_a, 2026)
    assert world.org_a.name not in {r.counterpart for r in overview.uninvoiced}


def test_later_approved_hours_go_on_a_new_invoice(world, coordinator_b):
    run_invoice_month(OCTOBER)
    waiting = world.colleague_to_b.timesheets.get(status="submitted")
    services.timesheet_approve(actor=coordinator_b, timesheet=waiting)
    [late] = run_invoice_month(OCTOBER)
    assert lines_of(late) == [(world.colleague_to_b.pk, D("5.00"), D("85.00"), "S", D("425.00"))]
    assert late.buyer_reference == f"ZPP-{world.colleague_to_b.pk}"


def test_rejected_draft_frees_its_hours_for_the_next_run(world):
    run_invoice_month(OCTOBER)
    to_b = invoice_of(world.org_a, world.org_b)
    with pytest.raises(DomainError) as info:
        services.invoice_reject(actor=world.hr_a, invoice=to_b, reason="")
    assert info.value.field == "reason"
    services.invoice_reject(actor=world.hr_a, invoice=to_b, reason="Tarief klopt niet")
    to_b.refresh_from_db()
    assert (to_b.status, to_b.rejection_reason) == ("rejected", "Tarief klopt niet")
    assert not InvoiceLineEntry.objects.filter(line__invoice=to_b, active=True).exists()
    assert InvoiceLineEntry.objects.filter(line__invoice=to_b, active=False).count() == 6  # kept as history
    [again] = run_invoice_month(OCTOBER)
    assert lines_of(again) == lines_of(to_b)
    with pytest.raises(DomainError):
        services.invoice_approve(actor=world.hr_a, invoice=to_b)


def test_hr_runs_only_their_own_organisations_zpp_hours(world, hr_b, admin_user):
    with pytest.raises(DomainError) as info:
        services.invoice_run_start(actor=hr_b, period_start=OCTOBER, organisation=world.org_a)
    assert info.value.field == "organisation"
    with pytest.raises(DomainError):
        services.invoice_run_start(actor=world.hr_a, period_start=OCTOBER)  # all organisations: admins only
    invoices = run_invoice_month(date(2026, 10, 17), actor=world.hr_a, organisation=world.org_a)
    assert {i.issuer_key for i in invoices} == {f"org:{world.org_a.pk}"}
    assert len(invoices) == 3
    assert InvoiceRun.objects.get().period_start == OCTOBER  # any day of the month means the month
    # The run for everyone afterwards makes only the ZZP invoice.
    [own] = run_invoice_month(OCTOBER, actor=admin_user)
    assert own.issuer_member == world.zzp
    assert list(selectors.invoice_runs_visible_to(world.hr_a)) == [InvoiceRun.objects.get(organisation=world.org_a)]
    assert selectors.invoice_runs_visible_to(hr_b).count() == 0


def test_a_month_not_begun_cannot_be_invoiced(world, admin_user):
    with pytest.raises(DomainError) as info:
        services.invoice_run_start(actor=admin_user, period_start=date(2099, 1, 1))
    assert info.value.field == "month"
    assert not InvoiceRun.objects.exists()


def test_start_enqueues_the_run_after_commit(world, admin_user, run_on_commit):
    with run_on_commit():
        run = services.invoice_run_start(actor=admin_user, period_start=OCTOBER)
    run.refresh_from_db()
    assert (run.status, run.invoices_created, run.started_by) == ("done", 4, admin_user)


def test_a_failing_run_is_marked_failed_by_the_task(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_link_entries", broken)
    run = InvoiceRun.objects.create(period_start=OCTOBER)
    assert tasks.run_invoices(run.pk) == 0  # logged, not raised
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "RuntimeError: database went away")
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_whole_chain_from_a_logged_week_to_a_paid_invoice(org_a, org_b, member_a, coordinator_b, hr_a, hr_b,
                                                           admin_user, monkeypatch):
    approved_release(member_a, days_per_week="2.0", start_date=date(2026, 9, 1), days=365)
    work = engagement(member_a.profile, org_b, agreed_rate=D("63.37"))
    monday = date(2026, 10, 5)
    with pytest.raises(DomainError):  # bad input first: more than the release
        services.week_save(actor=member_a, engagement=work, week_start=monday,
                           days={monday: (D("12"), ""), date(2026, 10, 6): (D("4.25"), "")})
    timesheet = services.week_save(actor=member_a, engagement=work, week_start=monday,
                                   days={monday: (D("7.25"), "Intake"), date(2026, 10, 6): (D("8"), "Analyse")})
    services.timesheet_submit(actor=member_a, timesheet=timesheet)
    services.timesheet_approve(actor=coordinator_b, timesheet=timesheet)
    with pytest.raises(DomainError):  # approved hours are locked
        services.week_save(actor=member_a, engagement=work, week_start=monday, days={monday: (D("1"), "")})

    [draft] = run_invoice_month(OCTOBER, actor=admin_user)
    assert list(selectors.invoice_queue_for(hr_a)) == [draft]
    assert selectors.invoice_queue_for(hr_b).count() == 0
    # Another organisation's HR: not visible, and the service refuses too.
    assert not selectors.invoices_visible_to(hr_b).filter(pk=draft.pk).exists()
    with pytest.raises(DomainError):
        services.invoice_approve(actor=hr_b, invoice=draft)
    # The recipient sees it only once it is numbered.
    assert not selectors.invoices_visible_to(coordinator_b).filter(pk=draft.pk).exists()

    invoice = services.invoice_approve(actor=hr_a, invoice=draft)
    assert invoice.number == "2026-00001"
    # 15.25 h × 63.37 = 966.3925 → 966.39; VAT 202.9419 → 202.94
    assert (invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat) == (
        D("966.39"), D("202.94"), D("1169.33")
    )
    assert (invoice.issue_date, invoice.due_date - invoice.issue_date) == (timezone.localdate(), timedelta(days=30))
    assert (invoice.seller_name, invoice.seller_iban, invoice.buyer_name, invoice.buyer_oin) == (
        org_a.name, org_a.iban, org_b.name, org_b.oin
    )
    assert selectors.invoices_visible_to(coordinator_b).filter(pk=invoice.pk).exists()
    with pytest.raises(DomainError) as info:
        services.invoice_mark_paid(actor=hr_a, invoice=invoice, paid_on=date(2020, 1, 1))
    assert info.value.field == "paid_on"
    paid = services.invoice_mark_paid(actor=hr_a, invoice=invoice, paid_on=invoice.issue_date)
    assert (paid.status, paid.paid_on, paid.paid_marked_by) == ("paid", invoice.issue_date, hr_a)
    with pytest.raises(DomainError):
        services.invoice_mark_paid(actor=hr_a, invoice=invoice, paid_on=invoice.issue_date)
    assert list(AuditEntry.objects.filter(target_id=str(invoice.pk), action__startswith="invoice.")
                .order_by("pk").values_list("action", "actor")) == [
        ("invoice.approve", hr_a.pk), ("invoice.mark_paid", hr_a.pk)
    ]


def test_real_documents_are_rendered_and_sent_after_approval(world, run_on_commit, assert_valid_einvoice):
    """The chain once with the real invoicing.documents: every invoice the
    run made (standard, exempt, out of scope, ZZP) approved, its PDF and UBL
    stored, the recipient's invoice address e-mailed with both attached, and
    the UBL valid against the three rule sets."""
    drafts = run_invoice_month(OCTOBER)
    for draft in drafts:
        approver = world.zzp.user if draft.issuer_member_id else world.hr_a
        with run_on_commit():
            services.invoice_approve(actor=approver, invoice=draft)
        draft.refresh_from_db()
        assert draft.status == "sent" and draft.sent_at is not None
        assert draft.pdf.name.endswith(f"{draft.number}.pdf") and draft.xml.name.endswith(f"{draft.number}.xml")
        assert draft.number.encode() in draft.xml.open("rb").read()
        assert_valid_einvoice(draft)
    assert sorted(d.number for d in drafts) == ["2026-00001", "2026-00001", "2026-00002", "2026-00003"]
    messages = [m for m in mail.outbox if m.attachments]
    assert len(messages) == 4
    assert {m.to[0] for m in messages} == {world.org_b.invoice_email, world.org_c.invoice_email}
    assert all(sorted(n.rsplit(".", 1)[1] for n, _c, _t in m.attachments) == ["pdf", "xml"] for m in messages)


def test_hr_overview(world, hr_b, programme_manager):
    from django.core.exceptions import PermissionDenied

    empty = selectors.hr_overview(world.hr_a, world.org_a, 2026)
    # Before the run: approved hours of A's ZPP engagements, per counterpart and month.
    assert [(r.counterpart, r.month, r.hours, r.amount) for r in empty.uninvoiced] == [
        (world.org_b.name, date(2026, 9, 1), D("16.00"), D("1013.92")),
        (world.org_b.name, date(2026, 10, 1), D("38.25"), D("2703.35")),  # 23.25×63.37 + 12×85 + 3×70
        (world.org_c.name, date(2026, 10, 1), D("2.50"), D("231.25")),
        (world.org_b.name, date(2026, 11, 1), D("8.00"), D("506.96")),
    ]
    run_invoice_month(OCTOBER)
    to_b = invoice_of(world.org_a, world.org_b)
    services.invoice_approve(actor=world.hr_a, invoice=to_b)
    overview = selectors.hr_overview(world.hr_a, world.org_a, 2026)
    assert [r.month for r in overview.uninvoiced] == [date(2026, 9, 1), date(2026, 11, 1)]
    assert (overview.waiting_count, overview.waiting_total) == (2, D("441.25"))  # 231.25 + 210.00
    assert (overview.unpaid_count, overview.unpaid_total, overview.overdue_count) == (1, D("3016.95"), 0)
    assert [(r.direction, r.counterpart, r.month, r.invoices, r.incl_vat) for r in overview.totals] == [
        ("outgoing", world.org_b.name, date(2026, 10, 1), 1, D("3016.95")),
    ]
    incoming = selectors.hr_overview(programme_manager, world.org_b, 2026)
    assert [(r.direction, r.counterpart, r.incl_vat) for r in incoming.totals] == [
        ("incoming", world.org_a.name, D("3016.95"))
    ]
    with pytest.raises(PermissionDenied):
        selectors.hr_overview(hr_b, world.org_a, 2026)


@pytest.mark.parametrize(
    ("today", "starts"),
    [
        (date(2027, 1, 1), False),  # New Year's Day (a Friday)
        (date(2027, 1, 4), True),  # the first working day of 2027 (Monday)
        (date(2026, 11, 2), True),  # Monday 2 November: 1 November is a Sunday
        (date(2026, 11, 3), False),
        (date(2026, 4, 1), True),
        (date(2024, 4, 1), False),  # Easter Monday
        (date(2024, 4, 2), True),
    ],
)
def test_scheduled_run_only_on_the_first_working_day(db, monkeypatch, today, starts):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today)
    run_id = tasks.scheduled_invoice_run()
    assert (run_id is not None) == starts
    if starts:
        run = InvoiceRun.objects.get(pk=run_id)
        expected = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
        assert (run.period_start, run.organisation, run.started_by) == (expected, None, None)
        assert tasks.scheduled_invoice_run() is None  # the same morning again: no second run
