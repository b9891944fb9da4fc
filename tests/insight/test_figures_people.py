"""People, hours and training figures on a small hand-made world.

The period is February 2025: 1 to 28 February, 28 days (1 February is a
Saturday; the Mondays are 3, 10, 17 and 24 February). Every number below is
worked out by hand in the comment next to its assert.

Organisations: A "Gemeente Aadorp", B "Gemeente Beedorp", C "Waterschap
Ceedorp". Members by home organisation: a1–a4 (A), b1–b2 (B), c1 (C).

Releases (8 hours per released day):
  a1  ZPP 1.0 d/w  1 Jan – 31 Mar, approved → clipped to 1–28 Feb, 28 days: 1 × 8 × 28 / 7 = 32 h
  a2  ZPP 1.0 d/w  1 – 14 Feb, approved     → 14 days: 1 × 8 × 14 / 7 = 16 h
  a2  ZZP 2.0 d/w 15 Feb – 30 Apr, approved → 15–28 Feb, 14 days: 2 × 8 × 14 / 7 = 32 h
  a3  ZPP requested 1–28 Feb; ZPP rejected 1–28 Feb; ZPP approved 1–31 Mar (starts the day after)
      → none counts
  a4  ZZP 0.5 d/w 22 Feb – 31 May, approved → 22–28 Feb, 7 days (both ends): 0.5 × 8 × 7 / 7 = 4 h
  b1  ZZP 1.0 d/w  1 – 14 Feb, approved     → 14 days: 1 × 8 × 14 / 7 = 16 h
  b2  ZPP 1.0 d/w  1 – 31 Jan, approved (ends the day before) → none counts
  c1  no release

Hours on approved timesheets (by member, whatever organisation hires them):
  a1  (hired by B) 3 + 4 Feb 8 + 8, 28 Feb 8 → 24 h; 31 Jan 8 and 1 Mar 4 are outside the period;
      10 Feb 8 is on a submitted (not approved) timesheet → not counted
  b1  (hired by A) 3, 4, 5 Feb 4 + 4 + 4 → 12 h
  b2  (hired by C) 10 Feb 6 → 6 h (its release ended in January: the hours still count)
  c1  (hired by A) 17 Feb 5 → 5 h (no release at all)
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from insight.figures import figure_function
from insight.figures.base import DASH, Period, Scope
from insight.figures.people import participants, training, utilisation
from members.models import Release
from tests.factories import (
    CompletionFactory,
    EngagementFactory,
    EnrolmentFactory,
    MemberProfileFactory,
    ModuleFactory,
    OrganisationFactory,
    ReleaseFactory,
    SessionFactory,
    approved_hours,
)

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
FEBRUARY = Period.month(2025, 2)
EMPTY = Period.month(2024, 6)  # nothing happens in June 2024


def local(*args) -> datetime:
    """An aware datetime in Amsterdam local time."""
    return datetime(*args, tzinfo=AMS)


def release(member, variant, days, start, end, **status):
    return ReleaseFactory(
        member=member, variant=variant, days_per_week=Decimal(days), start_date=start, end_date=end,
        **(status or {"approved": True}),
    )


@pytest.fixture
def world():
    a = OrganisationFactory(name="Gemeente Aadorp")
    b = OrganisationFactory(name="Gemeente Beedorp")
    c = OrganisationFactory(name="Waterschap Ceedorp")
    a1, a2, a3, a4 = (MemberProfileFactory(home_organisation=a) for _ in range(4))
    b1, b2 = (MemberProfileFactory(home_organisation=b) for _ in range(2))
    c1 = MemberProfileFactory(home_organisation=c)

    zpp, zzp = Release.Variant.ZPP, Release.Variant.ZZP
    release(a1, zpp, "1.0", date(2025, 1, 1), date(2025, 3, 31))
    release(a2, zpp, "1.0", date(2025, 2, 1), date(2025, 2, 14))
    release(a2, zzp, "2.0", date(2025, 2, 15), date(2025, 4, 30))
    release(a3, zpp, "1.0", date(2025, 2, 1), date(2025, 2, 28), status=Release.Status.REQUESTED)
    release(a3, zpp, "1.0", date(2025, 2, 1), date(2025, 2, 28), rejected=True)
    release(a3, zpp, "1.0", date(2025, 3, 1), date(2025, 3, 31))
    release(a4, zzp, "0.5", date(2025, 2, 22), date(2025, 5, 31))
    release(b1, zzp, "1.0", date(2025, 2, 1), date(2025, 2, 14))
    release(b2, zpp, "1.0", date(2025, 1, 1), date(2025, 1, 31))

    def engagement(member, hiring):
        return EngagementFactory(
            member=member, hiring_organisation=hiring, start_date=date(2025, 1, 1), end_date=date(2025, 3, 31)
        )

    e_a1 = engagement(a1, b)
    approved_hours(e_a1, date(2025, 1, 27), {date(2025, 1, 31): 8})  # before the period
    approved_hours(e_a1, date(2025, 2, 3), [8, 8])  # 3 and 4 Feb: 16 h
    approved_hours(e_a1, date(2025, 2, 10), [8], status="submitted")  # not approved
    approved_hours(e_a1, date(2025, 2, 24), {date(2025, 2, 28): 8, date(2025, 3, 1): 4})  # 8 h in, 4 h after
    approved_hours(engagement(b1, a), date(2025, 2, 3), [4, 4, 4])  # 12 h
    approved_hours(engagement(b2, c), date(2025, 2, 10), [6])  # 6 h
    approved_hours(engagement(c1, a), date(2025, 2, 17), [5])  # 5 h

    # Training. Sessions: S1 talent 10 Feb; S2 legal 5 Mar; S3 tax 28 Feb
    # 20:00; S4 tax 1 Mar 00:30 Amsterdam (= 28 Feb 23:30 UTC: outside the
    # period by its local date).
    talent = ModuleFactory(track="talent")
    legal = ModuleFactory(track="legal")
    tax = ModuleFactory(track="tax")
    financial = ModuleFactory(track="financial")
    s1 = SessionFactory(module=talent, starts_at=local(2025, 2, 10, 9, 30), ends_at=local(2025, 2, 10, 12, 30),
                        enrolment_deadline=local(2025, 2, 3, 9, 30))
    s2 = SessionFactory(module=legal, starts_at=local(2025, 3, 5, 9, 30), ends_at=local(2025, 3, 5, 12, 30),
                        enrolment_deadline=local(2025, 2, 26, 9, 30))
    s3 = SessionFactory(module=tax, starts_at=local(2025, 2, 28, 20, 0), ends_at=local(2025, 2, 28, 22, 0),
                        enrolment_deadline=local(2025, 2, 21, 20, 0))
    s4 = SessionFactory(module=tax, starts_at=local(2025, 3, 1, 0, 30), ends_at=local(2025, 3, 1, 2, 0),
                        enrolment_deadline=local(2025, 2, 22, 0, 30))

    def enrol(session, member, status, created_at, **extra):
        if status == "waiting":
            extra["waitlist_position"] = 1
        if status == "cancelled":
            extra["cancelled_at"] = created_at
        return EnrolmentFactory(session=session, member=member, status=status, created_at=created_at, **extra)

    enrol(s1, a1, "enrolled", local(2025, 2, 3, 10, 0))  # talent enrolment
    enrol(s1, a2, "waiting", local(2025, 2, 5, 10, 0))  # talent enrolment + talent waiting
    enrol(s1, b1, "cancelled", local(2025, 2, 4, 10, 0))  # cancelled: nothing
    enrol(s1, c1, "attended", local(2025, 2, 1, 0, 30))  # talent enrolment (31 Jan 23:30 UTC, 1 Feb local)
    enrol(s2, a4, "waiting", local(2025, 2, 20, 10, 0))  # legal enrolment; session in March: not waiting
    enrol(s2, a3, "enrolled", local(2025, 3, 1, 0, 30))  # 1 Mar local (28 Feb UTC): nothing
    enrol(s3, b1, "waiting", local(2025, 1, 20, 10, 0))  # enrolled in January; tax waiting
    enrol(s4, b2, "waiting", local(2025, 2, 27, 10, 0))  # tax enrolment; session 1 Mar local: not waiting

    CompletionFactory(member=a1, module=talent, completed_on=date(2025, 2, 10))  # talent
    CompletionFactory(member=c1, module=talent, completed_on=date(2025, 2, 10))  # talent
    CompletionFactory(member=a2, module=legal, completed_on=date(2025, 2, 28))  # legal (last day)
    CompletionFactory(member=b1, module=tax, completed_on=date(2025, 1, 31))  # before the period
    CompletionFactory(member=b2, module=financial, completed_on=date(2025, 3, 1))  # after the period
    return {"a": a, "b": b, "c": c}


def headline_texts(figure):
    return [headline.text for headline in figure.headlines]


# --- Registry -------------------------------------------------------------------------


def test_figures_are_registered_under_their_function_name():
    for function in (participants, utilisation, training):
        assert figure_function(function.__name__) is function


# --- Participants ---------------------------------------------------------------------


def test_participants_province(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        figure = participants(Scope(FEBRUARY))

    assert figure.key == "participants"
    assert [column.key for column in figure.columns] == ["organisation", "zpp", "zzp", "total"]
    assert figure.rows == [
        # A: ZPP a1, a2 = 2; ZZP a2, a4 = 2; total a1, a2, a4 = 3 (a2 once; a3 nothing approved in Feb)
        ["Gemeente Aadorp", 2, 2, 3],
        # B: b1 ZZP; b2's release ended 31 Jan → 0, 1, 1
        ["Gemeente Beedorp", 0, 1, 1],
        # C: c1 has no release → no row
    ]
    # Headlines: total 3 + 1 = 4; ZPP 2 + 0 = 2; ZZP 2 + 1 = 3
    assert [headline.value for headline in figure.headlines] == [4, 2, 3]
    assert figure.chart.kind == "stacked" and figure.chart.values == ("zpp", "zzp")


def test_participants_organisation_scope(world):
    figure = participants(Scope(FEBRUARY, organisation_id=world["b"].pk))

    assert figure.rows == [["Gemeente Beedorp", 0, 1, 1]]  # only B's own members: b1 (ZZP)
    assert [headline.value for headline in figure.headlines] == [1, 0, 1]


def test_participants_empty_period(world):
    figure = participants(Scope(EMPTY))

    assert figure.rows == []
    assert figure.empty_text
    assert [headline.value for headline in figure.headlines] == [0, 0, 0]


# --- Utilisation ----------------------------------------------------------------------


def test_utilisation_province(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        figure = utilisation(Scope(FEBRUARY))

    assert figure.key == "utilisation"
    assert figure.rows == [
        # A released 32 (a1, clipped) + 16 + 32 (a2) + 4 (a4) = 84 h; worked a1 16 + 8 = 24 h;
        # 24 / 84 = 28.571… → 28.6 %
        ["Gemeente Aadorp", Decimal("84.00"), Decimal("24.00"), Decimal("28.6")],
        # B released b1 16 h; worked b1 12 + b2 6 = 18 h; 18 / 16 = 112.5 %
        ["Gemeente Beedorp", Decimal("16.00"), Decimal("18.00"), Decimal("112.5")],
        # C released 0 h; worked c1 5 h; nothing to divide by → None
        ["Waterschap Ceedorp", Decimal("0"), Decimal("5.00"), None],
    ]
    # Headlines: 47 / 100 = 47.0 %; released 84 + 16 + 0 = 100 h; worked 24 + 18 + 5 = 47 h
    assert [headline.value for headline in figure.headlines] == [Decimal("47.0"), Decimal("100"), Decimal("47")]
    assert figure.chart.kind == "bar" and figure.chart.values == ("released", "worked")


def test_utilisation_display_in_dutch(world):
    with translation.override("nl"):
        figure = utilisation(Scope(FEBRUARY))
        assert figure.display_rows() == [
            ["Gemeente Aadorp", "84,0", "24,0", "28,6 %"],
            ["Gemeente Beedorp", "16,0", "18,0", "112,5 %"],
            ["Waterschap Ceedorp", "0,0", "5,0", DASH],
        ]
        assert headline_texts(figure) == ["47,0 %", "100,0", "47,0"]


def test_utilisation_release_clipped_to_the_period(world):
    """a1's release runs 1 Jan – 31 Mar; in a 14-day custom period 3–16 Feb
    only those 14 days count."""
    figure = utilisation(Scope(Period.custom(date(2025, 2, 3), date(2025, 2, 16)), organisation_id=world["a"].pk))

    # A: a1 1 × 8 × 14 / 7 = 16 h; a2 ZPP 3–14 Feb 12 days 1 × 8 × 12 / 7 = 13.714… ;
    # a2 ZZP 15–16 Feb 2 days 2 × 8 × 2 / 7 = 4.571… ; a4 starts 22 Feb → 0.
    # Σ days × d/w × 8 = 8 × (14 + 12 + 4) = 240 → 240 / 7 = 34.2857… → 34.29 h
    # worked a1 3 + 4 Feb 16 h (10 Feb is not approved) → 16 / 34.29 = 46.66… → 46.7 %
    assert figure.rows == [["Gemeente Aadorp", Decimal("34.29"), Decimal("16.00"), Decimal("46.7")]]
    with translation.override("nl"):
        assert figure.display_rows() == [["Gemeente Aadorp", "34,3", "16,0", "46,7 %"]]


def test_releases_touching_the_period_by_one_day_count(world):
    """Custom period 14–22 Feb: a2's and b1's releases end on its first
    day, a4's starts on its last day — each overlaps by exactly one day."""
    scope = Scope(Period.custom(date(2025, 2, 14), date(2025, 2, 22)))

    # A: a1 (ZPP), a2 (ZPP ends 14 Feb, ZZP from 15 Feb), a4 (ZZP from 22 Feb) → 2, 2, 3; B: b1 (ZZP to 14 Feb)
    assert participants(scope).rows == [["Gemeente Aadorp", 2, 2, 3], ["Gemeente Beedorp", 0, 1, 1]]
    assert utilisation(scope).rows == [
        # A: a1 9 days × 1; a2 ZPP 1 day × 1, ZZP 15–22 Feb 8 days × 2; a4 1 day × 0.5
        # → 8 × (9 + 1 + 16 + 0.5) / 7 = 212 / 7 = 30.2857… → 30.29 h; no hours worked → 0.0 %
        ["Gemeente Aadorp", Decimal("30.29"), Decimal("0"), Decimal("0.0")],
        # B: b1 1 day × 1 → 8 / 7 = 1.1428… → 1.14 h; no hours → 0.0 %
        ["Gemeente Beedorp", Decimal("1.14"), Decimal("0"), Decimal("0.0")],
        # C: c1 5 h on 17 Feb, nothing released
        ["Waterschap Ceedorp", Decimal("0"), Decimal("5.00"), None],
    ]


