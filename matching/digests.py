"""The digest e-mail: one message per member per run with what is new for
them since their last one: recommended assignments (daily or weekly, or
never, as they chose) and, per saved search with an alert (each daily or
weekly), new assignments that match it.

Runs every morning (``matching.tasks.send_digests``); weekly parts go out on
Mondays. Members are handled in batches, each in one transaction that locks
their preference rows (``skip_locked``), so two runs at once never mail a
member twice; what was sent is recorded (``digest_sent_at``,
``SavedSearch.last_sent_at``) in the same transaction.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from matching import searches
from matching.models import EmailPreference, Frequency, SavedSearch, Suggestion
from matching.services import unsubscribe_token

logger = logging.getLogger(__name__)

BATCH = 200
ITEMS_PER_SECTION = 10
TEMPLATE = "matching/email/digest"


def _due(frequency: str, last_sent, now) -> bool:
    """Daily: once per calendar day; weekly: on Mondays, once."""
    today = timezone.localdate(now)
    if last_sent is not None and timezone.localdate(last_sent) >= today:
        return False
    if frequency == Frequency.DAILY:
        return True
    return frequency == Frequency.WEEKLY and today.weekday() == 0


def _first_since(frequency: str, now):
    """For a first digest: what appeared in the last period."""
    return now - (timedelta(days=1) if frequency == Frequency.DAILY else timedelta(days=7))


@dataclass
class Digest:
    preference: EmailPreference
    suggestions: list = field(default_factory=list)
    suggestions_more: int = 0
    searches: list = field(default_factory=list)  # dicts: search, assignments, more, list_url
    suggestions_due: bool = False

    @property
    def total(self) -> int:
        return (len(self.suggestions) + self.suggestions_more
                + sum(len(s["assignments"]) + s["more"] for s in self.searches))


def ensure_preferences() -> int:
    """Give every member the default preferences row (one statement), so the
    digest can lock and record per member."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO matching_emailpreference
                   (member_id, digest_frequency, saved_search_alerts, created_at, updated_at)
               SELECT p.id, %s, true, now(), now() FROM members_memberprofile p
               ON CONFLICT (member_id) DO NOTHING""",
            [EmailPreference.DigestFrequency.WEEKLY],
        )
        return cursor.rowcount


def send_digests(*, now=None) -> int:
    """Send the digests that are due; returns the number of e-mails."""
    now = now or timezone.now()
    ensure_preferences()
    due_members = _members_possibly_due(now)
    sent = 0
    for start in range(0, len(due_members), BATCH):
        sent += _send_batch(due_members[start:start + BATCH], now)
    return sent


def _members_possibly_due(now) -> list[int]:
    """Members with a digest part switched on that could be due today (the
    exact check happens under the lock)."""
    weekly_today = timezone.localdate(now).weekday() == 0
    frequencies = [Frequency.DAILY] + ([Frequency.WEEKLY] if weekly_today else [])
    by_preference = EmailPreference.objects.filter(digest_frequency__in=frequencies).values_list("member_id", flat=True)
    by_search = SavedSearch.objects.filter(
        alert=True, frequency__in=frequencies, member__email_preference__saved_search_alerts=True
    ).values_list("member_id", flat=True)
    return sorted(set(by_preference) | set(by_search))


def _send_batch(member_ids: list[int], now) -> int:
    sent = 0
    with transaction.atomic():
        preferences = list(
            EmailPreference.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(member_id__in=member_ids, member__user__is_active=True)
            .select_related("member__user", "member__home_organisation")
        )
        digests = {p.member_id: Digest(preference=p) for p in preferences}
        _add_suggestions(digests, now)
        _add_searches(digests, now)
        mailed_members, mailed_searches = [], []
        for digest in digests.values():
            if not digest.total:
                continue
            try:
                _send(digest)
            except Exception:  # noqa: BLE001 - one bad address must not stop the others
                logger.exception("digest for member %s not sent", digest.preference.member_id)
                continue
            sent += 1
            if digest.suggestions_due:
                mailed_members.append(digest.preference.member_id)
            mailed_searches += [s["search"].pk for s in digest.searches]
        EmailPreference.objects.filter(member_id__in=mailed_members).update(digest_sent_at=now)
        SavedSearch.objects.filter(pk__in=mailed_searches).update(last_sent_at=now)
    return sent


def _add_suggestions(digests: dict, now) -> None:
    """New suggestions (one query for the batch), for members whose
    recommended-assignments part is due."""
    since = {}
    for member_id, digest in digests.items():
        p = digest.preference
        if p.digest_frequency != EmailPreference.DigestFrequency.NONE and _due(p.digest_frequency, p.digest_sent_at, now):
            digest.suggestions_due = True
            since[member_id] = p.digest_sent_at or _first_since(p.digest_frequency, now)
    if not since:
        return
    rows = (
        Suggestion.objects.filter(member_id__in=since, dismissed_at__isnull=True, created_at__gt=min(since.values()))
        .filter(assignment__status="published", assignment__application_deadline__gte=timezone.localdate(now))
        .select_related("assignment__organisation")
        .order_by("member_id", "-score", "assignment_id")
    )
    for suggestion in rows:
        digest = digests[suggestion.member_id]
        if suggestion.created_at <= since[suggestion.member_id]:
            continue
        if len(digest.suggestions) < ITEMS_PER_SECTION:
            digest.suggestions.append(suggestion)
        else:
            digest.suggestions_more += 1


def _add_searches(digests: dict, now) -> None:
    """New assignments per due saved search (a query per search)."""
    members = {member_id: d.preference.member for member_id, d in digests.items() if d.preference.saved_search_alerts}
    for search in SavedSearch.objects.filter(member_id__in=members, alert=True).order_by("member_id", "name"):
        if not _due(search.frequency, search.last_sent_at, now):
            continue
        since = search.last_sent_at or max(search.created_at, _first_since(search.frequency, now))
        found = list(searches.new_matches(search, members[search.member_id], since=since, now=now)[:ITEMS_PER_SECTION + 1])
        if not found:
            continue
        more = 0
        if len(found) > ITEMS_PER_SECTION:
            more = searches.new_matches(search, members[search.member_id], since=since, now=now).count() - ITEMS_PER_SECTION
            found = found[:ITEMS_PER_SECTION]
        digests[search.member_id].searches.append(
            {"search": search, "assignments": found, "more": more, "list_url": searches.list_url(search)}
        )


def _send(digest: Digest) -> None:
    """Render in the member's language and send, with the headers mail
    programs use for their own unsubscribe button (RFC 2369 and 8058)."""
    member = digest.preference.member
    user = member.user
    unsubscribe_url = settings.SITE_URL + reverse("matching:unsubscribe", kwargs={"token": unsubscribe_token(member)})
    context = {
        "site_url": settings.SITE_URL, "recipient": user, "suggestions": digest.suggestions,
        "suggestions_more": digest.suggestions_more, "searches": digest.searches, "total": digest.total,
        "unsubscribe_url": unsubscribe_url,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{TEMPLATE}_subject.txt", context).split())
        body = render_to_string(f"{TEMPLATE}.txt", context)
    EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()
