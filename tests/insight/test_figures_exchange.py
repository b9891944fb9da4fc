"""Exchange between organisations and money kept in the public sector
(insight/figures/exchange.py), on small hand-made worlds where every number
is worked out by hand next to its assert.

Organisations: A = "Gemeente Aadorp", B = "Gemeente Beedorp", C = "Gemeente Ceedorp".
"""

from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from insight.figures import figure_function
from insight.figures.base import DASH, Period, Scope
from insight.figures.exchange import exchange_balance, exchange_pairs, external_cost, network, new_links
from insight.models import ExternalRate
from invoicing import services as invoicing
from marketplace.models import Engagement
from members.models import Membership
from members.services import membership_grant
from tests.factories import (
    AssignmentFactory,
    EngagementFactory,
    MemberProfileFactory,
    OrganisationFactory,
    SkillFactory,
    UserFactory,
    approved_hours,
    run_invoice_month,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MARCH = Period.month(2026, 3)
OCTOBER = Period.month(2026, 10)
EMPTY = Period.month(2025, 6)

AADORP, BEEDORP, CEEDORP = "Gemeente Aadorp", "Gemeente Beedorp", "Gemeente Ceedorp"


@pytest.fixture
def org_c(db):
    return OrganisationFactory(name=CEEDORP, slug="ceedorp")


def _engage(member, hiring, rate, *, start=date(2026, 2, 1), end=date(2026, 6, 30), created=None, **kwargs):
    engagement = EngagementFactory(
        member=member, hiring_organisation=hiring, agreed_rate=D(rate), start_date=start, end_date=end, **kwargs
    )
    if created is not None:
        Engagement.objects.filter(pk=engagement.pk).update(created_at=created)
    return engagement


def _at(*args) -> datetime:
    """A moment in Amsterdam time."""
    return datetime(*args, tzinfo=AMSTERDAM)


# --- Exchange: the March 2026 world -------------------------------------------------
#
#  engagement  member  home → hiring  rate   made (Amsterdam)   runs            approved hours dated in March
#  e1          b1      B → A          80     20-02-2026         Feb–Jun         10 (+4 submitted, +6 in Feb)
#  e9          b1      B → A          80     10-03-2026         Feb–Jun         –
#  e8          b2      B → A          80     05-03-2026         Feb–Jun         –
#  e7          b2      B → A          80     15-12-2025         January only    –
#  e3          b1      B → C          70     01-03-2026 00:30   Feb–Jun         4 + 8 + 8 = 20 (+5 on 1 April)
#  e2          a1      A → C          90     02-03-2026         Feb–Jun         5
#  e4          a1      A → A          85     03-03-2026         Feb–Jun         8 (own organisation: not exchange)
#  e5          c1      C → A          100    10-02-2026         Feb–Jun         2.5
#  e6          c1      C → B          60     15-03-2026         Feb–Jun         10
#  e10         c1      C → B          60     20-03-2026         April–May       –


@pytest.fixture
def march(org_a, org_b, org_c):
    a1 = MemberProfileFactory(home_organisation=org_a)
    b1 = MemberProfileFactory(home_organisation=org_b)
    b2 = MemberProfileFactory(home_organisation=org_b)
    c1 = MemberProfileFactory(home_organisation=org_c)

    e1 = _engage(b1, org_a, "80", created=_at(2026, 2, 20, 12))
    approved_hours(e1, date(2026, 3, 2), ["4", "6"])  # Mon 2 + Tue 3 March: 10 h
    approved_hours(e1, date(2026, 3, 9), ["4"], status="submitted")  # not approved: left out
    approved_hours(e1, date(2026, 2, 23), ["6"])  # Mon 23 February: before the period
    _engage(b1, org_a, "80", created=_at(2026, 3, 10, 9))  # e9
    _engage(b2, org_a, "80", created=_at(2026, 3, 5, 9))  # e8
    _engage(b2, org_a, "80", start=date(2026, 1, 5), end=date(2026, 1, 31), created=_at(2025, 12, 15, 9))  # e7

    e3 = _engage(b1, org_c, "70", created=_at(2026, 3, 1, 0, 30))  # 28 Feb 23:30 UTC, 1 March in Amsterdam
    approved_hours(e3, date(2026, 3, 23), ["4"])
    approved_hours(e3, date(2026, 3, 30), ["8", "8", "5"])  # Mon 30 + Tue 31 March; Wed 1 April is out

    e2 = _engage(a1, org_c, "90", created=_at(2026, 3, 2, 10))
    approved_hours(e2, date(2026, 3, 16), ["5"])
    e4 = _engage(a1, org_a, "85", created=_at(2026, 3, 3, 10))
    approved_hours(e4, date(2026, 3, 2), ["8"])

    e5 = _engage(c1, org_a, "100", created=_at(2026, 2, 10, 10))
    approved_hours(e5, date(2026, 3, 2), ["2.5"])
    e6 = _engage(c1, org_b, "60", created=_at(2026, 3, 15, 10))
    approved_hours(e6, date(2026, 3, 16), [None, "10"])
    _engage(c1, org_b, "60", start=date(2026, 4, 1), end=date(2026, 5, 31), created=_at(2026, 3, 20, 10))  # e10
    return {"A": org_a, "B": org_b, "C": org_c}


def test_figures_are_registered_and_charts_read_their_own_columns():
    for figure in (exchange_pairs, exchange_balance, network, new_links, external_cost):
        assert figure_function(figure.__name__) is figure


@pytest.mark.parametrize("figure", [exchange_pairs, exchange_balance, network, new_links, external_cost])
def test_every_figure_has_key_definition_and_a_chart_on_its_columns(db, figure):
    result = figure(Scope(MARCH))
    keys = [column.key for column in result.columns]
    assert result.key == figure.__name__
    assert result.title and result.definition and result.empty_text
    assert result.chart.label in keys and set(result.chart.values) <= set(keys)
    assert result.chart.target is None or result.chart.target in keys


def test_exchange_pairs_province(march, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        figure = exchange_pairs(Scope(MARCH))
    assert figure.rows == [
        [BEEDORP, CEEDORP, D("20"), D("1400.00")],  # e3: 4 + 8 + 8 h in March × € 70 = € 1.400 (1 April's 5 h out)
        [BEEDORP, AADORP, D("10"), D("800.00")],  # e1: 4 + 6 h × € 80 = € 800; submitted 4 h and February's 6 h out
        [CEEDORP, BEEDORP, D("10"), D("600.00")],  # e6: 10 h × € 60; ties with B → A on hours, B before C by name
        [AADORP, CEEDORP, D("5"), D("450.00")],  # e2: 5 h × € 90
        [CEEDORP, AADORP, D("2.5"), D("250.00")],  # e5: 2.5 h × € 100
    ]  # e4 (A for A) is not exchange
    assert figure.headlines[0].value == 5  # five pairs
    assert (figure.chart.kind, figure.chart.label, figure.chart.target, figure.chart.values) == (
        "matrix", "lender", "borrower", ("hours",)
    )
    with translation.override("nl"):
        assert figure.display_rows()[1] == [BEEDORP, AADORP, "10,0", "€ 800,00"]
        assert figure.display_rows()[0][3] == "€ 1.400,00"
        assert figure.display_rows()[4][2] == "2,5"


def test_exchange_pairs_for_organisation_a_shows_its_counterparts_only(march):
    figure = exchange_pairs(Scope(MARCH, organisation_id=march["A"].pk))
    # B → C (20 h) and C → B (10 h) are between two other organisations: never shown to A.
    assert figure.rows == [
        [BEEDORP, AADORP, D("10"), D("800.00")],  # A borrows from B
        [AADORP, CEEDORP, D("5"), D("450.00")],  # A lends to C
        [CEEDORP, AADORP, D("2.5"), D("250.00")],  # A borrows from C
    ]


def test_exchange_balance_province(march, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        figure = exchange_balance(Scope(MARCH))
    assert figure.rows == [
        # A lends 5 h to C (€ 450); borrows 10 h from B (€ 800) + 2.5 h from C (€ 250) = 12.5 h, € 1.050;
        # balance 450 − 1.050 = −600
        [AADORP, D("5"), D("12.5"), D("450.00"), D("1050.00"), D("-600.00")],
        # B lends 20 h to C (€ 1.400) + 10 h to A (€ 800) = 30 h, € 2.200; borrows 10 h from C (€ 600);
        # balance 2.200 − 600 = 1.600
        [BEEDORP, D("30"), D("10"), D("2200.00"), D("600.00"), D("1600.00")],
        # C lends 2.5 h to A (€ 250) + 10 h to B (€ 600) = 12.5 h, € 850; borrows 20 h from B (€ 1.400)
        # + 5 h from A (€ 450) = 25 h, € 1.850; balance 850 − 1.850 = −1.000
        [CEEDORP, D("12.5"), D("25"), D("850.00"), D("1850.00"), D("-1000.00")],
    ]  # the balances add up to 0: −600 + 1.600 − 1.000
    hours, euros = figure.headlines
    assert hours.value == D("47.5")  # 20 + 10 + 10 + 5 + 2.5
    assert euros.value == D("3500.00")  # 1.400 + 800 + 600 + 450 + 250
    with translation.override("nl"):
        assert (hours.text, euros.text) == ("47,5", "€ 3.500,00")
        assert figure.display_rows()[1] == [BEEDORP, "30,0", "10,0", "€ 2.200,00", "€ 600,00", "€ 1.600,00"]
        assert figure.display_rows()[0][5] == "€ -600,00"


def test_exchange_balance_for_organisation_a(march):
    figure = exchange_balance(Scope(MARCH, organisation_id=march["A"].pk))
    assert figure.rows == [
        [AADORP, D("5"), D("12.5"), D("450.00"), D("1050.00"), D("-600.00")],  # all of A's exchange, as above
        # B: only its 10 h lent to A (€ 800); its 20 h to C and 10 h from C are not A's business
        [BEEDORP, D("10"), D("0"), D("800.00"), D("0"), D("800.00")],
        # C: 2.5 h lent to A (€ 250), 5 h borrowed from A (€ 450): 250 − 450 = −200
        [CEEDORP, D("2.5"), D("5"), D("250.00"), D("450.00"), D("-200.00")],
    ]
    assert [h.value for h in figure.headlines] == [D("17.5"), D("1500.00")]  # 10 + 5 + 2.5 h; 800 + 450 + 250


def test_network_province(march, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        figure = network(Scope(MARCH))
    assert figure.rows == [
        [AADORP, CEEDORP, 1, 1],  # a1 (e2); a1's e4 is for A itself
        [BEEDORP, AADORP, 2, 3],  # b1 (e1, e9) and b2 (e8) = 2 people, 3 engagements; e7 ended in January
        [BEEDORP, CEEDORP, 1, 1],  # b1 (e3)
        [CEEDORP, AADORP, 1, 1],  # c1 (e5)
        [CEEDORP, BEEDORP, 1, 1],  # c1 (e6); e10 only starts in April
    ]
    # a1, b1, b2, c1: 4 different people (the rows add up to 6: b1 and c1 each work for two organisations)
    assert figure.headlines[0].value == 4
    assert (figure.chart.kind, figure.chart.label, figure.chart.target, figure.chart.values) == (
        "network", "home", "hiring", ("people",)
    )


def test_network_for_organisation_a(march):
    figure = network(Scope(MARCH, organisation_id=march["A"].pk))
    assert figure.rows == [
        [AADORP, CEEDORP, 1, 1],
        [BEEDORP, AADORP, 2, 3],
        [CEEDORP, AADORP, 1, 1],
    ]  # B → C and C → B are not A's
    assert figure.headlines[0].value == 4  # a1, b1, b2, c1


def test_new_links_province(march, django_assert_max_num_queries):
    with translation.override("nl"), django_assert_max_num_queries(1):
        figure = new_links(Scope(MARCH))
    assert figure.rows == [
        [BEEDORP, CEEDORP, "1-3-2026", 1],  # e3 at 00:30 on 1 March in Amsterdam (still February in UTC)
        [AADORP, CEEDORP, "2-3-2026", 1],  # e2
        [CEEDORP, BEEDORP, "15-3-2026", 2],  # e6 and e10 made in March (e10 runs in April: made counts)
    ]  # B → A is older (e7, December 2025), C → A too (e5, February); A → A is not a link
    assert figure.headlines[0].value == 3


def test_new_links_use_amsterdam_dates_and_the_first_engagement_ever(march):
    with translation.override("nl"):
        february = new_links(Scope(Period.month(2026, 2)))
    # C → A's first engagement (e5, 10 February) is new in February. B → C's (e3, 28 Feb 23:30 UTC) is March
    # in Amsterdam; B → A's e1 (20 February) is not its first (e7, December 2025).
    assert february.rows == [[CEEDORP, AADORP, "10-2-2026", 1]]


def test_new_links_for_organisation_a(march):
    with translation.override("nl"):
        figure = new_links(Scope(MARCH, organisation_id=march["A"].pk))
    assert figure.rows == [[AADORP, CEEDORP, "2-3-2026", 1]]  # B → C and C → B are not A's links
    assert figure.headlines[0].value == 1


# --- Money kept: the October 2026 world ------------------------------------------------
#
# External rates: Ruimte € 120, Financiën € 150, Water € 150, default ('') € 100; Sociaal domein has none.
#
#  engagement  home → hiring  assignment's required skill areas  rate  October hours  invoice
#  eR          B → A          Ruimte                             80    10             B → A, approved
#  eF          B → A          Ruimte, Financiën, Water           90    8              B → A, approved
#  eS          B → A          Sociaal domein (no rate)           70    5              B → A, approved
#  eN          B → A          (no assignment)                    75    5              B → A, approved
#  eW          C → A          Water                              85    6              C → A, approved, fully credited
#  eB          A → B          Ruimte                             80    4              A → B, approved
#  eD          B → C          Ruimte                             80    50             B → C, left a draft
#  eR also has 3 h in September, on an approved September invoice (outside the period).


@pytest.fixture
def hr_c(org_c):
    user = UserFactory(email="hr.c@example.nl")
    membership_grant(actor=None, user=user, organisation=org_c, role=Membership.Role.HR)
    return user


@pytest.fixture
def october(org_a, org_b, org_c, hr_a, hr_b, hr_c):
    ruimte = SkillFactory(name="Bestemmingsplannen", category="Ruimte")
    financien = SkillFactory(name="Begroting", category="Financiën")
    water = SkillFactory(name="Dijkbeheer", category="Water")
    sociaal = SkillFactory(name="Jeugdzorg", category="Sociaal domein")
    for area, rate in (("Ruimte", "120"), ("Financiën", "150"), ("Water", "150"), ("", "100")):
        ExternalRate.objects.create(skill_area=area, hourly_rate=D(rate))

    a1 = MemberProfileFactory(home_organisation=org_a)
    b1 = MemberProfileFactory(home_organisation=org_b)
    b2 = MemberProfileFactory(home_organisation=org_b)
    c1 = MemberProfileFactory(home_organisation=org_c)

    def work(member, hiring, rate, skills, week_hours, start=date(2026, 10, 1)):
        assignment = AssignmentFactory(organisation=hiring, required_skills=skills) if skills else None
        engagement = _engage(member, hiring, rate, start=start, end=date(2026, 12, 31), assignment=assignment)
        for week, hours in week_hours:
            approved_hours(engagement, week, hours)
        return engagement

    work(b1, org_a, "80", [ruimte], [(date(2026, 9, 7), ["3"]), (date(2026, 10, 5), ["5", "5"])],
         start=date(2026, 9, 1))  # eR
    work(b1, org_a, "90", [ruimte, financien, water], [(date(2026, 10, 12), ["8"])])  # eF
    work(b2, org_a, "70", [sociaal], [(date(2026, 10, 5), ["5"])])  # eS
    work(b2, org_a, "75", None, [(date(2026, 10, 12), ["5"])])  # eN
    work(c1, org_a, "85", [water], [(date(2026, 10, 5), ["6"])])  # eW
    work(a1, org_b, "80", [ruimte], [(date(2026, 10, 19), ["4"])])  # eB
    work(b1, org_c, "80", [ruimte], [(date(2026, 10, 26), ["10", "10", "10", "10", "10"])])  # eD

    [september] = run_invoice_month(date(2026, 9, 1))
    invoicing.invoice_approve(actor=hr_b, invoice=september)
    drafts = {(d.issuer_organisation_id, d.recipient_id): d for d in run_invoice_month(date(2026, 10, 1))}
    invoicing.invoice_approve(actor=hr_b, invoice=drafts[org_b.pk, org_a.pk])
    invoicing.invoice_approve(actor=hr_a, invoice=drafts[org_a.pk, org_b.pk])
    credited = invoicing.invoice_approve(actor=hr_c, invoice=drafts[org_c.pk, org_a.pk])
    note = invoicing.credit_note_create(actor=hr_c, invoice=credited, line_ids=None,
                                        reason="Verkeerde opdracht", free_hours=False)
    assert (credited.total_excl_vat, note.total_excl_vat) == (D("510.00"), D("-510.00"))  # 6 h × € 85
    assert drafts[org_b.pk, org_c.pk].status == "draft"  # eD's 50 h stay a draft
    return {"A": org_a, "B": org_b, "C": org_c}


OTHER = "Other / default"  # these tests build the figure in English


def test_external_cost_province(october, django_assert_max_num_queries):
    with translation.override("en"), django_assert_max_num_queries(2):
        figure = external_cost(Scope(OCTOBER))
    assert figure.rows == [
        # eF's areas: Ruimte € 120, Financiën € 150, Water € 150 → the highest rate; tied → Financiën (alphabetical).
        # 8 h × € 90 = € 720 invoiced; 8 h × € 150 = € 1.200 external; kept 480 = 40,0 %
        ["Financiën", D("8"), D("720.00"), D("150"), D("1200.00"), D("480.00"), D("40.0")],
        # eR 10 h × € 80 = € 800 (September's 3 h out) + eB 4 h × € 80 = € 320 → 14 h, € 1.120;
        # 14 × € 120 = € 1.680; kept 560 / 1.680 = 33,33 → 33,3 %
        ["Ruimte", D("14"), D("1120.00"), D("120"), D("1680.00"), D("560.00"), D("33.3")],
        # eS (Sociaal domein has no rate) 5 h × € 70 = € 350 + eN (no assignment) 5 h × € 75 = € 375 → 10 h, € 725;
        # 10 × € 100 = € 1.000; kept 275 = 27,5 %
        [OTHER, D("10"), D("725.00"), D("100"), D("1000.00"), D("275.00"), D("27.5")],
    ]  # Water: eW's 6 h − 6 h credited = 0: no row. eD's draft invoice is not counted.
    kept, share = figure.headlines
    assert kept.value == D("1315.00")  # 480 + 560 + 275
    assert share.value == D("33.9")  # 1.315 / (1.200 + 1.680 + 1.000 = 3.880) = 33,89 %
    with translation.override("nl"):
        assert (kept.text, share.text) == ("€ 1.315,00", "33,9 %")
        assert figure.display_rows()[0] == [
            "Financiën", "8,0", "€ 720,00", "€ 150,00", "€ 1.200,00", "€ 480,00", "40,0 %"
        ]
    assert "credit notes" in figure.definition and "not set" not in figure.definition


def test_external_cost_for_organisation_a_counts_the_invoices_it_received(october):
    with translation.override("en"):
        figure = external_cost(Scope(OCTOBER, organisation_id=october["A"].pk))
    assert [row[:3] for row in figure.rows] == [
        ["Financiën", D("8"), D("720.00")],
        ["Ruimte", D("10"), D("800.00")],  # eR only: eB's 4 h were invoiced to B
        [OTHER, D("10"), D("725.00")],
    ]
    kept, share = figure.headlines
    assert kept.value == D("1155.00")  # 480 + (1.200 − 800 = 400) + 275
    assert share.value == D("34.0")  # 1.155 / (1.200 + 1.200 + 1.000 = 3.400) = 33,97 %
    with translation.override("nl"):
        assert (kept.text, share.text) == ("€ 1.155,00", "34,0 %")


def test_external_cost_for_organisation_b_and_c(october):
    b = external_cost(Scope(OCTOBER, organisation_id=october["B"].pk))
    # eB: 4 h × € 80 = € 320; 4 × € 120 = € 480; kept 160 = 33,3 %
    assert b.rows == [["Ruimte", D("4"), D("320.00"), D("120"), D("480.00"), D("160.00"), D("33.3")]]
    c = external_cost(Scope(OCTOBER, organisation_id=october["C"].pk))
    assert c.rows == []  # C only has the draft for eD
    assert [h.text for h in c.headlines] == [DASH, DASH]


def test_external_cost_takes_the_highest_rate_among_the_areas(october):
    ExternalRate.objects.filter(skill_area="Water").update(hourly_rate=D("160"))
    with translation.override("en"):
        figure = external_cost(Scope(OCTOBER))
    # eF now falls under Water (€ 160 > Financiën € 150 > Ruimte € 120): 8 h × € 160 = € 1.280;
    # kept 1.280 − 720 = 560 = 43,75 → 43,8 % (half up). eW's Water hours still net to 0.
    assert [row[0] for row in figure.rows] == ["Ruimte", "Water", OTHER]  # no Financiën row any more
    assert figure.rows[1] == ["Water", D("8"), D("720.00"), D("160"), D("1280.00"), D("560.00"), D("43.8")]
    assert figure.headlines[0].value == D("1395.00")  # 560 (Ruimte) + 560 (Water) + 275 (default)


def test_external_cost_without_a_default_rate(october):
    ExternalRate.objects.filter(skill_area="").delete()
    with translation.override("en"):
        figure = external_cost(Scope(OCTOBER))
    assert figure.rows[2] == [OTHER, D("10"), D("725.00"), None, None, None, None]
    kept, share = figure.headlines
    assert kept.value == D("1040.00")  # 480 + 560: the 10 h without a rate are left out
    assert share.value == D("36.1")  # 1.040 / (1.200 + 1.680 = 2.880) = 36,11 %
    with translation.override("nl"):
        assert figure.display_rows()[2] == [OTHER, "10,0", "€ 725,00", DASH, DASH, DASH, DASH]
    assert "default rate is not set" in figure.definition


def test_a_fully_credited_invoice_nets_to_zero(october, hr_b):
    # Credit B's October invoice to A as well: what A received from B is gone, only the credited C → A and
    # nothing else is left for A.
    from invoicing.models import Invoice

    invoice = Invoice.objects.get(issuer_organisation=october["B"], recipient=october["A"],
                                  period_start=date(2026, 10, 1), kind="invoice")
    invoicing.credit_note_create(actor=hr_b, invoice=invoice, line_ids=None, reason="Fout", free_hours=False)
    figure = external_cost(Scope(OCTOBER, organisation_id=october["A"].pk))
    assert figure.rows == []  # 8 − 8, 10 − 10, 10 − 10 h and eW's 6 − 6 h: nothing left
    assert [h.value for h in figure.headlines] == [None, None]


# --- An empty period ----------------------------------------------------------------------


def test_an_empty_period_shows_dashes_not_errors(march, django_assert_max_num_queries):
    scope = Scope(EMPTY)
    with django_assert_max_num_queries(7):  # 1 + 1 + 2 + 1 + 2
        figures = [f(scope) for f in (exchange_pairs, exchange_balance, network, new_links, external_cost)]
    assert all(figure.rows == [] for figure in figures)
    with translation.override("nl"):
        texts = {figure.key: [h.text for h in figure.headlines] for figure in figures}
    assert texts == {
        "exchange_pairs": ["0"],
        "exchange_balance": ["0,0", "€ 0,00"],
        "network": ["0"],
        "new_links": ["0"],
        "external_cost": [DASH, DASH],  # nothing invoiced: nothing to divide by
    }
