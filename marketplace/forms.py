from decimal import Decimal

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from marketplace import uploads
from marketplace.models import Assignment, Engagement
from marketplace.services import ASSIGNMENT_FIELDS
from members.forms import DateInput
from members.models import Organisation, Skill


# --- Fast rendering for the list page's filter form ----------------------------------
#
# Django renders every widget and every option through the template engine;
# for a filter form with some fifty options that is most of the page's
# rendering time. These produce the same markup (labels, fieldsets,
# aria-describedby) with plain string building.


def _groups(choices):
    """(group label or None, [(value, label), ...]) for flat or grouped choices."""
    flat = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            if flat:
                yield None, flat
                flat = []
            yield value, label
        else:
            flat.append((value, label))
    if flat:
        yield None, flat


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = {str(v) for v in self.format_value(value)}
        options = []
        for group, items in _groups(self.choices):
            rendered = format_html_join(
                "", "<option value=\"{}\"{}>{}</option>",
                ((v, mark_safe(" selected") if str(v) in selected else "", label) for v, label in items),
            )
            options.append(format_html('<optgroup label="{}">{}</optgroup>', group, rendered) if group else rendered)
        return format_html("<select name=\"{}\"{}>{}</select>", name, flatatt(attrs), mark_safe("".join(options)))


class FastCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.pop("id", None) or f"id_{name}"
        selected = {str(v) for v in self.format_value(value)}
        parts = []
        for g, (group, items) in enumerate(_groups(self.choices)):
            boxes = format_html_join(
                "",
                '<div><label for="{0}_{1}_{2}"><input type="checkbox" name="{3}" value="{4}" id="{0}_{1}_{2}"{5}> {6}</label></div>',
                ((base_id, g, i, name, v, mark_safe(" checked") if str(v) in selected else "", label)
                 for i, (v, label) in enumerate(items)),
            )
            parts.append(format_html("<fieldset><legend>{}</legend>{}</fieldset>", group, boxes) if group else boxes)
        return format_html('<div id="{}"{}>{}</div>', base_id, flatatt(attrs), mark_safe("".join(parts)))


def render_field_group(bound_field) -> SafeString:
    """What ``{{ field.as_field_group }}`` renders (label or legend, help
    text, errors, widget), built without the template engine."""
    field = bound_field.field
    errors = bound_field.errors
    classes = "field" + (" field--error" if errors else "") + (" field--required" if field.required else "")
    help_html = (
        format_html('<div class="helptext" id="{}_helptext">{}</div>', bound_field.auto_id, field.help_text)
        if field.help_text else ""
    )
    errors_html = (
        format_html('<ul class="errorlist" id="{}_error">{}</ul>', bound_field.auto_id, format_html_join("", "<li>{}</li>", ((e,) for e in errors)))
        if errors else ""
    )
    widget_html = bound_field.as_widget()
    suffix = bound_field.form.label_suffix or ""
    if bound_field.use_fieldset:
        described = bound_field.aria_describedby
        return format_html(
            '<div class="{}"><fieldset{}><legend>{}{}</legend>{}{}{}</fieldset></div>',
            classes, flatatt({"aria-describedby": described}) if described else "",
            bound_field.label, suffix, help_html, errors_html, widget_html,
        )
    if isinstance(field.widget, forms.CheckboxInput):
        return format_html(
            '<div class="{}">{}<label for="{}">{} {}</label>{}</div>',
            classes, errors_html, bound_field.id_for_label, widget_html, bound_field.label, help_html,
        )
    return format_html(
        '<div class="{}"><label for="{}">{}{}</label>{}{}{}</div>',
        classes, bound_field.id_for_label, bound_field.label, suffix, help_html, errors_html, widget_html,
    )


class RenderedFields:
    """``{{ rendered.name }}`` in a template: the field group of ``name``."""

    def __init__(self, form):
        self.form = form

    def __getitem__(self, name):
        if name not in self.form.fields:
            raise KeyError(name)
        return render_field_group(self.form[name])


class GroupedSkillIterator(ModelChoiceIterator):
    """Skills grouped by their category (the widget renders each group with
    its own heading)."""

    def __iter__(self):
        groups: dict[str, list] = {}
        for skill in self.queryset:
            groups.setdefault(skill.category or "", []).append(self.choice(skill))
        yield from groups.items()


class SkillsField(forms.ModelMultipleChoiceField):
    iterator = GroupedSkillIterator
    widget = FastCheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(queryset=Skill.objects.order_by("category", "name"), **kwargs)


# --- Assignments ----------------------------------------------------------------


