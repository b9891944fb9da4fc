"""The dashboard's figures, in page order, grouped in sections.

Each entry names a function ``(scope: Scope) -> Figure`` (see ``base``).
"""

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

SECTIONS = [
    (_("People and hours"), [
        "insight.figures.people.participants",
        "insight.figures.people.utilisation",
    ]),
    (_("Assignments"), [
        "insight.figures.marketplace.assignments",
        "insight.figures.marketplace.cross_organisation",
        "insight.figures.marketplace.internal_first",
        "insight.figures.marketplace.proactivity",
        "insight.figures.marketplace.trend",
    ]),
    (_("Exchange between organisations"), [
        "insight.figures.exchange.exchange_balance",
        "insight.figures.exchange.exchange_pairs",
        "insight.figures.exchange.network",
        "insight.figures.exchange.new_links",
    ]),
    (_("Money kept in the public sector"), [
        "insight.figures.exchange.external_cost",
    ]),
    (_("Training"), [
        "insight.figures.people.training",
    ]),
]


def figure_functions() -> list[tuple[str, list]]:
    return [(title, [import_string(path) for path in paths]) for title, paths in SECTIONS]


def figure_function(key: str):
    """The function whose figure has ``key`` (its function name), or None."""
    for _title, paths in SECTIONS:
        for path in paths:
            if path.rsplit(".", 1)[1] == key:
                return import_string(path)
    return None
