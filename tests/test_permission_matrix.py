"""Every URL of the project × every persona → the expected HTTP status.

The rules (ARCHITECTURE §2, issue 2):
- anonymous → 302 to the login page, except public pages;
- another organisation's objects → 404 (we don't even say they exist);
- inside one's scope without the role → 403.

All objects in the URLs belong to organisation A: a release of member_a, an
open invitation of org_a, member_a's membership in org_a, org_a's slug; in
the marketplace an assignment of org_a (published, a draft, a closed one),
member_a's application to it (with a CV), member_a's offer, an invitation to
apply for member_a, and member_a's engagement with org_a.
The programme manager's scope is all organisations (read-only), so pages
about organisation A without the right role are 403 for them, not 404.

Adding a URL without a row here makes ``test_every_url_has_a_row`` fail.
"""

import importlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from django.core.files.base import ContentFile

from marketplace.models import Assignment
from members import services
from members.models import Membership
from members.notifications import notify
from tests.conftest import PERSONA_NAMES
from tests.matrix import LOGIN, Row, row
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AssignmentInvitationFactory,
    EngagementFactory,
    OfferFactory,
    ReleaseFactory,
)


# --- URL names that are not in the matrix, and why -------------------------
EXEMPT_NAMESPACES = {
    "admin",  # Django admin: its own staff-only permission system, tested by Django.
}
EXEMPT_NAMES = {
    "set_language",  # Django's language switch: public POST, covered in test_i18n.py.
}
# allauth's own views (login, signup, password reset, e-mail confirmation, …)
# are exempt by the module they come from, so that a project URL that merely
# starts with "account_" is still required to have a row.
EXEMPT_MODULE_PREFIXES = ("allauth.",)


def _walk(resolver, namespace=()):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join(namespace + (pattern.name,)), namespace, pattern


def project_url_names() -> set[str]:
    names = set()
    for name, namespace, pattern in _walk(get_resolver()):
        if set(namespace) & EXEMPT_NAMESPACES or name in EXEMPT_NAMES:
            continue
        if pattern.lookup_str.startswith(EXEMPT_MODULE_PREFIXES):
            continue
        names.add(name)
    return names


# --- The matrix ----------------------------------------------------------


ORG_A = lambda w: {"slug": w["org_a"].slug}  # noqa: E731
RELEASE_A = lambda w: {"pk": w["release"].pk}  # noqa: E731

# The organisation's internals: HR of A (and admin) only; inside A (and
# for the programme manager, whose scope is every organisation) 403;
# organisation B's people 404.
HR_OF_A_PAGE = dict(
    hr_a=200, admin_user=200,
    member_a=403, coordinator_a=403, programme_manager=403,
)
# Pages about one's own membership: members only, no object in the URL.
OWN_MEMBER_PAGE = dict(member_a=200, member_b=200)

ASSIGNMENT_A = lambda w: {"pk": w["assignment"].pk}  # noqa: E731
APPLICATION_A = lambda w: {"pk": w["application"].pk}  # noqa: E731
OFFER_A = lambda w: {"pk": w["offer"].pk}  # noqa: E731
# Coordinator pages without an object: any coordinator, and the admin.
COORDINATORS = dict(coordinator_a=200, coordinator_b=200, admin_user=200)
# Managing an assignment of A.
MANAGE_A = dict(
    coordinator_a=200, admin_user=200,
    member_a=403, hr_a=403, programme_manager=403,
)
READ_APPLICATION_A = dict(member_a=200, coordinator_a=200, programme_manager=200, admin_user=200)
# Deciding on member_a's application: it is visible to the applicant and the
# read-everything roles, who may not decide (403).
DECIDE_A = dict(coordinator_a=200, admin_user=200, member_a=403, programme_manager=403)

