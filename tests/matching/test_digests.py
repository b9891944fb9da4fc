"""The digest e-mail: one per member per period, whatever the number of new
assignments; recorded, so the next run only brings what is newer; with an
unsubscribe link that works without logging in and refuses a forged one."""

import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connections
from django.test import Client
from django.utils import timezone

from matching import digests, services
from matching.models import EmailPreference, Frequency, SavedSearch, Suggestion
from tests.matching.conftest import make_assignment, make_member, suggestion


def next_monday():
    now = timezone.now()
    return now + timedelta(days=(7 - timezone.localdate(now).weekday()) % 7, minutes=1)


@pytest.fixture
def world(org_a, org_b, skills):
    """Two members with several new suggestions each; one also has a saved
    search with two new matching assignments."""
    a, b, c, d, *_ = skills
    anna = make_member(org_b, [a, b], user__email="anna@example.nl")
    bert = make_member(org_b, [c, d], user__email="bert@example.nl")
    search = SavedSearch.objects.create(member=anna, name="Alles met C", filters={"skills": [str(c.pk)]},
                                        frequency=Frequency.WEEKLY)
    for_anna = [make_assignment(org_a, [a, b], title=f"Voor Anna {n}") for n in range(3)]
    for_bert = [make_assignment(org_a, [c, d], title=f"Voor Bert {n}") for n in range(2)]
    services.match_all()
    return {"anna": anna, "bert": bert, "search": search, "for_anna": for_anna, "for_bert": for_bert}


def body_of(address):
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


@pytest.mark.django_db
def test_one_mail_per_member_with_everything_new(world):
    monday = next_monday()

    sent = digests.send_digests(now=monday)

    assert sent == 2 and len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.nl", "bert@example.nl"]
    anna = body_of("anna@example.nl").body
    for assignment in world["for_anna"]:
        assert assignment.title in anna and assignment.get_absolute_url() in anna
    # Bert's assignments ask for C: two new ones for Anna's saved search.
    assert "Alles met C" in anna
    assert all(assignment.title in anna for assignment in world["for_bert"])
    bert = body_of("bert@example.nl").body
    assert all(assignment.title in bert for assignment in world["for_bert"])
    assert "Voor Anna" not in bert
    preference = EmailPreference.objects.get(member=world["anna"])
    assert preference.digest_sent_at == monday
    assert SavedSearch.objects.get(pk=world["search"].pk).last_sent_at == monday


@pytest.mark.django_db
def test_the_next_run_sends_only_what_is_new_and_weekly_waits_for_monday(org_a, world, skills):
    monday = next_monday()
    digests.send_digests(now=monday)
    mail.outbox.clear()

    assert digests.send_digests(now=monday + timedelta(hours=1)) == 0  # the same day again
    assert digests.send_digests(now=monday + timedelta(days=1)) == 0  # Tuesday: weekly waits

    EmailPreference.objects.filter(member=world["bert"]).update(digest_frequency=Frequency.DAILY)
    newer = make_assignment(org_a, list(skills[2:4]), title="Nieuw voor Bert")
    services.match_assignment(newer.pk)
    Suggestion.objects.filter(assignment=newer).update(created_at=monday + timedelta(hours=2))  # made after Monday's mail
    assert digests.send_digests(now=monday + timedelta(days=1)) == 1
    body = body_of("bert@example.nl").body
    assert "Nieuw voor Bert" in body and "Voor Bert 0" not in body


@pytest.mark.django_db
def test_dismissed_suggestions_and_switched_off_parts_stay_out(world):
    anna, bert = world["anna"], world["bert"]
    hidden = world["for_anna"][0]
    services.suggestion_dismiss(actor=anna.user, suggestion=suggestion(anna, hidden))
    services.preferences_update(actor=bert.user, digest_frequency=EmailPreference.DigestFrequency.NONE,
                                saved_search_alerts=True)

    digests.send_digests(now=next_monday())

    assert [m.to for m in mail.outbox] == [["anna@example.nl"]]
    assert hidden.title not in body_of("anna@example.nl").body


@pytest.mark.django_db
def test_members_are_mailed_in_batches_once_each(world, monkeypatch):
    monkeypatch.setattr(digests, "BATCH", 1)
    assert digests.send_digests(now=next_monday()) == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_mail_each_member_once(org_a, org_b, skills):
    a, b, *_ = skills
    for n in range(3):
        make_member(org_b, [a, b], user__email=f"lid{n}@example.nl")
    make_assignment(org_a, [a, b])
    services.match_all()
    monday = next_monday()
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            digests.send_digests(now=monday)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(m.to[0] for m in mail.outbox) == ["lid0@example.nl", "lid1@example.nl", "lid2@example.nl"]


# --- Unsubscribe ------------------------------------------------------------------


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert header in message.body
    return urlsplit(header).path


@pytest.mark.django_db
def test_the_unsubscribe_link_works_without_logging_in(org_a, skills, world):
    digests.send_digests(now=next_monday())
    message = body_of("anna@example.nl")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    anonymous = Client(enforce_csrf_checks=True)

    page = anonymous.get(path)  # a mail scanner or a preview: nothing happens yet
    assert page.status_code == 200 and "anna@example.nl" in page.content.decode()
    assert EmailPreference.objects.get(member=world["anna"]).unsubscribed_at is None

    # What a mail program's unsubscribe button sends (RFC 8058): no CSRF token.
    done = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    preference = EmailPreference.objects.get(member=world["anna"])
    assert preference.unsubscribed_at is not None
    assert preference.digest_frequency == EmailPreference.DigestFrequency.NONE and not preference.saved_search_alerts

    # Something new for both of them a week later: only Bert hears of it.
    mail.outbox.clear()
    week_later = next_monday() + timedelta(days=7)
    newer = make_assignment(org_a, list(skills[:4]), title="Een week later",
                            application_deadline=timezone.localdate() + timedelta(days=30))
    services.match_assignment(newer.pk)
    Suggestion.objects.filter(assignment=newer).update(created_at=week_later - timedelta(days=1))
    assert suggestion(world["anna"], newer) and suggestion(world["bert"], newer)
    digests.send_digests(now=week_later)
    assert [m.to for m in mail.outbox] == [["bert@example.nl"]]


@pytest.mark.django_db
def test_a_tampered_unsubscribe_token_is_refused(world):
    digests.send_digests(now=next_monday())
    path = unsubscribe_path(body_of("anna@example.nl"))
    token = path.rstrip("/").rsplit("/", 1)[1]
    bert = world["bert"]
    forged_payload = services.unsubscribe_token(bert).split(":")[0]
    forged = token.replace(token.split(":")[0], forged_payload)  # Bert's id with Anna's signature

    for bad in (forged, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "zomaar-iets"):
        response = Client().post(f"/e-mail/afmelden/{bad}/")
        assert response.status_code == 404
    assert not EmailPreference.objects.filter(unsubscribed_at__isnull=False).exists()
