"""Tell people something: an in-app notification (in their language) and,
after the transaction commits, an e-mail rendered from a template."""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import translation

from members.models import Notification, User

# The menu's unread count is cached per person; new and read notifications
# forget it at once, the time limit bounds anything else (a demo seed, an
# admin edit, a Redis outage).
UNREAD_CACHE_SECONDS = 60


def unread_cache_key(user_id) -> str:
    return f"unread:v1:{user_id}"


def forget_unread_count(user_ids) -> None:
    from django.core.cache import cache

    keys = [unread_cache_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def notify(
    *,
    users: Iterable[User],
    kind: str,
    message: Callable[[], str],
    url: str = "",
    email_template: str | None = None,
    context: dict | None = None,
) -> list[Notification]:
    """``message`` is called once per recipient inside their language, so a
    lazily translated text comes out in Dutch or English as they chose."""
    notifications = []
    for user in users:
        if user is None or not user.is_active:
            continue
        with translation.override(user.language or "nl"):
            text = str(message())[:500]
        notifications.append(Notification(user=user, kind=kind, message=text, url=url))
    created = Notification.objects.bulk_create(notifications)
    forget_unread_count({n.user_id for n in created})
    if email_template:
        from members.tasks import send_notification_email

        ids = [n.pk for n in created]
        from zppbrabant.queue import enqueue

        transaction.on_commit(
            lambda: [enqueue(send_notification_email, pk, email_template, context or {}) for pk in ids]
        )
    return created


def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    marked = qs.update(read_at=timezone.now())
    forget_unread_count([user.pk])
    return marked
