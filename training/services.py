"""Every write in training. Each function checks the state and records who
did it; every change to a session's enrolments first locks the session row
(``select_for_update``), so enrolments, cancellations and promotions from
the waiting list happen one at a time per session, in arrival order, and a
session is never overfilled nor is anyone in the queue skipped."""

from collections import deque
from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from members.audit import audit_record
from members.errors import DomainError
from members.models import MemberProfile, User
from members.notifications import notify
from members.roles import roles_of
from training.models import CalendarFeed, Completion, Enrolment, Module, Session, new_feed_token
from training.selectors import can_run_session, missing_prerequisites

EMAIL_TEMPLATE = "training/email/notification"
REMINDER_TEMPLATE = "training/email/reminder"
REMINDER_DAYS = 2

MODULE_FIELDS = (
    "title", "track", "level", "description", "duration_hours", "provider_organisation",
    "provider_name", "levels", "required_for_zzp", "active",
)
SESSION_FIELDS = (
    "starts_at", "ends_at", "location", "online_url", "trainer", "trainer_name", "capacity",
    "enrolment_deadline",
)


def _when(session: Session) -> str:
    """The start of a session in words, in the active language."""
    return formats.date_format(timezone.localtime(session.starts_at), "j F Y, H:i")


def _deadline(session: Session) -> str:
    return formats.date_format(timezone.localtime(session.enrolment_deadline), "j F Y, H:i")


def _require_manager(actor: User) -> None:
    if not roles_of(actor).manages_training:
        raise DomainError(_("Only training coordinators can do this."))


def _profile_of(actor: User) -> MemberProfile:
    if not roles_of(actor).is_member:
        raise DomainError(_("Only ZPP members can enrol in training."))
    return MemberProfile.objects.select_related("home_organisation").get(user=actor)


# --- Modules ---------------------------------------------------------------------


def _check_module(data: dict) -> None:
    if "provider_organisation" in data or "provider_name" in data:
        if not data.get("provider_organisation") and not (data.get("provider_name") or "").strip():
            raise DomainError(
                _("Choose the organisation that gives this module, or name the external body."),
                field="provider_name",
            )
    if "levels" in data and not data["levels"]:
        raise DomainError(_("Choose at least one entrepreneurship level."), field="levels")


def _check_no_cycle(module: Module, prerequisites) -> None:
    """A module cannot (even through others) be its own prerequisite."""
    edges: dict[int, set[int]] = {}
    for source, target in Module.prerequisites.through.objects.values_list("from_module_id", "to_module_id"):
        edges.setdefault(source, set()).add(target)
    queue = deque(p.pk for p in prerequisites)
    seen = set()
    while queue:
        current = queue.popleft()
        if current == module.pk:
            raise DomainError(
                _("A module cannot build on itself, also not through other modules."), field="prerequisites"
            )
        if current in seen:
            continue
        seen.add(current)
        queue.extend(edges.get(current, ()))


def module_create(*, actor: User, data: dict, prerequisites=()) -> Module:
    _require_manager(actor)
    _check_module(data)
    with transaction.atomic():
        module = Module(**{name: data[name] for name in MODULE_FIELDS if name in data})
        module.full_clean()
        module.save()
        module.prerequisites.set(prerequisites)
        audit_record(actor=actor, action="training.module_create", target=module)
    return module


def module_update(*, actor: User, module: Module, data: dict, prerequisites=None) -> Module:
    _require_manager(actor)
    _check_module(data)
    with transaction.atomic():
        locked = Module.objects.select_for_update().get(pk=module.pk)
        changed = []
        for name in MODULE_FIELDS:
            if name in data and getattr(locked, name) != data[name]:
                changed.append(name)
                setattr(locked, name, data[name])
        locked.full_clean()
        locked.save()
        if prerequisites is not None:
            _check_no_cycle(locked, prerequisites)
            before = set(locked.prerequisites.values_list("pk", flat=True))
            if before != {p.pk for p in prerequisites}:
                changed.append("prerequisites")
                locked.prerequisites.set(prerequisites)
        audit_record(actor=actor, action="training.module_update", target=locked, data={"fields": changed})
    return locked


# --- Sessions ----------------------------------------------------------------------


def check_session(session: Session) -> None:
    """The rules a session's form cannot see on its own, with the field
    to show them at."""
    if session.starts_at and session.ends_at and session.ends_at <= session.starts_at:
        raise DomainError(_("The session must end after it starts."), field="ends_at")
    if session.starts_at and session.enrolment_deadline and session.enrolment_deadline > session.starts_at:
        raise DomainError(_("The enrolment deadline must be before the session starts."), field="enrolment_deadline")
    if not session.location.strip() and not session.online_url.strip():
        raise DomainError(_("Give a location, an online link, or both."), field="location")
    if not session.trainer_id and not session.trainer_name.strip():
        raise DomainError(_("Name the trainer."), field="trainer_name")


