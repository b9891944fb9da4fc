"""Parts of pages kept in the cache are never stale after a write: the
inbox's total and assignment choices, the home page's newest assignments,
the assignment page's facts and description, and the menu (kept per
process). Each test first shows the page (so the part is cached), writes
through the services as people do, and shows it again."""

import re
from datetime import timedelta
from unittest import mock

from django.urls import reverse

from marketplace import services
from tests.factories import ApplicationFactory, AssignmentFactory, approved_release
from tests.marketplace.test_services import apply, assignment_data, create_draft, new_member


def _inbox_total(client, query="") -> int:
    html = client.get(reverse("marketplace:inbox") + query).content.decode()
    return int(re.search(r"(\d+) reacties? gevonden", html).group(1))


def _assignment_options(client) -> list[str]:
    html = client.get(reverse("marketplace:inbox")).content.decode()
    select = re.search(r'<select name="assignment".*?</select>', html, re.S).group(0)
    return re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select)


def _published_with_applicants(coordinator, organisation, applicants):
    """A published assignment and, for each of ``applicants`` (users, given
    an approved release), their application: (assignment, applications)."""
    assignment = services.assignment_publish(actor=coordinator, assignment=create_draft(coordinator, organisation))
    for user in applicants:
        approved_release(user)
    return assignment, [apply(user, assignment) for user in applicants]


def test_inbox_total_counts_a_new_application_at_once(client_for, coordinator_a, org_a, member_b, run_on_commit):
    with run_on_commit():
        assignment = services.assignment_publish(actor=coordinator_a, assignment=create_draft(coordinator_a, org_a))
    approved_release(member_b)
    client = client_for(coordinator_a)
    assert _inbox_total(client) == 0
    assert _inbox_total(client) == 0  # now from the cache

    with run_on_commit():
        apply(member_b, assignment)

    assert _inbox_total(client) == 1
    assert _inbox_total(client, "?status=submitted") == 1


def test_inbox_total_follows_the_applications_declined_when_filled(
    client_for, coordinator_a, org_a, org_b, member_b, run_on_commit
):
    """Filling the last position declines the other applicants in one bulk
    update (no save signal): the filtered total must still change."""
    with run_on_commit():
        _, (first_app, _second) = _published_with_applicants(
            coordinator_a, org_a, [member_b, new_member(org_b, "tweede@example.nl")]
        )
    client = client_for(coordinator_a)
    assert _inbox_total(client, "?status=submitted") == 2

    with run_on_commit():
        services.application_accept(actor=coordinator_a, application=first_app)

    assert _inbox_total(client, "?status=submitted") == 0
    assert _inbox_total(client, "?status=rejected") == 1
    assert _inbox_total(client) == 2


def test_inbox_total_follows_a_cancelled_assignment(client_for, coordinator_a, org_a, member_b, run_on_commit):
    with run_on_commit():
        assignment, _ = _published_with_applicants(coordinator_a, org_a, [member_b])
    client = client_for(coordinator_a)
    assert _inbox_total(client, "?status=submitted") == 1

    with run_on_commit():
        services.assignment_cancel(actor=coordinator_a, assignment=assignment, reason="Gaat niet door.")

    assert _inbox_total(client, "?status=submitted") == 0


def test_inbox_total_is_per_organisation(client_for, coordinator_a, coordinator_b, org_a, org_b):
    """Two organisations' inboxes never share a cached total."""
    ApplicationFactory.create_batch(3, assignment=AssignmentFactory(organisation=org_a, published=True))
    ApplicationFactory(assignment=AssignmentFactory(organisation=org_b, published=True))
    assert _inbox_total(client_for(coordinator_a)) == 3
    assert _inbox_total(client_for(coordinator_b)) == 1


def test_inbox_offers_a_new_assignment_at_once(client_for, coordinator_a, org_a, run_on_commit):
    with run_on_commit():
        services.assignment_publish(
            actor=coordinator_a, assignment=create_draft(coordinator_a, org_a, title="Eerste opdracht")
        )
    client = client_for(coordinator_a)
    assert _assignment_options(client) == ["Eerste opdracht"]

    with run_on_commit():
        services.assignment_publish(
            actor=coordinator_a, assignment=create_draft(coordinator_a, org_a, title="Tweede opdracht")
        )

    assert _assignment_options(client) == ["Tweede opdracht", "Eerste opdracht"]


def test_home_shows_a_newly_published_assignment_at_once(client_for, coordinator_a, org_a, member_b, run_on_commit):
    client = client_for(member_b)
    assert "Warmtetransitie regio" not in client.get(reverse("home")).content.decode()

    with run_on_commit():
        services.assignment_publish(
            actor=coordinator_a, assignment=create_draft(coordinator_a, org_a, title="Warmtetransitie regio")
        )

    assert "Warmtetransitie regio" in client.get(reverse("home")).content.decode()


def test_home_newest_assignments_respect_internal_first_windows(client_for, coordinator_a, org_a, member_a, member_b,
                                                                 run_on_commit):
    """Members of different organisations never share the cached block: an
    internal-first assignment shows for its own organisation only."""
    with run_on_commit():
        services.assignment_publish(
            actor=coordinator_a,
            assignment=create_draft(coordinator_a, org_a, title="Alleen intern", internal_first_days=5),
        )
    assert "Alleen intern" in client_for(member_a).get(reverse("home")).content.decode()
    assert "Alleen intern" not in client_for(member_b).get(reverse("home")).content.decode()


