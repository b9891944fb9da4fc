"""Permission-matrix rows for the matching URLs (see tests/matrix.py).

Objects: a suggestion of member_a for organisation A's published assignment,
a saved search of member_a, member_a's unsubscribe token.
"""

from tests.matrix import LOGIN, row  # noqa: F401

ASSIGNMENT_A = lambda w: {"pk": w["assignment"].pk}  # noqa: E731
# Managing organisation A's assignment (as in the marketplace rows).
MANAGE_A = dict(
    coordinator_a=200, admin_user=200,
    member_a=403, hr_a=403, programme_manager=403,
)
MEMBERS = dict(member_a=200, member_b=200)

ROWS = {
    # A member's own pages: people with the member role.
    "matching:my_suggestions": row(403, **MEMBERS),
    "matching:saved_search_list": row(403, **MEMBERS),
    "matching:saved_search_create": row(403, **MEMBERS),
    "matching:email_preferences": row(403, **MEMBERS),
    # member_a's suggestion: coordinators of A and the read-everything roles
    # see it but may not hide it; anyone else: it does not exist.
    "matching:suggestion_dismiss": row(
        404, method="post", kwargs=lambda w: {"pk": w["suggestion"].pk},
        member_a=302, coordinator_a=403, programme_manager=403, admin_user=403,
    ),
    # member_a's saved search exists only for member_a.
    "matching:saved_search_edit": row(404, kwargs=lambda w: {"pk": w["saved_search"].pk}, member_a=200),
    "matching:saved_search_delete": row(
        404, method="post", kwargs=lambda w: {"pk": w["saved_search"].pk}, member_a=302,
    ),
    # The link in the digest works without logging in (GET asks to confirm).
    "matching:unsubscribe": row(200, anonymous=200, kwargs=lambda w: {"token": w["unsubscribe_token"]}),
    # Organisation A's assignment: its coordinators (and the admin).
    "matching:candidates": row(404, kwargs=ASSIGNMENT_A, **MANAGE_A),
    "matching:candidate_invite": row(
        404, kwargs=lambda w: {"pk": w["assignment"].pk, "member_pk": w["member_b"].profile.pk}, **MANAGE_A,
    ),
    "matching:assignment_training": row(404, kwargs=ASSIGNMENT_A, **MANAGE_A),
}


def extend_world(world: dict) -> dict:
    from matching.models import SavedSearch, Suggestion
    from matching.services import unsubscribe_token

    profile = world["member_a"].profile
    return {
        "suggestion": Suggestion.objects.create(
            member=profile, assignment=world["assignment"], score=80,
            reasons=[["required_skills", 2, 2], ["hours", 8, 8], ["remote", "Tilburg"]],
        ),
        "saved_search": SavedSearch.objects.create(member=profile, name="Omgevingswet", filters={"q": ["omgevingswet"]}),
        "unsubscribe_token": unsubscribe_token(profile),
    }
