"""factory-boy factories for the members and marketplace apps.

Every factory produces rows that pass the model's own validation
(``full_clean``): valid KvK, OIN, VAT number and IBAN, so tests that need a
*bad* value start from a good one and change exactly one thing.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from schwifty import IBAN
from stdnum.nl import btw

from marketplace.models import (
    Application,
    Assignment,
    AssignmentInvitation,
    Engagement,
    Offer,
    WorkMode,
)
from members.models import MemberProfile, Membership, Organisation, Release, Skill, User

DEFAULT_PASSWORD = "Brabant-test-wachtwoord-42"


def valid_vat_number(n: int) -> str:
    """The n-th valid Dutch VAT number (NL + 9 digits + B + 2 digits), as
    python-stdnum's ``nl.btw`` accepts it. Deterministic."""
    found = -1
    candidate = 100_000_000
    while True:
        number = f"NL{candidate}B01"
        if btw.is_valid(number):
            found += 1
            if found == n:
                return number
        candidate += 1


def valid_iban(n: int) -> str:
    return str(IBAN.generate("NL", bank_code="BNGH", account_code=str(n + 1).zfill(10)))


class UserFactory(factory.django.DjangoModelFactory):
    """A person who can log in: password ``DEFAULT_PASSWORD`` and a verified,
    primary allauth ``EmailAddress`` (mandatory verification is on)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.nl")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    password = DEFAULT_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password")
        if kwargs.get("is_superuser"):
            return model_class.objects.create_superuser(*args, password=password, **kwargs)
        return model_class.objects.create_user(*args, password=password, **kwargs)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """``UserFactory(verified_email=False)`` leaves the address unverified."""
        if not create:
            return
        EmailAddress.objects.create(
            user=self, email=self.email, primary=True,
            verified=True if extracted is None else bool(extracted),
        )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Gemeente Testdorp {n}")
    slug = factory.Sequence(lambda n: f"testdorp-{n}")
    kind = Organisation.Kind.GEMEENTE
    street = factory.Sequence(lambda n: f"Markt {n + 1}")
    postal_code = "5211 AA"
    city = "'s-Hertogenbosch"
    kvk_number = factory.Sequence(lambda n: f"{17000000 + n:08d}")
    oin = factory.Sequence(lambda n: f"{1_000_000_000 + n:020d}")
    vat_number = factory.Sequence(valid_vat_number)
    iban = factory.Sequence(valid_iban)
    invoice_email = factory.Sequence(lambda n: f"facturen{n}@example.nl")
    zpp_hourly_rate = Decimal("85.00")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Vaardigheid {n}")
    category = "Ruimte"


class MemberProfileFactory(factory.django.DjangoModelFactory):
    """A member: the profile plus the ``member`` role at the home
    organisation (as ``membership_grant`` would create it)."""

    class Meta:
        model = MemberProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    home_organisation = factory.SubFactory(OrganisationFactory)
    job_title = "Beleidsadviseur"
    bio = "Twintig jaar ervaring in ruimtelijke ordening."

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        Membership.objects.get_or_create(
            user=self.user, organisation=self.home_organisation, role=Membership.Role.MEMBER
        )

    class Params:
        zzp = factory.Trait(
            own_hourly_rate=Decimal("95.00"),
            business_name="Adviesbureau Test",
            business_kvk="87654321",
            business_vat=factory.LazyFunction(lambda: valid_vat_number(500)),
            business_iban=factory.LazyFunction(lambda: valid_iban(5000)),
        )


class ReleaseFactory(factory.django.DjangoModelFactory):
    """A release request (status ``requested``) from today for half a year.
    ``ReleaseFactory(approved=True)`` or ``rejected=True`` for a decided one."""

    class Meta:
        model = Release

    member = factory.SubFactory(MemberProfileFactory)
    days_per_week = Decimal("1.0")
    variant = Release.Variant.ZPP
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=180))
    motivation = "Graag één dag per week."
    status = Release.Status.REQUESTED

    class Params:
        approved = factory.Trait(
            status=Release.Status.APPROVED,
            decided_at=factory.LazyFunction(timezone.now),
        )
        rejected = factory.Trait(
            status=Release.Status.REJECTED,
            decided_at=factory.LazyFunction(timezone.now),
            decision_reason="Niet in deze periode.",
        )


def approved_release(user_or_profile, *, days_per_week="1.0", variant=Release.Variant.ZPP,
                     start_date=None, days=365, **kwargs) -> Release:
    """An approved release for a member (a ``User`` with a profile, or the
    ``MemberProfile``): from today (or ``start_date``) for ``days`` days."""
    profile = getattr(user_or_profile, "profile", user_or_profile)
    start_date = start_date or timezone.localdate()
    return ReleaseFactory(
        member=profile, approved=True, days_per_week=Decimal(str(days_per_week)),
        variant=variant, start_date=start_date, end_date=start_date + timedelta(days=days),
        **kwargs,
    )


# --- Marketplace ------------------------------------------------------------

class AssignmentFactory(factory.django.DjangoModelFactory):
    """A draft assignment of 8 hours a week for one person, starting in two
    weeks for about four months, deadline in a week.

    ``AssignmentFactory(published=True)`` writes a published row directly
    (published now, visible province-wide at once unless
    ``internal_first_days`` is given); ``publish(assignment, actor)`` goes
    through the service instead."""

    class Meta:
        model = Assignment
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Projectleider omgevingswet {n}")
    description = "Wij zoeken een ervaren projectleider voor de invoering van de Omgevingswet."
    hours_per_week = Decimal("8.0")
    positions = 1
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=120))
    place = "'s-Hertogenbosch"
    work_mode = WorkMode.HYBRID
    rate_ceiling = Decimal("100.00")
    application_deadline = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    contact_name = "Jan Contact"
    contact_email = "contact@example.nl"
    internal_first_days = 0
    status = Assignment.Status.DRAFT

    class Params:
        published = factory.Trait(
            status=Assignment.Status.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
            province_wide_at=factory.LazyAttribute(
                lambda o: o.published_at + timedelta(days=o.internal_first_days)
            ),
        )
        cancelled = factory.Trait(
            status=Assignment.Status.CANCELLED,
            published_at=factory.LazyFunction(timezone.now),
            province_wide_at=factory.LazyAttribute(lambda o: o.published_at),
            closed_at=factory.LazyFunction(timezone.now),
        )

    @factory.post_generation
    def required_skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.required_skills.set(extracted)

    @factory.post_generation
    def nice_skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.nice_skills.set(extracted)


def publish(assignment: Assignment, actor) -> Assignment:
    """Publish through ``services.assignment_publish`` (audit, timestamps)."""
    from marketplace import services

    return services.assignment_publish(actor=actor, assignment=assignment)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted application to a published assignment (written directly,
    without the service's checks: use the service to test them)."""

    class Meta:
        model = Application

    assignment = factory.SubFactory(AssignmentFactory, published=True)
    member = factory.SubFactory(MemberProfileFactory)
    motivation = "Ik heb dit werk eerder gedaan en wil graag bijdragen."
    availability = "Op dinsdag en donderdag."
    status = Application.Status.SUBMITTED


