"""AVG/GDPR in matching: the download holds the person's saved searches,
e-mail preferences and suggestions (and nobody else's); erasure deletes
them all, and the matching jobs and digests leave the person out after."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from matching import digests, services
from matching.models import EmailPreference, Frequency, SavedSearch, Suggestion
from members.privacy import erase_person, erasure_request
from tests.matching.conftest import make_assignment, make_member, suggestion

pytestmark = pytest.mark.django_db


def memberkey_rows(member) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM matching_memberkey WHERE member_id = %s", [member.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def world(org_a, org_b, skills):
    """Anna and Bert both fit two assignments; Anna dismissed one, saved a
    search and chose a daily digest; Bert saved a search of his own."""
    a, b, *_ = skills
    anna = make_member(org_b, [a, b], user__email="anna@example.nl", user__first_name="Anna")
    bert = make_member(org_b, [a, b], user__email="bert@example.nl", user__first_name="Bert")
    wanted = make_assignment(org_a, [a, b], title="Projectleider Omgevingswet")
    dismissed = make_assignment(org_a, [a], title="Adviseur bodem")
    services.match_all()
    services.suggestion_dismiss(actor=anna.user, suggestion=suggestion(anna, dismissed))
    SavedSearch.objects.create(member=anna, name="Omgevingswet in Oss", filters={"q": ["omgevingswet"]},
                               frequency=Frequency.DAILY)
    SavedSearch.objects.create(member=bert, name="Alles van Bert", filters={"q": ["bodem"]})
    services.preferences_update(actor=anna.user, digest_frequency="daily", saved_search_alerts=True)
    return {"anna": anna, "bert": bert, "wanted": wanted, "dismissed": dismissed}


def test_download_holds_my_searches_preferences_and_suggestions(client_for, world):
    data = json.loads(client_for(world["anna"].user).get(reverse("members:privacy_export")).content)
    assert [(s["name"], s["filters"], s["frequency"]) for s in data["saved_searches"]] == [
        ("Omgevingswet in Oss", {"q": ["omgevingswet"]}, "daily")
    ]
    assert data["email_preferences"]["digest_frequency"] == "daily"
    found = {(s["assignment__title"], s["score"], s["dismissed_at"] is not None) for s in data["match_suggestions"]}
    assert found == {
        ("Projectleider Omgevingswet", suggestion(world["anna"], world["wanted"]).score, False),
        ("Adviseur bodem", suggestion(world["anna"], world["dismissed"]).score, True),
    }


def test_download_holds_nobody_elses_matching_data(client_for, world):
    data = json.loads(client_for(world["bert"].user).get(reverse("members:privacy_export")).content)
    assert [s["name"] for s in data["saved_searches"]] == ["Alles van Bert"]
    assert data["email_preferences"] is None  # Bert never changed his: the defaults apply
    assert len(data["match_suggestions"]) == 2
    assert all(s["dismissed_at"] is None for s in data["match_suggestions"])
    assert "Omgevingswet in Oss" not in json.dumps(data)


def test_erasure_deletes_everything_and_the_jobs_do_not_bring_it_back(world, admin_user):
    anna, bert = world["anna"], world["bert"]
    assert memberkey_rows(anna) > 0
    request = erasure_request(actor=anna.user)
    # Without running the job the profile change queues (as when it waits for
    # Redis): the member's scoring rows must go with the erasure itself.
    erase_person(actor=admin_user, erasure=request)

    assert not Suggestion.objects.filter(member=anna).exists()
    assert not SavedSearch.objects.filter(member=anna).exists()
    assert not EmailPreference.objects.filter(member=anna).exists()
    assert memberkey_rows(anna) == 0
    request.refresh_from_db()
    assert request.outcome["match_suggestions_deleted"] == 2
    assert request.outcome["saved_searches_deleted"] == 1

    # The jobs (one assignment, then everything) leave Anna out and Bert in.
    services.match_assignment(world["wanted"].pk)
    services.match_all()
    assert not Suggestion.objects.filter(member=anna).exists()
    assert Suggestion.objects.filter(member=bert).count() == 2
    assert SavedSearch.objects.filter(member=bert).count() == 1


def test_no_digest_reaches_an_erased_person(world, admin_user):
    erase_person(actor=admin_user, erasure=erasure_request(actor=world["anna"].user))
    make_assignment(world["wanted"].organisation, world["wanted"].required_skills.all(), title="Nieuw werk")
    services.match_all()
    monday = timezone.now() + timedelta(days=(7 - timezone.localdate().weekday()) % 7, minutes=1)

    digests.send_digests(now=monday)

    recipients = {address for message in mail.outbox for address in message.to}
    assert "bert@example.nl" in recipients
    assert not any("anna" in address or "invalid" in address for address in recipients)
