"""The invoicing pages as people use them: the member's week grid, the
coordinator's approval, HR's drafts, numbers, downloads, the invoice run
started from the page, and the overview with its CSV export."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from invoicing import services
from invoicing.models import Invoice, InvoiceRun, InvoiceSequence, TimeEntry, Timesheet
from invoicing.views.reports import CSV_HEADER, overview_csv_rows
from members.models import Membership
from members.services import membership_grant
from tests.factories import (
    EngagementFactory,
    OrganisationFactory,
    UserFactory,
    approved_hours,
    approved_release,
    monday_of,
    run_invoice_month,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
# A Monday inside last month whose Monday and Tuesday both lie in it.
LAST_MONTH_MONDAY = LAST_MONTH + timedelta(days=(7 - LAST_MONTH.weekday()) % 7)
# A whole past week for logging hours (the week before last).
WEEK = monday_of(TODAY) - timedelta(days=14)


def nl(message: str) -> str:
    """``message`` as the (Dutch by default) site shows it."""
    with translation.override("nl"):
        return gettext(message)


def shown(message: str) -> str:
    """``message`` as it appears in a page's HTML."""
    return escape(nl(message))


def euro(amount: str) -> str:
    """An amount as the Dutch pages print it (decimal comma)."""
    with translation.override("nl"):
        return formats.number_format(Decimal(amount), 2, use_l10n=True)


def week_url(monday):
    year, week, _ = monday.isocalendar()
    return reverse("invoicing:week_of", kwargs={"year": year, "week": week})


def cell(engagement, day, what="hours"):
    return f"e{engagement.pk}-{what}_{day.isoformat()}"


@pytest.fixture
def engagement(member_a, org_a, org_b):
    """member_a (home A, ZPP) works for B at € 85 an hour, from well before
    last month; released one day (8 hours) a week."""
    approved_release(member_a, start_date=TODAY - timedelta(days=75), days=365)
    return EngagementFactory(
        member=member_a.profile, hiring_organisation=org_b, application=None,
        start_date=TODAY - timedelta(days=70), end_date=TODAY + timedelta(days=60),
        agreed_rate=Decimal("85.00"),
    )


@pytest.fixture
def member(client_for, member_a):
    return client_for(member_a)


# --- The member's week ------------------------------------------------------------


def test_saving_a_week_shows_the_hours(member, engagement):
    monday, tuesday = WEEK, WEEK + timedelta(days=1)
    response = member.post(week_url(WEEK), {
        cell(engagement, monday): "4", cell(engagement, monday, "description"): "Kick-off",
        cell(engagement, tuesday): "3,5",
    }, follow=True)

    assert response.redirect_chain[-1][0] == week_url(WEEK)
    entries = {e.date: e for e in TimeEntry.objects.filter(engagement=engagement)}
    assert entries[monday].hours == Decimal("4.00") and entries[monday].description == "Kick-off"
    assert entries[tuesday].hours == Decimal("3.50")
    page = response.content.decode()
    assert shown("Your hours for week %(week)s were saved.") % {"week": WEEK.isocalendar()[1]} in page
    assert f'name="{cell(engagement, monday)}" value="4"' in page
    assert f'name="{cell(engagement, tuesday)}" value="3.5"' in page
    assert response.context["week_total"] == Decimal("7.5")
    assert response.context["release_hours"] == Decimal("8")


def test_twenty_five_hours_in_a_cell_is_refused_at_that_cell(member, engagement):
    monday, tuesday = WEEK, WEEK + timedelta(days=1)
    response = member.post(week_url(WEEK), {cell(engagement, monday): "2", cell(engagement, tuesday): "25"})

    assert response.status_code == 200
    assert not TimeEntry.objects.exists()  # not even Monday's 2 hours
    form = response.context["rows"][0].form
    assert form.errors == {f"hours_{tuesday.isoformat()}": [nl("A day has at most 24 hours.")]}
    page = response.content.decode()
    # The message sits at the cell, tied to its input, and what was typed stays.
    assert f'id="id_{cell(engagement, tuesday)}_error"' in page
    assert f'aria-describedby="id_{cell(engagement, tuesday)}_error"' in page
    assert f'name="{cell(engagement, tuesday)}" value="25"' in page
    assert f'name="{cell(engagement, monday)}" value="2"' in page


