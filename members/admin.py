from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members import services
from members.errors import DomainError
from members.models import (
    AuditEntry,
    ErasureRequest,
    PendingTask,
    Invitation,
    Membership,
    MemberProfile,
    Notification,
    Organisation,
    Release,
    Skill,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["organisation", "role", "granted_by", "created_at"]
    readonly_fields = ["organisation", "role", "granted_by", "created_at"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "kvk_number", "zpp_hourly_rate", "invoice_email"]
    list_filter = ["kind", "city"]
    search_fields = ["name", "kvk_number", "oin", "city"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Roles change through the services, so each change is audited."""

    list_display = ["user", "role", "organisation", "granted_by", "created_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    fields = ["user", "organisation", "role"]

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            membership = services.membership_grant(
                actor=request.user, user=obj.user, organisation=obj.organisation, role=obj.role
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        obj.pk = membership.pk

    def delete_model(self, request, obj):
        services.membership_revoke(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_revoke(actor=request.user, membership=membership)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name"]


@admin.register(MemberProfile)
class MemberProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "home_organisation", "entrepreneurship_level", "own_hourly_rate", "updated_at"]
    list_filter = ["home_organisation", "entrepreneurship_level"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "tags"]
    autocomplete_fields = ["user", "home_organisation"]
    filter_horizontal = ["skills"]


def _decide(modeladmin, request, queryset, approve: bool):
    done = 0
    for release in queryset.select_related("member__home_organisation", "member__user"):
        try:
            if approve:
                services.release_approve(actor=request.user, release=release)
            else:
                services.release_reject(
                    actor=request.user, release=release,
                    reason=str(_("Rejected by an administrator.")),
                )
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{release}: {error.message}", messages.WARNING)
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(count)d release decided.", "%(count)d releases decided.", done) % {"count": done},
        )


@admin.action(description=_("Approve the selected releases"))
def approve_releases(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, approve=True)


@admin.action(description=_("Reject the selected releases"))
def reject_releases(modeladmin, request, queryset):
    _decide(modeladmin, request, queryset, approve=False)


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["member", "days_per_week", "variant", "start_date", "end_date", "status", "decided_by"]
    list_filter = ["status", "variant", "member__home_organisation"]
    search_fields = ["member__user__email", "member__user__last_name"]
    date_hierarchy = "start_date"
    actions = [approve_releases, reject_releases]
    readonly_fields = ["status", "decided_by", "decided_at", "decision_reason", "requested_at"]
    autocomplete_fields = ["member"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["email"]
    readonly_fields = ["invited_by", "accepted_at", "accepted_by", "revoked_at", "created_at", "expires_at"]

    def has_add_permission(self, request):
        return False  # invitations are sent from the organisation's page


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "target_label", "organisation"]
    list_filter = ["action", "organisation"]
    search_fields = ["actor_label", "target_label", "action"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "message", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "message"]
    date_hierarchy = "created_at"
    readonly_fields = ["user", "kind", "message", "url", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False


@admin.action(description=_("Carry out the selected erasure requests"))
def carry_out_erasure(modeladmin, request, queryset):
    from members.privacy import erase_person

    done = 0
    for erasure in queryset:
        try:
            erase_person(actor=request.user, erasure=erasure)
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{erasure}: {error.message}", messages.WARNING)
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(count)d person erased.", "%(count)d people erased.", done) % {"count": done},
        )


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ["user_label", "status", "requested_at", "handled_at", "handled_by"]
    list_filter = ["status"]
    actions = [carry_out_erasure]
    readonly_fields = ["user", "user_label", "reason", "status", "requested_at", "handled_at", "handled_by", "outcome"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """Work stored while Redis was down; sent on by a beat job when it is back."""

    list_display = ["task_name", "created_at", "attempts", "last_error"]
    readonly_fields = ["task_name", "args", "kwargs", "created_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False
