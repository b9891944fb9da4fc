"""The marketplace in one browser journey (issue 3): a coordinator of
Gemeente 's-Hertogenbosch posts and publishes an assignment; Bas Jansen of
Gemeente Eindhoven finds it by a Dutch full-text search and applies; the
coordinator compares the applicants and accepts him; both then see the
engagement.

Every step is screenshotted to ``tests/artifacts/journey-NN-*.png`` and each
distinct page is checked with axe-core (WCAG 2.1 A/AA).

The wording of the Dutch catalogue may change, so the test finds fields by
their ``name`` and buttons by the form they submit (its ``action``), and
asserts on data (titles, names, organisations, hours) rather than on labels.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from members.demo import DEMO_DOMAIN
from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.e2e

COORDINATOR = f"coordinator.denbosch@{DEMO_DOMAIN}"
MEMBER = f"bas.jansen@{DEMO_DOMAIN}"

TITLE = "Projectleider klimaatadaptatie wijkaanpak"
SEARCH = "klimaatadaptatie wijkaanpak"
DESCRIPTION = (
    "De gemeente 's-Hertogenbosch maakt haar wijken klimaatbestendig. Samen met bewoners, "
    "woningcorporaties en het waterschap werk je per wijk een aanpak uit voor hittestress, "
    "wateroverlast en droogte, en je brengt de uitvoering op gang.\n\n"
    "Je werkt twee dagen per week mee in het programmateam Klimaatadaptatie."
)
SKILL = "Klimaatadaptatie"
HOURS = "8"
PLACE = "'s-Hertogenbosch"
MOTIVATION = (
    "In Eindhoven heb ik de wijkaanpak voor hittestress opgezet, van de eerste bewonersavond "
    "tot de uitvoering met de corporaties. Die ervaring breng ik graag naar 's-Hertogenbosch."
)
AVAILABILITY = "Dinsdag en donderdag, vanaf de startdatum."


# --- Small helpers ------------------------------------------------------------------


def goto_ok(page, url: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, (
        f"GET {url} answered {response.status if response else 'nothing'}"
    )
    return response


def assert_dutch_page(page) -> None:
    assert page.locator("html").get_attribute("lang") == "nl", f"{page.url} is not served in Dutch"
    assert page.locator("h1").count() == 1, f"{page.url} has {page.locator('h1').count()} h1 elements"


def success_message(page) -> str:
    message = page.locator(".messages .message--success")
    assert message.count() >= 1, f"no success message on {page.url}"
    return message.first.inner_text()


def submit(page, form, url_pattern: str):
    """Click the form's (first) submit button and wait for the page the
    server redirects to; a form that comes back with errors fails here with
    those errors in the message."""
    form.locator("[type=submit]").first.click()
    try:
        page.wait_for_url(re.compile(url_pattern), wait_until="load")
    except Exception:
        errors = page.locator(".form-errors, .errorlist, .messages").all_inner_texts()
        screenshot(page, "journey-FAILED-submit")
        raise AssertionError(f"submitting the form on {page.url} did not lead to {url_pattern}: {errors}")


def logout(page, site: str) -> None:
    page.locator(".site-nav form[action$='/logout/'] [type=submit]").click()
    page.wait_for_url(f"{site}/", wait_until="load")
    assert page.locator(".site-nav a[href='/account/login/']").count() == 1, "still logged in"


def assert_no_warning(page) -> None:
    warnings = page.locator("main .message--warning").all_inner_texts()
    assert not warnings, f"unexpected warning on {page.url}: {warnings}"


def table_row(page, text: str):
    row = page.locator("main table tbody tr", has_text=text)
    assert row.count() == 1, f"expected one row with {text!r} on {page.url}, found {row.count()}"
    return row


# --- The journey -------------------------------------------------------------------


def test_publish_find_apply_accept_engagement(page, site, login):
    from marketplace.models import Application, Assignment, Engagement
    from members.models import Organisation, User

    hiring = Organisation.objects.get(slug="s-hertogenbosch")
    home = Organisation.objects.get(slug="eindhoven")
    bas = User.objects.get(email=MEMBER)
    bas_name = bas.get_full_name()  # "Bas Jansen"

    today = timezone.localdate()
    start, end, deadline = today + timedelta(days=14), today + timedelta(days=120), today + timedelta(days=10)

    # 1. The coordinator posts the assignment (a draft) and publishes it. ----------
    login(COORDINATOR)
    goto_ok(page, f"{site}/opdrachten/nieuw/")
    assert_dutch_page(page)
    assert_accessible(page, "journey-01-assignment-form")

    form = page.locator("main form[method=post]")
    form.locator("[name=title]").fill(TITLE)
    form.locator("[name=description]").fill(DESCRIPTION)
    form.locator("#id_required_skills label", has_text=re.compile(rf"^\s*{SKILL}\s*$")).locator(
        "input[type=checkbox]"
    ).check()
    form.locator("[name=hours_per_week]").fill(HOURS)
    form.locator("[name=positions]").fill("1")
    form.locator("[name=start_date]").fill(start.isoformat())
    form.locator("[name=end_date]").fill(end.isoformat())
    form.locator("[name=place]").fill(PLACE)
    form.locator("[name=work_mode][value=hybrid]").check()
    form.locator("[name=application_deadline]").fill(deadline.isoformat())
    # The contact comes pre-filled with the coordinator; keep it.
    assert form.locator("[name=contact_email]").input_value() == COORDINATOR
    assert form.locator("[name=contact_name]").input_value().strip()
    screenshot(page, "journey-02-assignment-form-filled")
    submit(page, form, r"/opdrachten/\d+/$")

    pk = int(re.search(r"/opdrachten/(\d+)/$", page.url).group(1))
    assignment = Assignment.objects.get(pk=pk)
    assert assignment.title == TITLE
    assert assignment.status == Assignment.Status.DRAFT
    assert assignment.organisation == hiring
    assert list(assignment.required_skills.values_list("name", flat=True)) == [SKILL]
    success_message(page)
    assert TITLE in page.locator("h1").inner_text()
    assert page.locator("main .badge--draft").count() >= 1
    assert_accessible(page, "journey-03-assignment-draft")

    page.locator(f"form[action='/opdrachten/{pk}/publiceren/'] [type=submit]").click()
    page.wait_for_url(f"{site}/opdrachten/{pk}/", wait_until="load")
    success_message(page)
    assert page.locator("main .badge--published").count() >= 1
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.PUBLISHED
    assert_accessible(page, "journey-04-assignment-published")
    logout(page, site)

    # 2. Bas (another organisation) finds it by searching and applies. --------------
    login(MEMBER)
    page.locator(".site-nav a[href='/opdrachten/']").click()
    page.wait_for_url(f"{site}/opdrachten/", wait_until="load")
    search_form = page.locator("main form[role=search]")
    search_form.locator("[name=q]").fill(SEARCH)
    search_form.locator("[type=submit]").click()
    page.wait_for_url(re.compile(r"/opdrachten/\?.*q=klimaatadaptatie"), wait_until="load")
    assert_dutch_page(page)
    result = page.locator("main article.card", has=page.locator(f"a[href='/opdrachten/{pk}/']"))
    assert result.count() == 1, f"the search for {SEARCH!r} did not find the assignment"
    assert TITLE in result.inner_text()
    assert hiring.name in result.inner_text()
    assert SKILL in result.locator("ul.tags").inner_text()
    assert page.locator("#result-count").inner_text().strip()
    assert_accessible(page, "journey-05-search-results")

    result.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{site}/opdrachten/{pk}/", wait_until="load")
    assert_dutch_page(page)
    assert TITLE in page.locator("h1").inner_text()
    main = page.locator("main").inner_text()
    assert hiring.name in main
    assert "klimaatbestendig" in main  # the description
    # A member may not manage another organisation's assignment.
    assert page.locator(f"form[action='/opdrachten/{pk}/publiceren/']").count() == 0
    assert page.locator(f"a[href='/opdrachten/{pk}/bewerken/']").count() == 0
    assert_accessible(page, "journey-06-assignment-detail-member")

    page.locator(f"main a[href='/opdrachten/{pk}/reageren/']").click()
    page.wait_for_url(f"{site}/opdrachten/{pk}/reageren/", wait_until="load")
    assert_dutch_page(page)
    assert TITLE in page.locator("h1").inner_text()
    # Bas's release covers 8 hours a week: no warning.
    assert_no_warning(page)
    assert_accessible(page, "journey-07-application-form")

    form = page.locator("main form[method=post]")
    form.locator("[name=motivation]").fill(MOTIVATION)
    form.locator("[name=availability]").fill(AVAILABILITY)
    if form.locator("[name=proposed_rate]").count():  # only in the ZZP variant
        if not form.locator("[name=proposed_rate]").input_value():
            form.locator("[name=proposed_rate]").fill("85")
    screenshot(page, "journey-08-application-form-filled")
    submit(page, form, r"/reacties/\d+/$")
    application_pk = int(re.search(r"/reacties/(\d+)/$", page.url).group(1))
    assert hiring.name in success_message(page)
    assert "hittestress opgezet" in page.locator("main").inner_text()  # the motivation
    assert page.locator("main .badge--submitted").count() >= 1
    assert_accessible(page, "journey-09-application-sent")

    application = Application.objects.get(pk=application_pk)
    assert application.assignment_id == pk and application.member.user == bas
    assert application.status == Application.Status.SUBMITTED

    page.locator(".site-nav a[href='/reacties/']").click()
    page.wait_for_url(f"{site}/reacties/", wait_until="load")
    assert_dutch_page(page)
    row = table_row(page, TITLE)
    assert hiring.name in row.inner_text()
    assert row.locator(".badge--submitted").count() == 1
    assert row.locator(f"a[href='/reacties/{application_pk}/']").count() == 1
    assert_accessible(page, "journey-10-my-applications")
    logout(page, site)

    # 3. The coordinator compares the applicants and accepts Bas. -------------------
    login(COORDINATOR)
    page.locator(".site-nav a[href='/reacties/inbox/']").click()
    page.wait_for_url(f"{site}/reacties/inbox/", wait_until="load")
    assert_dutch_page(page)
    row = table_row(page, bas_name)
    assert home.name in row.inner_text() and TITLE in row.inner_text()
    assert row.locator(".badge--submitted").count() == 1
    assert_accessible(page, "journey-11-inbox")

    row.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{site}/opdrachten/{pk}/", wait_until="load")
    page.locator(f"main a[href='/opdrachten/{pk}/vergelijken/']").click()
    page.wait_for_url(f"{site}/opdrachten/{pk}/vergelijken/", wait_until="load")
    assert_dutch_page(page)
    row = table_row(page, bas_name)
    cells = row.inner_text()
    assert home.name in cells
    assert SKILL in cells  # the required skill he has (or lacks) is named
    assert_accessible(page, "journey-12-compare")

    row.locator(f"a[href='/reacties/{application_pk}/aannemen/']").click()
    page.wait_for_url(f"{site}/reacties/{application_pk}/aannemen/", wait_until="load")
    assert_dutch_page(page)
    terms = page.locator("main .card dl").inner_text()
    assert bas_name in terms and home.name in terms
    assert_no_warning(page)
    form = page.locator("main form[method=post]")
    assert form.locator("[name=vat_treatment][value=standard]").is_checked(), "21 % VAT is not the default"
    assert_accessible(page, "journey-13-accept-form")

    submit(page, form, r"/inzet/\d+/$")
    engagement_pk = int(re.search(r"/inzet/(\d+)/$", page.url).group(1))
    assert bas_name in success_message(page)
    assert_dutch_page(page)
    heading = page.locator("h1").inner_text()
    assert bas_name in heading and hiring.name in heading
    main = page.locator("main").inner_text()
    assert TITLE in main and home.name in main
    assert_accessible(page, "journey-14-engagement-detail-coordinator")

    engagement = Engagement.objects.get(pk=engagement_pk)
    assert engagement.member.user == bas
    assert engagement.hiring_organisation == hiring and engagement.home_organisation == home
    assert engagement.assignment_id == pk and engagement.application_id == application_pk
    assert engagement.hours_per_week == 8
    assert engagement.vat_treatment == Engagement.VatTreatment.STANDARD
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED

    # 4. Both see the engagement. ------------------------------------------------------
    page.locator(".site-nav a[href='/inzet/']").click()
    page.wait_for_url(f"{site}/inzet/", wait_until="load")
    assert_dutch_page(page)
    assert_engagement_row(page, engagement_pk, bas_name, hiring.name, home.name)
    assert_accessible(page, "journey-15-engagements-coordinator")
    logout(page, site)

    login(MEMBER)
    page.locator(".site-nav a[href='/inzet/']").click()
    page.wait_for_url(f"{site}/inzet/", wait_until="load")
    assert_dutch_page(page)
    assert_engagement_row(page, engagement_pk, bas_name, hiring.name, home.name)
    assert_accessible(page, "journey-16-engagements-member")

    page.locator(f"main a[href='/inzet/{engagement_pk}/']").click()
    page.wait_for_url(f"{site}/inzet/{engagement_pk}/", wait_until="load")
    heading = page.locator("h1").inner_text()
    assert bas_name in heading and hiring.name in heading
    assert TITLE in page.locator("main").inner_text()
    assert_accessible(page, "journey-17-engagement-detail-member")

    page.locator(".site-nav a[href='/reacties/']").click()
    page.wait_for_url(f"{site}/reacties/", wait_until="load")
    assert table_row(page, TITLE).locator(".badge--accepted").count() == 1
    screenshot(page, "journey-18-my-applications-accepted")


def assert_engagement_row(page, engagement_pk: int, member: str, hiring: str, home: str) -> None:
    row = page.locator("main table tbody tr", has=page.locator(f"a[href='/inzet/{engagement_pk}/']"))
    assert row.count() == 1, f"the engagement is not listed on {page.url}"
    cells = [text.strip() for text in row.locator("th, td").all_inner_texts()]
    assert cells[0] == member, cells
    assert TITLE in cells, cells
    assert hiring in cells and home in cells, cells
    assert HOURS in cells, cells  # hours per week
