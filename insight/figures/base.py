"""The shape every dashboard figure shares.

A figure function takes a :class:`Scope` (who is looking, which
organisation, which period) and returns a :class:`Figure`: a title, the
definition shown next to it, a table (columns + rows of raw values), a few
headline numbers and, optionally, a chart spec. The page, the SVG chart and
the CSV export all read the same ``Figure``, and every cell goes through
:func:`display` — so the CSV equals the numbers on the page by construction.

Figure functions compute with aggregate SQL only (``values().annotate()``,
``aggregate()``, ``Subquery``, or ``connection.cursor()`` with parameters):
never a Python loop over rows of the data; loops over the handful of
aggregated result rows are fine.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.utils import formats
from django.utils.translation import gettext_lazy as _

Kind = Literal["text", "int", "hours", "money", "percent", "days", "decimal"]
DASH = "—"


# --- Period -----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A closed date range ``start``..``end`` (both included)."""

    start: date
    end: date
    kind: str = "custom"  # month | quarter | year | custom
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        start = date(year, month, 1)
        return cls(start, date(year, month, last), "month", formats.date_format(start, "YEAR_MONTH_FORMAT"))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first_month = 3 * (quarter - 1) + 1
        last = calendar.monthrange(year, first_month + 2)[1]
        return cls(date(year, first_month, 1), date(year, first_month + 2, last), "quarter", f"Q{quarter} {year}")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year", str(year))

    @classmethod
    def custom(cls, start: date, end: date) -> Period:
        label = f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} – {formats.date_format(end, 'SHORT_DATE_FORMAT')}"
        return cls(start, end, "custom", label)

    def months(self) -> list[date]:
        """The first day of every calendar month the period touches (for
        series over time)."""
        out, current = [], self.start.replace(day=1)
        while current <= self.end:
            out.append(current)
            current = (current + timedelta(days=32)).replace(day=1)
        return out


# --- Scope ------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the figures are about.

    ``organisation_id`` None: the whole province (programme manager, admin).
    Otherwise one organisation: figures count what that organisation takes
    part in — its own members (as home organisation), its own assignments
    and engagements (as hiring organisation), and exchange rows where it is
    one side (its counterparts appear, nobody else's pairs do).
    """

    period: Period
    organisation_id: int | None = None
    # Results that several figures of one page share (e.g. the exchange
    # pairs); a new Scope per request, so nothing outlives the request.
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def province_wide(self) -> bool:
        return self.organisation_id is None

    def shared(self, key: str, compute):
        """``compute()`` once per scope: for a query two figures read."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


# --- Figures ----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = "int"


@dataclass(frozen=True)
class Headline:
    """A big number next to the title (e.g. "75,0 %")."""

    label: str
    value: Any
    kind: Kind = "int"

    @property
    def text(self) -> str:
        return display(self.value, self.kind)


@dataclass(frozen=True)
class Chart:
    """What to draw, read from the figure's own table.

    kind:
      ``bar``      one bar per row: ``label`` column × ``values`` columns
                   (several value columns → grouped bars);
      ``stacked``  one stacked bar per row, one segment per ``values`` column;
      ``line``     a line per ``values`` column over the rows (time series);
      ``matrix``   a heat map: rows ``label`` (from), ``target`` column (to),
                   cell value ``values[0]``;
      ``network``  who works for whom: nodes from ``label`` and ``target``,
                   an edge per row, width by ``values[0]``.
    """

    kind: Literal["bar", "stacked", "line", "matrix", "network"]
    label: str  # column key used as the category / source
    values: tuple[str, ...]  # column keys drawn
    target: str | None = None  # matrix and network: the column with the other side
    unit: Kind = "int"


@dataclass
class Figure:
    key: str  # url-safe, unique: used in ids and the CSV url
    title: str
    definition: str  # shown next to the figure: what is counted, how
    columns: list[Column]
    rows: list[list[Any]]  # raw values in column order; None → "—"
    headlines: list[Headline] = field(default_factory=list)
    chart: Chart | None = None
    empty_text: str = ""  # shown instead of the table when ``rows`` is empty

    def display_rows(self) -> list[list[str]]:
        """The table as shown on the page and written to the CSV."""
        return [[display(value, column.kind) for value, column in zip(row, self.columns)] for row in self.rows]

    def header(self) -> list[str]:
        return [str(column.label) for column in self.columns]


# --- Arithmetic that never divides by zero ----------------------------------------

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def ratio(part, whole) -> Decimal | None:
    """``part / whole`` as a percentage (one decimal, half up), or None
    (shown as "—") when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def average(total, count, places: Decimal = TENTH) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total or 0) / Decimal(count)).quantize(places, rounding=ROUND_HALF_UP)


# --- Display ----------------------------------------------------------------


def display(value, kind: Kind) -> str:
    """One cell as text, in the active language's number format. None →
    "—". Used by the table, the headline, the chart labels and the CSV."""
    if value is None or value == "":
        return DASH if kind != "text" else ""
    if kind == "text":
        return str(value)
    if kind == "int":
        return formats.number_format(int(value), 0, force_grouping=True)
    if kind == "percent":
        return f"{formats.number_format(Decimal(value), 1)} %"
    if kind == "money":
        return f"€ {formats.number_format(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP), 2, force_grouping=True)}"
    if kind == "hours":
        return formats.number_format(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP), 1, force_grouping=True)
    if kind in ("days", "decimal"):
        return formats.number_format(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP), 1)
    raise ValueError(kind)


NO_DATA = _("Nothing to show for this period.")
