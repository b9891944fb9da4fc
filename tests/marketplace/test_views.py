"""The marketplace through HTTP, as people in a browser use it: the journey
from posting to engagement, who may open what (404 outside one's scope),
CV uploads, bad input on every form (a 200 with the message at the field and
nothing saved), and the list page's search, filters and shareable URLs."""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from marketplace import services
from marketplace.models import (
    Application,
    Assignment,
    AssignmentInvitation,
    Engagement,
    Offer,
    Source,
)
from members.models import Membership, Notification, Release
from members.notifications import notify
from members.services import membership_grant
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    EngagementFactory,
    MemberProfileFactory,
    OfferFactory,
    SkillFactory,
    UserFactory,
    approved_release,
)
from tests.marketplace.conftest import PDF_BYTES
from tests.members.test_views import ONE_MB, assert_field_error

TODAY = timezone.localdate


def dutch(message: str) -> str:
    """How ``message`` appears on a (Dutch) page, HTML-escaped."""
    with translation.override("nl"):
        return escape(gettext(message))


def assignment_post(**overrides) -> dict:
    start = TODAY() + timedelta(days=14)
    data = {
        "title": "Adviseur duurzame energie",
        "description": "Help ons met de regionale energiestrategie.",
        "hours_per_week": "8",
        "positions": "1",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=120)).isoformat(),
        "place": "Tilburg",
        "work_mode": "hybrid",
        "rate_ceiling": "100.00",
        "application_deadline": (TODAY() + timedelta(days=7)).isoformat(),
        "contact_name": "Anna Contact",
        "contact_email": "anna@example.nl",
        "internal_first_days": "0",
    }
    data.update(overrides)
    return data


def application_post(**overrides) -> dict:
    data = {"motivation": "Ik heb dit eerder gedaan.", "availability": "Dinsdag en donderdag."}
    data.update(overrides)
    return data


def offer_post(**overrides) -> dict:
    data = {
        "title": "Projectleiding energietransitie",
        "description": "Ik begeleid gemeenten bij warmtevisies.",
        "hours_per_week": "8",
        "available_from": TODAY().isoformat(),
        "available_until": (TODAY() + timedelta(days=90)).isoformat(),
        "work_mode": "remote",
    }
    data.update(overrides)
    return data