def _members_of(enrolments) -> list[User]:
    return [e.member.user for e in enrolments]


def session_create(*, actor: User, module: Module, data: dict) -> Session:
    _require_manager(actor)
    session = Session(module=module, created_by=actor, **{n: data[n] for n in SESSION_FIELDS if n in data})
    check_session(session)
    if session.starts_at <= timezone.now():
        raise DomainError(_("A new session cannot start in the past."), field="starts_at")
    with transaction.atomic():
        session.full_clean()
        session.save()
        audit_record(
            actor=actor, action="training.session_create", target=session,
            data={"module": module.title, "capacity": session.capacity},
        )
    return session


def session_update(*, actor: User, session: Session, data: dict) -> Session:
    """Change a session. More seats move people up from the waiting list;
    fewer than are taken is refused. People enrolled or waiting hear of a
    new time or place."""
    _require_manager(actor)
    with transaction.atomic():
        locked = Session.objects.select_for_update().select_related("module").get(pk=session.pk)
        if locked.is_cancelled:
            raise DomainError(_("A cancelled session cannot be changed."))
        seated = locked.enrolments.filter(status__in=Enrolment.SEATED_STATUSES).count()
        if "capacity" in data and data["capacity"] < seated:
            raise DomainError(
                _("%(n)s people are already enrolled; the number of seats cannot be lower.") % {"n": seated},
                field="capacity",
            )
        changed = []
        for name in SESSION_FIELDS:
            if name in data and getattr(locked, name) != data[name]:
                changed.append(name)
                setattr(locked, name, data[name])
        check_session(locked)
        if "starts_at" in changed:
            locked.reminder_sent_at = None  # a new date deserves a new reminder
        locked.full_clean()
        locked.save()
        audit_record(actor=actor, action="training.session_update", target=locked, data={"fields": changed})
        _fill_from_waitlist(locked)
        if {"starts_at", "ends_at", "location", "online_url"} & set(changed):
            people = locked.enrolments.filter(
                status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.WAITING]
            ).select_related("member__user")
            title = locked.module.title
            notify(
                users=_members_of(people), kind="training_session_changed",
                message=lambda: _("The session of “%(module)s” you enrolled in changed: it is now on %(when)s.")
                % {"module": title, "when": _when(locked)},
                url=locked.get_absolute_url(), email_template=EMAIL_TEMPLATE,
            )
    return locked


def session_cancel(*, actor: User, session: Session, reason: str) -> Session:
    """The organiser calls a session off: every enrolment ends and everyone
    enrolled or waiting is told why."""
    _require_manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Please give a reason; it is sent to everyone enrolled."), field="reason")
    with transaction.atomic():
        locked = Session.objects.select_for_update().select_related("module").get(pk=session.pk)
        if locked.is_cancelled:
            raise DomainError(_("This session was already cancelled."))
        if locked.has_started:
            raise DomainError(_("This session has already started and can no longer be cancelled."))
        now = timezone.now()
        locked.cancelled_at = now
        locked.cancelled_reason = reason
        locked.save(update_fields=["cancelled_at", "cancelled_reason", "updated_at"])
        people = list(
            locked.enrolments.filter(status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.WAITING])
            .select_related("member__user")
        )
        Enrolment.objects.filter(pk__in=[e.pk for e in people]).update(
            status=Enrolment.Status.CANCELLED, cancelled_at=now, waitlist_position=None
        )
        audit_record(
            actor=actor, action="training.session_cancel", target=locked,
            data={"reason": reason, "enrolments": len(people)},
        )
        title = locked.module.title
        notify(
            users=_members_of(people), kind="training_session_cancelled",
            message=lambda: _("The session of “%(module)s” on %(when)s is cancelled: %(reason)s")
            % {"module": title, "when": _when(locked), "reason": reason},
            url=locked.get_absolute_url(), email_template=EMAIL_TEMPLATE,
        )
    return locked


# --- Enrolment ---------------------------------------------------------------------


