"""AVG/GDPR: a person downloads everything held about them and asks to be
erased; erasure keeps what invoices need and removes the rest."""

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from marketplace.models import Application, Offer
from members.errors import DomainError
from members.models import AuditEntry, ErasureRequest, Membership, Notification
from members.notifications import notify
from members.privacy import erase_person, erasure_request
from tests.factories import ApplicationFactory, EngagementFactory, OfferFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def active_member(member_a, org_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    profile = member_a.profile
    profile.bio = "Ik ben Anne en ik hou van omgevingsrecht."
    profile.business_iban = "NL91ABNA0417164300"
    profile.save()
    ReleaseFactory(member=profile, motivation="Graag meer ervaring opdoen")
    open_application = ApplicationFactory(member=profile, motivation="Ik wil dit graag")
    open_application.cv.save("cv.pdf", ContentFile(b"%PDF-1.4 cv"))
    engaged = ApplicationFactory(member=profile, motivation="Dit past precies")
    EngagementFactory(member=profile, hiring_organisation=org_b, application=engaged)
    OfferFactory(member=profile, title="Omgevingswet-advies")
    notify(users=[member_a], kind="test", message=lambda: "Hallo Anne", url="/")
    return member_a


def test_download_holds_my_profile_releases_applications_and_notifications(client_for, active_member):
    response = client_for(active_member).get(reverse("members:privacy_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == active_member.email
    assert data["profile"]["bio"] == "Ik ben Anne en ik hou van omgevingsrecht."
    assert data["releases"][0]["motivation"] == "Graag meer ervaring opdoen"
    assert {a["motivation"] for a in data["applications"]} == {"Ik wil dit graag", "Dit past precies"}
    assert data["offers"][0]["title"] == "Omgevingswet-advies"
    assert data["notifications"][0]["message"] == "Hallo Anne"
    assert len(data["engagements"]) == 1


def test_download_holds_only_my_own_data(client_for, active_member, member_b):
    data = json.loads(client_for(member_b).get(reverse("members:privacy_export")).content)
    assert data["account"]["email"] == member_b.email
    assert "Anne" not in json.dumps(data)


def test_asking_for_erasure_records_one_open_request(client_for, active_member):
    client = client_for(active_member)
    response = client.post(reverse("members:erasure_request"), {"reason": "Ik stop met ZPP"})
    assert response.status_code == 302
    assert ErasureRequest.objects.get(user=active_member).status == "requested"
    # Asking twice: a message, still one request.
    client.post(reverse("members:erasure_request"), {"reason": "nog een keer"})
    assert ErasureRequest.objects.filter(user=active_member).count() == 1
    page = client.get(reverse("members:privacy"))
    assert "Aangevraagd" in page.content.decode() or "Requested" in page.content.decode()


def test_erasure_removes_personal_data_and_keeps_what_invoices_need(active_member, admin_user, tmp_path):
    profile = active_member.profile
    cv_path = Application.objects.get(motivation="Ik wil dit graag").cv.path
    request = erasure_request(actor=active_member, reason="")
    erase_person(actor=admin_user, erasure=request)

    active_member.refresh_from_db()
    assert not active_member.is_active
    assert not active_member.has_usable_password()
    assert "@invalid.zppbrabant.nl" in active_member.email
    assert active_member.get_full_name() != "Anne"
    profile.refresh_from_db()
    assert profile.bio == "" and profile.business_iban == ""
    assert profile.releases.get().motivation == ""
    # The engagement (a contract behind invoices) and its application stay, emptied.
    assert profile.engagements.count() == 1
    kept = Application.objects.get(member=profile)
    assert kept.motivation == "" and not kept.cv
    assert not Offer.objects.filter(member=profile).exists()
    assert not Notification.objects.filter(user=active_member).exists()
    assert not Membership.objects.filter(user=active_member).exists()
    assert not (tmp_path / cv_path).exists()
    request.refresh_from_db()
    assert request.status == "done" and request.outcome["offers_deleted"] == 1
    assert not AuditEntry.objects.filter(target_label__icontains="lid.a@example.nl").exists()


def test_an_erased_person_cannot_log_in(client, active_member, admin_user):
    from tests.factories import DEFAULT_PASSWORD

    email = active_member.email
    erase_person(actor=admin_user, erasure=erasure_request(actor=active_member))
    client.post(reverse("account_login"), {"login": email, "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_only_an_admin_erases_and_only_once(active_member, hr_a, admin_user):
    request = erasure_request(actor=active_member)
    with pytest.raises(DomainError):
        erase_person(actor=hr_a, erasure=request)
    erase_person(actor=admin_user, erasure=request)
    with pytest.raises(DomainError):
        erase_person(actor=admin_user, erasure=request)


def test_a_bad_reason_is_refused_at_the_field(client_for, member_a):
    response = client_for(member_a).post(reverse("members:erasure_request"), {"reason": "x" * 2001})
    assert response.status_code == 200
    assert "field--error" in response.content.decode()
    assert not ErasureRequest.objects.exists()
