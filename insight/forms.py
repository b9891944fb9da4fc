from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insight.figures.base import Period
from insight.models import ExternalRate
from members.forms import DateInput, DecimalCommaField
from members.models import Skill

MAX_CUSTOM_DAYS = 5 * 366
FIRST_YEAR = 2020


class PeriodForm(forms.Form):
    """Which period the dashboard shows (GET). Unbound fields fall back to
    the current year; a wrong combination gets a message at its field."""

    class Kind:
        MONTH, QUARTER, YEAR, CUSTOM = "month", "quarter", "year", "custom"

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")), ("custom", _("From – until")),
        ],
        initial="year",
    )
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, required=False, empty_value=None,
        choices=[("", "—")] + [(q, f"Q{q}") for q in range(1, 5)],
    )
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, required=False, empty_value=None,
        choices=[("", "—")] + [(m, m) for m in range(1, 13)],
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        defaults = {"period": "year", "year": str(today.year)}
        if data is not None:
            merged = data.copy()
            for key, value in defaults.items():
                if not merged.get(key):
                    merged[key] = value
            data = merged
        else:
            data = defaults
        super().__init__(data, **kwargs)
        from django.utils import formats

        self.fields["month"].choices = [("", "—")] + [
            (m, formats.date_format(date(2000, m, 1), "F")) for m in range(1, 13)
        ]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("period")
        year = cleaned.get("year")
        if kind in ("month", "quarter", "year") and year is None and "year" not in self.errors:
            self.add_error("year", _("Choose a year."))
        if kind == "month" and cleaned.get("month") is None and "month" not in self.errors:
            self.add_error("month", _("Choose a month."))
        if kind == "quarter" and cleaned.get("quarter") is None and "quarter" not in self.errors:
            self.add_error("quarter", _("Choose a quarter."))
        if kind == "custom":
            start, end = cleaned.get("start"), cleaned.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Enter the first day."))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Enter the last day."))
            if start and end:
                if end < start:
                    self.add_error("end", _("The last day cannot be before the first day."))
                elif (end - start).days >= MAX_CUSTOM_DAYS:
                    self.add_error("end", _("Choose a period of at most five years."))
                elif start.year < FIRST_YEAR or end.year > 2100:
                    self.add_error("start", _("Choose dates between 2020 and 2100."))
        return cleaned

    def get_period(self) -> Period:
        """The chosen period (the form must be valid)."""
        data = self.cleaned_data
        kind = data["period"]
        if kind == "month":
            return Period.month(data["year"], data["month"])
        if kind == "quarter":
            return Period.quarter(data["year"], data["quarter"])
        if kind == "custom":
            return Period.custom(data["start"], data["end"])
        return Period.year(data["year"])

    @staticmethod
    def neighbours(period: Period) -> tuple[dict | None, dict | None]:
        """Query parameters of the previous and next period of the same kind
        (None for a custom period)."""
        if period.kind == "year":
            y = period.start.year
            return {"period": "year", "year": y - 1}, {"period": "year", "year": y + 1}
        if period.kind == "quarter":
            q = (period.start.month - 1) // 3 + 1
            y = period.start.year
            prev = (y, q - 1) if q > 1 else (y - 1, 4)
            nxt = (y, q + 1) if q < 4 else (y + 1, 1)
            return ({"period": "quarter", "year": prev[0], "quarter": prev[1]},
                    {"period": "quarter", "year": nxt[0], "quarter": nxt[1]})
        if period.kind == "month":
            before = period.start - timedelta(days=1)
            after = period.end + timedelta(days=1)
            return ({"period": "month", "year": before.year, "month": before.month},
                    {"period": "month", "year": after.year, "month": after.month})
        return None, None


def skill_area_choices():
    areas = (
        Skill.objects.exclude(category="").order_by("category").values_list("category", flat=True).distinct()
    )
    return [("", _("Default rate (every other area)"))] + [(a, a) for a in areas]


class ExternalRateForm(forms.Form):
    skill_area = forms.ChoiceField(label=_("Skill area"), required=False)
    hourly_rate = DecimalCommaField(
        label=_("External hourly rate (€, excl. VAT)"), max_digits=7, decimal_places=2,
        min_value=ExternalRate._meta.get_field("hourly_rate").validators[0].limit_value,
        max_value=99999,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill_area"].choices = skill_area_choices()

    def clean_skill_area(self):
        value = self.cleaned_data.get("skill_area") or ""
        if len(value) > 100:
            raise ValidationError(_("Choose a skill area from the list."))
        return value
