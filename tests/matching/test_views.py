"""The matching pages as people use them: recommendations with their reasons
(on the home page too), hiding one, the coordinator's suggested candidates
and inviting one, the training an assignment asks for, saved searches and
e-mail preferences."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from marketplace.models import Assignment, AssignmentInvitation, Source
from matching import services
from matching.models import AssignmentTraining, EmailPreference, SavedSearch, Suggestion
from matching.reasons import reason_line
from tests.factories import AssignmentFactory
from tests.matching.conftest import make_assignment, make_member, suggestion

pytestmark = pytest.mark.django_db


def on_page(reasons) -> str:
    """The reasons as a (Dutch) page shows them."""
    with translation.override("nl"):
        return escape(reason_line(reasons))


@pytest.fixture
def matched(org_a, org_b, member_a, coordinator_a, skills):
    """member_a (organisation A) with skills and a release, two assignments
    of organisation B that fit, matched."""
    a, b, c, *_ = skills
    profile = member_a.profile
    profile.skills.set([a, b, c])
    from tests.factories import approved_release

    approved_release(profile, days_per_week="2.0")
    good = make_assignment(org_b, [a, b, c], title="Past precies")
    fair = make_assignment(org_b, [a, b], [skills[4]], title="Past redelijk", hours="24.0")
    services.match_all()
    return {"profile": profile, "good": good, "fair": fair}


def test_my_recommendations_show_the_reasons_best_first(client_for, member_a, matched):
    page = client_for(member_a).get(reverse("matching:my_suggestions"))

    assert page.status_code == 200
    html = page.content.decode()
    good, fair = suggestion(matched["profile"], matched["good"]), suggestion(matched["profile"], matched["fair"])
    assert good.score > fair.score
    assert html.index("Past precies") < html.index("Past redelijk")
    assert on_page(good.reasons) in html and on_page(fair.reasons) in html


def test_hiding_a_recommendation(client_for, member_a, member_b, matched):
    found = suggestion(matched["profile"], matched["good"])

    assert client_for(member_b).post(reverse("matching:suggestion_dismiss", args=[found.pk])).status_code == 404
    response = client_for(member_a).post(reverse("matching:suggestion_dismiss", args=[found.pk]), {"next": "home"})

    assert response.status_code == 302 and response.url == reverse("home")
    found.refresh_from_db()
    assert found.dismissed_at is not None
    assert "Past precies" not in client_for(member_a).get(reverse("matching:my_suggestions")).content.decode()


def test_closed_assignments_leave_the_list_before_the_next_job(client_for, member_a, matched):
    Assignment.objects.filter(pk=matched["good"].pk).update(status=Assignment.Status.CLOSED)

    html = client_for(member_a).get(reverse("matching:my_suggestions")).content.decode()

    assert "Past precies" not in html and "Past redelijk" in html


def test_home_page_recommends_the_top_five_in_a_fixed_number_of_queries(client_for, member_a, org_b, matched, skills):
    client = client_for(member_a)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        first = client.get(reverse("home"))
    for n in range(6):
        make_assignment(org_b, skills[:3], title=f"Nog een {n}")
    services.match_all()
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("home"))

    assert "Past precies" in first.content.decode()
    assert len(page.context["recommended"]) == 5
    assert len(many.captured_queries) == len(few.captured_queries)
    best = Suggestion.objects.filter(member=matched["profile"]).order_by("-score", "assignment_id")[:5]
    assert [s.pk for s in page.context["recommended"]] == [s.pk for s in best]


# --- Coordinators ------------------------------------------------------------------


@pytest.fixture
def candidates(org_a, org_b, coordinator_a, skills):
    a, b, c, *_ = skills
    assignment = make_assignment(org_a, [a, b, c], created_by=coordinator_a, title="Adviseur water")
    best = make_member(org_b, [a, b, c], days="2.0", user__first_name="Bea", user__last_name="Best")
    next_best = make_member(org_b, [a, b], days="1.0", user__first_name="Nico", user__last_name="Next")
    services.match_assignment(assignment.pk)
    return {"assignment": assignment, "best": best, "next": next_best}


def test_suggested_candidates_are_ranked_with_reasons_and_hours_left(client_for, coordinator_a, candidates):
    page = client_for(coordinator_a).get(reverse("matching:candidates", args=[candidates["assignment"].pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Bea Best") < html.index("Nico Next")
    found = suggestion(candidates["best"], candidates["assignment"])
    assert on_page(found.reasons) in html
    assert "<td>16</td>" in html  # 2 released days: 16 hours a week left


def test_other_organisations_coordinators_do_not_see_the_candidates(client_for, coordinator_b, member_a, candidates):
    url = reverse("matching:candidates", args=[candidates["assignment"].pk])
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(member_a).get(url).status_code == 403


def test_inviting_a_suggested_candidate_uses_the_marketplace_invitation(client_for, coordinator_a, candidates):
    assignment, best = candidates["assignment"], candidates["best"]
    url = reverse("matching:candidate_invite", args=[assignment.pk, best.pk])
    client = client_for(coordinator_a)

    assert on_page(suggestion(best, assignment).reasons) in client.get(url).content.decode()
    response = client.post(url, {"message": "Jij past hier goed bij."})

    assert response.status_code == 302
    invitation = AssignmentInvitation.objects.get(assignment=assignment, member=best)
    assert invitation.source == Source.SUGGESTION and invitation.message == "Jij past hier goed bij."
    assert best.user.notifications.filter(kind="invitation").exists()
    page = client.get(reverse("matching:candidates", args=[assignment.pk]))
    assert [s.invited for s in page.context["page"].object_list] == [True, False]

    again = client.post(url, {"message": ""})  # the service refuses, at the form
    assert again.status_code == 200 and AssignmentInvitation.objects.filter(member=best).count() == 1


def test_the_assignment_page_links_its_coordinators_to_the_candidates(client_for, coordinator_a, member_b, candidates):
    detail = reverse("marketplace:assignment_detail", args=[candidates["assignment"].pk])
    link = reverse("matching:candidates", args=[candidates["assignment"].pk])
    assert link in client_for(coordinator_a).get(detail).content.decode()
    assert link not in client_for(member_b).get(detail).content.decode()


def test_coordinators_choose_the_training_the_assignment_asks_for(client_for, coordinator_a, candidates, run_on_commit):
    from training.models import Module

    module = Module.objects.create(title="Aanbesteden", track="legal", description="Inkoopregels.",
                                   duration_hours=Decimal("3"), provider_name="PIANOo", levels=["starter"])
    url = reverse("matching:assignment_training", args=[candidates["assignment"].pk])
    before = suggestion(candidates["best"], candidates["assignment"]).score

    with run_on_commit():
        response = client_for(coordinator_a).post(url, {"modules": [module.pk]})

    assert response.status_code == 302
    assert list(AssignmentTraining.objects.values_list("module_id", flat=True)) == [module.pk]
    after = suggestion(candidates["best"], candidates["assignment"])
    assert ["training", 0, 1] in after.reasons and after.score < before


# --- Saved searches and e-mail preferences ---------------------------------------------


def test_saving_a_search_with_the_list_filters(client_for, member_a, member_b, skills):
    client = client_for(member_a)
    a, b, *_ = skills
    prefilled = client.get(reverse("matching:saved_search_create") + f"?q=water&skills={a.pk}")
    assert prefilled.status_code == 200 and 'value="water"' in prefilled.content.decode()

    response = client.post(reverse("matching:saved_search_create"), {
        "name": "Water", "alert": "on", "frequency": "daily", "q": "water", "skills": [a.pk, b.pk],
        "work_mode": ["remote"], "hours_max": "16",
    })

    assert response.status_code == 302
    search = SavedSearch.objects.get(member=member_a.profile)
    assert search.filters == {"q": ["water"], "skills": [str(a.pk), str(b.pk)], "hours_max": ["16"],
                              "work_mode": ["remote"]}
    assert (search.frequency, search.alert) == ("daily", True)
    listing = client.get(reverse("matching:saved_search_list"))
    link = listing.context["searches"][0].list_url
    assert urlsplit(link).path == reverse("marketplace:assignment_list")
    assert parse_qs(urlsplit(link).query)["skills"] == [str(a.pk), str(b.pk)]

    assert client_for(member_b).get(reverse("matching:saved_search_edit", args=[search.pk])).status_code == 404
    duplicate = client.post(reverse("matching:saved_search_create"), {"name": "water", "frequency": "weekly"})
    assert duplicate.status_code == 200 and SavedSearch.objects.count() == 1
    assert "name" in duplicate.context["form"].errors

    edit = client.post(reverse("matching:saved_search_edit", args=[search.pk]),
                       {"name": "Water (weekly)", "frequency": "weekly", "q": "waterbeheer"})
    assert edit.status_code == 302
    search.refresh_from_db()
    assert (search.name, search.alert, search.filters) == ("Water (weekly)", False, {"q": ["waterbeheer"]})

    assert client.post(reverse("matching:saved_search_delete", args=[search.pk])).status_code == 302
    assert not SavedSearch.objects.exists()


def test_bad_filters_are_shown_at_the_field_and_nothing_is_saved(client_for, member_a):
    response = client_for(member_a).post(reverse("matching:saved_search_create"),
                                         {"name": "Te veel uren", "frequency": "weekly", "hours_min": "99"})
    assert response.status_code == 200
    assert "hours_min" in response.context["filter"].form.errors
    assert not SavedSearch.objects.exists()


def test_email_preferences(client_for, member_a):
    client = client_for(member_a)
    assert client.get(reverse("matching:email_preferences")).status_code == 200

    response = client.post(reverse("matching:email_preferences"), {"digest_frequency": "daily"})

    assert response.status_code == 302
    preference = EmailPreference.objects.get(member=member_a.profile)
    assert (preference.digest_frequency, preference.saved_search_alerts) == ("daily", False)
    bad = client.post(reverse("matching:email_preferences"), {"digest_frequency": "hourly"})
    assert bad.status_code == 200 and "digest_frequency" in bad.context["form"].errors


def test_a_forged_unsubscribe_link_shows_a_page_not_an_error(client):
    response = client.get(reverse("matching:unsubscribe", args=["niet-echt:abc"]))
    assert response.status_code == 404 and b"<h1>" in response.content


def test_suggestions_of_drafts_never_show(client_for, member_a, org_b, matched):
    draft = AssignmentFactory(organisation=org_b, title="Nog een concept")
    Suggestion.objects.create(member=matched["profile"], assignment=draft, score=99, reasons=[])
    assert "Nog een concept" not in client_for(member_a).get(reverse("matching:my_suggestions")).content.decode()
