from django.urls import path

from invoicing.views import hours, invoices, reports

app_name = "invoicing"

urlpatterns = [
    # Hours: the member's week grid, submitting, the coordinator's approval (views/hours.py)
    path("uren/", hours.week, name="week"),
    path("uren/<int:year>/week/<int:week>/", hours.week, name="week_of"),
    path("uren/<int:year>/week/<int:week>/indienen/", hours.week_submit, name="week_submit"),
    path("uren/maand-indienen/", hours.month_submit, name="month_submit"),
    path("uren/goedkeuren/", hours.approval_queue, name="approval_queue"),
    path("uren/weekstaat/<int:pk>/", hours.timesheet_detail, name="timesheet_detail"),
    path("uren/weekstaat/<int:pk>/goedkeuren/", hours.timesheet_approve, name="timesheet_approve"),
    path("uren/weekstaat/<int:pk>/afkeuren/", hours.timesheet_reject, name="timesheet_reject"),
    # Invoices (views/invoices.py)
    path("facturen/", invoices.invoice_list, name="invoice_list"),
    path("facturen/te-keuren/", invoices.invoice_queue, name="invoice_queue"),
    path("facturen/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("facturen/<int:pk>/goedkeuren/", invoices.invoice_approve, name="invoice_approve"),
    path("facturen/<int:pk>/afkeuren/", invoices.invoice_reject, name="invoice_reject"),
    path("facturen/<int:pk>/betaald/", invoices.invoice_mark_paid, name="invoice_mark_paid"),
    path("facturen/<int:pk>/creditnota/", invoices.credit_note_create, name="credit_note_create"),
    path("facturen/<int:pk>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    path("facturen/<int:pk>/xml/", invoices.invoice_xml, name="invoice_xml"),
    # The invoice run and HR's overview (views/reports.py)
    path("facturen/factuurrun/", reports.invoice_run, name="invoice_run"),
    path("facturen/overzicht/", reports.hr_overview, name="hr_overview"),
    path("facturen/overzicht/csv/", reports.hr_overview_csv, name="hr_overview_csv"),
]
