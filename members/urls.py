from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("organisaties/", views.organisation_list, name="organisation_list"),
    path("organisaties/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisaties/<slug:slug>/bewerken/", views.organisation_edit, name="organisation_edit"),
    path("organisaties/<slug:slug>/mensen/", views.organisation_people, name="organisation_people"),
    path("organisaties/<slug:slug>/uitnodigingen/", views.invitation_list, name="invitation_list"),
    path("organisaties/<slug:slug>/logboek/", views.audit_log, name="audit_log"),
    path("rollen/<int:pk>/intrekken/", views.membership_revoke, name="membership_revoke"),
    path("uitnodigingen/<int:pk>/intrekken/", views.invitation_revoke, name="invitation_revoke"),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("leden/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("profiel/bewerken/", views.profile_edit, name="profile_edit"),
    path("vrijstellingen/", views.release_list, name="release_list"),
    path("vrijstellingen/aanvragen/", views.release_request, name="release_request"),
    path("vrijstellingen/<int:pk>/", views.release_detail, name="release_detail"),
    path("vrijstellingen/<int:pk>/intrekken/", views.release_withdraw, name="release_withdraw"),
    path("vrijstellingen/<int:pk>/besluit/", views.release_decide, name="release_decide"),
    path("hr/vrijstellingen/", views.release_queue, name="release_queue"),
    path("meldingen/", views.notification_list, name="notification_list"),
    path("meldingen/gelezen/", views.notification_read, name="notification_read"),
    path("mijn-gegevens/", views.privacy, name="privacy"),
    path("mijn-gegevens/download/", views.privacy_export, name="privacy_export"),
    path("mijn-gegevens/verwijderen/", views.erasure_request, name="erasure_request"),
]
