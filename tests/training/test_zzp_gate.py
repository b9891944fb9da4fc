"""The training gate: HR can approve a ZZP release only when the member has
completed every module marked "required for ZZP"; the member's request
and HR's decision page name the missing ones."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from members import services as member_services
from members.errors import DomainError
from members.models import Release
from tests.factories import CompletionFactory, ModuleFactory, ReleaseFactory, valid_iban, valid_vat_number

LEGAL = "Juridische aspecten ZPP/ZZP"
TAX = "Belastingdienst: btw en inkomstenbelasting voor de zzp'er"


@pytest.fixture
def zzp_member(member_a):
    """member_a with the business details the ZZP variant needs."""
    profile = member_a.profile
    profile.business_name = "Adviesbureau De Vries"
    profile.business_kvk = "87654321"
    profile.business_vat = valid_vat_number(500)
    profile.business_iban = valid_iban(5000)
    profile.own_hourly_rate = Decimal("95.00")
    profile.save()
    return member_a


@pytest.fixture
def required_modules(db):
    ModuleFactory(title="Ontdek je talent")  # not required
    ModuleFactory(title="Oud verplicht", required_for_zzp=True, active=False)  # out of the catalogue
    return [
        ModuleFactory(title=LEGAL, required_for_zzp=True, track="legal"),
        ModuleFactory(title=TAX, required_for_zzp=True, track="tax", provider_name="Belastingdienst"),
    ]


@pytest.fixture
def zzp_release(zzp_member):
    return ReleaseFactory(member=zzp_member.profile, variant=Release.Variant.ZZP)


def test_missing_required_modules_are_listed(zzp_member, required_modules):
    with translation.override("en"):
        missing = member_services.missing_zzp_requirements(zzp_member.profile)
        assert missing == [f"completed training module “{TAX}”", f"completed training module “{LEGAL}”"]
        CompletionFactory(member=zzp_member.profile, module=required_modules[1])
        assert member_services.missing_zzp_requirements(zzp_member.profile) == [
            f"completed training module “{LEGAL}”"
        ]


def test_hr_cannot_approve_a_zzp_release_before_the_modules_are_completed(zzp_release, required_modules, hr_a):
    with pytest.raises(DomainError) as refused:
        member_services.release_approve(actor=hr_a, release=zzp_release)
    assert LEGAL in refused.value.message and TAX in refused.value.message
    assert Release.objects.get(pk=zzp_release.pk).status == Release.Status.REQUESTED


def test_the_decision_page_names_the_missing_modules(zzp_release, required_modules, hr_a, client_for):
    client = client_for(hr_a)
    page = client.get(reverse("members:release_detail", args=[zzp_release.pk])).content.decode()
    assert LEGAL in page and "Belastingdienst: btw en inkomstenbelasting" in page
    assert "Ontdek je talent" not in page and "Oud verplicht" not in page

    response = client.post(
        reverse("members:release_decide", args=[zzp_release.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 200
    text = response.content.decode()
    refusal = text[text.index('class="form-errors"'):]
    assert LEGAL in refusal and "Belastingdienst: btw en inkomstenbelasting" in refusal
    assert Release.objects.get(pk=zzp_release.pk).status == Release.Status.REQUESTED


def test_once_completed_hr_approves(zzp_release, required_modules, hr_a, client_for):
    for module in required_modules:
        CompletionFactory(member=zzp_release.member, module=module)
    page = client_for(hr_a).get(reverse("members:release_detail", args=[zzp_release.pk])).content.decode()
    assert LEGAL not in page
    response = client_for(hr_a).post(
        reverse("members:release_decide", args=[zzp_release.pk]), {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 302
    assert Release.objects.get(pk=zzp_release.pk).status == Release.Status.APPROVED


def test_the_zpp_variant_has_no_training_gate(member_a, required_modules, hr_a):
    release = ReleaseFactory(member=member_a.profile, variant=Release.Variant.ZPP)
    member_services.release_approve(actor=hr_a, release=release)
    assert Release.objects.get(pk=release.pk).status == Release.Status.APPROVED


def test_the_member_requesting_zzp_is_told_which_modules(zzp_member, required_modules):
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        member_services.release_request(
            actor=zzp_member, member=zzp_member.profile, days_per_week=Decimal("1.0"),
            variant=Release.Variant.ZZP, start_date=today, end_date=today + timedelta(days=90),
        )
    assert refused.value.field == "variant"
    assert LEGAL in refused.value.message and TAX in refused.value.message
