"""Filters for the list pages. The whole filter state lives in the query
string (a GET form), so a search can be bookmarked and shared."""

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace import selectors
from marketplace.forms import FastCheckboxSelectMultiple, FastSelect, RenderedFields
from marketplace.models import Application, Assignment, WorkMode
from members.forms import DateInput
from members.models import Organisation, Skill
from members.roles import roles_of

FILTER_CHOICES_CACHE_KEY = "marketplace:assignment-filter-choices:v1"
FILTER_CHOICES_TIMEOUT = 5 * 60

SORT_RELEVANCE, SORT_NEWEST, SORT_DEADLINE = "relevance", "newest", "deadline"
SORT_CHOICES = [
    (SORT_RELEVANCE, _("Best match")),
    (SORT_NEWEST, _("Newest first")),
    (SORT_DEADLINE, _("Deadline soonest")),
]
# Present in the query string when the filter form itself was submitted; then
# an unticked "open only" box means "show closed ones too". Without it (a
# first visit, a shared link without the box) the defaults apply.
SUBMITTED_MARKER = "f"


def assignment_filter_choices() -> dict:
    """Skills (grouped by category), organisations and places for the
    filter form, cached for a few minutes so the list page does not pay a
    query per choice list."""
    choices = cache.get(FILTER_CHOICES_CACHE_KEY)
    if choices is None:
        skills: dict[str, list] = {}
        for pk, name, category in Skill.objects.order_by("category", "name").values_list("pk", "name", "category"):
            skills.setdefault(category or "", []).append((str(pk), name))
        choices = {
            "skills": list(skills.items()),
            "organisations": [
                (str(pk), name) for pk, name in Organisation.objects.order_by("name").values_list("pk", "name")
            ],
            "places": list(
                Assignment.objects.filter(status=Assignment.Status.PUBLISHED)
                .order_by("place")
                .values_list("place", flat=True)
                .distinct()[:500]
            ),
        }
        cache.set(FILTER_CHOICES_CACHE_KEY, choices, FILTER_CHOICES_TIMEOUT)
    return choices


def forget_assignment_filter_choices() -> None:
    cache.delete(FILTER_CHOICES_CACHE_KEY)


