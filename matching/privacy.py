"""Personal data in matching (see members/privacy.py).

Export: the person's saved searches, e-mail preferences and suggestions
(assignment, score, reasons, dismissed or not).

Erasure deletes all of it: suggestions (dismissed ones too), saved searches,
the e-mail preference, and the member's rows in the derived scoring table
``matching_memberkey`` (skills, release, rate), so that no matching job
running before the next recompute brings a suggestion back. None of it is a
record anyone must keep. Afterwards the jobs leave the person out, because
they only read active accounts with the member role (members/privacy.py
takes both away). The digest job gives every profile a default preference
row again (``digests.ensure_preferences``); that row holds no personal
data, and no digest goes to an inactive account.
"""

from django.db import connection

from matching.models import EmailPreference, SavedSearch, Suggestion


def _profile_id(user):
    return getattr(getattr(user, "profile", None), "pk", None)


def export(user) -> dict:
    profile_id = _profile_id(user)
    if profile_id is None:
        return {}
    return {
        "saved_searches": list(
            SavedSearch.objects.filter(member_id=profile_id).values(
                "name", "filters", "frequency", "alert", "last_sent_at", "created_at",
            )
        ),
        "email_preferences": EmailPreference.objects.filter(member_id=profile_id)
        .values("digest_frequency", "saved_search_alerts", "digest_sent_at", "unsubscribed_at", "updated_at")
        .first(),
        "match_suggestions": list(
            Suggestion.objects.filter(member_id=profile_id)
            .order_by("-score", "assignment_id")
            .values(
                "assignment__title", "assignment__organisation__name", "score", "reasons", "dismissed_at",
                "created_at", "updated_at",
            )
        ),
    }


def erase(user) -> dict:
    profile_id = _profile_id(user)
    if profile_id is None:
        return {}
    counts = {
        "match_suggestions_deleted": Suggestion.objects.filter(member_id=profile_id).delete()[0],
        "saved_searches_deleted": SavedSearch.objects.filter(member_id=profile_id).delete()[0],
        "email_preferences_deleted": EmailPreference.objects.filter(member_id=profile_id).delete()[0],
    }
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM matching_memberkey WHERE member_id = %s", [profile_id])
    return counts
