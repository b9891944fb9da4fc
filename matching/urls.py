from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    # Members: recommended assignments, saved searches, e-mail.
    path("aanbevolen/", views.my_suggestions, name="my_suggestions"),
    path("aanbevolen/<int:pk>/verbergen/", views.suggestion_dismiss, name="suggestion_dismiss"),
    path("zoekopdrachten/", views.saved_search_list, name="saved_search_list"),
    path("zoekopdrachten/nieuw/", views.saved_search_create, name="saved_search_create"),
    path("zoekopdrachten/<int:pk>/", views.saved_search_edit, name="saved_search_edit"),
    path("zoekopdrachten/<int:pk>/verwijderen/", views.saved_search_delete, name="saved_search_delete"),
    path("e-mailvoorkeuren/", views.email_preferences, name="email_preferences"),
    path("e-mail/afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Coordinators: suggested candidates of an assignment.
    path("opdrachten/<int:pk>/kandidaten/", views.candidates, name="candidates"),
    path("opdrachten/<int:pk>/kandidaten/<int:member_pk>/uitnodigen/", views.candidate_invite,
         name="candidate_invite"),
    path("opdrachten/<int:pk>/gevraagde-opleidingen/", views.assignment_training, name="assignment_training"),
]
