"""Believable demo data: 18 real public bodies of Noord-Brabant with
fictional identifiers (KvK, OIN, VAT, IBAN are generated and valid in form,
not the organisations' real numbers), a skills taxonomy and demo people.

``seed_demo()`` is idempotent: it looks everything up by a natural key and
only creates what is missing.
"""

import random
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from schwifty import IBAN

from members.audit import audit_record
from members.models import Membership, MemberProfile, Organisation, Release, Skill, User

DEMO_PASSWORD = "ZppBrabant-demo-2026"
DEMO_DOMAIN = "demo.zppbrabant.nl"

K = Organisation.Kind
# slug, name, kind, street, postal code, city, ZPP hourly rate
ORGANISATIONS = [
    ("provincie-noord-brabant", "Provincie Noord-Brabant", K.PROVINCIE, "Brabantlaan 1", "5216 TV", "'s-Hertogenbosch", "92.00"),
    ("s-hertogenbosch", "Gemeente 's-Hertogenbosch", K.GEMEENTE, "Wolvenhoek 1", "5211 HH", "'s-Hertogenbosch", "85.00"),
    ("eindhoven", "Gemeente Eindhoven", K.GEMEENTE, "Stadhuisplein 10", "5611 EM", "Eindhoven", "87.50"),
    ("tilburg", "Gemeente Tilburg", K.GEMEENTE, "Stadhuisplein 130", "5038 TC", "Tilburg", "84.00"),
    ("breda", "Gemeente Breda", K.GEMEENTE, "Claudius Prinsenlaan 10", "4811 DJ", "Breda", "84.00"),
    ("helmond", "Gemeente Helmond", K.GEMEENTE, "Weg op den Heuvel 35", "5701 NS", "Helmond", "80.00"),
    ("oss", "Gemeente Oss", K.GEMEENTE, "Raadhuislaan 2", "5341 GM", "Oss", "79.00"),
    ("roosendaal", "Gemeente Roosendaal", K.GEMEENTE, "Bloemenmarkt 4", "4701 JC", "Roosendaal", "78.50"),
    ("bergen-op-zoom", "Gemeente Bergen op Zoom", K.GEMEENTE, "Jacob Obrechtlaan 4", "4611 AP", "Bergen op Zoom", "78.50"),
    ("waalwijk", "Gemeente Waalwijk", K.GEMEENTE, "Taxandriaweg 6", "5142 PA", "Waalwijk", "77.00"),
    ("meierijstad", "Gemeente Meierijstad", K.GEMEENTE, "Stadhuisplein 1", "5461 KN", "Veghel", "78.00"),
    ("aa-en-maas", "Waterschap Aa en Maas", K.WATERSCHAP, "Pettelaarpark 70", "5216 PP", "'s-Hertogenbosch", "88.00"),
    ("de-dommel", "Waterschap De Dommel", K.WATERSCHAP, "Bosscheweg 56", "5283 WB", "Boxtel", "88.00"),
    ("brabantse-delta", "Waterschap Brabantse Delta", K.WATERSCHAP, "Bouvignelaan 5", "4836 AA", "Breda", "88.00"),
    ("odmwb", "Omgevingsdienst Midden- en West-Brabant", K.OMGEVINGSDIENST, "Spoorlaan 181", "5038 CB", "Tilburg", "90.00"),
    ("odzob", "Omgevingsdienst Zuidoost-Brabant", K.OMGEVINGSDIENST, "Keizer Karel V Singel 8", "5615 PE", "Eindhoven", "90.00"),
    ("odbn", "Omgevingsdienst Brabant Noord", K.OMGEVINGSDIENST, "Pettelaarpark 120", "5216 PT", "'s-Hertogenbosch", "89.00"),
    ("ggd-hart-voor-brabant", "GGD Hart voor Brabant", K.OTHER, "Ringbaan-Oost 8", "5013 CA", "Tilburg", "82.00"),
]

SKILLS = {
    "Ruimte en omgeving": ["Omgevingswet", "Ruimtelijke ordening", "Vergunningverlening", "Toezicht en handhaving", "Stikstof en natuur", "Woningbouw"],
    "Water en klimaat": ["Waterbeheer", "Klimaatadaptatie", "Energietransitie", "Bodem en ondergrond"],
    "Sociaal domein": ["Jeugdzorg", "Wmo", "Participatiewet", "Publieke gezondheid"],
    "Bedrijfsvoering": ["Projectmanagement", "Programmamanagement", "Inkoop en aanbesteding", "Financieel advies", "HR-advies", "Juridisch advies", "Privacy en AVG", "Informatiebeveiliging"],
    "Data en digitaal": ["Data-analyse", "GIS", "Informatiemanagement", "Digitale dienstverlening"],
    "Communicatie en samenwerking": ["Communicatieadvies", "Participatie en inspraak", "Procesbegeleiding", "Bestuursadvies"],
    "Mobiliteit": ["Verkeerskunde", "Openbaar vervoer"],
}

