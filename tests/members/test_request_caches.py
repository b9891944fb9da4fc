"""What every page reads about the person is kept in the cache between
requests (their roles, their unread count). A change shows on the very next
request: a role taken away is refused at once, a new notification counts."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from members.models import Membership, Release
from members.notifications import notify
from members.services import membership_revoke

pytestmark = pytest.mark.django_db


def test_a_revoked_role_is_refused_on_the_next_request(client_for, coordinator_a, hr_a):
    client = client_for(coordinator_a)
    assert client.get(reverse("marketplace:inbox")).status_code == 200  # roles now cached
    membership = Membership.objects.get(user=coordinator_a, role=Membership.Role.COORDINATOR)
    membership_revoke(actor=hr_a, membership=membership)
    assert client.get(reverse("marketplace:inbox")).status_code in (403, 404)  # no role left: refused


def test_a_membership_removed_outside_the_services_is_refused_too(client_for, coordinator_a):
    """The admin deletes the row directly: the cached roles go as well."""
    client = client_for(coordinator_a)
    assert client.get(reverse("marketplace:inbox")).status_code == 200
    Membership.objects.filter(user=coordinator_a, role=Membership.Role.COORDINATOR).delete()
    assert client.get(reverse("marketplace:inbox")).status_code in (403, 404)


def test_a_granted_role_works_on_the_next_request(client_for, member_a, org_a, hr_a):
    client = client_for(member_a)
    assert client.get(reverse("members:release_queue")).status_code == 403
    Membership.objects.create(user=member_a, organisation=org_a, role=Membership.Role.HR)
    assert client.get(reverse("members:release_queue")).status_code == 200


def test_the_unread_count_follows_new_and_read_notifications(client_for, member_a):
    client = client_for(member_a)
    home = client.get(reverse("home")).content.decode()
    assert "(1<span" not in home  # nothing unread yet (and now cached)
    notify(users=[member_a], kind="test", message=lambda: "Hallo")
    assert "Meldingen (1<span" in client.get(reverse("home")).content.decode()
    notify(users=[member_a], kind="test", message=lambda: "Nog een")
    assert "Meldingen (2<span" in client.get(reverse("home")).content.decode()
    client.post(reverse("members:notification_read"), {})
    assert "Meldingen (" not in client.get(reverse("home")).content.decode()


def _menu(client, path) -> str:
    html = client.get(path).content.decode()
    menu = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", menu)


def test_the_menu_is_each_persons_own(client_for, member_a, coordinator_a, hr_a):
    """The menu links are remembered per process for each combination of
    roles and page: one person's menu never shows up for another."""
    member_menu = _menu(client_for(member_a), reverse("home"))
    coordinator_menu = _menu(client_for(coordinator_a), reverse("home"))
    hr_menu = _menu(client_for(hr_a), reverse("home"))

    assert "Mijn reacties" in member_menu and "Inbox" not in member_menu
    assert "Inbox" in coordinator_menu and "Mijn reacties" not in coordinator_menu
    assert "Aanvragen voor vrijstelling" in hr_menu and "Inbox" not in hr_menu
    assert reverse("members:profile_detail", args=[member_a.profile.pk]) in member_menu
    # The person's own name and unread count are outside the remembered part.
    assert member_a.get_full_name() in member_menu and coordinator_a.get_full_name() not in member_menu
    assert _menu(client_for(member_a), reverse("home")) == member_menu


def test_the_menu_marks_the_page_you_are_on(client_for, coordinator_a):
    client = client_for(coordinator_a)
    on_inbox = _menu(client, reverse("marketplace:inbox"))
    on_home = _menu(client, reverse("home"))
    assert re.search(r'href="%s" aria-current="page"' % reverse("marketplace:inbox"), on_inbox)
    assert re.search(r'href="%s" aria-current="page"' % reverse("home"), on_home)
    assert 'aria-current="page"' not in on_home.replace(f'href="{reverse("home")}" aria-current="page"', "")


def test_the_menu_follows_a_granted_role_and_the_language(client_for, member_a, org_a):
    client = client_for(member_a)
    assert "Inbox" not in _menu(client, reverse("home"))
    Membership.objects.create(user=member_a, organisation=org_a, role=Membership.Role.COORDINATOR)
    assert "Inbox" in _menu(client, reverse("home"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = _menu(client, reverse("home"))
    assert "My applications" in english and "Mijn reacties" not in english


def test_the_release_queue_pages_follow_a_withdrawn_request(client_for, hr_a, org_a, run_on_commit):
    """The queue's total is cached; a request withdrawn (a bulk update, no
    save signal) leaves one page where there were two."""
    from members.services import release_withdraw
    from tests.factories import ReleaseFactory
    from tests.marketplace.test_services import new_member

    members = [new_member(org_a, f"lid{n}@example.nl") for n in range(26)]
    releases = [ReleaseFactory(member=user.profile) for user in members]
    client = client_for(hr_a)
    url = reverse("members:release_queue")
    assert "Pagina 1 van 2" in client.get(url).content.decode()

    with run_on_commit():
        release_withdraw(actor=members[0], release=releases[0])

    assert "Pagina 1 van" not in client.get(url).content.decode()


def test_the_release_queue_rows_follow_a_new_request_and_a_rename(client_for, hr_a, org_a, run_on_commit):
    from members.services import release_request
    from tests.marketplace.test_services import new_member

    url = reverse("members:release_queue")
    client = client_for(hr_a)
    assert "Er wachten geen aanvragen" in client.get(url).content.decode()  # now cached
    member = new_member(org_a, "nieuw@example.nl", first_name="Sanne", last_name="Kuipers")
    with run_on_commit():
        release_request(
            actor=member, member=member.profile, days_per_week=Decimal("1.0"), variant=Release.Variant.ZPP,
            start_date=date.today(), end_date=date.today() + timedelta(days=90), motivation="Ervaring opdoen.",
        )
    assert "Sanne Kuipers" in client.get(url).content.decode()

    with run_on_commit():
        member.last_name = "de Wit"
        member.save()
    assert "Sanne de Wit" in client.get(url).content.decode()


def test_logging_in_does_not_throw_the_cached_rows_away(client, member_a, run_on_commit):
    from members import versions

    before = versions.current("people")
    with run_on_commit():
        client.force_login(member_a)  # saves only last_login
    assert versions.current("people") == before
    with run_on_commit():
        member_a.save()
    assert versions.current("people") != before
