"""Personal data in the marketplace (see members/privacy.py)."""

from marketplace.models import Application, AssignmentInvitation, Engagement, Offer
from marketplace.selectors import applications_changed


def export(user) -> dict:
    profile_id = getattr(getattr(user, "profile", None), "pk", None)
    if profile_id is None:
        return {}
    return {
        "applications": list(
            Application.objects.filter(member_id=profile_id).values(
                "assignment__title", "assignment__organisation__name", "motivation", "availability",
                "proposed_rate", "rate_note", "cv", "source", "status", "decision_message", "created_at",
            )
        ),
        "offers": list(
            Offer.objects.filter(member_id=profile_id).values(
                "title", "description", "hours_per_week", "available_from", "available_until", "work_mode",
                "status", "created_at",
            )
        ),
        "invitations_to_apply": list(
            AssignmentInvitation.objects.filter(member_id=profile_id).values("assignment__title", "created_at")
        ),
        "engagements": list(
            Engagement.objects.filter(member_id=profile_id).values(
                "hiring_organisation__name", "variant", "agreed_rate", "hours_per_week", "start_date",
                "end_date", "created_at",
            )
        ),
    }


def erase(user) -> dict:
    """Applications that led to an engagement stay (the engagement is a
    contract behind invoices) without their motivation and CV; the rest go."""
    profile_id = getattr(getattr(user, "profile", None), "pk", None)
    if profile_id is None:
        return {}
    applications = Application.objects.filter(member_id=profile_id)
    for application in applications.exclude(cv=""):
        application.cv.delete(save=False)
    kept = applications.filter(engagement__isnull=False).update(
        motivation="", availability="", rate_note="", cv="", decision_message=""
    )
    applications_changed()
    deleted = applications.filter(engagement__isnull=True).delete()[0]
    return {
        "applications_deleted": deleted,
        "applications_anonymised": kept,
        "offers_deleted": Offer.objects.filter(member_id=profile_id).delete()[0],
        "invitations_to_apply_deleted": AssignmentInvitation.objects.filter(member_id=profile_id).delete()[0],
    }
