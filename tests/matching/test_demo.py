"""``matching.demo.seed_matching`` (the last step of ``seed_demo``): the demo
members get recommendations and Anne a saved search; again adds nothing."""

from django.core.management import call_command

from matching.demo import DEMO_SEARCH, seed_matching
from matching.models import SavedSearch, Suggestion


def _rows():
    return sorted(Suggestion.objects.values_list("member_id", "assignment_id", "score", "updated_at"))


def test_seed_matching_is_idempotent(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", verbosity=0)
    rows = _rows()
    assert len(rows) > 0
    assert SavedSearch.objects.filter(name=DEMO_SEARCH).count() == 1

    assert seed_matching() == {"suggestions_written": 0, "saved_searches": 0}
    assert _rows() == rows
    assert SavedSearch.objects.get(name=DEMO_SEARCH).member.user.email.startswith("anne.devries@")
