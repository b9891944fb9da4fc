"""The dashboard pages: who sees which figures, the period form, the CSV
export equal to the page, and the external rates the programme manager sets."""

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html

from insight.figures import SECTIONS
from insight.models import ExternalRate
from marketplace.models import Engagement, Source
from members.models import AuditEntry
from tests.factories import EngagementFactory, MemberProfileFactory, OrganisationFactory, approved_hours

pytestmark = pytest.mark.django_db

MAY_2026 = "?period=month&year=2026&month=5"


def _at(day: date):
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def engagements(org_a, org_b):
    """In May 2026 organisation A engaged three people: two from B, one of its
    own. A third organisation C engaged one person of B (A is not involved)."""
    org_c = OrganisationFactory(name="Waterschap Ceedorp", slug="ceedorp")
    made = []
    for home, hiring, source in (
        (org_b, org_a, Source.APPLICATION),
        (org_b, org_a, Source.INVITATION),
        (org_a, org_a, Source.APPLICATION),
        (org_b, org_c, Source.OFFER),
    ):
        engagement = EngagementFactory(
            member=MemberProfileFactory(home_organisation=home), hiring_organisation=hiring, source=source,
            start_date=date(2026, 5, 4), end_date=date(2026, 7, 31),
        )
        Engagement.objects.filter(pk=engagement.pk).update(created_at=_at(date(2026, 5, 4)))
        made.append(engagement)
    # B's two people work 8 and 4 hours for A in the week of 4 May.
    approved_hours(made[0], date(2026, 5, 4), [8])
    approved_hours(made[1], date(2026, 5, 4), [0, 4])
    return {"org_c": org_c, "engagements": made}


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return html.fromstring(response.content.decode())


def _table(tree, key):
    """The table of one figure as the page shows it: header + rows of text."""
    article = tree.get_element_by_id(f"figure-{key}")
    table = article.find(".//table")
    header = [th.text_content().strip() for th in table.findall(".//thead//th")]
    rows = [[cell.text_content().strip() for cell in tr] for tr in table.findall(".//tbody/tr")]
    return header, rows


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


# --- Who sees what ------------------------------------------------------------


def test_programme_manager_sees_the_province_with_every_section_and_definition(client_for, programme_manager):
    tree = _page(client_for(programme_manager), reverse("insight:dashboard") + "?period=year&year=2026")
    assert "provincie" in tree.findtext(".//h1").lower()
    headings = [h.text_content() for h in tree.findall(".//h2")]
    for title, paths in SECTIONS:
        assert str(title) in headings
        for path in paths:
            key = path.rsplit(".", 1)[1]
            article = tree.get_element_by_id(f"figure-{key}")
            assert "Definitie:" in article.text_content()


def test_hr_goes_straight_to_own_organisation(client_for, hr_a, org_a):
    response = client_for(hr_a).get(reverse("insight:dashboard") + MAY_2026)
    assert response.status_code == 302
    assert response["Location"] == reverse("insight:organisation_dashboard", kwargs={"slug": org_a.slug}) + MAY_2026
    tree = _page(client_for(hr_a), response["Location"])
    assert org_a.name in tree.findtext(".//h1")


def test_hr_of_a_cannot_open_the_figures_of_b(client_for, hr_a, org_b, engagements):
    client = client_for(hr_a)
    assert client.get(reverse("insight:organisation_dashboard", kwargs={"slug": org_b.slug})).status_code == 404
    url = reverse("insight:organisation_figure_csv", kwargs={"slug": org_b.slug, "key": "cross_organisation"})
    assert client.get(url + MAY_2026).status_code == 404
    # Nor through the organisation picker, nor the province CSV.
    assert client.get(reverse("insight:dashboard") + f"?organisation={org_b.slug}").status_code == 404
    assert client.get(reverse("insight:figure_csv", kwargs={"key": "cross_organisation"})).status_code == 403


def test_organisation_figures_leave_out_pairs_of_other_organisations(client_for, hr_a, org_a, engagements):
    """C's engagement of a member of B is not A's business."""
    tree = _page(client_for(hr_a), reverse("insight:organisation_dashboard", kwargs={"slug": org_a.slug}) + MAY_2026)
    _header, rows = _table(tree, "cross_organisation")
    names = [row[0] for row in rows]
    assert names == [org_a.name]
    assert "Waterschap Ceedorp" not in tree.get_element_by_id("figure-cross_organisation").text_content()


# --- The CSV is the page --------------------------------------------------------


def test_csv_export_equals_the_table_on_the_page(client_for, programme_manager, engagements, org_a):
    client = client_for(programme_manager)
    tree = _page(client, reverse("insight:dashboard") + MAY_2026)
    header, rows = _table(tree, "cross_organisation")
    exported = _csv(client.get(reverse("insight:figure_csv", kwargs={"key": "cross_organisation"}) + MAY_2026))
    assert exported[0] == header
    assert exported[1:] == rows
    # By hand: A filled 3 positions in May, 2 by members of B → 66,7 %.
    row_a = next(row for row in rows if row[0] == org_a.name)
    assert "66,7 %" in row_a
    # And the proactivity figure: 4 engagements, 1 invitation + 1 offer → 50,0 % proactive.
    header, rows = _table(tree, "proactivity")
    exported = _csv(client.get(reverse("insight:figure_csv", kwargs={"key": "proactivity"}) + MAY_2026))
    assert exported == [header, *rows]
    assert "50,0 %" in tree.get_element_by_id("figure-proactivity").text_content()


