"""`make run` loads the demo data with `seed_demo`: twice must neither fail
nor duplicate anything."""

from io import StringIO

from django.core.management import call_command

from marketplace.models import Application, Assignment, Offer
from members.models import Organisation, User


def _counts():
    return [m.objects.count() for m in (Organisation, User, Assignment, Application, Offer)]


def test_seed_demo_is_idempotent_and_fills_the_marketplace(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    assert first[0] == 18
    assert Assignment.objects.filter(status="published").count() >= 10
    assert first[3] > 0 and first[4] > 0
    call_command("seed_demo", stdout=out)
    assert _counts() == first
    assert "nothing new" in out.getvalue()
