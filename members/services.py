"""Every write in the members app. Each function checks the current state,
locks what it changes, records who did it and enqueues side effects after the
commit."""

import hashlib
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import versions
from members.audit import audit_record
from members.errors import DomainError
from members.models import (
    Invitation,
    Membership,
    MemberProfile,
    Organisation,
    Release,
    Skill,
    User,
)
from members.roles import forget_roles, roles_of
from zppbrabant.queue import enqueue_on_commit

# --- Organisations --------------------------------------------------------

ORGANISATION_EDITABLE_FIELDS = (
    "name", "kind", "street", "postal_code", "city", "kvk_number", "oin",
    "vat_number", "iban", "invoice_email", "zpp_hourly_rate", "website",
)


def organisation_update(*, actor: User, organisation: Organisation, data: dict) -> Organisation:
    if not roles_of(actor).is_hr_for(organisation.pk):
        raise DomainError(_("Only HR of this organisation can change its details."))
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changes = {}
        for name in ORGANISATION_EDITABLE_FIELDS:
            if name in data and getattr(locked, name) != data[name]:
                changes[name] = [str(getattr(locked, name)), str(data[name])]
                setattr(locked, name, data[name])
        if changes:
            locked.full_clean()
            locked.save()
            audit_record(
                actor=actor, action="organisation.update", target=locked,
                organisation=locked, data={"changes": changes},
            )
    return locked


# --- Roles ----------------------------------------------------------------