class EngagementFactory(factory.django.DjangoModelFactory):
    """A ZPP engagement of 8 hours a week, this month for three months,
    at the home organisation's tariff."""

    class Meta:
        model = Engagement

    member = factory.SubFactory(MemberProfileFactory)
    hiring_organisation = factory.SubFactory(OrganisationFactory)
    home_organisation = factory.LazyAttribute(lambda o: o.member.home_organisation)
    variant = Release.Variant.ZPP
    agreed_rate = factory.LazyAttribute(lambda o: o.home_organisation.zpp_hourly_rate)
    hours_per_week = Decimal("8.0")
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=90))


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberProfileFactory)
    title = factory.Sequence(lambda n: f"Beleidsadvies duurzaamheid {n}")
    description = "Ik help gemeenten met hun klimaatadaptatiestrategie."
    hours_per_week = Decimal("8.0")
    available_from = factory.LazyFunction(timezone.localdate)
    available_until = factory.LazyAttribute(lambda o: o.available_from + timedelta(days=180))
    work_mode = WorkMode.HYBRID
    status = Offer.Status.PUBLISHED

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class AssignmentInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentInvitation

    assignment = factory.SubFactory(AssignmentFactory, published=True)
    member = factory.SubFactory(MemberProfileFactory)
    message = "Volgens mij past dit goed bij je."


# --- Invoicing --------------------------------------------------------------

def monday_of(day):
    """The Monday of ``day``'s ISO week (a timesheet's ``week_start``)."""
    return day - timedelta(days=day.weekday())


