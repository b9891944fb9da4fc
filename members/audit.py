from django.contrib.contenttypes.models import ContentType
from django.db import models

from members.models import AuditEntry


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    organisation=None,
    data: dict | None = None,
) -> AuditEntry:
    """Write one audit entry. Call it inside the transaction of the change."""
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_label=(f"{actor} <{actor.email}>" if actor_obj else "system")[:300],
        action=action,
        organisation=organisation,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        data=data or {},
    )