def test_negative_and_odd_hours_are_refused(member, engagement):
    response = member.post(week_url(WEEK), {cell(engagement, WEEK): "-1"})
    assert response.context["rows"][0].form.errors == {f"hours_{WEEK.isoformat()}": [nl("Hours cannot be negative.")]}
    response = member.post(week_url(WEEK), {cell(engagement, WEEK): "1.1"})
    assert f"hours_{WEEK.isoformat()}" in response.context["rows"][0].form.errors
    assert not TimeEntry.objects.exists()


def test_more_than_the_release_is_refused_with_a_message_on_top(member, engagement):
    response = member.post(week_url(WEEK), {
        cell(engagement, WEEK): "5", cell(engagement, WEEK + timedelta(days=2)): "5",
    })

    assert response.status_code == 200
    assert not TimeEntry.objects.exists()
    assert not Timesheet.objects.exists()
    [message] = response.context["errors_on_top"]
    assert "10" in message and "8" in message
    assert '<div class="form-errors" role="alert">' in response.content.decode()


def test_days_outside_the_engagement_have_no_input(member, member_a, org_b):
    approved_release(member_a, start_date=TODAY - timedelta(days=75), days=365)
    short = EngagementFactory(
        member=member_a.profile, hiring_organisation=org_b, application=None,
        start_date=WEEK + timedelta(days=2), end_date=WEEK + timedelta(days=30),
    )
    page = member.get(week_url(WEEK)).content.decode()
    assert f'name="{cell(short, WEEK)}"' not in page  # Monday is before the start
    assert f'name="{cell(short, WEEK + timedelta(days=2))}"' in page


def test_an_approved_week_is_read_only(member, engagement):
    approved_hours(engagement, WEEK, [6])

    page = member.get(week_url(WEEK)).content.decode()
    assert f'name="{cell(engagement, WEEK)}"' not in page
    assert shown("Approved") in page
    assert shown("This week has been submitted or approved and can no longer be changed.") in page

    response = member.post(week_url(WEEK), {cell(engagement, WEEK): "2"}, follow=True)
    assert shown("This week has been submitted or approved; its hours cannot be changed any more.") in (
        response.content.decode()
    )
    assert TimeEntry.objects.get(engagement=engagement).hours == Decimal("6.00")


def test_submitting_the_week_and_the_month(member, engagement):
    member.post(week_url(WEEK), {cell(engagement, WEEK): "4"})
    year, week, _ = WEEK.isocalendar()
    response = member.post(reverse("invoicing:week_submit", kwargs={"year": year, "week": week}), follow=True)
    page = response.content.decode()
    assert shown("Week %(week)s was submitted for approval.") % {"week": week} in page
    assert Timesheet.objects.get().status == Timesheet.Status.SUBMITTED
    assert shown("Awaiting approval") in page

    later = WEEK + timedelta(days=7)
    member.post(week_url(later), {cell(engagement, later): "3"})
    response = member.post(reverse("invoicing:month_submit"), {"month": f"{later:%Y-%m}"}, follow=True)
    assert Timesheet.objects.get(week_start=later).status == Timesheet.Status.SUBMITTED
    assert response.redirect_chain[-1][1] == 302
    assert "message--success" in response.content.decode()


def test_a_week_that_does_not_exist_is_404(member, engagement):
    assert member.get(reverse("invoicing:week_of", kwargs={"year": 2026, "week": 54})).status_code == 404


# --- The coordinator approves or rejects ---------------------------------------------


@pytest.fixture
def submitted(engagement):
    return approved_hours(engagement, WEEK, [4, 3], status="submitted")


