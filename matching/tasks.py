"""Celery jobs of the matching app. They take ids, call a service and
return a few counts; the work itself is SQL (matching/scoring.py)."""

from celery import shared_task

from matching import digests, services
from matching.signals import forget_queued

# The matching jobs are idempotent (upserts under an advisory lock): a worker
# killed in the middle hands them to another worker instead of losing them.
IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**IDEMPOTENT)
def match_assignment(assignment_id: int) -> dict:
    forget_queued("assignment", assignment_id)
    return services.match_assignment(assignment_id).__dict__


@shared_task(**IDEMPOTENT)
def match_member(member_id: int) -> dict:
    forget_queued("member", member_id)
    return services.match_member(member_id).__dict__


@shared_task(**IDEMPOTENT)
def recompute_all() -> dict:
    """Nightly (CELERY_BEAT_SCHEDULE): everything, and drop what no longer holds."""
    return services.match_all().__dict__


@shared_task
def send_digests() -> int:
    """Every morning (CELERY_BEAT_SCHEDULE): one e-mail per member that is due."""
    return digests.send_digests()