def pdf(name="cv.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def url(name, *args, **query):
    base = reverse(name, args=args)
    if query:
        base += "?" + urlencode(query, doseq=True)
    return base


# --- The journey --------------------------------------------------------------


def test_post_publish_find_apply_accept_journey(
    client_for, coordinator_a, member_b, org_a, org_b, run_on_commit
):
    approved_release(member_b)
    coordinator, member = client_for(coordinator_a), client_for(member_b)

    # The coordinator posts a draft and publishes it.
    response = coordinator.post(reverse("marketplace:assignment_create"), assignment_post())
    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert response.url == assignment.get_absolute_url()
    assert assignment.status == Assignment.Status.DRAFT
    assert assignment.organisation == org_a
    # Not yet there for the network.
    assert member.get(assignment.get_absolute_url()).status_code == 404

    response = coordinator.post(reverse("marketplace:assignment_publish", args=[assignment.pk]))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.PUBLISHED

    # A member of organisation B finds it by a Dutch search and opens it.
    page = member.get(url("marketplace:assignment_list", q="duurzaam"))
    assert page.status_code == 200
    assert assignment.get_absolute_url() in page.content.decode()
    assert member.get(assignment.get_absolute_url()).status_code == 200

    # Applies.
    with run_on_commit():
        response = member.post(reverse("marketplace:application_create", args=[assignment.pk]), application_post())
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == application.get_absolute_url()
    assert application.member == member_b.profile
    assert [m.to for m in mail.outbox] == [[coordinator_a.email]]

    # The coordinator sees it in the inbox and accepts.
    inbox = coordinator.get(reverse("marketplace:inbox"))
    assert application.get_absolute_url() in inbox.content.decode()
    assert coordinator.get(application.get_absolute_url()).status_code == 200
    response = coordinator.post(
        reverse("marketplace:application_accept", args=[application.pk]), {"vat_treatment": "standard"}
    )
    engagement = Engagement.objects.get()
    assert response.status_code == 302
    assert response.url == engagement.get_absolute_url()
    assert engagement.hiring_organisation == org_a and engagement.home_organisation == org_b

    # Both see the engagement; the applicant's application says accepted.
    for client in (coordinator, member):
        page = client.get(engagement.get_absolute_url())
        assert page.status_code == 200
        assert engagement.get_absolute_url() in client.get(reverse("marketplace:engagement_list")).content.decode()
    mine = member.get(reverse("marketplace:my_applications")).content.decode()
    assert application.get_absolute_url() in mine
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.FILLED


def test_shortlist_and_reject_with_a_message(client_for, coordinator_a, member_b, published_a, run_on_commit):
    application = ApplicationFactory(assignment=published_a, member=member_b.profile)
    coordinator = client_for(coordinator_a)

    response = coordinator.post(reverse("marketplace:application_shortlist", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SHORTLISTED

    with run_on_commit():
        response = coordinator.post(
            reverse("marketplace:application_reject", args=[application.pk]),
            {"message": "We kozen voor iemand met meer ervaring."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert application.decision_message == "We kozen voor iemand met meer ervaring."
    # The applicant reads the message on their application.
    page = client_for(member_b).get(application.get_absolute_url())
    assert "We kozen voor iemand met meer ervaring." in page.content.decode()


def test_withdraw_own_application(client_for, member_b, published_a):
    application = ApplicationFactory(assignment=published_a, member=member_b.profile)
    response = client_for(member_b).post(reverse("marketplace:application_withdraw", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_withdraw_after_acceptance_is_refused_with_a_message(client_for, coordinator_a, member_b, published_a):
    approved_release(member_b)
    application = ApplicationFactory(assignment=published_a, member=member_b.profile)
    services.application_accept(actor=coordinator_a, application=application)

    response = client_for(member_b).post(
        reverse("marketplace:application_withdraw", args=[application.pk]), follow=True
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    messages = [str(m) for m in response.context["messages"]]
    with translation.override("nl"):
        expected = gettext("This application has already been decided on and cannot be withdrawn.")
    assert expected in messages


# --- Scope: organisation B never sees A's applications -------------------------


@pytest.fixture
def application_a(published_a, member_a):
    """member_a's application to A's assignment, with a CV."""
    application = ApplicationFactory(assignment=published_a, member=member_a.profile)
    application.cv.save("cv.pdf", SimpleUploadedFile("cv.pdf", PDF_BYTES))
    return application


def test_coordinator_of_b_cannot_open_as_inbox_entries_or_cv(client_for, coordinator_b, application_a):
    client = client_for(coordinator_b)

    inbox = client.get(reverse("marketplace:inbox"))
    assert inbox.status_code == 200
    assert application_a.get_absolute_url() not in inbox.content.decode()
    assert list(inbox.context["page"].object_list) == []
    # Not even by naming A's assignment in the filter.
    filtered = client.get(url("marketplace:inbox", assignment=application_a.assignment_id))
    assert filtered.status_code == 200
    assert list(filtered.context["page"].object_list) == []

    for name in ("application_detail", "application_cv", "application_accept", "application_reject"):
        assert client.get(reverse(f"marketplace:{name}", args=[application_a.pk])).status_code == 404, name
    assert client.post(reverse("marketplace:application_shortlist", args=[application_a.pk])).status_code == 404
    assert client.get(reverse("marketplace:applicants_compare", args=[application_a.assignment_id])).status_code == 404
    application_a.refresh_from_db()
    assert application_a.status == Application.Status.SUBMITTED


def test_a_member_cannot_read_someone_elses_application(client_for, member_b, application_a, org_a):
    colleague = UserFactory(email="collega.a@example.nl")
    membership_grant(actor=None, user=colleague, organisation=org_a, role=Membership.Role.MEMBER)
    for user in (member_b, colleague):  # another organisation, and the same one
        client = client_for(user)
        assert client.get(application_a.get_absolute_url()).status_code == 404
        assert client.get(reverse("marketplace:application_cv", args=[application_a.pk])).status_code == 404
        assert client.post(reverse("marketplace:application_withdraw", args=[application_a.pk])).status_code == 404
        assert application_a.get_absolute_url() not in client.get(
            reverse("marketplace:my_applications")).content.decode()
    application_a.refresh_from_db()
    assert application_a.status == Application.Status.SUBMITTED


def test_the_inbox_lists_only_the_own_organisations_applications(client_for, coordinator_a, application_a, org_b):
    elsewhere = ApplicationFactory(assignment=AssignmentFactory(organisation=org_b, published=True))
    page = client_for(coordinator_a).get(reverse("marketplace:inbox"))
    assert [a.pk for a in page.context["page"].object_list] == [application_a.pk]
    assert elsewhere.get_absolute_url() not in page.content.decode()


def test_the_inbox_assignment_filter_keeps_the_choice_and_refuses_a_foreign_one(
    client_for, coordinator_a, application_a, org_b
):
    """The assignment select is written out by hand in the template (speed):
    it still carries its label, keeps the chosen assignment selected, and
    an assignment of another organisation gets a message at the field."""
    other = AssignmentFactory(
        organisation=application_a.assignment.organisation, published=True, title="Tweede <script>x</script>",
    )
    client = client_for(coordinator_a)
    page = client.get(reverse("marketplace:inbox") + f"?assignment={application_a.assignment_id}")
    html = page.content.decode()
    assert '<label for="id_assignment">' in html
    assert f'<option value="{application_a.assignment_id}" selected>' in html
    assert f'<option value="{other.pk}">Tweede &lt;script&gt;x&lt;/script&gt;</option>' in html
    assert "<script>x</script>" not in html
    assert [a.pk for a in page.context["page"].object_list] == [application_a.pk]
    foreign = AssignmentFactory(organisation=org_b, published=True)
    refused = client.get(reverse("marketplace:inbox") + f"?assignment={foreign.pk}")
    assert refused.status_code == 200
    assert refused.context["form"].errors["assignment"]
    assert 'aria-invalid="true"' in refused.content.decode()


# --- Applying: the bad paths ----------------------------------------------------------


@pytest.mark.parametrize("trait", ["draft", "cancelled"])
def test_apply_to_a_draft_or_cancelled_assignment_is_404(client_for, member_b, org_a, trait):
    approved_release(member_b)
    assignment = AssignmentFactory(organisation=org_a, **({"cancelled": True} if trait == "cancelled" else {}))
    client = client_for(member_b)
    apply_url = reverse("marketplace:application_create", args=[assignment.pk])
    assert client.get(apply_url).status_code == 404
    assert client.post(apply_url, application_post()).status_code == 404
    assert client.get(assignment.get_absolute_url()).status_code == 404
    assert not Application.objects.exists()


def test_apply_to_a_nonexistent_assignment_is_404(client_for, member_b):
    assert client_for(member_b).get(reverse("marketplace:application_create", args=[999999])).status_code == 404


def test_apply_twice_gives_a_clear_message_and_one_row(client_for, member_b, published_a):
    approved_release(member_b)
    client = client_for(member_b)
    apply_url = reverse("marketplace:application_create", args=[published_a.pk])
    assert client.post(apply_url, application_post()).status_code == 302

    response = client.post(apply_url, application_post(motivation="Nog een keer."))
    assert response.status_code == 200
    assert dutch("You have already applied to this assignment.") in response.content.decode()
    assert Application.objects.filter(assignment=published_a, member=member_b.profile).count() == 1
    assert Application.objects.get().motivation == "Ik heb dit eerder gedaan."


def test_apply_after_the_deadline_is_explained_and_refused(client_for, member_b, org_a):
    approved_release(member_b)
    late = AssignmentFactory(organisation=org_a, published=True, application_deadline=TODAY() - timedelta(days=1))
    client = client_for(member_b)
    apply_url = reverse("marketplace:application_create", args=[late.pk])
    response = client.post(apply_url, application_post())
    assert response.status_code == 200
    assert dutch("This assignment is closed for applications.") in response.content.decode()
    assert not Application.objects.exists()


def test_release_warning_shown_on_the_application_form(client_for, member_b, org_a):
    approved_release(member_b, days_per_week="1.0")  # 8 hours a week
    big = AssignmentFactory(organisation=org_a, published=True, hours_per_week=Decimal("16"))
    response = client_for(member_b).get(reverse("marketplace:application_create", args=[big.pk]))
    assert response.status_code == 200
    warning = response.context["release_warning"]
    assert warning and escape(warning) in response.content.decode()


# --- CV uploads ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("cv.pdf", b"MZ\x90\x00 not a pdf at all, but called one", "application/pdf"),  # lies about itself
        ("cv.docx", b"PK\x03\x04 a word document", "application/vnd.openxmlformats"),
        ("cv.pdf", b"%PDF-1.4 cut off before the end", "application/pdf"),
        ("cv.pdf", b"", "application/pdf"),
    ],
    ids=["exe-named-pdf", "docx", "truncated-pdf", "empty"],
)
def test_non_pdf_cv_rejected_at_the_field(client_for, member_b, published_a, name, content, content_type):
    approved_release(member_b)
    response = client_for(member_b).post(
        reverse("marketplace:application_create", args=[published_a.pk]),
        application_post(cv=SimpleUploadedFile(name, content, content_type=content_type)),
    )
    assert_field_error(response, "cv")
    assert not Application.objects.exists()


def test_too_large_cv_rejected_at_the_field(client_for, member_b, published_a):
    approved_release(member_b)
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n"
    response = client_for(member_b).post(
        reverse("marketplace:application_create", args=[published_a.pk]),
        application_post(cv=SimpleUploadedFile("cv.pdf", big, content_type="application/pdf")),
    )
    assert response.status_code in (200, 413)
    if response.status_code == 200:
        assert_field_error(response, "cv")
    assert not Application.objects.exists()


def test_pdf_cv_accepted_and_served_only_to_applicant_and_coordinators_of_a(
    client_for, member_b, coordinator_a, coordinator_b, hr_a, hr_b, member_a, programme_manager,
    admin_user, published_a, org_a,
):
    approved_release(member_b)
    response = client_for(member_b).post(
        reverse("marketplace:application_create", args=[published_a.pk]),
        application_post(cv=pdf("Mijn CV — Bas de Vries.pdf")),
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.cv.name.endswith(".pdf")
    assert "Vries" not in application.cv.name  # stored under a random name

    cv_url = reverse("marketplace:application_cv", args=[application.pk])
    second_coordinator = UserFactory(email="coordinator2.a@example.nl")
    membership_grant(actor=None, user=second_coordinator, organisation=org_a, role=Membership.Role.COORDINATOR)
    for user in (member_b, coordinator_a, second_coordinator):
        response = client_for(user).get(cv_url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == PDF_BYTES
    for user in (coordinator_b, member_a, hr_a, hr_b, programme_manager, admin_user, None):
        response = client_for(user).get(cv_url)
        expected = 302 if user is None else 404
        assert response.status_code == expected, user


def test_application_without_cv_has_no_download(client_for, member_b, coordinator_a, published_a):
    application = ApplicationFactory(assignment=published_a, member=member_b.profile)
    assert client_for(coordinator_a).get(reverse("marketplace:application_cv", args=[application.pk])).status_code == 404


# --- Bad input on every form: 200, the message at the field, nothing saved -------------


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("hours_per_week", {"hours_per_week": "-8"}),
        ("hours_per_week", {"hours_per_week": "0"}),
        ("hours_per_week", {"hours_per_week": "veel"}),
        ("end_date", {"end_date": (TODAY() + timedelta(days=10)).isoformat()}),
        ("description", {"description": ONE_MB}),
        ("title", {"title": ONE_MB}),
        ("rate_ceiling", {"rate_ceiling": "-5"}),
        ("application_deadline", {"application_deadline": (TODAY() + timedelta(days=200)).isoformat()}),
        ("application_deadline", {"application_deadline": (TODAY() - timedelta(days=1)).isoformat()}),
        ("positions", {"positions": "0"}),
        ("internal_first_days", {"internal_first_days": "6"}),
        ("contact_email", {"contact_email": "geen-adres"}),
        ("start_date", {"start_date": "31-02-2026"}),
    ],
    ids=lambda v: v if isinstance(v, str) else next(iter(v)),
)
def test_assignment_create_bad_input(client_for, coordinator_a, field, overrides):
    response = client_for(coordinator_a).post(reverse("marketplace:assignment_create"), assignment_post(**overrides))
    assert_field_error(response, field)
    assert not Assignment.objects.exists()


def test_assignment_create_same_skill_required_and_nice(client_for, coordinator_a):
    skill = SkillFactory(name="Omgevingswet")
    response = client_for(coordinator_a).post(
        reverse("marketplace:assignment_create"),
        assignment_post(required_skills=[skill.pk], nice_skills=[skill.pk]),
    )
    assert_field_error(response, "nice_skills")
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("hours_per_week", {"hours_per_week": "-1"}),
        ("end_date", {"end_date": (TODAY() + timedelta(days=1)).isoformat()}),
        ("description", {"description": ONE_MB}),
        ("rate_ceiling", {"rate_ceiling": "-5"}),
        ("application_deadline", {"application_deadline": (TODAY() + timedelta(days=300)).isoformat()}),
    ],
    ids=lambda v: v if isinstance(v, str) else next(iter(v)),
)
def test_assignment_edit_bad_input_changes_nothing(client_for, coordinator_a, published_a, field, overrides):
    before = Assignment.objects.filter(pk=published_a.pk).values().get()
    data = assignment_post(title=published_a.title, **overrides)
    response = client_for(coordinator_a).post(reverse("marketplace:assignment_edit", args=[published_a.pk]), data)
    assert_field_error(response, field)
    assert Assignment.objects.filter(pk=published_a.pk).values().get() == before


def test_assignment_edit_notifies_applicants(client_for, coordinator_a, member_b, published_a, run_on_commit):
    ApplicationFactory(assignment=published_a, member=member_b.profile)
    data = assignment_post(title=published_a.title, hours_per_week="6",
                           start_date=published_a.start_date.isoformat(),
                           end_date=published_a.end_date.isoformat(),
                           application_deadline=published_a.application_deadline.isoformat())
    with run_on_commit():
        response = client_for(coordinator_a).post(reverse("marketplace:assignment_edit", args=[published_a.pk]), data)
    assert response.status_code == 302
    published_a.refresh_from_db()
    assert published_a.hours_per_week == Decimal("6")
    assert Notification.objects.filter(user=member_b, kind="assignment_changed").count() == 1
    assert [m.to for m in mail.outbox] == [[member_b.email]]


def test_assignment_cancel_reason_too_long(client_for, coordinator_a, published_a):
    response = client_for(coordinator_a).post(
        reverse("marketplace:assignment_cancel", args=[published_a.pk]), {"reason": ONE_MB}
    )
    assert_field_error(response, "reason")
    published_a.refresh_from_db()
    assert published_a.status == Assignment.Status.PUBLISHED


def test_assignment_cancel_rejects_open_applicants(client_for, coordinator_a, member_b, published_a, run_on_commit):
    application = ApplicationFactory(assignment=published_a, member=member_b.profile)
    with run_on_commit():
        response = client_for(coordinator_a).post(
            reverse("marketplace:assignment_cancel", args=[published_a.pk]), {"reason": "Budget weg."}
        )
    assert response.status_code == 302
    published_a.refresh_from_db()
    application.refresh_from_db()
    assert published_a.status == Assignment.Status.CANCELLED
    assert application.status == Application.Status.REJECTED
    assert Notification.objects.filter(user=member_b, kind="assignment_cancelled").exists()
    # Now it is gone for the network, apply included.
    client = client_for(member_b)
    assert client.get(published_a.get_absolute_url()).status_code == 404
    assert client.get(reverse("marketplace:application_create", args=[published_a.pk])).status_code == 404


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("motivation", {"motivation": ONE_MB}),
        ("motivation", {"motivation": ""}),
        ("availability", {"availability": ONE_MB}),
    ],
    ids=["motivation-1MB", "motivation-empty", "availability-1MB"],
)
def test_application_bad_input(client_for, member_b, published_a, field, overrides):
    approved_release(member_b)
    response = client_for(member_b).post(
        reverse("marketplace:application_create", args=[published_a.pk]), application_post(**overrides)
    )
    assert_field_error(response, field)
    assert not Application.objects.exists()


@pytest.fixture
def zzp_b(org_b):
    profile = MemberProfileFactory(zzp=True, home_organisation=org_b)
    approved_release(profile, variant=Release.Variant.ZZP)
    return profile.user


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("proposed_rate", {"proposed_rate": "-5"}),
        ("proposed_rate", {"proposed_rate": "0"}),
        ("proposed_rate", {"proposed_rate": ""}),
        ("proposed_rate", {"proposed_rate": "duur"}),
        ("rate_note", {"proposed_rate": "150", "rate_note": ""}),
        ("rate_note", {"proposed_rate": "150", "rate_note": ONE_MB}),
    ],
    ids=["rate-negative", "rate-zero", "rate-missing", "rate-text", "above-ceiling-no-note", "note-1MB"],
)
def test_zzp_application_bad_rate(client_for, zzp_b, published_a, field, overrides):
    response = client_for(zzp_b).post(
        reverse("marketplace:application_create", args=[published_a.pk]), application_post(**overrides)
    )
    assert_field_error(response, field)
    assert not Application.objects.exists()


