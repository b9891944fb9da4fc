"""The Django admin for hours and invoices.

Hours and invoices change state through the services (the site's pages), so
the admin mostly shows them. A numbered invoice is never changed or deleted
(corrections are credit notes); number sequences are never touched by hand.
Administrators start the invoice run here: the action "start the invoice run
for last month" (no selection needed) or the "Start an invoice run" page for
a chosen month and, optionally, one issuing organisation.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from invoicing import services
from invoicing.forms import InvoiceRunForm, last_month
from invoicing.models import (
    Invoice,
    InvoiceLine,
    InvoiceLineEntry,
    InvoiceRun,
    InvoiceSequence,
    Timesheet,
    TimeEntry,
)
from members.errors import DomainError
from members.models import Organisation


class ReadOnlyMixin:
    """Shown, never written through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TimeEntryInline(ReadOnlyMixin, admin.TabularInline):
    model = TimeEntry
    fields = ["date", "hours", "description"]
    readonly_fields = fields
    extra = 0


@admin.register(Timesheet)
class TimesheetAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["engagement", "week_start", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "engagement__hiring_organisation"]
    list_select_related = ["engagement__member__user", "engagement__hiring_organisation"]
    search_fields = ["engagement__member__user__email", "engagement__member__user__last_name"]
    date_hierarchy = "week_start"
    inlines = [TimeEntryInline]
    show_full_result_count = False


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["date", "member", "engagement", "hours", "description"]
    list_select_related = ["member__user", "engagement__hiring_organisation"]
    search_fields = ["member__user__email", "member__user__last_name", "description"]
    date_hierarchy = "date"
    show_full_result_count = False


class InvoiceLineInline(ReadOnlyMixin, admin.TabularInline):
    model = InvoiceLine
    fk_name = "invoice"
    fields = ["description", "engagement", "quantity", "unit_price", "vat_category", "vat_rate", "line_total"]
    readonly_fields = fields
    extra = 0


INVOICE_PARTIES = (
    "seller_name", "seller_street", "seller_postal_code", "seller_city", "seller_kvk", "seller_oin",
    "seller_vat", "seller_iban", "buyer_name", "buyer_street", "buyer_postal_code", "buyer_city",
    "buyer_kvk", "buyer_oin", "buyer_vat", "buyer_email",
)


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Drafts: only the buyer reference (the recipient's order number) may
    be filled in; numbered invoices are read-only and never deleted."""

    list_display = [
        "__str__", "kind", "status", "issuer_organisation", "issuer_member", "recipient", "period_start",
        "total_incl_vat", "due_date",
    ]
    list_filter = ["status", "kind", "issuer_organisation", "recipient"]
    list_select_related = ["issuer_organisation", "issuer_member__user", "recipient"]
    search_fields = ["number", "recipient__name", "issuer_organisation__name", "buyer_reference"]
    date_hierarchy = "period_start"
    inlines = [InvoiceLineInline]
    fieldsets = (
        (None, {"fields": (
            "kind", "status", "number", "issuer_organisation", "issuer_member", "recipient", "credited_invoice",
            "period_start", "period_end", "run", "buyer_reference",
        )}),
        (_("Amounts and dates"), {"fields": (
            "total_excl_vat", "total_vat", "total_incl_vat", "issue_date", "due_date", "sent_at", "paid_on",
        )}),
        (_("Parties as on the invoice"), {"classes": ("collapse",), "fields": INVOICE_PARTIES}),
        (_("Documents and decisions"), {"fields": (
            "pdf", "xml", "created_at", "created_by", "decided_at", "decided_by", "rejection_reason",
            "paid_marked_by",
        )}),
    )
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        everything = [f for fields in (fs[1]["fields"] for fs in self.fieldsets) for f in fields]
        if obj is not None and obj.status == Invoice.Status.DRAFT:
            return [f for f in everything if f != "buyer_reference"]
        return everything

    def has_add_permission(self, request):
        return False  # invoices come from the invoice run

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_final)

    def has_delete_permission(self, request, obj=None):
        return False  # a draft is rejected (freeing its hours), a numbered one credited


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["description", "invoice", "quantity", "unit_price", "vat_category", "line_total"]
    list_select_related = ["invoice"]
    search_fields = ["description", "invoice__number"]
    show_full_result_count = False


@admin.register(InvoiceLineEntry)
class InvoiceLineEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["line", "time_entry", "active"]
    list_filter = ["active"]
    list_select_related = ["line", "time_entry"]
    show_full_result_count = False


@admin.register(InvoiceSequence)
class InvoiceSequenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["issuer_key", "year", "last_number"]
    list_filter = ["year"]
    search_fields = ["issuer_key"]


@admin.register(InvoiceRun)
class InvoiceRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["period_start", "organisation", "status", "invoices_created", "started_by", "started_at", "finished_at"]
    list_filter = ["status", "period_start"]
    list_select_related = ["organisation", "started_by"]
    actions = ["start_run_last_month"]
    change_list_template = "invoicing/admin/invoicerun_change_list.html"

    def get_urls(self):
        return [
            path("start/", self.admin_site.admin_view(self.start_view), name="invoicing_invoicerun_start"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        """The run action concerns no selected row: let it through without one."""
        if request.method == "POST" and request.POST.get("action") == "start_run_last_month" and not request.POST.getlist(
            helpers.ACTION_CHECKBOX_NAME
        ):
            post = request.POST.copy()
            post.setlist(helpers.ACTION_CHECKBOX_NAME, ["0"])
            post["select_across"] = "1"
            request.POST = post
        return super().changelist_view(request, extra_context)

    def _start(self, request, month, organisation=None) -> bool:
        try:
            services.invoice_run_start(actor=request.user, period_start=month, organisation=organisation)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return False
        self.message_user(
            request,
            _("The invoice run for %(month)s was started.") % {"month": formats.date_format(month, "YEAR_MONTH_FORMAT")},
            messages.SUCCESS,
        )
        return True

    @admin.action(description=_("Start the invoice run for last month"), permissions=["start"])
    def start_run_last_month(self, request, queryset):
        self._start(request, last_month())

    def has_start_permission(self, request):
        return request.user.is_superuser

    def start_view(self, request):
        """A chosen month, for all issuing organisations or one."""
        if not self.has_start_permission(request):
            raise PermissionDenied
        form = InvoiceRunForm(request.POST or None, organisations=Organisation.objects.order_by("name"), allow_all=True)
        if request.method == "POST" and form.is_valid():
            if self._start(request, form.cleaned_data["month"], form.cleaned_data["organisation"]):
                return redirect(reverse("admin:invoicing_invoicerun_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Start an invoice run"),
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "invoicing/admin/start_run.html", context)

