from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from members.errors import DomainError

INVITATION_SESSION_KEY = "zpp_invitation_token"


@receiver(user_signed_up)
def accept_invitation_on_signup(sender, request, user, **kwargs):
    from members.services import invitation_accept

    token = request.session.pop(INVITATION_SESSION_KEY, None) if request else None
    if token:
        try:
            invitation_accept(user=user, token=token)
        except DomainError:
            pass