def membership_grant(
    *, actor: User | None, user: User, organisation: Organisation | None, role: str
) -> Membership:
    """Give ``user`` a role. Granting an existing role is a no-op."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if role == Membership.Role.MEMBER:
            other_home = (
                Membership.objects.filter(user=user, role=role)
                .exclude(organisation=organisation)
                .exists()
            )
            if other_home:
                raise DomainError(
                    _("This person is already a ZPP member of another organisation.")
                )
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role,
            defaults={"granted_by": actor},
        )
        if role == Membership.Role.MEMBER:
            MemberProfile.objects.get_or_create(
                user=user, defaults={"home_organisation": organisation}
            )
        if created:
            audit_record(
                actor=actor, action="membership.grant", target=membership,
                organisation=organisation, data={"user": user.email, "role": role},
            )
    forget_roles(user)
    return membership


def membership_revoke(*, actor: User, membership: Membership) -> None:
    roles = roles_of(actor)
    if not (roles.admin or (membership.organisation_id and roles.is_hr_for(membership.organisation_id))):
        raise DomainError(_("Only HR of this organisation can change its roles."))
    if membership.user_id == actor.pk and membership.role == Membership.Role.HR:
        raise DomainError(_("You cannot remove your own HR role; ask a colleague or an administrator."))
    with transaction.atomic():
        deleted, _rows = Membership.objects.filter(pk=membership.pk).delete()
        if not deleted:
            raise DomainError(_("This role was already removed."))
        audit_record(
            actor=actor, action="membership.revoke", target=membership.user,
            organisation=membership.organisation,
            data={"user": membership.user.email, "role": membership.role},
        )
    forget_roles(membership.user)


# --- Member profile -------------------------------------------------------


def profile_update(
    *, actor: User, profile: MemberProfile, data: dict, skills: list[Skill] | None = None
) -> MemberProfile:
    if actor.pk != profile.user_id:
        raise DomainError(_("You can only change your own profile."))
    with transaction.atomic():
        locked = MemberProfile.objects.select_for_update().get(pk=profile.pk)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["skills"])
        locked.save()
        if skills is not None:
            locked.skills.set(skills)
        audit_record(
            actor=actor, action="profile.update", target=locked,
            organisation=locked.home_organisation, data={"fields": sorted(data)},
        )
    return locked


# --- Releases -------------------------------------------------------------


def _overlapping(member: MemberProfile, start: date, end: date, exclude_pk=None):
    qs = member.releases.filter(
        status__in=[Release.Status.REQUESTED, Release.Status.APPROVED],
        start_date__lte=end,
        end_date__gte=start,
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs


def release_request(
    *,
    actor: User,
    member: MemberProfile,
    days_per_week: Decimal,
    variant: str,
    start_date: date,
    end_date: date,
    motivation: str = "",
) -> Release:
    if actor.pk != member.user_id:
        raise DomainError(_("You can only request a release for yourself."))
    if end_date <= start_date:
        raise DomainError(_("The end date must be after the start date."), field="end_date")
    if end_date < timezone.localdate():
        raise DomainError(_("This period has already ended."), field="end_date")
    if variant == Release.Variant.ZZP:
        missing = missing_zzp_requirements(member)
        if missing:
            raise DomainError(
                _("For the ZZP variant, first add to your profile: %(missing)s.")
                % {"missing": ", ".join(str(m) for m in missing)},
                field="variant",
            )
    with transaction.atomic():
        MemberProfile.objects.select_for_update().get(pk=member.pk)
        if _overlapping(member, start_date, end_date).exists():
            raise DomainError(
                _("You already have a release (approved or awaiting HR) in this period. "
                  "Choose another period, or withdraw the request that is still awaiting HR."),
                field="start_date",
            )
        release = Release.objects.create(
            member=member, days_per_week=days_per_week, variant=variant,
            start_date=start_date, end_date=end_date, motivation=motivation,
        )
        audit_record(
            actor=actor, action="release.request", target=release,
            organisation=member.home_organisation,
            data={"days_per_week": str(days_per_week), "variant": variant},
        )
    from members import tasks

    enqueue_on_commit(tasks.notify_hr_of_release_request, release.pk)
    return release


def release_withdraw(*, actor: User, release: Release) -> Release:
    if actor.pk != release.member.user_id:
        raise DomainError(_("You can only withdraw your own release request."))
    with transaction.atomic():
        updated = Release.objects.filter(
            pk=release.pk, status=Release.Status.REQUESTED
        ).update(status=Release.Status.WITHDRAWN)
        if not updated:
            raise DomainError(_("Only a request that HR has not decided on can be withdrawn."))
        versions.changed("releases")  # an update() sends no save signal
        release.refresh_from_db()
        audit_record(
            actor=actor, action="release.withdraw", target=release,
            organisation=release.member.home_organisation,
        )
    return release


def missing_zzp_requirements(member: MemberProfile) -> list[str]:
    """What a member still lacks for the ZZP variant (shown to HR): the
    business details, and the training gate, every module marked required
    for ZZP that the member has not completed (verified attendance)."""
    from training.selectors import missing_required_modules

    missing = []
    if not member.business_kvk:
        missing.append(_("KvK number of the business"))
    if not member.business_vat:
        missing.append(_("VAT number of the business"))
    if not member.own_hourly_rate:
        missing.append(_("own hourly rate"))
    for module in missing_required_modules(member):
        missing.append(_("completed training module “%(module)s”") % {"module": module.title})
    return missing


def _decide(*, actor: User, release: Release, approve: bool, reason: str) -> Release:
    member = release.member
    if not roles_of(actor).is_hr_for(member.home_organisation_id):
        raise DomainError(_("Only HR of the member's home organisation can decide on a release."))
    if actor.pk == member.user_id:
        raise DomainError(_("You cannot decide on your own release."))
    if not approve and not reason.strip():
        raise DomainError(_("Please give a reason, so the member knows why."), field="reason")
    with transaction.atomic():
        locked = (
            Release.objects.select_for_update()
            .select_related("member__home_organisation")
            .get(pk=release.pk)
        )
        if locked.status != Release.Status.REQUESTED:
            raise DomainError(
                _("This release has already been decided on (%(status)s).")
                % {"status": locked.get_status_display()}
            )
        if approve:
            if _overlapping(member, locked.start_date, locked.end_date, exclude_pk=locked.pk).filter(
                status=Release.Status.APPROVED
            ).exists():
                raise DomainError(_("The member already has an approved release in this period."))
            if locked.variant == Release.Variant.ZZP:
                missing = missing_zzp_requirements(member)
                if missing:
                    raise DomainError(
                        _("The ZZP variant cannot be approved yet; missing: %(missing)s.")
                        % {"missing": ", ".join(str(m) for m in missing)}
                    )
        locked.status = Release.Status.APPROVED if approve else Release.Status.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason.strip()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_record(
            actor=actor,
            action="release.approve" if approve else "release.reject",
            target=locked,
            organisation=member.home_organisation,
            data={"reason": locked.decision_reason},
        )
    from members import tasks

    enqueue_on_commit(tasks.notify_member_of_release_decision, locked.pk)
    return locked


def release_approve(*, actor: User, release: Release, reason: str = "") -> Release:
    return _decide(actor=actor, release=release, approve=True, reason=reason)


def release_reject(*, actor: User, release: Release, reason: str) -> Release:
    return _decide(actor=actor, release=release, approve=False, reason=reason)


# --- Invitations ----------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``organisation`` in ``role``; returns the invitation
    and its one-time token (only ever sent by e-mail)."""
    if not roles_of(actor).is_hr_for(organisation.pk):
        raise DomainError(_("Only HR of this organisation can invite people."))
    email = email.strip().lower()
    if role == Membership.Role.MEMBER and Membership.objects.filter(
        user__email__iexact=email, role=Membership.Role.MEMBER
    ).exclude(organisation=organisation).exists():
        raise DomainError(
            _("This person is already a ZPP member of another organisation."), field="email"
        )
    if Membership.objects.filter(
        user__email__iexact=email, organisation=organisation, role=role
    ).exists():
        raise DomainError(_("This person already has this role here."), field="email")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if Invitation.objects.filter(
            email__iexact=email, organisation=organisation, role=role,
            accepted_at__isnull=True, revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists():
            raise DomainError(
                _("An open invitation for this address and role already exists."), field="email"
            )
        # An expired, unused one would block the unique constraint: close it.
        Invitation.objects.filter(
            email__iexact=email, organisation=organisation, role=role,
            accepted_at__isnull=True, revoked_at__isnull=True,
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            email=email, organisation=organisation, role=role,
            token_hash=_hash_token(token), invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        audit_record(
            actor=actor, action="invitation.create", target=invitation,
            organisation=organisation, data={"email": email, "role": role},
        )
    from members import tasks

    enqueue_on_commit(tasks.send_invitation, invitation.pk, token)
    return invitation, token


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not roles_of(actor).is_hr_for(invitation.organisation_id):
        raise DomainError(_("Only HR of this organisation can revoke its invitations."))
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not updated:
            raise DomainError(_("This invitation was already used or revoked."))
        invitation.refresh_from_db()
        audit_record(
            actor=actor, action="invitation.revoke", target=invitation,
            organisation=invitation.organisation,
        )
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """The open, unexpired invitation for ``token``, or None."""
    if not token:
        return None
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=_hash_token(token))
        .first()
    )
    if invitation is None or invitation.status != "open":
        return None
    return invitation


def invitation_accept(*, user: User, token: str) -> Membership:
    with transaction.atomic():
        invitation = invitation_by_token(token)
        if invitation is None:
            raise DomainError(_("This invitation link is no longer valid. Ask HR for a new one."))
        if invitation.email.lower() != user.email.lower():
            raise DomainError(
                _("This invitation was sent to another e-mail address (%(email)s).")
                % {"email": invitation.email}
            )
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(accepted_at=timezone.now(), accepted_by=user)
        if not updated:
            raise DomainError(_("This invitation was already used."))
        membership = membership_grant(
            actor=invitation.invited_by, user=user,
            organisation=invitation.organisation, role=invitation.role,
        )
        audit_record(
            actor=user, action="invitation.accept", target=invitation,
            organisation=invitation.organisation,
        )
    return membership