def enrolment_create(*, actor: User, session: Session) -> Enrolment:
    """Enrol the member: a seat while there is one, otherwise the next place
    on the waiting list."""
    profile = _profile_of(actor)
    with transaction.atomic():
        locked = Session.objects.select_for_update().select_related("module").get(pk=session.pk)
        module = locked.module
        if locked.is_cancelled:
            raise DomainError(_("This session was cancelled."))
        if locked.deadline_passed:
            raise DomainError(
                _("Enrolment for this session closed on %(deadline)s.") % {"deadline": _deadline(locked)}
            )
        current = locked.enrolments.filter(member=profile, status__in=Enrolment.ACTIVE_STATUSES).first()
        if current is not None:
            raise DomainError(
                _("You are already on the waiting list of this session.")
                if current.status == Enrolment.Status.WAITING
                else _("You are already enrolled in this session.")
            )
        if Completion.objects.filter(member=profile, module=module).exists():
            raise DomainError(_("You have already completed this module."))
        other = (
            Enrolment.objects.filter(
                member=profile, session__module=module, session__ends_at__gte=timezone.now(),
                status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.WAITING],
            )
            .select_related("session")
            .first()
        )
        if other is not None:
            raise DomainError(
                _("You are already enrolled for this module on %(when)s. Cancel that first to choose another date.")
                % {"when": _when(other.session)}
            )
        missing = missing_prerequisites(profile, module)
        if missing:
            raise DomainError(
                _("“%(module)s” builds on %(missing)s. Complete that first: you can enrol once a trainer "
                  "has recorded your attendance.")
                % {"module": module.title, "missing": ", ".join(f"“{m.title}”" for m in missing)}
            )
        seated = locked.enrolments.filter(status__in=Enrolment.SEATED_STATUSES).count()
        enrolment = Enrolment(session=locked, member=profile, created_at=timezone.now())
        if seated < locked.capacity:
            enrolment.status = Enrolment.Status.ENROLLED
        else:
            last = locked.enrolments.filter(status=Enrolment.Status.WAITING).aggregate(m=Max("waitlist_position"))["m"]
            enrolment.status = Enrolment.Status.WAITING
            enrolment.waitlist_position = (last or 0) + 1
        enrolment.save()
        audit_record(
            actor=actor, action="training.enrol", target=enrolment, organisation=profile.home_organisation,
            data={"session": locked.pk, "status": enrolment.status},
        )
    return enrolment


def waiting_rank(enrolment: Enrolment) -> int | None:
    """The member's place in the queue (1 = next to move up)."""
    if enrolment.status != Enrolment.Status.WAITING:
        return None
    return Enrolment.objects.filter(
        session_id=enrolment.session_id, status=Enrolment.Status.WAITING,
        waitlist_position__lte=enrolment.waitlist_position,
    ).count()


def enrolment_cancel(*, actor: User, enrolment: Enrolment) -> Enrolment:
    """The member gives up a seat (before the deadline) or leaves the
    waiting list (until the session starts). A freed seat goes to the
    first in the queue at once."""
    if enrolment.member.user_id != actor.pk:
        raise DomainError(_("You can only cancel your own enrolment."))
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("module").get(pk=enrolment.session_id)
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if locked.status not in (Enrolment.Status.ENROLLED, Enrolment.Status.WAITING):
            raise DomainError(
                _("This enrolment can no longer be cancelled (%(status)s).") % {"status": locked.get_status_display()}
            )
        was_seated = locked.status == Enrolment.Status.ENROLLED
        if was_seated and session.deadline_passed:
            raise DomainError(
                _("Cancelling was possible until %(deadline)s. If you cannot come, please tell the training "
                  "coordinator.") % {"deadline": _deadline(session)}
            )
        if session.has_started:
            raise DomainError(_("This session has already started."))
        locked.status = Enrolment.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.waitlist_position = None
        locked.save(update_fields=["status", "cancelled_at", "waitlist_position"])
        audit_record(
            actor=actor, action="training.cancel", target=locked,
            organisation=enrolment.member.home_organisation,
            data={"session": session.pk, "was": "enrolled" if was_seated else "waiting"},
        )
        if was_seated:
            _fill_from_waitlist(session)
    return locked


def _fill_from_waitlist(session: Session) -> list[Enrolment]:
    """Give free seats to the first in the queue and tell them by e-mail
    (after the commit). The caller holds the session's lock."""
    free = session.capacity - session.enrolments.filter(status__in=Enrolment.SEATED_STATUSES).count()
    if free <= 0:
        return []
    queue = list(
        session.enrolments.filter(status=Enrolment.Status.WAITING)
        .select_related("member__user", "member__home_organisation")
        .order_by("waitlist_position")[:free]
    )
    now = timezone.now()
    for enrolment in queue:
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.waitlist_position = None
        enrolment.promoted_at = now
        enrolment.save(update_fields=["status", "waitlist_position", "promoted_at"])
        audit_record(
            actor=None, action="training.promote", target=enrolment,
            organisation=enrolment.member.home_organisation, data={"session": session.pk},
        )
    if queue:
        title = session.module.title
        notify(
            users=_members_of(queue), kind="training_promoted",
            message=lambda: _("A seat became free: you are now enrolled in “%(module)s” on %(when)s.")
            % {"module": title, "when": _when(session)},
            url=session.get_absolute_url(), email_template=EMAIL_TEMPLATE,
        )
    return queue


