"""Demo assignments, applications and offers for ``seed_demo`` (idempotent:
nothing is added when the demo assignments are already there)."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from marketplace.models import Application, Assignment, Offer, WorkMode
from members.demo import DEMO_DOMAIN, _grant, _user
from members.models import Membership, MemberProfile, Organisation, Release, Skill

# title, description, skills, hours a week, work mode
ASSIGNMENTS = [
    ("Projectleider klimaatadaptatie in de wijk", "Wij zoeken een projectleider die bewoners, waterschap en gemeente samenbrengt rond hittestress en wateroverlast in twee wijken. Je maakt een uitvoeringsplan en begeleidt de eerste maatregelen.", ["Klimaatadaptatie", "Projectmanagement", "Participatie en inspraak"], 16, WorkMode.HYBRID),
    ("Adviseur Omgevingswet: omgevingsplan", "Ondersteuning bij het omzetten van bestemmingsplannen naar het omgevingsplan. Ervaring met regels over activiteiten en de bruidsschat is een pré.", ["Omgevingswet", "Ruimtelijke ordening", "Juridisch advies"], 16, WorkMode.HYBRID),
    ("Data-analist dashboard sociaal domein", "Bouw met ons een dashboard over jeugdzorg en Wmo: welke cijfers hebben we, wat zeggen ze en hoe houden we ze actueel?", ["Data-analyse", "Jeugdzorg", "Wmo"], 12, WorkMode.REMOTE),
    ("Vergunningverlener milieu (tijdelijke piek)", "Door een piek in aanvragen zoeken wij tijdelijk versterking bij het beoordelen van milieuvergunningen voor bedrijven.", ["Vergunningverlening", "Toezicht en handhaving"], 16, WorkMode.ON_SITE),
    ("Inkoopadviseur aanbesteding wegonderhoud", "Begeleid de Europese aanbesteding voor het onderhoud van provinciale wegen, van marktconsultatie tot gunning.", ["Inkoop en aanbesteding", "Juridisch advies"], 8, WorkMode.HYBRID),
    ("Procesbegeleider energietransitie bedrijventerrein", "Breng ondernemers op een bedrijventerrein samen rond netcongestie en gezamenlijke energieopwekking.", ["Energietransitie", "Procesbegeleiding"], 12, WorkMode.HYBRID),
    ("GIS-specialist kaart waterberging", "Maak de kaartlagen voor waterberging en droogte actueel en zorg dat collega's ze zelf kunnen gebruiken.", ["GIS", "Waterbeheer"], 8, WorkMode.REMOTE),
    ("Privacy-adviseur DPIA's", "Voer samen met de functionaris gegevensbescherming drie DPIA's uit voor nieuwe digitale diensten.", ["Privacy en AVG", "Informatiebeveiliging"], 8, WorkMode.REMOTE),
    ("Communicatieadviseur stikstofaanpak", "Help ons de gebiedsgerichte aanpak stikstof helder uit te leggen aan agrariërs en inwoners.", ["Communicatieadvies", "Stikstof en natuur"], 12, WorkMode.HYBRID),
    ("Financieel adviseur begroting en kadernota", "Versterk het team bij de voorbereiding van de kadernota en de meerjarenbegroting.", ["Financieel advies"], 16, WorkMode.ON_SITE),
    ("Programmamanager woningbouwversnelling", "Regisseer het programma om samen met corporaties en ontwikkelaars sneller woningen te bouwen.", ["Woningbouw", "Programmamanagement", "Bestuursadvies"], 16, WorkMode.HYBRID),
    ("Informatiemanager zaakgericht werken", "Richt de informatiehuishouding in voor zaakgericht werken en begeleid de overgang naar het nieuwe zaaksysteem.", ["Informatiemanagement", "Digitale dienstverlening"], 12, WorkMode.REMOTE),
]


@transaction.atomic
def seed_marketplace() -> dict:
    if Assignment.objects.filter(contact_email__endswith=f"@{DEMO_DOMAIN}").exists():
        return {}
    rng = random.Random(2027)
    now, today = timezone.now(), timezone.localdate()
    skills = {s.name: s for s in Skill.objects.all()}
    organisations = list(Organisation.objects.order_by("name"))
    coordinators = {}
    for org in organisations:
        coordinator = Membership.objects.filter(organisation=org, role=Membership.Role.COORDINATOR).select_related("user").first()
        if coordinator is None:
            user = _user(f"coordinator.{org.slug}@{DEMO_DOMAIN}", "Coördinator", org.name.split(" ", 1)[-1])
            coordinator = _grant(user, org, Membership.Role.COORDINATOR)
        coordinators[org.pk] = coordinator.user
    created = []
    for index, (title, description, skill_names, hours, mode) in enumerate(ASSIGNMENTS):
        org = organisations[(index * 5) % len(organisations)]
        if index == 0:
            org = Organisation.objects.get(slug="s-hertogenbosch")
        contact = coordinators[org.pk]
        published = now - timedelta(days=rng.randint(1, 20))
        start = today + timedelta(days=rng.randint(14, 45))
        assignment = Assignment.objects.create(
            organisation=org, created_by=contact, title=title, description=description,
            hours_per_week=Decimal(hours), positions=1 if index % 4 else 2,
            start_date=start, end_date=start + timedelta(days=rng.choice([90, 120, 180])),
            place=org.city, work_mode=mode, rate_ceiling=Decimal("95.00") if index % 3 == 0 else None,
            application_deadline=today + timedelta(days=rng.randint(7, 21)),
            contact_name=contact.get_full_name(), contact_email=contact.email,
            status=Assignment.Status.PUBLISHED, published_at=published, province_wide_at=published,
        )
        assignment.required_skills.set([skills[n] for n in skill_names if n in skills])
        created.append(assignment)
    # Applications from available members of other organisations.
    members = list(
        MemberProfile.objects.filter(releases__status=Release.Status.APPROVED).select_related("user").distinct()
    )
    applications = 0
    for assignment in created:
        for member in rng.sample(members, min(3, len(members))):
            if member.home_organisation_id == assignment.organisation_id or member.user.email.startswith("bas.jansen"):
                continue
            Application.objects.create(
                assignment=assignment, member=member,
                motivation="Ik heb ervaring met vergelijkbare opgaven en werk graag over de grenzen van mijn organisatie heen.",
                availability="Dinsdag en donderdag beschikbaar.",
            )
            applications += 1
    offers = 0
    for member in members[:6]:
        offer = Offer.objects.create(
            member=member, title=f"{member.job_title or 'Adviseur'} beschikbaar voor een nieuwe opdracht",
            description=member.bio or "Ik help graag een andere organisatie verder.",
            hours_per_week=Decimal(8), available_from=today, available_until=today + timedelta(days=180),
            work_mode=WorkMode.HYBRID,
        )
        offer.skills.set(member.skills.all()[:4])
        offers += 1
    return {"Assignment": len(created), "Application": applications, "Offer": offers}
