from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils.translation import gettext as _

from members.signals import INVITATION_SESSION_KEY


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: only someone holding a valid invitation link may
    create an account, and only with the address it was sent to."""

    def _invitation(self, request):
        from members.services import invitation_by_token

        if request is None:
            return None
        return invitation_by_token(request.session.get(INVITATION_SESSION_KEY, ""))

    def is_open_for_signup(self, request):
        return self._invitation(request) is not None

    def clean_email(self, email):
        email = super().clean_email(email)
        invitation = self._invitation(getattr(self, "request", None))
        if invitation is not None and invitation.email.lower() != email.lower():
            raise forms.ValidationError(
                _("Use the address the invitation was sent to: %(email)s.") % {"email": invitation.email}
            )
        return email