def test_organisation_csv_equals_its_page(client_for, coordinator_a, org_a, engagements):
    client = client_for(coordinator_a)
    base = reverse("insight:organisation_dashboard", kwargs={"slug": org_a.slug})
    tree = _page(client, base + MAY_2026)
    for key in ("cross_organisation", "exchange_pairs"):
        header, rows = _table(tree, key)
        url = reverse("insight:organisation_figure_csv", kwargs={"slug": org_a.slug, "key": key})
        assert _csv(client.get(url + MAY_2026)) == [header, *rows]


def test_unknown_figure_is_404(client_for, programme_manager):
    assert client_for(programme_manager).get(reverse("insight:figure_csv", kwargs={"key": "nope"})).status_code == 404


# --- Periods --------------------------------------------------------------------


def test_an_empty_period_shows_dashes_or_nothing_never_an_error(client_for, programme_manager, engagements):
    tree = _page(client_for(programme_manager), reverse("insight:dashboard") + "?period=year&year=2021")
    text = tree.text_content()
    assert "Niets te tonen voor deze periode." in text or "—" in text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("?period=custom&start=2026-05-31&end=2026-05-01", "end", "De laatste dag kan niet voor de eerste dag liggen."),
        ("?period=month&year=2026", "month", "Kies een maand."),
        ("?period=year&year=abc", "year", "Voer een geheel getal in."),
        ("?period=custom&start=2026-13-45&end=2026-05-01", "start", "Voer een geldige datum in."),
        ("?period=decade", "period", "Selecteer een geldige keuze"),
    ],
)
def test_bad_period_input_gets_a_message_at_its_field(client_for, programme_manager, query, field, message):
    response = client_for(programme_manager).get(reverse("insight:dashboard") + query)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert message in response.content.decode()
    assert "sections" not in response.context


def test_custom_period_and_neighbours(client_for, programme_manager):
    response = client_for(programme_manager).get(reverse("insight:dashboard") + "?period=quarter&year=2026&quarter=1")
    assert response.context["period"].start == date(2026, 1, 1)
    assert response.context["period"].end == date(2026, 3, 31)
    assert "year=2025" in response.context["previous_query"] and "quarter=4" in response.context["previous_query"]
    response = client_for(programme_manager).get(
        reverse("insight:dashboard") + "?period=custom&start=2026-02-10&end=2026-03-09"
    )
    assert response.context["period"].days == 28
    assert response.context["previous_query"] == ""


def test_dashboard_query_count_is_bounded(client_for, programme_manager, engagements, django_assert_max_num_queries):
    client = client_for(programme_manager)
    client.get(reverse("insight:dashboard"))  # session, roles warm
    with django_assert_max_num_queries(45):
        assert client.get(reverse("insight:dashboard") + MAY_2026).status_code == 200


# --- External rates ---------------------------------------------------------------


def test_programme_manager_sets_and_changes_a_rate_with_audit(client_for, programme_manager):
    client = client_for(programme_manager)
    url = reverse("insight:external_rates")
    response = client.post(url, {"skill_area": "", "hourly_rate": "120.00"})
    assert response.status_code == 302
    response = client.post(url, {"skill_area": "", "hourly_rate": "130,50"})
    assert response.status_code == 302
    rate = ExternalRate.objects.get(skill_area="")
    assert rate.hourly_rate == Decimal("130.50")
    assert rate.updated_by == programme_manager
    entries = AuditEntry.objects.filter(action="external_rate.set").order_by("created_at")
    assert [e.data["new"] for e in entries] == ["120.00", "130.50"]
    assert "€ 130,50" in client.get(url).content.decode()


@pytest.mark.parametrize("rate", ["0", "-5", "abc", "", "1e9", "12.345"])
def test_a_bad_rate_is_refused_at_its_field(client_for, programme_manager, rate):
    response = client_for(programme_manager).post(reverse("insight:external_rates"), {"skill_area": "", "hourly_rate": rate})
    assert response.status_code == 200
    assert response.context["form"].errors["hourly_rate"]
    assert not ExternalRate.objects.exists()


def test_an_unknown_skill_area_is_refused(client_for, programme_manager):
    response = client_for(programme_manager).post(
        reverse("insight:external_rates"), {"skill_area": "Astrologie", "hourly_rate": "100"}
    )
    assert response.context["form"].errors["skill_area"]
    assert not ExternalRate.objects.exists()


def test_hr_reads_the_rates_but_cannot_set_or_remove_them(client_for, hr_a):
    rate = ExternalRate.objects.create(skill_area="", hourly_rate=Decimal("110"))
    client = client_for(hr_a)
    page = client.get(reverse("insight:external_rates"))
    assert page.status_code == 200 and "€ 110,00" in page.content.decode()
    assert "<form method=\"post\" class=\"panel\"" not in page.content.decode()
    assert client.post(reverse("insight:external_rates"), {"skill_area": "", "hourly_rate": "1"}).status_code == 403
    assert client.post(reverse("insight:external_rate_delete", kwargs={"pk": rate.pk})).status_code == 403
    assert ExternalRate.objects.get().hourly_rate == Decimal("110")


def test_programme_manager_removes_a_rate(client_for, programme_manager):
    rate = ExternalRate.objects.create(skill_area="", hourly_rate=Decimal("110"))
    response = client_for(programme_manager).post(reverse("insight:external_rate_delete", kwargs={"pk": rate.pk}))
    assert response.status_code == 302
    assert not ExternalRate.objects.exists()
    assert AuditEntry.objects.filter(action="external_rate.delete").count() == 1
