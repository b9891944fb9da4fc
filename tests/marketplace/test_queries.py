"""The list pages cost a fixed number of SQL queries, whatever the number of
rows: the same count with 10 rows as with 50 (ARCHITECTURE §6). Each page's
rows carry their related data (organisations, skills, members), so a query
per row would show.

Sessions and the cache live in local memory here, so only the application's
own queries are counted, with or without Redis on the machine."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.selectors import bump_assignment_list_version
from members import versions
from members.notifications import notify
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    EngagementFactory,
    MemberProfileFactory,
    OfferFactory,
    OrganisationFactory,
    SkillFactory,
    approved_release,
)

# Pinned counts (warm cache: the person's roles and unread-notification
# count are cached between requests, see members/roles.py and
# members/notifications.py). The assignment list page, as a member, built:
# 1 the session's user, 2 the page of assignments with the total
# (COUNT(*) OVER () when searching, a capped count subquery otherwise) and
# the required skills as an array; "fits my release" adds the member's hours
# left (3). Right after an assignment write, once per new version: the next
# end of an internal-first window (marketplace.selectors.assignment_list_version).
# Served from the page cache: the user only.
LIST_PAGE_QUERIES = {"plain": 3, "search-and-filters": 3}
LIST_PAGE_CACHED_QUERIES = 1
LIST_PAGE_FITS_QUERIES = 3
# The inbox (coordinator) built after an application write: the user, the
# total and the page (member, organisation, assignment joined); the
# assignment choices of the filter come from the cache. Shown again: the
# total and the rendered rows come from the cache too, so the user only
# (their freshness: test_caches.py).
INBOX_QUERIES = 3
INBOX_CACHED_QUERIES = 1
# The HR release queue, the same way: the user, the total, the page.
RELEASE_QUEUE_QUERIES = 3
# The directory (coordinator): user, count, the skill and the organisation
# choices of the search form, the page (hours left annotated), the skills
# and the current releases (prefetched).
DIRECTORY_QUERIES = 7
# The offers (coordinator): user, count, page, prefetched skills, the skill
# choices of the search form.
OFFER_LIST_QUERIES = 5
MAX_LIST_PAGE_QUERIES = 8


@pytest.fixture(autouse=True)
def _local_cache_and_sessions(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "queries"},
        "db": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "queries-db"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"


def count_queries(client, path, *, fresh=False, bump=()) -> tuple[int, list[str]]:
    """``fresh``: drop the cached assignment-list pages first, so the page
    is really built (and its queries counted); ``bump``: other versions
    (members/versions.py) whose cached totals and rows to drop."""
    client.get(path)  # warm up: the session, the cached filter choices
    if fresh:
        bump_assignment_list_version()
    for name in bump:
        versions.bump(name)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def show(sql: list[str]) -> str:
    return "\n".join(f"{i + 1}. {q[:300]}" for i, q in enumerate(sql))


def assert_same_count(small, large):
    (n_small, sql_small), (n_large, sql_large) = small, large
    assert n_small == n_large, f"{n_small} queries with 10 rows, {n_large} with 50:\n{show(sql_large)}"
    return n_small


def _skills():
    return [SkillFactory(name=f"Vaardigheid {n}", category=f"Cat {n % 3}") for n in range(6)]


# --- The assignment list --------------------------------------------------------


def _assignments(n, skills, offset=0):
    for i in range(offset, offset + n):
        AssignmentFactory(
            organisation=OrganisationFactory(), published=True,
            title=f"Adviseur duurzame energie {i}", required_skills=skills[i % 3: i % 3 + 2],
            nice_skills=skills[3:4],
        )


@pytest.mark.parametrize(
    ("kind", "query"),
    [("plain", {}), ("search-and-filters", {"q": "duurzaam energie", "work_mode": "hybrid", "hours_max": "20"})],
    ids=["plain", "search-and-filters"],
)
def test_assignment_list_page_query_count(client_for, member_b, django_assert_num_queries, kind, query):
    approved_release(member_b)
    skills = _skills()
    client = client_for(member_b)
    path = reverse("marketplace:assignment_list") + ("?" + urlencode(query) if query else "")
    _assignments(10, skills)
    small = count_queries(client, path, fresh=True)
    _assignments(40, skills, offset=10)
    large = count_queries(client, path, fresh=True)
    n = assert_same_count(small, large)
    assert n <= MAX_LIST_PAGE_QUERIES, show(large[1])
    bump_assignment_list_version()
    with django_assert_num_queries(LIST_PAGE_QUERIES[kind]):
        client.get(path)
    with django_assert_num_queries(LIST_PAGE_CACHED_QUERIES):
        response = client.get(path)
    assert response.content.count(b'class="card"') == 20  # a full page, from the cache


def test_assignment_list_page_fits_my_release_query_count(client_for, member_b, django_assert_num_queries):
    approved_release(member_b)
    skills = _skills()
    client = client_for(member_b)
    path = reverse("marketplace:assignment_list") + "?fits=on&q=duurzaam"
    _assignments(10, skills)
    small = count_queries(client, path)
    _assignments(40, skills, offset=10)
    assert_same_count(small, count_queries(client, path))
    with django_assert_num_queries(LIST_PAGE_FITS_QUERIES):
        client.get(path)


# --- The inbox ---------------------------------------------------------------------


def _applications(n, assignments, skills):
    for i in range(n):
        member = MemberProfileFactory(home_organisation=OrganisationFactory())
        member.skills.set(skills[i % 4: i % 4 + 2])
        ApplicationFactory(assignment=assignments[i % len(assignments)], member=member,
                           proposed_rate=Decimal("90") if i % 2 else None)


def test_inbox_query_count(client_for, coordinator_a, org_a, django_assert_num_queries):
    skills = _skills()
    assignments = [AssignmentFactory(organisation=org_a, published=True) for _ in range(3)]
    client = client_for(coordinator_a)
    path = reverse("marketplace:inbox")
    _applications(10, assignments, skills)
    small = count_queries(client, path, bump=["applications"])
    _applications(40, assignments, skills)
    large = count_queries(client, path, bump=["applications"])
    assert assert_same_count(small, large) == INBOX_QUERIES, show(large[1])
    # Filtered by assignment and status: the same.
    filtered = f"{path}?assignment={assignments[0].pk}&status=submitted"
    assert count_queries(client, filtered, bump=["applications"])[0] == INBOX_QUERIES
    client.get(path)
    with django_assert_num_queries(INBOX_CACHED_QUERIES):
        client.get(path)


def test_release_queue_query_count(client_for, hr_a, org_a):
    from tests.factories import ReleaseFactory

    def add(n):
        for _ in range(n):
            ReleaseFactory(member=MemberProfileFactory(home_organisation=org_a))

    client = client_for(hr_a)
    path = reverse("members:release_queue")
    add(10)
    small = count_queries(client, path, bump=["releases"])
    add(40)
    large = count_queries(client, path, bump=["releases"])
    assert assert_same_count(small, large) == RELEASE_QUEUE_QUERIES, show(large[1])


def test_applicants_compare_query_count(client_for, coordinator_a, org_a):
    skills = _skills()
    assignment = AssignmentFactory(organisation=org_a, published=True, required_skills=skills[:3])
    client = client_for(coordinator_a)
    path = reverse("marketplace:applicants_compare", args=[assignment.pk])
    _applications(10, [assignment], skills)
    small = count_queries(client, path)
    _applications(40, [assignment], skills)
    assert_same_count(small, count_queries(client, path))


def test_my_applications_query_count(client_for, member_b):
    client = client_for(member_b)
    path = reverse("marketplace:my_applications")

    def add(n):
        for _ in range(n):
            ApplicationFactory(member=member_b.profile,
                               assignment=AssignmentFactory(organisation=OrganisationFactory(), published=True))

    add(10)
    small = count_queries(client, path)
    add(40)
    assert_same_count(small, count_queries(client, path))


# --- The directory of available members -----------------------------------------------


def _available_members(n, skills):
    for i in range(n):
        member = MemberProfileFactory(home_organisation=OrganisationFactory())
        member.skills.set(skills[i % 4: i % 4 + 3])
        approved_release(member, days_per_week="1.5" if i % 2 else "1.0")


def test_member_directory_query_count(client_for, coordinator_a, django_assert_num_queries):
    skills = _skills()
    client = client_for(coordinator_a)
    path = reverse("marketplace:member_directory")
    _available_members(10, skills)
    small = count_queries(client, path)
    _available_members(40, skills)
    large = count_queries(client, path)
    assert_same_count(small, large)
    with django_assert_num_queries(DIRECTORY_QUERIES):
        client.get(path)
    n = DIRECTORY_QUERIES
    # Filtered: one more, the chosen skill (the form's choice field).
    filtered = f"{path}?skill={skills[1].pk}&hours_min=4"
    assert count_queries(client, filtered)[0] <= n + 1


# --- The offers ---------------------------------------------------------------------------


def _offers(n, skills):
    for i in range(n):
        OfferFactory(member=MemberProfileFactory(home_organisation=OrganisationFactory()),
                     skills=skills[i % 4: i % 4 + 2])


def test_offer_list_query_count(client_for, coordinator_a, django_assert_num_queries):
    skills = _skills()
    client = client_for(coordinator_a)
    path = reverse("marketplace:offer_list")
    _offers(10, skills)
    small = count_queries(client, path)
    _offers(40, skills)
    large = count_queries(client, path)
    n = assert_same_count(small, large)
    assert n <= MAX_LIST_PAGE_QUERIES, show(large[1])
    with django_assert_num_queries(OFFER_LIST_QUERIES):
        client.get(path)
    # Searched and filtered: one more, the chosen skill (the form's choice field).
    assert count_queries(client, f"{path}?q=gemeente&skill={skills[0].pk}")[0] <= n + 1


def test_my_assignments_query_count(client_for, coordinator_a, org_a, member_b):
    client = client_for(coordinator_a)
    path = reverse("marketplace:my_assignments")

    def add(n):
        for _ in range(n):
            a = AssignmentFactory(organisation=org_a, published=True)
            ApplicationFactory(assignment=a)

    add(10)
    small = count_queries(client, path)
    add(40)
    assert_same_count(small, count_queries(client, path))


def test_engagement_list_query_count(client_for, coordinator_a, org_a):
    client = client_for(coordinator_a)
    path = reverse("marketplace:engagement_list")

    def add(n):
        for _ in range(n):
            EngagementFactory(hiring_organisation=org_a,
                              assignment=AssignmentFactory(organisation=org_a, published=True))

    add(10)
    small = count_queries(client, path)
    add(40)
    assert_same_count(small, count_queries(client, path))


def test_notification_list_query_count(client_for, member_b):
    client = client_for(member_b)
    path = reverse("members:notification_list")
    notify(users=[member_b] * 10, kind="test", message=lambda: "Hallo")
    small = count_queries(client, path)
    notify(users=[member_b] * 40, kind="test", message=lambda: "Hallo")
    assert_same_count(small, count_queries(client, path))
