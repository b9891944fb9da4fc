"""Permission-matrix rows for the dashboard URLs (see tests/matrix.py).

The province: the programme manager and admins. Organisation A's figures:
A's HR and coordinators too; A's member is inside A but has no role there
(403); everyone else does not see A's figures exist (404).
"""

from tests.matrix import LOGIN, row  # noqa: F401

ORG_A = lambda w: {"slug": w["org_a"].slug}  # noqa: E731
ORG_A_CSV = lambda w: {"slug": w["org_a"].slug, "key": "cross_organisation"}  # noqa: E731
READ_A = dict(member_a=403, coordinator_a=200, hr_a=200, programme_manager=200, admin_user=200)
PROVINCE = dict(programme_manager=200, admin_user=200)

ROWS = {
    # HR and coordinators go straight to their own organisation.
    "insight:dashboard": row(403, coordinator_a=302, coordinator_b=302, hr_a=302, hr_b=302, **PROVINCE),
    "insight:figure_csv": row(403, kwargs=lambda w: {"key": "participants"}, **PROVINCE),
    "insight:organisation_dashboard": row(404, kwargs=ORG_A, **READ_A),
    "insight:organisation_figure_csv": row(404, kwargs=ORG_A_CSV, **READ_A),
    # The rates behind the figures: read by everyone with a dashboard, set by
    # the programme manager.
    "insight:external_rates": row(
        403, coordinator_a=200, coordinator_b=200, hr_a=200, hr_b=200, **PROVINCE,
    ),
    "insight:external_rate_delete": row(
        404, method="post", kwargs=lambda w: {"pk": w["external_rate"].pk},
        coordinator_a=403, coordinator_b=403, hr_a=403, hr_b=403, programme_manager=302, admin_user=302,
    ),
}


def extend_world(world: dict) -> dict:
    from decimal import Decimal

    from insight.models import ExternalRate

    return {"external_rate": ExternalRate.objects.create(skill_area="", hourly_rate=Decimal("125.00"))}
