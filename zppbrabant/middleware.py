class DutchByDefaultMiddleware:
    """Dutch is the default whatever the browser asks for; English is a
    choice the person makes with the language switch (stored in a cookie).
    Runs before ``LocaleMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


MFA_EXEMPT_PREFIXES = ("/account/", "/static/", "/i18n/", "/health/")
MFA_SESSION_KEY = "zpp_mfa_ok"


def needs_mfa(user) -> bool:
    """HR, coordinators, training coordinators, the programme manager and
    admins decide on people, work and money: they log in with a second factor."""
    from members.roles import roles_of

    roles = roles_of(user)
    return (
        user.is_staff
        or roles.admin
        or roles.is_hr
        or roles.is_coordinator
        or roles.programme_manager
        or roles.training_coordinator
    )


class RequireMfaMiddleware:
    """Sends people whose role requires a second factor to the page that
    sets one up, until they have. Account pages (login, logout, the MFA
    pages themselves) stay reachable. Off when ``settings.MFA_REQUIRED`` is
    false (development and the demo)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        user = getattr(request, "user", None)
        if (
            settings.MFA_REQUIRED
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not request.session.get(MFA_SESSION_KEY)
            and needs_mfa(user)
        ):
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(user):
                from django.contrib import messages
                from django.shortcuts import redirect
                from django.utils.translation import gettext as _

                messages.info(
                    request,
                    _("Your role requires a second login step. Set up an authenticator app to continue."),
                )
                return redirect("mfa_activate_totp")
            request.session[MFA_SESSION_KEY] = True
        return self.get_response(request)


def forget_mfa_check(sender, request=None, **kwargs):
    """An authenticator was removed: check again on the next request."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(MFA_SESSION_KEY, None)



class RejectNullBytesMiddleware:
    """A NUL character in a query string or a posted form field can never be
    meant, and PostgreSQL refuses to store or even compare it (a 500 deep in
    a query). Forms already refuse it at the field; this answers 400 for any
    request that carries one, before a view reads the raw value."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or self._has_null(request.GET) or (
            request.method == "POST"
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and self._has_null(request.POST)
        ):
            from django.http import HttpResponseBadRequest
            from django.utils.translation import gettext as _

            return HttpResponseBadRequest(_("The request contains a character that is not allowed (NUL)."))
        return self.get_response(request)

    @staticmethod
    def _has_null(data) -> bool:
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class RefreshSessionMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` seconds without a visit.
    Saving the session on every request would keep that exact, at two cache
    round trips and a cookie per page; this saves it (and so renews its
    expiry and cookie) only when its last renewal is ``REFRESH_SECONDS`` old.
    So a session ends between ``SESSION_COOKIE_AGE - REFRESH_SECONDS`` and
    ``SESSION_COOKIE_AGE`` after the last visit. Sits right after
    ``SessionMiddleware``; a visitor without a session gets none."""

    REFRESH_SECONDS = 5 * 60
    KEY = "_zpp_renewed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request read (so loaded, and found) that holds
        # something: a cookie of an expired session does not make a new one.
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.REFRESH_SECONDS:
                session[self.KEY] = now
        return response
