"""Every write of the matching app: the matching jobs (set-based SQL, see
``matching/scoring.py``), dismissing a suggestion, the training an
assignment asks for, saved searches, e-mail preferences and unsubscribing.
The digest e-mails are in ``matching/digests.py``."""

import logging
import time
from dataclasses import dataclass, field

from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Assignment
from matching import scoring
from matching.models import AssignmentTraining, EmailPreference, SavedSearch, Suggestion
from matching.signals import queue_match
from members.audit import audit_record
from members.errors import DomainError
from members.models import MemberProfile
from members.roles import roles_of

logger = logging.getLogger(__name__)

# Every matching job holds this transaction-level advisory lock, so two jobs
# (the same one twice, or the nightly run and a member's) never interleave
# their writes; each waits for the other and then sees its result.
JOBS_LOCK = "matching.jobs"


@dataclass(frozen=True)
class MatchResult:
    scored: int  # pairs that passed the hard rules and reached MIN_SCORE
    kept: int
    written: int  # inserted or changed
    deleted: int
    seconds: float
    steps: dict = field(default_factory=dict)  # seconds per step, for the log and the benchmarks


def _run(scope: scoring.Scope) -> MatchResult:
    started = time.perf_counter()
    steps: dict[str, float] = {}

    def step(name, fn, *args):
        begin = time.perf_counter()
        out = fn(*args)
        steps[name] = round(time.perf_counter() - begin, 3)
        return out

    params = scoring.base_params(today=timezone.localdate(), now=timezone.now(), scope=scope)
    with transaction.atomic(), connection.cursor() as cursor:
        step("lock", cursor.execute, "SELECT pg_advisory_xact_lock(hashtext(%s))", [JOBS_LOCK])
        scoring.tune_for_job(cursor)
        if scope.full:
            scoring.tune_for_full_run(cursor)
        step("features", _refresh_features, cursor, scope, params)
        step("score", scoring.score_pairs, cursor, scope, params)
        scored = cursor.rowcount
        if scope.full:
            step("analyze", cursor.execute, "ANALYZE matching_scored")
        step("keep", scoring.choose_kept, cursor, scope, params)
        kept = cursor.rowcount
        written, deleted = step("write", scoring.write_kept, cursor, scope, params)
        committing = time.perf_counter()
        # The temporary tables go with the commit (ON COMMIT DROP).
    steps["commit"] = round(time.perf_counter() - committing, 3)
    result = MatchResult(scored, kept, written, deleted, round(time.perf_counter() - started, 3), steps)
    logger.info("matching %s: %s", scope, result)
    return result


def _refresh_features(cursor, scope, params) -> None:
    scoring.sync_positions(cursor, full=scope.full)
    scoring.refresh_member_keys(cursor, scope, params)
    scoring.refresh_assignment_keys(cursor, scope, params)
    if scope.full:
        cursor.execute("ANALYZE matching_memberkey")
        cursor.execute("ANALYZE matching_assignmentkey")
    else:
        # Before the first nightly run the other side has no rows yet.
        scoring.build_missing_side(cursor, scope, params)


def match_all() -> MatchResult:
    """The nightly full recompute: every available member against every
    open assignment; suggestions that no longer hold are deleted (dismissed
    ones stay dismissed)."""
    return _run(scoring.Scope())


def match_assignment(assignment_id: int) -> MatchResult:
    """An assignment was published or changed: match it against all
    available members (or drop its suggestions when it is no longer open)."""
    return _run(scoring.Scope(assignment_id=assignment_id))


def match_member(member_id: int) -> MatchResult:
    """A member's profile, release, engagements or training changed: match
    them against all open assignments."""
    return _run(scoring.Scope(member_id=member_id))


# --- Suggestions -------------------------------------------------------------------


def suggestion_dismiss(*, actor, suggestion: Suggestion) -> Suggestion:
    """The member does not want this one; it never comes back."""
    if suggestion.member.user_id != actor.pk:
        raise DomainError(_("You can only hide your own suggestions."))
    with transaction.atomic():
        updated = Suggestion.objects.filter(pk=suggestion.pk, dismissed_at__isnull=True).update(
            dismissed_at=timezone.now()
        )
        if not updated:
            raise DomainError(_("This suggestion was already hidden."))
        suggestion.refresh_from_db()
        audit_record(
            actor=actor, action="suggestion.dismiss", target=suggestion,
            organisation=suggestion.member.home_organisation,
            data={"assignment": suggestion.assignment_id, "score": suggestion.score},
        )
    return suggestion


# --- Training an assignment asks for -------------------------------------------------


