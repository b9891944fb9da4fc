from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    # The catalogue and sessions (the network)
    path("opleidingen/", views.module_list, name="module_list"),
    path("opleidingen/<int:pk>/", views.module_detail, name="module_detail"),
    path("opleidingen/sessies/<int:pk>/", views.session_detail, name="session_detail"),
    path("opleidingen/sessies/<int:pk>/agenda.ics", views.session_ics, name="session_ics"),
    # Members
    path("opleidingen/mijn/", views.my_training, name="my_training"),
    path("opleidingen/sessies/<int:pk>/inschrijven/", views.session_enrol, name="session_enrol"),
    path("opleidingen/inschrijvingen/<int:pk>/annuleren/", views.enrolment_cancel, name="enrolment_cancel"),
    path("opleidingen/agenda/vernieuwen/", views.calendar_feed_regenerate, name="calendar_feed_regenerate"),
    path("opleidingen/agenda/uitzetten/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("opleidingen/agenda/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("opleidingen/certificaten/<int:pk>/", views.certificate, name="certificate"),
    path("opleidingen/certificaten/controleren/", views.certificate_verify, name="certificate_verify"),
    # Running the programme (training coordinators; trainers for their sessions)
    path("opleidingen/beheer/", views.manage, name="manage"),
    path("opleidingen/beheer/modules/nieuw/", views.module_create, name="module_create"),
    path("opleidingen/<int:pk>/bewerken/", views.module_edit, name="module_edit"),
    path("opleidingen/<int:pk>/sessies/nieuw/", views.session_create, name="session_create"),
    path("opleidingen/sessies/<int:pk>/bewerken/", views.session_edit, name="session_edit"),
    path("opleidingen/sessies/<int:pk>/annuleren/", views.session_cancel, name="session_cancel"),
    path("opleidingen/sessies/<int:pk>/deelnemers/", views.session_enrolments, name="session_enrolments"),
    path("opleidingen/sessies/<int:pk>/deelnemers.csv", views.session_enrolments_csv, name="session_enrolments_csv"),
    path("opleidingen/sessies/<int:pk>/aanwezigheid/", views.attendance_mark, name="attendance_mark"),
]
