from allauth.account.signals import user_signed_up
from allauth.mfa.signals import authenticator_removed
from django.db.models.signals import post_delete, post_save
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


def _forget_roles_of_instance(sender, instance, **kwargs):
    """A membership or a profile changed (also through the admin): the roles
    cached for its user are out of date."""
    from members.roles import forget_cached_roles

    if instance.user_id:
        forget_cached_roles(instance.user_id)


def _connect_role_cache_signals():
    from members.models import MemberProfile, Membership

    for model in (Membership, MemberProfile):
        post_save.connect(_forget_roles_of_instance, sender=model, dispatch_uid=f"roles-cache-{model.__name__}")
        post_delete.connect(_forget_roles_of_instance, sender=model, dispatch_uid=f"roles-cache-del-{model.__name__}")


_connect_role_cache_signals()