class TimesheetFactory(factory.django.DjangoModelFactory):
    """A draft week of an engagement, starting on the Monday of the
    engagement's first week. ``TimesheetFactory(approved=True)`` or
    ``submitted=True`` for a decided or waiting one (written directly)."""

    class Meta:
        model = "invoicing.Timesheet"

    engagement = factory.SubFactory(EngagementFactory)
    week_start = factory.LazyAttribute(lambda o: monday_of(o.engagement.start_date))
    status = "draft"

    class Params:
        submitted = factory.Trait(
            status="submitted",
            submitted_at=factory.LazyFunction(timezone.now),
        )
        approved = factory.Trait(
            status="approved",
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
        )


class TimeEntryFactory(factory.django.DjangoModelFactory):
    """Eight hours on the timesheet's first day inside the engagement."""

    class Meta:
        model = "invoicing.TimeEntry"

    timesheet = factory.SubFactory(TimesheetFactory)
    engagement = factory.LazyAttribute(lambda o: o.timesheet.engagement)
    member = factory.LazyAttribute(lambda o: o.timesheet.engagement.member)
    date = factory.LazyAttribute(lambda o: max(o.timesheet.week_start, o.timesheet.engagement.start_date))
    hours = Decimal("8.00")
    description = "Overleg en uitwerking"


def approved_hours(engagement, week_start, hours_by_day, *, status="approved"):
    """An approved timesheet of ``engagement`` for the week of ``week_start``
    with its entries, written directly (no release or daily checks: use
    ``invoicing.services.week_save`` to test those). ``hours_by_day`` is a
    dict ``{date: hours}`` or a sequence of hours from Monday (None or 0
    skips a day)."""
    from invoicing.models import TimeEntry, Timesheet

    week_start = monday_of(week_start)
    if not isinstance(hours_by_day, dict):
        hours_by_day = {week_start + timedelta(days=i): h for i, h in enumerate(hours_by_day)}
    now = timezone.now()
    timesheet = Timesheet.objects.create(
        engagement=engagement, week_start=week_start, status=status,
        submitted_at=now if status != "draft" else None,
        decided_at=now if status in ("approved", "rejected") else None,
    )
    TimeEntry.objects.bulk_create(
        TimeEntry(timesheet=timesheet, engagement=engagement, member=engagement.member, date=day,
                  hours=Decimal(str(hours)), description="Werkzaamheden")
        for day, hours in sorted(hours_by_day.items()) if hours
    )
    return timesheet


def run_invoice_month(period_start, *, actor=None, organisation=None):
    """Start an invoice run for the month of ``period_start`` through the
    services and execute it at once; returns the run's draft invoices."""
    from invoicing import services

    run = services.invoice_run_start(actor=actor, period_start=period_start, organisation=organisation)
    services.invoice_run_execute(run)
    return list(run.invoices.order_by("pk"))


# --- Training ----------------------------------------------------------------


class ModuleFactory(factory.django.DjangoModelFactory):
    """A catalogue module for starters and experienced members, given by
    an external body, without prerequisites."""

    class Meta:
        model = "training.Module"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Module {n}: ontdek je talent")
    track = "talent"
    level = "basic"
    description = "Wat kun je, wat wil je, en hoe vertel je dat aan een opdrachtgever?"
    duration_hours = Decimal("3.0")
    provider_name = "Mobiliteitscentrum Brabant"
    levels = factory.LazyFunction(lambda: ["starter", "experienced"])
    required_for_zzp = False

    @factory.post_generation
    def prerequisites(self, create, extracted, **kwargs):
        if create and extracted:
            self.prerequisites.set(extracted)


class SessionFactory(factory.django.DjangoModelFactory):
    """A session in three weeks, 09:30–12:30 Amsterdam time, 10 seats,
    enrolment open until a week before."""

    class Meta:
        model = "training.Session"

    module = factory.SubFactory(ModuleFactory)
    starts_at = factory.LazyFunction(
        lambda: timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0) + timedelta(days=21)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    enrolment_deadline = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=7))
    location = "Provinciehuis, 's-Hertogenbosch"
    trainer_name = "Marieke Claassen"
    capacity = 10


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A seat in a session, written directly (use the services to test
    enrolling: they hold the waiting-list rules)."""

    class Meta:
        model = "training.Enrolment"

    session = factory.SubFactory(SessionFactory)
    member = factory.SubFactory(MemberProfileFactory)
    status = "enrolled"


class CompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training.Completion"

    member = factory.SubFactory(MemberProfileFactory)
    module = factory.SubFactory(ModuleFactory)
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
