"""The match score on hand-made cases: who is suggested, in which order, with
which reasons; and the rules that keep someone out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from marketplace.models import Assignment, WorkMode
from matching import scoring, services
from matching.models import AssignmentTraining
from matching.reasons import reason_line, reason_texts
from members.models import Release
from tests.factories import ApplicationFactory, EngagementFactory, UserFactory
from tests.matching.conftest import make_assignment, make_member, reason, suggestion

pytestmark = pytest.mark.django_db


def test_all_skills_and_enough_hours_ranks_above_half_the_skills(org_a, org_b, org_c, skills):
    a, b, c, d, e, _f = skills
    assignment = make_assignment(org_a, [a, b, c, d])
    everything = make_member(org_b, [a, b, c, d], days="2.0")  # 16 hours a week
    half = make_member(org_c, [a, b, e], days="2.0")

    services.match_all()

    best, second = suggestion(everything, assignment), suggestion(half, assignment)
    assert best is not None and second is not None
    # 45 + 20 (hours) + 10 (whole period) + 10 (remote) + 5 (ZPP tariff) + 10 (no training asked)
    assert best.score == 100
    # Half the required skills: 45 × 4/8 = 22.5; the rest is the same.
    assert second.score == 78
    assert [s.member_id for s in assignment.suggestions.order_by("-score")] == [everything.pk, half.pk]


def test_reasons_say_why_in_words(org_a, org_b, skills):
    a, b, c, d, *_ = skills
    assignment = make_assignment(org_a, [a, b, c, d], hours="8.0")
    member = make_member(org_b, [a, b, c], days="2.0")

    services.match_all()

    with translation.override("en"):
        line = reason_line(suggestion(member, assignment).reasons)
    assert line.startswith("3 of 4 required skills · 16 hours a week free · available for the whole period · remote possible")


def test_a_member_without_release_hours_left_is_not_suggested(org_a, org_b, skills):
    a, b, *_ = skills
    assignment = make_assignment(org_a, [a, b])
    busy = make_member(org_b, [a, b], days="1.0")  # 8 hours a week …
    EngagementFactory(member=busy, hours_per_week=Decimal("8.0"),  # … all taken during the assignment
                      start_date=assignment.start_date, end_date=assignment.end_date)
    no_release = make_member(org_b, [a, b], release=False)
    free = make_member(org_b, [a, b], days="1.0")

    services.match_all()

    assert suggestion(busy, assignment) is None
    assert suggestion(no_release, assignment) is None
    assert suggestion(free, assignment) is not None


def test_hours_left_count_only_engagements_in_the_assignments_period(org_a, org_b, skills):
    a, b, *_ = skills
    assignment = make_assignment(org_a, [a, b], hours="16.0")
    member = make_member(org_b, [a, b], days="2.0")  # 16 hours a week
    # An engagement that ends before the assignment starts takes nothing from it …
    EngagementFactory(member=member, hours_per_week=Decimal("8.0"), start_date=timezone.localdate(),
                      end_date=assignment.start_date - timedelta(days=1))
    services.match_all()
    assert reason(suggestion(member, assignment), "hours") == ["hours", 16, 16]

    # … one that overlaps it leaves 8 of the 16 hours (10 points instead of 20).
    EngagementFactory(member=member, hours_per_week=Decimal("8.0"), start_date=assignment.end_date,
                      end_date=assignment.end_date + timedelta(days=30))
    services.match_member(member.pk)
    changed = suggestion(member, assignment)
    assert reason(changed, "hours") == ["hours", 8, 16]
    assert changed.score == 90


def test_the_hiring_organisations_own_members_get_no_bonus(org_a, org_b, skills):
    a, b, c, *_ = skills
    assignment = make_assignment(org_a, [a, b, c])
    own = make_member(org_a, [a, b])
    other = make_member(org_b, [a, b])

    services.match_all()

    mine, theirs = suggestion(own, assignment), suggestion(other, assignment)
    assert mine.score == theirs.score
    assert mine.reasons == theirs.reasons


def test_internal_first_window_keeps_other_organisations_out_until_it_ends(org_a, org_b, skills):
    a, b, *_ = skills
    assignment = make_assignment(org_a, [a, b], internal_first_days=3)
    own = make_member(org_a, [a, b])
    other = make_member(org_b, [a, b])

    services.match_all()
    assert suggestion(own, assignment) is not None
    assert suggestion(other, assignment) is None

    Assignment.objects.filter(pk=assignment.pk).update(province_wide_at=timezone.now() - timedelta(minutes=1))
    services.match_assignment(assignment.pk)
    assert suggestion(other, assignment).score == suggestion(own, assignment).score


def test_a_dismissed_suggestion_does_not_return_after_a_recompute(org_a, org_b, skills):
    a, b, *_ = skills
    assignment = make_assignment(org_a, [a, b])
    member = make_member(org_b, [a, b])
    services.match_all()
    dismissed = services.suggestion_dismiss(actor=member.user, suggestion=suggestion(member, assignment))

    services.match_all()
    services.match_member(member.pk)
    services.match_assignment(assignment.pk)

    again = suggestion(member, assignment)
    assert again.pk == dismissed.pk and again.dismissed_at == dismissed.dismissed_at


def test_applied_pairs_and_closed_assignments_are_not_suggested(org_a, org_b, skills):
    a, b, *_ = skills
    applied_to = make_assignment(org_a, [a, b])
    closing = make_assignment(org_a, [a, b])
    member = make_member(org_b, [a, b])
    services.match_all()
    assert suggestion(member, closing) is not None

    ApplicationFactory(assignment=applied_to, member=member)
    Assignment.objects.filter(pk=closing.pk).update(status=Assignment.Status.CLOSED)
    services.match_all()

    assert suggestion(member, applied_to) is None
    assert suggestion(member, closing) is None


def test_one_assignment_job_drops_its_suggestions_when_it_closes(org_a, org_b, skills):
    a, b, *_ = skills
    assignment = make_assignment(org_a, [a, b])
    member = make_member(org_b, [a, b])
    services.match_assignment(assignment.pk)
    assert suggestion(member, assignment) is not None

    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.CANCELLED)
    result = services.match_assignment(assignment.pk)

    assert result.deleted == 1 and suggestion(member, assignment) is None


def test_skills_rule_needs_half_the_required_and_two_in_common(org_a, org_b, skills):
    a, b, c, d, e, f = skills
    four = make_assignment(org_a, [a, b, c, d])
    one_required = make_assignment(org_a, [a], [e, f])
    quarter = make_member(org_b, [a, e])  # 1 of 4 required: not enough
    only_the_required = make_member(org_b, [a])  # the one required skill, no nice-to-have

    services.match_all()

    assert suggestion(quarter, four) is None
    assert suggestion(only_the_required, one_required) is not None
    assert suggestion(only_the_required, four) is None


def test_a_zzp_rate_above_the_ceiling_scores_lower(org_a, org_b, skills):
    a, b, *_ = skills
    assignment = make_assignment(org_a, [a, b], rate_ceiling=Decimal("90.00"))
    within = make_member(org_b, [a, b], variant=Release.Variant.ZZP, zzp=True, own_hourly_rate=Decimal("85.00"))
    above = make_member(org_b, [a, b], variant=Release.Variant.ZZP, zzp=True, own_hourly_rate=Decimal("110.00"))

    services.match_all()

    fits, too_high = suggestion(within, assignment), suggestion(above, assignment)
    assert fits.score - too_high.score == scoring.WEIGHTS["rate"]
    with translation.override("en"):
        assert "rate € 85.00 within the maximum of € 90.00" in reason_texts(fits.reasons)
        assert "rate € 110.00 above the maximum of € 90.00" in reason_texts(too_high.reasons)


def test_place_counts_remote_or_the_home_organisations_town(org_a, org_b, skills):
    a, b, *_ = skills
    org_b.city = "Tilburg"
    org_b.save()
    in_town = make_assignment(org_a, [a, b], work_mode=WorkMode.ON_SITE, place="Tilburg")
    elsewhere = make_assignment(org_a, [a, b], work_mode=WorkMode.ON_SITE, place="Breda")
    member = make_member(org_b, [a, b])

    services.match_all()

    near, far = suggestion(member, in_town), suggestion(member, elsewhere)
    assert far is None or near.score - far.score == scoring.WEIGHTS["place"]
    assert ["same_place", "Tilburg"] in near.reasons


def test_completed_training_the_assignment_asks_for_counts(org_a, org_b, skills):
    from training.models import Completion, Module

    a, b, *_ = skills
    module = Module.objects.create(title="Fiscale basis", track="tax", description="Btw en inkomstenbelasting.",
                                   duration_hours=Decimal("4"), provider_name="Belastingdienst", levels=["starter"])
    assignment = make_assignment(org_a, [a, b])
    AssignmentTraining.objects.create(assignment=assignment, module=module)
    trained = make_member(org_b, [a, b])
    untrained = make_member(org_b, [a, b])
    Completion.objects.create(member=trained, module=module, completed_on=timezone.localdate(),
                              verified_by=UserFactory())

    services.match_all()

    assert suggestion(trained, assignment).score - suggestion(untrained, assignment).score == scoring.WEIGHTS["training"]
    assert ["training", 1, 1] in suggestion(trained, assignment).reasons


def test_each_member_keeps_their_best_and_each_assignment_its_best(org_a, org_b, skills, monkeypatch):
    monkeypatch.setattr(scoring, "PER_MEMBER", 2)
    monkeypatch.setattr(scoring, "PER_ASSIGNMENT", 1)
    a, b, c, *_ = skills
    assignments = [make_assignment(org_a, [a, b], hours=str(hours)) for hours in (8, 12, 16, 20)]
    member = make_member(org_b, [a, b, c], days="1.0")  # 8 hours: the 8-hour assignment fits best

    services.match_all()

    kept = list(member.suggestions.order_by("-score").values_list("assignment_id", flat=True))
    # The member's best two, plus every assignment's best candidate (the only one).
    assert kept[:2] == [assignments[0].pk, assignments[1].pk]
    assert set(kept) == {a.pk for a in assignments}

    other = make_member(org_b, [a, b, c], days="2.5")  # fits every assignment better
    services.match_all()
    assert set(member.suggestions.values_list("assignment_id", flat=True)) == {assignments[0].pk, assignments[1].pk}
    assert other.suggestions.count() == 4


def test_a_poor_match_is_not_suggested(org_a, org_b, skills):
    a, b, c, d, *_ = skills
    assignment = make_assignment(org_a, [a, b, c, d], hours="32.0", work_mode=WorkMode.ON_SITE, place="Breda")
    member = make_member(org_b, [a, b], days="0.5")  # half the skills, 4 of 32 hours, on site elsewhere

    services.match_all()

    assert suggestion(member, assignment) is None


def test_inactive_people_and_drafts_are_left_out(org_a, org_b, skills):
    a, b, *_ = skills
    draft = make_assignment(org_a, [a, b], status=Assignment.Status.DRAFT, published_at=None, province_wide_at=None)
    open_one = make_assignment(org_a, [a, b])
    gone = make_member(org_b, [a, b])
    gone.user.is_active = False
    gone.user.save()
    member = make_member(org_b, [a, b])

    services.match_all()

    assert suggestion(member, draft) is None
    assert suggestion(gone, open_one) is None
    assert suggestion(member, open_one) is not None


def test_reason_texts_skip_what_they_do_not_know():
    with translation.override("en"):
        texts = reason_texts([["required_skills", 1, 1], ["from_a_newer_job", 3], ["hours", 4, 8], "garbage",
                              ["period", 60], ["hybrid", "Oss"], ["no_ceiling"]])
    assert texts == ["1 of 1 required skill", "4 of the 8 hours a week free", "available for 60% of the period",
                     "hybrid, partly in Oss", "no maximum rate"]
