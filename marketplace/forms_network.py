"""Forms for members marketing themselves (offers), the directory of available
members and invitations to apply. Validation of the rules lives in the
services; these forms check types and obvious mistakes at the field."""

from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy as _

from marketplace.models import Assignment, Offer
from members.forms import DateInput
from members.models import Organisation, Skill

MAX_QUERY_LENGTH = 200


class OfferForm(forms.ModelForm):
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Coordinators find your offer by these skills."),
    )
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"),
        min_value=Decimal("1"),
        max_value=Decimal("40"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "1", "max": "40"}),
    )

    class Meta:
        model = Offer
        fields = [
            "title", "description", "skills", "hours_per_week",
            "available_from", "available_until", "work_mode",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "available_from": DateInput(),
            "available_until": DateInput(),
            "work_mode": forms.RadioSelect,
        }
        help_texts = {
            "title": _("One line that says what you offer, e.g. “Project leader for the Omgevingswet”."),
            "description": _("What you can do, what you have done before and what you are looking for."),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error("available_until", _("The end date must be on or after the start date."))
        return data

    def _post_clean(self):
        # The model is validated in the service (offer_save), which also sets
        # the member; the form must not mutate the instance it was given.
        pass

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "skills"}


class OfferSearchForm(forms.Form):
    """The GET form of the offer directory; its state lives in the URL."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Words from the title or description, e.g. omgevingswet projectleider."),
    )
    skill = forms.ModelChoiceField(
        label=_("Skill"), queryset=Skill.objects.all(), required=False, empty_label=_("All skills"),
    )
    hours_min = forms.DecimalField(
        label=_("At least hours per week"), required=False, min_value=0, max_value=40,
        decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "40"}),
    )
    hours_max = forms.DecimalField(
        label=_("At most hours per week"), required=False, min_value=0, max_value=40,
        decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "40"}),
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("hours_min"), data.get("hours_max")
        if low is not None and high is not None and high < low:
            self.add_error("hours_max", _("The maximum must not be below the minimum."))
        return data


class DirectorySearchForm(forms.Form):
    """The GET form of the directory of available members."""

    name = forms.CharField(
        label=_("Name"), required=False, max_length=150,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    skill = forms.ModelChoiceField(
        label=_("Skill"), queryset=Skill.objects.all(), required=False, empty_label=_("All skills"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Home organisation"), queryset=Organisation.objects.all(), required=False,
        empty_label=_("All organisations"),
    )
    hours_min = forms.DecimalField(
        label=_("At least hours per week left"), required=False, min_value=0, max_value=40,
        decimal_places=1, widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "40"}),
    )


class InviteForm(forms.Form):
    """A coordinator invites a member to apply to one of their organisation's
    published assignments."""

    assignment = forms.ModelChoiceField(
        label=_("Assignment"), queryset=Assignment.objects.none(),
        empty_label=_("Choose an assignment"),
        help_text=_("Only your organisation's published assignments."),
    )
    message = forms.CharField(
        label=_("Message"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you think this assignment suits them (optional)."),
    )

    def __init__(self, *args, assignments=None, valid_assignments=None, **kwargs):
        """``assignments`` are offered in the list; ``valid_assignments``
        (by default the same) are accepted, so the service can explain why
        one of them is not possible (already invited, already applied)."""
        super().__init__(*args, **kwargs)
        field = self.fields["assignment"]
        field.label_from_instance = self._label
        if assignments is not None:
            field.queryset = valid_assignments if valid_assignments is not None else assignments
            shown = forms.ModelChoiceField(queryset=assignments, empty_label=field.empty_label)
            shown.label_from_instance = self._label
            field.widget.choices = shown.choices
            self._shown = assignments

    @cached_property
    def has_choices(self) -> bool:
        shown = getattr(self, "_shown", None)
        return shown.exists() if shown is not None else False

    @staticmethod
    def _label(assignment) -> str:
        return gettext("%(title)s (%(organisation)s, apply before %(deadline)s)") % {
            "title": assignment.title,
            "organisation": assignment.organisation.name,
            "deadline": formats.date_format(assignment.application_deadline, "SHORT_DATE_FORMAT"),
        }
