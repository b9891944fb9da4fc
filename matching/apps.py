from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Derived tables of the scoring SQL (migration 0002), unknown to Django's ORM.
DERIVED_TABLES = ("matching_skillbit", "matching_modulebit", "matching_memberkey", "matching_assignmentkey")


def _forget_derived_tables(sender, using="default", **kwargs):
    """After a migrate or a flush (tests empty the database between
    transactional tests) the key tables may describe rows that no longer
    exist, and the skill bit positions would keep growing. Empty them: the
    jobs rebuild an empty side in full (scoring.build_missing_side) and the
    next full run renumbers the bits."""
    from django.db import connections

    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = [t for t in DERIVED_TABLES if t in existing]
    if tables:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE " + ", ".join(tables))


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self):
        from matching import signals

        signals.connect()
        post_migrate.connect(_forget_derived_tables, sender=self, dispatch_uid="matching_forget_derived_tables")