MATRIX: dict[str, Row] = {
    # Public.
    "home": row(200, anonymous=200),
    "health": row(200, anonymous=200),
    # The admin's login sends people to the site's login; logged-in staff go
    # on to the admin, anyone else logged in is refused.
    "admin_login_redirect": row(403, admin_user=302),
    # A bad token: the "link no longer valid" page, for everyone.
    "members:invitation_accept": row(404, anonymous=404, kwargs=lambda w: {"token": "ongeldig"}),

    # The directory of organisations and profiles is open to the whole network.
    "members:organisation_list": row(200),
    "members:organisation_detail": row(200, kwargs=ORG_A),
    "members:profile_detail": row(200, kwargs=lambda w: {"pk": w["member_a"].profile.pk}),

    "members:organisation_edit": row(404, kwargs=ORG_A, **HR_OF_A_PAGE),
    "members:organisation_people": row(404, kwargs=ORG_A, **HR_OF_A_PAGE),
    "members:invitation_list": row(404, kwargs=ORG_A, **HR_OF_A_PAGE),
    "members:audit_log": row(404, kwargs=ORG_A, **HR_OF_A_PAGE),
    # POST with empty data; HR of A succeeds and is redirected back.
    "members:membership_revoke": row(
        404, method="post", kwargs=lambda w: {"pk": w["membership"].pk},
        **{**HR_OF_A_PAGE, "hr_a": 302, "admin_user": 302},
    ),
    "members:invitation_revoke": row(
        404, method="post", kwargs=lambda w: {"pk": w["invitation"].pk},
        **{**HR_OF_A_PAGE, "hr_a": 302, "admin_user": 302},
    ),

    # Own profile and releases: only people with the member role.
    "members:profile_edit": row(403, **OWN_MEMBER_PAGE),
    "members:release_list": row(403, **OWN_MEMBER_PAGE),
    "members:release_request": row(403, **OWN_MEMBER_PAGE),
    # HR's queue: any HR (each sees only their own organisation's requests).
    "members:release_queue": row(403, hr_a=200, hr_b=200, admin_user=200),

    # member_a's release: the member, HR of A, the read-everything roles.
    "members:release_detail": row(
        404, kwargs=RELEASE_A,
        member_a=200, hr_a=200, admin_user=200, programme_manager=200, coordinator_a=403,
    ),
    # Only the member withdraws (302 back to the list).
    "members:release_withdraw": row(
        404, method="post", kwargs=RELEASE_A,
        member_a=302, hr_a=403, admin_user=403, programme_manager=403, coordinator_a=403,
    ),
    # Only HR of A decides; the empty form is re-rendered with its errors.
    "members:release_decide": row(
        404, method="post", kwargs=RELEASE_A,
        hr_a=200, admin_user=200, member_a=403, programme_manager=403, coordinator_a=403,
    ),

    # Everyone's own data (AVG): the page, the JSON download, the erasure request.
    "members:privacy": row(200),
    "members:privacy_export": row(200),
    "members:erasure_request": row(302, method="post"),

    # Everyone's own notifications (no object in the URL); marking read redirects back.
    "members:notification_list": row(200),
    "members:notification_read": row(302, method="post"),

    # --- Marketplace ------------------------------------------------------
    # Finding work: the whole network.
    "marketplace:assignment_list": row(200),
    "marketplace:assignment_detail": row(200, kwargs=ASSIGNMENT_A),
    # Posting: coordinators (of any organisation, for their own) and admin.
    "marketplace:assignment_create": row(403, **COORDINATORS),
    "marketplace:my_assignments": row(403, coordinator_a=200, coordinator_b=200),  # the admin has no own organisation
    # Managing organisation A's assignment: coordinator of A (and admin);
    # inside A or read-everything without the role 403; organisation B 404.
    "marketplace:assignment_edit": row(404, kwargs=ASSIGNMENT_A, **MANAGE_A),
    "marketplace:assignment_cancel": row(404, kwargs=ASSIGNMENT_A, **MANAGE_A),
    "marketplace:applicants_compare": row(404, kwargs=ASSIGNMENT_A, **MANAGE_A),
    "marketplace:assignment_close": row(
        404, method="post", kwargs=ASSIGNMENT_A, **{**MANAGE_A, "coordinator_a": 302, "admin_user": 302},
    ),
    "marketplace:assignment_reopen": row(
        404, method="post", kwargs=lambda w: {"pk": w["closed_assignment"].pk},
        **{**MANAGE_A, "coordinator_a": 302, "admin_user": 302},
    ),
    # A draft does not exist for anyone but its coordinators and the
    # read-everything roles: 404 inside A too.
    "marketplace:assignment_publish": row(
        404, method="post", kwargs=lambda w: {"pk": w["draft_assignment"].pk},
        coordinator_a=302, admin_user=302, programme_manager=403,
    ),
    # Applying: people with the member role.
    "marketplace:application_create": row(403, kwargs=ASSIGNMENT_A, **OWN_MEMBER_PAGE),
    "marketplace:my_applications": row(403, **OWN_MEMBER_PAGE),
    "marketplace:inbox": row(403, **COORDINATORS),
    # member_a's application to A's assignment: the applicant, the
    # coordinators of A and the read-everything roles see it; anyone else 404.
    "marketplace:application_detail": row(404, kwargs=APPLICATION_A, **READ_APPLICATION_A),
    "marketplace:application_withdraw": row(
        404, method="post", kwargs=APPLICATION_A,
        member_a=302, coordinator_a=403, programme_manager=403, admin_user=403,
    ),
    # The CV: only the applicant and the coordinators of A; for everyone
    # else the file does not exist.
    "marketplace:application_cv": row(404, kwargs=APPLICATION_A, member_a=200, coordinator_a=200),
    # Deciding: coordinators of A (admin). An empty POST to the shortlist
    # redirects back; reject and accept show their form (GET).
    "marketplace:application_shortlist": row(
        404, method="post", kwargs=APPLICATION_A, **{**DECIDE_A, "coordinator_a": 302, "admin_user": 302},
    ),
    "marketplace:application_reject": row(404, kwargs=APPLICATION_A, **DECIDE_A),
    "marketplace:application_accept": row(404, kwargs=APPLICATION_A, **DECIDE_A),
    # Offers are published to the whole network; only the author changes one.
    "marketplace:offer_list": row(200),
    "marketplace:offer_detail": row(200, kwargs=OFFER_A),
    "marketplace:offer_create": row(403, **OWN_MEMBER_PAGE),
    "marketplace:my_offers": row(403, **OWN_MEMBER_PAGE),
    "marketplace:offer_edit": row(403, kwargs=OFFER_A, member_a=200),
    "marketplace:offer_withdraw": row(403, method="post", kwargs=OFFER_A, member_a=302),
    # The directory of available members: coordinators, HR, the programme.
    "marketplace:member_directory": row(
        403, coordinator_a=200, coordinator_b=200, hr_a=200, hr_b=200,
        programme_manager=200, admin_user=200,
    ),
    # Profiles are network-wide; any coordinator may invite (for their own work).
    "marketplace:member_invite": row(
        403, kwargs=lambda w: {"pk": w["member_a"].profile.pk}, **COORDINATORS,
    ),
    "marketplace:my_invitations": row(403, **OWN_MEMBER_PAGE),
    # member_a's invitation from A: only member_a answers it.
    "marketplace:invitation_decline": row(
        404, method="post", kwargs=lambda w: {"pk": w["assignment_invitation"].pk},
        member_a=302, coordinator_a=403, programme_manager=403, admin_user=403,
    ),
    # Engagements: the member, both organisations' coordinators and HR, the programme.
    "marketplace:engagement_list": row(200),
    "marketplace:engagement_detail": row(
        404, kwargs=lambda w: {"pk": w["engagement"].pk},
        member_a=200, coordinator_a=200, hr_a=200, programme_manager=200, admin_user=200,
    ),
}

