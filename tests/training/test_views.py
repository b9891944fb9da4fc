"""Training through HTTP, as people use it in a browser: the catalogue,
enrolling into a full session and moving up, refusals with their message,
the certificate PDF, and the training coordinator's pages (modules,
sessions, enrolment lists with CSV export, attendance)."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from marketplace.models import Application
from members.models import AuditEntry
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    CompletionFactory,
    EnrolmentFactory,
    ModuleFactory,
    SessionFactory,
    UserFactory,
)
from training import services
from training.models import Completion, Enrolment, Module, Session

S = Enrolment.Status


def dutch(message: str) -> str:
    with translation.override("nl"):
        return gettext(message)


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def status_of(user, session):
    return Enrolment.objects.exclude(status=S.CANCELLED).get(member__user=user, session=session).status


# --- The catalogue -----------------------------------------------------------------------------


def test_catalogue_lists_and_filters_modules(client_for, member_a):
    ModuleFactory(title="Ontdek je talent", track="talent", levels=["starter"])
    ModuleFactory(title="Belastingdienst: btw", track="tax", levels=["entrepreneur"], provider_name="Belastingdienst",
                  required_for_zzp=True)
    ModuleFactory(title="Oude module", active=False)
    client = client_for(member_a)
    page = client.get(reverse("training:module_list")).content.decode()
    assert "Ontdek je talent" in page and "Belastingdienst: btw" in page
    assert "Oude module" not in page
    only_tax = client.get(reverse("training:module_list"), {"track": "tax"}).content.decode()
    assert "Belastingdienst: btw" in only_tax and "Ontdek je talent" not in only_tax
    for_starters = client.get(reverse("training:module_list"), {"level": "starter"}).content.decode()
    assert "Ontdek je talent" in for_starters and "Belastingdienst: btw" not in for_starters


def test_people_outside_the_network_see_no_training(client_for):
    stranger = UserFactory()
    session = SessionFactory()
    client = client_for(stranger)
    assert client.get(reverse("training:module_list")).status_code == 404
    assert client.get(reverse("training:module_detail", args=[session.module.pk])).status_code == 404
    assert client.get(reverse("training:session_detail", args=[session.pk])).status_code == 404


def test_the_menu_shows_training_to_members_and_management_to_coordinators(client_for, member_a, training_coordinator, hr_a):
    assert 'href="/opleidingen/mijn/"' in client_for(member_a).get("/").content.decode()
    page = client_for(training_coordinator).get("/").content.decode()
    assert 'href="/opleidingen/beheer/"' in page and 'href="/opleidingen/mijn/"' not in page
    page = client_for(hr_a).get("/").content.decode()
    assert 'href="/opleidingen/beheer/"' not in page and 'href="/opleidingen/mijn/"' not in page


# --- Enrolling, the waiting list, moving up ----------------------------------------------------


def test_full_session_waiting_list_and_moving_up(client_for, member_a, member_b, run_on_commit):
    session = SessionFactory(module=ModuleFactory(title="Pitchen"), capacity=1)
    enrol = reverse("training:session_enrol", args=[session.pk])

    first = client_for(member_b).post(enrol, follow=True)
    assert ("success", dutch("You are enrolled. You will get a reminder two days before.")) in messages_of(first)

    a = client_for(member_a)
    detail = a.get(session.get_absolute_url()).content.decode()
    assert f'action="{enrol}"' in detail  # a POST form, no JavaScript needed
    response = a.post(enrol, follow=True)
    assert response.redirect_chain[-1][0] == session.get_absolute_url()
    [(level, text)] = messages_of(response)
    assert level == "warning" and " 1 " in text
    assert status_of(member_a, session) == S.WAITING
    my_page = a.get(reverse("training:my_training")).content.decode()
    assert "Pitchen" in my_page and "badge--requested" in my_page

    mail.outbox.clear()
    seat = Enrolment.objects.get(member__user=member_b, session=session)
    with run_on_commit():
        response = client_for(member_b).post(
            reverse("training:enrolment_cancel", args=[seat.pk]), {"next": reverse("training:my_training")}
        )
    assert response.status_code == 302 and response.url == reverse("training:my_training")
    assert status_of(member_a, session) == S.ENROLLED
    assert [m.to for m in mail.outbox] == [[member_a.email]]
    my_page = a.get(reverse("training:my_training")).content.decode()
    assert "badge--approved" in my_page and "badge--requested" not in my_page


def test_cancelling_after_the_deadline_shows_the_reason_and_keeps_the_seat(client_for, member_a):
    now = timezone.now()
    session = SessionFactory(starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=3),
                             enrolment_deadline=now - timedelta(hours=2))
    enrolment = EnrolmentFactory(session=session, member=member_a.profile)
    client = client_for(member_a)
    page = client.get(session.get_absolute_url()).content.decode()
    assert reverse("training:enrolment_cancel", args=[enrolment.pk]) not in page  # no button offered

    response = client.post(reverse("training:enrolment_cancel", args=[enrolment.pk]), follow=True)
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert text.startswith(dutch("Cancelling was possible until %(deadline)s. If you cannot come, please tell the training coordinator.").split("%")[0])
    assert Enrolment.objects.get(pk=enrolment.pk).status == S.ENROLLED


def test_missing_prerequisites_are_explained(client_for, member_a):
    talent = ModuleFactory(title="Ontdek je talent")
    networking = ModuleFactory(title="Netwerken en acquisitie", prerequisites=[talent])
    session = SessionFactory(module=networking)
    client = client_for(member_a)
    page = client.get(networking.get_absolute_url()).content.decode()
    assert talent.get_absolute_url() in page  # the module to do first is linked
    response = client.post(reverse("training:session_enrol", args=[session.pk]), follow=True)
    [(level, text)] = messages_of(response)
    assert level == "error" and "“Ontdek je talent”" in text
    assert not Enrolment.objects.exists()


def test_cancelling_someone_elses_enrolment(client_for, member_a, member_b, training_coordinator):
    enrolment = EnrolmentFactory(member=member_a.profile)
    assert client_for(member_b).post(reverse("training:enrolment_cancel", args=[enrolment.pk])).status_code == 404
    assert client_for(training_coordinator).post(
        reverse("training:enrolment_cancel", args=[enrolment.pk])
    ).status_code == 403
    assert Enrolment.objects.get(pk=enrolment.pk).status == S.ENROLLED


def test_my_training_recommends_with_reasons(client_for, member_a):
    profile = member_a.profile
    profile.entrepreneurship_level = "experienced"
    profile.save()
    talent = ModuleFactory(title="Ontdek je talent", levels=["starter", "experienced"])
    ModuleFactory(title="Netwerken en acquisitie", levels=["experienced"], prerequisites=[talent])
    ModuleFactory(title="Voor ondernemers", levels=["entrepreneur"])
    ModuleFactory(title="Pitchen", levels=["experienced"])
    CompletionFactory(member=profile, module=ModuleFactory(title="Al gedaan", levels=["experienced"]))

    with translation.override("en"):
        titles = [(r.module.title, r.reason) for r in services_recommendations(profile)]
    assert [t for t, _ in titles] == ["Ontdek je talent", "Pitchen"]
    assert "Experienced" in titles[0][1]

    CompletionFactory(member=profile, module=talent)
    with translation.override("en"):
        recommended = {r.module.title: r.reason for r in services_recommendations(profile)}
    assert set(recommended) == {"Netwerken en acquisitie", "Pitchen"}
    assert "Ontdek je talent" in recommended["Netwerken en acquisitie"]  # what it builds on

    page = client_for(member_a).get(reverse("training:my_training")).content.decode()
    assert "Netwerken en acquisitie" in page and "Voor ondernemers" not in page


def services_recommendations(profile):
    from training.selectors import recommendations_for

    return recommendations_for(profile)


def test_zzp_modules_are_recommended_to_a_member_asking_for_zzp(member_a):
    from members.models import Release
    from tests.factories import ReleaseFactory

    ModuleFactory(title="Belastingdienst: btw", levels=["entrepreneur"], required_for_zzp=True)
    assert not services_recommendations(member_a.profile)  # a starter: not meant for them
    ReleaseFactory(member=member_a.profile, variant=Release.Variant.ZZP)
    with translation.override("en"):
        [recommendation] = services_recommendations(member_a.profile)
    assert "ZZP" in recommendation.reason


# --- Certificates --------------------------------------------------------------------------------


def test_certificate_pdf_for_the_member_the_coordinator_and_the_admin(
    client_for, member_a, member_b, hr_a, coordinator_a, training_coordinator, admin_user
):
    completion = CompletionFactory(member=member_a.profile, module=ModuleFactory(title="Ontdek je talent"))
    url = reverse("training:certificate", args=[completion.pk])
    for person in (member_a, training_coordinator, admin_user):
        response = client_for(person).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-") and len(response.content) > 5000
    for person in (member_b, hr_a, coordinator_a):
        assert client_for(person).get(url).status_code == 404


def test_certificate_shows_name_module_date_provider_and_code(member_a, training_coordinator):
    member_a.first_name, member_a.last_name = "Anne", "de Vries"
    completion = CompletionFactory(
        member=member_a.profile, verified_by=training_coordinator, completed_on=timezone.localdate().replace(day=3),
        module=ModuleFactory(title="Belastingdienst: btw en inkomstenbelasting", provider_name="Belastingdienst"),
    )
    with translation.override("nl"):
        html = render_to_string("training/certificate.html", {
            "completion": completion, "module": completion.module, "member": completion.member,
            "verify_url": "https://x/check",
        })
    assert "Anne de Vries" in html
    assert "Belastingdienst: btw en inkomstenbelasting" in html
    assert "Belastingdienst</td>" in html
    assert completion.verification_code in html
    with translation.override("nl"):
        from django.utils.formats import date_format

        assert date_format(completion.completed_on, "j F Y") in html


def test_verifying_a_certificate_code(client_for, coordinator_b, member_a):
    completion = CompletionFactory(member=member_a.profile, module=ModuleFactory(title="Pitchen"))
    client = client_for(coordinator_b)
    found = client.get(reverse("training:certificate_verify"), {"code": completion.verification_code.lower()})
    assert "Pitchen" in found.content.decode() and escape(member_a.get_full_name()) in found.content.decode()
    missing = client.get(reverse("training:certificate_verify"), {"code": "AAAABBBBCCCC"}).content.decode()
    assert "Pitchen" not in missing and 'role="alert"' in missing


def test_profile_shows_verified_completions_and_the_compare_page_too(client_for, member_a, coordinator_a, org_a):
    CompletionFactory(member=member_a.profile, module=ModuleFactory(title="Juridische aspecten ZPP/ZZP"))
    page = client_for(coordinator_a).get(member_a.profile.get_absolute_url()).content.decode()
    assert "Juridische aspecten ZPP/ZZP" in page
    assert reverse("training:certificate", args=[Completion.objects.get().pk]) not in page  # not theirs
    own = client_for(member_a).get(member_a.profile.get_absolute_url()).content.decode()
    assert reverse("training:certificate", args=[Completion.objects.get().pk]) in own

    assignment = AssignmentFactory(organisation=org_a, created_by=coordinator_a, published=True)
    ApplicationFactory(assignment=assignment, member=member_a.profile, status=Application.Status.SUBMITTED)
    compare = client_for(coordinator_a).get(reverse("marketplace:applicants_compare", args=[assignment.pk]))
    assert "Juridische aspecten ZPP/ZZP" in compare.content.decode()


# --- Running the programme -------------------------------------------------------------------------


def module_post(**overrides):
    data = {
        "title": "Pitchen", "track": "networking_acquisition", "level": "intermediate",
        "description": "In twee minuten vertellen wat je kunt.", "duration_hours": "2.5",
        "provider_organisation": "", "provider_name": "Mobiliteitscentrum Brabant",
        "levels": ["experienced", "entrepreneur"], "required_for_zzp": "", "active": "on",
    }
    data.update(overrides)
    return data


def test_coordinator_adds_and_edits_a_module(client_for, training_coordinator, org_a):
    client = client_for(training_coordinator)
    talent = ModuleFactory(title="Ontdek je talent")
    response = client.post(reverse("training:module_create"), module_post(prerequisites=[talent.pk]))
    module = Module.objects.get(title="Pitchen")
    assert response.status_code == 302 and response.url == module.get_absolute_url()
    assert module.levels == ["experienced", "entrepreneur"] and module.duration_hours == Decimal("2.5")
    assert list(module.prerequisites.all()) == [talent]
    assert AuditEntry.objects.filter(action="training.module_create", actor=training_coordinator).exists()

    response = client.post(
        reverse("training:module_edit", args=[module.pk]),
        module_post(provider_name="", provider_organisation=org_a.pk, required_for_zzp="on"),
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.provider == org_a.name and module.required_for_zzp


def test_module_form_errors_are_shown_at_their_field(client_for, training_coordinator):
    client = client_for(training_coordinator)
    response = client.post(reverse("training:module_create"), module_post(provider_name="", levels=[]))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"provider_name", "levels"}
    assert not Module.objects.exists()


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def session_post(start, **overrides):
    data = {
        "starts_at": _local(start), "ends_at": _local(start + timedelta(hours=3)),
        "enrolment_deadline": _local(start - timedelta(days=3)), "location": "Provinciehuis, 's-Hertogenbosch",
        "online_url": "", "trainer_name": "Marieke Claassen", "trainer_email": "", "capacity": "2",
    }
    data.update(overrides)
    return data


def test_coordinator_plans_changes_and_cancels_a_session(client_for, training_coordinator, coordinator_a, make_members, run_on_commit):
    module = ModuleFactory(title="Ontdek je talent")
    client = client_for(training_coordinator)
    year = timezone.localdate().year + 1
    response = client.post(
        reverse("training:session_create", args=[module.pk]),
        session_post(timezone.make_aware(timezone.datetime(year, 6, 2, 9, 30)), trainer_email=coordinator_a.email.upper()),
    )
    session = Session.objects.get()
    assert response.status_code == 302 and response.url == session.get_absolute_url()
    start = timezone.localtime(session.starts_at)
    assert (start.month, start.day, start.hour, start.minute) == (6, 2, 9, 30)
    assert start.utcoffset() == timedelta(hours=2)  # typed in Amsterdam summer time
    assert session.trainer == coordinator_a and session.capacity == 2

    users = make_members(3)
    for user in users:
        services.enrolment_create(actor=user, session=session)
    mail.outbox.clear()
    with run_on_commit():
        response = client.post(
            reverse("training:session_edit", args=[session.pk]),
            session_post(session.starts_at, capacity="3", trainer_email=coordinator_a.email),
        )
    assert response.status_code == 302
    assert status_of(users[2], session) == S.ENROLLED  # moved up with the extra seat
    assert [m.to for m in mail.outbox] == [[users[2].email]]

    mail.outbox.clear()
    with run_on_commit():
        response = client.post(reverse("training:session_cancel", args=[session.pk]), {"reason": "Trainer ziek"})
    assert response.status_code == 302
    assert Session.objects.get().is_cancelled
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


def test_session_form_errors_are_shown_at_their_field(client_for, training_coordinator):
    module = ModuleFactory()
    start = timezone.now() + timedelta(days=20)
    client = client_for(training_coordinator)
    for overrides, field in [
        ({"ends_at": _local(start - timedelta(hours=1))}, "ends_at"),
        ({"enrolment_deadline": _local(start + timedelta(days=1))}, "enrolment_deadline"),
        ({"location": "", "online_url": ""}, "location"),
        ({"trainer_email": "niemand@example.nl"}, "trainer_email"),
        ({"capacity": "0"}, "capacity"),
    ]:
        response = client.post(reverse("training:session_create", args=[module.pk]), session_post(start, **overrides))
        assert response.status_code == 200, overrides
        assert field in response.context["form"].errors, (overrides, response.context["form"].errors)
    assert not Session.objects.exists()


def test_enrolment_list_csv_export(client_for, coordinator_a, make_members, org_a):
    session = SessionFactory(capacity=1, trainer=coordinator_a, module=ModuleFactory(title="Pitchen"))
    first, second = make_members(2)
    first.first_name, first.last_name = "=HYPERLINK(1)", "Test"
    first.save()
    services.enrolment_create(actor=first, session=session)
    services.enrolment_create(actor=second, session=session)

    response = client_for(coordinator_a).get(reverse("training:session_enrolments_csv", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3
    assert rows[1][0] == "'=HYPERLINK(1) Test"  # not run as a formula
    assert rows[1][1] == first.email and rows[2][1] == second.email
    assert rows[2][4] == "1"  # first in the queue

    page = client_for(coordinator_a).get(reverse("training:session_enrolments", args=[session.pk])).content.decode()
    assert second.email in page and first.email in page


def test_trainer_marks_attendance_and_the_completion_counts(client_for, coordinator_a, member_a, member_b):
    session = SessionFactory(trainer=coordinator_a, module=ModuleFactory(title="Ontdek je talent"))
    there = EnrolmentFactory(session=session, member=member_a.profile)
    absent = EnrolmentFactory(session=session, member=member_b.profile)
    url = reverse("training:attendance_mark", args=[session.pk])
    client = client_for(coordinator_a)

    response = client.post(url, {f"attendance_{there.pk}": "attended"}, follow=True)
    assert messages_of(response)[0][0] == "error"  # not started yet
    assert not Completion.objects.exists()

    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1), enrolment_deadline=now - timedelta(days=1),
    )
    page = client.get(reverse("training:session_enrolments", args=[session.pk])).content.decode()
    assert f'name="attendance_{there.pk}"' in page
    response = client.post(url, {f"attendance_{there.pk}": "attended", f"attendance_{absent.pk}": "no_show"})
    assert response.status_code == 302
    completion = Completion.objects.get()
    assert completion.member == member_a.profile and completion.verified_by == coordinator_a
    assert Enrolment.objects.get(pk=absent.pk).status == S.NO_SHOW
    profile_page = client_for(member_b).get(member_a.profile.get_absolute_url()).content.decode()
    assert "Ontdek je talent" in profile_page

    other = client_for(member_b).post(url, {f"attendance_{absent.pk}": "attended"})
    assert other.status_code == 403
    assert Completion.objects.count() == 1


@pytest.mark.parametrize("url_name", ["training:manage", "training:module_create"])
def test_management_pages_render(client_for, training_coordinator, url_name):
    SessionFactory(module=ModuleFactory(title="Pitchen"))
    response = client_for(training_coordinator).get(reverse(url_name))
    assert response.status_code == 200
    if url_name == "training:manage":
        assert "Pitchen" in response.content.decode()