def test_utilisation_organisation_scope_counts_home_members_only(world):
    """A hires b1 and c1, but their hours belong to B and C: A's row holds
    only the hours of A's own members."""
    figure = utilisation(Scope(FEBRUARY, organisation_id=world["a"].pk))

    # A: 84 h released, 24 h worked (a1) → 28.6 %
    assert figure.rows == [["Gemeente Aadorp", Decimal("84.00"), Decimal("24.00"), Decimal("28.6")]]
    assert [headline.value for headline in figure.headlines] == [Decimal("28.6"), Decimal("84"), Decimal("24")]

    scope_c = utilisation(Scope(FEBRUARY, organisation_id=world["c"].pk))
    assert scope_c.rows == [["Waterschap Ceedorp", Decimal("0"), Decimal("5.00"), None]]  # 5 h, no release
    assert scope_c.headlines[0].value is None  # 5 / 0 → None


def test_utilisation_empty_period(world):
    figure = utilisation(Scope(EMPTY))

    assert figure.rows == []
    with translation.override("nl"):
        # nothing released: utilisation 0 / 0 → "—", totals 0
        assert headline_texts(figure) == [DASH, "0,0", "0,0"]


# --- Training -------------------------------------------------------------------------


def test_training_province(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        figure = training(Scope(FEBRUARY))

    assert figure.key == "training"
    with translation.override("en"):
        figure = training(Scope(FEBRUARY))
    assert figure.rows == [
        # talent: enrolments a1, a2 (waiting), c1 (1 Feb 00:30 local) = 3 (b1 cancelled);
        # completions a1, c1 = 2; waiting a2 on S1 (10 Feb) = 1; 2 / 3 = 66.67 → 66.7 %
        ["Talent", 3, 2, 1, Decimal("66.7")],
        # networking and acquisition: nothing → 0 / 0 → None
        ["Networking and acquisition", 0, 0, 0, None],
        # legal: enrolment a4 (20 Feb) = 1 (a3's is 1 Mar local); completion a2 on 28 Feb = 1;
        # a4 waits for S2 on 5 Mar → not counted; 1 / 1 = 100.0 %
        ["Legal", 1, 1, 0, Decimal("100.0")],
        # financial: b2's completion is on 1 Mar → nothing
        ["Financial", 0, 0, 0, None],
        # tax: enrolment b2 (27 Feb) = 1 (b1's is from January); completions 0 (b1's on 31 Jan);
        # waiting b1 on S3 (28 Feb 20:00) = 1 (b2's S4 is 1 Mar local); 0 / 1 = 0.0 %
        ["Tax", 1, 0, 1, Decimal("0.0")],
    ]
    # Headlines: enrolments 3 + 1 + 1 = 5; completions 2 + 1 = 3; waiting 1 + 1 = 2
    assert [headline.value for headline in figure.headlines] == [5, 3, 2]


def test_training_display_in_dutch(world):
    with translation.override("nl"):
        figure = training(Scope(FEBRUARY))
        rows = figure.display_rows()
    assert [row[1:] for row in rows] == [
        ["3", "2", "1", "66,7 %"],  # talent 2 / 3
        ["0", "0", "0", DASH],  # networking: 0 / 0
        ["1", "1", "0", "100,0 %"],  # legal 1 / 1
        ["0", "0", "0", DASH],  # financial: 0 / 0
        ["1", "0", "1", "0,0 %"],  # tax 0 / 1
    ]


def test_training_organisation_scope(world):
    with translation.override("en"):
        scope_a = training(Scope(FEBRUARY, organisation_id=world["a"].pk))
        scope_b = training(Scope(FEBRUARY, organisation_id=world["b"].pk))

    # A (a1–a4): talent enrolments a1, a2 = 2 (c1 is C's), completion a1 = 1, waiting a2 = 1 → 1 / 2 = 50.0 %;
    # legal enrolment a4 = 1, completion a2 = 1 → 100.0 %; tax nothing (b1, b2 are B's)
    assert scope_a.rows == [
        ["Talent", 2, 1, 1, Decimal("50.0")],
        ["Networking and acquisition", 0, 0, 0, None],
        ["Legal", 1, 1, 0, Decimal("100.0")],
        ["Financial", 0, 0, 0, None],
        ["Tax", 0, 0, 0, None],
    ]
    assert [headline.value for headline in scope_a.headlines] == [3, 2, 1]  # 2 + 1; 1 + 1; 1
    # B (b1, b2): b1's talent enrolment is cancelled → talent 0; tax enrolment b2 = 1, waiting b1 = 1 → 0 / 1
    assert scope_b.rows[0] == ["Talent", 0, 0, 0, None]
    assert scope_b.rows[4] == ["Tax", 1, 0, 1, Decimal("0.0")]
    assert [headline.value for headline in scope_b.headlines] == [1, 0, 1]


def test_training_empty_period_shows_every_track_with_dashes(world):
    figure = training(Scope(EMPTY))

    assert len(figure.rows) == 5  # all tracks, always
    with translation.override("nl"):
        assert all(row[1:] == ["0", "0", "0", DASH] for row in figure.display_rows())
        assert headline_texts(figure) == ["0", "0", "0"]


def test_query_count_does_not_grow_with_data(world, django_assert_max_num_queries):
    """The same bounds hold with many more rows (aggregate SQL, no loop)."""
    a = world["a"]
    for _ in range(5):
        member = MemberProfileFactory(home_organisation=a)
        release(member, Release.Variant.ZPP, "1.0", date(2025, 2, 1), date(2025, 2, 28))
        approved_hours(
            EngagementFactory(member=member, start_date=date(2025, 2, 1), end_date=date(2025, 2, 28)),
            date(2025, 2, 3), [8, 8],
        )
        EnrolmentFactory(member=member, created_at=timezone.make_aware(datetime(2025, 2, 3, 12)))
    scope = Scope(FEBRUARY)
    with django_assert_max_num_queries(1):
        participants(scope)
    with django_assert_max_num_queries(1):
        utilisation(scope)
    with django_assert_max_num_queries(2):
        figure = training(scope)
    # the 5 new enrolments (SessionFactory's module is a talent module) join talent's 3 → 8
    assert figure.rows[0][1] == 8
