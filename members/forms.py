from decimal import Decimal

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Invitation, MemberProfile, Organisation, Release, Skill
from members.validators import normalise_digits, validate_release_days

MAX_TAGS = 15


class DecimalCommaField(forms.DecimalField):
    """A decimal number that also accepts the Dutch decimal comma ("7,5")."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _upper_no_spaces(value: str) -> str:
    return (value or "").replace(" ", "").replace(".", "").upper()


class IdentifierCleaningMixin:
    """Accept identifiers the way people type them (spaces, dots, lower case)."""

    digit_fields: tuple[str, ...] = ()
    upper_fields: tuple[str, ...] = ()

    def _clean_fields(self):
        for name in self.digit_fields:
            key = self.add_prefix(name)
            if key in self.data:
                self.data = self.data.copy()
                self.data[key] = normalise_digits(self.data[key])
        for name in self.upper_fields:
            key = self.add_prefix(name)
            if key in self.data:
                self.data = self.data.copy()
                self.data[key] = _upper_no_spaces(self.data[key])
        super()._clean_fields()


class SignupExtraForm(forms.Form):
    """Extra fields on allauth's sign-up form (invited people only)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.language = getattr(request, "LANGUAGE_CODE", "nl") or "nl"
        user.save(update_fields=["first_name", "last_name", "language"])


class OrganisationForm(IdentifierCleaningMixin, forms.ModelForm):
    digit_fields = ("kvk_number", "oin")
    upper_fields = ("vat_number", "iban")

    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [
            "name", "kind", "street", "postal_code", "city", "kvk_number", "oin",
            "vat_number", "iban", "invoice_email", "zpp_hourly_rate", "website",
        ]


class TagListField(SimpleArrayField):
    def __init__(self, **kwargs):
        super().__init__(forms.CharField(max_length=50), max_length=MAX_TAGS, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        # Allow "a, b,, c " without complaining about empty items.
        value = ",".join(item.strip() for item in (value or "").split(",") if item.strip())
        return super().to_python(value)


class ProfileForm(IdentifierCleaningMixin, forms.ModelForm):
    digit_fields = ("business_kvk",)
    upper_fields = ("business_vat", "business_iban")

    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    tags = TagListField(
        label=_("Free tags"), required=False,
        help_text=_("Separated by commas, at most 15. For example: omgevingswet, stikstof"),
    )
    core_qualities = TagListField(
        label=_("Core qualities"), required=False,
        help_text=_("Separated by commas. For example: verbinder, analytisch, doortastend"),
    )

    class Meta:
        model = MemberProfile
        fields = [
            "job_title", "bio", "skills", "tags", "core_qualities",
            "entrepreneurship_level", "availability_notes",
            "own_hourly_rate", "business_name", "business_kvk", "business_vat", "business_iban",
            "business_street", "business_postal_code", "business_city",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}


class ReleaseRequestForm(forms.ModelForm):
    variant = forms.ChoiceField(
        label=_("Variant"),
        choices=Release.Variant.choices,
        initial=Release.Variant.ZPP,
        widget=forms.RadioSelect,
    )
    days_per_week = forms.DecimalField(
        label=_("Released days per week"),
        min_value=Decimal("0.5"),
        max_value=Decimal("3"),
        max_digits=2,
        decimal_places=1,
        validators=[validate_release_days],
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "3"}),
        help_text=_("Between 0.5 and 3 days, in steps of half a day."),
    )

    class Meta:
        model = Release
        fields = ["days_per_week", "variant", "start_date", "end_date", "motivation"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "motivation": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("The end date must be after the start date."))
        if end and end < timezone.localdate():
            self.add_error("end_date", _("This period has already ended."))
        return data

    def _post_clean(self):
        # Model validation happens in the service; a ModelForm would try to
        # validate an instance without a member.
        pass


class ReleaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject; the member receives it by e-mail."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please give a reason, so the member knows why."))
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Invitation._meta.get_field("role").choices,
        widget=forms.RadioSelect,
    )


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
    )
