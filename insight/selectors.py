"""Whose figures a person may see.

The programme manager and admins see the whole province and every
organisation. HR and coordinators see their own organisation (and its
counterparts inside its figures). Anyone else: nothing."""

from django.db.models import QuerySet

from insight.models import ExternalRate
from members.models import Organisation
from members.roles import roles_of


def insight_organisations_for(user) -> QuerySet[Organisation]:
    """Organisations whose dashboard this person may open."""
    roles = roles_of(user)
    if roles.sees_everything:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=set(roles.hr_of) | set(roles.coordinator_of)).order_by("name")


def external_rates_visible_to(user) -> QuerySet[ExternalRate]:
    """The rates are the programme's assumptions: shown to everyone who sees
    a dashboard (the figures depend on them), edited by the programme manager."""
    roles = roles_of(user)
    if roles.sees_everything or roles.is_hr or roles.is_coordinator:
        return ExternalRate.objects.select_related("updated_by").order_by("skill_area")
    return ExternalRate.objects.none()
