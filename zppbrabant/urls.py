from django.contrib import admin
from django.urls import include, path

from zppbrabant import views
from zppbrabant.admin_login import admin_login
from zppbrabant.health import health

admin.site.site_header = "ZPP Brabant"
admin.site.site_title = "ZPP Brabant beheer"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("allauth.urls")),
    # The admin logs in through the site's own login (rate limits, MFA).
    path("beheer/login/", admin_login, name="admin_login_redirect"),
    path("beheer/", admin.site.urls),
    path("", include("members.urls")),
    path("", include("marketplace.urls")),
    path("", include("training.urls")),
    path("", include("invoicing.urls")),
    path("", include("matching.urls")),
    path("", include("insight.urls")),
]

handler403 = "zppbrabant.views.error_403"
handler404 = "zppbrabant.views.error_404"
handler500 = "zppbrabant.views.error_500"