def test_zzp_application_above_ceiling_with_note_is_accepted(client_for, zzp_b, published_a):
    response = client_for(zzp_b).post(
        reverse("marketplace:application_create", args=[published_a.pk]),
        application_post(proposed_rate="150", rate_note="Specialist warmtenetten."),
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.proposed_rate == Decimal("150")
    assert application.rate_note == "Specialist warmtenetten."


@pytest.mark.parametrize("message", ["", "   ", ONE_MB], ids=["empty", "spaces", "1MB"])
def test_reject_bad_message(client_for, coordinator_a, member_b, published_a, message):
    application = ApplicationFactory(assignment=published_a, member=member_b.profile)
    response = client_for(coordinator_a).post(
        reverse("marketplace:application_reject", args=[application.pk]), {"message": message}
    )
    assert_field_error(response, "message")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Notification.objects.filter(user=member_b).exists()


def test_accept_exempt_without_reason(client_for, coordinator_a, member_b, published_a):
    approved_release(member_b)
    application = ApplicationFactory(assignment=published_a, member=member_b.profile)
    response = client_for(coordinator_a).post(
        reverse("marketplace:application_accept", args=[application.pk]), {"vat_treatment": "exempt"}
    )
    assert_field_error(response, "vat_exemption_reason")
    assert not Engagement.objects.exists()


def test_accept_beyond_the_release_is_explained_not_a_500(client_for, coordinator_a, member_b, org_a):
    approved_release(member_b, days_per_week="1.0")
    big = AssignmentFactory(organisation=org_a, published=True, hours_per_week=Decimal("16"))
    application = ApplicationFactory(assignment=big, member=member_b.profile)
    response = client_for(coordinator_a).post(
        reverse("marketplace:application_accept", args=[application.pk]), {"vat_treatment": "standard"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Engagement.objects.exists()


def test_accept_more_people_than_asked_is_explained(client_for, coordinator_a, member_b, published_a, org_b):
    """One position, already filled; a second (still open) application
    written directly cannot be accepted."""
    approved_release(member_b)
    first = ApplicationFactory(assignment=published_a, member=member_b.profile)
    services.application_accept(actor=coordinator_a, application=first)
    late = MemberProfileFactory(home_organisation=org_b)
    approved_release(late)
    second = ApplicationFactory(assignment=published_a, member=late)

    response = client_for(coordinator_a).post(
        reverse("marketplace:application_accept", args=[second.pk]), {"vat_treatment": "standard"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Engagement.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("hours_per_week", {"hours_per_week": "-8"}),
        ("hours_per_week", {"hours_per_week": "41"}),
        ("available_until", {"available_until": (TODAY() - timedelta(days=1)).isoformat()}),
        ("description", {"description": ONE_MB}),
        ("title", {"title": ""}),
    ],
    ids=["hours-negative", "hours-41", "until-before-from", "description-1MB", "title-empty"],
)
def test_offer_bad_input(client_for, member_a, field, overrides):
    response = client_for(member_a).post(reverse("marketplace:offer_create"), offer_post(**overrides))
    assert_field_error(response, field)
    assert not Offer.objects.exists()


def test_offer_edit_bad_input_changes_nothing(client_for, member_a):
    offer = OfferFactory(member=member_a.profile)
    before = Offer.objects.filter(pk=offer.pk).values().get()
    response = client_for(member_a).post(
        reverse("marketplace:offer_edit", args=[offer.pk]), offer_post(hours_per_week="-3")
    )
    assert_field_error(response, "hours_per_week")
    assert Offer.objects.filter(pk=offer.pk).values().get() == before


@pytest.mark.parametrize(
    ("field", "overrides"),
    [("assignment", {"assignment": ""}), ("assignment", {"assignment": "999999"}), ("message", {"message": ONE_MB})],
    ids=["no-assignment", "unknown-assignment", "message-1MB"],
)
def test_invite_bad_input(client_for, coordinator_a, member_b, published_a, field, overrides):
    data = {"assignment": published_a.pk, "message": "Iets voor jou?", **overrides}
    response = client_for(coordinator_a).post(reverse("marketplace:member_invite", args=[member_b.profile.pk]), data)
    assert_field_error(response, field)
    assert not AssignmentInvitation.objects.exists()


def test_invite_to_another_organisations_assignment_is_not_offered(
    client_for, coordinator_b, member_b, published_a
):
    """coordinator_b cannot invite anyone to A's work: the choice is refused at the field."""
    response = client_for(coordinator_b).post(
        reverse("marketplace:member_invite", args=[member_b.profile.pk]), {"assignment": published_a.pk}
    )
    assert_field_error(response, "assignment")
    assert not AssignmentInvitation.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"hours_min": "-5"},
        {"hours_min": "veel"},
        {"period_from": "gisteren"},
        {"q": ONE_MB[:20000]},
        {"q": "!!! & | :* ( ) ' \""},
        {"organisation": "999999"},
        {"skills": ["abc"]},
        {"sort": "hacker"},
        {"page": "-1"},
        {"page": "9999"},
    ],
    ids=lambda q: next(iter(q)) + "=" + str(q[next(iter(q))])[:10],
)
def test_list_page_bad_query_never_500(client_for, member_b, published_a, query):
    response = client_for(member_b).get(url("marketplace:assignment_list", **query))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [{"hours_min": "-5"}, {"hours_max": "x"}, {"q": ONE_MB[:20000]}, {"skill": "abc"}, {"page": "zz"}],
    ids=["hours-negative", "hours-text", "q-long", "skill-text", "page-text"],
)
def test_offer_list_and_directory_bad_query_never_500(client_for, coordinator_a, query):
    client = client_for(coordinator_a)
    assert client.get(url("marketplace:offer_list", **query)).status_code == 200
    assert client.get(url("marketplace:member_directory", **query)).status_code == 200


