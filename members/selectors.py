"""Every read goes through a ``*_visible_to(user)`` function: what is outside
someone's scope never reaches a view (it becomes a 404)."""

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone

from members.models import (
    AuditEntry,
    Invitation,
    Membership,
    MemberProfile,
    Notification,
    Organisation,
    Release,
)
from members.roles import roles_of


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """The directory of participating organisations is open to the network."""
    if not roles_of(user).in_network:
        return Organisation.objects.none()
    return Organisation.objects.all()


def organisations_in_scope_of(user) -> QuerySet[Organisation]:
    """Organisations whose internals (people, invitations, settings) this
    person may see."""
    roles = roles_of(user)
    if roles.sees_everything:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=roles.organisation_ids)


def profiles_visible_to(user) -> QuerySet[MemberProfile]:
    """Member profiles are visible across the network: that is the point."""
    if not roles_of(user).in_network:
        return MemberProfile.objects.none()
    return MemberProfile.objects.select_related("user", "home_organisation").prefetch_related("skills")


def releases_visible_to(user) -> QuerySet[Release]:
    roles = roles_of(user)
    qs = Release.objects.select_related("member__user", "member__home_organisation", "decided_by")
    if roles.sees_everything:
        return qs
    # In scope: releases of people of the organisations this person belongs
    # to. Seeing the details takes HR (or being the member): views check.
    return qs.filter(Q(member__user=user) | Q(member__home_organisation_id__in=roles.organisation_ids))


def can_read_release(user, release: Release) -> bool:
    roles = roles_of(user)
    return (
        release.member.user_id == user.pk
        or roles.is_hr_for(release.member.home_organisation_id)
        or roles.sees_everything
    )


def release_queue_for(user) -> QuerySet[Release]:
    """Requests awaiting a decision by this HR person (never their own)."""
    roles = roles_of(user)
    org_ids = roles.hr_of if not roles.admin else Organisation.objects.values("pk")
    return (
        releases_visible_to(user)
        .filter(status=Release.Status.REQUESTED, member__home_organisation_id__in=org_ids)
        .exclude(member__user=user)
        .order_by("requested_at")
    )


def current_release_of(profile: MemberProfile) -> Release | None:
    return profile.current_release()


def invitations_visible_to(user) -> QuerySet[Invitation]:
    roles = roles_of(user)
    qs = Invitation.objects.select_related("organisation", "invited_by", "accepted_by")
    if roles.sees_everything:
        return qs
    # In scope for everyone of the organisation; managing them takes HR.
    return qs.filter(organisation_id__in=roles.organisation_ids)


def memberships_visible_to(user) -> QuerySet[Membership]:
    roles = roles_of(user)
    qs = Membership.objects.select_related("user", "organisation", "granted_by")
    if roles.sees_everything:
        return qs
    return qs.filter(Q(user=user) | Q(organisation_id__in=roles.organisation_ids))


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    roles = roles_of(user)
    qs = AuditEntry.objects.select_related("organisation")
    if roles.sees_everything:
        return qs
    return qs.filter(organisation_id__in=roles.hr_of)


def organisation_people(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "role")
    )


def organisations_with_counts(user) -> QuerySet[Organisation]:
    today = timezone.localdate()
    return organisations_visible_to(user).annotate(
        member_count=Count(
            "memberships", filter=Q(memberships__role=Membership.Role.MEMBER), distinct=True
        ),
        available_count=Count(
            "members__releases",
            filter=Q(
                members__releases__status=Release.Status.APPROVED,
                members__releases__start_date__lte=today,
                members__releases__end_date__gte=today,
            ),
            distinct=True,
        ),
    )


def profiles_with_current_release(qs: QuerySet[MemberProfile]) -> QuerySet[MemberProfile]:
    today = timezone.localdate()
    return qs.prefetch_related(
        Prefetch(
            "releases",
            queryset=Release.objects.filter(
                status=Release.Status.APPROVED, start_date__lte=today, end_date__gte=today
            ),
            to_attr="current_releases",
        )
    )


def notifications_of(user) -> QuerySet[Notification]:
    """A person's own in-app notifications: unread first, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return Notification.objects.filter(user=user).order_by(unread.desc(), "-created_at", "-id")
