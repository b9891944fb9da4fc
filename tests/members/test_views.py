"""The members app through HTTP, as a person in a browser would use it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from members import services
from members.models import AuditEntry, Invitation, Membership, MemberProfile, Organisation, Release, User
from tests.factories import DEFAULT_PASSWORD, ReleaseFactory, UserFactory, valid_iban, valid_vat_number

ONE_MB = "x" * (1024 * 1024)


def _release_of(user, **kwargs):
    return ReleaseFactory(member=user.profile, **kwargs)


def assert_field_error(response, field, code=None):
    """A 200 re-render with the message shown at ``field``."""
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors.as_data()
    assert field in errors, f"no error at {field!r}; errors: {form.errors}"
    if code is not None:
        codes = {e.code for e in errors[field]}
        assert code in codes, f"{field}: expected code {code!r}, got {codes}"
    html = response.content.decode()
    for message in form.errors[field]:
        assert escape(message) in html, f"message {message!r} not on the page"


# --- Release approval -----------------------------------------------------


def test_hr_approves_in_the_queue_and_member_sees_the_status(
    client_for, member_a, hr_a, run_on_commit
):
    release = _release_of(member_a)
    hr = client_for(hr_a)

    queue = hr.get(reverse("members:release_queue"))
    assert queue.status_code == 200
    assert reverse("members:release_detail", args=[release.pk]) in queue.content.decode()

    with run_on_commit():
        response = hr.post(
            reverse("members:release_decide", args=[release.pk]),
            {"decision": "approve", "reason": "Succes!"},
        )
    assert response.status_code == 302
    assert response.url == reverse("members:release_queue")
    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED
    assert release.decided_by == hr_a
    assert [m.to for m in mail.outbox] == [[member_a.email]]

    # The queue is empty now.
    queue = hr.get(reverse("members:release_queue"))
    assert reverse("members:release_detail", args=[release.pk]) not in queue.content.decode()

    member = client_for(member_a)
    approved_label = escape(str(Release.Status.APPROVED.label))
    for url in (reverse("members:release_list"), release.get_absolute_url()):
        page = member.get(url)
        assert page.status_code == 200
        assert approved_label in page.content.decode()


def test_hr_rejects_with_reason_and_member_sees_it(client_for, member_a, hr_a, run_on_commit):
    release = _release_of(member_a)
    with run_on_commit():
        response = client_for(hr_a).post(
            reverse("members:release_decide", args=[release.pk]),
            {"decision": "reject", "reason": "Niet tijdens de begrotingsperiode."},
        )
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.status == Release.Status.REJECTED
    page = client_for(member_a).get(release.get_absolute_url())
    assert "Niet tijdens de begrotingsperiode." in page.content.decode()
    assert "Niet tijdens de begrotingsperiode." in mail.outbox[0].body


def test_approving_a_decided_release_again_shows_the_message(client_for, member_a, hr_a):
    release = _release_of(member_a)
    hr = client_for(hr_a)
    url = reverse("members:release_decide", args=[release.pk])
    assert hr.post(url, {"decision": "approve", "reason": ""}).status_code == 302
    response = hr.post(url, {"decision": "reject", "reason": "Toch niet"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED
    assert AuditEntry.objects.filter(action__startswith="release.").exclude(
        action="release.request"
    ).count() == 1


def test_release_approved_by_hr_a_is_invisible_to_hr_b(client_for, member_a, hr_a, hr_b):
    release = _release_of(member_a)
    services.release_approve(actor=hr_a, release=release)
    hr = client_for(hr_b)

    assert hr.get(release.get_absolute_url()).status_code == 404
    assert hr.post(
        reverse("members:release_decide", args=[release.pk]), {"decision": "reject", "reason": "x"}
    ).status_code == 404
    assert reverse("members:release_detail", args=[release.pk]) not in hr.get(
        reverse("members:release_queue")
    ).content.decode()
    release.refresh_from_db()
    assert release.status == Release.Status.APPROVED


def test_requested_release_of_a_cannot_be_approved_by_hr_b(client_for, member_a, hr_b):
    release = _release_of(member_a)
    response = client_for(hr_b).post(
        reverse("members:release_decide", args=[release.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 404
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED


def test_member_cannot_approve_own_release(client_for, member_a):
    release = _release_of(member_a)
    response = client_for(member_a).post(
        reverse("members:release_decide", args=[release.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 403
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED


def test_member_who_is_also_hr_cannot_approve_own_release(client_for, org_a, member_a):
    services.membership_grant(actor=None, user=member_a, organisation=org_a, role="hr")
    release = _release_of(member_a)
    client = client_for(member_a)

    detail = client.get(release.get_absolute_url())
    assert detail.status_code == 200
    assert detail.context["form"] is None  # no decision form on one's own release
    assert reverse("members:release_detail", args=[release.pk]) not in client.get(
        reverse("members:release_queue")
    ).content.decode()

    response = client.post(
        reverse("members:release_decide", args=[release.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 403
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED


def test_member_requests_and_withdraws_a_release(client_for, member_a, hr_a, run_on_commit):
    client = client_for(member_a)
    start = timezone.localdate() + timedelta(days=7)
    with run_on_commit():
        response = client.post(reverse("members:release_request"), {
            "days_per_week": "1.5", "variant": "zpp",
            "start_date": start.isoformat(), "end_date": (start + timedelta(days=90)).isoformat(),
            "motivation": "Ervaring opdoen",
        })
    assert response.status_code == 302
    release = Release.objects.get(member=member_a.profile)
    assert release.days_per_week == Decimal("1.5")
    assert [m.to for m in mail.outbox] == [[hr_a.email]]

    response = client.post(reverse("members:release_withdraw", args=[release.pk]))
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.status == Release.Status.WITHDRAWN


# --- Bad input: a 200 re-render with the message at the field -------------


def _organisation_data(org: Organisation, **overrides):
    data = {
        "name": org.name, "kind": org.kind, "street": org.street, "postal_code": org.postal_code,
        "city": org.city, "kvk_number": org.kvk_number, "oin": org.oin,
        "vat_number": org.vat_number, "iban": org.iban, "invoice_email": org.invoice_email,
        "zpp_hourly_rate": str(org.zpp_hourly_rate), "website": org.website,
    }
    data.update(overrides)
    return data


def test_organisation_edit_with_valid_input_saves(client_for, org_a, hr_a):
    url = reverse("members:organisation_edit", args=[org_a.slug])
    response = client_for(hr_a).post(url, _organisation_data(
        org_a, city="Eindhoven", kvk_number="1234 5678", iban=valid_iban(77).lower(),
    ))
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.city == "Eindhoven"
    assert org_a.kvk_number == "12345678"  # typed with a space, stored clean
    assert org_a.iban == valid_iban(77)


@pytest.mark.parametrize(("field", "value", "code"), [
    ("iban", "NL00BNGH0000000001", "iban"),
    ("iban", "geen iban", "iban"),
    ("kvk_number", "1234567", "kvk"),
    ("oin", "1234", "oin"),
    ("vat_number", "NL123456789B00", "vat"),
    ("zpp_hourly_rate", "-5", "min_value"),
    ("zpp_hourly_rate", "0", "min_value"),
    ("zpp_hourly_rate", "veel", "invalid"),
    ("name", ONE_MB, "max_length"),
    ("invoice_email", "facturen@", "invalid"),
    ("name", "", "required"),
])
def test_organisation_edit_bad_input(client_for, org_a, hr_a, field, value, code):
    before = Organisation.objects.filter(pk=org_a.pk).values().get()
    response = client_for(hr_a).post(
        reverse("members:organisation_edit", args=[org_a.slug]),
        _organisation_data(org_a, city="Eindhoven", **{field: value}),
    )
    assert_field_error(response, field, code)
    assert Organisation.objects.filter(pk=org_a.pk).values().get() == before
    assert not AuditEntry.objects.filter(action="organisation.update").exists()


def _profile_data(**overrides):
    data = {
        "job_title": "Beleidsadviseur", "bio": "Korte bio", "tags": "omgevingswet, stikstof",
        "core_qualities": "verbinder", "entrepreneurship_level": "starter",
        "availability_notes": "", "own_hourly_rate": "", "business_name": "",
        "business_kvk": "", "business_vat": "", "business_iban": "",
    }
    data.update(overrides)
    return data


def test_profile_edit_with_valid_input_saves(client_for, member_a):
    response = client_for(member_a).post(reverse("members:profile_edit"), _profile_data(
        own_hourly_rate="95", business_kvk="8765 4321",
        business_vat=valid_vat_number(3).lower(), business_iban=valid_iban(3),
    ))
    assert response.status_code == 302
    profile = MemberProfile.objects.get(user=member_a)
    assert profile.tags == ["omgevingswet", "stikstof"]
    assert profile.business_kvk == "87654321"
    assert profile.business_vat == valid_vat_number(3)
    assert profile.own_hourly_rate == Decimal("95")


@pytest.mark.parametrize(("field", "value", "code"), [
    ("bio", ONE_MB, "max_length"),
    ("job_title", ONE_MB, "max_length"),
    ("availability_notes", ONE_MB, "max_length"),
    ("business_kvk", "1234567", "kvk"),
    ("business_vat", "NL12345", "vat"),
    ("business_iban", "NL00BNGH0000000001", "iban"),
    ("own_hourly_rate", "-5", "min_value"),
    ("entrepreneurship_level", "guru", "invalid_choice"),
    ("tags", ",".join(f"tag{i}" for i in range(16)), None),
    ("tags", "x" * 51, None),
])
def test_profile_edit_bad_input(client_for, member_a, field, value, code):
    before = MemberProfile.objects.filter(user=member_a).values().get()
    response = client_for(member_a).post(
        reverse("members:profile_edit"), _profile_data(**{"availability_notes": "Op dinsdag", field: value})
    )
    assert_field_error(response, field, code)
    assert MemberProfile.objects.filter(user=member_a).values().get() == before


def _release_data(**overrides):
    start = timezone.localdate() + timedelta(days=7)
    data = {
        "days_per_week": "1", "variant": "zpp", "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=90)).isoformat(), "motivation": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"days_per_week": "7"}, "days_per_week", "max_value"),
    ({"days_per_week": "1.3"}, "days_per_week", "release_days"),
    ({"days_per_week": "0"}, "days_per_week", "min_value"),
    ({"days_per_week": "een"}, "days_per_week", "invalid"),
    ({"end_date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "end_date", None),
    ({"end_date": (timezone.localdate() + timedelta(days=7)).isoformat()}, "end_date", None),
    ({"start_date": "2025-02-30"}, "start_date", "invalid"),
    ({"variant": "loondienst"}, "variant", "invalid_choice"),
    ({"variant": "zzp"}, "variant", None),  # no KvK/VAT/own rate on the profile yet
    ({"motivation": ONE_MB}, "motivation", "max_length"),
])
def test_release_request_bad_input(client_for, member_a, overrides, field, code):
    response = client_for(member_a).post(reverse("members:release_request"), _release_data(**overrides))
    assert_field_error(response, field, code)
    assert not Release.objects.exists()


def test_release_request_overlapping_shows_message_at_start_date(client_for, member_a):
    existing = _release_of(member_a)
    response = client_for(member_a).post(reverse("members:release_request"), _release_data(
        start_date=(existing.start_date + timedelta(days=1)).isoformat(),
        end_date=(existing.start_date + timedelta(days=20)).isoformat(),
    ))
    assert_field_error(response, "start_date")
    assert Release.objects.count() == 1


@pytest.mark.parametrize("data", [
    {"decision": "reject", "reason": ""},
    {"decision": "reject", "reason": "   "},
])
def test_release_reject_without_reason(client_for, member_a, hr_a, data):
    release = _release_of(member_a)
    response = client_for(hr_a).post(reverse("members:release_decide", args=[release.pk]), data)
    assert_field_error(response, "reason")
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED
    assert release.decided_at is None


@pytest.mark.parametrize(("data", "field"), [
    ({"decision": "misschien", "reason": ""}, "decision"),
    ({"decision": "reject", "reason": ONE_MB}, "reason"),
])
def test_release_decision_other_bad_input(client_for, member_a, hr_a, data, field):
    release = _release_of(member_a)
    response = client_for(hr_a).post(reverse("members:release_decide", args=[release.pk]), data)
    assert_field_error(response, field)
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED


def test_zzp_approval_without_business_details_shows_what_is_missing(client_for, member_a, hr_a):
    release = _release_of(member_a, variant=Release.Variant.ZZP)
    hr = client_for(hr_a)
    detail = hr.get(release.get_absolute_url())
    missing = [str(m) for m in services.missing_zzp_requirements(member_a.profile)]
    for item in missing:
        assert escape(item) in detail.content.decode()
    response = hr.post(
        reverse("members:release_decide", args=[release.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    release.refresh_from_db()
    assert release.status == Release.Status.REQUESTED


@pytest.mark.parametrize(("data", "field", "code"), [
    ({"email": "geen-adres", "role": "member"}, "email", "invalid"),
    ({"email": "", "role": "member"}, "email", "required"),
    ({"email": ("x" * 300) + "@example.nl", "role": "member"}, "email", None),
    ({"email": "nieuw@example.nl", "role": "programme_manager"}, "role", "invalid_choice"),
])
def test_invitation_form_bad_input(client_for, org_a, hr_a, data, field, code):
    response = client_for(hr_a).post(reverse("members:invitation_list", args=[org_a.slug]), data)
    assert_field_error(response, field, code)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invitation_for_member_elsewhere_shows_message_at_email(client_for, org_a, hr_a, member_b):
    response = client_for(hr_a).post(
        reverse("members:invitation_list", args=[org_a.slug]),
        {"email": member_b.email, "role": "member"},
    )
    assert_field_error(response, "email")
    assert not Invitation.objects.exists()


# --- Invitation → sign-up → login -----------------------------------------


@pytest.fixture
def invitation_token(org_a, hr_a, run_on_commit):
    with run_on_commit():
        _, token = services.invitation_create(
            actor=hr_a, organisation=org_a, email="nieuw.lid@example.nl", role="member"
        )
    mail.outbox.clear()
    return token


def _signup_data(email="nieuw.lid@example.nl", **overrides):
    data = {
        "email": email, "password1": "Zomer-in-Brabant-2025", "password2": "Zomer-in-Brabant-2025",
        "first_name": "Nieuw", "last_name": "Lid",
    }
    data.update(overrides)
    return data


def test_invited_person_signs_up_and_gets_the_role(client, org_a, invitation_token):
    response = client.get(reverse("members:invitation_accept", args=[invitation_token]))
    assert response.status_code == 302
    assert response.url == reverse("account_signup")

    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert "account/signup.html" in [t.name for t in page.templates]

    response = client.post(reverse("account_signup"), _signup_data())
    assert response.status_code == 302, response.content.decode()[:2000]

    user = User.objects.get(email="nieuw.lid@example.nl")
    assert (user.first_name, user.last_name) == ("Nieuw", "Lid")
    assert Membership.objects.filter(user=user, organisation=org_a, role="member").exists()
    assert user.profile.home_organisation == org_a
    assert EmailAddress.objects.get(user=user).verified
    # No verification step: logged in straight away, no confirmation e-mail.
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert mail.outbox == []
    assert client.get(reverse("members:profile_edit")).status_code == 200
    assert Invitation.objects.get().accepted_by == user
    assert services.invitation_by_token(invitation_token) is None


def test_signup_with_another_address_than_invited_is_refused(client, invitation_token):
    client.get(reverse("members:invitation_accept", args=[invitation_token]))
    response = client.post(reverse("account_signup"), _signup_data(email="iemand.anders@example.nl"))
    assert_field_error(response, "email")
    assert not User.objects.filter(email="iemand.anders@example.nl").exists()


def test_signup_without_invitation_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]

    response = client.post(reverse("account_signup"), _signup_data(email="vreemde@example.nl"))
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    assert not User.objects.filter(email="vreemde@example.nl").exists()


def test_used_invitation_link_no_longer_opens_signup(client, client_for, invitation_token):
    user = UserFactory(email="nieuw.lid@example.nl")
    services.invitation_accept(user=user, token=invitation_token)
    response = client.get(reverse("members:invitation_accept", args=[invitation_token]))
    assert response.status_code == 404
    assert "account/signup_closed.html" in [
        t.name for t in client.get(reverse("account_signup")).templates
    ]


def test_invited_existing_user_is_sent_to_login_then_accepts(client_for, org_a, hr_a, member_b):
    _, token = services.invitation_create(
        actor=hr_a, organisation=org_a, email=member_b.email, role="coordinator"
    )
    url = reverse("members:invitation_accept", args=[token])
    anonymous = client_for(None)
    response = anonymous.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))

    client = client_for(member_b)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(user=member_b, organisation=org_a, role="coordinator").exists()


def test_logged_in_user_with_another_address_cannot_accept(client_for, org_a, hr_a, member_b):
    _, token = services.invitation_create(
        actor=hr_a, organisation=org_a, email="iemand@example.nl", role="coordinator"
    )
    client_for(member_b).post(reverse("members:invitation_accept", args=[token]))
    assert not Membership.objects.filter(user=member_b, organisation=org_a).exists()
    assert services.invitation_by_token(token) is not None


def test_login_with_email_and_password(client, member_a):
    response = client.post(
        reverse("account_login"), {"login": member_a.email.upper(), "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(member_a.pk)
    assert client.get(reverse("members:profile_edit")).status_code == 200


def test_login_with_wrong_password_is_refused(client, member_a):
    response = client.post(reverse("account_login"), {"login": member_a.email, "password": "fout"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_unverified_address_cannot_log_in(client, db):
    user = UserFactory(verified_email=False)
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session


def _too_many_attempts_message():
    with translation.override("nl"):
        return escape(str(DefaultAccountAdapter.error_messages["too_many_login_attempts"]))


def test_sixth_login_attempt_after_five_failures_is_refused(client, member_a):
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": member_a.email, "password": "verkeerd-wachtwoord"})
        assert response.status_code == 200
        assert _too_many_attempts_message() not in response.content.decode()

    # Even the right password is refused now.
    response = client.post(url, {"login": member_a.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert _too_many_attempts_message() in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_the_account(client, member_a):
    url = reverse("account_login")
    for _ in range(4):
        client.post(url, {"login": member_a.email, "password": "verkeerd-wachtwoord"})
    response = client.post(url, {"login": member_a.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(member_a.pk)


@pytest.mark.parametrize("url_name", [
    "members:organisation_list", "members:release_queue", "members:profile_edit",
    "members:release_list", "members:release_request",
])
def test_anonymous_is_sent_to_login(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"
