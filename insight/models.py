from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExternalRate(models.Model):
    """What the same hour would cost from an external consultancy, per skill
    area (``Skill.category``). Set by the programme manager; the row with an
    empty area is the rate for every area without a rate of its own."""

    skill_area = models.CharField(
        _("skill area"), max_length=100, blank=True, unique=True,
        help_text=_("A skill category, or empty for the default rate of all other areas."),
    )
    hourly_rate = models.DecimalField(
        _("external hourly rate"), max_digits=7, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("In euros excluding VAT."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["skill_area"]
        verbose_name = _("external rate")
        verbose_name_plural = _("external rates")
        constraints = [
            models.CheckConstraint(condition=Q(hourly_rate__gt=0), name="insight_externalrate_rate_positive"),
        ]

    def __str__(self):
        return f"{self.skill_area or _('default')}: € {self.hourly_rate}"
