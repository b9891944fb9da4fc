from django.urls import path

from insight import views

app_name = "insight"

urlpatterns = [
    path("inzicht/", views.dashboard, name="dashboard"),
    path("inzicht/csv/<slug:key>/", views.figure_csv, name="figure_csv"),
    path("inzicht/externe-tarieven/", views.external_rates, name="external_rates"),
    path("inzicht/externe-tarieven/<int:pk>/verwijderen/", views.external_rate_delete, name="external_rate_delete"),
    path("inzicht/organisatie/<slug:slug>/", views.organisation_dashboard, name="organisation_dashboard"),
    path("inzicht/organisatie/<slug:slug>/csv/<slug:key>/", views.organisation_figure_csv, name="organisation_figure_csv"),
]
