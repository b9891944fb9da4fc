"""The Django admin for the marketplace. States change through the services
(the site's pages), so the admin shows them read-only; searching is on
titles and names, never on the long descriptions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from marketplace.models import Application, Assignment, AssignmentInvitation, Engagement, Offer


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "title", "organisation", "status", "hours_per_week", "positions", "start_date", "end_date",
        "application_deadline", "internal_first_days", "published_at",
    ]
    list_filter = ["status", "work_mode", "internal_first_days", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["title", "place", "organisation__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["required_skills", "nice_skills"]
    readonly_fields = [
        "status", "published_at", "province_wide_at", "closed_at", "created_by", "created_at", "updated_at",
    ]
    fieldsets = (
        (None, {"fields": ("organisation", "title", "description", "required_skills", "nice_skills")}),
        (_("Work"), {"fields": (
            "hours_per_week", "positions", "start_date", "end_date", "place", "work_mode", "rate_ceiling",
        )}),
        (_("Applying"), {"fields": ("application_deadline", "contact_name", "contact_email", "internal_first_days")}),
        (_("Life cycle"), {"fields": (
            "status", "published_at", "province_wide_at", "closed_at", "created_by", "created_at", "updated_at",
        )}),
    )
    show_full_result_count = False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["member", "assignment", "status", "source", "proposed_rate", "created_at", "decided_at"]
    list_filter = ["status", "source", "assignment__organisation"]
    list_select_related = ["member__user", "assignment"]
    search_fields = [
        "assignment__title", "member__user__email", "member__user__first_name", "member__user__last_name",
    ]
    date_hierarchy = "created_at"
    raw_id_fields = ["assignment", "member"]
    readonly_fields = ["status", "source", "decided_by", "decided_at", "created_at", "updated_at"]
    show_full_result_count = False


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = [
        "member", "hiring_organisation", "home_organisation", "variant", "agreed_rate", "hours_per_week",
        "start_date", "end_date", "vat_treatment",
    ]
    list_filter = ["variant", "vat_treatment", "source", "hiring_organisation"]
    list_select_related = ["member__user", "hiring_organisation", "home_organisation"]
    search_fields = [
        "member__user__email", "member__user__last_name", "hiring_organisation__name", "assignment__title",
    ]
    date_hierarchy = "start_date"
    raw_id_fields = ["assignment", "application", "member"]
    readonly_fields = ["source", "created_by", "created_at"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["title", "member", "status", "hours_per_week", "available_from", "available_until", "work_mode"]
    list_filter = ["status", "work_mode"]
    list_select_related = ["member__user"]
    search_fields = ["title", "member__user__email", "member__user__last_name"]
    raw_id_fields = ["member"]
    filter_horizontal = ["skills"]
    readonly_fields = ["status", "created_at", "updated_at"]


@admin.register(AssignmentInvitation)
class AssignmentInvitationAdmin(admin.ModelAdmin):
    list_display = ["member", "assignment", "status", "source", "invited_by", "created_at"]
    list_filter = ["status", "source"]
    list_select_related = ["member__user", "assignment", "invited_by"]
    search_fields = ["assignment__title", "member__user__email", "member__user__last_name"]
    raw_id_fields = ["assignment", "member", "offer"]
    readonly_fields = ["status", "source", "invited_by", "created_at"]