# Each app that adds URLs keeps its rows next to its tests, in a module with
# ``ROWS`` (url name → Row) and ``extend_world(world) -> dict`` (the objects
# its URLs need, all of organisation A).
APP_MATRICES = [importlib.import_module(m) for m in (
    "tests.training.matrix",
    "tests.invoicing.matrix",
    "tests.matching.matrix",
    "tests.insight.matrix",
)]
for _module in APP_MATRICES:
    _overlap = set(_module.ROWS) & set(MATRIX)
    assert not _overlap, f"{_module.__name__} repeats rows: {_overlap}"
    MATRIX.update(_module.ROWS)

POST_ONLY = sorted(name for name, r in MATRIX.items() if r.method == "post")


# --- The tests -------------------------------------------------------------


def test_every_url_has_a_row():
    names = project_url_names()
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert not missing, f"URL names without a row in MATRIX: {missing}"
    assert not stale, f"rows in MATRIX for URL names that no longer exist: {stale}"


def test_matrix_names_only_known_personas():
    for name, r in MATRIX.items():
        assert set(r.expect) <= set(PERSONA_NAMES), name


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(org_a, org_b, personas, hr_a, member_a, coordinator_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    invitation, _token = services.invitation_create(
        actor=hr_a, organisation=org_a, email="uitgenodigd@example.nl", role="member"
    )
    assignment = AssignmentFactory(organisation=org_a, created_by=coordinator_a, published=True)
    application = ApplicationFactory(assignment=assignment, member=member_a.profile)
    application.cv.save("cv.pdf", ContentFile(PDF))
    notify(users=[u for u in personas.values() if u], kind="test", message=lambda: "Hallo", url="/")
    world = {
        "assignment": assignment,
        "draft_assignment": AssignmentFactory(organisation=org_a, created_by=coordinator_a),
        "closed_assignment": AssignmentFactory(
            organisation=org_a, published=True, status=Assignment.Status.CLOSED,
        ),
        "application": application,
        "offer": OfferFactory(member=member_a.profile),
        "assignment_invitation": AssignmentInvitationFactory(
            assignment=AssignmentFactory(organisation=org_a, published=True), member=member_a.profile,
            invited_by=coordinator_a,
        ),
        "engagement": EngagementFactory(
            member=member_a.profile, hiring_organisation=org_a, application=None,
        ),
        **personas,
        "org_a": org_a,
        "org_b": org_b,
        "release": ReleaseFactory(member=member_a.profile),
        "invitation": invitation,
        "membership": Membership.objects.get(user=member_a, role=Membership.Role.MEMBER),
    }
    for module in APP_MATRICES:
        world.update(module.extend_world(world))
    return world


CASES = [
    pytest.param(name, persona, id=f"{name}-{persona}")
    for name in sorted(MATRIX)
    for persona in PERSONA_NAMES
]


@pytest.mark.parametrize(("url_name", "persona"), CASES)
def test_permission(world, client_for, url_name, persona):
    r = MATRIX[url_name]
    url = reverse(url_name, kwargs=r.kwargs(world))
    client = client_for(world[persona])
    response = getattr(client, r.method)(url)

    expected = r.status_for(persona)
    if expected == LOGIN:
        assert response.status_code == 302, f"{r.method.upper()} {url} as {persona}"
        assert response.url.startswith(f"{reverse('account_login')}?next="), response.url
    else:
        assert response.status_code == expected, (
            f"{r.method.upper()} {url} as {persona}: "
            f"expected {expected}, got {response.status_code}"
        )


@pytest.mark.parametrize("url_name", POST_ONLY)
@pytest.mark.parametrize("persona", ["hr_a", "admin_user", "member_a"])
def test_post_only_urls_refuse_get(world, client_for, url_name, persona):
    url = reverse(url_name, kwargs=MATRIX[url_name].kwargs(world))
    assert client_for(world[persona]).get(url).status_code == 405
