from django import forms
from django.utils.translation import gettext_lazy as _

from members.errors import DomainError
from members.models import MemberProfile, Organisation, User
from training import services
from training.models import Enrolment, Module, Session


class DateTimeInput(forms.DateTimeInput):
    """The browser's own date-and-time picker; typed in Amsterdam time."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CatalogueFilterForm(forms.Form):
    track = forms.ChoiceField(
        label=_("Track"), required=False, choices=[("", _("All tracks")), *Module.Track.choices]
    )
    level = forms.ChoiceField(
        label=_("Meant for"), required=False,
        choices=[("", _("All entrepreneurship levels")), *MemberProfile.EntrepreneurshipLevel.choices],
    )

    def filter(self, modules):
        if not self.is_valid():
            return modules
        if self.cleaned_data["track"]:
            modules = modules.filter(track=self.cleaned_data["track"])
        if self.cleaned_data["level"]:
            modules = modules.filter(levels__contains=[self.cleaned_data["level"]])
        return modules


class ModuleForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("Meant for entrepreneurship levels"),
        choices=MemberProfile.EntrepreneurshipLevel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    prerequisites = forms.ModelMultipleChoiceField(
        label=_("Builds on (prerequisites)"), required=False,
        queryset=Module.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Members can only enrol after completing these modules."),
    )

    class Meta:
        model = Module
        fields = [
            "title", "track", "level", "description", "duration_hours", "provider_organisation",
            "provider_name", "levels", "prerequisites", "required_for_zzp", "active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "duration_hours": forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Module.objects.order_by("title")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["prerequisites"].queryset = others
        self.fields["provider_organisation"].queryset = Organisation.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if "provider_organisation" in data and not data.get("provider_organisation") and not data.get("provider_name"):
            self.add_error(
                "provider_name", _("Choose the organisation that gives this module, or name the external body.")
            )
        return data


class SessionForm(forms.ModelForm):
    online_url = forms.URLField(
        label=_("Online link"), required=False, max_length=500, assume_scheme="https",
        help_text=_("Shown only to the people enrolled."),
    )
    trainer_email = forms.EmailField(
        label=_("Trainer's account (e-mail address)"), required=False,
        help_text=_("Optional: someone with an account here can then see the enrolment list and mark attendance."),
    )

    class Meta:
        model = Session
        fields = [
            "starts_at", "ends_at", "location", "online_url", "trainer_name", "trainer_email", "capacity",
            "enrolment_deadline",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "enrolment_deadline": DateTimeInput(),
            "capacity": forms.NumberInput(attrs={"min": "1"}),
        }
        help_texts = {
            "enrolment_deadline": _("Members can enrol, and cancel, until this moment."),
            "trainer_name": _("As members will see it, e.g. “Marieke Claassen (Mobiliteitscentrum)”."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.trainer_id:
            self.initial.setdefault("trainer_email", self.instance.trainer.email)

    def clean_trainer_email(self):
        email = (self.cleaned_data.get("trainer_email") or "").strip()
        if not email:
            self.instance.trainer = None
            return ""
        trainer = User.objects.filter(email__iexact=email, is_active=True).first()
        if trainer is None:
            raise forms.ValidationError(_("Nobody with this e-mail address has an account here."))
        self.instance.trainer = trainer
        return email

    def clean(self):
        """The rules that involve more than one field, shown at the field
        they concern (the service checks them again)."""
        data = super().clean()
        probe = Session(
            starts_at=data.get("starts_at"), ends_at=data.get("ends_at"),
            enrolment_deadline=data.get("enrolment_deadline"),
            location=data.get("location") or "", online_url=data.get("online_url") or "",
            trainer=self.instance.trainer if data.get("trainer_email") else None,
            trainer_name=data.get("trainer_name") or "",
        )
        try:
            services.check_session(probe)
        except DomainError as error:
            self.add_error(error.field, error.message)
        return data

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in services.SESSION_FIELDS if name in self.cleaned_data}
        data["trainer"] = self.instance.trainer if self.cleaned_data.get("trainer_email") else None
        return data


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Everyone enrolled or on the waiting list receives this by e-mail."),
    )


class AttendanceForm(forms.Form):
    """One choice per seated participant: attended or not."""

    CHOICES = [
        (Enrolment.Status.ATTENDED, _("Attended")),
        (Enrolment.Status.NO_SHOW, _("Did not attend")),
    ]

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for enrolment in enrolments:
            if enrolment.status not in Enrolment.SEATED_STATUSES:
                continue
            name = f"attendance_{enrolment.pk}"
            self.fields[name] = forms.ChoiceField(
                label=str(enrolment.member), choices=self.CHOICES, required=False,
                widget=forms.RadioSelect,
                initial=enrolment.status if enrolment.status != Enrolment.Status.ENROLLED else None,
            )
            self.rows.append((enrolment, self[name]))

    def marks(self) -> dict[int, str]:
        return {
            int(name.removeprefix("attendance_")): value
            for name, value in self.cleaned_data.items()
            if value
        }
