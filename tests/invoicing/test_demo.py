"""The demo hours and invoices (make run): every step of the chain visible."""

import pytest

from invoicing.demo import seed_invoicing
from invoicing.models import Invoice, Timesheet
from marketplace.demo import seed_marketplace
from members.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_demo_shows_each_step_and_seeds_once(run_on_commit):
    seed_demo()
    seed_marketplace()
    with run_on_commit():
        result = seed_invoicing()
    assert result["Engagement"] == 4
    # The month before last is invoiced: drafts for HR, one numbered and rendered.
    assert result["Invoice"] >= 2
    numbered = Invoice.objects.exclude(number="").get()
    assert numbered.pdf and numbered.xml
    assert Invoice.objects.filter(status=Invoice.Status.DRAFT).exists()
    # Last month: approved, not yet invoiced; this week: Anne's draft.
    from invoicing.models import TimeEntry

    assert TimeEntry.objects.filter(timesheet__status=Timesheet.Status.APPROVED, invoice_links=None).exists()
    assert Timesheet.objects.filter(status=Timesheet.Status.DRAFT, engagement__member__user__email__startswith="anne.").exists()
    assert seed_invoicing() == {}
