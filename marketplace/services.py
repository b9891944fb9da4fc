"""Every write in the marketplace: it checks the state, locks what it
changes, records who did it, and tells the people concerned after commit."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import (
    Application,
    Assignment,
    AssignmentInvitation,
    Engagement,
    Offer,
    Source,
)
from marketplace.selectors import (
    applications_changed,
    engaged_hours,
    hours_left_for_members,
    release_for_period,
)
from members import versions
from members.audit import audit_record
from members.errors import DomainError
from members.models import Membership, MemberProfile, Release, User
from members.notifications import notify
from members.roles import roles_of

ASSIGNMENT_FIELDS = (
    "title", "description", "hours_per_week", "positions", "start_date", "end_date", "place",
    "work_mode", "rate_ceiling", "application_deadline", "contact_name", "contact_email",
    "internal_first_days",
)


EDITABLE_STATUSES = (Assignment.Status.DRAFT, Assignment.Status.PUBLISHED, Assignment.Status.CLOSED)


def _hours(value: Decimal) -> str:
    """8, 8,5 or 20 (not 2E+1, which ``Decimal.normalize`` gives)."""
    return floatformat(value, -1)


def _list_changed() -> None:
    """Cached assignment lists and blocks are stale after this transaction.
    Only for writes that send no save signal (a bulk update, changed
    skills): a saved assignment bumps the version itself (marketplace/apps.py)."""
    versions.changed("assignments")


def _coordinators(organisation_id) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id=organisation_id,
            memberships__role=Membership.Role.COORDINATOR,
            is_active=True,
        ).distinct()
    )


def _require_coordinator(actor, organisation_id):
    if not roles_of(actor).is_coordinator_for(organisation_id):
        raise DomainError(_("Only coordinators of the hiring organisation can do this."))


def _check_dates(data):
    start, end, deadline = data.get("start_date"), data.get("end_date"), data.get("application_deadline")
    if start and end and end < start:
        raise DomainError(_("The end date must be on or after the start date."), field="end_date")
    if deadline and end and deadline > end:
        raise DomainError(_("The deadline must be before the assignment ends."), field="application_deadline")


# --- Assignments -------------------------------------------------------------


def assignment_create(*, actor, organisation, data: dict, required_skills=(), nice_skills=()) -> Assignment:
    _require_coordinator(actor, organisation.pk)
    _check_dates(data)
    with transaction.atomic():
        assignment = Assignment(organisation=organisation, created_by=actor)
        for name in ASSIGNMENT_FIELDS:
            if name in data:
                setattr(assignment, name, data[name])
        assignment.full_clean(exclude=["search_vector"])
        assignment.save()
        assignment.required_skills.set(required_skills)
        assignment.nice_skills.set(nice_skills)
        audit_record(actor=actor, action="assignment.create", target=assignment, organisation=organisation)
    return assignment


def assignment_update(*, actor, assignment: Assignment, data: dict, required_skills=None, nice_skills=None) -> Assignment:
    _require_coordinator(actor, assignment.organisation_id)
    _check_dates(data)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        # A closed one too: its deadline has to move before it can reopen.
        if locked.status not in EDITABLE_STATUSES:
            raise DomainError(_("Only a draft, published or closed assignment can be changed."))
        changed = []
        for name in ASSIGNMENT_FIELDS:
            if name in data and getattr(locked, name) != data[name]:
                changed.append(name)
                setattr(locked, name, data[name])
        if locked.status != Assignment.Status.DRAFT and "internal_first_days" in changed:
            raise DomainError(
                _("The internal-first window cannot change after publication."), field="internal_first_days"
            )
        accepted = locked.applications.filter(status=Application.Status.ACCEPTED).count()
        if "positions" in changed and locked.positions < accepted:
            raise DomainError(
                _("%(n)s people are already accepted; the number of people cannot be lower.") % {"n": accepted},
                field="positions",
            )
        locked.full_clean(exclude=["search_vector"])
        locked.save()
        if accepted and locked.positions == accepted and locked.status == Assignment.Status.PUBLISHED:
            _fill(actor=actor, assignment=locked)
        if required_skills is not None:
            before = set(locked.required_skills.values_list("pk", flat=True))
            locked.required_skills.set(required_skills)
            if before != {s.pk for s in required_skills}:
                changed.append("required_skills")
        if nice_skills is not None:
            locked.nice_skills.set(nice_skills)
        audit_record(
            actor=actor, action="assignment.update", target=locked,
            organisation=locked.organisation, data={"fields": changed},
        )
        _list_changed()
        if changed and locked.status != Assignment.Status.DRAFT:
            applicants = [
                a.member.user for a in locked.applications.filter(
                    status__in=Application.OPEN_STATUSES
                ).select_related("member__user")
            ]
            title = locked.title
            notify(
                users=applicants, kind="assignment_changed",
                message=lambda: _("The assignment “%(title)s” you applied to was changed.") % {"title": title},
                url=locked.get_absolute_url(), email_template="marketplace/email/notification",
            )
    return locked


def assignment_publish(*, actor, assignment: Assignment) -> Assignment:
    _require_coordinator(actor, assignment.organisation_id)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != Assignment.Status.DRAFT:
            raise DomainError(_("Only a draft can be published."))
        if locked.application_deadline < timezone.localdate():
            raise DomainError(_("The deadline has passed: choose a new deadline first."))
        now = timezone.now()
        locked.status = Assignment.Status.PUBLISHED
        locked.published_at = now
        locked.province_wide_at = now + timezone.timedelta(days=locked.internal_first_days)
        locked.save(update_fields=["status", "published_at", "province_wide_at", "updated_at"])
        audit_record(
            actor=actor, action="assignment.publish", target=locked, organisation=locked.organisation,
            data={"internal_first_days": locked.internal_first_days},
        )
    from marketplace import signals

    transaction.on_commit(lambda: signals.assignment_published.send(sender=Assignment, assignment_id=locked.pk))
    return locked


def _set_status(*, actor, assignment, allowed, new_status, action):
    _require_coordinator(actor, assignment.organisation_id)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status not in allowed:
            raise DomainError(
                _("This is not possible for an assignment with status “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        locked.status = new_status
        if new_status in (Assignment.Status.CLOSED, Assignment.Status.CANCELLED, Assignment.Status.FILLED):
            locked.closed_at = locked.closed_at or timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(actor=actor, action=action, target=locked, organisation=locked.organisation)
    return locked


def assignment_close(*, actor, assignment: Assignment) -> Assignment:
    return _set_status(
        actor=actor, assignment=assignment, allowed=(Assignment.Status.PUBLISHED,),
        new_status=Assignment.Status.CLOSED, action="assignment.close",
    )


def assignment_reopen(*, actor, assignment: Assignment) -> Assignment:
    if assignment.application_deadline < timezone.localdate():
        raise DomainError(_("The deadline has passed: change it before reopening."))
    return _set_status(
        actor=actor, assignment=assignment, allowed=(Assignment.Status.CLOSED,),
        new_status=Assignment.Status.PUBLISHED, action="assignment.reopen",
    )


def assignment_cancel(*, actor, assignment: Assignment, reason: str = "") -> Assignment:
    with transaction.atomic():
        locked = _set_status(
            actor=actor, assignment=assignment,
            allowed=(Assignment.Status.DRAFT, Assignment.Status.PUBLISHED, Assignment.Status.CLOSED),
            new_status=Assignment.Status.CANCELLED, action="assignment.cancel",
        )
        open_apps = list(
            locked.applications.filter(status__in=Application.OPEN_STATUSES).select_related("member__user")
        )
        Application.objects.filter(pk__in=[a.pk for a in open_apps]).update(
            status=Application.Status.REJECTED, decided_by=actor, decided_at=timezone.now(),
            decision_message=reason or "",
        )
        applications_changed()
        title = locked.title
        notify(
            users=[a.member.user for a in open_apps], kind="assignment_cancelled",
            message=lambda: _("The assignment “%(title)s” was cancelled.") % {"title": title},
            url=locked.get_absolute_url(), email_template="marketplace/email/notification",
        )
    return locked


def assignments_close_expired() -> int:
    """Close published assignments whose deadline has passed (daily job)."""
    today = timezone.localdate()
    expired = Assignment.objects.filter(status=Assignment.Status.PUBLISHED, application_deadline__lt=today)
    count = 0
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            updated = Assignment.objects.filter(
                pk=pk, status=Assignment.Status.PUBLISHED, application_deadline__lt=today
            ).update(status=Assignment.Status.CLOSED, closed_at=timezone.now())
            if updated:
                audit_record(actor=None, action="assignment.close_expired",
                             target=Assignment.objects.get(pk=pk))
                _list_changed()
                count += 1
    return count


# --- Applications ------------------------------------------------------------


def application_release_warning(*, member_id: int, assignment: Assignment) -> str | None:
    """A warning (not a refusal) when the member's remaining released hours
    do not cover the assignment."""
    left = hours_left_for_members([member_id], assignment.start_date, assignment.end_date)[member_id]
    if left < assignment.hours_per_week:
        return str(
            _("Your remaining released hours (%(left)s a week) do not cover this assignment "
              "(%(needed)s a week). You can still apply; discuss it with HR of your organisation.")
            % {"left": _hours(left), "needed": _hours(assignment.hours_per_week)}
        )
    return None


def application_submit(
    *,
    actor,
    assignment: Assignment,
    motivation: str,
    availability: str,
    proposed_rate: Decimal | None = None,
    rate_note: str = "",
    cv=None,
) -> Application:
    roles = roles_of(actor)
    if not roles.is_member:
        raise DomainError(_("Only ZPP members can apply."))
    member = MemberProfile.objects.get(user=actor)
    if assignment.status != Assignment.Status.PUBLISHED:
        raise DomainError(_("This assignment is not open for applications."))
    if assignment.application_deadline < timezone.localdate():
        raise DomainError(_("The deadline for applications has passed."))
    if assignment.in_internal_window and assignment.organisation_id != member.home_organisation_id:
        raise DomainError(_("This assignment is not yet open to other organisations."))
    release = release_for_period(member, assignment.start_date, assignment.end_date)
    if release and release.variant == Release.Variant.ZZP:
        if proposed_rate is None:
            raise DomainError(_("As a ZZP'er, propose an hourly rate."), field="proposed_rate")
        if assignment.rate_ceiling and proposed_rate > assignment.rate_ceiling and not rate_note.strip():
            raise DomainError(
                _("Your rate is above the maximum of € %(ceiling)s: explain why in the note.")
                % {"ceiling": assignment.rate_ceiling},
                field="rate_note",
            )
    invitation = AssignmentInvitation.objects.filter(
        assignment=assignment, member=member, status=AssignmentInvitation.Status.OPEN
    ).first()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                assignment=assignment, member=member, motivation=motivation,
                availability=availability, proposed_rate=proposed_rate, rate_note=rate_note,
                cv=cv or "", source=invitation.source if invitation else Source.APPLICATION,
            )
            if invitation:
                AssignmentInvitation.objects.filter(pk=invitation.pk).update(
                    status=AssignmentInvitation.Status.APPLIED
                )
            audit_record(
                actor=actor, action="application.submit", target=application,
                organisation=assignment.organisation,
            )
            name, title = str(member), assignment.title
            notify(
                users=_coordinators(assignment.organisation_id), kind="application_received",
                message=lambda: _("New application from %(name)s for “%(title)s”.") % {"name": name, "title": title},
                url=reverse("marketplace:application_detail", kwargs={"pk": application.pk}),
                email_template="marketplace/email/notification",
            )
    except IntegrityError:
        raise DomainError(_("You have already applied to this assignment.")) from None
    return application


def application_withdraw(*, actor, application: Application) -> Application:
    if application.member.user_id != actor.pk:
        raise DomainError(_("You can only withdraw your own application."))
    with transaction.atomic():
        updated = Application.objects.filter(
            pk=application.pk, status__in=Application.OPEN_STATUSES
        ).update(status=Application.Status.WITHDRAWN, updated_at=timezone.now())
        if not updated:
            raise DomainError(_("This application has already been decided on and cannot be withdrawn."))
        applications_changed()  # an update() sends no save signal
        application.refresh_from_db()
        audit_record(actor=actor, action="application.withdraw", target=application,
                     organisation=application.assignment.organisation)
    return application


def _notify_applicant(application, kind, message):
    notify(
        users=[application.member.user], kind=kind, message=message,
        url=reverse("marketplace:application_detail", kwargs={"pk": application.pk}),
        email_template="marketplace/email/notification",
    )


def application_shortlist(*, actor, application: Application) -> Application:
    _require_coordinator(actor, application.assignment.organisation_id)
    with transaction.atomic():
        updated = Application.objects.filter(
            pk=application.pk, status=Application.Status.SUBMITTED
        ).update(status=Application.Status.SHORTLISTED, updated_at=timezone.now())
        if not updated:
            raise DomainError(_("Only a new application can be shortlisted."))
        applications_changed()  # an update() sends no save signal
        application.refresh_from_db()
        audit_record(actor=actor, action="application.shortlist", target=application,
                     organisation=application.assignment.organisation)
        title = application.assignment.title
        _notify_applicant(application, "application_status",
                          lambda: _("You are on the shortlist for “%(title)s”.") % {"title": title})
    return application


def application_reject(*, actor, application: Application, message: str) -> Application:
    _require_coordinator(actor, application.assignment.organisation_id)
    if not message.strip():
        raise DomainError(_("Write a short message to the applicant."), field="message")
    with transaction.atomic():
        updated = Application.objects.filter(
            pk=application.pk, status__in=Application.OPEN_STATUSES
        ).update(
            status=Application.Status.REJECTED, decision_message=message.strip(),
            decided_by=actor, decided_at=timezone.now(), updated_at=timezone.now(),
        )
        if not updated:
            raise DomainError(_("This application has already been decided on or withdrawn."))
        applications_changed()  # an update() sends no save signal
        application.refresh_from_db()
        audit_record(actor=actor, action="application.reject", target=application,
                     organisation=application.assignment.organisation)
        title = application.assignment.title
        _notify_applicant(application, "application_status",
                          lambda: _("You were not selected for “%(title)s”.") % {"title": title})
    return application


def application_accept(
    *,
    actor,
    application: Application,
    vat_treatment: str = Engagement.VatTreatment.STANDARD,
    vat_exemption_reason: str = "",
    agreed_rate: Decimal | None = None,
) -> Engagement:
    """Accept an application: create the engagement and fill the assignment
    when enough people are accepted (the remaining applicants are told)."""
    _require_coordinator(actor, application.assignment.organisation_id)
    if vat_treatment != Engagement.VatTreatment.STANDARD and not vat_exemption_reason.strip():
        raise DomainError(_("Give the legal ground for the VAT exemption."), field="vat_exemption_reason")
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=application.assignment_id)
        app = Application.objects.select_for_update().select_related("member__home_organisation", "member__user").get(
            pk=application.pk
        )
        if app.status not in Application.OPEN_STATUSES:
            raise DomainError(_("This application has already been decided on or withdrawn."))
        if assignment.status not in (Assignment.Status.PUBLISHED, Assignment.Status.CLOSED):
            raise DomainError(_("This assignment can no longer be filled."))
        accepted = assignment.applications.filter(status=Application.Status.ACCEPTED).count()
        if accepted >= assignment.positions:
            raise DomainError(
                _("All %(n)s positions are already filled.") % {"n": assignment.positions}
            )
        member = MemberProfile.objects.select_for_update().get(pk=app.member_id)
        release = release_for_period(member, assignment.start_date, assignment.end_date)
        if release is None:
            raise DomainError(_("This member has no approved release for this period."))
        busy = engaged_hours(member, assignment.start_date, assignment.end_date)
        if busy + assignment.hours_per_week > release.hours_per_week:
            raise DomainError(
                _("This would exceed the member's release: %(left)s of %(total)s hours a week are left.")
                % {"left": _hours(max(Decimal(0), release.hours_per_week - busy)),
                   "total": _hours(release.hours_per_week)}
            )
        if agreed_rate is None:
            if release.variant == Release.Variant.ZZP:
                agreed_rate = app.proposed_rate or member.own_hourly_rate
            else:
                agreed_rate = member.home_organisation.zpp_hourly_rate
        if not agreed_rate:
            raise DomainError(_("Agree on an hourly rate first."), field="agreed_rate")
        engagement = Engagement.objects.create(
            assignment=assignment, application=app, member=member,
            hiring_organisation=assignment.organisation, home_organisation=member.home_organisation,
            variant=release.variant, agreed_rate=agreed_rate, hours_per_week=assignment.hours_per_week,
            start_date=max(assignment.start_date, release.start_date),
            end_date=min(assignment.end_date, release.end_date),
            vat_treatment=vat_treatment, vat_exemption_reason=vat_exemption_reason.strip(),
            source=app.source, created_by=actor,
        )
        app.status = Application.Status.ACCEPTED
        app.decided_by, app.decided_at = actor, timezone.now()
        app.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit_record(actor=actor, action="application.accept", target=app, organisation=assignment.organisation,
                     data={"engagement": engagement.pk, "rate": str(agreed_rate)})
        title = assignment.title
        _notify_applicant(app, "engagement_created",
                          lambda: _("You were selected for “%(title)s”. Your engagement is ready.") % {"title": title})
        if accepted + 1 >= assignment.positions:
            _fill(actor=actor, assignment=assignment)
    return engagement


def _fill(*, actor, assignment: Assignment) -> None:
    """Mark a locked assignment filled; tell the applicants still waiting."""
    assignment.status = Assignment.Status.FILLED
    assignment.closed_at = timezone.now()
    assignment.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=actor, action="assignment.filled", target=assignment, organisation=assignment.organisation)
    others = list(assignment.applications.filter(status__in=Application.OPEN_STATUSES).select_related("member__user"))
    Application.objects.filter(pk__in=[o.pk for o in others]).update(
        status=Application.Status.REJECTED, decided_by=actor, decided_at=timezone.now(),
    )
    applications_changed()
    title = assignment.title
    notify(
        users=[o.member.user for o in others], kind="application_status",
        message=lambda: _("“%(title)s” has been filled; you were not selected this time.") % {"title": title},
        url=assignment.get_absolute_url(), email_template="marketplace/email/notification",
    )


# --- Offers and invitations ------------------------------------------------------

OFFER_FIELDS = ("title", "description", "hours_per_week", "available_from", "available_until", "work_mode")


def offer_save(*, actor, offer: Offer | None = None, data: dict, skills=()) -> Offer:
    if not roles_of(actor).is_member:
        raise DomainError(_("Only ZPP members can publish an offer."))
    member = MemberProfile.objects.get(user=actor)
    if data.get("available_until") and data.get("available_from") and data["available_until"] < data["available_from"]:
        raise DomainError(_("The end date must be on or after the start date."), field="available_until")
    with transaction.atomic():
        if offer is None:
            offer = Offer(member=member)
        elif offer.member_id != member.pk:
            raise DomainError(_("You can only change your own offer."))
        else:
            offer = Offer.objects.select_for_update().get(pk=offer.pk)
        for name in OFFER_FIELDS:
            if name in data:
                setattr(offer, name, data[name])
        offer.status = Offer.Status.PUBLISHED
        offer.full_clean(exclude=["search_vector", "member"])
        offer.save()
        offer.skills.set(skills)
        audit_record(actor=actor, action="offer.save", target=offer, organisation=member.home_organisation)
    return offer


def offer_withdraw(*, actor, offer: Offer) -> Offer:
    if offer.member.user_id != actor.pk:
        raise DomainError(_("You can only withdraw your own offer."))
    with transaction.atomic():
        updated = Offer.objects.filter(pk=offer.pk, status=Offer.Status.PUBLISHED).update(
            status=Offer.Status.WITHDRAWN, updated_at=timezone.now()
        )
        if not updated:
            raise DomainError(_("This offer was already withdrawn."))
        offer.refresh_from_db()
        audit_record(actor=actor, action="offer.withdraw", target=offer, organisation=offer.member.home_organisation)
    return offer


def assignment_invite(
    *, actor, assignment: Assignment, member: MemberProfile, message: str = "", offer: Offer | None = None,
    source: str = Source.INVITATION,
) -> AssignmentInvitation:
    """A coordinator asks a member to apply; counted as proactive matching."""
    _require_coordinator(actor, assignment.organisation_id)
    if assignment.status != Assignment.Status.PUBLISHED:
        raise DomainError(_("Only a published assignment can be offered to people."), field="assignment")
    if member.user_id == actor.pk:
        raise DomainError(_("You cannot invite yourself."))
    if assignment.in_internal_window and assignment.organisation_id != member.home_organisation_id:
        raise DomainError(
            _("Until the internal-first window ends, only members of your own organisation can be invited."),
            field="assignment",
        )
    if Application.objects.filter(assignment=assignment, member=member).exists():
        raise DomainError(_("This member has already applied to this assignment."), field="assignment")
    if offer is not None:
        source = Source.OFFER
    try:
        with transaction.atomic():
            invitation = AssignmentInvitation.objects.create(
                assignment=assignment, member=member, invited_by=actor, message=message,
                offer=offer, source=source,
            )
            audit_record(actor=actor, action="assignment.invite", target=invitation,
                         organisation=assignment.organisation, data={"member": member.user.email})
            org, title = assignment.organisation.name, assignment.title
            notify(
                users=[member.user], kind="invitation",
                message=lambda: _("%(org)s invites you to apply for “%(title)s”.") % {"org": org, "title": title},
                url=assignment.get_absolute_url(), email_template="marketplace/email/notification",
            )
    except IntegrityError:
        raise DomainError(_("This member was already invited for this assignment."), field="assignment") from None
    return invitation


def assignment_invitation_decline(*, actor, invitation: AssignmentInvitation) -> AssignmentInvitation:
    if invitation.member.user_id != actor.pk:
        raise DomainError(_("This invitation is not addressed to you."))
    with transaction.atomic():
        updated = AssignmentInvitation.objects.filter(
            pk=invitation.pk, status=AssignmentInvitation.Status.OPEN
        ).update(status=AssignmentInvitation.Status.DECLINED)
        if not updated:
            raise DomainError(_("You already answered this invitation."))
        invitation.refresh_from_db()
        audit_record(actor=actor, action="assignment.invitation_decline", target=invitation,
                     organisation=invitation.assignment.organisation)
    return invitation
