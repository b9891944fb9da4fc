"""The demo training programme: realistic, consistent and idempotent."""

from io import StringIO

from django.core.management import call_command

from members.demo import DEMO_DOMAIN, DEMO_LOGINS
from members.models import Membership, User
from members.roles import roles_of
from training.models import Completion, Enrolment, Module, Session


def _counts():
    return [m.objects.count() for m in (Module, Session, Enrolment, Completion)]


def test_seed_demo_loads_the_training_programme_once(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    assert first[0] == 6 and first[1] >= 8

    tax = Module.objects.get(title__startswith="Belastingdienst")
    assert tax.provider == "Belastingdienst" and tax.required_for_zzp and tax.track == "tax"
    assert set(tax.prerequisites.values_list("title", flat=True)) == {"Financiën voor de zzp'er"}
    assert Module.objects.filter(required_for_zzp=True).count() == 3

    coordinator = User.objects.get(email=f"training@{DEMO_DOMAIN}")
    assert roles_of(coordinator).manages_training
    assert Membership.objects.get(user=coordinator).organisation is None
    assert f"training@{DEMO_DOMAIN}" in [email for _, email in DEMO_LOGINS]

    anne = User.objects.get(email=f"anne.devries@{DEMO_DOMAIN}")
    assert Completion.objects.filter(member__user=anne, module__title="Ontdek je talent").exists()

    full = [s for s in Session.objects.all() if s.enrolments.filter(status="enrolled").count() == s.capacity]
    assert full, "no full session"
    queue = list(full[0].enrolments.filter(status="waiting").order_by("waitlist_position"))
    assert [e.waitlist_position for e in queue] == [1, 2]
    assert queue[0].created_at < queue[1].created_at

    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
