"""The marketplace figures (insight/figures/marketplace.py) on a small
hand-made world of three organisations, every number computed by hand.

The world (period: Q1 2026 = 1 January – 31 March 2026, Amsterdam dates)

Members: a1, a2 (home Aadorp), b1, b2 (home Beedorp), c1 (home Ceedorp).

Assignments (hiring organisation, published, closed, window days):
  A1 Aadorp  pub 05-01 10:00  filled 15-01 22:00 (10.5 days)  window 3
  A2 Aadorp  pub 01-02 09:00  filled 04-02 21:00 (3.5 days)   window 0
  A3 Aadorp  pub 10-02 09:00  cancelled 20-02                 window 5
  A4 Aadorp  pub 20-12-2025   filled 09-01 09:00 (20 days)    window 1  (published before the period)
  A5 Aadorp  pub 01-03 00:30  open                            window 0
  A6 Aadorp  pub 01-01 00:30 local (= 31-12-2025 23:30 UTC)   window 0  (inside, by local date)
  A7 Aadorp  pub 01-04 00:30 local (= 31-03 22:30 UTC)        window 0  (outside, by local date)
  A8 Aadorp  draft
  B1 Beedorp pub 20-01 12:00  filled 27-01 00:00 (6.5 days)   window 2
  B2 Beedorp pub 10-03 09:00  filled 01-04 00:30 (outside)    window 4
  C1 Ceedorp pub 01-06-2025   cancelled 01-07-2025 (outside)

Applications: A1 3, A2 2, A5 1 (A3, A6: 0) | A4 4, A7 1 (not published in the period) | B1 2, B2 1.

Engagements (hiring ← member's home, source, created):
  E1 A1  Aadorp ← Beedorp (b1)  application  15-01         cross
  E2 A2  Aadorp ← Ceedorp (c1)  invitation   04-02         cross
  E3 A4  Aadorp ← Ceedorp (c1)  suggestion   09-01         cross
  E4 B1  Beedorp ← Aadorp (a2)  offer        27-01         cross
  E5 B2  Beedorp ← Beedorp (b2) application  01-04 00:30   (outside the period)
  E6 --  Ceedorp ← Beedorp (b1) offer        01-03 00:30 local (= 28-02 23:30 UTC: March)  cross
  E7 --  Beedorp ← Beedorp (b2) application  31-03 23:30 local (= 21:30 UTC, inside)
  E8 --  Aadorp ← Aadorp (a1)   invitation   31-12-2025 23:30 local (= 22:30 UTC, outside)
  E9 A1  Aadorp ← Aadorp (a1)   suggestion   16-01

Approved hours (by entry date): E1 Mon 19-01 8 + Tue 20-01 4.5; E4 week of 23-02: Mon 23-02 8,
Fri 27-02 6, Sun 01-03 2; E2 Tue 31-03 7.25, Wed 01-04 8 (outside); E8 Mon 05-01 3.
Not approved: E6 Mon 30-03 8 (submitted).
"""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from insight.figures import figure_function
from insight.figures.base import Period, Scope
from insight.figures.marketplace import assignments, cross_organisation, internal_first, proactivity, trend
from marketplace.models import Assignment, Engagement, Source
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    EngagementFactory,
    MemberProfileFactory,
    OrganisationFactory,
    approved_hours,
)

Q1 = Period.quarter(2026, 1)
EMPTY = Period.month(2024, 6)

# The most queries each figure may make (independent of the data size).
MAX_QUERIES = {
    "assignments": 2,
    "cross_organisation": 1,
    "internal_first": 2,
    "proactivity": 1,
    "trend": 2,
}
FIGURES = [assignments, cross_organisation, internal_first, proactivity, trend]


def local(*args) -> datetime:
    """An aware datetime in Europe/Amsterdam."""
    return timezone.make_aware(datetime(*args), timezone.get_default_timezone())


def _assignment(org, published_at, *, status=Assignment.Status.PUBLISHED, closed_at=None, window=0):
    return AssignmentFactory(
        organisation=org, status=status, published_at=published_at, internal_first_days=window,
        province_wide_at=published_at, closed_at=closed_at,
    )


def _engagement(hiring, member, source, created_at, assignment=None):
    engagement = EngagementFactory(
        hiring_organisation=hiring, member=member, source=source, assignment=assignment,
        start_date=created_at.date(),
    )
    Engagement.objects.filter(pk=engagement.pk).update(created_at=created_at)
    return engagement


