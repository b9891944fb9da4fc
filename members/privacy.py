"""Personal data (AVG/GDPR): everything held about a person as one JSON
document (art. 15/20), and erasure on request (art. 17).

Each app that stores personal data has a ``<app>/privacy.py`` with
``export(user) -> dict`` and ``erase(user) -> dict`` (what it removed or
anonymised, as counts) and is listed in ``PROVIDERS``. The record of
processing in the README says what is kept and why.

Erasure keeps what the law makes us keep: invoices, their lines and the
approved hours behind them stay for 7 years (Dutch fiscal retention,
art. 52 AWR); the person's name on a frozen invoice stays with it. The
account itself is anonymised rather than deleted, because those records
point at it.
"""

import importlib

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import versions
from members.audit import audit_record
from members.errors import DomainError
from members.models import AuditEntry, ErasureRequest, Invitation, Membership, MemberProfile, Notification

PROVIDERS = (
    "members.privacy",
    "marketplace.privacy",
    "training.privacy",
    "invoicing.privacy",
    "matching.privacy",
)

User = get_user_model()


def _providers():
    return [importlib.import_module(name) for name in PROVIDERS]


def personal_data_export(user) -> dict:
    """All data about ``user``, per app, JSON-serialisable."""
    data = {"generated_at": timezone.now().isoformat()}
    for provider in _providers():
        data.update(provider.export(user))
    return data


# --- This app's share ------------------------------------------------------


def export(user) -> dict:
    data = {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "roles": [
            {"role": m.role, "organisation": m.organisation.name if m.organisation else None,
             "since": m.created_at.isoformat()}
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "notifications": list(
            Notification.objects.filter(user=user).values("kind", "message", "url", "created_at", "read_at")
        ),
        "actions_recorded": list(
            AuditEntry.objects.filter(actor=user).values("action", "target_label", "created_at", "data")
        ),
        "erasure_requests": list(
            ErasureRequest.objects.filter(user=user).values("status", "reason", "requested_at", "handled_at")
        ),
    }
    profile = MemberProfile.objects.filter(user=user).select_related("home_organisation").first()
    if profile:
        data["profile"] = {
            "home_organisation": profile.home_organisation.name,
            "job_title": profile.job_title,
            "bio": profile.bio,
            "skills": list(profile.skills.values_list("name", flat=True)),
            "tags": profile.tags,
            "core_qualities": profile.core_qualities,
            "entrepreneurship_level": profile.entrepreneurship_level,
            "availability_notes": profile.availability_notes,
            "own_hourly_rate": profile.own_hourly_rate,
            "business_name": profile.business_name,
            "business_kvk": profile.business_kvk,
            "business_vat": profile.business_vat,
            "business_iban": profile.business_iban,
            "business_address": " ".join(
                filter(None, [profile.business_street, profile.business_postal_code, profile.business_city])
            ),
        }
        data["releases"] = list(
            profile.releases.values(
                "days_per_week", "variant", "start_date", "end_date", "status", "motivation",
                "decided_at", "decision_reason",
            )
        )
    return data


def erase(user) -> dict:
    counts = {}
    label = _("erased person #%(id)s") % {"id": user.pk}
    counts["notifications"] = Notification.objects.filter(user=user).delete()[0]
    counts["invitations"] = Invitation.objects.filter(email__iexact=user.email).delete()[0]
    counts["roles"] = Membership.objects.filter(user=user).delete()[0]
    # The trail of what they did stays (it records decisions about others),
    # without their name.
    counts["audit_entries_anonymised"] = AuditEntry.objects.filter(actor=user).update(actor_label=label)
    AuditEntry.objects.filter(target_label__icontains=user.email).update(target_label=label)
    if user.get_full_name():
        AuditEntry.objects.filter(target_label__contains=user.get_full_name()).update(target_label=label)
    profile = MemberProfile.objects.filter(user=user).first()
    if profile:
        profile.skills.clear()
        for name in ("job_title", "bio", "availability_notes", "business_name", "business_kvk",
                     "business_vat", "business_iban", "business_street", "business_postal_code",
                     "business_city"):
            setattr(profile, name, "")
        profile.tags, profile.core_qualities, profile.own_hourly_rate = [], [], None
        profile.save()
        # Releases are the employer's personnel record (kept by its own
        # retention rules); only the free text goes.
        counts["releases_anonymised"] = profile.releases.update(motivation="")
        versions.changed("releases")
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"verwijderd-{user.pk}@invalid.zppbrabant.nl"
    user.first_name, user.last_name = label, ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()  # also ends every session (session hash)
    user.save()
    return counts


# --- Services ----------------------------------------------------------------


def erasure_request(*, actor, reason: str = "") -> ErasureRequest:
    """A person asks to be forgotten; an admin carries it out."""
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        if ErasureRequest.objects.filter(user=actor, status=ErasureRequest.Status.REQUESTED).exists():
            raise DomainError(_("You have already asked for this; an administrator will handle it."))
        request = ErasureRequest.objects.create(user=actor, user_label=f"{actor} <{actor.email}>", reason=reason.strip())
        audit_record(actor=actor, action="privacy.erasure_request", target=request)
    return request


def erase_person(*, actor, erasure: ErasureRequest) -> ErasureRequest:
    """Carry out an erasure request (admins only)."""
    if not (actor and actor.is_superuser):
        raise DomainError(_("Only an administrator can erase a person."))
    with transaction.atomic():
        locked = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
        if locked.status != ErasureRequest.Status.REQUESTED:
            raise DomainError(_("This request has already been handled."))
        user = User.objects.select_for_update().get(pk=locked.user_id)
        if user.pk == actor.pk:
            raise DomainError(_("Another administrator has to erase your own account."))
        outcome = {}
        for provider in _providers():
            outcome.update(provider.erase(user))
        locked.status = ErasureRequest.Status.DONE
        locked.handled_at = timezone.now()
        locked.handled_by = actor
        locked.outcome = outcome
        locked.user_label = _("erased person #%(id)s") % {"id": user.pk}
        locked.reason = ""
        locked.save()
        audit_record(actor=actor, action="privacy.erase", target=locked, data=outcome)
    return locked
