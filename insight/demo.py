"""A year of demo history for the dashboard (issue #7), loaded by ``seed_demo``
after the invoicing demo and before matching.

What it adds, ending today:

* approved releases for the year before the members' current ones (ending
  the day before those start, so they never overlap): for some members
  without a particular assignment in mind, for others when they are picked
  for work; four of them ZZP, for members with a business who completed the
  three training modules the ZZP variant requires;
* past training sessions of every module with attendance and completions;
* 52 assignments of the 18 organisations published over the past ~13
  months: most filled, some cancelled or closed without a fit, a few still
  open or in selection; some with an internal-first window; 1–5
  applications each, invitations, offers and match-suggestion invitations;
  the engagements that came from them, mostly across organisations, a few
  within one;
* approved weekly timesheets (one or two days a week) for the engagements
  between organisations up to last week (some of last week's still waiting);
* the monthly invoice runs (the real service) up to the month before last,
  and at most ``APPROVE_AT_MOST`` drafts approved and paid through the
  services (each approval renders a PDF and a UBL document); the rest wait
  for HR as drafts;
* the programme manager's external consultancy rates per skill area.

Rows that cannot be made through a service because they lie in the past
(a publication a year ago, an approval last March) are written directly but
consistently: every engagement lies inside the member's approved release in
force at its start and within the release's hours a week (the rule of
``application_accept``); every week's hours stay within the release in force
that week (``week_save``), never above 24 a day, in quarter hours, inside
the engagement; timestamps are set to the historical moments with
``update()`` after creation. They are written with ``bulk_create``, which
sends no ``post_save``: the matching jobs each saved row would queue are
left to ``seed_matching``, which recomputes everything right after this.
Invoices, their numbers, PDFs and UBL only come from the invoicing services.

Within one organisation no hours are logged: the invoice run would make the
organisation an invoice to itself.

``seed_insight()`` is idempotent: nothing is added once the first historical
assignment (``MARKER``) exists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from schwifty import IBAN

from insight.models import ExternalRate
from insight.services import external_rate_set
from invoicing import money, services as invoicing_services
from invoicing.models import Invoice, InvoiceRun, InvoiceSequence, TimeEntry, Timesheet
from invoicing.tasks import dutch_public_holidays, first_working_day
from marketplace.models import (
    Application,
    Assignment,
    AssignmentInvitation,
    Engagement,
    Offer,
    Source,
    WorkMode,
)
from members.audit import audit_record
from members.demo import DEMO_DOMAIN, organisation_identifiers
from members.models import Membership, MemberProfile, Notification, Organisation, Release, Skill, User
from training.models import Completion, Enrolment, Module, Session

AMSTERDAM = ZoneInfo(settings.TIME_ZONE)
HISTORY_DAYS = 365
APPROVE_AT_MOST = 20  # approving renders a PDF and a UBL document each

PERSONAS = (f"anne.devries@{DEMO_DOMAIN}", f"bas.jansen@{DEMO_DOMAIN}")
PROGRAMME_MANAGER = f"programma@{DEMO_DOMAIN}"
TRAINING_COORDINATOR = f"training@{DEMO_DOMAIN}"
EXEMPTION = "Vrijgesteld van btw: ter beschikking stellen van personeel tussen overheidslichamen"

# Market rates of consultancy firms per skill area (€/h excl. VAT); "" is the
# default for every other area.
EXTERNAL_RATES = {
    "": Decimal("120.00"),
    "Ruimte en omgeving": Decimal("125.00"),
    "Water en klimaat": Decimal("130.00"),
    "Sociaal domein": Decimal("115.00"),
    "Bedrijfsvoering": Decimal("120.00"),
    "Data en digitaal": Decimal("140.00"),
    "Communicatie en samenwerking": Decimal("105.00"),
    "Mobiliteit": Decimal("125.00"),
}

H, R, O = WorkMode.HYBRID, WorkMode.REMOTE, WorkMode.ON_SITE
# title, description, skills, hours a week, work mode, who hires it (P provincie, G gemeente,
# W waterschap, D omgevingsdienst, X other public body, * any)
TEMPLATES = [
    ("Kwartiermaker regionale energiestrategie",
     "Zet de uitvoeringsorganisatie voor de regionale energiestrategie op: werkafspraken met gemeenten, "
     "waterschappen en netbeheerder, een planning voor zoekgebieden en een ritme voor bestuurlijk overleg.",
     ["Energietransitie", "Programmamanagement", "Bestuursadvies"], 16, H, "PG"),
    ("Adviseur Omgevingswet: omgevingsprogramma water",
     "Schrijf mee aan het omgevingsprogramma water en vertaal de doelen naar regels in het omgevingsplan.",
     ["Omgevingswet", "Waterbeheer", "Juridisch advies"], 12, H, "WPG"),
    ("Vergunningverlener Wabo/Omgevingswet (piek)",
     "Door een piek in aanvragen zoeken wij tijdelijk versterking bij het beoordelen van "
     "omgevingsvergunningen voor bouwen en milieu.",
     ["Vergunningverlening", "Omgevingswet"], 16, O, "DG"),
    ("Toezichthouder bodem en ondergrond",
     "Controleer grondverzet en bodemsaneringen, en help het team met een risicogerichte aanpak.",
     ["Toezicht en handhaving", "Bodem en ondergrond"], 12, O, "D"),
    ("Projectleider klimaatadaptatie bedrijventerrein",
     "Breng ondernemers, gemeente en waterschap samen rond hittestress en wateroverlast op een "
     "bedrijventerrein en maak een uitvoeringsplan met maatregelen.",
     ["Klimaatadaptatie", "Projectmanagement", "Participatie en inspraak"], 12, H, "GW"),
    ("Data-analist monitor sociaal domein",
     "Bouw een monitor voor jeugdzorg en Wmo: welke cijfers hebben we, wat zeggen ze, hoe houden we ze actueel?",
     ["Data-analyse", "Jeugdzorg", "Wmo"], 12, R, "GX"),
    ("GIS-specialist kaartlagen waterberging",
     "Maak de kaartlagen voor waterberging en droogte actueel en leer collega's ze zelf te gebruiken.",
     ["GIS", "Waterbeheer"], 8, R, "WPG"),
    ("Privacy-adviseur DPIA's digitale diensten",
     "Voer samen met de functionaris gegevensbescherming DPIA's uit voor nieuwe digitale diensten.",
     ["Privacy en AVG", "Informatiebeveiliging"], 8, R, "*"),
    ("Inkoopadviseur aanbesteding groenonderhoud",
     "Begeleid de aanbesteding van het groenonderhoud, van marktconsultatie tot gunning.",
     ["Inkoop en aanbesteding", "Juridisch advies"], 8, H, "GWP"),
    ("Financieel adviseur kadernota",
     "Versterk het team bij de kadernota en de meerjarenbegroting, met oog voor de opgaven in het sociaal domein.",
     ["Financieel advies"], 16, O, "GP"),
    ("Communicatieadviseur gebiedsgerichte aanpak stikstof",
     "Help de gebiedsgerichte aanpak helder uit te leggen aan agrariërs, natuurorganisaties en inwoners.",
     ["Communicatieadvies", "Stikstof en natuur"], 12, H, "PDG"),
    ("Procesbegeleider participatie woningbouwlocatie",
     "Organiseer de participatie rond een nieuwe woningbouwlocatie: bijeenkomsten, verslagen en terugkoppeling.",
     ["Procesbegeleiding", "Participatie en inspraak", "Woningbouw"], 12, H, "GP"),
    ("Informatiemanager zaakgericht werken",
     "Richt de informatiehuishouding in voor zaakgericht werken en begeleid de overgang naar het nieuwe zaaksysteem.",
     ["Informatiemanagement", "Digitale dienstverlening"], 12, R, "*"),
    ("Verkeerskundige schoolzones",
     "Ontwerp veilige schoolzones samen met scholen, ouders en de politie en begeleid de uitvoering.",
     ["Verkeerskunde", "Participatie en inspraak"], 8, H, "G"),
    ("Adviseur openbaar vervoer concessie",
     "Denk mee over het programma van eisen voor de nieuwe busconcessie en de aansluiting op de fiets.",
     ["Openbaar vervoer", "Inkoop en aanbesteding"], 12, H, "P"),
    ("HR-adviseur strategische personeelsplanning",
     "Breng in kaart welke kennis de komende vijf jaar nodig is en welke mobiliteit daarbij helpt.",
     ["HR-advies", "Data-analyse"], 8, H, "*"),
    ("Beleidsadviseur publieke gezondheid en hitte",
     "Schrijf het hitteplan met zorgpartners en gemeenten en organiseer de oefening voor de zomer.",
     ["Publieke gezondheid", "Klimaatadaptatie"], 8, H, "XG"),
    ("Jurist bezwaar en beroep omgevingsrecht",
     "Behandel bezwaarschriften tegen omgevingsvergunningen en bereid zittingen van de commissie voor.",
     ["Juridisch advies", "Omgevingswet"], 16, O, "GDP"),
    ("Projectleider Participatiewet: werk en inkomen",
     "Leid de pilot waarin klantmanagers en werkgevers samen werkzoekenden begeleiden naar werk.",
     ["Participatiewet", "Projectmanagement"], 12, H, "G"),
    ("Adviseur informatiebeveiliging BIO",
     "Help bij de zelfevaluatie volgens de BIO en maak een verbeterplan met de proceseigenaren.",
     ["Informatiebeveiliging", "Privacy en AVG"], 8, R, "*"),
    ("Ecoloog stikstof en natuurvergunningen",
     "Beoordeel stikstofberekeningen bij vergunningaanvragen en adviseer over mitigerende maatregelen.",
     ["Stikstof en natuur", "Vergunningverlening"], 12, H, "PD"),
    ("Programmasecretaris woningbouwversnelling",
     "Ondersteun de programmamanager: agenda, voortgangsrapportage en afspraken met corporaties.",
     ["Woningbouw", "Programmamanagement"], 12, H, "GP"),
    ("Adviseur digitale dienstverlening en toegankelijkheid",
     "Maak de e-diensten toegankelijk volgens WCAG en begeleid het team bij het testen met inwoners.",
     ["Digitale dienstverlening", "Communicatieadvies"], 8, R, "*"),
    ("Watersysteemadviseur droogte",
     "Werk maatregelen tegen droogte uit met agrariërs en terreinbeheerders in de beekdalen.",
     ["Waterbeheer", "Klimaatadaptatie", "Participatie en inspraak"], 16, H, "WP"),
    ("Bestuursadviseur regionale samenwerking",
     "Bereid het portefeuillehoudersoverleg voor en zorg dat afspraken tussen de gemeenten worden uitgevoerd.",
     ["Bestuursadvies", "Procesbegeleiding"], 8, H, "GXP"),
    ("Handhaver energiebesparingsplicht",
     "Controleer bedrijven op de energiebesparingsplicht en adviseer hen over maatregelen.",
     ["Toezicht en handhaving", "Energietransitie"], 12, O, "DG"),
    ("Data-analist vergunningendashboard",
     "Maak een dashboard met doorlooptijden van vergunningen en leer het team er zelf mee te werken.",
     ["Data-analyse", "Vergunningverlening"], 8, R, "DG"),
    ("Adviseur ruimtelijke ordening omgevingsvisie",
     "Werk de omgevingsvisie uit in gebiedsprofielen en betrek de raad bij de keuzes.",
     ["Ruimtelijke ordening", "Omgevingswet", "Bestuursadvies"], 12, H, "GP"),
    ("Controller subsidies",
     "Richt de verantwoording van subsidies in en controleer de eerste vaststellingen.",
     ["Financieel advies", "Juridisch advies"], 8, O, "PGX"),
    ("Projectleider Wmo-toegang",
     "Vernieuw de toegang tot de Wmo met het sociaal wijkteam: van melding tot maatwerk.",
     ["Wmo", "Projectmanagement"], 16, H, "G"),
]

# Who lends to whom: organisations of one region work together most.
REGIONS = [
    {"s-hertogenbosch", "oss", "meierijstad", "aa-en-maas", "odbn", "provincie-noord-brabant"},
    {"eindhoven", "helmond", "de-dommel", "odzob"},
    {"tilburg", "waalwijk", "ggd-hart-voor-brabant", "odmwb"},
    {"breda", "roosendaal", "bergen-op-zoom", "brabantse-delta"},
]
# Hiring organisations in publication order (bigger ones hire more often).
HIRERS = [
    "provincie-noord-brabant", "eindhoven", "tilburg", "s-hertogenbosch", "breda", "aa-en-maas",
    "odzob", "helmond", "odmwb", "de-dommel", "meierijstad", "oss", "ggd-hart-voor-brabant", "roosendaal",
    "brabantse-delta", "odbn", "bergen-op-zoom", "waalwijk",
]
ASSIGNMENTS = 52
MARKER = TEMPLATES[0][0]  # the first historical assignment: its existence means "seeded"
KIND_CODES = {
    Organisation.Kind.PROVINCIE: "P", Organisation.Kind.GEMEENTE: "G", Organisation.Kind.WATERSCHAP: "W",
    Organisation.Kind.OMGEVINGSDIENST: "D", Organisation.Kind.OTHER: "X",
}

# (module title, days ago, capacity, place); every module a few times a year.
PROVINCE_HOUSE = "Provinciehuis, Brabantlaan 1, 's-Hertogenbosch"
TILBURG = "Stadskantoor Tilburg, Stadhuisplein 130, Tilburg"
EINDHOVEN = "Stadhuis Eindhoven, Stadhuisplein 10, Eindhoven"
ONLINE = "https://teams.example.nl/zpp-brabant/"
TAX = "Belastingdienst: btw en inkomstenbelasting voor de zzp'er"
PAST_SESSIONS = [
    ("Financiën voor de zzp'er", 348, 15, TILBURG),
    ("Ontdek je talent", 338, 12, PROVINCE_HOUSE),
    ("Juridische aspecten ZPP/ZZP", 327, 20, ""),
    (TAX, 313, 25, ""),
    ("Netwerken en acquisitie", 299, 12, EINDHOVEN),
    ("Pitchen", 268, 10, PROVINCE_HOUSE),
    ("Ontdek je talent", 254, 12, TILBURG),
    ("Financiën voor de zzp'er", 241, 15, TILBURG),
    ("Juridische aspecten ZPP/ZZP", 226, 20, ""),
    (TAX, 212, 25, ""),
    ("Netwerken en acquisitie", 197, 12, PROVINCE_HOUSE),
    ("Ontdek je talent", 171, 12, EINDHOVEN),
    ("Pitchen", 152, 10, PROVINCE_HOUSE),
    ("Financiën voor de zzp'er", 136, 15, TILBURG),
    ("Juridische aspecten ZPP/ZZP", 127, 20, ""),
    (TAX, 104, 25, ""),
    ("Netwerken en acquisitie", 95, 12, TILBURG),
    ("Ontdek je talent", 76, 12, PROVINCE_HOUSE),
    ("Pitchen", 54, 10, EINDHOVEN),
]
TRAINERS = {
    "Ontdek je talent": "Marieke Claassen (Mobiliteitscentrum)",
    "Netwerken en acquisitie": "Joris van Loon (Mobiliteitscentrum)",
    "Pitchen": "Joris van Loon (Mobiliteitscentrum)",
    "Juridische aspecten ZPP/ZZP": "mr. Sanne Aarts (Provincie Noord-Brabant)",
    "Financiën voor de zzp'er": "Kamer van Koophandel, team Starters",
    TAX: "Belastingdienst, voorlichting Startende ondernemers",
}
ZZP_MEMBERS = 4
ZZP_RATES = [Decimal("95.00"), Decimal("102.50"), Decimal("110.00"), Decimal("98.00")]
ZZP_REQUIRED = ["Financiën voor de zzp'er", "Juridische aspecten ZPP/ZZP", TAX]

MOTIVATIONS = [
    "Ik heb vergelijkbare opgaven gedaan en werk graag over de grenzen van mijn organisatie heen.",
    "Dit sluit aan bij mijn ervaring; ik kan het team snel op weg helpen en leer zelf van jullie aanpak.",
    "Ik wil mijn kennis graag inzetten in jullie regio; mijn organisatie ondersteunt dat van harte.",
    "Na een vergelijkbaar traject bij mijn eigen organisatie wil ik deze ervaring graag delen.",
]
AVAILABILITY = ["Dinsdag en donderdag.", "Maandag, en in overleg een tweede dag.", "Woensdag en vrijdag.",
                "Flexibel, ook op afstand."]
REJECTIONS = [
    "Dank voor je reactie. We hebben gekozen voor een kandidaat wiens ervaring nog beter aansluit.",
    "Bedankt voor je belangstelling; de opdracht is ingevuld door een andere kandidaat.",
]
CANCEL_REASON = "De opdracht is vervallen door een gewijzigde prioriteit van het bestuur."
NO_FIT = "We hebben de opdracht na de sluitingsdatum niet kunnen invullen; dank voor je reactie."
WORK = [
    "Overleg met het projectteam en uitwerking van het advies",
    "Analyse en rapportage",
    "Werksessie met collega's en betrokkenen",
    "Voorbereiding en verslag van het overleg",
    "Uitwerking van de aanpak",
]


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)


def _quarter(value: float) -> Decimal:
    return Decimal(str(round(value * 4) / 4)).quantize(Decimal("0.01"))


# --- The plan, in memory ---------------------------------------------------------


@dataclass
class _Release:
    start: date
    end: date
    hours: Decimal
    variant: str


@dataclass
class _Member:
    profile: MemberProfile
    organisation_id: int
    slug: str
    skills: set[int]
    releases: list[_Release] = field(default_factory=list)
    # (start, end, hours a week) of the engagements planned for them
    busy: list[tuple[date, date, Decimal]] = field(default_factory=list)
    zzp_rate: Decimal | None = None
    earlier: _Release | None = None  # the release of the year before, planned here

    def release_on(self, day: date) -> _Release | None:
        """The approved release in force on ``day`` (``release_for_period``)."""
        found = [r for r in self.releases if r.start <= day <= r.end]
        return max(found, key=lambda r: r.start) if found else None

    def release_for_week(self, monday: date) -> _Release | None:
        """As ``invoicing.services.release_for_week``."""
        found = [r for r in self.releases if r.start <= monday + timedelta(days=6) and r.end >= monday]
        return max(found, key=lambda r: r.start) if found else None

    def engaged(self, start: date, end: date) -> Decimal:
        return sum((h for s, e, h in self.busy if s <= end and e >= start), Decimal("0"))


class _Seeder:
    def __init__(self):
        self.rng = random.Random(2029)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.start = self.today - timedelta(days=HISTORY_DAYS)
        self.this_monday = self.today - timedelta(days=self.today.weekday())
        self.counts: dict[str, int] = {}
        self.links: set[tuple[str, str]] = set()  # (lending slug, hiring slug)
        self.organisations = {o.slug: o for o in Organisation.objects.all()}
        self.coordinators = {}
        self.hr = {}
        for membership in Membership.objects.filter(
            role__in=(Membership.Role.COORDINATOR, Membership.Role.HR)
        ).select_related("user").order_by("pk"):
            target = self.coordinators if membership.role == Membership.Role.COORDINATOR else self.hr
            target.setdefault(membership.organisation_id, membership.user)
        self.programme_manager = User.objects.filter(email=PROGRAMME_MANAGER).first()
        self.training_coordinator = User.objects.filter(email=TRAINING_COORDINATOR).first()
        self.holidays = dutch_public_holidays(self.today.year) | dutch_public_holidays(self.today.year - 1)

    def add(self, key: str, n: int) -> None:
        if n:
            self.counts[key] = self.counts.get(key, 0) + n

    # --- People -------------------------------------------------------------

    def load_members(self) -> None:
        """Members outside the personas without an engagement yet (the
        invoicing demo's stay as they are), with their current release."""
        busy = Engagement.objects.values_list("member_id", flat=True)
        profiles = (
            MemberProfile.objects.exclude(user__email__in=PERSONAS).exclude(pk__in=busy)
            .select_related("home_organisation", "user").prefetch_related("skills", "releases").order_by("pk")
        )
        self.members: list[_Member] = []
        self.current: dict[int, Release] = {}
        for profile in profiles:
            member = _Member(
                profile=profile, organisation_id=profile.home_organisation_id, slug=profile.home_organisation.slug,
                skills={s.pk for s in profile.skills.all()},
            )
            releases = sorted(profile.releases.all(), key=lambda r: r.start_date)
            if not releases:
                continue
            for release in releases:
                if release.status == Release.Status.APPROVED:
                    member.releases.append(_Release(release.start_date, release.end_date,
                                                    release.hours_per_week, release.variant))
            self.current[profile.pk] = releases[0]  # the earliest: the history goes before it
            self.members.append(member)
        self.by_profile = {m.profile.pk: m for m in self.members}

    def zzp_members(self) -> list[_Member]:
        """A few members with their own business (the ZZP variant)."""
        chosen = [m for m in self.members if m.slug in ("tilburg", "breda", "helmond", "oss")]
        chosen = chosen[:: max(1, len(chosen) // ZZP_MEMBERS)][:ZZP_MEMBERS]
        for index, member in enumerate(chosen):
            profile = member.profile
            ids = organisation_identifiers(200 + index)
            last = profile.user.last_name or "Advies"
            business = {
                "own_hourly_rate": ZZP_RATES[index % len(ZZP_RATES)],
                "business_name": f"{last.split()[-1].capitalize()} Overheidsadvies",
                "business_kvk": ids["kvk_number"],
                "business_vat": ids["vat_number"],
                "business_iban": str(IBAN.generate(
                    "NL", bank_code="RABO", account_code=f"{3_100_000_000 + index * 7919:010d}")),
                "business_street": f"Kerkstraat {12 + index * 7}",
                "business_postal_code": profile.home_organisation.postal_code,
                "business_city": profile.home_organisation.city,
            }
            MemberProfile.objects.filter(pk=profile.pk).update(**business)
            for name, value in business.items():
                setattr(profile, name, value)
            member.zzp_rate = profile.own_hourly_rate
        return chosen

    def earlier_releases(self, zzp: list[_Member], zzp_from: dict[int, date]) -> None:
        """Plan the releases of the year before: the ZZP members' (after
        their required training) and those of a third of the others, who
        asked for one without a particular assignment in mind. More follow
        in ``_pick`` when a member is asked for work."""
        for member in self.members:
            if member in zzp and member.profile.pk in zzp_from:
                self._plan_release(member, zzp_from[member.profile.pk], Release.Variant.ZZP,
                                   Decimal(self.rng.choice(["2", "2.5"])))
            elif self.rng.random() < 0.35:
                self._plan_release(member, self.start + timedelta(days=self.rng.randint(-80, 170)),
                                   Release.Variant.ZPP, Decimal(self.rng.choice(["1", "1.5", "2", "2", "2.5"])))

    def _plan_release(self, member: _Member, start: date, variant: str, days: Decimal) -> _Release | None:
        """An approved release from ``start`` up to the day before the
        member's current one (so the two never overlap)."""
        if member.earlier is not None:
            return None
        end = self.current[member.profile.pk].start_date - timedelta(days=1)
        if (end - start).days < 45:
            return None
        release = _Release(start, end, days * settings.HOURS_PER_RELEASED_DAY, variant)
        member.releases.append(release)
        member.earlier = release
        return release

    def write_releases(self) -> None:
        rows = []
        for member in self.members:
            planned = member.earlier
            if planned is None:
                continue
            decided = _at(planned.start - timedelta(days=self.rng.randint(5, 20)), self.rng.randint(9, 16))
            rows.append(Release(
                member=member.profile, days_per_week=planned.hours / settings.HOURS_PER_RELEASED_DAY,
                variant=planned.variant, start_date=planned.start, end_date=planned.end,
                motivation=("Ik wil als zzp'er opdrachten doen bij andere Brabantse overheden."
                            if planned.variant == Release.Variant.ZZP
                            else "Ik wil graag mijn kennis inzetten bij andere Brabantse overheden."),
                status=Release.Status.APPROVED, decided_by=self.hr.get(member.organisation_id), decided_at=decided,
            ))
        made = Release.objects.bulk_create(rows)
        for release in made:
            Release.objects.filter(pk=release.pk).update(requested_at=release.decided_at - timedelta(days=6))
        self.add("earlier releases", len(made))

    # --- Training -------------------------------------------------------------

    def training(self, zzp: list[_Member]) -> dict[int, date]:
        """Past sessions with attendance and completions; the ZZP members
        complete the three required modules early. Returns, per ZZP member,
        the first day their ZZP release can start."""
        modules = {m.title: m for m in Module.objects.prefetch_related("prerequisites")}
        if not modules:
            return {}
        completed: dict[tuple[int, int], date] = {
            (c.member_id, c.module_id): c.completed_on for c in Completion.objects.all()
        }
        people = list(
            MemberProfile.objects.exclude(user__email__in=PERSONAS).order_by("pk").values_list("pk", flat=True)
        )
        zzp_ids = [m.profile.pk for m in zzp]
        sessions, enrolments, completions = [], [], []
        for title, days_ago, capacity, place in sorted(PAST_SESSIONS, key=lambda s: -s[1]):
            module = modules.get(title)
            if module is None:
                continue
            day = self.today - timedelta(days=days_ago)
            while day.weekday() >= 5 or day in self.holidays:
                day += timedelta(days=1)
            starts = _at(day, 9, 30) if module.track != Module.Track.TAX else _at(day, 14)
            hours = float(module.duration_hours)
            session = Session(
                module=module, starts_at=starts, ends_at=starts + timedelta(minutes=int(hours * 60)),
                location=place, online_url="" if place else ONLINE, trainer_name=TRAINERS.get(title, ""),
                capacity=capacity, enrolment_deadline=starts - timedelta(days=2),
                created_by=self.training_coordinator,
            )
            sessions.append(session)
            prerequisites = [p.pk for p in module.prerequisites.all()]

            def eligible(pk):
                return (pk, module.pk) not in completed and all(
                    completed.get((pk, p), day) < day for p in prerequisites
                )

            forced = [pk for pk in zzp_ids if title in ZZP_REQUIRED and eligible(pk)]
            others = [pk for pk in people if pk not in zzp_ids and eligible(pk)]
            self.rng.shuffle(others)
            wanted = min(capacity, self.rng.randint(5, 10) if capacity <= 12 else self.rng.randint(8, 14))
            chosen = forced + others[: max(0, wanted - len(forced))]
            for pk in chosen:
                enrolled_at = starts - timedelta(days=self.rng.randint(8, 40), hours=self.rng.randint(0, 8))
                roll = self.rng.random()
                if pk in forced or roll < 0.84:
                    status = Enrolment.Status.ATTENDED
                elif roll < 0.93:
                    status = Enrolment.Status.NO_SHOW
                else:
                    status = Enrolment.Status.CANCELLED
                enrolments.append(Enrolment(
                    session=session, member_id=pk, status=status, created_at=enrolled_at,
                    cancelled_at=enrolled_at + timedelta(days=3) if status == Enrolment.Status.CANCELLED else None,
                    attendance_marked_at=session.ends_at if status != Enrolment.Status.CANCELLED else None,
                    attendance_marked_by=self.training_coordinator if status != Enrolment.Status.CANCELLED else None,
                ))
                if status == Enrolment.Status.ATTENDED:
                    completed[(pk, module.pk)] = day
                    completions.append(Completion(
                        member_id=pk, module=module, session=session, completed_on=day,
                        verified_by=self.training_coordinator,
                    ))
        Session.objects.bulk_create(sessions)
        for enrolment in enrolments:
            enrolment.session_id = enrolment.session.pk
        for completion in completions:
            completion.session_id = completion.session.pk
        Enrolment.objects.bulk_create(enrolments)
        Completion.objects.bulk_create(completions)
        Session.objects.filter(pk__in=[s.pk for s in sessions]).update(
            created_at=F("starts_at") - timedelta(days=60), updated_at=F("ends_at")
        )
        Completion.objects.filter(pk__in=[c.pk for c in completions]).update(
            created_at=Subquery(Session.objects.filter(pk=OuterRef("session_id")).values("ends_at")[:1])
        )
        self.add("past training sessions", len(sessions))
        self.add("training enrolments", len(enrolments))
        self.add("training completions", len(completions))

        required = [modules[t].pk for t in ZZP_REQUIRED if t in modules]
        ready = {}
        for pk in zzp_ids:
            days = [completed.get((pk, m)) for m in required]
            last = max(d for d in days if d) if all(days) else self.start
            ready[pk] = last + timedelta(days=self.rng.randint(10, 25))
        return ready

    # --- Assignments, applications, engagements -------------------------------------

    def _affinity(self, hiring_slug: str, member: _Member) -> float:
        """Neighbours work together most, and a link once made is used again."""
        if member.slug == hiring_slug:
            return 0.0
        same_region = any(hiring_slug in region and member.slug in region for region in REGIONS)
        if hiring_slug == "provincie-noord-brabant" or member.slug == "provincie-noord-brabant":
            score = 2.0
        else:
            score = 3.0 if same_region else 0.5
        if (member.slug, hiring_slug) in self.links:
            score += 1.5
        return score

    def _pick(self, assignment, skills: set[int], internal: bool, taken: set[int]) -> _Member | None:
        """The best fitting member who has the room in their release (the
        budget rule of ``application_accept``)."""
        candidates = []
        for member in self.members:
            if member.profile.pk in taken:
                continue
            if internal != (member.organisation_id == assignment.organisation_id):
                continue
            release = member.release_on(assignment.start_date)
            score = 1.5 * len(skills & member.skills) + self._affinity(assignment.organisation.slug, member)
            if release is None:
                # Not released yet: they would ask HR for a release to take it.
                current = self.current[member.profile.pk]
                if member.earlier is not None or assignment.start_date > current.start_date - timedelta(days=60):
                    continue
                score -= 1.0
            elif member.engaged(assignment.start_date, assignment.end_date) + assignment.hours_per_week > release.hours:
                continue
            elif release.variant == Release.Variant.ZZP:
                score += 0.5
            candidates.append((score + self.rng.random() * 2.0, member))
        if not candidates:
            return None
        member = max(candidates, key=lambda c: c[0])[1]
        if member.release_on(assignment.start_date) is None:
            days = Decimal(self.rng.choice(["1.5", "2", "2", "2.5"]))
            while days * settings.HOURS_PER_RELEASED_DAY < assignment.hours_per_week:
                days += Decimal("0.5")
            start = assignment.start_date - timedelta(days=self.rng.randint(7, 45))
            if self._plan_release(member, start, Release.Variant.ZPP, days) is None:
                return None
        return member

    def assignments(self) -> list[Engagement]:
        skills = {s.name: s for s in Skill.objects.all()}
        rng, today = self.rng, self.today
        sources = ([Source.APPLICATION] * 26 + [Source.INVITATION] * 10 + [Source.OFFER] * 6
                   + [Source.SUGGESTION] * 8)
        rng.shuffle(sources)
        plans = []
        span = 400 - 3
        used = [0] * len(TEMPLATES)
        for index in range(ASSIGNMENTS):
            days_ago = max(2, round(400 - index * span / (ASSIGNMENTS - 1)) + rng.randint(-3, 3))
            organisation = self.organisations.get(HIRERS[index % len(HIRERS)])
            if organisation is None:
                continue
            # The least used template that fits this kind of organisation.
            code = KIND_CODES.get(organisation.kind, "X")
            fitting = [i for i, t in enumerate(TEMPLATES) if t[5] == "*" or code in t[5]]
            choice = min(fitting, key=lambda i: (used[i], i))
            used[choice] += 1
            plans.append((days_ago, TEMPLATES[choice], organisation))

        made_engagements = []
        apps, invitations, offers = [], 0, 0
        for index, (days_ago, template, organisation) in enumerate(plans):
            title, description, skill_names, hours, mode, _kinds = template
            coordinator = self.coordinators.get(organisation.pk)
            if coordinator is None:
                continue
            day = today - timedelta(days=days_ago)
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            published = _at(day, rng.randint(8, 15), rng.choice([0, 15, 30, 45]))
            internal_days = rng.choice([2, 3, 5]) if index % 4 == 1 else 0
            deadline = day + timedelta(days=rng.randint(14, 24))
            start = deadline + timedelta(days=rng.randint(14, 35))
            start += timedelta(days=(7 - start.weekday()) % 7)  # a Monday
            end = start + timedelta(days=rng.choice([91, 119, 147, 182, 238]) - 1)
            accept_at = _at(deadline + timedelta(days=rng.randint(2, 9)), rng.randint(9, 16))
            while accept_at.date().weekday() >= 5:
                accept_at += timedelta(days=1)
            roll = rng.random()
            if index == 0:
                outcome = "filled"
            elif deadline >= today:
                outcome = "open"
            elif accept_at >= self.now:
                outcome = "selection"
            elif roll < 0.08:
                outcome = "cancelled"
            elif roll < 0.15:
                outcome = "closed"
            else:
                outcome = "filled"
            assignment = Assignment(
                organisation=organisation, created_by=coordinator, title=title, description=description,
                hours_per_week=Decimal(hours), positions=2 if index % 7 == 3 else 1,
                start_date=start, end_date=end, place=organisation.city, work_mode=mode,
                rate_ceiling=Decimal("105.00") if index % 3 == 0 else None,
                application_deadline=deadline, contact_name=coordinator.get_full_name(),
                contact_email=coordinator.email, internal_first_days=internal_days,
                status=Assignment.Status.PUBLISHED, published_at=published,
                province_wide_at=published + timedelta(days=internal_days),
            )
            wanted_skills = [skills[n] for n in skill_names if n in skills]
            skill_ids = {s.pk for s in wanted_skills}

            # Who gets it (planned first: the number of positions follows).
            accepted: list[tuple[_Member, str]] = []
            if outcome == "filled":
                taken: set[int] = set()
                for position in range(assignment.positions):
                    internal = internal_days > 0 and position == 0 and rng.random() < 0.6
                    member = self._pick(assignment, skill_ids, internal, taken)
                    if member is None and internal:
                        member = self._pick(assignment, skill_ids, False, taken)
                    if member is None:
                        break
                    taken.add(member.profile.pk)
                    self.links.add((member.slug, organisation.slug))
                    own = member.organisation_id == organisation.pk
                    source = Source.APPLICATION if own and rng.random() < 0.5 else (
                        sources.pop() if sources else Source.APPLICATION)
                    if own and source == Source.OFFER:
                        source = Source.INVITATION
                    accepted.append((member, source))
                    release = member.release_on(start)
                    member.busy.append((start, min(end, release.end), assignment.hours_per_week))
                if not accepted:
                    outcome = "closed"
                else:
                    assignment.positions = len(accepted)
            status = {
                "filled": Assignment.Status.FILLED, "cancelled": Assignment.Status.CANCELLED,
                "closed": Assignment.Status.CLOSED, "selection": Assignment.Status.CLOSED,
                "open": Assignment.Status.PUBLISHED,
            }[outcome]
            assignment.status = status
            if outcome == "filled":
                assignment.closed_at = accept_at
            elif outcome == "cancelled":
                assignment.closed_at = _at(day + timedelta(days=rng.randint(4, (deadline - day).days)), 11)
            elif outcome in ("closed", "selection"):
                assignment.closed_at = min(_at(deadline + timedelta(days=1), 2), self.now - timedelta(minutes=5))
            Assignment.objects.bulk_create([assignment])
            Assignment.required_skills.through.objects.bulk_create([
                Assignment.required_skills.through(assignment_id=assignment.pk, skill_id=s.pk) for s in wanted_skills
            ])
            Assignment.objects.filter(pk=assignment.pk).update(
                created_at=published - timedelta(days=rng.randint(1, 4), hours=2),
                updated_at=assignment.closed_at or published,
            )

            # The applications: the accepted ones and 0-4 others.
            last_moment = min(_at(deadline, 17), self.now - timedelta(hours=2))
            if outcome == "cancelled":
                last_moment = min(last_moment, assignment.closed_at - timedelta(hours=1))
            applicants = [m for m, _s in accepted]
            others = [
                m for m in self.members
                if m not in applicants and (m.organisation_id != organisation.pk or internal_days)
            ]
            rng.shuffle(others)
            extra = others[: rng.randint(0 if accepted else 1, 4 - min(2, len(accepted)) + 1)]
            if outcome == "open" and not extra:
                extra = others[:2]
            entries = [(m, s, True) for m, s in accepted] + [(m, Source.APPLICATION, False) for m in extra]
            for member, source, chosen in entries:
                own = member.organisation_id == organisation.pk
                visible = published if own else assignment.province_wide_at
                if visible >= last_moment:
                    continue
                window = (last_moment - visible).total_seconds()
                applied_at = visible + timedelta(seconds=rng.uniform(0.1, 0.95) * window)
                invitation = None
                if source != Source.APPLICATION:
                    invited_at = visible + (applied_at - visible) * rng.uniform(0.2, 0.8)
                    offer = None
                    if source == Source.OFFER:
                        release = member.release_on(start) or member.release_on(day)
                        available_from = invited_at.date() - timedelta(days=rng.randint(10, 45))
                        offer = Offer(
                            member=member.profile,
                            title=f"{member.profile.job_title or 'Adviseur'} beschikbaar voor een nieuwe opdracht",
                            description=(member.profile.bio or "Ik help graag een andere organisatie verder.")
                            + " Ik kan één tot twee dagen per week.",
                            hours_per_week=min(release.hours if release else Decimal("8"), Decimal("16")),
                            available_from=available_from,
                            available_until=available_from + timedelta(days=rng.choice([120, 150, 180])),
                            work_mode=WorkMode.HYBRID,
                            status=Offer.Status.WITHDRAWN if chosen and outcome == "filled" else Offer.Status.PUBLISHED,
                        )
                        offer.save()
                        offer.skills.set(list(member.skills)[:4])
                        Offer.objects.filter(pk=offer.pk).update(
                            created_at=_at(available_from - timedelta(days=2), 20),
                            updated_at=accept_at if offer.status == Offer.Status.WITHDRAWN else invited_at,
                        )
                        offers += 1
                    invitation = AssignmentInvitation.objects.create(
                        assignment=assignment, member=member.profile, invited_by=coordinator, source=source,
                        offer=offer, status=AssignmentInvitation.Status.APPLIED,
                        message="Jouw profiel past goed bij deze opdracht. Zou je willen reageren?",
                    )
                    AssignmentInvitation.objects.filter(pk=invitation.pk).update(created_at=invited_at)
                    invitations += 1
                rate = None
                release = member.release_on(start)
                if release and release.variant == Release.Variant.ZZP:
                    rate = member.zzp_rate
                application = Application(
                    assignment=assignment, member=member.profile, motivation=rng.choice(MOTIVATIONS),
                    availability=rng.choice(AVAILABILITY), proposed_rate=rate,
                    rate_note=("Mijn tarief ligt iets boven het maximum; daar staat ruime ervaring met "
                               "vergelijkbare opdrachten tegenover.")
                    if rate and assignment.rate_ceiling and rate > assignment.rate_ceiling else "",
                    source=source,
                )
                decided_at = None
                if outcome == "filled":
                    if chosen:
                        application.status = Application.Status.ACCEPTED
                        # Two positions: the first is accepted a day before the second.
                        order = [m for m, _s in accepted].index(member)
                        decided_at = accept_at - timedelta(days=len(accepted) - 1 - order)
                    else:
                        application.status = Application.Status.REJECTED
                        application.decision_message = rng.choice(REJECTIONS)
                        decided_at = accept_at
                elif outcome == "cancelled":
                    application.status = Application.Status.REJECTED
                    application.decision_message = CANCEL_REASON
                    decided_at = assignment.closed_at
                elif outcome == "closed":
                    application.status = Application.Status.REJECTED
                    application.decision_message = NO_FIT
                    decided_at = min(assignment.closed_at + timedelta(days=3), self.now - timedelta(hours=1))
                elif outcome == "selection":
                    application.status = rng.choice([Application.Status.SHORTLISTED, Application.Status.SUBMITTED])
                else:
                    application.status = rng.choice([Application.Status.SUBMITTED, Application.Status.SUBMITTED,
                                                     Application.Status.SHORTLISTED])
                if decided_at is not None:
                    application.decided_at = decided_at
                    application.decided_by = coordinator
                Application.objects.bulk_create([application])
                Application.objects.filter(pk=application.pk).update(
                    created_at=applied_at, updated_at=decided_at or applied_at
                )
                apps.append(application)
                if chosen and outcome == "filled":
                    made_engagements.append(self._engage(assignment, application, member, source, decided_at,
                                                         coordinator))
        self.add("past assignments", len(plans))
        self.add("past applications", len(apps))
        self.add("invitations to apply", invitations)
        self.add("offers", offers)
        self.add("past engagements", len(made_engagements))
        return made_engagements

    def _engage(self, assignment, application, member: _Member, source, accepted_at, coordinator) -> Engagement:
        release = member.release_on(assignment.start_date)
        zzp = release.variant == Release.Variant.ZZP
        own = member.organisation_id == assignment.organisation_id
        exempt = not zzp and not own and self.rng.random() < 0.6
        [engagement] = Engagement.objects.bulk_create([Engagement(
            assignment=assignment, application=application, member=member.profile,
            hiring_organisation=assignment.organisation, home_organisation=member.profile.home_organisation,
            variant=release.variant,
            agreed_rate=(application.proposed_rate or member.zzp_rate) if zzp
            else member.profile.home_organisation.zpp_hourly_rate,
            hours_per_week=assignment.hours_per_week,
            start_date=max(assignment.start_date, release.start), end_date=min(assignment.end_date, release.end),
            vat_treatment=Engagement.VatTreatment.EXEMPT if exempt else Engagement.VatTreatment.STANDARD,
            vat_exemption_reason=EXEMPTION if exempt else "", source=source, created_by=coordinator,
        )])
        Engagement.objects.filter(pk=engagement.pk).update(created_at=accepted_at)
        engagement.created_at = accepted_at
        return engagement

    # --- Hours ---------------------------------------------------------------------------

    def hours(self, engagements: list[Engagement]) -> None:
        """Weekly timesheets, approved by the hiring coordinator, up to last
        week (a few of last week's still waiting): one or two days a week,
        never above the release in force that week."""
        rng = self.rng
        last_sunday = self.this_monday - timedelta(days=1)
        last_monday = self.this_monday - timedelta(days=7)
        week_total: dict[tuple[int, date], Decimal] = {}
        day_total: dict[tuple[int, date], Decimal] = {}
        sheets, entries_by_sheet = [], []
        for engagement in sorted(engagements, key=lambda e: e.pk):
            if engagement.home_organisation_id == engagement.hiring_organisation_id:
                continue  # no invoice to oneself: see the module docstring
            member = self.by_profile[engagement.member_id]
            per_week = engagement.hours_per_week
            pattern = {
                Decimal("8"): rng.choice([[(1, 8)], [(3, 8)], [(1, 4), (3, 4)], [(0, 4), (2, 4)]]),
                Decimal("12"): rng.choice([[(1, 8), (3, 4)], [(2, 8), (4, 4)], [(0, 4), (3, 8)]]),
                Decimal("16"): rng.choice([[(1, 8), (3, 8)], [(0, 8), (2, 8)], [(2, 8), (4, 8)]]),
            }.get(per_week, [(1, float(per_week))])
            summer = date(self.today.year if self.today.month >= 8 else self.today.year - 1, 7, 14) + timedelta(
                weeks=rng.randint(0, 4))
            monday = engagement.start_date - timedelta(days=engagement.start_date.weekday())
            coordinator = self.coordinators.get(engagement.hiring_organisation_id)
            while monday <= last_monday and monday <= engagement.end_date:
                off = (summer <= monday < summer + timedelta(weeks=2)) or (monday.month == 12 and monday.day >= 22) \
                    or rng.random() < 0.05
                release = member.release_for_week(monday)
                if off or release is None:
                    monday += timedelta(days=7)
                    continue
                days = []
                for offset, base in pattern:
                    day = monday + timedelta(days=offset)
                    if not engagement.start_date <= day <= min(engagement.end_date, last_sunday):
                        continue
                    if day in self.holidays:
                        continue
                    hours = _quarter(base - rng.choice([0, 0, 0, 0, 0, 0.5, 1, 1.5]))
                    key = (member.profile.pk, monday)
                    room = release.hours - week_total.get(key, Decimal("0"))
                    hours = min(hours, room, Decimal("24") - day_total.get((member.profile.pk, day), Decimal("0")))
                    if hours <= 0:
                        continue
                    week_total[key] = week_total.get(key, Decimal("0")) + hours
                    day_total[(member.profile.pk, day)] = day_total.get((member.profile.pk, day), Decimal("0")) + hours
                    days.append((day, hours))
                if days:
                    friday = monday + timedelta(days=4)
                    submitted = _at(friday, 16, rng.choice([0, 15, 30, 45]))
                    waiting = monday == last_monday and rng.random() < 0.35
                    decided = min(submitted + timedelta(days=rng.choice([3, 4, 5]), hours=-6),
                                  self.now - timedelta(hours=1))
                    sheets.append(Timesheet(
                        engagement=engagement, week_start=monday,
                        status=Timesheet.Status.SUBMITTED if waiting else Timesheet.Status.APPROVED,
                        submitted_at=submitted, submitted_by=member.profile.user,
                        decided_at=None if waiting else decided, decided_by=None if waiting else coordinator,
                    ))
                    entries_by_sheet.append(days)
                monday += timedelta(days=7)
        Timesheet.objects.bulk_create(sheets, batch_size=1000)
        entries = []
        for sheet, days in zip(sheets, entries_by_sheet):
            for day, hours in days:
                entries.append(TimeEntry(
                    timesheet=sheet, engagement_id=sheet.engagement_id, member_id=sheet.engagement.member_id,
                    date=day, hours=hours, description=rng.choice(WORK),
                ))
        TimeEntry.objects.bulk_create(entries, batch_size=2000)
        ids = [s.pk for s in sheets]
        Timesheet.objects.filter(pk__in=ids).update(
            created_at=F("submitted_at") - timedelta(days=3), updated_at=F("submitted_at")
        )
        Timesheet.objects.filter(pk__in=ids, decided_at__isnull=False).update(updated_at=F("decided_at"))
        TimeEntry.objects.filter(timesheet_id__in=ids).update(
            created_at=Subquery(Timesheet.objects.filter(pk=OuterRef("timesheet_id")).values("created_at")[:1]),
            updated_at=Subquery(Timesheet.objects.filter(pk=OuterRef("timesheet_id")).values("submitted_at")[:1]),
        )
        self.add("timesheets", len(sheets))
        self.add("time entries", len(entries))

    # --- Invoices ----------------------------------------------------------------------

    def invoice_runs(self) -> list[int]:
        """The scheduled run of every month up to the month before last (the
        invoicing demo leaves last month ready for the next run)."""
        first = TimeEntry.objects.filter(timesheet__status=Timesheet.Status.APPROVED).order_by("date").first()
        if first is None:
            return []
        month = first.date.replace(day=1)
        stop = (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month: not yet
        runs = []
        notified_since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        while month < stop:
            following = (month + timedelta(days=32)).replace(day=1)
            run_at = _at(first_working_day(following.year, following.month), 6)
            run = InvoiceRun.objects.create(period_start=month)
            invoicing_services.invoice_run_execute(run)
            InvoiceRun.objects.filter(pk=run.pk).update(started_at=run_at, finished_at=run_at + timedelta(seconds=40))
            Invoice.objects.filter(run=run).update(created_at=run_at + timedelta(seconds=20))
            notes = Notification.objects.filter(pk__gt=notified_since, kind="invoice_drafts")
            read = run_at + timedelta(hours=3) if following < stop else None
            notes.update(created_at=run_at + timedelta(seconds=41), read_at=read)
            notified_since = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            runs.append(run.pk)
            month = following
        self.add("invoice runs", len(runs))
        self.add("invoices", Invoice.objects.filter(run_id__in=runs).count())
        return runs

    def approvals(self, runs: list[int]) -> None:
        """Approve (and record the payment of) a limited number of drafts
        through the services: every recipient's oldest draft in turn, so each
        organisation has received a processed invoice. Only invoices that
        would have been issued this year, and only issuers without a number
        this year yet, so every series runs up with its dates. The number,
        the frozen parties, the PDF and the UBL document are the services'
        own; the moments are set back to when HR (a ZZP member for their own)
        would have done it, in the approval's transaction, before the
        documents are rendered."""
        year = self.today.year
        numbered = set(InvoiceSequence.objects.filter(year=year).values_list("issuer_key", flat=True))
        by_recipient: dict[str, list[tuple[date, Invoice]]] = {}
        for invoice in (
            Invoice.objects.filter(run_id__in=runs, status=Invoice.Status.DRAFT, kind=Invoice.Kind.INVOICE)
            .exclude(issuer_key__in=numbered)
            .select_related("issuer_organisation", "issuer_member__user", "recipient")
            .order_by("period_start", "issuer_key", "pk")
        ):
            following = (invoice.period_start + timedelta(days=32)).replace(day=1)
            issue = first_working_day(following.year, following.month) + timedelta(days=self.rng.randint(1, 6))
            while issue.weekday() >= 5 or issue in self.holidays:
                issue += timedelta(days=1)
            if issue.year == year and issue < self.today:
                by_recipient.setdefault(invoice.recipient.name, []).append((issue, invoice))
        chosen = []
        while len(chosen) < APPROVE_AT_MOST and any(by_recipient.values()):
            for name in sorted(by_recipient):
                if by_recipient[name] and len(chosen) < APPROVE_AT_MOST:
                    chosen.append(by_recipient[name].pop(0))
        approved = paid = 0
        for issue, invoice in sorted(chosen, key=lambda c: (c[0], c[1].pk)):
            if invoice.issuer_member_id:
                approver = invoice.issuer_member.user
            else:
                approver = self.hr.get(invoice.issuer_organisation_id)
            if approver is None:
                continue
            with transaction.atomic():
                invoicing_services.invoice_approve(actor=approver, invoice=invoice)
                decided = _at(issue, self.rng.randint(9, 16), self.rng.choice([0, 20, 40]))
                Invoice.objects.filter(pk=invoice.pk).update(
                    issue_date=issue, due_date=issue + timedelta(days=money.PAYMENT_TERM_DAYS), decided_at=decided,
                )
            approved += 1
            paid_on = issue + timedelta(days=self.rng.randint(12, 29))
            if paid_on < self.today - timedelta(days=3):
                invoicing_services.invoice_mark_paid(actor=approver, invoice=invoice, paid_on=paid_on)
                paid += 1
        Invoice.objects.filter(run_id__in=runs, status__in=(Invoice.Status.SENT, Invoice.Status.PAID),
                               sent_at__isnull=False).update(sent_at=F("decided_at") + timedelta(minutes=2))
        self.add("approved invoices", approved)
        self.add("paid invoices", paid)

    # --- External rates ---------------------------------------------------------------------

    def external_rates(self) -> None:
        if self.programme_manager is None:
            return
        areas = [""] + sorted(set(Skill.objects.exclude(category="").values_list("category", flat=True)))
        existing = set(ExternalRate.objects.values_list("skill_area", flat=True))
        made = 0
        for area in areas:
            if area in existing:
                continue
            external_rate_set(actor=self.programme_manager, skill_area=area,
                              hourly_rate=EXTERNAL_RATES.get(area, EXTERNAL_RATES[""]))
            made += 1
        self.add("external rates", made)


def seed_insight() -> dict:
    """Load the year of history once; returns what it created (nothing the
    second time)."""
    if Assignment.objects.filter(title=MARKER, contact_email__endswith=f"@{DEMO_DOMAIN}").exists():
        return {}
    if not Organisation.objects.exists():
        return {}
    seeder = _Seeder()
    with transaction.atomic():
        seeder.load_members()
        zzp = seeder.zzp_members()
        ready = seeder.training(zzp)
        seeder.earlier_releases(zzp, ready)
        engagements = seeder.assignments()
        seeder.write_releases()
        seeder.hours(engagements)
        runs = seeder.invoice_runs()
        seeder.external_rates()
        # Bulk-created rows send no save signals: drop what pages cached of them.
        from members import versions

        for name in ("assignments", "applications", "releases", "people"):
            versions.changed(name)
    # Each approval commits on its own, so its documents are rendered (or
    # queued) with the dates it was given.
    seeder.approvals(runs)
    if seeder.programme_manager is not None:
        audit_record(actor=seeder.programme_manager, action="demo.seed_insight", data=seeder.counts)
    return seeder.counts