class AssignmentForm(forms.ModelForm):
    """Create or change an assignment. The checks the service makes again are
    here too, so mistakes show at the field before anything is saved."""

    organisation = forms.ModelChoiceField(
        label=_("Hiring organisation"), queryset=Organisation.objects.none(), empty_label=None,
        help_text=_("You coordinate for more than one organisation: choose who posts this."),
    )
    required_skills = SkillsField(label=_("Required skills"))
    nice_skills = SkillsField(label=_("Nice-to-have skills"))

    class Meta:
        model = Assignment
        fields = [*ASSIGNMENT_FIELDS, "required_skills", "nice_skills"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 10}),
            "hours_per_week": forms.NumberInput(attrs={"step": "0.5", "min": "1", "max": "40"}),
            "positions": forms.NumberInput(attrs={"min": "1", "max": "50"}),
            "rate_ceiling": forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
            "internal_first_days": forms.NumberInput(attrs={"min": "0", "max": "5"}),
            "work_mode": forms.RadioSelect,
            "start_date": DateInput(),
            "end_date": DateInput(),
            "application_deadline": DateInput(),
        }

    def __init__(self, *args, organisations=None, **kwargs):
        """``organisations``: the ones the person may post for (create only);
        the field is left out when there is a single one."""
        super().__init__(*args, **kwargs)
        if organisations is None or len(organisations) <= 1:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=[o.pk for o in organisations]
            )
            self.order_fields(["organisation"])
        if self.instance.pk and self.instance.status != Assignment.Status.DRAFT:
            field = self.fields["internal_first_days"]
            field.disabled = True
            field.help_text = _("The internal-first window cannot change after publication.")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        deadline = data.get("application_deadline")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        if deadline and end and deadline > end:
            self.add_error("application_deadline", _("The deadline must be before the assignment ends."))
        if deadline and deadline < timezone.localdate() and "application_deadline" in self.changed_data:
            self.add_error("application_deadline", _("The deadline is in the past."))
        required, nice = data.get("required_skills"), data.get("nice_skills")
        if required and nice:
            both = set(required) & set(nice)
            if both:
                self.add_error(
                    "nice_skills",
                    _("A skill cannot be both required and nice to have: %(skills)s.")
                    % {"skills": ", ".join(sorted(s.name for s in both))},
                )
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ASSIGNMENT_FIELDS if name in self.cleaned_data}


class AssignmentCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the cancellation."),
    )


# --- Applications ---------------------------------------------------------------


def _money(amount) -> str:
    return formats.number_format(amount, decimal_pos=2, use_l10n=True)


class ApplicationForm(forms.Form):
    motivation = forms.CharField(
        label=_("Motivation"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Why you, and what you bring to this assignment."),
    )
    availability = forms.CharField(
        label=_("Availability"), max_length=500,
        help_text=_("For example: Tuesdays and Thursdays, from 1 March."),
    )
    proposed_rate = forms.DecimalField(
        label=_("Proposed hourly rate (ZZP)"), max_digits=7, decimal_places=2,
        min_value=Decimal("0.01"), required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
        help_text=_("In euros, excluding VAT."),
    )
    rate_note = forms.CharField(
        label=_("Explanation of the rate"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when your rate is above the maximum of the assignment."),
    )
    cv = forms.FileField(
        label=_("CV or portfolio (PDF, optional)"), required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("PDF only, at most 5 MB. Only the coordinators of this assignment can open it."),
    )

    def __init__(self, *args, zzp: bool = False, rate_ceiling: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zzp = zzp
        self.rate_ceiling = rate_ceiling
        if zzp:
            self.fields["proposed_rate"].required = True
            if rate_ceiling:
                self.fields["proposed_rate"].help_text = _(
                    "In euros, excluding VAT. The maximum for this assignment is € %(ceiling)s."
                ) % {"ceiling": _money(rate_ceiling)}
        else:
            del self.fields["proposed_rate"]
            del self.fields["rate_note"]

    def clean_cv(self):
        upload = self.cleaned_data.get("cv")
        if upload:
            uploads.validate_pdf(upload)
            uploads.anonymise_name(upload)
        return upload

    def clean(self):
        data = super().clean()
        rate = data.get("proposed_rate")
        if (
            self.zzp and rate and self.rate_ceiling and rate > self.rate_ceiling
            and not (data.get("rate_note") or "").strip()
        ):
            self.add_error(
                "rate_note",
                _("Your rate is above the maximum of € %(ceiling)s: explain why in the note.")
                % {"ceiling": _money(self.rate_ceiling)},
            )
        return data


class ApplicationRejectForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the applicant"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The applicant receives this message. Be kind and specific."),
    )

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Write a short message to the applicant."))
        return message


class ApplicationAcceptForm(forms.Form):
    vat_treatment = forms.ChoiceField(
        label=_("VAT"), choices=Engagement.VatTreatment.choices,
        initial=Engagement.VatTreatment.STANDARD, widget=forms.RadioSelect,
    )
    vat_exemption_reason = forms.CharField(
        label=_("Legal ground for the VAT exemption"), max_length=300, required=False,
        help_text=_("Required when the invoices are exempt from or outside the scope of VAT; "
                    "it is printed on the invoice."),
    )

    def clean(self):
        data = super().clean()
        treatment = data.get("vat_treatment")
        if (
            treatment and treatment != Engagement.VatTreatment.STANDARD
            and not (data.get("vat_exemption_reason") or "").strip()
        ):
            self.add_error("vat_exemption_reason", _("Give the legal ground for the VAT exemption."))
        return data
