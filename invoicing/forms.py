"""Forms for hours and invoices. They only parse what people type; the rules
(quarter hours, 24 hours a day, the release budget, who may do what) live in
``invoicing.services`` and come back as ``DomainError`` at the field named."""

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from members.forms import DateInput, DecimalCommaField
from members.models import Organisation

HOURS_STEP = "0.25"


class HoursField(DecimalCommaField):
    """Hours as a number; accepts a Dutch decimal comma ("7,5") too."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False, max_digits=5, decimal_places=2,
            widget=forms.NumberInput(attrs={"step": HOURS_STEP, "min": "0", "max": "24", "inputmode": "decimal"}),
            **kwargs,
        )


def hours_display(value: Decimal | None) -> str:
    """7.50 → "7.5", 8.00 → "8" (as the input shows it, with a dot)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


class WeekRowForm(forms.Form):
    """One engagement's row in the week grid: per day an hours field
    ``hours_<YYYY-MM-DD>`` (the name ``services.week_save`` uses in its
    errors) and a short description ``description_<YYYY-MM-DD>``. Days
    outside the engagement get no fields."""

    def __init__(self, *args, engagement, days: list[date], entries=(), **kwargs):
        initial = {}
        for entry in entries:
            initial[f"hours_{entry.date.isoformat()}"] = hours_display(entry.hours)
            initial[f"description_{entry.date.isoformat()}"] = entry.description
        super().__init__(*args, initial=initial, **kwargs)
        self.engagement = engagement
        self.days = [d for d in days if engagement.start_date <= d <= engagement.end_date]
        who = engagement.assignment.title if engagement.assignment_id else engagement.hiring_organisation.name
        for day in self.days:
            when = formats.date_format(day, "l j F")
            self.fields[f"hours_{day.isoformat()}"] = HoursField(
                label=_("Hours for %(engagement)s on %(day)s") % {"engagement": who, "day": when}
            )
            self.fields[f"description_{day.isoformat()}"] = forms.CharField(
                required=False, max_length=200, widget=forms.TextInput(attrs={"placeholder": _("what you did")}),
                label=_("What you did for %(engagement)s on %(day)s") % {"engagement": who, "day": when},
            )

    def has_hours(self) -> bool:
        return any(self.cleaned_data.get(f"hours_{d.isoformat()}") for d in self.days)

    def days_data(self) -> dict[date, tuple[Decimal | None, str]]:
        """What ``services.week_save`` takes: per day (hours or None, description)."""
        return {
            day: (
                self.cleaned_data.get(f"hours_{day.isoformat()}"),
                (self.cleaned_data.get(f"description_{day.isoformat()}") or "").strip(),
            )
            for day in self.days
        }


class MonthField(forms.DateField):
    """A month as ``<input type="month">`` ("2026-01"), cleaned to its first day."""

    input_formats = ["%Y-%m"]

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m", attrs={"type": "month"}))
        kwargs.setdefault("help_text", _("Year and month, for example 2026-01."))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


def last_month() -> date:
    """The first day of the previous month: what a run usually invoices."""
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


class MonthSubmitForm(forms.Form):
    month = MonthField(label=_("Month"))


class ReasonForm(forms.Form):
    """Rejecting hours or a draft invoice: the reason goes back to the person."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say what has to change; the person sees this text."),
    )


class InvoiceRunForm(forms.Form):
    """Start the invoice run for a month. HR runs it for an organisation they
    are HR of; an administrator may also leave the organisation empty (all)."""

    month = MonthField(label=_("Month to invoice"))
    organisation = forms.ModelChoiceField(
        label=_("Issuing organisation"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("All organisations"),
    )

    def __init__(self, *args, organisations, allow_all: bool, **kwargs):
        kwargs.setdefault("initial", {"month": last_month()})
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations
        field.required = not allow_all
        if not allow_all:
            field.empty_label = None


class InvoiceFilterForm(forms.Form):
    """The invoice list's filters (GET)."""

    DIRECTIONS = [("", _("Issued and received")), ("issued", _("Issued")), ("received", _("Received"))]
    OVERDUE = "overdue"

    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTIONS, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    month = MonthField(label=_("Month invoiced"), required=False)

    def __init__(self, *args, **kwargs):
        from invoicing.models import Invoice

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *Invoice.Status.choices, (self.OVERDUE, _("Overdue"))]


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CreditNoteForm(forms.Form):
    """Reverse an approved invoice, fully or for the chosen lines."""

    lines = forms.MultipleChoiceField(
        label=_("Lines to credit"), widget=forms.CheckboxSelectMultiple,
        help_text=_("All lines credits the whole invoice."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    free_hours = forms.BooleanField(
        label=_("Free the hours for re-invoicing"), required=False,
        help_text=_("The next invoice run invoices the credited hours again (for example after a rate correction)."),
    )

    def __init__(self, *args, invoice_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice_lines = list(invoice_lines)
        self.fields["lines"].choices = [
            (str(line.pk), f"{line.description} · {hours_display(line.quantity)} h × € {line.unit_price}")
            for line in self.invoice_lines
        ]
        self.fields["lines"].initial = [str(line.pk) for line in self.invoice_lines]

    def line_ids(self) -> list[int] | None:
        """None for the whole invoice, else the chosen lines' ids."""
        chosen = {int(pk) for pk in self.cleaned_data["lines"]}
        if chosen == {line.pk for line in self.invoice_lines}:
            return None
        return sorted(chosen)


class OverviewForm(forms.Form):
    """Which organisation and year the HR overview shows."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
