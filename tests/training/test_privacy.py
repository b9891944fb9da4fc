"""AVG/GDPR in training: the download holds the person's enrolments,
completions and calendar feed (and nobody else's); erasure frees their seats
in coming sessions so the waiting list moves up, deletes the feed, and keeps
the history as rows without a person behind them."""

import json
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Notification
from members.privacy import erase_person, erasure_request
from training import services
from training.models import CalendarFeed, Completion, Enrolment
from tests.factories import CompletionFactory, EnrolmentFactory, ModuleFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(member_a, member_b, small_session, make_members):
    """Member A: one of the two seats in a coming session that member B
    waits for, a past session attended with its completion, and a calendar
    feed. Member B has a completion and a feed of their own."""
    [other] = make_members(1)
    services.enrolment_create(actor=member_a, session=small_session)
    services.enrolment_create(actor=other, session=small_session)
    services.enrolment_create(actor=member_b, session=small_session)  # full: B waits
    past = SessionFactory(
        module=ModuleFactory(title="Financieel ondernemen"),
        starts_at=timezone.now() - timedelta(days=30), ends_at=timezone.now() - timedelta(days=30, hours=-3),
        enrolment_deadline=timezone.now() - timedelta(days=37),
    )
    EnrolmentFactory(session=past, member=member_a.profile, status="attended")
    completion = CompletionFactory(member=member_a.profile, module=past.module, session=past)
    CompletionFactory(member=member_b.profile, module=ModuleFactory(title="Netwerken voor gevorderden"))
    services.calendar_feed_regenerate(actor=member_a)
    services.calendar_feed_regenerate(actor=member_b)
    return {"coming": small_session, "past": past, "completion": completion}


def test_download_holds_my_enrolments_completions_and_feed(client_for, member_a, history):
    data = json.loads(client_for(member_a).get(reverse("members:privacy_export")).content)
    enrolments = {(e["module"], e["status"]) for e in data["training_enrolments"]}
    assert enrolments == {("Ontdek je talent", "enrolled"), ("Financieel ondernemen", "attended")}
    coming = next(e for e in data["training_enrolments"] if e["module"] == "Ontdek je talent")
    assert datetime.fromisoformat(coming["session_starts_at"]) == history["coming"].starts_at
    assert data["training_completions"] == [{
        "module__title": "Financieel ondernemen",
        "completed_on": history["completion"].completed_on.isoformat(),
        "verification_code": history["completion"].verification_code,
    }]
    assert data["calendar_feed"]["exists"] is True


def test_download_holds_nobody_elses_training(client_for, member_b, history):
    data = json.loads(client_for(member_b).get(reverse("members:privacy_export")).content)
    assert [e["status"] for e in data["training_enrolments"]] == ["waiting"]
    assert [c["module__title"] for c in data["training_completions"]] == ["Netwerken voor gevorderden"]
    assert history["completion"].verification_code not in json.dumps(data)
    assert "Financieel ondernemen" not in json.dumps(data)


def test_erasure_gives_my_seat_to_the_first_on_the_waiting_list(member_a, member_b, admin_user, history,
                                                                 run_on_commit):
    coming = history["coming"]
    with run_on_commit():
        erase_person(actor=admin_user, erasure=erasure_request(actor=member_a))

    assert not Enrolment.objects.filter(session=coming, member=member_a.profile).exists()
    promoted = Enrolment.objects.get(session=coming, member=member_b.profile)
    assert promoted.status == "enrolled" and promoted.promoted_at is not None
    assert coming.enrolments.filter(status="enrolled").count() == coming.capacity
    assert Notification.objects.filter(user=member_b, kind="training_promoted").exists()


def test_erasure_deletes_the_feed_and_keeps_the_history_without_a_name(client_for, member_a, member_b,
                                                                      admin_user, history):
    old_code = history["completion"].verification_code
    old_feed = CalendarFeed.objects.get(member=member_a.profile)
    name, email = member_a.get_full_name(), member_a.email
    request = erasure_request(actor=member_a)
    erase_person(actor=admin_user, erasure=request)

    assert not CalendarFeed.objects.filter(member=member_a.profile).exists()
    assert client_for(None).get(reverse("training:calendar_feed", kwargs={"token": old_feed.token})).status_code == 404
    # The attended session and the completion still count in the figures…
    assert Enrolment.objects.get(session=history["past"], member=member_a.profile).status == "attended"
    kept = Completion.objects.get(member=member_a.profile)
    assert kept.module == history["past"].module
    # …but a kept certificate no longer leads to them.
    assert kept.verification_code != old_code
    page = client_for(member_b).get(reverse("training:certificate_verify"), {"code": old_code})
    assert page.status_code == 200 and page.context["completion"] is None
    found = client_for(member_b).get(reverse("training:certificate_verify"), {"code": kept.verification_code})
    assert found.context["completion"] == kept
    assert name not in found.content.decode() and email not in found.content.decode()
    # Member B's training is untouched.
    assert CalendarFeed.objects.filter(member=member_b.profile).exists()
    assert Completion.objects.filter(member=member_b.profile).count() == 1
    request.refresh_from_db()
    assert request.outcome["training_enrolments_deleted"] == 1
    assert request.outcome["calendar_feeds_deleted"] == 1


def test_erasure_past_the_cancellation_deadline_still_frees_the_seat(member_a, member_b, admin_user):
    """The service refuses a member who cancels after the deadline; erasure
    cannot wait, and the next in line still moves up."""
    soon = timezone.now() + timedelta(days=2)
    session = SessionFactory(
        capacity=1, starts_at=soon, ends_at=soon + timedelta(hours=3), enrolment_deadline=soon - timedelta(days=3),
    )
    EnrolmentFactory(session=session, member=member_a.profile, status="enrolled")
    EnrolmentFactory(session=session, member=member_b.profile, status="waiting", waitlist_position=1)

    erase_person(actor=admin_user, erasure=erasure_request(actor=member_a))

    assert list(session.enrolments.values_list("member", "status")) == [(member_b.profile.pk, "enrolled")]


def test_erasure_of_someone_waiting_leaves_the_seats_as_they_are(member_a, member_b, admin_user, small_session,
                                                                 make_members):
    first, second = make_members(2)
    for user in (first, second, member_a, member_b):
        services.enrolment_create(actor=user, session=small_session)

    erase_person(actor=admin_user, erasure=erasure_request(actor=member_a))

    assert set(small_session.enrolments.values_list("member__user", "status")) == {
        (first.pk, "enrolled"), (second.pk, "enrolled"), (member_b.pk, "waiting"),
    }
    assert services.waiting_rank(small_session.enrolments.get(member=member_b.profile)) == 1
