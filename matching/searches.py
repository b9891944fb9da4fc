"""Saved searches use the assignment list's own filters
(``marketplace.filters.AssignmentFilter``): the same fields on the form, the
same query when the digest looks for new assignments, and a link that opens
the list with the search filled in."""

from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from marketplace.filters import SORT_NEWEST, SUBMITTED_MARKER, AssignmentFilter
from marketplace.models import Assignment
from matching.models import SavedSearch
from members.models import MemberProfile

# The list's filters a search keeps; "open only" is always on, the order is
# newest first.
SAVED_FIELDS = ("q", "skills", "organisation", "hours_min", "hours_max", "place", "work_mode")


def assignment_filter(data=None, queryset=None) -> AssignmentFilter:
    return AssignmentFilter(
        data, queryset=queryset if queryset is not None else Assignment.objects.none(), request=None
    )


def filters_from(data: QueryDict) -> dict:
    """The saved fields of submitted (valid) data, as lists of strings."""
    filters = {}
    for name in SAVED_FIELDS:
        values = [v.strip() for v in data.getlist(name) if v and v.strip()]
        if values:
            filters[name] = values
    return filters


def as_querydict(filters: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for name in SAVED_FIELDS:
        if filters.get(name):
            data.setlist(name, [str(v) for v in filters[name]])
    data[SUBMITTED_MARKER] = "1"
    data["open"] = "on"
    data["sort"] = SORT_NEWEST
    return data


def list_url(search: SavedSearch) -> str:
    """The assignment list with this search's filters."""
    query = as_querydict(search.filters)
    return reverse("marketplace:assignment_list") + "?" + urlencode(sorted(query.lists()), doseq=True)


def new_matches(search: SavedSearch, member: MemberProfile, *, since, now=None) -> QuerySet[Assignment]:
    """Open assignments matching the search that became visible to the
    member after ``since`` (province-wide, or published when it is their own
    organisation's), newest first."""
    now = now or timezone.now()
    own = Q(organisation_id=member.home_organisation_id)
    base = (
        Assignment.objects.filter(status=Assignment.Status.PUBLISHED,
                                  application_deadline__gte=timezone.localdate(now))
        .filter(Q(province_wide_at__lte=now) | own)
        .filter(Q(province_wide_at__gt=since) | (own & Q(published_at__gt=since)))
        .select_related("organisation")
    )
    return assignment_filter(as_querydict(search.filters), base).qs