def test_inbox_bad_query_never_500(client_for, coordinator_a, published_a):
    for query in ({"status": "gek"}, {"assignment": "abc"}, {"assignment": "999999"}, {"page": "-3"}):
        assert client_for(coordinator_a).get(url("marketplace:inbox", **query)).status_code == 200, query


# --- The list page: search, filters, shareable state --------------------------------


def test_list_search_and_filters(client_for, member_b, org_a, org_b):
    approved_release(member_b, days_per_week="1.0")  # 8 hours left
    skill = SkillFactory(name="Warmtetransitie")
    target = AssignmentFactory(
        organisation=org_a, published=True, title="Projectleider warmtetransitie", place="Breda",
        hours_per_week=Decimal("8"), work_mode="remote", required_skills=[skill],
    )
    other_org = AssignmentFactory(organisation=org_b, published=True, title="Projectleider warmtetransitie Oss",
                                  place="Oss", hours_per_week=Decimal("8"))
    too_big = AssignmentFactory(organisation=org_a, published=True, title="Programmamanager warmtetransitie",
                                place="Breda", hours_per_week=Decimal("24"))
    unrelated = AssignmentFactory(organisation=org_a, published=True, title="Jurist aanbestedingen", place="Breda")
    draft = AssignmentFactory(organisation=org_a, title="Concept warmtetransitie")
    late = AssignmentFactory(organisation=org_a, published=True, title="Warmtetransitie verlopen",
                             application_deadline=TODAY() - timedelta(days=1))
    client = client_for(member_b)

    def found(**query):
        response = client.get(url("marketplace:assignment_list", **query))
        assert response.status_code == 200
        return {a.pk for a in response.context["page"].object_list}

    everything = found()
    assert {target.pk, other_org.pk, too_big.pk, unrelated.pk} <= everything
    assert draft.pk not in everything and late.pk not in everything  # open only by default
    assert found(q="warmtetransitie") == {target.pk, other_org.pk, too_big.pk}
    assert found(q="warmtetransitie", organisation=org_a.pk) == {target.pk, too_big.pk}
    assert found(q="warmtetransitie", hours_max="10") == {target.pk, other_org.pk}
    assert found(q="warmtetransitie", hours_min="20") == {too_big.pk}
    assert found(place="breda", q="warmtetransitie") == {target.pk, too_big.pk}
    assert found(work_mode="remote") == {target.pk}
    assert found(skills=str(skill.pk)) == {target.pk}
    assert found(q="warmtetransitie", fits="on") == {target.pk, other_org.pk}
    # Closed ones too when the form is submitted without "open only".
    assert late.pk in found(f="1", q="warmtetransitie")
    # Period overlap.
    assert found(period_to=(TODAY() + timedelta(days=1)).isoformat()) == set()
    assert target.pk in found(period_from=(target.end_date).isoformat())
    assert target.pk not in found(period_from=(target.end_date + timedelta(days=1)).isoformat())


