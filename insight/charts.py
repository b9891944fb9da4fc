"""Server-side SVG charts for the dashboard.

:func:`render_chart` draws a :class:`~insight.figures.base.Figure`'s own
table (``figure.rows`` read through ``figure.chart``) as one inline
``<svg>``: no JavaScript, no ``style`` attributes and no ``<style>``
element (the Content-Security-Policy has no 'unsafe-inline'), only SVG
presentation attributes; ``static/css/insight.css`` adds the responsive
sizing and the forced-colours mode.

Accessibility (WCAG 2.1 AA): the ``<svg>`` is ``role="img"`` labelled by
its ``<title>`` (the figure title) and ``<desc>`` (one sentence naming the
largest value); the table rendered next to the chart is the full text
alternative. Every value is written on the chart as text (the same
:func:`~insight.figures.base.display` text as the table), series are told
apart by a legend, fill pattern, marker shape and dash as well as by colour,
text is at least 4.5:1 and graphical objects at least 3:1 against white.

Output is deterministic (same figure → same bytes): coordinates are
rounded to one decimal, sets are sorted, nothing depends on time or
randomness. Every piece of text is escaped; labels that are too long are
cut with "…" and keep their full text in a ``<title>`` child.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from insight.figures.base import DASH, Column, Figure, display

__all__ = ["render_chart", "PALETTE"]

# --- Look -------------------------------------------------------------------

WIDTH = 640  # viewBox width of bar, stacked and line charts (user units)
PAD = 8
FONT = 12  # default font size (user units)
SMALL = 11
CHAR = 0.58  # average glyph width ÷ font size of a sans-serif, for layout estimates
FONT_FAMILY = "Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif"

TEXT = "#1b1b1b"  # 17:1 on white
MUTED = "#4a4a4a"  # 8.9:1 on white: axis lines and tick labels
GRID = "#d5d8dc"  # decoration only (values are written on the chart)
EMPTY = "#c9cdd3"  # outline of an empty matrix cell
WHITE = "#fff"

# Okabe–Ito, darkened where needed for ≥ 3:1 against white (blue 5.2:1,
# vermillion 3.9:1, bluish green 3.4:1, reddish purple 4.4:1, ochre 4.7:1).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#B8558F", "#9E6A00")
# Second cue besides colour, per series: bar fill pattern, line dash, marker.
PATTERNS = ("solid", "hatch", "dots", "cross")
DASHES = ("", "7 3", "2 3", "9 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")

# Heat map: five steps by |value| ÷ largest |value|; text colour per step
# keeps ≥ 4.5:1 (dark text on steps 1–3, white on steps 4–5).
BLUES = ("#deebf7", "#b3d1ea", "#7fb0d9", "#2f75b5", "#12487f")  # positive values
ORANGES = ("#fde0c5", "#f9b98a", "#ef8a4c", "#b4520f", "#7a3608")  # negative values
DARK_STEPS = 3  # steps 4 and 5 (index ≥ 3) take white text

NETWORK_EDGE = "#005a8c"  # at 0.75 opacity still ≥ 4:1 on white
NETWORK_NODE = "#1b1b1b"


# --- Entry point --------------------------------------------------------------


def render_chart(figure: Figure) -> SafeString:
    """The figure's chart as an inline ``<svg>`` element, or "" when the
    figure has no chart spec or no rows."""
    chart = figure.chart
    if chart is None or not figure.rows:
        return mark_safe("")
    draw = _DRAWERS.get(chart.kind)
    if draw is None:
        raise ValueError(f"unknown chart kind {chart.kind!r} in figure {figure.key!r}")
    if not chart.values or (chart.kind in ("matrix", "network") and not chart.target):
        raise ValueError(f"chart of figure {figure.key!r} needs value columns (and a target for {chart.kind})")
    canvas = _Canvas(figure)
    body, width, height, desc = draw(canvas)
    key = _esc(figure.key)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="insight-chart insight-chart--{_esc(chart.kind)}"'
        f' role="img" aria-labelledby="{key}-chart-title {key}-chart-desc"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" width="100%" preserveAspectRatio="xMidYMin meet"'
        f' font-family="{FONT_FAMILY}" font-size="{FONT}" fill="{TEXT}">'
        f'<title id="{key}-chart-title">{_esc(figure.title)}</title>'
        f'<desc id="{key}-chart-desc">{_esc(desc)}</desc>'
        f"{canvas.defs()}{body}</svg>"
    )
    return mark_safe(svg)


# --- Small helpers ------------------------------------------------------------


def _esc(value: Any) -> str:
    return escape(str(value))


def _n(x: float) -> str:
    """A coordinate: one decimal at most, never NaN or infinity."""
    if not math.isfinite(x):
        x = 0.0
    r = round(x, 1)
    if r == int(r):
        return str(int(r))
    return f"{r:.1f}"


def _num(value: Any) -> float | None:
    """A cell as a float for geometry, or None (no bar, no point)."""
    if value is None or isinstance(value, (bool, str)):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError, ArithmeticError):
        return None
    return f if math.isfinite(f) else None


def _exact(value: Any) -> int | Decimal | None:
    """A cell as an exact number for sums (int or Decimal), or None."""
    if value is None or isinstance(value, (bool, str)):
        return None
    if isinstance(value, int):
        return value
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


def _sum(values: list[Any]) -> int | Decimal | None:
    """Sum of the non-empty values, None when all are empty."""
    exact = [v for v in (_exact(v) for v in values) if v is not None]
    return sum(exact) if exact else None


def _tw(text: str, size: float = FONT) -> float:
    """Estimated width of ``text`` at ``size``."""
    return len(text) * size * CHAR


def _fit(text: str, max_chars: int) -> tuple[str, bool]:
    if len(text) <= max_chars:
        return text, False
    return text[: max(1, max_chars - 1)].rstrip() + "…", True


def _text(
    x: float,
    cy: float,
    text: str,
    *,
    anchor: str = "start",
    size: float | None = None,
    max_chars: int | None = None,
    attrs: str = "",
) -> str:
    """A ``<text>`` vertically centred on ``cy``; cut to ``max_chars`` with
    the full text in a ``<title>`` child."""
    shown, cut = _fit(text, max_chars) if max_chars else (text, False)
    baseline = cy + (size or FONT) * 0.35
    out = f'<text x="{_n(x)}" y="{_n(baseline)}"'
    if anchor != "start":
        out += f' text-anchor="{anchor}"'
    if size:
        out += f' font-size="{_n(size)}"'
    out += attrs + ">"
    if cut:
        out += f"<title>{_esc(text)}</title>"
    return out + f"{_esc(shown)}</text>"


def _label(value: Any, column: Column) -> str:
    return display(value, column.kind) or DASH


def _chars(px: float, size: float = FONT) -> int:
    return max(4, int(px / (size * CHAR)))


HALO = f'<g stroke="{WHITE}" stroke-width="3" stroke-linejoin="round" paint-order="stroke">'
"""Text drawn inside this group gets a white outline, so it stays legible
over lines, hatched fills and other text."""


class _Canvas:
    """The figure's table, read through the chart spec, plus the ids and
    ``<defs>`` (fill patterns) one chart needs."""

    def __init__(self, figure: Figure):
        self.figure = figure
        self.chart = figure.chart
        self.rows = figure.rows
        self._index = {c.key: i for i, c in enumerate(figure.columns)}
        self._patterns: dict[int, str] = {}

    def column(self, key: str | None) -> tuple[int, Column]:
        if key not in self._index:
            raise ValueError(f"chart column {key!r} is not a column of figure {self.figure.key!r}")
        i = self._index[key]
        return i, self.figure.columns[i]

    def label(self) -> tuple[int, Column]:
        return self.column(self.chart.label)

    def series(self) -> list[tuple[int, Column]]:
        return [self.column(k) for k in self.chart.values]

    # Series paint: colour + pattern, so colour is never the only cue.

    def paint(self, s: int) -> str:
        """Fill (and outline) attributes of series ``s``'s bars."""
        colour = PALETTE[s % len(PALETTE)]
        pattern = PATTERNS[s % len(PATTERNS)]
        if pattern == "solid":
            return f'fill="{colour}"'
        pid = f"{_esc(self.figure.key)}-chart-f{s}"
        self._patterns[s] = _pattern(pid, colour, pattern)
        return f'fill="url(#{pid})" stroke="{colour}"'

    def defs(self) -> str:
        if not self._patterns:
            return ""
        return "<defs>" + "".join(self._patterns[s] for s in sorted(self._patterns)) + "</defs>"