class AssignmentFilter(django_filters.FilterSet):
    """The assignment list: full-text search in Dutch over the stored search
    vector (GIN index), filters, and the sort order."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_nothing", max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("For example: omgevingswet vergunning")}),
    )
    skills = django_filters.MultipleChoiceFilter(
        label=_("Required skills"), method="filter_skills", widget=FastCheckboxSelectMultiple, distinct=False,
        help_text=_("Assignments that require at least one of the chosen skills."),
    )
    organisation = django_filters.ChoiceFilter(
        label=_("Organisation"), field_name="organisation_id", empty_label=_("All organisations"), widget=FastSelect,
    )
    hours_min = django_filters.NumberFilter(
        label=_("Hours per week, at least"), field_name="hours_per_week", lookup_expr="gte",
        min_value=0, max_value=40, widget=forms.NumberInput(attrs={"min": "0", "max": "40", "step": "0.5"}),
    )
    hours_max = django_filters.NumberFilter(
        label=_("Hours per week, at most"), field_name="hours_per_week", lookup_expr="lte",
        min_value=0, max_value=40, widget=forms.NumberInput(attrs={"min": "0", "max": "40", "step": "0.5"}),
    )
    period_from = django_filters.DateFilter(
        label=_("Available from"), field_name="end_date", lookup_expr="gte", widget=DateInput(),
        help_text=_("Assignments still running on or after this date."),
    )
    period_to = django_filters.DateFilter(
        label=_("Available until"), field_name="start_date", lookup_expr="lte", widget=DateInput(),
        help_text=_("Assignments starting on or before this date."),
    )
    place = django_filters.CharFilter(
        label=_("Place"), field_name="place", lookup_expr="iexact",
        widget=forms.TextInput(attrs={"list": "place-options", "autocomplete": "off"}),
    )
    work_mode = django_filters.MultipleChoiceFilter(
        label=_("Where"), choices=WorkMode.choices, widget=FastCheckboxSelectMultiple, distinct=False,
    )
    open = django_filters.BooleanFilter(
        label=_("Open for applications only"), method="filter_open", widget=forms.CheckboxInput,
    )
    fits = django_filters.BooleanFilter(
        label=_("Fits my release"), method="filter_fits", widget=forms.CheckboxInput,
        help_text=_("Needs no more hours a week than I have left."),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, method="filter_nothing", empty_label=None, widget=FastSelect,
    )

    class Meta:
        model = Assignment
        fields: list[str] = []

    def __init__(self, data=None, *args, request=None, **kwargs):
        if data is not None:
            data = data.copy()
            if SUBMITTED_MARKER not in data:
                data["open"] = "on"
            q = (data.get("q") or "").strip()
            if data.get("sort") not in dict(SORT_CHOICES) or (data["sort"] == SORT_RELEVANCE and not q):
                data["sort"] = SORT_RELEVANCE if q else SORT_NEWEST
        super().__init__(data, *args, request=request, **kwargs)
        choices = assignment_filter_choices()
        self.filters["skills"].extra["choices"] = choices["skills"]
        self.filters["organisation"].extra["choices"] = choices["organisations"]
        self.places = choices["places"]
        self.is_member = bool(request and roles_of(request.user).is_member)
        if not self.is_member:
            del self.filters["fits"]

    @property
    def rendered(self) -> RenderedFields:
        """The form's field groups for the template, rendered in Python."""
        return RenderedFields(self.form)

    # --- filter methods ----------------------------------------------------

    def filter_nothing(self, queryset, name, value):
        """Search and sort are applied in ``filter_queryset``, after the rest."""
        return queryset

    def filter_skills(self, queryset, name, value):
        through = Assignment.required_skills.through
        return queryset.filter(
            Exists(through.objects.filter(assignment_id=OuterRef("pk"), skill_id__in=[int(v) for v in value]))
        )

    def filter_open(self, queryset, name, value):
        if value:
            return queryset.filter(application_deadline__gte=timezone.localdate())
        return queryset

    def filter_fits(self, queryset, name, value):
        if value and self.is_member:
            return queryset.filter(hours_per_week__lte=selectors.hours_left_now_for_user(self.request.user))
        return queryset

    # --- search and order ----------------------------------------------------

    @property
    def search_terms(self) -> str:
        if not self.is_bound:
            return ""
        self.form.is_valid()
        return (self.form.cleaned_data.get("q") or "").strip()

    @property
    def sort_order(self) -> str:
        sort = self.form.cleaned_data.get("sort") if self.is_bound else None
        if sort == SORT_RELEVANCE and not self.search_terms:
            return SORT_NEWEST
        return sort or (SORT_RELEVANCE if self.search_terms else SORT_NEWEST)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        terms = self.search_terms
        if terms:
            query = SearchQuery(terms, config="dutch", search_type="websearch")
            # ``search_vector=query`` becomes ``search_vector @@ query``: the GIN index.
            queryset = queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
        sort = self.sort_order
        if sort == SORT_RELEVANCE:
            return queryset.order_by("-rank", "-published_at", "-pk")
        if sort == SORT_DEADLINE:
            return queryset.order_by("application_deadline", "-published_at", "-pk")
        return queryset.order_by("-published_at", "-pk")


class InboxFilter(django_filters.FilterSet):
    assignment = django_filters.ChoiceFilter(
        label=_("Assignment"), field_name="assignment_id", empty_label=_("All assignments")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Application.Status.choices, empty_label=_("All statuses")
    )

    class Meta:
        model = Application
        fields: list[str] = []

    def __init__(self, data=None, *args, assignments=(), **kwargs):
        """``assignments``: (pk, title) pairs the filter offers."""
        super().__init__(data, *args, **kwargs)
        self.filters["assignment"].extra["choices"] = [(str(pk), title) for pk, title in assignments]
