from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from insight.models import ExternalRate
from members.audit import audit_record
from members.errors import DomainError
from members.roles import roles_of


def _require_programme_manager(actor) -> None:
    if not roles_of(actor).sees_everything:
        raise DomainError(_("Only the programme manager sets the external rates."))


def external_rate_set(*, actor, skill_area: str, hourly_rate: Decimal) -> ExternalRate:
    """Create or change the external rate of one skill area ('' = default)."""
    _require_programme_manager(actor)
    if hourly_rate is None or hourly_rate <= 0:
        raise DomainError(_("Enter a rate above zero."), field="hourly_rate")
    with transaction.atomic():
        rate = ExternalRate.objects.select_for_update().filter(skill_area=skill_area).first()
        old = str(rate.hourly_rate) if rate else None
        if rate is None:
            rate = ExternalRate(skill_area=skill_area)
        rate.hourly_rate = hourly_rate
        rate.updated_by = actor
        rate.save()
        audit_record(actor=actor, action="external_rate.set", target=rate,
                     data={"skill_area": skill_area, "old": old, "new": str(hourly_rate)})
    return rate


def external_rate_delete(*, actor, rate: ExternalRate) -> None:
    _require_programme_manager(actor)
    with transaction.atomic():
        deleted, _rows = ExternalRate.objects.filter(pk=rate.pk).delete()
        if not deleted:
            raise DomainError(_("This rate was already removed."))
        audit_record(actor=actor, action="external_rate.delete",
                     data={"skill_area": rate.skill_area, "old": str(rate.hourly_rate)})
