from members.roles import roles_of


def roles(request):
    return {"roles": roles_of(getattr(request, "user", None))}


def notifications(request):
    """``unread_notification_count`` for the menu: a callable (templates call
    it) that costs one query the first time it is used in a request and none
    after that; nothing for visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0}

    def unread_notification_count() -> int:
        cached = getattr(request, "_unread_notification_count", None)
        if cached is None:
            from members.models import Notification

            cached = Notification.objects.filter(user=user, read_at__isnull=True).count()
            request._unread_notification_count = cached
        return cached

    return {"unread_notification_count": unread_notification_count}
