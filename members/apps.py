from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and organisations")

    def ready(self):
        from members import signals  # noqa: F401
        from members import versions
        from members.models import Release

        # The release queue's cached total (members/views.py).
        versions.follow_model(Release, "releases")
