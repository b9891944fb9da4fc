"""Every demo persona logs in through the real login form, lands on their
home page, and the pages they use are free of WCAG 2.1 A/AA violations
(axe-core). Later issues add their pages here."""

import pytest
from django.utils import translation

from members.demo import DEMO_DOMAIN, DEMO_LOGINS
from tests.e2e.conftest import assert_accessible, axe_violations, format_violations, screenshot

pytestmark = pytest.mark.e2e

HR_ORG = "s-hertogenbosch"

# What each persona's home page must show besides their name: English msgids,
# looked up in the Dutch catalogue at test time (so wording can change), and
# links their role brings along in the navigation.
ROLE_TEXT = {
    "anne.devries": (["My release", "My profile", "Edit my profile"], ["/vrijstellingen/"]),
    "bas.jansen": (["My release", "My profile", "Edit my profile"], ["/vrijstellingen/"]),
    "coordinator.denbosch": (["My organisations"], ["/organisaties/"]),
    "coordinator.eindhoven": (["My organisations"], ["/organisaties/"]),
    "hr.denbosch": (["Waiting for HR", "Release requests"], ["/hr/vrijstellingen/"]),
    "hr.eindhoven": (["Waiting for HR", "Release requests"], ["/hr/vrijstellingen/"]),
    "programma": (["All participating organisations"], ["/organisaties/"]),
    "training": (["Training management"], ["/opleidingen/beheer/"]),
    "beheer": (["All participating organisations", "Administration"], ["/beheer/"]),
}


def dutch(msgid: str) -> str:
    with translation.override("nl"):
        text = str(translation.gettext(msgid))
    assert text != msgid, f"{msgid!r} has no Dutch translation (locale/nl/LC_MESSAGES/django.mo)"
    return text


def goto_ok(page, url: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, (
        f"GET {url} answered {response.status if response else 'nothing'}"
    )
    assert page.locator("html").get_attribute("lang") == "nl", f"{url} is not served in Dutch"
    return response


def test_anonymous_home_and_login_page(page, site):
    goto_ok(page, f"{site}/")
    assert page.locator("h1").count() == 1
    assert page.get_by_role("link", name=dutch("Log in")).first.is_visible()
    assert_accessible(page, "anonymous-home")

    goto_ok(page, f"{site}/account/login/")
    assert page.get_by_label("E-mail", exact=False).first.is_visible()
    assert page.locator("input[name=password]").is_visible()
    assert_accessible(page, "anonymous-login")


def test_axe_harness_reports_violations(page, site):
    """Guard against a silently passing harness: on a real page of the site
    (under its Content-Security-Policy) axe must see a planted violation."""
    goto_ok(page, f"{site}/")
    page.evaluate(
        """() => {
            const img = document.createElement('img');
            img.src = '/static/img/logo.svg';
            document.querySelector('main').appendChild(img);
        }"""
    )
    violations = axe_violations(page)
    assert "image-alt" in {v["id"] for v in violations}, format_violations(violations)


def test_keyboard_and_small_screen(page, site):
    """The skip link is the first thing the keyboard reaches, and the public
    pages reflow to 320 CSS pixels without sideways scrolling (WCAG 1.4.10)."""
    goto_ok(page, f"{site}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/account/login/"):
        goto_ok(page, f"{site}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        screenshot(page, f"small-screen{path.replace('/', '-').rstrip('-') or '-home'}")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px wide"


def test_login_with_wrong_password_is_accessible(page, site):
    goto_ok(page, f"{site}/account/login/")
    page.locator("input[name=login]").fill(DEMO_LOGINS[0][1])
    page.locator("input[name=password]").fill("niet-het-wachtwoord")
    page.locator("form:has(input[name=password]) [type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.url.startswith(f"{site}/account/login/")
    assert_accessible(page, "anonymous-login-error")


@pytest.mark.parametrize(
    "label,email", DEMO_LOGINS, ids=[email.split("@")[0] for _, email in DEMO_LOGINS]
)
def test_persona_home(page, site, login, label, email):
    from members.models import User

    user = User.objects.get(email=email)
    login(email)

    assert page.url == f"{site}/"
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").count() == 1
    who = page.locator(".site-nav .who")
    assert who.inner_text().strip() == (user.get_full_name() or user.email)
    assert user.first_name in page.locator("h1").inner_text()

    local = email.split("@")[0]
    texts, links = ROLE_TEXT[local]
    for href in links:
        assert page.locator(f"a[href='{href}']").count() >= 1, f"{label}: no link to {href}"
    body = page.locator("main").inner_text() + "\n" + page.locator("nav").inner_text()

    assert_accessible(page, f"home-{local}")

    goto_ok(page, f"{site}/organisaties/")
    assert page.locator("h1").count() == 1
    assert_accessible(page, f"organisations-{local}")

    # Last, so a missing translation does not hide accessibility findings.
    for msgid in texts:
        assert dutch(msgid) in body, f"{label}: expected {dutch(msgid)!r} on the home page"


def test_member_pages(page, site, login):
    login(DEMO_LOGINS[0][1])  # Anne de Vries, ZPP'er of 's-Hertogenbosch
    for path, name in [
        ("/profiel/bewerken/", "member-profile-edit"),
        ("/vrijstellingen/", "member-releases"),
        ("/vrijstellingen/aanvragen/", "member-release-request"),
    ]:
        goto_ok(page, f"{site}{path}")
        assert page.locator("h1").count() == 1, path
        assert_accessible(page, name)


def test_release_request_with_errors_is_accessible(page, site, login):
    login(DEMO_LOGINS[0][1])
    goto_ok(page, f"{site}/vrijstellingen/aanvragen/")
    form = page.locator("main form[method=post]").last
    for field in form.locator(
        "input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]), textarea"
    ).all():
        field.fill("")
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    assert page.url == f"{site}/vrijstellingen/aanvragen/", "an empty request must not be accepted"
    assert page.locator(".form-errors").is_visible()
    assert page.locator(".field--error").count() >= 1
    # Every field in error says so to assistive technology.
    for field in page.locator(".field--error").locator("input, select, textarea").all():
        assert field.get_attribute("aria-invalid") == "true"
    assert_accessible(page, "member-release-request-errors")


def test_hr_pages(page, site, login):
    login(f"hr.denbosch@{DEMO_DOMAIN}")
    for path, name in [
        ("/hr/vrijstellingen/", "hr-release-queue"),
        (f"/organisaties/{HR_ORG}/uitnodigingen/", "hr-invitations"),
        (f"/organisaties/{HR_ORG}/bewerken/", "hr-organisation-edit"),
        (f"/organisaties/{HR_ORG}/mensen/", "hr-organisation-people"),
    ]:
        goto_ok(page, f"{site}{path}")
        assert page.locator("h1").count() == 1, path
        assert_accessible(page, name)
