"""External rates in the Django admin; changes go through the same services
as the page (audit trail)."""

from django.contrib import admin

from insight import services
from insight.models import ExternalRate


@admin.register(ExternalRate)
class ExternalRateAdmin(admin.ModelAdmin):
    list_display = ["skill_area", "hourly_rate", "updated_by", "updated_at"]
    fields = ["skill_area", "hourly_rate"]
    search_fields = ["skill_area"]

    def save_model(self, request, obj, form, change):
        if change and "skill_area" in form.changed_data:
            old = ExternalRate.objects.get(pk=obj.pk)
            services.external_rate_delete(actor=request.user, rate=old)
        saved = services.external_rate_set(actor=request.user, skill_area=obj.skill_area, hourly_rate=obj.hourly_rate)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.external_rate_delete(actor=request.user, rate=obj)

    def delete_queryset(self, request, queryset):
        for rate in queryset:
            services.external_rate_delete(actor=request.user, rate=rate)