@pytest.fixture
def world(org_a, org_b):
    org_c = OrganisationFactory(name="Gemeente Ceedorp", slug="ceedorp")
    a1, a2 = (MemberProfileFactory(home_organisation=org_a) for _ in range(2))
    b1, b2 = (MemberProfileFactory(home_organisation=org_b) for _ in range(2))
    c1 = MemberProfileFactory(home_organisation=org_c)

    filled, cancelled = Assignment.Status.FILLED, Assignment.Status.CANCELLED
    A1 = _assignment(org_a, local(2026, 1, 5, 10), status=filled, closed_at=local(2026, 1, 15, 22), window=3)
    A2 = _assignment(org_a, local(2026, 2, 1, 9), status=filled, closed_at=local(2026, 2, 4, 21))
    A3 = _assignment(org_a, local(2026, 2, 10, 9), status=cancelled, closed_at=local(2026, 2, 20, 9), window=5)
    A4 = _assignment(org_a, local(2025, 12, 20, 9), status=filled, closed_at=local(2026, 1, 9, 9), window=1)
    A5 = _assignment(org_a, local(2026, 3, 1, 0, 30))
    _assignment(org_a, local(2026, 1, 1, 0, 30))  # A6
    A7 = _assignment(org_a, local(2026, 4, 1, 0, 30))
    AssignmentFactory(organisation=org_a)  # A8, a draft
    B1 = _assignment(org_b, local(2026, 1, 20, 12), status=filled, closed_at=local(2026, 1, 27), window=2)
    B2 = _assignment(org_b, local(2026, 3, 10, 9), status=filled, closed_at=local(2026, 4, 1, 0, 30), window=4)
    _assignment(org_c, local(2025, 6, 1, 9), status=cancelled, closed_at=local(2025, 7, 1, 9))  # C1

    for assignment, members in [
        (A1, [b1, a1, a2]), (A2, [c1, b2]), (A5, [a1]), (A4, [a1, a2, b1, b2]), (A7, [a1]),
        (B1, [a2, b2]), (B2, [b2]),
    ]:
        for member in members:
            ApplicationFactory(assignment=assignment, member=member)

    S = Source
    E1 = _engagement(org_a, b1, S.APPLICATION, local(2026, 1, 15, 12), A1)
    E2 = _engagement(org_a, c1, S.INVITATION, local(2026, 2, 4, 12), A2)
    _engagement(org_a, c1, S.SUGGESTION, local(2026, 1, 9, 12), A4)  # E3
    E4 = _engagement(org_b, a2, S.OFFER, local(2026, 1, 27, 12), B1)
    _engagement(org_b, b2, S.APPLICATION, local(2026, 4, 1, 0, 30), B2)  # E5
    E6 = _engagement(org_c, b1, S.OFFER, local(2026, 3, 1, 0, 30))
    _engagement(org_b, b2, S.APPLICATION, local(2026, 3, 31, 23, 30))  # E7
    E8 = _engagement(org_a, a1, S.INVITATION, local(2025, 12, 31, 23, 30))
    _engagement(org_a, a1, S.SUGGESTION, local(2026, 1, 16, 12), A1)  # E9

    approved_hours(E1, date(2026, 1, 19), [8, 4.5])
    approved_hours(E4, date(2026, 2, 23), [8, 0, 0, 0, 6, 0, 2])
    approved_hours(E2, date(2026, 3, 30), [0, 7.25, 8])
    approved_hours(E8, date(2026, 1, 5), [3])
    approved_hours(E6, date(2026, 3, 30), [8], status="submitted")
    return {"a": org_a, "b": org_b, "c": org_c}


def province(period=Q1) -> Scope:
    return Scope(period)


def of(org, period=Q1) -> Scope:
    return Scope(period, org.pk)


def headlines(figure):
    return [headline.text for headline in figure.headlines]


# --- assignments -----------------------------------------------------------------


def test_assignments_province(world):
    figure = assignments(province())
    assert figure.key == "assignments"
    assert figure.rows == [
        # Aadorp: published A1 A2 A3 A5 A6 = 5 (A4 before, A7 after the period by local date, A8 draft);
        # filled A1 A2 A4 = 3; cancelled A3 = 1;
        # days to fill (10.5 + 3.5 + 20) / 3 = 34 / 3 = 11.33 → 11.3;
        # applications on A1 A2 A3 A5 A6: 3 + 2 + 0 + 1 + 0 = 6, over 5 assignments → 1.2.
        ["Gemeente Aadorp", 5, 3, 1, Decimal("11.3"), Decimal("1.2")],
        # Beedorp: published B1 B2 = 2; filled B1 = 1 (B2 closed on 1 April); 6.5 days; 3 / 2 → 1.5.
        ["Gemeente Beedorp", 2, 1, 0, Decimal("6.5"), Decimal("1.5")],
        # Ceedorp: nothing in the period → no row.
    ]
    # Published 5 + 2 = 7; filled 3 + 1 = 4; days (34 + 6.5) / 4 = 10.125 → 10.1.
    with translation.override("nl"):
        assert headlines(figure) == ["7", "4", "10,1"]
        assert figure.display_rows()[0] == ["Gemeente Aadorp", "5", "3", "1", "11,3", "1,2"]
    assert figure.chart.kind == "bar"