def _pattern(pid: str, colour: str, kind: str) -> str:
    head = f'<pattern id="{pid}" patternUnits="userSpaceOnUse"'
    if kind == "hatch":
        return (
            f'{head} width="6" height="6" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{colour}"/>'
            f'<path d="M1 0V6" stroke="{WHITE}" stroke-width="1.5"/></pattern>'
        )
    if kind == "dots":
        return (
            f'{head} width="5" height="5"><rect width="5" height="5" fill="{colour}"/>'
            f'<circle cx="2.5" cy="2.5" r="1.1" fill="{WHITE}"/></pattern>'
        )
    # cross-hatch
    return (
        f'{head} width="6" height="6" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{colour}"/>'
        f'<path d="M1 0V6M0 1H6" stroke="{WHITE}" stroke-width="1.2"/></pattern>'
    )


Swatch = Callable[[float, float], str]  # (x, centre y) → SVG of one legend swatch


def _legend(items: list[tuple[Swatch, str]], x: float, y: float, width: float) -> tuple[str, float]:
    """Swatch + text per item, wrapping over lines; returns (svg, height)."""
    out, cx, cy, line = [], x, y + 9, 18
    for swatch, text in items:
        shown, _cut = _fit(text, 40)
        w = 18 + _tw(shown) + 16
        if cx > x and cx + w > x + width:
            cx, cy = x, cy + line
        out.append(swatch(cx, cy))
        out.append(_text(cx + 18, cy, text, max_chars=40))
        cx += w
    return "".join(out), cy + 9 - y