def assignment_training_set(*, actor, assignment: Assignment, modules) -> list:
    """The coordinators of an assignment choose the training modules they
    ask for; the assignment is matched again after commit."""
    if not roles_of(actor).is_coordinator_for(assignment.organisation_id):
        raise DomainError(_("Only coordinators of the hiring organisation can do this."))
    wanted = {module.pk for module in modules}
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        before = set(AssignmentTraining.objects.filter(assignment=locked).values_list("module_id", flat=True))
        AssignmentTraining.objects.filter(assignment=locked).exclude(module_id__in=wanted).delete()
        AssignmentTraining.objects.bulk_create(
            [AssignmentTraining(assignment=locked, module_id=pk) for pk in wanted - before]
        )
        audit_record(
            actor=actor, action="assignment.training_asked", target=locked, organisation=locked.organisation,
            data={"modules": sorted(wanted)},
        )
        queue_match("assignment", locked.pk)
    return sorted(wanted)


# --- Saved searches ----------------------------------------------------------------


def _member_of(actor) -> MemberProfile:
    if not roles_of(actor).is_member:
        raise DomainError(_("Only ZPP members can do this."))
    return MemberProfile.objects.get(user=actor)


def saved_search_save(
    *, actor, search: SavedSearch | None = None, name: str, filters: dict, frequency: str, alert: bool
) -> SavedSearch:
    member = _member_of(actor)
    if search is not None and search.member_id != member.pk:
        raise DomainError(_("You can only change your own saved searches."))
    name = name.strip()
    if SavedSearch.objects.filter(member=member, name__iexact=name).exclude(
        pk=search.pk if search else None
    ).exists():
        raise DomainError(_("You already have a saved search with this name."), field="name")
    with transaction.atomic():
        if search is None:
            search = SavedSearch(member=member)
        else:
            search = SavedSearch.objects.select_for_update().get(pk=search.pk)
        search.name, search.filters, search.frequency, search.alert = name, filters, frequency, alert
        search.full_clean(exclude=["member"])
        search.save()
        audit_record(actor=actor, action="saved_search.save", target=search, organisation=member.home_organisation)
    return search


def saved_search_delete(*, actor, search: SavedSearch) -> None:
    member = _member_of(actor)
    if search.member_id != member.pk:
        raise DomainError(_("You can only delete your own saved searches."))
    with transaction.atomic():
        audit_record(
            actor=actor, action="saved_search.delete", target=search, organisation=member.home_organisation,
            data={"name": search.name},
        )
        SavedSearch.objects.filter(pk=search.pk).delete()


# --- E-mail preferences and unsubscribing -------------------------------------------------

UNSUBSCRIBE_SALT = "matching.unsubscribe"


def preference_for(member: MemberProfile) -> EmailPreference:
    preference, _created = EmailPreference.objects.get_or_create(member=member)
    return preference


def preferences_update(*, actor, digest_frequency: str, saved_search_alerts: bool) -> EmailPreference:
    member = _member_of(actor)
    with transaction.atomic():
        preference = preference_for(member)
        preference = EmailPreference.objects.select_for_update().get(pk=preference.pk)
        preference.digest_frequency = digest_frequency
        preference.saved_search_alerts = saved_search_alerts
        if digest_frequency != EmailPreference.DigestFrequency.NONE or saved_search_alerts:
            preference.unsubscribed_at = None
        preference.updated_at = timezone.now()
        preference.full_clean(exclude=["member"])
        preference.save()
        audit_record(
            actor=actor, action="email_preference.update", target=preference,
            organisation=member.home_organisation,
            data={"digest_frequency": digest_frequency, "saved_search_alerts": saved_search_alerts},
        )
    return preference


def unsubscribe_token(member: MemberProfile) -> str:
    """For the link in every digest: signed, so it works without logging in
    and cannot be made up for someone else."""
    return signing.dumps({"member": member.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def member_for_unsubscribe_token(token: str) -> MemberProfile:
    """The member a token was made for; DomainError for a tampered or
    unknown one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return MemberProfile.objects.select_related("user").get(pk=data["member"])
    except (signing.BadSignature, KeyError, TypeError, MemberProfile.DoesNotExist):
        raise DomainError(_("This unsubscribe link is not valid.")) from None


def unsubscribe(*, token: str) -> EmailPreference:
    """Stop all digest e-mails for the member of ``token`` (idempotent)."""
    member = member_for_unsubscribe_token(token)
    with transaction.atomic():
        preference = EmailPreference.objects.select_for_update().get(pk=preference_for(member).pk)
        if preference.unsubscribed_at is None:
            preference.digest_frequency = EmailPreference.DigestFrequency.NONE
            preference.saved_search_alerts = False
            preference.unsubscribed_at = preference.updated_at = timezone.now()
            preference.save()
            audit_record(
                actor=member.user, action="email_preference.unsubscribe", target=preference,
                organisation=member.home_organisation,
            )
    return preference
