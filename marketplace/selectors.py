"""Reads for the marketplace. Every view fetches through one of the
``*_visible_to(user)`` functions."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from marketplace.models import Application, Assignment, AssignmentInvitation, Engagement, Offer
from members.models import MemberProfile, Release
from members import versions
from members.roles import roles_of

PUBLIC_STATUSES = (Assignment.Status.PUBLISHED, Assignment.Status.CLOSED, Assignment.Status.FILLED)


def assignments_visible_to(user) -> QuerySet[Assignment]:
    """Published (and closed/filled) work is visible to the whole network once
    its internal-first window, if any, has passed; the hiring organisation's
    own people see it from publication, and its coordinators also see drafts
    and cancelled ones."""
    roles = roles_of(user)
    qs = Assignment.objects.select_related("organisation")
    if roles.sees_everything:
        return qs
    if not roles.in_network:
        return qs.none()
    now = timezone.now()
    public = Q(status__in=PUBLIC_STATUSES) & (
        Q(province_wide_at__lte=now) | Q(organisation_id__in=roles.organisation_ids)
    )
    own = Q(organisation_id__in=roles.coordinator_of)
    return qs.filter(public | own)


def published_scope_key(user) -> str:
    """People with the same key see the same published assignments: all of
    them (programme manager, admins) or those of the province plus their own
    organisations' internal-first ones. For the keys of cached lists."""
    roles = roles_of(user)
    return "all" if roles.sees_everything else ",".join(map(str, sorted(roles.organisation_ids)))


def can_manage_assignment(user, assignment: Assignment) -> bool:
    return roles_of(user).is_coordinator_for(assignment.organisation_id)


def applications_visible_to(user) -> QuerySet[Application]:
    """A member sees their own; coordinators see those for their
    organisation's assignments; the read-everything roles see all."""
    roles = roles_of(user)
    qs = Application.objects.select_related(
        "assignment__organisation", "member__user", "member__home_organisation"
    )
    if roles.sees_everything:
        return qs
    return qs.filter(Q(member__user=user) | Q(assignment__organisation_id__in=roles.coordinator_of))


def inbox_for(user) -> QuerySet[Application]:
    """Applications for the assignments of the organisations this person
    coordinates (the administrator: all of them)."""
    roles = roles_of(user)
    qs = applications_visible_to(user)
    if not roles.sees_everything:
        # A subset of what applications_visible_to allows, written without
        # its "or my own" branch: the planner then needs no join to the
        # profiles to count the inbox (30 ms → 5 ms at 200,000 applications).
        qs = Application.objects.select_related(
            "assignment__organisation", "member__user", "member__home_organisation"
        ).filter(assignment__organisation_id__in=roles.coordinator_of)
    elif not roles.admin:
        qs = qs.filter(assignment__organisation_id__in=roles.coordinator_of)
    return qs.prefetch_related("member__skills").order_by("-created_at", "-pk")


def engagements_visible_to(user) -> QuerySet[Engagement]:
    roles = roles_of(user)
    qs = Engagement.objects.select_related(
        "member__user", "hiring_organisation", "home_organisation", "assignment"
    )
    if roles.sees_everything:
        return qs
    orgs = roles.coordinator_of | roles.hr_of
    return qs.filter(
        Q(member__user=user) | Q(hiring_organisation_id__in=orgs) | Q(home_organisation_id__in=orgs)
    )


def offers_visible_to(user) -> QuerySet[Offer]:
    """Published offers are visible to the network; withdrawn ones only to
    their author."""
    roles = roles_of(user)
    qs = Offer.objects.select_related("member__user", "member__home_organisation").prefetch_related("skills")
    if roles.sees_everything:
        return qs
    if not roles.in_network:
        return qs.none()
    return qs.filter(Q(status=Offer.Status.PUBLISHED) | Q(member__user=user))


def assignment_invitations_visible_to(user) -> QuerySet[AssignmentInvitation]:
    roles = roles_of(user)
    qs = AssignmentInvitation.objects.select_related(
        "assignment__organisation", "member__user", "invited_by"
    )
    if roles.sees_everything:
        return qs
    return qs.filter(Q(member__user=user) | Q(assignment__organisation_id__in=roles.coordinator_of))


# --- Release budget ----------------------------------------------------------


def release_for_period(profile: MemberProfile, start: date, end: date) -> Release | None:
    """The approved release in force at the start of the period (or today,
    when the period has already begun)."""
    on = max(start, timezone.localdate())
    return (
        profile.releases.filter(
            status=Release.Status.APPROVED, start_date__lte=on, end_date__gte=on
        )
        .order_by("-start_date")
        .first()
    )


def engaged_hours(profile: MemberProfile, start: date, end: date, exclude_pk=None) -> Decimal:
    """Hours a week already promised to engagements that overlap the period."""
    qs = profile.engagements.filter(start_date__lte=end, end_date__gte=start)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("hours_per_week"))["total"] or Decimal("0")


def hours_left(profile: MemberProfile, start: date, end: date) -> Decimal:
    """Released hours a week not yet taken by engagements in the period
    (0 without an approved release). A simplification of the weekly rule:
    every engagement overlapping the period counts for the whole period."""
    return hours_left_for_members([profile.pk], start, end)[profile.pk]


def hours_left_now(profile: MemberProfile) -> Decimal:
    today = timezone.localdate()
    return hours_left(profile, today, today)