def test_list_search_ranks_title_matches_first(client_for, member_b, org_a):
    in_description = AssignmentFactory(organisation=org_a, published=True, title="Beleidsadviseur",
                                       description="Iets met de omgevingswet en nog veel meer.")
    in_title = AssignmentFactory(organisation=org_a, published=True, title="Omgevingswet implementatie")
    response = client_for(member_b).get(url("marketplace:assignment_list", q="omgevingswet"))
    assert [a.pk for a in response.context["page"].object_list] == [in_title.pk, in_description.pk]


def test_list_sort_by_deadline(client_for, member_b, org_a):
    later = AssignmentFactory(organisation=org_a, published=True, application_deadline=TODAY() + timedelta(days=9))
    sooner = AssignmentFactory(organisation=org_a, published=True, application_deadline=TODAY() + timedelta(days=2))
    response = client_for(member_b).get(url("marketplace:assignment_list", sort="deadline"))
    assert [a.pk for a in response.context["page"].object_list] == [sooner.pk, later.pk]


def test_filter_state_is_kept_in_the_pagination_links(client_for, member_b, org_a):
    for n in range(25):
        AssignmentFactory(organisation=org_a, published=True, title=f"Adviseur duurzame energie {n}",
                          place="Tilburg", work_mode="remote")
    client = client_for(member_b)
    query = {"q": "duurzaam", "place": "Tilburg", "work_mode": "remote", "hours_max": "10", "f": "1", "open": "on"}
    page1 = client.get(url("marketplace:assignment_list", **query))
    assert page1.status_code == 200
    assert len(page1.context["page"].object_list) == 20
    assert page1.context["page"].paginator.count == 25

    html = page1.content.decode()
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]*page=2[^"]*)"', html)]
    assert links, "no link to page 2"
    params = parse_qs(urlsplit(links[0]).query)
    for key, value in query.items():
        assert params.get(key) == [value], (key, links[0])

    page2 = client.get(url("marketplace:assignment_list", **{**query, "page": "2"}))
    assert len(page2.context["page"].object_list) == 5
    shown = {a.pk for a in page1.context["page"].object_list} | {a.pk for a in page2.context["page"].object_list}
    assert len(shown) == 25
    # The form on the page shows the state, so the search can be refined and shared.
    assert 'value="duurzaam"' in html


def test_internal_first_window_on_the_list_and_detail(client_for, member_a, member_b, org_a):
    internal = AssignmentFactory(organisation=org_a, published=True, internal_first_days=3)
    assert internal.in_internal_window
    assert internal.pk in {a.pk for a in client_for(member_a).get(
        reverse("marketplace:assignment_list")).context["page"].object_list}
    assert client_for(member_a).get(internal.get_absolute_url()).status_code == 200
    assert internal.pk not in {a.pk for a in client_for(member_b).get(
        reverse("marketplace:assignment_list")).context["page"].object_list}
    assert client_for(member_b).get(internal.get_absolute_url()).status_code == 404
    assert client_for(member_b).get(
        reverse("marketplace:application_create", args=[internal.pk])).status_code == 404


def test_internal_first_window_is_shown_on_the_page(client_for, member_a, org_a):
    internal = AssignmentFactory(organisation=org_a, published=True, internal_first_days=3)
    page = client_for(member_a).get(internal.get_absolute_url())
    assert page.status_code == 200
    assert "message--warning" in page.content.decode()
    assert page.context["assignment"].in_internal_window


def test_no_invitation_for_other_organisations_during_the_internal_window(
    client_for, coordinator_a, member_b, org_a
):
    internal = AssignmentFactory(organisation=org_a, published=True, internal_first_days=3)
    response = client_for(coordinator_a).post(
        reverse("marketplace:member_invite", args=[member_b.profile.pk]), {"assignment": internal.pk}
    )
    assert_field_error(response, "assignment")
    assert not AssignmentInvitation.objects.exists()


# --- Offers, the directory and invitations -------------------------------------------------


def test_offer_publish_find_and_withdraw(client_for, member_a, coordinator_b):
    member = client_for(member_a)
    response = member.post(reverse("marketplace:offer_create"), offer_post())
    offer = Offer.objects.get()
    assert response.status_code == 302 and offer.status == Offer.Status.PUBLISHED

    page = client_for(coordinator_b).get(url("marketplace:offer_list", q="gemeente"))
    assert [o.pk for o in page.context["offers"].object_list] == [offer.pk]

    member.post(reverse("marketplace:offer_withdraw", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    page = client_for(coordinator_b).get(reverse("marketplace:offer_list"))
    assert list(page.context["offers"].object_list) == []
    assert client_for(coordinator_b).get(offer.get_absolute_url()).status_code == 404
    assert member.get(offer.get_absolute_url()).status_code == 200


def test_coordinator_answers_an_offer_and_the_member_applies_via_the_invitation(
    client_for, member_a, coordinator_b, org_b, run_on_commit
):
    approved_release(member_a)
    offer = OfferFactory(member=member_a.profile)
    b_assignment = AssignmentFactory(organisation=org_b, published=True)
    with run_on_commit():
        response = client_for(coordinator_b).post(
            offer.get_absolute_url(), {"assignment": b_assignment.pk, "message": "Past dit?"}
        )
    assert response.status_code == 302
    invitation = AssignmentInvitation.objects.get()
    assert invitation.source == Source.OFFER and invitation.offer == offer
    assert Notification.objects.filter(user=member_a, kind="invitation").count() == 1
    assert [m.to for m in mail.outbox] == [[member_a.email]]

    member = client_for(member_a)
    page = member.get(reverse("marketplace:my_invitations"))
    assert b_assignment.get_absolute_url() in page.content.decode()
    member.post(reverse("marketplace:application_create", args=[b_assignment.pk]), application_post())
    application = Application.objects.get()
    assert application.source == Source.OFFER
    invitation.refresh_from_db()
    assert invitation.status == AssignmentInvitation.Status.APPLIED


def test_directory_lists_available_members_and_invite(client_for, coordinator_a, member_b, published_a, run_on_commit):
    approved_release(member_b)
    unavailable = MemberProfileFactory()  # no release
    client = client_for(coordinator_a)
    page = client.get(reverse("marketplace:member_directory"))
    shown = {p.pk for p in page.context["profiles"].object_list}
    assert member_b.profile.pk in shown and unavailable.pk not in shown
    assert page.context["profiles"].object_list[0].hours_left_now == Decimal("8")

    with run_on_commit():
        response = client.post(
            reverse("marketplace:member_invite", args=[member_b.profile.pk]),
            {"assignment": published_a.pk, "message": "Iets voor jou?"},
        )
    assert response.status_code == 302
    invitation = AssignmentInvitation.objects.get()
    assert invitation.member == member_b.profile and invitation.source == Source.INVITATION

    # The member declines.
    response = client_for(member_b).post(reverse("marketplace:invitation_decline", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == AssignmentInvitation.Status.DECLINED


# --- Notifications ------------------------------------------------------------------


def test_notification_list_and_mark_read(client_for, coordinator_a, member_b, published_a, run_on_commit):
    approved_release(member_b)
    services.application_submit(actor=member_b, assignment=published_a, motivation="m", availability="a")
    client = client_for(coordinator_a)
    page = client.get(reverse("members:notification_list"))
    assert page.status_code == 200
    [notification] = Notification.objects.filter(user=coordinator_a)
    assert escape(notification.message) in page.content.decode()
    assert notification.read_at is None

    response = client.post(reverse("members:notification_read"), {"id": notification.pk, "next": notification.url})
    assert response.status_code == 302
    assert response.url == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_notification_read_cannot_touch_someone_elses(client_for, coordinator_a, member_b):
    [theirs] = notify(users=[member_b], kind="test", message=lambda: "Hallo")
    client_for(coordinator_a).post(reverse("members:notification_read"), {"id": theirs.pk})
    client_for(coordinator_a).post(reverse("members:notification_read"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notification_read_ignores_an_external_next(client_for, member_b):
    response = client_for(member_b).post(reverse("members:notification_read"), {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.url == reverse("members:notification_list")


# --- Engagements ---------------------------------------------------------------------


def test_engagement_visible_to_both_organisations_not_to_others(
    client_for, member_b, coordinator_a, hr_b, coordinator_b, hr_a, member_a, org_a
):
    engagement = EngagementFactory(member=member_b.profile, hiring_organisation=org_a)
    for user in (member_b, coordinator_a, hr_b, coordinator_b, hr_a):
        assert client_for(user).get(engagement.get_absolute_url()).status_code == 200, user
    assert client_for(member_a).get(engagement.get_absolute_url()).status_code == 404
    outsider_org = MemberProfileFactory().home_organisation
    outsider = UserFactory(email="buiten@example.nl")
    membership_grant(actor=None, user=outsider, organisation=outsider_org, role=Membership.Role.COORDINATOR)
    assert client_for(outsider).get(engagement.get_absolute_url()).status_code == 404