def test_assignments_of_one_organisation(world):
    figure = assignments(of(world["b"]))
    # Only Beedorp's own assignments; Aadorp's are absent.
    assert figure.rows == [["Gemeente Beedorp", 2, 1, 0, Decimal("6.5"), Decimal("1.5")]]
    with translation.override("nl"):
        assert headlines(figure) == ["2", "1", "6,5"]
    # Ceedorp published and closed nothing in the period.
    assert assignments(of(world["c"])).rows == []


# --- cross_organisation ----------------------------------------------------------


def test_cross_organisation_province(world):
    figure = cross_organisation(province())
    assert figure.rows == [
        # Aadorp: E1 (Beedorp), E2 (Ceedorp), E3 (Ceedorp), E9 (own); E8 is 31 Dec local → 3 of 4 = 75.0 %.
        ["Gemeente Aadorp", 4, 3, 1, Decimal("75.0")],
        # Beedorp: E4 (Aadorp), E7 (own, 31 March 23:30 local); E5 is 1 April → 1 of 2 = 50.0 %.
        ["Gemeente Beedorp", 2, 1, 1, Decimal("50.0")],
        # Ceedorp: E6 (Beedorp) → 1 of 1 = 100.0 %.
        ["Gemeente Ceedorp", 1, 1, 0, Decimal("100.0")],
    ]
    with translation.override("nl"):
        # 5 of 7 positions cross-organisation → 71.43 → 71,4 %.
        assert headlines(figure) == ["71,4 %"]
        assert figure.display_rows()[0] == ["Gemeente Aadorp", "4", "3", "1", "75,0 %"]
    assert figure.chart.kind == "stacked" and figure.chart.values == ("own", "other")


def test_cross_organisation_of_one_organisation(world):
    figure = cross_organisation(of(world["a"]))
    # Only positions Aadorp filled: E4 (an Aadorp member hired by Beedorp) is not Aadorp's fill.
    assert figure.rows == [["Gemeente Aadorp", 4, 3, 1, Decimal("75.0")]]
    with translation.override("nl"):
        assert headlines(figure) == ["75,0 %"]


# --- internal_first ----------------------------------------------------------------


def test_internal_first_province(world):
    figure = internal_first(province())
    assert figure.rows == [
        # Aadorp: 5 published, A1 (3 days) and A3 (5 days) with a window → 2 of 5 = 40.0 %, (3 + 5) / 2 = 4.0;
        # filled on them: E1 (Beedorp) and E9 (own) = 2, own 1. A4 (window 1) was published before the period.
        ["Gemeente Aadorp", 5, 2, Decimal("40.0"), Decimal("4.0"), 2, 1],
        # Beedorp: B1 (2) and B2 (4) → 2 of 2 = 100.0 %, (2 + 4) / 2 = 3.0;
        # filled: E4 (Aadorp) and E5 (own, in April: any date counts) = 2, own 1.
        ["Gemeente Beedorp", 2, 2, Decimal("100.0"), Decimal("3.0"), 2, 1],
    ]
    with translation.override("nl"):
        # 4 of 7 published assignments with a window → 57.14 → 57,1 %.
        assert headlines(figure) == ["57,1 %"]
        assert figure.display_rows()[0] == ["Gemeente Aadorp", "5", "2", "40,0 %", "4,0", "2", "1"]


def test_internal_first_of_one_organisation(world):
    figure = internal_first(of(world["a"]))
    assert figure.rows == [["Gemeente Aadorp", 5, 2, Decimal("40.0"), Decimal("4.0"), 2, 1]]
    with translation.override("nl"):
        assert headlines(figure) == ["40,0 %"]


# --- proactivity ---------------------------------------------------------------------


def test_proactivity_province(world):
    with translation.override("en"):
        figure = proactivity(province())
    # In the period: E1 E7 application (2), E2 invitation (1), E4 E6 offer (2), E3 E9 suggestion (2) = 7.
    assert figure.rows == [
        ["Own application", 2, Decimal("28.6")],  # 2 / 7 = 28.57
        ["Invitation by a coordinator", 1, Decimal("14.3")],  # 1 / 7 = 14.29
        ["Response to the member's offer", 2, Decimal("28.6")],
        ["Match suggestion", 2, Decimal("28.6")],
    ]
    with translation.override("nl"):
        assert headlines(figure) == ["71,4 %"]  # 5 of 7 not from a plain application


