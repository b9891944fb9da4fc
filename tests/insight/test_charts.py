"""Server-side SVG charts (insight/charts.py).

The charts need no data of their own: every test builds a Figure by hand
and reads the SVG back with ElementTree, as a browser or a screen reader
would see it (valid XML, role="img" with a title and a description, the
same value text as the table, nothing inline that the CSP would block).
(The database is only touched by the autouse cache fixture in conftest.)
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from insight import charts
from insight.charts import render_chart
from insight.figures.base import DASH, Chart, Column, Figure, display

SVG = "{http://www.w3.org/2000/svg}"
NUMERIC_ATTRS = ("x", "y", "width", "height", "cx", "cy", "r", "d", "transform", "viewBox", "stroke-width")


# --- Builders -------------------------------------------------------------------


def org_column(key="org", label="Organisation"):
    return Column(key, label, "text")


def bar_figure(rows=None, values=("hours",), key="utilisation"):
    columns = [org_column(), Column("hours", "Hours", "hours"), Column("worked", "Worked", "hours")]
    if rows is None:
        rows = [
            ["Gemeente Breda", Decimal("120.5"), Decimal("80")],
            ["Gemeente Tilburg", Decimal("-40.25"), None],
            ["Provincie Noord-Brabant", 0, Decimal("1234.5")],
            ["Waterschap De Dommel", None, Decimal("12")],
        ]
    return Figure(key, "Hours released", "…", columns, rows, chart=Chart("bar", "org", tuple(values), unit="hours"))


def stacked_figure(rows=None):
    columns = [org_column(), Column("zpp", "ZPP", "int"), Column("zzp", "ZZP", "int")]
    if rows is None:
        rows = [["Gemeente Breda", 30, 12], ["Gemeente Tilburg", 0, 7], ["Waterschap De Dommel", None, None]]
    chart = Chart("stacked", "org", ("zpp", "zzp"))
    return Figure("participants", "Participants by variant", "…", columns, rows, chart=chart)


def line_figure(rows=None, values=("filled", "cross")):
    columns = [
        Column("month", "Month", "text"),
        Column("filled", "Filled", "int"),
        Column("cross", "Cross-organisation", "int"),
    ]
    if rows is None:
        rows = [["jan 2025", 12, 3], ["feb 2025", 15, None], ["mrt 2025", 9, 4], ["apr 2025", 21, 6]]
    chart = Chart("line", "month", tuple(values))
    return Figure("trend", "Positions filled per month", "…", columns, rows, chart=chart)


def pair_columns():
    return [
        Column("lender", "Lender", "text"),
        Column("borrower", "Borrower", "text"),
        Column("hours", "Hours", "hours"),
    ]


def matrix_figure(rows=None):
    if rows is None:
        rows = [
            ["Gemeente Breda", "Gemeente Tilburg", Decimal("10")],
            ["Gemeente Breda", "Waterschap De Dommel", Decimal("20.5")],
            ["Gemeente Tilburg", "Gemeente Breda", Decimal("30")],
            ["Waterschap De Dommel", "Gemeente Breda", Decimal("40")],
            ["Waterschap De Dommel", "Gemeente Tilburg", Decimal("50")],
        ]
    return Figure(
        "exchange_pairs", "Hours lent per pair", "…", pair_columns(), rows,
        chart=Chart("matrix", "lender", ("hours",), target="borrower", unit="hours"),
    )


def network_figure(rows=None):
    if rows is None:
        rows = [
            ["Gemeente Tilburg", "Gemeente Breda", Decimal("80")],
            ["Gemeente Breda", "Gemeente Tilburg", Decimal("10")],
            ["Waterschap De Dommel", "Gemeente Breda", Decimal("40")],
        ]
    return Figure(
        "network", "Who works for whom", "…", pair_columns(), rows,
        chart=Chart("network", "lender", ("hours",), target="borrower", unit="hours"),
    )


BUILDERS = {
    "bar": bar_figure,
    "stacked": stacked_figure,
    "line": line_figure,
    "matrix": matrix_figure,
    "network": network_figure,
}


# --- Reading the SVG back -------------------------------------------------------------


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def all_text(root: ET.Element) -> str:
    """Everything a sighted reader can see or hover (text + title children)."""
    return "\n".join(t for t in root.itertext())


def visible_texts(root: ET.Element) -> list[str]:
    """The drawn strings, without <title> tooltips."""
    out = []
    for el in root.iter(f"{SVG}text"):
        out.append("".join(t for t in [el.text or ""] + [child.tail or "" for child in el]).strip())
    return out


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# --- Every kind: accessible, valid, inline-free, finite -------------------------------------


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_every_kind_is_valid_accessible_svg(kind):
    figure = BUILDERS[kind]()
    svg = render_chart(figure)
    root = parse(svg)

    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("aria-labelledby") == f"{figure.key}-chart-title {figure.key}-chart-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == f"{figure.key}-chart-title"
    assert title.text == figure.title
    assert desc is not None and desc.get("id") == f"{figure.key}-chart-desc"
    assert desc.text and desc.text.endswith(".") and len(desc.text) < 200  # one short sentence
    # each referenced id exists exactly once
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert ids.count(f"{figure.key}-chart-title") == 1 and ids.count(f"{figure.key}-chart-desc") == 1
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_no_inline_style_script_or_non_finite_coordinates(kind):
    svg = render_chart(BUILDERS[kind]())
    root = parse(svg)
    for el in root.iter():
        assert "style" not in el.attrib, el.tag
        assert el.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}foreignObject")
        assert not any(name.startswith("on") for name in el.attrib), el.attrib
        for name in NUMERIC_ATTRS:
            value = el.get(name)
            if value is not None:
                assert not re.search(r"nan|inf", value, re.IGNORECASE), (el.tag, name, value)
    view_box = [float(v) for v in root.get("viewBox").split()]
    assert len(view_box) == 4 and all(math.isfinite(v) for v in view_box) and view_box[2] > 0 and view_box[3] > 0


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_same_figure_gives_the_same_bytes(kind):
    assert render_chart(BUILDERS[kind]()) == render_chart(BUILDERS[kind]())


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_nothing_is_drawn_without_rows(kind):
    figure = BUILDERS[kind](rows=[])
    assert render_chart(figure) == ""


@pytest.mark.parametrize(
    "chart",
    [
        Chart("pie", "org", ("hours",)),
        Chart("bar", "org", ()),
        Chart("bar", "org", ("missing",)),
        Chart("matrix", "org", ("hours",)),  # no target
    ],
)
def test_a_malformed_chart_spec_is_a_programming_error(chart):
    figure = bar_figure()
    figure.chart = chart
    with pytest.raises(ValueError):
        render_chart(figure)


def test_nothing_is_drawn_without_a_chart_spec():
    figure = bar_figure()
    figure.chart = None
    assert render_chart(figure) == ""


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_a_script_in_an_organisation_name_is_escaped(kind):
    evil = "<script>alert(1)</script>"
    figure = BUILDERS[kind]()
    figure.rows[0][0] = evil
    figure.title = "Title <b>&</b>"
    svg = render_chart(figure)
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert evil in all_text(root)  # shown as text (or in the <title> of a cut label)
    assert root.find(f"{SVG}title").text == "Title <b>&</b>"


# --- Bar ---------------------------------------------------------------------------------


def test_bar_writes_every_value_as_the_table_does_with_a_dash_for_none():
    figure = bar_figure(values=("hours", "worked"))
    root = parse(render_chart(figure))
    texts = visible_texts(root)
    for row in figure.rows:
        assert row[0] in texts
        for value in row[1:]:
            assert display(value, "hours") in texts  # "120,5", "-40,3", "0,0", "1.234,5", "—"
    assert texts.count(DASH) == 2  # Tilburg "worked" and De Dommel "hours"
    # two series → a legend with both column labels
    assert "Hours" in texts and "Worked" in texts


def test_bar_with_one_series_has_no_legend():
    texts = visible_texts(parse(render_chart(bar_figure(values=("hours",)))))
    assert "Hours" not in texts


def test_negative_bar_is_drawn_left_of_the_zero_line_and_positive_right():
    figure = bar_figure(rows=[["Gemeente Breda", Decimal("-50")], ["Gemeente Tilburg", Decimal("100")]])
    figure.columns = figure.columns[:2]
    root = parse(render_chart(figure))
    negative, positive = root.findall(f"{SVG}rect")
    zero = float(positive.get("x"))
    assert float(negative.get("x")) + float(negative.get("width")) == pytest.approx(zero, abs=0.1)
    # 100 is twice as long as 50
    assert float(positive.get("width")) == pytest.approx(2 * float(negative.get("width")), rel=0.01)
    zero_line = [p for p in root.iter(f"{SVG}path") if p.get("d", "").startswith(f"M{positive.get('x')} ")]
    assert zero_line, "a zero line at the start of the positive bar"


def test_bar_with_only_zero_and_none_values_draws_no_bars_but_the_labels():
    figure = bar_figure(rows=[["Gemeente Breda", 0, None], ["Gemeente Tilburg", None, None]])
    root = parse(render_chart(figure))
    assert root.findall(f"{SVG}rect") == []
    texts = visible_texts(root)
    assert display(0, "hours") in texts and DASH in texts
    assert root.find(f"{SVG}desc").text  # "Largest value: 0,0 (Gemeente Breda)."


def test_long_labels_are_cut_with_the_full_name_in_a_title():
    long_name = "Gemeenschappelijke Regeling Omgevingsdienst Midden- en West-Brabant"
    figure = bar_figure(rows=[[long_name, 5, 1]])
    root = parse(render_chart(figure))
    cut = [el for el in root.iter(f"{SVG}text") if el.find(f"{SVG}title") is not None]
    assert len(cut) == 1
    assert cut[0].find(f"{SVG}title").text == long_name
    shown = cut[0].find(f"{SVG}title").tail
    assert shown.endswith("…") and len(shown) < len(long_name) and long_name.startswith(shown[:-1])


def test_eighteen_organisations_stay_small():
    rows = [[f"Organisatie nummer {i:02d} in Brabant", Decimal(i * 37), Decimal(i * 11)] for i in range(18)]
    svg = render_chart(bar_figure(rows=rows, values=("hours", "worked")))
    assert len(svg) < 12_000
    assert len(parse(svg).findall(f"{SVG}rect")) == 2 * 18 - 2 + 2  # i=0 bars are 0 wide (none), + 2 legend swatches


# --- Stacked -----------------------------------------------------------------------------


def test_stacked_labels_totals_and_segments():
    figure = stacked_figure()
    root = parse(render_chart(figure))
    texts = visible_texts(root)
    assert "42" in texts  # Breda 30 + 12
    assert "30" in texts and "12" in texts  # wide segments carry their value
    assert "7" in texts  # Tilburg 0 + 7 (total; the 0 segment is not drawn)
    assert DASH in texts  # De Dommel: nothing at all → "—" as total
    assert "ZPP" in texts and "ZZP" in texts  # legend
    # segments: Breda 2, Tilburg 1 (0 is nothing), De Dommel 0; + 2 legend swatches
    assert len(root.findall(f"{SVG}rect")) == 3 + 2
    assert root.find(f"{SVG}desc").text == "Grootste totaal: 42 (Gemeente Breda)."


def test_stacked_with_a_negative_segment_draws_it_left_of_zero():
    figure = stacked_figure(rows=[["Gemeente Breda", 10, -4]])
    root = parse(render_chart(figure))
    positive, negative = [r for r in root.findall(f"{SVG}rect") if r.get("height") == "20"]
    assert float(negative.get("x")) < float(positive.get("x"))
    assert "6" in visible_texts(root)  # total 10 − 4


# --- Line --------------------------------------------------------------------------------


def test_single_line_labels_every_point_and_leaves_a_gap_for_none():
    rows = [["jan", 12, 0], ["feb", None, 0], ["mrt", 9, 0], ["apr", 21, 0]]
    figure = line_figure(rows=rows, values=("filled",))
    root = parse(render_chart(figure))
    texts = visible_texts(root)
    for label in ("12", "9", "21", "jan", "feb", "mrt", "apr"):
        assert label in texts
    line = next(p for p in root.iter(f"{SVG}path") if p.get("fill") == "none" and p.get("stroke-width") == "2.5")
    assert line.get("d").count("M") == 2  # broken at February: jan | mrt–apr
    # y axis: 3 to 5 labelled gridlines, from 0
    ticks = [t for t in texts if t.isdigit() and int(t) % 5 == 0 and t not in ("12", "9", "21")]
    assert 3 <= len(set(ticks)) <= 5 and "0" in ticks


def test_multi_line_has_a_legend_and_end_values():
    figure = line_figure()
    root = parse(render_chart(figure))
    texts = visible_texts(root)
    assert "Filled" in texts and "Cross-organisation" in texts
    assert "21" in texts and "6" in texts  # last value of each line
    # each series has its own dash pattern and marker: not colour alone
    lines = [p for p in root.iter(f"{SVG}path") if p.get("stroke-width") == "2.5"]
    assert len(lines) == 2 and lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")


def test_line_with_negative_zero_and_all_none_values():
    rows = [["jan", -5, None], ["feb", 0, None], ["mrt", 7, None]]
    root = parse(render_chart(line_figure(rows=rows)))
    texts = visible_texts(root)
    assert "-5" in texts or "−5" in texts
    assert "0" in texts and "7" in texts


def test_line_with_only_none_draws_the_axis_and_says_so():
    rows = [["jan", None, None], ["feb", None, None]]
    root = parse(render_chart(line_figure(rows=rows)))
    assert root.find(f"{SVG}desc").text == "Geen waarden om te tonen."


@pytest.mark.parametrize(
    ("lo", "hi", "integer"),
    [
        (0, 0, True),
        (0, 1, True),
        (0, 7, True),
        (0, 1000, True),
        (-3.5, 12.2, False),
        (0, 0.04, False),
        (-250, 0, False),
    ],
)
def test_gridlines_are_three_to_five_round_values_around_the_data(lo, hi, integer):
    ticks = charts._ticks(lo, hi, integer)
    assert 3 <= len(ticks) <= 5
    assert ticks[0] <= min(lo, 0) and ticks[-1] >= max(hi, 0) and 0 in ticks
    if integer:
        assert all(t == int(t) for t in ticks)


# --- Matrix ------------------------------------------------------------------------------


def test_matrix_writes_every_cell_and_sums_repeated_pairs():
    rows = matrix_figure().rows + [["Gemeente Breda", "Gemeente Tilburg", Decimal("2.5")]]
    figure = matrix_figure(rows=rows)
    root = parse(render_chart(figure))
    texts = visible_texts(root)
    assert display(Decimal("12.5"), "hours") in texts  # Breda → Tilburg 10 + 2,5
    assert display(Decimal("10"), "hours") not in texts
    for value in ("20.5", "30", "40", "50"):
        assert display(Decimal(value), "hours") in texts
    # row and column names, sorted
    assert texts.index("Gemeente Breda") < texts.index("Gemeente Tilburg")
    assert root.find(f"{SVG}desc").text == "Grootste waarde: 50,0, van Waterschap De Dommel naar Gemeente Tilburg."


def test_matrix_shading_has_steps_and_the_text_keeps_contrast():
    rows = [["A", f"T{i}", Decimal(i * 10)] for i in range(1, 6)] + [["B", "T1", Decimal("-30")], ["B", "T2", 0]]
    root = parse(render_chart(matrix_figure(rows=rows)))
    cells = [r for r in root.findall(f"{SVG}rect")]
    values = [t for t in root.iter(f"{SVG}text") if t.get("font-size") == "11"]
    assert len(cells) == len(values) == 7
    fills = {c.get("fill") for c in cells}
    assert len(fills - {"#fff"}) >= 5  # five positive steps + one negative
    for cell, text in zip(cells, values):
        ink = text.get("fill", charts.TEXT)
        assert contrast(cell.get("fill"), ink) >= 4.5, (cell.get("fill"), ink, text.text)
    assert [t.text for t in values][-2:] == [display(Decimal("-30"), "hours"), display(0, "hours")]


def test_matrix_with_one_cell_and_a_none_value():
    root = parse(render_chart(matrix_figure(rows=[["Gemeente Breda", "Gemeente Tilburg", None]])))
    texts = visible_texts(root)
    assert DASH in texts and "Gemeente Breda" in texts and "Gemeente Tilburg" in texts
    assert len(root.findall(f"{SVG}rect")) == 1
    assert root.find(f"{SVG}desc").text == "Geen waarden om te tonen."


def test_matrix_with_one_cell():
    root = parse(render_chart(matrix_figure(rows=[["Gemeente Breda", "Gemeente Tilburg", Decimal("7")]])))
    assert display(Decimal("7"), "hours") in visible_texts(root)


def test_palette_and_ramps_meet_the_contrast_rules():
    for colour in charts.PALETTE + (charts.NETWORK_EDGE, charts.MUTED):
        assert contrast(colour, "#fff") >= 3.0, colour  # graphical objects
    for text in (charts.TEXT, charts.MUTED):
        assert contrast(text, "#fff") >= 4.5
    for ramp in (charts.BLUES, charts.ORANGES):
        assert len(ramp) >= 4
        for step, fill in enumerate(ramp):
            ink = "#fff" if step >= charts.DARK_STEPS else charts.TEXT
            assert contrast(fill, ink) >= 4.5, (fill, ink)


# --- Network -----------------------------------------------------------------------------


def edge_paths(root):
    return [p for p in root.iter(f"{SVG}path") if p.get("fill") == "none" and p.find(f"{SVG}title") is not None]


def test_network_nodes_by_name_edges_by_value():
    figure = network_figure()
    root = parse(render_chart(figure))
    texts = visible_texts(root)
    names = [t for t in texts if t in ("Gemeente Breda", "Gemeente Tilburg", "Waterschap De Dommel")]
    assert names == ["Gemeente Breda", "Gemeente Tilburg", "Waterschap De Dommel"]  # by name
    assert len(root.findall(f".//{SVG}circle")) == 3
    edges = edge_paths(root)
    assert len(edges) == 3
    widths = {p.find(f"{SVG}title").text: float(p.get("stroke-width")) for p in edges}
    assert widths["Gemeente Tilburg → Gemeente Breda: 80,0"] == 8  # the largest
    assert widths["Waterschap De Dommel → Gemeente Breda: 40,0"] == 4.5  # 1 + 7 × 40/80
    assert widths["Gemeente Breda → Gemeente Tilburg: 10,0"] == pytest.approx(1.9, abs=0.05)  # 1 + 7 × 10/80
    for value in ("80", "40", "10"):
        assert display(Decimal(value), "hours") in texts  # ≤ 20 edges: every edge labelled
    assert "Lender" in all_text(root) and "Borrower" in all_text(root)  # how to read it


def test_network_with_one_node_and_zero_or_none_edges():
    rows = [["Gemeente Breda", "Gemeente Breda", Decimal("5")]]
    root = parse(render_chart(network_figure(rows=rows)))
    assert visible_texts(root).count("Gemeente Breda") == 1
    assert display(Decimal("5"), "hours") in visible_texts(root)
    rows = [["Gemeente Breda", "Gemeente Tilburg", 0], ["Gemeente Tilburg", "Gemeente Breda", None]]
    root = parse(render_chart(network_figure(rows=rows)))
    edges = edge_paths(root)
    assert [float(p.get("stroke-width")) for p in edges] == [1, 1]
    assert all(p.get("stroke-dasharray") for p in edges)  # no volume: dashed
    assert root.find(f"{SVG}desc").text.startswith("2 organisaties, 2 verbindingen")


def test_network_with_many_edges_labels_only_the_heaviest():
    rows = [
        [f"Org {a:02d}", f"Org {b:02d}", Decimal(a * 18 + b)]
        for a in range(18)
        for b in range(18)
        if a != b and (a + b) % 3 == 0
    ]
    assert len(rows) > 20
    svg = render_chart(network_figure(rows=rows))
    root = parse(svg)
    labels = [t for t in visible_texts(root) if re.fullmatch(r"[\d.]+,\d", t)]
    assert len(labels) == 10
    assert display(max(r[2] for r in rows), "hours") in labels
    assert len(edge_paths(root)) == len(rows)