FIRST_NAMES = ["Anne", "Bas", "Carla", "Daan", "Eva", "Floor", "Gijs", "Hanneke", "Ilse", "Joost",
               "Karin", "Lars", "Marloes", "Niels", "Olga", "Pieter", "Roos", "Sander", "Tessa", "Vincent",
               "Wendy", "Youssef", "Zeynep", "Bram", "Fenna", "Mehmet", "Noor", "Ruud", "Sanne", "Thijs"]
LAST_NAMES = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smits", "van Dijk", "Mulder",
              "de Bruijn", "van Gestel", "Verhoeven", "Claassen", "van der Heijden", "Aarts", "Kuijpers",
              "Peters", "van Loon", "Hendriks", "Maas", "Brouwers", "Yilmaz", "El Amrani", "Martens", "Schellekens"]
JOB_TITLES = ["Beleidsadviseur", "Projectleider", "Senior adviseur", "Vergunningverlener", "Jurist",
              "Data-analist", "Communicatieadviseur", "Programmamanager", "Toezichthouder", "Financieel adviseur"]
CORE_QUALITIES = ["verbinder", "analytisch", "doortastend", "creatief", "nauwkeurig", "geduldig",
                  "resultaatgericht", "empathisch", "pragmatisch", "enthousiast"]

# The personas the README and the browser tests log in with.
PERSONAS = [
    # (email local part, first, last, role, organisation slug or None)
    ("anne.devries", "Anne", "de Vries", Membership.Role.MEMBER, "s-hertogenbosch"),
    ("bas.jansen", "Bas", "Jansen", Membership.Role.MEMBER, "eindhoven"),
    ("coordinator.denbosch", "Carla", "Bakker", Membership.Role.COORDINATOR, "s-hertogenbosch"),
    ("coordinator.eindhoven", "Daan", "Visser", Membership.Role.COORDINATOR, "eindhoven"),
    ("hr.denbosch", "Eva", "Smits", Membership.Role.HR, "s-hertogenbosch"),
    ("hr.eindhoven", "Floor", "van Dijk", Membership.Role.HR, "eindhoven"),
    ("programma", "Gijs", "Mulder", Membership.Role.PROGRAMME_MANAGER, None),
    ("training", "Tanja", "Hermans", Membership.Role.TRAINING_COORDINATOR, None),
]
ADMIN_EMAIL = f"beheer@{DEMO_DOMAIN}"

DEMO_LOGINS = [
    ("ZPP'er, Gemeente 's-Hertogenbosch", f"anne.devries@{DEMO_DOMAIN}"),
    ("ZPP'er, Gemeente Eindhoven", f"bas.jansen@{DEMO_DOMAIN}"),
    ("Coördinator, Gemeente 's-Hertogenbosch", f"coordinator.denbosch@{DEMO_DOMAIN}"),
    ("Coördinator, Gemeente Eindhoven", f"coordinator.eindhoven@{DEMO_DOMAIN}"),
    ("HR, Gemeente 's-Hertogenbosch", f"hr.denbosch@{DEMO_DOMAIN}"),
    ("HR, Gemeente Eindhoven", f"hr.eindhoven@{DEMO_DOMAIN}"),
    ("Programmamanager (alle organisaties)", f"programma@{DEMO_DOMAIN}"),
    ("Opleidingscoördinator (mobiliteitscentrum)", f"training@{DEMO_DOMAIN}"),
    ("Beheerder (Django admin)", ADMIN_EMAIL),
]


