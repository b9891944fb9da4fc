"""The Django admin for training. Enrolments, attendance and completions
change through the site's pages (the services keep the waiting list and
the audit trail right), so the admin shows them read-only."""

from django.contrib import admin

from training.models import CalendarFeed, Completion, Enrolment, Module, Session


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "track", "level", "duration_hours", "provider_organisation", "provider_name",
                    "required_for_zzp", "active"]
    list_filter = ["track", "level", "required_for_zzp", "active"]
    list_select_related = ["provider_organisation"]
    search_fields = ["title", "provider_name"]
    filter_horizontal = ["prerequisites"]
    autocomplete_fields = ["provider_organisation"]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    fields = ["member", "status", "waitlist_position", "created_at", "promoted_at", "cancelled_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["module", "starts_at", "ends_at", "location", "trainer_name", "capacity",
                    "enrolment_deadline", "cancelled_at", "reminder_sent_at"]
    list_filter = ["module__track", "module"]
    list_select_related = ["module"]
    search_fields = ["module__title", "location", "trainer_name"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["trainer", "created_by"]
    readonly_fields = ["cancelled_at", "cancelled_reason", "reminder_sent_at", "created_by", "created_at", "updated_at"]
    inlines = [EnrolmentInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["member", "session", "status", "waitlist_position", "created_at", "promoted_at", "cancelled_at"]
    list_filter = ["status", "session__module"]
    list_select_related = ["member__user", "session__module"]
    search_fields = ["member__user__email", "member__user__last_name", "session__module__title"]
    raw_id_fields = ["session", "member", "attendance_marked_by"]
    readonly_fields = ["status", "waitlist_position", "created_at", "promoted_at", "cancelled_at",
                       "attendance_marked_at", "attendance_marked_by"]


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    list_display = ["member", "module", "completed_on", "verified_by", "verification_code"]
    list_filter = ["module"]
    list_select_related = ["member__user", "module", "verified_by"]
    search_fields = ["member__user__email", "member__user__last_name", "module__title", "verification_code"]
    raw_id_fields = ["member", "session", "verified_by"]
    readonly_fields = ["member", "module", "session", "completed_on", "verified_by", "verification_code", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Shows who has a feed, never the secret token."""

    list_display = ["member", "created_at"]
    list_select_related = ["member__user"]
    search_fields = ["member__user__email", "member__user__last_name"]
    fields = ["member", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