def test_proactivity_hiring_or_home_organisation(world):
    with translation.override("en"):
        a = proactivity(of(world["a"]))
        c = proactivity(of(world["c"]))
    # Aadorp hires E1 E2 E3 E9 and lends a2 in E4 → 5: application E1, invitation E2, offer E4,
    # suggestion E3 E9. Not E6 (Ceedorp ← Beedorp) nor E7 (Beedorp ← Beedorp).
    assert [row[1:] for row in a.rows] == [
        [1, Decimal("20.0")], [1, Decimal("20.0")], [1, Decimal("20.0")], [2, Decimal("40.0")],
    ]
    # Ceedorp lends c1 in E2 (invitation) and E3 (suggestion), hires in E6 (offer) → 3, none applied.
    assert [row[1:] for row in c.rows] == [
        [0, Decimal("0.0")], [1, Decimal("33.3")], [1, Decimal("33.3")], [1, Decimal("33.3")],
    ]
    with translation.override("nl"):
        assert headlines(a) == ["80,0 %"]  # 4 of 5
        assert headlines(c) == ["100,0 %"]  # 3 of 3
        assert c.display_rows()[0][1:] == ["0", "0,0 %"]


# --- trend -----------------------------------------------------------------------------


def test_trend_province(world):
    with translation.override("nl"):
        figure = trend(province())
        assert figure.display_rows() == [
            # January: E1 E3 E4 E9 = 4, cross E1 E3 E4 = 3 → 75,0 %; hours E1 12.5 + E8 3 = 15.5;
            # proactive E3 E4 E9 = 3 of 4 → 75,0 %.
            ["januari 2026", "4", "75,0 %", "15,5", "75,0 %"],
            # February: E2 (cross, invitation) → 100 %, 100 %; hours E4 Mon 8 + Fri 6 = 14.
            ["februari 2026", "1", "100,0 %", "14,0", "100,0 %"],
            # March: E6 (cross, offer), E7 (own, application) → 50 %, 50 %;
            # hours E4 Sun 1 March 2 + E2 7.25 = 9.25 → 9,3 (E6 not approved, E2's 1 April outside).
            ["maart 2026", "2", "50,0 %", "9,3", "50,0 %"],
        ]
        # 4 + 1 + 2 = 7 started; 15.5 + 14 + 9.25 = 38.75 → 38,8 hours.
        assert headlines(figure) == ["7", "38,8"]
    assert figure.rows[2][3] == Decimal("9.25")
    assert figure.chart.kind == "line"


def test_trend_of_one_organisation_shows_empty_months(world):
    with translation.override("nl"):
        figure = trend(of(world["b"]))
        assert figure.display_rows() == [
            # Beedorp lends b1 in E1 (hired by Aadorp), hires in E4 → 2, both cross; hours E1 8 + 4.5.
            ["januari 2026", "2", "100,0 %", "12,5", "50,0 %"],  # proactive: E4 (offer), not E1
            # Nothing started in February: no share; hours of E4 (hired by Beedorp) 8 + 6.
            ["februari 2026", "0", "—", "14,0", "—"],
            # E6 (Beedorp lends b1 to Ceedorp, offer), E7 (own, application) → 1 of 2 cross, 1 of 2 proactive;
            # hours E4 2 (E6's hours are not approved).
            ["maart 2026", "2", "50,0 %", "2,0", "50,0 %"],
        ]


# --- Empty period, query counts, the registry ------------------------------------------------


def test_an_empty_period_gives_dashes_not_errors(world):
    with translation.override("nl"):
        figures = {figure.key: figure for figure in (f(province(EMPTY)) for f in FIGURES)}
        assert figures["assignments"].rows == []
        assert headlines(figures["assignments"]) == ["0", "0", "—"]
        assert figures["cross_organisation"].rows == []
        assert headlines(figures["cross_organisation"]) == ["—"]
        assert figures["internal_first"].rows == []
        assert headlines(figures["internal_first"]) == ["—"]
        # All four sources are always there, with 0 and no share.
        assert [row[1:] for row in figures["proactivity"].display_rows()] == [["0", "—"]] * 4
        assert headlines(figures["proactivity"]) == ["—"]
        assert figures["trend"].display_rows() == [["juni 2024", "0", "—", "0,0", "—"]]
        assert headlines(figures["trend"]) == ["0", "0,0"]
        for figure in figures.values():
            assert figure.empty_text


@pytest.mark.parametrize("figure_fn", FIGURES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("organisation", [None, "a"])
def test_query_count_is_bounded(world, figure_fn, organisation, django_assert_max_num_queries):
    scope = province(Period.year(2026)) if organisation is None else of(world[organisation], Period.year(2026))
    with django_assert_max_num_queries(MAX_QUERIES[figure_fn.__name__]):
        figure = figure_fn(scope)
    assert figure.rows


def test_every_figure_is_registered_under_its_key():
    for figure_fn in FIGURES:
        assert figure_function(figure_fn.__name__) is figure_fn
