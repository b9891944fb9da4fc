"""What every page reads about the person is kept in the cache between
requests (their roles, their unread count). A change shows on the very next
request: a role taken away is refused at once, a new notification counts."""

import pytest
from django.urls import reverse

from members.models import Membership
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
