"""Reads for the matching pages. Every view fetches through one of these."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from marketplace.models import Assignment, AssignmentInvitation
from matching.models import EmailPreference, SavedSearch, Suggestion
from members.models import MemberProfile
from members.roles import roles_of


def suggestions_visible_to(user) -> QuerySet[Suggestion]:
    """A member sees their own; coordinators the ones for their
    organisations' assignments; the read-everything roles all."""
    roles = roles_of(user)
    qs = Suggestion.objects.select_related(
        "assignment__organisation", "member__user", "member__home_organisation"
    )
    if roles.sees_everything:
        return qs
    return qs.filter(Q(member__user=user) | Q(assignment__organisation_id__in=roles.coordinator_of))


def _still_open(prefix: str = "assignment__") -> Q:
    """The assignment is still published, open and (for the member) visible;
    stored suggestions can be a day behind (the nightly job catches up)."""
    return Q(**{
        f"{prefix}status": Assignment.Status.PUBLISHED,
        f"{prefix}application_deadline__gte": timezone.localdate(),
    })


def open_suggestions_for(profile: MemberProfile) -> QuerySet[Suggestion]:
    """The member's suggestions that still hold, best first (one query)."""
    visible = Q(assignment__province_wide_at__lte=timezone.now()) | Q(
        assignment__organisation_id=profile.home_organisation_id
    )
    return (
        Suggestion.objects.filter(member=profile, dismissed_at__isnull=True)
        .filter(_still_open(), visible)
        .select_related("assignment__organisation")
        .order_by("-score", "assignment_id")
    )


def recommended_for(profile: MemberProfile, limit: int = 5) -> list[Suggestion]:
    """"Recommended for you" on the home page (cards: no description)."""
    return list(open_suggestions_for(profile).defer("assignment__description", "assignment__search_vector")[:limit])


def candidates_for(assignment: Assignment) -> QuerySet[Suggestion]:
    """The assignment's suggested candidates, best first, with whether they
    were already invited (one query)."""
    invited = AssignmentInvitation.objects.filter(assignment_id=OuterRef("assignment_id"), member_id=OuterRef("member_id"))
    return (
        Suggestion.objects.filter(assignment=assignment, dismissed_at__isnull=True)
        .select_related("member__user", "member__home_organisation")
        .annotate(invited=Exists(invited))
        .order_by("-score", "member_id")
    )


def saved_searches_of(user) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(member__user=user).select_related("member")


def preference_of(profile: MemberProfile) -> EmailPreference:
    """The member's preferences (unsaved defaults when they never chose)."""
    return EmailPreference.objects.filter(member=profile).first() or EmailPreference(member=profile)
