"""Multi-factor authentication (issue 8): open to everyone, required for the
roles that decide on people, work and money; the admin logs in through the
same login; sensitive account changes ask for the password again."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_required(settings):
    settings.MFA_REQUIRED = True


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.mark.parametrize("persona", ["coordinator_a", "hr_a", "programme_manager", "admin_user"])
def test_deciding_roles_are_sent_to_set_up_a_second_factor(mfa_required, personas, client_for, persona):
    client = client_for(personas[persona])
    response = client.get(reverse("marketplace:assignment_list"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # The set-up page stays reachable: it first asks for the password again
    # (this session has no recent password entry), then shows the QR code.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("account_reauthenticate"))
    assert client.get(page.url).status_code == 200


def test_admin_pages_too_need_the_second_factor(mfa_required, client_for, admin_user):
    response = client_for(admin_user).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_a_member_may_but_need_not_use_a_second_factor(mfa_required, client_for, member_a):
    client = client_for(member_a)
    assert client.get(reverse("marketplace:assignment_list")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_with_an_authenticator_the_coordinator_gets_in(mfa_required, client_for, coordinator_a):
    with_totp(coordinator_a)
    response = client_for(coordinator_a).get(reverse("marketplace:inbox"))
    assert response.status_code == 200


def test_not_required_when_switched_off(client_for, coordinator_a):
    assert client_for(coordinator_a).get(reverse("marketplace:inbox")).status_code == 200


def test_activating_totp_through_the_page(mfa_required, client_for, hr_a):
    client = client_for(hr_a)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()  # for apps that cannot scan the QR code
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302, response.content[:500]
    assert Authenticator.objects.filter(user=hr_a, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("members:release_queue")).status_code == 200


def test_login_asks_for_the_code_and_refuses_a_wrong_one(client, hr_a):
    secret = with_totp(hr_a)
    response = client.post(reverse("account_login"), {"login": hr_a.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # Not logged in yet.
    assert client.get(reverse("members:release_queue")).status_code == 302

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if current_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(hr_a.pk)


def test_a_recovery_code_also_logs_in(client, hr_a):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    with_totp(hr_a)
    codes = RecoveryCodes.activate(hr_a).get_unused_codes()
    client.post(reverse("account_login"), {"login": hr_a.email, "password": DEFAULT_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(hr_a.pk)


def test_admin_login_goes_through_the_site_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    followed = client.get(response.url)
    assert followed.status_code == 302
    assert followed.url == f"{reverse('account_login')}?next=%2Fbeheer%2F"


def test_admin_login_refuses_a_foreign_next(client):
    response = client.get(reverse("admin_login_redirect"), {"next": "https://evil.example/"})
    assert response.url == f"{reverse('account_login')}?next=%2Fbeheer%2F"


def test_changing_the_email_address_asks_for_the_password_again(client_for, member_a):
    client = client_for(member_a)  # no recent password entry in this session
    response = client.post(reverse("account_email"), {"action_add": "", "email": "nieuw@example.nl"})
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response.url
    assert not member_a.emailaddress_set.filter(email="nieuw@example.nl").exists()
