from members.roles import roles_of


def roles(request):
    return {"roles": roles_of(getattr(request, "user", None))}


def notifications(request):
    """``unread_notification_count`` for the menu: a callable (templates call
    it), kept in the cache between requests (members.notifications forgets it
    when notifications arrive or are read); nothing for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0}

    def unread_notification_count() -> int:
        cached = getattr(request, "_unread_notification_count", None)
        if cached is None:
            from django.core.cache import cache

            from members.notifications import UNREAD_CACHE_SECONDS, unread_cache_key

            key = unread_cache_key(user.pk)
            cached = cache.get(key)
            if cached is None:
                from members.models import Notification

                cached = Notification.objects.filter(user=user, read_at__isnull=True).count()
                cache.set(key, cached, UNREAD_CACHE_SECONDS)
            request._unread_notification_count = cached
        return cached

    return {"unread_notification_count": unread_notification_count}
