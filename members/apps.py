from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and organisations")

    def ready(self):
        from members import signals  # noqa: F401
        from members import versions
        from members.models import MemberProfile, Organisation, Release, User

        # The release queue's cached total and rows (members/views.py).
        versions.follow_model(Release, "releases")
        # Names in cached rows; logging in saves only last_login.
        versions.follow_model(User, "people", ignore_fields=frozenset({"last_login"}))
        for model in (MemberProfile, Organisation):
            versions.follow_model(model, "people")
