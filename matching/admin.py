from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from matching.models import AssignmentTraining, EmailPreference, SavedSearch, Suggestion
from matching.reasons import reason_line


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """Written by the matching jobs: read-only here (dismissing is the
    member's own action)."""

    list_display = ["member", "assignment", "score", "reasons_text", "dismissed_at", "created_at"]
    list_filter = ["dismissed_at"]
    search_fields = ["member__user__email", "member__user__last_name", "assignment__title"]
    list_select_related = ["member__user", "assignment"]
    raw_id_fields = ["member", "assignment"]
    readonly_fields = ["member", "assignment", "score", "reasons", "reasons_text", "dismissed_at", "created_at",
                       "updated_at"]

    @admin.display(description=_("reasons"))
    def reasons_text(self, obj):
        return reason_line(obj.reasons)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AssignmentTraining)
class AssignmentTrainingAdmin(admin.ModelAdmin):
    list_display = ["assignment", "module"]
    raw_id_fields = ["assignment"]
    list_select_related = ["assignment", "module"]


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "member", "alert", "frequency", "last_sent_at"]
    list_filter = ["alert", "frequency"]
    raw_id_fields = ["member"]
    list_select_related = ["member__user"]


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["member", "digest_frequency", "saved_search_alerts", "digest_sent_at", "unsubscribed_at"]
    list_filter = ["digest_frequency", "saved_search_alerts"]
    raw_id_fields = ["member"]
    list_select_related = ["member__user"]