def _rsin(rng: random.Random) -> str:
    """A nine-digit number that passes the 11-test (like a real RSIN)."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        check = total % 11
        if check < 10 and digits[0] != 0:
            return "".join(map(str, digits)) + str(check)


def organisation_identifiers(index: int) -> dict:
    rng = random.Random(f"zpp-org-{index}")
    rsin = _rsin(rng)
    return {
        "kvk_number": f"{rng.randint(10_000_000, 99_999_999)}",
        "oin": f"00000001{rsin}000",
        "vat_number": f"NL{rsin}B01",
        "iban": str(IBAN.generate("NL", bank_code="BNGH", account_code=f"{285_000_000 + index * 7919:010d}")),
    }


def _user(email, first, last, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _grant(user, organisation, role):
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created and role == Membership.Role.MEMBER:
        MemberProfile.objects.get_or_create(user=user, defaults={"home_organisation": organisation})
    return membership


def _approved_release(profile, hr_user, rng, *, variant=Release.Variant.ZPP, status=Release.Status.APPROVED):
    if profile.releases.exists():
        return
    today = timezone.localdate()
    start = today - timedelta(days=rng.randint(10, 120))
    release = Release.objects.create(
        member=profile,
        days_per_week=Decimal(rng.choice([1, 1, 1.5, 2, 2, 2.5])),
        variant=variant,
        start_date=start,
        end_date=start + timedelta(days=365),
        motivation="Ik wil graag mijn kennis inzetten bij andere Brabantse overheden.",
        status=status,
        decided_by=hr_user if status == Release.Status.APPROVED else None,
        decided_at=timezone.now() if status == Release.Status.APPROVED else None,
    )
    return release


@transaction.atomic
def seed_demo() -> dict:
    rng = random.Random(2026)
    before = {m: m.objects.count() for m in (Organisation, User, Skill, Release)}

    skills = []
    for category, names in SKILLS.items():
        for name in names:
            skill, _ = Skill.objects.get_or_create(name=name, defaults={"category": category})
            skills.append(skill)

    organisations = {}
    for index, (slug, name, kind, street, postal, city, rate) in enumerate(ORGANISATIONS):
        org, _ = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name, "kind": kind, "street": street, "postal_code": postal, "city": city,
                "zpp_hourly_rate": Decimal(rate),
                "invoice_email": f"facturen@{slug}.{DEMO_DOMAIN}",
                **organisation_identifiers(index),
            },
        )
        organisations[slug] = org

    admin = _user(ADMIN_EMAIL, "Beheer", "ZPP Brabant", is_staff=True, is_superuser=True)

    hr_by_org = {}
    for local, first, last, role, org_slug in PERSONAS:
        user = _user(f"{local}@{DEMO_DOMAIN}", first, last)
        org = organisations.get(org_slug)
        _grant(user, org, role)
        if role == Membership.Role.HR:
            hr_by_org[org_slug] = user

    # One HR person and a few members for every other organisation.
    for slug, org in organisations.items():
        if slug not in hr_by_org:
            hr_by_org[slug] = _user(f"hr.{slug}@{DEMO_DOMAIN}", "HR", org.name.split(" ", 1)[-1])
            _grant(hr_by_org[slug], org, Membership.Role.HR)

    people = 0
    for slug, org in organisations.items():
        for n in range(4):
            first = FIRST_NAMES[(people * 7 + n) % len(FIRST_NAMES)]
            last = LAST_NAMES[(people * 5 + n * 3) % len(LAST_NAMES)]
            people += 1
            email = f"{first}.{last}.{slug}".lower().replace(" ", "").replace("'", "") + f"@{DEMO_DOMAIN}"
            user = _user(email, first, last)
            _grant(user, org, Membership.Role.MEMBER)

    for profile in MemberProfile.objects.select_related("home_organisation", "user"):
        if not profile.bio:
            profile.job_title = rng.choice(JOB_TITLES)
            profile.bio = (
                f"{profile.job_title} bij {profile.home_organisation.name}. "
                "Ik werk graag aan opgaven die over de grenzen van één organisatie heen gaan."
            )
            profile.core_qualities = rng.sample(CORE_QUALITIES, 3)
            profile.entrepreneurship_level = rng.choice(MemberProfile.EntrepreneurshipLevel.values)
            profile.availability_notes = rng.choice(
                ["Bij voorkeur dinsdag en donderdag.", "Flexibel inzetbaar, ook op afstand.", "Maandag en vrijdag."]
            )
            profile.save()
            profile.skills.set(rng.sample(skills, rng.randint(3, 6)))
        org_slug = profile.home_organisation.slug
        is_anne = profile.user.email.startswith("anne.devries")
        status = Release.Status.REQUESTED if rng.random() < 0.15 and not is_anne else Release.Status.APPROVED
        _approved_release(profile, hr_by_org[org_slug], rng, status=status)

    after = {m: m.objects.count() for m in (Organisation, User, Skill, Release)}
    created = {m.__name__: after[m] - before[m] for m in after}
    if any(created.values()):
        audit_record(actor=admin, action="demo.seed", data=created)
    return created