def test_coordinator_approves_from_the_queue(client_for, coordinator_b, submitted, member_a):
    client = client_for(coordinator_b)
    queue = client.get(reverse("invoicing:approval_queue"))
    page = queue.content.decode()
    assert str(member_a.profile) in page
    assert queue.context["page"].object_list[0].total_hours == Decimal("7.00")

    response = client.post(reverse("invoicing:timesheet_approve", kwargs={"pk": submitted.pk}), follow=True)
    assert escape(
        nl("The hours of %(member)s for week %(week)s were approved.")
        % {"member": member_a.profile, "week": WEEK.isocalendar()[1]}
    ) in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Timesheet.Status.APPROVED and submitted.decided_by == coordinator_b
    assert response.context["page"].paginator.count == 0


def test_coordinator_rejects_with_a_reason_and_the_member_corrects(
    client_for, coordinator_b, submitted, member, engagement
):
    client = client_for(coordinator_b)
    url = reverse("invoicing:timesheet_reject", kwargs={"pk": submitted.pk})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert Timesheet.objects.get().status == Timesheet.Status.SUBMITTED

    client.post(url, {"reason": "Dinsdag was een vrije dag."})
    submitted.refresh_from_db()
    assert submitted.status == Timesheet.Status.REJECTED

    page = member.get(week_url(WEEK)).content.decode()
    assert "Dinsdag was een vrije dag." in page
    member.post(week_url(WEEK), {cell(engagement, WEEK): "4"})  # Tuesday emptied
    assert list(TimeEntry.objects.values_list("hours", flat=True)) == [Decimal("4.00")]


def test_only_the_hiring_coordinator_decides(client_for, coordinator_a, hr_a, submitted):
    # HR of the home organisation sees the week but does not decide (403);
    # A's coordinator, not hiring, does not see it at all (404).
    assert client_for(hr_a).post(reverse("invoicing:timesheet_approve", kwargs={"pk": submitted.pk})).status_code == 403
    assert client_for(coordinator_a).get(reverse("invoicing:timesheet_detail", kwargs={"pk": submitted.pk})).status_code == 404
    assert Timesheet.objects.get().status == Timesheet.Status.SUBMITTED


# --- HR and the invoices --------------------------------------------------------------


@pytest.fixture
def draft(engagement):
    approved_hours(engagement, LAST_MONTH_MONDAY, [8, 4])
    [invoice] = run_invoice_month(LAST_MONTH)
    return invoice


def test_hr_approves_a_draft_and_sees_its_number(client_for, hr_a, draft):
    client = client_for(hr_a)
    queue = client.get(reverse("invoicing:invoice_queue"))
    assert draft in queue.context["page"].object_list
    assert f"€ {euro('1020.00')}" in queue.content.decode()  # the line: 12 h × € 85

    response = client.post(reverse("invoicing:invoice_approve", kwargs={"pk": draft.pk}), follow=True)
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.APPROVED
    assert draft.number == f"{TODAY.year}-00001"
    page = response.content.decode()
    assert draft.number in page
    assert f'<span class="invoice-number">{draft.number}</span>' in page
    assert f"€ {euro('1234.20')}" in page  # 12 h × € 85 = 1020.00 + 21 % VAT 214.20


def test_another_organisations_invoice_is_404(client_for, hr_b, coordinator_b, draft):
    # HR of the recipient: a draft is not theirs to see, let alone approve.
    assert client_for(hr_b).get(reverse("invoicing:invoice_detail", kwargs={"pk": draft.pk})).status_code == 404
    assert client_for(hr_b).post(reverse("invoicing:invoice_approve", kwargs={"pk": draft.pk})).status_code == 404
    other_hr = UserFactory()
    membership_grant(actor=None, user=other_hr, organisation=OrganisationFactory(), role=Membership.Role.HR)
    assert client_for(other_hr).post(reverse("invoicing:invoice_approve", kwargs={"pk": draft.pk})).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.DRAFT and draft.number == ""


