"""Start the matching jobs when what they read changes; connected in
``MatchingConfig.ready``.

- an assignment is published (marketplace's ``assignment_published``, sent
  after commit), changed, closed, reopened, filled or cancelled (post_save),
  or its skills change (m2m_changed): ``match_assignment``;
- a member's profile, skills, release, engagements, applications or
  completed training change: ``match_member``;
- a member profile or an assignment is deleted: its rows in the scoring
  tables go at once (those tables have no foreign keys).

Jobs are enqueued after the transaction commits, once: a change that saves
a row and then sets its skills would otherwise queue the same job several
times. A cache key marks a job as queued until the job starts.
"""

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

QUEUED_SECONDS = 10 * 60
M2M_ACTIONS = ("post_add", "post_remove", "post_clear")


def _key(kind: str, pk: int) -> str:
    return f"matching:queued:{kind}:{pk}"


def queue_match(kind: str, pk: int) -> None:
    """After commit, enqueue ``match_member`` (kind "member") or
    ``match_assignment`` (kind "assignment") for ``pk`` unless it is
    already waiting."""

    def send():
        if not cache.add(_key(kind, pk), 1, QUEUED_SECONDS):
            return
        from matching import tasks
        from zppbrabant.queue import enqueue

        enqueue(tasks.match_member if kind == "member" else tasks.match_assignment, pk)

    transaction.on_commit(send)


def forget_queued(kind: str, pk: int) -> None:
    """Called by the job as it starts: a change from now on queues it again."""
    cache.delete(_key(kind, pk))


# --- Receivers ------------------------------------------------------------------


def assignment_published(sender, assignment_id, **kwargs):
    queue_match("assignment", assignment_id)


def assignment_saved(sender, instance, update_fields=None, **kwargs):
    """Any save of an assignment that is not a draft. Publishing saves with
    ``published_at`` among the fields and sends ``assignment_published``
    after commit: that signal starts the job."""
    if instance.status == instance.Status.DRAFT:
        return
    if update_fields and "published_at" in update_fields:
        return
    queue_match("assignment", instance.pk)


def assignment_skills_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in M2M_ACTIONS:
        return
    if not reverse:
        if instance.status != instance.Status.DRAFT:
            queue_match("assignment", instance.pk)
        return
    for pk in pk_set or ():
        queue_match("assignment", pk)


def profile_saved(sender, instance, **kwargs):
    queue_match("member", instance.pk)


def profile_skills_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in M2M_ACTIONS:
        return
    if not reverse:
        queue_match("member", instance.pk)
        return
    for pk in pk_set or ():
        queue_match("member", pk)


def member_row_saved(sender, instance, **kwargs):
    """A release, engagement, application or completion of a member."""
    queue_match("member", instance.member_id)


def profile_deleted(sender, instance, **kwargs):
    """The scoring tables have no foreign keys (see the migration)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM matching_memberkey WHERE member_id = %s", [instance.pk])


def assignment_deleted(sender, instance, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM matching_assignmentkey WHERE assignment_id = %s", [instance.pk])


def connect() -> None:
    from marketplace import signals as marketplace_signals
    from marketplace.models import Application, Assignment, Engagement
    from members.models import MemberProfile, Release
    from training.models import Completion

    marketplace_signals.assignment_published.connect(assignment_published, dispatch_uid="matching.published")
    post_save.connect(assignment_saved, sender=Assignment, dispatch_uid="matching.assignment_saved")
    for field in ("required_skills", "nice_skills"):
        m2m_changed.connect(
            assignment_skills_changed, sender=getattr(Assignment, field).through,
            dispatch_uid=f"matching.assignment_{field}",
        )
    post_save.connect(profile_saved, sender=MemberProfile, dispatch_uid="matching.profile_saved")
    post_delete.connect(profile_deleted, sender=MemberProfile, dispatch_uid="matching.profile_deleted")
    post_delete.connect(assignment_deleted, sender=Assignment, dispatch_uid="matching.assignment_deleted")
    m2m_changed.connect(
        profile_skills_changed, sender=MemberProfile.skills.through, dispatch_uid="matching.profile_skills"
    )
    for model in (Release, Engagement, Application, Completion):
        post_save.connect(member_row_saved, sender=model, dispatch_uid=f"matching.{model.__name__}_saved")
