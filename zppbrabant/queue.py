"""Handing work to Celery without losing it when Redis is down.

``enqueue(task, *args)`` publishes the task; when the broker cannot be
reached it stores the call as a ``members.PendingTask`` row instead (in the
database, which is up: the request that got here used it). The beat job
``members.tasks.flush_pending_tasks`` publishes stored calls, oldest first,
once Redis answers again. Task arguments must be JSON-serialisable (they
already are: Celery sends JSON).

``enqueue_on_commit`` is the usual form inside services: publish only when
the transaction that made the change commits.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

BROKER_DOWN = (OperationalError, ConnectionError, TimeoutError, OSError)


def enqueue(task, *args, **kwargs) -> bool:
    """Publish ``task(*args, **kwargs)``; True when it went to Celery (or ran
    eagerly), False when it was stored to be sent later."""
    if task.app.conf.task_always_eager:
        # In-process: there is no broker to miss, and an OSError raised by the
        # task itself (an SMTP refusal, say) must not pass for one.
        task.apply_async(args=args, kwargs=kwargs)
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs)
        return True
    except BROKER_DOWN as error:
        from members.models import PendingTask

        PendingTask.objects.create(task_name=task.name, args=list(args), kwargs=kwargs, last_error=str(error)[:2000])
        logger.warning("broker unreachable; stored %s for later (%s)", task.name, error)
        return False


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


def flush_pending(limit: int = 500) -> int:
    """Publish stored calls, oldest first; stops at the first failure (the
    broker is still down). Returns how many were sent."""
    from celery import current_app

    from members.models import PendingTask

    sent = 0
    for pending in PendingTask.objects.order_by("created_at", "id")[:limit]:
        with transaction.atomic():
            # Skip rows another flusher is sending right now.
            row = PendingTask.objects.select_for_update(skip_locked=True).filter(pk=pending.pk).first()
            if row is None:
                continue
            try:
                current_app.send_task(row.task_name, args=row.args, kwargs=row.kwargs)
            except BROKER_DOWN as error:
                PendingTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, last_error=str(error)[:2000])
                return sent
            row.delete()
            sent += 1
    return sent
