"""Hours to invoice in one browser journey (issue 4): Bas Jansen of Gemeente
Eindhoven, working for Gemeente 's-Hertogenbosch, logs a week of last month
and submits it; the coordinator of 's-Hertogenbosch approves it; HR of
Eindhoven starts the invoice run for last month from the page, finds the
draft, approves it and downloads the PDF, which carries the invoice number.

Every page is screenshotted to ``tests/artifacts/invoicing-NN-*.png`` and
checked with axe-core (WCAG 2.1 A/AA). As in the marketplace journey, fields
are found by ``name`` and buttons by the form they submit, and assertions
are on data (hours, numbers, names), not on the wording of the catalogue.
"""

import re
import shutil
import subprocess
import zlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from members.demo import DEMO_DOMAIN
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.test_marketplace_journey import assert_dutch_page, goto_ok, logout, submit, success_message

pytestmark = pytest.mark.e2e

MEMBER = f"bas.jansen@{DEMO_DOMAIN}"
COORDINATOR = f"coordinator.denbosch@{DEMO_DOMAIN}"
HR = f"hr.eindhoven@{DEMO_DOMAIN}"
DESCRIPTION = "Bewonersavond wijkaanpak hittestress"


def pdf_shows(pdf: bytes, text: str) -> bool:
    """Whether a reader of the PDF sees ``text``: the PDF's text through
    poppler's pdftotext or pypdf when installed; else the document's title
    (WeasyPrint writes the HTML <title> into the compressed PDF metadata)."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        return text in " ".join(out.decode().split())
    try:
        from pypdf import PdfReader
    except ImportError:
        pass
    else:
        import io

        return any(text in (p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages)
    inflated = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            inflated.append(stream)
    titles = re.findall(rb"/Title \((.*?)\)", pdf + b"".join(inflated))
    return any(text.encode() in title for title in titles)


def test_log_approve_run_approve_download(page, site, login):
    from invoicing.models import Invoice, InvoiceRun, Timesheet, TimeEntry
    from marketplace.models import Engagement
    from members.models import Organisation, User
    from tests.factories import approved_release

    hiring = Organisation.objects.get(slug="s-hertogenbosch")
    home = Organisation.objects.get(slug="eindhoven")
    bas = User.objects.get(email=MEMBER)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    monday = last_month + timedelta(days=(7 - last_month.weekday()) % 7)  # Monday and Tuesday in last month
    tuesday = monday + timedelta(days=1)
    year, week, _ = monday.isocalendar()
    approved_release(bas, start_date=last_month - timedelta(days=30), days=365)
    engagement = Engagement.objects.create(
        member=bas.profile, hiring_organisation=hiring, home_organisation=home, variant="zpp",
        agreed_rate=Decimal("87.50"), hours_per_week=Decimal("8"),
        start_date=last_month - timedelta(days=14), end_date=today + timedelta(days=60),
    )

    # 1. Bas logs his hours for the week and submits it. -------------------------------
    login(MEMBER)
    page.locator(".site-nav a[href='/uren/']").click()
    page.wait_for_url(f"{site}/uren/", wait_until="load")
    assert_dutch_page(page)
    assert_accessible(page, "invoicing-01-my-hours-this-week")

    week_url = f"{site}/uren/{year}/week/{week}/"
    goto_ok(page, week_url)
    form = page.locator("main form[method=post]").first
    form.locator(f"[name='e{engagement.pk}-hours_{monday.isoformat()}']").fill("4")
    form.locator(f"[name='e{engagement.pk}-description_{monday.isoformat()}']").fill(DESCRIPTION)
    form.locator(f"[name='e{engagement.pk}-hours_{tuesday.isoformat()}']").fill("3.5")
    screenshot(page, "invoicing-02-week-filled")
    submit(page, form, re.escape(f"/uren/{year}/week/{week}/") + "$")
    success_message(page)
    assert form.locator(f"[name='e{engagement.pk}-hours_{tuesday.isoformat()}']").input_value() == "3.5"
    assert sorted(TimeEntry.objects.filter(engagement=engagement).values_list("hours", flat=True)) == [
        Decimal("3.50"), Decimal("4.00")
    ]
    assert_accessible(page, "invoicing-03-week-saved")

    page.locator(f"form[action='/uren/{year}/week/{week}/indienen/'] [type=submit]").click()
    page.wait_for_url(week_url, wait_until="load")
    success_message(page)
    assert page.locator("main .badge--submitted").count() == 1
    # Submitted hours cannot be changed any more.
    assert page.locator(f"[name='e{engagement.pk}-hours_{monday.isoformat()}']").count() == 0
    assert_accessible(page, "invoicing-04-week-submitted")
    timesheet = Timesheet.objects.get(engagement=engagement)
    assert timesheet.status == Timesheet.Status.SUBMITTED
    logout(page, site)

    # 2. The coordinator of 's-Hertogenbosch approves the week. ------------------------
    login(COORDINATOR)
    page.locator(".site-nav a[href='/uren/goedkeuren/']").click()
    page.wait_for_url(f"{site}/uren/goedkeuren/", wait_until="load")
    assert_dutch_page(page)
    card = page.locator("main section.card", has=page.locator(f"a[href='/uren/weekstaat/{timesheet.pk}/']"))
    assert card.count() == 1
    text = card.inner_text()
    assert bas.get_full_name() in text and DESCRIPTION in text and "7,50" in text
    assert_accessible(page, "invoicing-05-approval-queue")
    card.locator(f"form[action='/uren/weekstaat/{timesheet.pk}/goedkeuren/'] [type=submit]").click()
    page.wait_for_url(f"{site}/uren/goedkeuren/", wait_until="load")
    assert bas.get_full_name() in success_message(page)
    timesheet.refresh_from_db()
    assert timesheet.status == Timesheet.Status.APPROVED
    logout(page, site)

    # 3. HR of Eindhoven runs the invoicing for last month from the page. -----------------
    login(HR)
    page.locator(".site-nav a[href='/facturen/']").click()
    page.wait_for_url(f"{site}/facturen/", wait_until="load")
    assert_dutch_page(page)
    assert_accessible(page, "invoicing-06-invoice-list")
    page.locator("main a[href='/facturen/factuurrun/']").first.click()
    page.wait_for_url(f"{site}/facturen/factuurrun/", wait_until="load")
    form = page.locator("main form[method=post]")
    assert form.locator("[name=month]").input_value() == f"{last_month:%Y-%m}"
    assert form.locator("[name=organisation]").input_value() == str(home.pk)
    assert_accessible(page, "invoicing-07-invoice-run-form")
    submit(page, form, r"/facturen/factuurrun/$")
    success_message(page)
    run = InvoiceRun.objects.get()
    assert run.status == InvoiceRun.Status.DONE and run.invoices_created == 1
    assert page.locator("main table tbody tr .badge--approved").count() == 1  # the run is done
    assert_accessible(page, "invoicing-08-invoice-run-done")

    draft = Invoice.objects.get(issuer_organisation=home, recipient=hiring)
    assert draft.status == Invoice.Status.DRAFT
    assert draft.total_excl_vat == Decimal("656.25")  # 7.5 h × € 87.50

    # 4. HR approves the draft: it gets its number, and the PDF downloads. -------------
    page.locator("main a[href='/facturen/te-keuren/']").first.click()
    page.wait_for_url(f"{site}/facturen/te-keuren/", wait_until="load")
    card = page.locator("main section.card", has=page.locator(f"a[href='/facturen/{draft.pk}/']"))
    assert card.count() == 1
    assert hiring.name in card.inner_text() and "656,25" in card.inner_text()
    assert_accessible(page, "invoicing-09-invoice-queue")
    card.locator(f"form[action='/facturen/{draft.pk}/goedkeuren/'] [type=submit]").click()
    page.wait_for_url(f"{site}/facturen/{draft.pk}/", wait_until="load")
    success_message(page)
    draft.refresh_from_db()
    assert draft.number == f"{today.year}-00001"
    assert draft.status == Invoice.Status.SENT  # rendered and e-mailed after approval
    assert page.locator("main h1 .invoice-number").inner_text() == draft.number
    assert_accessible(page, "invoicing-10-invoice-approved")

    with page.expect_download() as download_info:
        page.locator(f"main a[href='/facturen/{draft.pk}/pdf/']").click()
    download = download_info.value
    assert draft.number in download.suggested_filename and download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    assert pdf_shows(pdf, draft.number), f"the PDF does not show {draft.number}"

    # The recipient sees the same invoice, numbered, in its list.
    logout(page, site)
    login(COORDINATOR)
    goto_ok(page, f"{site}/facturen/?direction=received")
    row = page.locator("main table tbody tr", has=page.locator(f"a[href='/facturen/{draft.pk}/']"))
    assert row.count() == 1 and draft.number in row.inner_text() and home.name in row.inner_text()
    assert_accessible(page, "invoicing-11-received-invoices")
