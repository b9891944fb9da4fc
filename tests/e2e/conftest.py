"""Browser journeys: Python Playwright (sync API) driving Debian's Chromium
against pytest-django's live server, with axe-core for accessibility
(ARCHITECTURE §6).

* One browser for the whole session; a fresh context (cookies, storage) and
  page per test.
* Without /usr/bin/chromium the e2e tests are skipped, except under
  ``CI=true``, where a missing browser is a failure.
* Screenshots go to ``tests/artifacts/`` (git-ignored).
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; without this,
# Django refuses ORM calls made from the test (seeding, look-ups) afterwards.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Generous for a loaded 2-core machine, still far below pytest's patience.
TIMEOUT_MS = 15_000


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    """Everything under tests/e2e is an ``e2e`` test (``-m 'not e2e'`` skips it)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


# --- Browser ---------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: the browser tests need Debian's chromium (apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - dependency is pinned
        if _in_ci():
            pytest.fail(f"CI=true and playwright is not importable: {error}", pytrace=False)
        pytest.skip(f"playwright is not installed: {error}")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test, with a Dutch-speaking browser
    (as a Brabant civil servant's would be)."""
    context = browser.new_context(
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed and not page.is_closed():
            try:
                page.screenshot(path=ARTIFACTS / f"FAILED-{_slug(request.node.name)}.png", full_page=True)
            except Exception:  # noqa: BLE001 - a screenshot must not hide the real failure
                pass
        context.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Expose the call outcome to fixtures (for the failure screenshot)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --- Server and data ---------------------------------------------------------


@pytest.fixture
def site(live_server, settings):
    """The live server with the demo data loaded; returns its base URL.

    The live server needs a transactional database, which is emptied after
    every test, so the (idempotent) demo seed runs once per test. A fast
    password hasher keeps that seed (≈100 demo accounts) well under a second.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from members.demo import seed_demo

    seed_demo()
    return live_server.url


# --- Helpers ---------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:120]


def screenshot(page, name: str) -> Path:
    path = ARTIFACTS / f"{_slug(name)}.png"
    page.screenshot(path=path, full_page=True)
    return path


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation.get('help')} "
            f"[{violation.get('helpUrl', '')}]"
        )
        for node in violation.get("nodes", []):
            target = ", ".join(
                " ".join(t) if isinstance(t, list) else str(t) for t in node.get("target", [])
            )
            html = re.sub(r"\s+", " ", node.get("html", ""))[:300]
            lines.append(f"    target: {target}")
            lines.append(f"    html:   {html}")
            summary = (node.get("failureSummary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"    why:    {summary[:400]}")
    return "\n".join(lines)


_AXE = None


def axe_violations(page) -> list[dict]:
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    results = _AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return results.response["violations"]


def assert_accessible(page, name: str) -> None:
    """Screenshot the page, then fail with a readable list if axe-core finds
    any WCAG 2.1 A/AA violation."""
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: {len(violations)} WCAG 2.1 A/AA violation(s) on {name} ({page.url}):\n"
        + format_violations(violations)
    )


@pytest.fixture
def login(page, site):
    """``login(email)`` signs in through the allauth form and waits for
    the home page."""
    from members.demo import DEMO_PASSWORD

    def _login(email: str, password: str = DEMO_PASSWORD):
        page.goto(f"{site}/account/login/")
        page.locator("input[name=login]").fill(email)
        page.locator("input[name=password]").fill(password)
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
        page.wait_for_url(f"{site}/", wait_until="load")
        return page

    return _login
