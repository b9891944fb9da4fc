"""Demo data for matching (call ``seed_matching()`` after ``seed_marketplace``):
the suggestions for the demo data (the full recompute) and a saved search
with a weekly alert for the demo member Anne. Idempotent: the recompute
writes nothing when nothing changed, and the saved search is looked up by
name."""

from matching import services
from matching.models import Frequency, SavedSearch
from members.demo import DEMO_DOMAIN
from members.models import MemberProfile, Skill

DEMO_SEARCH = "Omgevingswet en ruimtelijke ordening"


def seed_matching() -> dict:
    result = services.match_all()
    profile = MemberProfile.objects.filter(user__email=f"anne.devries@{DEMO_DOMAIN}").first()
    created = False
    if profile is not None:
        skills = [str(pk) for pk in Skill.objects.filter(
            name__in=["Omgevingswet", "Ruimtelijke ordening"]).values_list("pk", flat=True)]
        _search, created = SavedSearch.objects.get_or_create(
            member=profile, name=DEMO_SEARCH,
            defaults={"filters": {"skills": skills}, "frequency": Frequency.WEEKLY, "alert": True},
        )
    return {"suggestions_written": result.written, "saved_searches": int(created)}
