"""Personal data in training (see members/privacy.py).

Export: the person's enrolments (module, session date, status), their
completions (module, date, verification code) and whether they have a
calendar feed.

Erasure:

- Enrolments in sessions that have not started yet go. A seat or a place
  in the queue is given up through ``services.enrolment_cancel`` (it locks
  the session and moves the first person on the waiting list up, who is told
  by e-mail); then the row is deleted. Past the cancellation deadline the
  service refuses a member, but erasure cannot wait: the seat is freed under
  the same session lock and ``services._fill_from_waitlist`` gives it to the
  next in line. Earlier cancelled rows of future sessions go as well.
- The calendar feed goes (its secret URL stops working).
- History stays, without a person behind it: enrolments of sessions that
  have started (attended, did not attend, cancelled, waiting) and
  completions are what the programme's figures count (enrolments,
  completions, waiting lists per track and organisation), and a session's
  attendance register must still add up. They hold no free text; they point
  at the profile, which members/privacy.py anonymises (no name, no e-mail).
  Each completion gets a new verification code, so a certificate that
  someone kept can no longer be traced to the row (checking the old code
  says "no certificate has this code").
"""

from django.db import transaction
from django.utils import timezone

from training import services
from training.models import CalendarFeed, Completion, Enrolment, Session, new_verification_code


def _profile_id(user):
    return getattr(getattr(user, "profile", None), "pk", None)


def export(user) -> dict:
    profile_id = _profile_id(user)
    if profile_id is None:
        return {}
    feed = CalendarFeed.objects.filter(member_id=profile_id).first()
    return {
        "training_enrolments": [
            {
                "module": e.session.module.title,
                "session_starts_at": e.session.starts_at.isoformat(),
                "session_location": e.session.location,
                "status": e.status,
                "enrolled_at": e.created_at.isoformat(),
                "promoted_at": e.promoted_at.isoformat() if e.promoted_at else None,
                "cancelled_at": e.cancelled_at.isoformat() if e.cancelled_at else None,
            }
            for e in Enrolment.objects.filter(member_id=profile_id)
            .select_related("session__module")
            .order_by("session__starts_at", "pk")
        ],
        "training_completions": list(
            Completion.objects.filter(member_id=profile_id)
            .order_by("completed_on", "pk")
            .values("module__title", "completed_on", "verification_code")
        ),
        "calendar_feed": {
            "exists": feed is not None,
            "created_at": feed.created_at.isoformat() if feed else None,
        },
    }


def _leave_session(user, enrolment: Enrolment) -> None:
    """Give up a seat or a place in the queue of a session that has not
    started, moving the waiting list up, and delete the row."""
    session = enrolment.session
    active = enrolment.status in (Enrolment.Status.ENROLLED, Enrolment.Status.WAITING)
    if active and not (enrolment.status == Enrolment.Status.ENROLLED and session.deadline_passed):
        services.enrolment_cancel(actor=user, enrolment=enrolment)
    elif active:
        # Seated, past the deadline for cancelling: erasure goes ahead anyway.
        with transaction.atomic():
            locked_session = Session.objects.select_for_update().select_related("module").get(pk=session.pk)
            locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
            was_seated = locked.status == Enrolment.Status.ENROLLED
            locked.delete()
            if was_seated:
                services._fill_from_waitlist(locked_session)
            return
    Enrolment.objects.filter(pk=enrolment.pk).delete()


def erase(user) -> dict:
    profile_id = _profile_id(user)
    if profile_id is None:
        return {}
    now = timezone.now()
    upcoming = list(
        Enrolment.objects.filter(member_id=profile_id, session__starts_at__gt=now)
        .select_related("session", "member")
        .order_by("session__starts_at", "pk")
    )
    for enrolment in upcoming:
        _leave_session(user, enrolment)
    completions = list(Completion.objects.filter(member_id=profile_id))
    for completion in completions:
        completion.verification_code = new_verification_code()
    Completion.objects.bulk_update(completions, ["verification_code"])
    return {
        "training_enrolments_deleted": len(upcoming),
        "training_history_kept_anonymised": Enrolment.objects.filter(member_id=profile_id).count(),
        "training_completions_kept_anonymised": len(completions),
        "calendar_feeds_deleted": CalendarFeed.objects.filter(member_id=profile_id).delete()[0],
    }
