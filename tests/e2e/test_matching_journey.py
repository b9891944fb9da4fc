"""Matching in the browser (Chromium, demo data): the member's
recommendations on the home page and their own page, hiding one, saved
searches and e-mail preferences, the unsubscribe page without logging in,
and the coordinator's suggested candidates; every page checked with axe-core
(WCAG 2.1 A/AA). Uses the fixtures of tests/e2e/conftest.py."""

import pytest
from django.db.models import Count

from marketplace.demo import seed_marketplace
from matching.demo import seed_matching
from matching.models import Suggestion
from matching.services import unsubscribe_token
from members.demo import DEMO_DOMAIN
from members.models import MemberProfile
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e

COORDINATOR = f"coordinator.denbosch@{DEMO_DOMAIN}"


def test_recommendations_saved_searches_and_candidates(page, site, login):
    seed_marketplace()  # the site fixture loads the people only
    seed_matching()
    # The demo member with the most recommendations (all demo accounts share a password).
    member = (MemberProfile.objects.filter(user__email__endswith=DEMO_DOMAIN)
              .annotate(n=Count("suggestions")).order_by("-n", "pk").select_related("user").first())
    best = Suggestion.objects.filter(member=member).order_by("-score", "assignment_id").first()
    assert best is not None, "the demo data gives no member a recommendation"

    login(member.user.email)
    assert page.locator("#recommended").is_visible()
    assert page.get_by_role("link", name=best.assignment.title).first.is_visible()
    assert_accessible(page, "matching-home")

    page.goto(f"{site}/aanbevolen/")
    assert_accessible(page, "matching-recommendations")
    page.locator(f"form[action='/aanbevolen/{best.pk}/verbergen/'] button").click()
    page.wait_for_load_state()
    best.refresh_from_db()
    assert best.dismissed_at is not None
    assert page.locator(f"form[action='/aanbevolen/{best.pk}/verbergen/']").count() == 0

    page.goto(f"{site}/zoekopdrachten/")
    assert_accessible(page, "matching-saved-searches")
    page.goto(f"{site}/zoekopdrachten/nieuw/?q=water")
    page.locator("input[name=name]").fill("Water")
    page.locator("form[method=post] [type=submit]").last.click()
    page.wait_for_url(f"{site}/zoekopdrachten/")
    assert page.get_by_role("link", name="Water", exact=True).is_visible()

    page.goto(f"{site}/e-mailvoorkeuren/")
    assert_accessible(page, "matching-email-preferences")

    context = page.context
    context.clear_cookies()
    page.goto(f"{site}/e-mail/afmelden/{unsubscribe_token(member)}/")
    assert_accessible(page, "matching-unsubscribe")

    assignment = Suggestion.objects.filter(assignment__organisation__slug="s-hertogenbosch").first().assignment
    login(COORDINATOR)
    page.goto(f"{site}/opdrachten/{assignment.pk}/kandidaten/")
    assert page.locator("table tbody tr th").count() >= 1
    assert_accessible(page, "matching-candidates")
