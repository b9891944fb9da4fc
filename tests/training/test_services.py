"""Enrolment with a waiting list, cancellation, promotion, attendance and
completion, reminders: through the services, as the views call them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from members.errors import DomainError
from members.models import AuditEntry, Notification
from tests.factories import CompletionFactory, ModuleFactory, SessionFactory
from training import services
from training.models import Completion, Enrolment, Module, Session

S = Enrolment.Status


@pytest.fixture(autouse=True)
def _english():
    """The refusals are matched by their (English) wording."""
    with translation.override("en"):
        yield


def statuses(session):
    return {
        e.member.user.email: (e.status, e.waitlist_position)
        for e in Enrolment.objects.filter(session=session).exclude(status=S.CANCELLED).select_related("member__user")
    }


def enrol_all(session, users):
    return [services.enrolment_create(actor=user, session=session) for user in users]


# --- Capacity and the waiting list ----------------------------------------------------------


def test_seats_first_then_the_waiting_list_in_arrival_order(small_session, make_members):
    users = make_members(5)
    enrolments = enrol_all(small_session, users)
    assert [e.status for e in enrolments] == [S.ENROLLED, S.ENROLLED, S.WAITING, S.WAITING, S.WAITING]
    assert [e.waitlist_position for e in enrolments[2:]] == [1, 2, 3]
    assert [services.waiting_rank(e) for e in enrolments[2:]] == [1, 2, 3]
    assert Enrolment.objects.filter(session=small_session, status=S.ENROLLED).count() == 2


def test_enrolling_twice_is_refused(small_session, member_a):
    services.enrolment_create(actor=member_a, session=small_session)
    with pytest.raises(DomainError, match="already enrolled"):
        services.enrolment_create(actor=member_a, session=small_session)
    assert Enrolment.objects.filter(session=small_session).count() == 1


def test_only_members_enrol(small_session, coordinator_a, training_coordinator):
    for person in (coordinator_a, training_coordinator):
        with pytest.raises(DomainError, match="Only ZPP members"):
            services.enrolment_create(actor=person, session=small_session)
    assert not Enrolment.objects.exists()


def test_enrolment_after_the_deadline_is_refused(talent, member_a):
    now = timezone.now()
    session = SessionFactory(
        module=talent, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=3),
        enrolment_deadline=now - timedelta(minutes=1),
    )
    with pytest.raises(DomainError, match="closed on"):
        services.enrolment_create(actor=member_a, session=session)
    assert not Enrolment.objects.exists()


def test_enrolment_in_a_cancelled_session_is_refused(small_session, member_a, training_coordinator):
    services.session_cancel(actor=training_coordinator, session=small_session, reason="Trainer ziek")
    with pytest.raises(DomainError, match="cancelled"):
        services.enrolment_create(actor=member_a, session=small_session)


def test_one_session_per_module_at_a_time(talent, member_a):
    first, second = SessionFactory(module=talent), SessionFactory(module=talent)
    services.enrolment_create(actor=member_a, session=first)
    with pytest.raises(DomainError, match="already enrolled for this module"):
        services.enrolment_create(actor=member_a, session=second)


def test_enrolling_again_after_cancelling(small_session, member_a):
    enrolment = services.enrolment_create(actor=member_a, session=small_session)
    services.enrolment_cancel(actor=member_a, enrolment=enrolment)
    again = services.enrolment_create(actor=member_a, session=small_session)
    assert again.status == S.ENROLLED and again.pk != enrolment.pk


# --- Prerequisites -------------------------------------------------------------------------------


def test_prerequisites_missing_are_named(talent, member_a):
    networking = ModuleFactory(title="Netwerken en acquisitie", prerequisites=[talent])
    session = SessionFactory(module=networking)
    with pytest.raises(DomainError) as refused:
        services.enrolment_create(actor=member_a, session=session)
    assert "“Netwerken en acquisitie” builds on “Ontdek je talent”" in refused.value.message
    assert not Enrolment.objects.exists()

    CompletionFactory(member=member_a.profile, module=talent)
    assert services.enrolment_create(actor=member_a, session=session).status == S.ENROLLED


def test_a_completed_module_is_not_taken_again(small_session, member_a):
    CompletionFactory(member=member_a.profile, module=small_session.module)
    with pytest.raises(DomainError, match="already completed"):
        services.enrolment_create(actor=member_a, session=small_session)


# --- Cancelling and promotion -------------------------------------------------------------------


def test_a_cancellation_promotes_the_first_waiting_and_emails_them(small_session, make_members, run_on_commit):
    first, second, waiting_1, waiting_2 = make_members(4)
    enrolments = enrol_all(small_session, [first, second, waiting_1, waiting_2])
    mail.outbox.clear()

    with run_on_commit():
        services.enrolment_cancel(actor=first, enrolment=enrolments[0])

    assert statuses(small_session) == {
        second.email: (S.ENROLLED, None),
        waiting_1.email: (S.ENROLLED, None),
        waiting_2.email: (S.WAITING, 2),
    }
    promoted = Enrolment.objects.get(pk=enrolments[2].pk)
    assert promoted.promoted_at is not None
    assert services.waiting_rank(Enrolment.objects.get(pk=enrolments[3].pk)) == 1
    assert [m.to for m in mail.outbox] == [[waiting_1.email]]
    assert "Ontdek je talent" in mail.outbox[0].body
    assert small_session.get_absolute_url() in mail.outbox[0].body
    assert Notification.objects.filter(user=waiting_1, kind="training_promoted").count() == 1
    assert AuditEntry.objects.filter(action="training.promote", target_id=str(promoted.pk)).exists()


def test_leaving_the_waiting_list_promotes_nobody_and_keeps_the_order(small_session, make_members, run_on_commit):
    users = make_members(5)
    enrolments = enrol_all(small_session, users)
    mail.outbox.clear()
    with run_on_commit():
        services.enrolment_cancel(actor=users[3], enrolment=enrolments[3])  # second in the queue
    assert mail.outbox == []
    assert Enrolment.objects.filter(session=small_session, status=S.ENROLLED).count() == 2
    assert services.waiting_rank(Enrolment.objects.get(pk=enrolments[2].pk)) == 1
    assert services.waiting_rank(Enrolment.objects.get(pk=enrolments[4].pk)) == 2


def test_cancelling_after_the_deadline_is_refused_and_changes_nothing(talent, make_members, run_on_commit):
    now = timezone.now()
    session = SessionFactory(
        module=talent, capacity=1, starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2), enrolment_deadline=now + timedelta(days=1),
    )
    seated, waiting = make_members(2)
    first, second = enrol_all(session, [seated, waiting])
    Session.objects.filter(pk=session.pk).update(enrolment_deadline=now - timedelta(hours=1))
    before = statuses(session)
    mail.outbox.clear()

    with run_on_commit(), pytest.raises(DomainError) as refused:
        services.enrolment_cancel(actor=seated, enrolment=first)

    assert "Cancelling was possible until" in refused.value.message
    assert "tell the training coordinator" in refused.value.message
    assert statuses(session) == before
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="training.cancel").exists()


def test_only_the_member_cancels_their_enrolment(small_session, member_a, member_b):
    enrolment = services.enrolment_create(actor=member_a, session=small_session)
    with pytest.raises(DomainError, match="your own"):
        services.enrolment_cancel(actor=member_b, enrolment=enrolment)
    assert Enrolment.objects.get(pk=enrolment.pk).status == S.ENROLLED


def test_a_cancelled_enrolment_cannot_be_cancelled_again(small_session, member_a):
    enrolment = services.enrolment_create(actor=member_a, session=small_session)
    services.enrolment_cancel(actor=member_a, enrolment=enrolment)
    with pytest.raises(DomainError, match="can no longer be cancelled"):
        services.enrolment_cancel(actor=member_a, enrolment=enrolment)


# --- The organiser ------------------------------------------------------------------------------


def test_more_seats_move_the_queue_up(small_session, make_members, training_coordinator, run_on_commit):
    users = make_members(5)
    enrol_all(small_session, users)
    mail.outbox.clear()
    with run_on_commit():
        services.session_update(actor=training_coordinator, session=small_session, data={"capacity": 4})
    assert statuses(small_session) == {
        users[0].email: (S.ENROLLED, None), users[1].email: (S.ENROLLED, None),
        users[2].email: (S.ENROLLED, None), users[3].email: (S.ENROLLED, None),
        users[4].email: (S.WAITING, 3),
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([users[2].email, users[3].email])


def test_fewer_seats_than_taken_is_refused(small_session, make_members, training_coordinator):
    enrol_all(small_session, make_members(2))
    with pytest.raises(DomainError) as refused:
        services.session_update(actor=training_coordinator, session=small_session, data={"capacity": 1})
    assert refused.value.field == "capacity"
    assert Session.objects.get(pk=small_session.pk).capacity == 2


def test_a_new_time_tells_everyone_and_resets_the_reminder(small_session, make_members, training_coordinator, run_on_commit):
    users = make_members(3)
    enrol_all(small_session, users)
    Session.objects.filter(pk=small_session.pk).update(reminder_sent_at=timezone.now())
    mail.outbox.clear()
    later = small_session.starts_at + timedelta(days=1)
    with run_on_commit():
        services.session_update(
            actor=training_coordinator, session=small_session,
            data={"starts_at": later, "ends_at": later + timedelta(hours=3)},
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert Session.objects.get(pk=small_session.pk).reminder_sent_at is None


def test_the_organiser_cancels_a_session_and_everyone_hears_why(small_session, make_members, training_coordinator, run_on_commit):
    users = make_members(3)  # two seated, one waiting
    enrol_all(small_session, users)
    mail.outbox.clear()
    with run_on_commit():
        services.session_cancel(actor=training_coordinator, session=small_session, reason="De trainer is ziek.")
    session = Session.objects.get(pk=small_session.pk)
    assert session.is_cancelled and session.cancelled_reason == "De trainer is ziek."
    assert set(Enrolment.objects.filter(session=session).values_list("status", flat=True)) == {S.CANCELLED}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert all("De trainer is ziek." in m.body for m in mail.outbox)


def test_cancelling_a_session_needs_a_reason_and_the_role(small_session, member_a, training_coordinator):
    with pytest.raises(DomainError) as refused:
        services.session_cancel(actor=training_coordinator, session=small_session, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(DomainError, match="Only training coordinators"):
        services.session_cancel(actor=member_a, session=small_session, reason="Weg ermee")
    assert not Session.objects.get(pk=small_session.pk).is_cancelled


def test_session_rules(talent, training_coordinator):
    start = timezone.now() + timedelta(days=10)
    good = {
        "starts_at": start, "ends_at": start + timedelta(hours=3), "enrolment_deadline": start - timedelta(days=2),
        "location": "Provinciehuis", "online_url": "", "trainer": None, "trainer_name": "Marieke", "capacity": 12,
    }
    for change, field in [
        ({"ends_at": start}, "ends_at"),
        ({"enrolment_deadline": start + timedelta(hours=1)}, "enrolment_deadline"),
        ({"location": ""}, "location"),
        ({"trainer_name": ""}, "trainer_name"),
        ({"starts_at": timezone.now() - timedelta(days=1), "enrolment_deadline": timezone.now() - timedelta(days=2)},
         "starts_at"),
    ]:
        with pytest.raises(DomainError) as refused:
            services.session_create(actor=training_coordinator, module=talent, data={**good, **change})
        assert refused.value.field == field, change
    session = services.session_create(actor=training_coordinator, module=talent, data=good)
    assert session.capacity == 12 and session.created_by == training_coordinator


def test_a_module_cannot_build_on_itself(training_coordinator):
    talent = ModuleFactory(title="Ontdek je talent")
    networking = ModuleFactory(title="Netwerken", prerequisites=[talent])
    pitch = ModuleFactory(title="Pitchen", prerequisites=[networking])
    with pytest.raises(DomainError) as refused:
        services.module_update(actor=training_coordinator, module=talent, data={}, prerequisites=[pitch])
    assert refused.value.field == "prerequisites"
    assert not Module.objects.get(pk=talent.pk).prerequisites.exists()


def test_a_module_needs_a_provider(training_coordinator):
    data = {"title": "Pitchen", "track": "talent", "level": "basic", "description": "x", "duration_hours": 2,
            "provider_organisation": None, "provider_name": "", "levels": ["starter"]}
    with pytest.raises(DomainError) as refused:
        services.module_create(actor=training_coordinator, data=data)
    assert refused.value.field == "provider_name"
    module = services.module_create(actor=training_coordinator, data={**data, "provider_name": "Belastingdienst"})
    assert module.provider == "Belastingdienst"


# --- Attendance and completion -----------------------------------------------------------------


def _started(session):
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        enrolment_deadline=now - timedelta(days=1, hours=1), starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    return Session.objects.get(pk=session.pk)


def test_attendance_completes_the_module_verified_by_the_trainer(small_session, make_members, coordinator_a, run_on_commit):
    Session.objects.filter(pk=small_session.pk).update(trainer=coordinator_a)
    there, absent = make_members(2)
    first, second = enrol_all(small_session, [there, absent])
    session = _started(small_session)
    with run_on_commit():
        changed = services.attendance_mark(
            actor=coordinator_a, session=session, marks={first.pk: S.ATTENDED, second.pk: S.NO_SHOW},
        )
    assert changed == 2
    completion = Completion.objects.get()
    assert completion.member.user == there and completion.module == small_session.module
    assert completion.verified_by == coordinator_a and completion.session == session
    assert completion.completed_on == timezone.localtime(session.starts_at).date()
    assert len(completion.verification_code) == 12
    assert Enrolment.objects.get(pk=second.pk).status == S.NO_SHOW
    assert [m.to for m in mail.outbox] == [[there.email]]

    # A correction takes the completion back.
    services.attendance_mark(actor=coordinator_a, session=session, marks={first.pk: S.NO_SHOW})
    assert not Completion.objects.exists()


def test_attendance_only_by_the_trainer_or_coordinator_and_after_the_start(small_session, member_a, coordinator_b, training_coordinator):
    enrolment = services.enrolment_create(actor=member_a, session=small_session)
    with pytest.raises(DomainError, match="once the session has started"):
        services.attendance_mark(actor=training_coordinator, session=small_session, marks={enrolment.pk: S.ATTENDED})
    session = _started(small_session)
    for person in (member_a, coordinator_b):
        with pytest.raises(DomainError, match="Only the trainer"):
            services.attendance_mark(actor=person, session=session, marks={enrolment.pk: S.ATTENDED})
    assert not Completion.objects.exists()
    services.attendance_mark(actor=training_coordinator, session=session, marks={enrolment.pk: S.ATTENDED})
    assert Completion.objects.filter(member=member_a.profile).count() == 1


# --- Reminders ------------------------------------------------------------------------------------


def test_reminders_two_days_ahead_once(talent, make_members, run_on_commit):
    from training.tasks import send_session_reminders

    now = timezone.now()
    in_two_days = SessionFactory(
        module=talent, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=3),
        enrolment_deadline=now + timedelta(days=1),
    )
    far = SessionFactory(module=ModuleFactory(), starts_at=now + timedelta(days=5),
                         ends_at=now + timedelta(days=5, hours=3), enrolment_deadline=now + timedelta(days=4))
    seated, waiting = make_members(2)
    Session.objects.filter(pk=in_two_days.pk).update(capacity=1)
    enrol_all(Session.objects.get(pk=in_two_days.pk), [seated, waiting])
    services.enrolment_create(actor=seated, session=far)
    mail.outbox.clear()

    with run_on_commit():
        assert send_session_reminders.delay().get() == 1
    assert [m.to for m in mail.outbox] == [[seated.email]]
    body = mail.outbox[0].body
    assert talent.title in body and in_two_days.location in body
    assert f"/opleidingen/sessies/{in_two_days.pk}/agenda.ics" in body
    assert Session.objects.get(pk=in_two_days.pk).reminder_sent_at is not None

    with run_on_commit():
        assert send_session_reminders.delay().get() == 0
    assert len(mail.outbox) == 1


def test_no_reminder_for_a_cancelled_session(small_session, member_a, training_coordinator, run_on_commit):
    services.enrolment_create(actor=member_a, session=small_session)
    services.session_cancel(actor=training_coordinator, session=small_session, reason="Geen trainer")
    soon = timezone.now() + timedelta(days=1)
    Session.objects.filter(pk=small_session.pk).update(
        starts_at=soon, ends_at=soon + timedelta(hours=2), enrolment_deadline=soon - timedelta(hours=1),
    )
    mail.outbox.clear()
    with run_on_commit():
        assert services.session_send_reminders() == 0
    assert mail.outbox == []


# --- Calendar feed ---------------------------------------------------------------------------------


def test_calendar_feed_regenerate_and_revoke(member_a):
    feed = services.calendar_feed_regenerate(actor=member_a)
    first_token = feed.token
    again = services.calendar_feed_regenerate(actor=member_a)
    assert again.pk == feed.pk and again.token != first_token and len(again.token) >= 40
    assert services.calendar_feed_revoke(actor=member_a) is True
    assert services.calendar_feed_revoke(actor=member_a) is False