def test_assignment_page_shows_an_edit_at_once(client_for, coordinator_a, org_a, member_b, run_on_commit):
    with run_on_commit():
        assignment = services.assignment_publish(actor=coordinator_a, assignment=create_draft(coordinator_a, org_a))
    client = client_for(member_b)
    url = reverse("marketplace:assignment_detail", args=[assignment.pk])
    assert "regionale energiestrategie" in client.get(url).content.decode()

    with run_on_commit():
        services.assignment_update(
            actor=coordinator_a, assignment=assignment,
            data=assignment_data(description="Nieuwe tekst over de warmtevisie.", place="Breda"),
        )

    html = client.get(url).content.decode()
    assert "Nieuwe tekst over de warmtevisie." in html
    assert "regionale energiestrategie" not in html
    assert "Breda" in html


def test_assignment_page_keeps_each_members_own_application(client_for, coordinator_a, org_a, org_b, member_b,
                                                            run_on_commit):
    """The shared block is cached; whether this person applied is not."""
    with run_on_commit():
        assignment = services.assignment_publish(actor=coordinator_a, assignment=create_draft(coordinator_a, org_a))
    other = new_member(org_b, "ander@example.nl")
    approved_release(member_b)
    approved_release(other)
    url = reverse("marketplace:assignment_detail", args=[assignment.pk])
    with run_on_commit():
        apply(member_b, assignment)

    applied = client_for(member_b).get(url).content.decode()
    not_applied = client_for(other).get(url).content.decode()

    assert "Je hebt op " in applied
    assert "Je hebt op " not in not_applied
    assert reverse("marketplace:application_create", args=[assignment.pk]) in not_applied


def test_an_internal_first_window_ending_shows_the_assignment_to_everyone(
    client_for, coordinator_a, org_a, member_b, run_on_commit
):
    """No write happens when a window ends: the cached list and home block
    of another organisation still must show the assignment from then on."""
    with run_on_commit():
        assignment = services.assignment_publish(
            actor=coordinator_a,
            assignment=create_draft(coordinator_a, org_a, title="Eerst intern", internal_first_days=2),
        )
    client = client_for(member_b)
    assert "Eerst intern" not in client.get(reverse("marketplace:assignment_list")).content.decode()
    assert "Eerst intern" not in client.get(reverse("home")).content.decode()

    later = assignment.province_wide_at + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "Eerst intern" in client.get(reverse("marketplace:assignment_list")).content.decode()
        assert "Eerst intern" in client.get(reverse("home")).content.decode()


def test_an_organisation_renamed_in_the_admin_shows_in_the_list_at_once(client_for, org_a, member_b, run_on_commit):
    AssignmentFactory(organisation=org_a, published=True, title="Beleidsadviseur water")
    client = client_for(member_b)
    assert org_a.name in client.get(reverse("marketplace:assignment_list")).content.decode()
    org_a.name = "Gemeente Nieuwnaam"
    with run_on_commit():
        org_a.save()  # as the admin does: no service; the save signal bumps the version
    assert "Gemeente Nieuwnaam" in client.get(reverse("marketplace:assignment_list")).content.decode()


def test_inbox_total_follows_shortlist_reject_and_withdraw(
    client_for, coordinator_a, org_a, org_b, member_b, run_on_commit
):
    """These are conditional bulk updates (no save signal) too."""
    with run_on_commit():
        third = new_member(org_b, "derde@example.nl")
        _, (shortlisted, rejected, withdrawn) = _published_with_applicants(
            coordinator_a, org_a, [member_b, new_member(org_b, "tweede@example.nl"), third]
        )
    client = client_for(coordinator_a)
    assert _inbox_total(client, "?status=submitted") == 3

    with run_on_commit():
        services.application_shortlist(actor=coordinator_a, application=shortlisted)
    assert _inbox_total(client, "?status=submitted") == 2
    assert _inbox_total(client, "?status=shortlisted") == 1

    with run_on_commit():
        services.application_reject(actor=coordinator_a, application=rejected, message="Een ander past beter.")
    assert _inbox_total(client, "?status=rejected") == 1

    with run_on_commit():
        services.application_withdraw(actor=third, application=withdrawn)
    assert _inbox_total(client, "?status=submitted") == 0
    assert _inbox_total(client, "?status=withdrawn") == 1


def test_inbox_rows_show_a_renamed_member_and_an_edited_title_at_once(
    client_for, coordinator_a, org_a, member_b, run_on_commit
):
    with run_on_commit():
        assignment, _ = _published_with_applicants(coordinator_a, org_a, [member_b])
    client = client_for(coordinator_a)
    html = client.get(reverse("marketplace:inbox")).content.decode()
    assert member_b.get_full_name() in html and assignment.title in html

    with run_on_commit():  # as the admin saves a person
        member_b.first_name, member_b.last_name = "Fenna", "Verbeek"
        member_b.save()
    assert "Fenna Verbeek" in client.get(reverse("marketplace:inbox")).content.decode()

    with run_on_commit():
        services.assignment_update(
            actor=coordinator_a, assignment=assignment, data=assignment_data(title="Warmtevisie Tilburg-Noord"),
        )
    assert "Warmtevisie Tilburg-Noord" in client.get(reverse("marketplace:inbox")).content.decode()