def _ticks(lo: float, hi: float, integer: bool) -> list[float]:
    """3–5 round gridline values covering [lo, hi] and 0."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo <= 0:
        hi = lo + 1
    raw = (hi - lo) / 4
    mag = 10 ** math.floor(math.log10(raw))
    step, first, last = mag, 0, 0
    for m in (1, 2, 2.5, 5, 10, 20):
        step = m * mag
        if integer and (step < 1 or step != int(step)):
            continue
        first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
        if last - first <= 4:
            break
    if last - first < 2:
        last = first + 2
    return [round((first + i) * step, 10) for i in range(last - first + 1)]


def _tick_text(value: float, kind: str) -> str:
    return display(Decimal(repr(value)), kind)


# --- Bar: one group per row, one horizontal bar per value column ------------------------


def _bar(c: _Canvas) -> tuple[str, float, float, str]:
    li, lcol = c.label()
    series = c.series()
    ns = len(series)
    cats = [_label(row[li], lcol) for row in c.rows]
    cells = [[(_num(row[i]), display(row[i], col.kind)) for i, col in series] for row in c.rows]

    out, y = [], PAD
    if ns > 1:
        legend, h = _legend(
            [(_bar_swatch(c, s), str(col.label)) for s, (_i, col) in enumerate(series)], PAD, y, WIDTH - 2 * PAD
        )
        out.append(legend)
        y += h + 10

    bar_h, inner = (18, 0) if ns == 1 else (13, 2)
    gap = 8 if ns == 1 else 12
    group_h = ns * bar_h + (ns - 1) * inner
    label_chars = 28
    label_px = max(_tw(_fit(t, label_chars)[0]) for t in cats)

    nums = [v for row in cells for v, _t in row if v is not None]
    lo, hi = min([0.0, *nums]), max([0.0, *nums])
    if hi == lo:
        hi = 1.0
    neg_room = max((_tw(t) for row in cells for v, t in row if v is not None and v < 0), default=0)
    pos_room = max((_tw(t) for row in cells for v, t in row if v is None or v >= 0), default=0)
    plot_l = PAD + label_px + 10 + (neg_room + 6 if neg_room else 0)
    plot_r = WIDTH - PAD - pos_room - 6
    scale = (plot_r - plot_l) / (hi - lo)
    x0 = plot_l - lo * scale

    bars, labels = [], []
    best = None
    top0 = y
    for r, (cat, row) in enumerate(zip(cats, cells)):
        top = top0 + r * (group_h + gap)
        labels.append(_text(PAD + label_px, top + group_h / 2, cat, anchor="end", max_chars=label_chars))
        for s, (v, t) in enumerate(row):
            by = top + s * (bar_h + inner)
            if v is None:
                labels.append(_text(x0 + 4, by + bar_h / 2, DASH))
                continue
            if best is None or v > best[0]:
                best = (v, t, cat if ns == 1 else f"{cat}, {series[s][1].label}")
            w = abs(v) * scale
            if w > 0:
                bx = x0 if v >= 0 else x0 - w
                bars.append(f'<rect x="{_n(bx)}" y="{_n(by)}" width="{_n(w)}" height="{bar_h}" {c.paint(s)}/>')
            if v >= 0:
                labels.append(_text(x0 + w + 4, by + bar_h / 2, t))
            else:
                labels.append(_text(x0 - w - 4, by + bar_h / 2, t, anchor="end"))
    bottom = top0 + len(cats) * (group_h + gap) - gap
    out.append("".join(bars))
    out.append(f'<path d="M{_n(x0)} {_n(top0 - 4)}V{_n(bottom + 4)}" stroke="{MUTED}"/>')
    out.append("".join(labels))
    desc = _largest_desc(best)
    return "".join(out), WIDTH, bottom + 4 + PAD, desc


def _bar_swatch(c: _Canvas, s: int) -> Swatch:
    def swatch(x: float, cy: float) -> str:
        return f'<rect x="{_n(x)}" y="{_n(cy - 6)}" width="12" height="12" {c.paint(s)}/>'

    return swatch


def _largest_desc(best: tuple[float, str, str] | None, total: bool = False) -> str:
    if best is None:
        return _("No values to show.")
    if total:
        return _("Largest total: %(value)s (%(label)s).") % {"value": best[1], "label": best[2]}
    return _("Largest value: %(value)s (%(label)s).") % {"value": best[1], "label": best[2]}


# --- Stacked: one bar per row, one segment per value column -------------------------------


def _stacked(c: _Canvas) -> tuple[str, float, float, str]:
    li, lcol = c.label()
    series = c.series()
    ns = len(series)
    kinds = {col.kind for _i, col in series}
    total_kind = kinds.pop() if len(kinds) == 1 else c.chart.unit
    cats = [_label(row[li], lcol) for row in c.rows]
    cells = [[(_num(row[i]), display(row[i], col.kind)) for i, col in series] for row in c.rows]
    totals = [_sum([row[i] for i, _col in series]) for row in c.rows]
    total_texts = [display(t, total_kind) for t in totals]

    out, y = [], PAD
    if ns > 1:
        legend, h = _legend(
            [(_bar_swatch(c, s), str(col.label)) for s, (_i, col) in enumerate(series)], PAD, y, WIDTH - 2 * PAD
        )
        out.append(legend)
        y += h + 10

    bar_h, gap = 20, 8
    label_chars = 28
    label_px = max(_tw(_fit(t, label_chars)[0]) for t in cats)
    pos = [sum(v for v, _t in row if v is not None and v > 0) for row in cells]
    neg = [sum(v for v, _t in row if v is not None and v < 0) for row in cells]
    lo, hi = min([0.0, *neg]), max([0.0, *pos])
    if hi == lo:
        hi = 1.0
    total_room = max(_tw(t) for t in total_texts)
    plot_l = PAD + label_px + 10
    plot_r = WIDTH - PAD - total_room - 6
    scale = (plot_r - plot_l) / (hi - lo)
    x0 = plot_l - lo * scale

    bars, labels, inside = [], [], []
    best = None
    for r, (cat, row) in enumerate(zip(cats, cells)):
        top = y + r * (bar_h + gap)
        cy = top + bar_h / 2
        labels.append(_text(PAD + label_px, cy, cat, anchor="end", max_chars=label_chars))
        right, left = x0, x0
        for s, (v, t) in enumerate(row):
            if not v:  # None or 0: no segment
                continue
            w = abs(v) * scale
            if v > 0:
                bx, right = right, right + w
            else:
                left -= w
                bx = left
            # a 1-unit white gap between neighbouring segments
            bars.append(
                f'<rect x="{_n(bx + 0.5)}" y="{top}" width="{_n(max(w - 1, 0.5))}" height="{bar_h}" {c.paint(s)}/>'
            )
            if w >= _tw(t, SMALL) + 6:
                inside.append(_text(bx + w / 2, cy, t, anchor="middle", size=SMALL))
        if totals[r] is not None and (best is None or totals[r] > best[0]):
            best = (totals[r], total_texts[r], cat)
        labels.append(_text(max(right, x0) + 5, cy, total_texts[r], attrs=' font-weight="bold"'))
    bottom = y + len(cats) * (bar_h + gap) - gap
    out.append("".join(bars))
    out.append(f'<path d="M{_n(x0)} {_n(y - 4)}V{_n(bottom + 4)}" stroke="{MUTED}"/>')
    out.append("".join(labels))
    if inside:
        out.append(HALO + "".join(inside) + "</g>")
    return "".join(out), WIDTH, bottom + 4 + PAD, _largest_desc(best, total=True)


# --- Line: x = rows, one line + markers per value column ---------------------------------


def _marker_path(kind: str, points: list[tuple[float, float]], r: float = 4) -> str:
    d = []
    for x, y in points:
        if kind == "circle":
            d.append(f"M{_n(x - r)} {_n(y)}a{_n(r)} {_n(r)} 0 1 0 {_n(2 * r)} 0a{_n(r)} {_n(r)} 0 1 0 {_n(-2 * r)} 0z")
        elif kind == "square":
            q = r * 0.9
            d.append(f"M{_n(x - q)} {_n(y - q)}h{_n(2 * q)}v{_n(2 * q)}h{_n(-2 * q)}z")
        elif kind == "triangle":
            q = r * 1.2
            d.append(f"M{_n(x)} {_n(y - q)}l{_n(q)} {_n(1.7 * q)}h{_n(-2 * q)}z")
        else:  # diamond
            q = r * 1.25
            d.append(f"M{_n(x)} {_n(y - q)}l{_n(q)} {_n(q)}l{_n(-q)} {_n(q)}l{_n(-q)} {_n(-q)}z")
    return "".join(d)


def _line_style(s: int) -> tuple[str, str, str]:
    return PALETTE[s % len(PALETTE)], DASHES[s % len(DASHES)], MARKERS[s % len(MARKERS)]


def _line(c: _Canvas) -> tuple[str, float, float, str]:
    li, lcol = c.label()
    series = c.series()
    ns = len(series)
    cats = [_label(row[li], lcol) for row in c.rows]
    n = len(cats)
    vals = [[_num(row[i]) for row in c.rows] for i, _col in series]
    texts = [[display(row[i], col.kind) for row in c.rows] for i, col in series]
    unit = c.chart.unit

    out, y = [], PAD
    if ns > 1:
        items = []
        for s, (_i, col) in enumerate(series):
            colour, dash, marker = _line_style(s)

            def swatch(x: float, cy: float, colour=colour, dash=dash, marker=marker) -> str:
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                return (
                    f'<path d="M{_n(x - 2)} {_n(cy)}h16" stroke="{colour}" stroke-width="2"{dash_attr}/>'
                    f'<path d="{_marker_path(marker, [(x + 6, cy)])}" fill="{colour}"/>'
                )

            items.append((swatch, str(col.label)))
        legend, h = _legend(items, PAD + 2, y, WIDTH - 2 * PAD)
        out.append(legend)
        y += h + 12

    nums = [v for row in vals for v in row if v is not None]
    ticks = _ticks(min(nums, default=0.0), max(nums, default=0.0), unit == "int")
    tick_texts = [_tick_text(t, unit) for t in ticks]
    left = PAD + max(_tw(t, SMALL) for t in tick_texts) + 8
    # multi-series: the last value of each line is written at its right end
    ends = []
    if ns > 1:
        for s in range(ns):
            last = next((k for k in range(n - 1, -1, -1) if vals[s][k] is not None), None)
            if last is not None:
                ends.append((s, last))
    end_room = max((_tw(texts[s][k], SMALL) for s, k in ends), default=0)
    right = WIDTH - PAD - (end_room + 10 if ends else 0)
    plot_w = right - left
    slot = plot_w / n
    xs = [left + (k + 0.5) * slot for k in range(n)]

    # x labels: straight when they fit, else at -45°, thinned when crowded
    label_chars = 18
    shown = [_fit(t, label_chars)[0] for t in cats]
    widest = max(_tw(t, SMALL) for t in shown)
    rotate = widest > slot - 4
    every = max(1, math.ceil(16 / slot)) if rotate else 1
    x_label_h = (widest * 0.71 + 14) if rotate else 18

    top = y + 14  # room for the point labels above the highest point
    plot_h = 200
    bottom = top + plot_h
    t0, t1 = ticks[0], ticks[-1]

    def yv(v: float) -> float:
        return bottom - (v - t0) / (t1 - t0) * plot_h

    grid, tlabels = [], []
    for t, txt in zip(ticks, tick_texts):
        gy = yv(t)
        colour = MUTED if t == 0 else GRID
        grid.append(f'<path d="M{_n(left)} {_n(gy)}H{_n(right)}" stroke="{colour}"/>')
        tlabels.append(_text(left - 6, gy, txt, anchor="end", size=SMALL, attrs=f' fill="{MUTED}"'))
    out.append("".join(grid))
    out.append(f'<g fill="{MUTED}" font-size="{SMALL}">')
    for k, cat in enumerate(cats):
        if k % every:
            continue
        if rotate:
            bx, by = xs[k], bottom + 10
            out.append(
                f'<text transform="translate({_n(bx)} {_n(by)}) rotate(-45)" text-anchor="end" y="{_n(SMALL * 0.35)}">'
                + (f"<title>{_esc(cat)}</title>" if shown[k] != cat else "")
                + f"{_esc(shown[k])}</text>"
            )
        else:
            out.append(_text(xs[k], bottom + 12, cat, anchor="middle", max_chars=label_chars))
    out.append("</g>")
    out.append("".join(tlabels))

    point_labels, best = [], None
    for s in range(ns):
        colour, dash, marker = _line_style(s)
        d, points, pen = [], [], False
        for k in range(n):
            v = vals[s][k]
            if v is None:
                pen = False
                continue
            px, py = xs[k], yv(v)
            d.append(f"{'L' if pen else 'M'}{_n(px)} {_n(py)}")
            pen = True
            points.append((px, py))
            if best is None or v > best[0]:
                best = (v, texts[s][k], cats[k] if ns == 1 else f"{series[s][1].label}, {cats[k]}")
            if ns == 1:
                point_labels.append(_text(px, py - 11, texts[s][k], anchor="middle", size=SMALL))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if d:
            out.append(
                f'<path d="{"".join(d)}" fill="none" stroke="{colour}" stroke-width="2.5"'
                f' stroke-linejoin="round"{dash_attr}/>'
            )
            out.append(f'<path d="{_marker_path(marker, points)}" fill="{colour}" stroke="{WHITE}"/>')
    # end labels of several lines, pushed apart so they do not overlap
    placed: list[tuple[float, str]] = []
    for s, k in sorted(ends, key=lambda e: (yv(vals[e[0]][e[1]]), e[0])):
        ly = yv(vals[s][k])
        if placed and ly < placed[-1][0] + 13:
            ly = placed[-1][0] + 13
        placed.append((ly, texts[s][k]))
        point_labels.append(_text(xs[k] + 8, ly, texts[s][k], size=SMALL))
    if point_labels:
        out.append(HALO + "".join(point_labels) + "</g>")
    height = bottom + x_label_h + PAD
    return "".join(out), WIDTH, height, _largest_desc(best)


# --- Matrix: heat map from × to ------------------------------------------------------


def _pairs(c: _Canvas) -> tuple[Column, Column, Column, dict[tuple[str, str], Any], list[str], list[str]]:
    """Sum of ``values[0]`` per (label, target) display text, and the sorted
    names on each side."""
    li, lcol = c.label()
    ti, tcol = c.column(c.chart.target)
    vi, vcol = c.column(c.chart.values[0])
    cells: dict[tuple[str, str], list[Any]] = {}
    for row in c.rows:
        cells.setdefault((_label(row[li], lcol), _label(row[ti], tcol)), []).append(row[vi])
    sums = {pair: _sum(values) for pair, values in cells.items()}
    order = lambda name: (name.casefold(), name)  # noqa: E731
    sources = sorted({a for a, _b in sums}, key=order)
    targets = sorted({b for _a, b in sums}, key=order)
    return lcol, tcol, vcol, sums, sources, targets


def _matrix(c: _Canvas) -> tuple[str, float, float, str]:
    lcol, tcol, vcol, sums, sources, targets = _pairs(c)
    texts = {pair: display(v, vcol.kind) for pair, v in sums.items()}
    biggest = max((abs(_num(v)) for v in sums.values() if v is not None), default=0.0)

    cell_w = max(44.0, max(_tw(t, SMALL) for t in texts.values()) + 12)
    cell_h = 26
    row_chars, col_chars = 26, 22
    corner = [f"{tcol.label} →", f"{lcol.label} ↓"]
    label_px = max(max(_tw(_fit(t, row_chars)[0]) for t in sources), *(_tw(_fit(t, row_chars)[0]) for t in corner))
    head_px = max(_tw(_fit(t, col_chars)[0]) for t in targets)
    head_h = head_px * 0.71 + 16
    left = PAD + label_px + 8
    top = PAD + head_h
    # never narrower than the other charts: a small matrix keeps the same text size
    width = max(WIDTH, left + len(targets) * cell_w + head_px * 0.71 + PAD)
    height = top + len(sources) * cell_h + PAD

    out = [
        _text(left - 8, top - 24, corner[0], anchor="end", max_chars=row_chars, attrs=f' fill="{MUTED}"'),
        _text(left - 8, top - 8, corner[1], anchor="end", max_chars=row_chars, attrs=f' fill="{MUTED}"'),
    ]
    for j, name in enumerate(targets):
        shown, cut = _fit(name, col_chars)
        cx = left + (j + 0.5) * cell_w
        out.append(
            f'<text transform="translate({_n(cx)} {_n(top - 6)}) rotate(-45)">'
            + (f"<title>{_esc(name)}</title>" if cut else "")
            + f"{_esc(shown)}</text>"
        )
    # faint row and column lines, one path, so empty cells read as empty
    grid = [f"M{_n(left)} {_n(top + r * cell_h)}h{_n(len(targets) * cell_w)}" for r in range(len(sources) + 1)]
    grid += [f"M{_n(left + j * cell_w)} {_n(top)}v{_n(len(sources) * cell_h)}" for j in range(len(targets) + 1)]
    out.append(f'<path d="{"".join(grid)}" stroke="{GRID}" fill="none"/>')
    rects, values = [], []
    best = None
    for r, source in enumerate(sources):
        ry = top + r * cell_h
        out.append(_text(left - 8, ry + cell_h / 2, source, anchor="end", max_chars=row_chars))
        for j, target in enumerate(targets):
            if (source, target) not in sums:
                continue
            raw = sums[(source, target)]
            v = _num(raw)
            x = left + j * cell_w
            fill, ink = WHITE, TEXT
            if v:
                ramp = BLUES if v > 0 else ORANGES
                step = min(len(ramp) - 1, max(0, math.ceil(abs(v) / biggest * len(ramp)) - 1))
                fill, ink = ramp[step], (WHITE if step >= DARK_STEPS else TEXT)
            outline = f' stroke="{EMPTY}"' if fill == WHITE else f' stroke="{WHITE}"'
            rects.append(
                f'<rect x="{_n(x + 1)}" y="{_n(ry + 1)}" width="{_n(cell_w - 2)}" height="{cell_h - 2}"'
                f' fill="{fill}"{outline}/>'
            )
            ink_attr = f' fill="{ink}"' if ink != TEXT else ""
            text = texts[(source, target)]
            values.append(_text(x + cell_w / 2, ry + cell_h / 2, text, anchor="middle", size=SMALL, attrs=ink_attr))
            if v is not None and (best is None or v > best[0]):
                best = (v, texts[(source, target)], source, target)
    out.append("".join(rects))
    out.append("".join(values))
    if best is None:
        desc = _("No values to show.")
    else:
        desc = _("Largest value: %(value)s, from %(source)s to %(target)s.") % {
            "value": best[1],
            "source": best[2],
            "target": best[3],
        }
    return "".join(out), width, height, desc


# --- Network: who works for whom --------------------------------------------------------


def _network(c: _Canvas) -> tuple[str, float, float, str]:
    lcol, tcol, vcol, sums, sources, targets = _pairs(c)
    order = lambda name: (name.casefold(), name)  # noqa: E731
    names = sorted(set(sources) | set(targets), key=order)
    count = len(names)

    name_chars = 28
    name_px = max(_tw(_fit(t, name_chars)[0]) for t in names)
    radius = 0.0 if count == 1 else min(180.0, 60.0 + 10.0 * count)
    cx = PAD + name_px + 14 + radius
    cy = PAD + 34 + radius  # room for the name above the top node
    node_r = 5.0
    pos = {}
    for k, name in enumerate(names):
        a = -math.pi / 2 + 2 * math.pi * k / count
        pos[name] = (cx + radius * math.cos(a), cy + radius * math.sin(a), a)

    biggest = max((abs(_num(v)) for v in sums.values() if v is not None), default=0.0)
    texts = {pair: display(v, vcol.kind) for pair, v in sums.items()}

    def width_of(v: float | None) -> float:
        if not v or not biggest:
            return 1.0
        return 1 + 7 * abs(v) / biggest

    # light edges first, heavy ones on top; ties by name
    edges = sorted(sums, key=lambda p: (abs(_num(sums[p]) or 0.0), order(p[0]), order(p[1])))
    labelled = set(edges if len(edges) <= 20 else edges[-10:])
    lines, edge_labels = [], []
    best = None
    for pair in edges:
        a, b = pair
        v = _num(sums[pair])
        w = width_of(v)
        tip = f"<title>{_esc(a)} → {_esc(b)}: {_esc(texts[pair])}</title>"
        dash = "" if v else ' stroke-dasharray="4 3"'
        ax, ay, angle = pos[a]
        if a == b:  # a row from an organisation to itself: a small loop outside the node
            lx, ly = ax + 14 * math.cos(angle), ay + 14 * math.sin(angle)
            if count == 1:
                lx, ly = ax, ay - 14
            lines.append(
                f'<circle cx="{_n(lx)}" cy="{_n(ly)}" r="9" fill="none" stroke-width="{_n(w)}"{dash}>{tip}</circle>'
            )
            mx, my = lx, ly - 9 - w / 2 - 8
        else:
            bx, by, _angle = pos[b]
            dx, dy = bx - ax, by - ay
            # bend to the left of the direction: a→b and b→a do not overlap
            qx, qy = (ax + bx) / 2 + dy * 0.12, (ay + by) / 2 - dx * 0.12

            def toward(px, py, tx, ty, step):
                d = math.hypot(tx - px, ty - py) or 1.0
                return px + (tx - px) / d * step, py + (ty - py) / d * step

            sx, sy = toward(ax, ay, qx, qy, node_r + 2)
            tx, ty = toward(bx, by, qx, qy, node_r + 2)  # arrow tip
            head = 6 + 1.2 * w
            hx, hy = toward(tx, ty, qx, qy, head)  # arrow base
            ux, uy = (tx - hx) / head, (ty - hy) / head
            half = 2.5 + 0.9 * w
            lines.append(
                f'<path d="M{_n(sx)} {_n(sy)}Q{_n(qx)} {_n(qy)} {_n(hx)} {_n(hy)}" fill="none"'
                f' stroke-width="{_n(w)}"{dash}>{tip}</path>'
                f'<path d="M{_n(tx)} {_n(ty)}L{_n(hx - uy * half)} {_n(hy + ux * half)}'
                f'L{_n(hx + uy * half)} {_n(hy - ux * half)}z" fill="{NETWORK_EDGE}" stroke="none"/>'
            )
            mx, my = 0.25 * ax + 0.5 * qx + 0.25 * bx, 0.25 * ay + 0.5 * qy + 0.25 * by
        if pair in labelled:
            edge_labels.append(_text(mx, my, texts[pair], anchor="middle", size=SMALL))
        if v is not None and (best is None or v > best[0]):
            best = (v, texts[pair], a, b)

    out = [
        f'<g stroke="{NETWORK_EDGE}" stroke-opacity="0.75" fill-opacity="0.85" stroke-linecap="round">',
        "".join(lines),
        "</g>",
        f'<g fill="{NETWORK_NODE}" stroke="{WHITE}" stroke-width="1.5">',
        "".join(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(node_r)}"/>' for x, y, _a in (pos[n] for n in names)),
        "</g>",
    ]
    node_labels = []
    for name in names:
        x, y, a = pos[name]
        cos, sin = math.cos(a), math.sin(a)
        if count == 1:
            node_labels.append(_text(x + node_r + 6, y, name, max_chars=name_chars))
            continue
        lx, ly = x + (node_r + 7) * cos, y + (node_r + 7) * sin
        anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
        if anchor == "middle":
            ly += 7 * (1 if sin > 0 else -1)
        node_labels.append(_text(lx, ly, name, anchor=anchor, max_chars=name_chars))
    out.append("".join(node_labels))
    if edge_labels:
        out.append(HALO + "".join(edge_labels) + "</g>")

    note_y = cy + radius + 44
    note = _("Arrows point from %(source)s to %(target)s; line width shows %(value)s.") % {
        "source": lcol.label,
        "target": tcol.label,
        "value": vcol.label,
    }
    width = max(cx + radius + name_px + 14 + PAD, PAD + _tw(note, SMALL) + PAD)
    if width < WIDTH:  # a small network: same text size as the other charts, centred
        out.insert(0, f'<g transform="translate({_n((WIDTH - width) / 2)} 0)">')
        out.append("</g>")
        width = WIDTH
    out.append(_text(PAD, note_y, note, size=SMALL, attrs=f' fill="{MUTED}"'))
    height = note_y + 10 + PAD

    links = len(edges)
    if best is None:
        desc = _("%(nodes)s organisations, %(links)s links, no values to show.") % {"nodes": count, "links": links}
    else:
        desc = _(
            "%(nodes)s organisations, %(links)s links; the largest is %(value)s, from %(source)s to %(target)s."
        ) % {
            "nodes": count,
            "links": links,
            "value": best[1],
            "source": best[2],
            "target": best[3],
        }
    return "".join(out), width, height, desc


_DRAWERS: dict[str, Callable[[_Canvas], tuple[str, float, float, str]]] = {
    "bar": _bar,
    "stacked": _stacked,
    "line": _line,
    "matrix": _matrix,
    "network": _network,
}
