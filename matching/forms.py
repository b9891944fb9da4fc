from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import EmailPreference, Frequency, SavedSearch


class SavedSearchForm(forms.Form):
    """The name and alert of a saved search; its filters are the assignment
    list's filter form, on the same page (``matching.searches``)."""

    name = forms.CharField(
        label=_("Name of this search"), max_length=SavedSearch._meta.get_field("name").max_length,
        help_text=_("For example: Omgevingswet near Tilburg."),
    )
    alert = forms.BooleanField(label=_("Send me new assignments for this search by e-mail"), required=False)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices, initial=Frequency.WEEKLY)


class EmailPreferenceForm(forms.Form):
    digest_frequency = forms.ChoiceField(
        label=_("Digest of recommended assignments"),
        choices=EmailPreference.DigestFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("New assignments recommended for you, in one e-mail."),
    )
    saved_search_alerts = forms.BooleanField(
        label=_("Alerts for my saved searches"),
        help_text=EmailPreference._meta.get_field("saved_search_alerts").help_text,
        required=False,
    )


class CandidateInviteForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the member (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you think they fit; they see it with the invitation."),
    )


class AssignmentTrainingForm(forms.Form):
    modules = forms.ModelMultipleChoiceField(
        label=_("Training modules asked for"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members who completed these modules score higher for this assignment."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from training.models import Module

        self.fields["modules"].queryset = Module.objects.filter(active=True).order_by("track", "level", "title")