# --- Attendance and completion -----------------------------------------------------------


def attendance_mark(*, actor: User, session: Session, marks: dict[int, str]) -> int:
    """Record who attended (``marks``: enrolment id → "attended" or
    "no_show"). Attending completes the module, verified by ``actor``;
    correcting it to not attended takes that completion back."""
    if not can_run_session(actor, session):
        raise DomainError(_("Only the trainer of this session or a training coordinator can mark attendance."))
    allowed = {Enrolment.Status.ATTENDED, Enrolment.Status.NO_SHOW}
    with transaction.atomic():
        locked = Session.objects.select_for_update().select_related("module").get(pk=session.pk)
        if locked.is_cancelled:
            raise DomainError(_("This session was cancelled."))
        if not locked.has_started:
            raise DomainError(_("Attendance can be marked once the session has started."))
        now = timezone.now()
        completed_on = timezone.localtime(locked.starts_at).date()
        changed, completed = 0, []
        enrolments = locked.enrolments.filter(
            pk__in=list(marks), status__in=Enrolment.SEATED_STATUSES
        ).select_related("member__user", "member__home_organisation")
        for enrolment in enrolments:
            new = marks[enrolment.pk]
            if new not in allowed or new == enrolment.status:
                continue
            enrolment.status = new
            enrolment.attendance_marked_at = now
            enrolment.attendance_marked_by = actor
            enrolment.save(update_fields=["status", "attendance_marked_at", "attendance_marked_by"])
            if new == Enrolment.Status.ATTENDED:
                _completion, created = Completion.objects.get_or_create(
                    member=enrolment.member, module=locked.module,
                    defaults={"session": locked, "completed_on": completed_on, "verified_by": actor},
                )
                if created:
                    completed.append(enrolment.member.user)
            else:
                Completion.objects.filter(member=enrolment.member, module=locked.module, session=locked).delete()
            audit_record(
                actor=actor, action="training.attendance", target=enrolment,
                organisation=enrolment.member.home_organisation, data={"status": new},
            )
            changed += 1
        title = locked.module.title
        notify(
            users=completed, kind="training_completed",
            message=lambda: _("You completed “%(module)s”. Your certificate is ready on your training page.")
            % {"module": title},
            url=reverse("training:my_training"), email_template=EMAIL_TEMPLATE,
        )
    return changed


# --- Calendar feed -------------------------------------------------------------------


def calendar_feed_regenerate(*, actor: User) -> CalendarFeed:
    """Make (or replace) the member's feed URL; the old one stops working."""
    profile = _profile_of(actor)
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(member=profile)
        if not created:
            feed.token = new_feed_token()
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
        audit_record(
            actor=actor, action="training.feed_create" if created else "training.feed_regenerate",
            target=feed, organisation=profile.home_organisation,
        )
    return feed


def calendar_feed_revoke(*, actor: User) -> bool:
    profile = _profile_of(actor)
    with transaction.atomic():
        deleted, _rows = CalendarFeed.objects.filter(member=profile).delete()
        if deleted:
            audit_record(actor=actor, action="training.feed_revoke", target=profile, organisation=profile.home_organisation)
    return bool(deleted)


# --- Reminders ---------------------------------------------------------------------------


def session_send_reminders(*, now=None) -> int:
    """Remind everyone enrolled in a session that starts within two days
    (by the calendar in Amsterdam). Each session is claimed with a
    conditional update, so running twice, or on two workers at once, sends
    one reminder. Returns the number of sessions reminded."""
    now = now or timezone.now()
    horizon = timezone.localtime(now).date() + timedelta(days=REMINDER_DAYS)
    due = Session.objects.filter(
        cancelled_at__isnull=True, reminder_sent_at__isnull=True, starts_at__gt=now, starts_at__date__lte=horizon,
    ).select_related("module")
    reminded = 0
    for session in due:
        with transaction.atomic():
            if not Session.objects.filter(pk=session.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                continue
            people = session.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related("member__user")
            title = session.module.title
            notify(
                users=_members_of(people), kind="training_reminder",
                message=lambda: _("Reminder: “%(module)s” starts on %(when)s.")
                % {"module": title, "when": _when(session)},
                url=session.get_absolute_url(), email_template=REMINDER_TEMPLATE,
                context={
                    "location": session.location,
                    "online_url": session.online_url,
                    "ics_path": reverse("training:session_ics", kwargs={"pk": session.pk}),
                },
            )
            reminded += 1
    return reminded
