"""The dashboard in a real browser on the demo data (a year of history):
the programme manager reads the province, narrows to one organisation and
downloads a figure's CSV, which holds the numbers of the table on the page;
HR of 's-Hertogenbosch lands on its own figures and cannot open another
organisation's. Screenshots go to tests/artifacts/; axe-core checks WCAG 2.1 AA."""

import csv
import io

import pytest
from django.core.management import call_command

from members.demo import DEMO_DOMAIN
from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.test_personas import dutch, goto_ok

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(site):
    call_command("seed_demo", verbosity=0)
    return site


def _table(page, key):
    table = page.locator(f"#figure-{key} table")
    header = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    rows = []
    for tr in table.locator("tbody tr").all():
        rows.append([t.strip() for t in tr.locator("th, td").all_inner_texts()])
    return header, rows


def test_programme_manager_reads_the_dashboard(page, demo, login):
    login(f"programma@{DEMO_DOMAIN}")
    page.get_by_role("link", name=dutch("Insight"), exact=True).first.click()
    page.wait_for_load_state("load")
    assert "/inzicht/" in page.url
    assert page.locator("h1").inner_text().startswith(dutch("Insight: the whole province")[:8])
    # Every section has figures with data: charts drawn, tables filled.
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 8, charts.count()
    empty = page.locator(".insight-empty")
    assert empty.count() == 0, empty.all_inner_texts()
    assert_accessible(page, "insight-province-year")

    # The CSV of the exchange figure is the table on the page.
    header, rows = _table(page, "exchange_pairs")
    assert len(rows) >= 5
    with page.expect_download() as download_info:
        page.locator("#figure-exchange_pairs .insight-csv a").click()
    text = open(download_info.value.path(), encoding="utf-8-sig").read()
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [header, *rows]

    # Narrow to one organisation.
    page.locator("#id_organisation").select_option("s-hertogenbosch")
    page.locator("form:has(#id_organisation) button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/inzicht/organisatie/s-hertogenbosch/" in page.url
    assert "Gemeente 's-Hertogenbosch" in page.locator("h1").inner_text()
    assert_accessible(page, "insight-organisation-year")

    # A quarter, by the period form.
    page.locator("#id_period").select_option("quarter")
    page.locator("#id_quarter").select_option("3")
    page.locator("form:has(#id_period) button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "Q3" in page.locator("h1").inner_text()
    screenshot(page, "insight-organisation-quarter")


def test_hr_sees_only_its_own_organisation(page, demo, login):
    login(f"hr.denbosch@{DEMO_DOMAIN}")
    page.get_by_role("link", name=dutch("Insight"), exact=True).first.click()
    page.wait_for_load_state("load")
    assert "/inzicht/organisatie/s-hertogenbosch/" in page.url
    response = page.goto(f"{demo}/inzicht/organisatie/eindhoven/")
    assert response.status == 404
    goto_ok(page, f"{demo}/inzicht/externe-tarieven/")
    assert page.locator("table tbody tr").count() >= 2
