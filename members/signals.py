from allauth.account.signals import user_signed_up
from allauth.mfa.signals import authenticator_removed
from django.dispatch import receiver

from members.errors import DomainError
from zppbrabant.middleware import forget_mfa_check

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


@receiver(authenticator_removed)
def _recheck_mfa(sender, request=None, **kwargs):
    forget_mfa_check(sender, request=request)
