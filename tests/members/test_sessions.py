"""Sessions end after SESSION_COOKIE_AGE seconds without a visit; a visit
renews the session at most every five minutes
(zppbrabant.middleware.RefreshSessionMiddleware)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from zppbrabant.middleware import RefreshSessionMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_sessions(settings):
    """Sessions in the database, so their expiry can be read and moved."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def _session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings_cookie()].value)


def settings_cookie() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


def _age_renewal(client, seconds: int) -> None:
    session = client.session
    session[RefreshSessionMiddleware.KEY] -= seconds
    session.save()


def test_a_visit_after_five_minutes_renews_the_session(db_sessions, client_for, member_a, settings):
    client = client_for(member_a)
    client.get(reverse("home"))
    row = _session(client)
    row.expire_date = timezone.now() + timedelta(hours=1)  # as if the last renewal was 7 hours ago
    row.save()
    _age_renewal(client, RefreshSessionMiddleware.REFRESH_SECONDS)

    response = client.get(reverse("home"))

    assert settings_cookie() in response.cookies  # the browser's cookie is renewed too
    left = _session(client).expire_date - timezone.now()
    assert left > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_visits_close_together_do_not_write_the_session(db_sessions, client_for, member_a):
    client = client_for(member_a)
    client.get(reverse("home"))
    expiry = _session(client).expire_date

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert settings_cookie() not in response.cookies
    assert _session(client).expire_date == expiry


def test_an_idle_session_is_logged_out(db_sessions, client_for, member_a):
    client = client_for(member_a)
    client.get(reverse("home"))
    Session.objects.filter(session_key=client.cookies[settings_cookie()].value).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(reverse("marketplace:my_applications"))

    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_a_visitor_without_a_session_gets_none(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert settings_cookie() not in response.cookies


def test_the_cookie_of_an_expired_session_brings_no_new_one(db_sessions, client_for, member_a):
    client = client_for(member_a)
    key = client.cookies[settings_cookie()].value
    Session.objects.filter(session_key=key).delete()

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert not Session.objects.exists()
