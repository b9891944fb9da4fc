from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self):
        from marketplace.models import Application, Assignment
        from members import versions
        from members.models import Organisation, Skill

        # Saved or deleted rows (services, admin, cascades) make what is
        # cached of them stale; bulk updates call versions.changed() themselves.
        versions.follow_model(Application, "applications")
        # Assignment lists show the organisation's name and the skills too.
        for model in (Assignment, Organisation, Skill):
            versions.follow_model(model, "assignments")