def hours_left_now_for_user(user) -> Decimal:
    """``hours_left_now`` of the user's member profile in one query (the
    "fits my release" filter of the list page)."""
    left = (
        with_hours_left_now(MemberProfile.objects.filter(user=user))
        .values_list("hours_left_now", flat=True)
        .first()
    )
    return left if left is not None else Decimal("0")


def hours_left_for_members(member_ids, start: date, end: date) -> dict[int, Decimal]:
    """``hours_left`` for many members at once (two queries), keyed by
    member profile id; members without an approved release get 0."""
    member_ids = list(member_ids)
    if not member_ids:
        return {}
    on = max(start, timezone.localdate())
    releases = (
        Release.objects.filter(
            member_id__in=member_ids, status=Release.Status.APPROVED, start_date__lte=on, end_date__gte=on
        )
        .order_by("member_id", "-start_date")
        .distinct("member_id")
    )
    busy = dict(
        Engagement.objects.filter(member_id__in=member_ids, start_date__lte=end, end_date__gte=start)
        .order_by()
        .values("member_id")
        .annotate(total=Sum("hours_per_week"))
        .values_list("member_id", "total")
    )
    left = dict.fromkeys(member_ids, Decimal("0"))
    for release in releases:
        left[release.member_id] = max(
            Decimal("0"), release.hours_per_week - (busy.get(release.member_id) or Decimal("0"))
        )
    return left


# --- Pages -----------------------------------------------------------------


def assignment_applicants(assignment: Assignment) -> QuerySet[Application]:
    return (
        Application.objects.filter(assignment=assignment)
        .select_related("member__user", "member__home_organisation")
        .prefetch_related("member__skills")
        .order_by("status", "-created_at")
    )


def assignments_of_organisations(user) -> QuerySet[Assignment]:
    """The coordinator's own assignments, with application counts."""
    roles = roles_of(user)
    return (
        Assignment.objects.filter(organisation_id__in=roles.coordinator_of)
        .select_related("organisation")
        .annotate(
            application_count=Count("applications", distinct=True),
            waiting_count=Count(
                "applications",
                filter=Q(applications__status__in=Application.OPEN_STATUSES),
                distinct=True,
            ),
        )
        .order_by("-created_at")
    )


def members_directory(user) -> QuerySet[MemberProfile]:
    """Members available now (approved, current release), for coordinators."""
    if not roles_of(user).in_network:
        return MemberProfile.objects.none()
    today = timezone.localdate()
    current = Release.objects.filter(status=Release.Status.APPROVED, start_date__lte=today, end_date__gte=today)
    return (
        MemberProfile.objects.filter(releases__in=current)
        .select_related("user", "home_organisation")
        .prefetch_related("skills", Prefetch("releases", queryset=current, to_attr="current_releases"))
        .distinct()
        .order_by("user__last_name", "user__first_name")
    )


def with_hours_left_now(qs: QuerySet[MemberProfile]) -> QuerySet[MemberProfile]:
    """Annotate ``released_hours_now``, ``engaged_hours_now`` and
    ``hours_left_now`` (the same rule as ``hours_left_now(profile)``) in the
    query itself, so a list of members costs no query per row."""
    today = timezone.localdate()
    hours = DecimalField(max_digits=5, decimal_places=1)
    release_days = (
        Release.objects.filter(
            member=OuterRef("pk"), status=Release.Status.APPROVED,
            start_date__lte=today, end_date__gte=today,
        )
        .order_by("-start_date")
        .values("days_per_week")[:1]
    )
    engaged = (
        Engagement.objects.filter(member=OuterRef("pk"), start_date__lte=today, end_date__gte=today)
        .order_by()
        .values("member")
        .annotate(total=Sum("hours_per_week"))
        .values("total")
    )
    zero = Value(Decimal("0"), output_field=hours)
    return qs.annotate(
        released_hours_now=Coalesce(
            Subquery(release_days, output_field=hours)
            * Value(Decimal(settings.HOURS_PER_RELEASED_DAY), output_field=hours),
            zero,
            output_field=hours,
        ),
        engaged_hours_now=Coalesce(Subquery(engaged, output_field=hours), zero, output_field=hours),
    ).annotate(
        hours_left_now=Greatest(F("released_hours_now") - F("engaged_hours_now"), zero, output_field=hours)
    )


# --- Cache versions (members/versions.py) -----------------------------------------


def assignment_list_version() -> str:
    """Part of the key of every cached assignment list or block. It changes
    with every assignment write (the version) and whenever an internal-first
    window ends (who sees what changes then without any write), so such a
    cache may live long (members.versions.CACHE_SECONDS)."""
    from django.core.cache import cache

    version = versions.current("assignments")
    key = f"assignments:next_window_end:{version}"
    now = timezone.now()
    next_end = cache.get(key)
    if next_end is None or (next_end and now >= next_end):
        next_end = (
            Assignment.objects.filter(status__in=PUBLIC_STATUSES, province_wide_at__gt=now)
            .order_by("province_wide_at").values_list("province_wide_at", flat=True).first()
        ) or 0
        cache.set(key, next_end, versions.CACHE_SECONDS)
    return f"{version}.{next_end.timestamp() if next_end else 0}"


def bump_assignment_list_version() -> None:
    versions.bump("assignments")


def applications_version() -> int:
    """Part of the key of cached application totals (the inbox); every
    application write bumps it (marketplace/apps.py and the services' bulk
    updates)."""
    return versions.current("applications")


def applications_changed() -> None:
    """Cached application totals are stale after this transaction."""
    versions.changed("applications")
