"""The reasons of a suggestion as text, in the reader's language.

A suggestion stores its reasons as a list of ``[code, numbers...]`` (built
by the scoring SQL, see ``scoring.REASONS_SQL``); this module is the only
place that knows what each code says. The texts are neutral, so the member
and the coordinator read the same line:
"3 of 4 required skills · 16 hours a week free · remote possible".
"""

from decimal import Decimal, InvalidOperation

from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SEPARATOR = " · "


def _hours(value) -> str:
    return floatformat(value, -1)


def _money(value) -> str:
    try:
        return formats.number_format(Decimal(str(value)).quantize(Decimal("0.01")), 2, use_l10n=True)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def _required(covered, total):
    return ngettext(
        "%(covered)s of %(total)s required skill", "%(covered)s of %(total)s required skills", total
    ) % {"covered": covered, "total": total}


def _nice(covered, total):
    return ngettext(
        "%(covered)s of %(total)s nice-to-have skill", "%(covered)s of %(total)s nice-to-have skills", total
    ) % {"covered": covered, "total": total}


def _hours_free(left, needed):
    if left >= needed:
        return _("%(left)s hours a week free") % {"left": _hours(left)}
    return _("%(left)s of the %(needed)s hours a week free") % {"left": _hours(left), "needed": _hours(needed)}


def _period(percent):
    if percent >= 100:
        return _("available for the whole period")
    return _("available for %(percent)s%% of the period") % {"percent": percent}


def _training(done, total):
    return ngettext(
        "%(done)s of %(total)s asked training completed", "%(done)s of %(total)s asked trainings completed", total
    ) % {"done": done, "total": total}


TEXTS = {
    "required_skills": _required,
    "nice_skills": _nice,
    "hours": _hours_free,
    "period": _period,
    "remote": lambda place: _("remote possible"),
    "same_place": lambda place: _("home organisation in %(place)s") % {"place": place},
    "hybrid": lambda place: _("hybrid, partly in %(place)s") % {"place": place},
    "on_site": lambda place: _("on site in %(place)s") % {"place": place},
    "zpp": lambda: _("ZPP: the home organisation's tariff"),
    "no_ceiling": lambda: _("no maximum rate"),
    "rate_unknown": lambda ceiling: _("own rate not set (maximum € %(ceiling)s)") % {"ceiling": _money(ceiling)},
    "rate_fits": lambda rate, ceiling: _("rate € %(rate)s within the maximum of € %(ceiling)s")
    % {"rate": _money(rate), "ceiling": _money(ceiling)},
    "rate_above": lambda rate, ceiling: _("rate € %(rate)s above the maximum of € %(ceiling)s")
    % {"rate": _money(rate), "ceiling": _money(ceiling)},
    "training": _training,
}


def reason_texts(reasons) -> list[str]:
    """One text per reason; codes this version does not know are left out
    (a row written by a newer job must not break a page)."""
    texts = []
    for reason in reasons or ():
        if not isinstance(reason, list) or not reason:
            continue
        render = TEXTS.get(reason[0])
        if render is None:
            continue
        try:
            texts.append(str(render(*reason[1:])))
        except TypeError:
            continue
    return texts


def reason_line(reasons) -> str:
    return SEPARATOR.join(reason_texts(reasons))


def hours_left(reasons):
    """The hours a week the member's release leaves free in the period."""
    for reason in reasons or ():
        if isinstance(reason, list) and reason and reason[0] == "hours" and len(reason) > 1:
            return reason[1]
    return None
