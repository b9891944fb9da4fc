"""Training in one browser journey (issue 5): a session of "Pitchen" has one
seat, taken by Anne de Vries. Bas Jansen finds the module in the
catalogue, enrols, and lands on the waiting list. Anne cancels; Bas moves
up at once, gets an e-mail, and sees on "My training" that he is enrolled.

Every step is screenshotted to ``tests/artifacts/training-NN-*.png`` and
each page is checked with axe-core (WCAG 2.1 A/AA). Like the marketplace
journey, the test finds things by URL, form action and CSS class, not by
(translated) wording.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.demo import DEMO_DOMAIN
from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.e2e

WAITING = f"bas.jansen@{DEMO_DOMAIN}"
SEATED = f"anne.devries@{DEMO_DOMAIN}"
TITLE = "Pitchen in de praktijk"


def goto_ok(page, url):
    response = page.goto(url)
    assert response is not None and response.status == 200, f"GET {url}"
    assert page.locator("h1").count() == 1


def message(page, kind: str) -> str:
    found = page.locator(f".messages .message--{kind}")
    assert found.count() >= 1, f"no {kind} message on {page.url}: {page.locator('.messages').all_inner_texts()}"
    return found.first.inner_text()


def logout(page, site):
    page.locator(".site-nav form[action$='/logout/'] [type=submit]").click()
    page.wait_for_url(f"{site}/", wait_until="load")


def my_row(page):
    row = page.locator("main table tbody tr", has_text=TITLE)
    assert row.count() == 1, f"{TITLE!r} is not listed once on {page.url}"
    return row


def test_waiting_list_and_moving_up(page, site, login):
    from members.models import User
    from tests.factories import ModuleFactory, SessionFactory
    from training import services
    from training.models import Enrolment

    bas, anne = User.objects.get(email=WAITING), User.objects.get(email=SEATED)
    start = timezone.localtime().replace(hour=13, minute=30, second=0, microsecond=0) + timedelta(days=20)
    module = ModuleFactory(
        title=TITLE, track="networking_acquisition", level="intermediate",
        levels=["starter", "experienced", "entrepreneur"], provider_name="Mobiliteitscentrum Brabant",
    )
    session = SessionFactory(
        module=module, capacity=1, starts_at=start, ends_at=start + timedelta(hours=3),
        enrolment_deadline=start - timedelta(days=3), location="Provinciehuis, 's-Hertogenbosch",
    )
    services.enrolment_create(actor=anne, session=session)
    session_path = f"/opleidingen/sessies/{session.pk}/"

    # 1. Bas finds the module and joins the waiting list. -------------------------------------
    login(WAITING)
    page.locator(".site-nav a[href='/opleidingen/mijn/']").click()
    page.wait_for_url(f"{site}/opleidingen/mijn/", wait_until="load")
    assert_accessible(page, "training-01-my-training-empty")

    goto_ok(page, f"{site}/opleidingen/")
    card = page.locator("main article.card", has=page.locator(f"a[href='/opleidingen/{module.pk}/']"))
    assert card.count() == 1 and TITLE in card.inner_text()
    assert_accessible(page, "training-02-catalogue")

    card.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{site}/opleidingen/{module.pk}/", wait_until="load")
    row = page.locator("main table tbody tr", has=page.locator(f"a[href='{session_path}']"))
    assert row.count() == 1
    assert "1" in row.inner_text()  # 1 of 1 seats taken
    assert row.locator(f"form[action='{session_path}inschrijven/']").count() == 1
    assert_accessible(page, "training-03-module-full-session")

    row.locator(f"form[action='{session_path}inschrijven/'] [type=submit]").click()
    page.wait_for_url(f"{site}/opleidingen/{module.pk}/", wait_until="load")  # back where he was
    assert " 1 " in message(page, "warning")  # number 1 on the waiting list
    row = page.locator("main table tbody tr", has=page.locator(f"a[href='{session_path}']"))
    assert row.locator(".badge--requested").count() == 1
    assert_accessible(page, "training-04-module-waiting")

    row.locator(f"a[href='{session_path}']").click()
    page.wait_for_url(f"{site}{session_path}", wait_until="load")
    assert page.locator("main .badge--requested").count() == 1
    assert_accessible(page, "training-04b-session-waiting")
    enrolment = Enrolment.objects.get(member__user=bas, session=session)
    assert enrolment.status == Enrolment.Status.WAITING and enrolment.waitlist_position == 1

    page.locator(".site-nav a[href='/opleidingen/mijn/']").click()
    page.wait_for_url(f"{site}/opleidingen/mijn/", wait_until="load")
    assert my_row(page).locator(".badge--requested").count() == 1
    assert_accessible(page, "training-05-my-training-waiting")
    logout(page, site)

    # 2. Anne cancels her seat. ------------------------------------------------------------------
    mail.outbox.clear()
    login(SEATED)
    page.locator(".site-nav a[href='/opleidingen/mijn/']").click()
    page.wait_for_url(f"{site}/opleidingen/mijn/", wait_until="load")
    row = my_row(page)
    assert row.locator(".badge--approved").count() == 1
    assert_accessible(page, "training-06-my-training-seated")
    row.locator("form[action*='/opleidingen/inschrijvingen/'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/opleidingen/mijn/$"), wait_until="load")
    message(page, "success")
    assert page.locator("main table tbody tr", has_text=TITLE).count() == 0
    assert_accessible(page, "training-07-my-training-cancelled")
    logout(page, site)

    # 3. Bas moved up, was told by e-mail, and sees it. ------------------------------------------
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED and enrolment.promoted_at is not None
    assert [m.to for m in mail.outbox] == [[WAITING]]
    assert TITLE in mail.outbox[0].body and session_path in mail.outbox[0].body

    login(WAITING)
    notifications = page.locator(f".site-nav a[href='{reverse('members:notification_list')}']")
    assert "(1" in notifications.inner_text()  # one unread: the seat
    page.locator(".site-nav a[href='/opleidingen/mijn/']").click()
    page.wait_for_url(f"{site}/opleidingen/mijn/", wait_until="load")
    row = my_row(page)
    assert row.locator(".badge--approved").count() == 1 and row.locator(".badge--requested").count() == 0
    assert_accessible(page, "training-08-my-training-promoted")

    row.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{site}{session_path}", wait_until="load")
    assert page.locator("main .badge--approved").count() >= 1
    screenshot(page, "training-09-session-enrolled")


def test_training_coordinator_pages_are_accessible(page, site, login):
    """The demo programme (training/demo.py), seen by the training
    coordinator: every page she works with passes axe-core."""
    from training.demo import seed_training
    from training.models import Module, Session

    seed_training()
    full = next(s for s in Session.objects.order_by("starts_at") if s.enrolments.filter(status="waiting").exists())
    module = Module.objects.get(title="Ontdek je talent")
    login(f"training@{DEMO_DOMAIN}")
    page.locator(".site-nav a[href='/opleidingen/beheer/']").click()
    page.wait_for_url(f"{site}/opleidingen/beheer/", wait_until="load")
    assert page.locator("main table tbody tr").count() >= 8
    assert_accessible(page, "training-coordinator-01-manage")
    for path, name in [
        (f"/opleidingen/sessies/{full.pk}/deelnemers/", "training-coordinator-02-enrolments"),
        (f"/opleidingen/{module.pk}/", "training-coordinator-03-module"),
        (f"/opleidingen/{module.pk}/bewerken/", "training-coordinator-04-module-form"),
        (f"/opleidingen/{module.pk}/sessies/nieuw/", "training-coordinator-05-session-form"),
        (f"/opleidingen/sessies/{full.pk}/annuleren/", "training-coordinator-06-session-cancel"),
        ("/opleidingen/certificaten/controleren/", "training-coordinator-07-verify"),
    ]:
        goto_ok(page, f"{site}{path}")
        assert_accessible(page, name)

    # A form sent back with errors is accessible too.
    goto_ok(page, f"{site}/opleidingen/{module.pk}/sessies/nieuw/")
    form = page.locator("main form[method=post]")
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    assert page.locator(".field--error").count() >= 1
    assert_accessible(page, "training-coordinator-08-session-form-errors")