def test_approving_twice_gives_one_number(client_for, hr_a, draft):
    client = client_for(hr_a)
    url = reverse("invoicing:invoice_approve", kwargs={"pk": draft.pk})
    client.post(url)
    response = client.post(url, follow=True)
    assert shown("This invoice is not a draft any more: it has been approved or rejected already.") in (
        response.content.decode()
    )
    assert Invoice.objects.exclude(number="").count() == 1
    assert InvoiceSequence.objects.get().last_number == 1


def test_hr_rejects_a_draft_with_a_reason(client_for, hr_a, draft):
    client = client_for(hr_a)
    url = reverse("invoicing:invoice_reject", kwargs={"pk": draft.pk})
    assert client.post(url, {"reason": ""}).context["form"].errors["reason"]
    response = client.post(url, {"reason": "Tarief klopt niet."}, follow=True)
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.REJECTED and draft.rejection_reason == "Tarief klopt niet."
    assert response.redirect_chain[-1][0] == reverse("invoicing:invoice_queue")


def test_documents_download_only_when_rendered_and_visible(
    client_for, hr_a, coordinator_b, hr_b, member_a, draft, run_on_commit, settings, tmp_path, mailoutbox
):
    settings.MEDIA_ROOT = tmp_path
    hr = client_for(hr_a)
    pdf_url = reverse("invoicing:invoice_pdf", kwargs={"pk": draft.pk})
    xml_url = reverse("invoicing:invoice_xml", kwargs={"pk": draft.pk})
    assert hr.get(pdf_url).status_code == 404  # a draft has no documents yet

    with run_on_commit():
        hr.post(reverse("invoicing:invoice_approve", kwargs={"pk": draft.pk}))
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.SENT and draft.pdf and draft.xml

    for user in (hr_a, coordinator_b, hr_b):  # issuer's HR, recipient's coordinator and HR
        response = client_for(user).get(pdf_url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert draft.number in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        xml = client_for(user).get(xml_url)
        assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
        assert draft.number.encode() in b"".join(xml.streaming_content)
    # The member (ZPP: the home organisation invoices) and another organisation: 404.
    assert client_for(member_a).get(pdf_url).status_code == 404
    outsider = UserFactory()
    membership_grant(actor=None, user=outsider, organisation=OrganisationFactory(), role=Membership.Role.HR)
    assert client_for(outsider).get(pdf_url).status_code == 404
    assert client_for(outsider).get(xml_url).status_code == 404


def test_mark_paid_and_credit_note(client_for, hr_a, draft):
    client = client_for(hr_a)
    services.invoice_approve(actor=hr_a, invoice=draft)
    response = client.post(
        reverse("invoicing:invoice_mark_paid", kwargs={"pk": draft.pk}), {"paid_on": TODAY.isoformat()}, follow=True
    )
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.PAID and draft.paid_on == TODAY
    assert shown("Invoice %(number)s is marked as paid.") % {"number": draft.number} in response.content.decode()

    [line] = draft.lines.all()
    response = client.post(
        reverse("invoicing:credit_note_create", kwargs={"pk": draft.pk}),
        {"lines": [str(line.pk)], "reason": "Verkeerd tarief", "free_hours": "on"}, follow=True,
    )
    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert note.credited_invoice == draft and note.number == f"{TODAY.year}-00002"
    assert note.total_incl_vat == -draft.total_incl_vat
    assert note.number in response.content.decode()
    # The hours are free again: a new run invoices them anew.
    assert len(run_invoice_month(LAST_MONTH)) == 1


def test_invoice_list_filters_and_overdue_badge(client_for, hr_a, coordinator_b, draft):
    approved = services.invoice_approve(actor=hr_a, invoice=draft)
    Invoice.objects.filter(pk=approved.pk).update(due_date=TODAY - timedelta(days=1))
    response = client_for(coordinator_b).get(reverse("invoicing:invoice_list"), {"direction": "received"})
    page = response.content.decode()
    assert approved.number in page and shown("Overdue") in page
    overdue = client_for(coordinator_b).get(reverse("invoicing:invoice_list"), {"status": "overdue"})
    assert list(overdue.context["page"].object_list) == [approved]
    paid = client_for(coordinator_b).get(reverse("invoicing:invoice_list"), {"status": "paid"})
    assert list(paid.context["page"].object_list) == []
    issued = client_for(coordinator_b).get(reverse("invoicing:invoice_list"), {"direction": "issued"})
    assert list(issued.context["page"].object_list) == []


# --- The invoice run and the overview -------------------------------------------------


def test_invoice_run_started_from_the_page_makes_drafts(client_for, hr_a, org_a, engagement, run_on_commit):
    approved_hours(engagement, LAST_MONTH_MONDAY, [8, 4])
    client = client_for(hr_a)
    with run_on_commit():
        response = client.post(
            reverse("invoicing:invoice_run"), {"month": f"{LAST_MONTH:%Y-%m}", "organisation": org_a.pk}
        )
    assert response.status_code == 302
    run = InvoiceRun.objects.get()
    assert run.status == InvoiceRun.Status.DONE and run.invoices_created == 1
    invoice = Invoice.objects.get()
    assert invoice.status == Invoice.Status.DRAFT and invoice.total_excl_vat == Decimal("1020.00")

    page = client.get(reverse("invoicing:invoice_run")).content.decode()
    assert f'<span class="badge badge--approved">{shown("Done")}</span>' in page
    queue = client.get(reverse("invoicing:invoice_queue"))
    assert list(queue.context["page"].object_list) == [invoice]


def test_hr_cannot_run_for_another_organisation(client_for, hr_a, org_b):
    response = client_for(hr_a).post(
        reverse("invoicing:invoice_run"), {"month": f"{LAST_MONTH:%Y-%m}", "organisation": org_b.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["organisation"]
    assert not InvoiceRun.objects.exists()


def test_csv_export_equals_the_overview(client_for, hr_a, org_a, engagement, draft):
    services.invoice_approve(actor=hr_a, invoice=draft)
    approved_hours(engagement, LAST_MONTH_MONDAY + timedelta(days=7), [2.5])  # approved, not invoiced yet
    client = client_for(hr_a)
    query = {"organisation": org_a.pk, "year": LAST_MONTH.year}

    overview = client.get(reverse("invoicing:hr_overview"), query).context["overview"]
    [uninvoiced] = overview.uninvoiced
    assert (uninvoiced.hours, uninvoiced.amount) == (Decimal("2.50"), Decimal("212.50"))
    [outgoing] = [t for t in overview.totals if t.direction == "outgoing"]
    assert (outgoing.invoices, outgoing.incl_vat) == (1, Decimal("1234.20"))

    response = client.get(reverse("invoicing:hr_overview_csv"), query)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == CSV_HEADER
    assert rows[1:] == [[str(v) for v in row] for row in overview_csv_rows(overview)]
    assert ["uninvoiced_hours", "", engagement.hiring_organisation.name, f"{LAST_MONTH:%Y-%m}", "2.50", "", "212.50", "", ""] in rows
    assert ["unpaid", "", "", "", "", "1", "", "", "1234.20"] in rows


def test_a_refusal_in_one_row_saves_no_row(member, member_a, engagement, org_a):
    """Two engagements in one week: the first row is fine, the second is
    not; the week is saved whole or not at all."""
    second = EngagementFactory(
        member=member_a.profile, hiring_organisation=org_a, application=None,
        start_date=engagement.start_date, end_date=engagement.end_date,
    )
    response = member.post(week_url(WEEK), {cell(engagement, WEEK): "3", cell(second, WEEK): "25"})

    assert not TimeEntry.objects.exists()
    first_row, second_row = response.context["rows"]
    assert not first_row.form.errors
    assert list(second_row.form.errors) == [f"hours_{WEEK.isoformat()}"]
    assert f'name="{cell(engagement, WEEK)}" value="3"' in response.content.decode()


def test_the_engagement_links_to_its_hours(client_for, member, coordinator_b, engagement):
    url = engagement.get_absolute_url()
    week_link = f'<a href="{reverse("invoicing:week")}">{shown("Log and submit your hours for this engagement")}</a>'
    assert week_link in member.get(url).content.decode()
    queue_link = f'<a href="{reverse("invoicing:approval_queue")}">{shown("Hours waiting for your approval")}</a>'
    assert queue_link in client_for(coordinator_b).get(url).content.decode()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: the person's roles and unread count come from the cache after this
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_take_the_same_queries_for_one_row_or_many(client_for, member_a, admin_user, hr_a):
    """The approval queue, HR's queue and the invoice list do not query per row."""
    approved_release(member_a, start_date=TODAY - timedelta(days=75), days=365)

    def add(n):
        """n engagements, each for another organisation: n submitted weeks, n drafts."""
        for _ in range(n):
            e = EngagementFactory(
                member=member_a.profile, hiring_organisation=OrganisationFactory(), application=None,
                start_date=TODAY - timedelta(days=70), end_date=TODAY + timedelta(days=60),
            )
            approved_hours(e, WEEK, [2, 2], status="submitted")
            approved_hours(e, LAST_MONTH_MONDAY, [1, 1])
        assert len(run_invoice_month(LAST_MONTH)) == n

    pages = [
        (client_for(admin_user), reverse("invoicing:approval_queue")),
        (client_for(hr_a), reverse("invoicing:invoice_queue")),
        (client_for(hr_a), reverse("invoicing:invoice_list")),
    ]
    add(1)
    one = [_queries(client, url) for client, url in pages]
    add(3)
    assert Timesheet.objects.filter(status="submitted").count() == 4 and Invoice.objects.count() == 4
    assert [_queries(client, url) for client, url in pages] == one


# --- The Django admin ------------------------------------------------------------------


def test_admin_starts_the_run_for_last_month_without_a_selection(client_for, admin_user, engagement, run_on_commit):
    approved_hours(engagement, LAST_MONTH_MONDAY, [8])
    client = client_for(admin_user)
    with run_on_commit():
        response = client.post(
            reverse("admin:invoicing_invoicerun_changelist"), {"action": "start_run_last_month", "index": "0"},
            follow=True,
        )
    assert response.status_code == 200
    run = InvoiceRun.objects.get()
    assert (run.period_start, run.organisation, run.started_by) == (LAST_MONTH, None, admin_user)
    assert run.status == InvoiceRun.Status.DONE and Invoice.objects.count() == 1


def test_admin_starts_a_run_for_a_chosen_month(client_for, admin_user, org_a):
    client = client_for(admin_user)
    url = reverse("admin:invoicing_invoicerun_start")
    assert client.get(url).status_code == 200
    response = client.post(url, {"month": f"{LAST_MONTH:%Y-%m}", "organisation": org_a.pk})
    assert response.status_code == 302
    assert InvoiceRun.objects.get().organisation == org_a


def test_admin_cannot_change_or_delete_a_numbered_invoice(client_for, admin_user, hr_a, draft):
    services.invoice_approve(actor=hr_a, invoice=draft)
    client = client_for(admin_user)
    change = reverse("admin:invoicing_invoice_change", args=[draft.pk])
    assert client.get(change).status_code == 200  # shown read-only
    assert client.post(change, {"buyer_reference": "PO-1"}).status_code == 403
    assert client.post(reverse("admin:invoicing_invoice_delete", args=[draft.pk]), {"post": "yes"}).status_code == 403
    draft.refresh_from_db()
    assert draft.buyer_reference != "PO-1" and Invoice.objects.filter(pk=draft.pk).exists()


def test_admin_lists_every_invoicing_model(client_for, admin_user, draft):
    client = client_for(admin_user)
    for model in ("timesheet", "timeentry", "invoicerun", "invoicesequence", "invoice", "invoiceline", "invoicelineentry"):
        assert client.get(reverse(f"admin:invoicing_{model}_changelist")).status_code == 200, model
    page = client.get(reverse("admin:invoicing_invoice_change", args=[draft.pk])).content.decode()
    assert 'name="buyer_reference"' in page  # a draft's order reference can still be filled in
