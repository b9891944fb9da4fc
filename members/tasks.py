from celery import shared_task
from django.urls import reverse

from members.models import Invitation, Membership, Release, User
from zppbrabant.mail import send_templated_mail


@shared_task
def send_invitation(invitation_id: int, token: str) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    if invitation.status != "open":
        return
    send_templated_mail(
        to=[invitation.email],
        template="members/email/invitation",
        context={
            "invitation": invitation,
            "accept_path": reverse("members:invitation_accept", kwargs={"token": token}),
        },
    )


@shared_task
def notify_hr_of_release_request(release_id: int) -> None:
    release = Release.objects.select_related("member__user", "member__home_organisation").get(pk=release_id)
    hr_users = User.objects.filter(
        memberships__role=Membership.Role.HR,
        memberships__organisation=release.member.home_organisation,
        is_active=True,
    ).distinct()
    for hr in hr_users:
        send_templated_mail(
            to=[hr.email],
            template="members/email/release_requested",
            context={"release": release, "recipient": hr},
            language=hr.language,
        )


@shared_task
def notify_member_of_release_decision(release_id: int) -> None:
    release = Release.objects.select_related("member__user", "decided_by").get(pk=release_id)
    user = release.member.user
    send_templated_mail(
        to=[user.email],
        template="members/email/release_decided",
        context={"release": release, "recipient": user},
        language=user.language,
    )


@shared_task
def send_notification_email(notification_id: int, template: str, context: dict) -> None:
    """``context`` holds only JSON-safe values; the notification gives the
    recipient, the message and the link."""
    from members.models import Notification

    notification = Notification.objects.select_related("user").get(pk=notification_id)
    user = notification.user
    send_templated_mail(
        to=[user.email],
        template=template,
        context={**context, "notification": notification, "recipient": user},
        language=user.language,
    )


@shared_task
def flush_pending_tasks() -> int:
    """Send on the work stored while Redis was down (zppbrabant/queue.py)."""
    from zppbrabant.queue import flush_pending

    return flush_pending()
