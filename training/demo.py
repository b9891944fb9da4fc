"""Demo training programme for ``seed_demo``: the pilot's modules, sessions
in the coming months, a full session with a waiting list, and a completed
module for Anne de Vries (demo persona). Idempotent: nothing is added when
the demo modules are already there.

Enrolments and attendance are written directly (the demo has sessions in
the past, which the services rightly refuse to create), but consistently:
the full session's queue is numbered in order, and every completion comes
from an attended session.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from members.demo import DEMO_DOMAIN
from members.models import MemberProfile, Organisation, User
from training.models import Completion, Enrolment, Module, Session

AMSTERDAM = ZoneInfo(settings.TIME_ZONE)
L = MemberProfile.EntrepreneurshipLevel
T = Module.Track

PROVINCE = "provincie-noord-brabant"
PROVINCE_HOUSE = "Provinciehuis, Brabantlaan 1, 's-Hertogenbosch"
TILBURG = "Stadskantoor Tilburg, Stadhuisplein 130, Tilburg"
EINDHOVEN = "Stadhuis Eindhoven, Stadhuisplein 10, Eindhoven"
ONLINE = "https://teams.example.nl/zpp-brabant/"

# title, track, level, hours, provider (organisation slug or external body),
# levels, required for ZZP, prerequisites, description
MODULES = [
    ("Ontdek je talent", T.TALENT, Module.Level.BASIC, "3.0", PROVINCE, [L.STARTER, L.EXPERIENCED], False, [],
     "Wat kun je, wat wil je en waar word je blij van? Met de talentenscan en in gesprek met andere ZPP'ers "
     "breng je je kernkwaliteiten in kaart en vertaal je ze naar het werk dat je als ZPP'er wilt doen."),
    ("Netwerken en acquisitie", T.NETWORKING_ACQUISITION, Module.Level.INTERMEDIATE, "3.0", PROVINCE,
     [L.STARTER, L.EXPERIENCED], False, ["Ontdek je talent"],
     "Niet wachten op een vacature, maar zelf opdrachten vinden. Je maakt een netwerkkaart van de Brabantse "
     "overheden, oefent het eerste gesprek met een opdrachtgever en stelt je eigen aanbod op in ZPP Brabant."),
    ("Pitchen", T.NETWORKING_ACQUISITION, Module.Level.INTERMEDIATE, "2.5", PROVINCE,
     [L.EXPERIENCED, L.ENTREPRENEUR], False, ["Netwerken en acquisitie"],
     "In twee minuten vertellen wat je voor een organisatie kunt betekenen. Je schrijft je pitch, oefent hem "
     "voor de groep en krijgt feedback van een coördinator die opdrachten uitzet."),
    ("Juridische aspecten ZPP/ZZP", T.LEGAL, Module.Level.INTERMEDIATE, "3.0", PROVINCE,
     [L.EXPERIENCED, L.ENTREPRENEUR], True, [],
     "Detachering of eigen onderneming: wat betekent het voor je arbeidsovereenkomst, je aansprakelijkheid en "
     "je verzekeringen? Over de Wet DBA, modelovereenkomsten en nevenwerkzaamheden naast je baan bij de overheid."),
    ("Financiën voor de zzp'er", T.FINANCIAL, Module.Level.INTERMEDIATE, "3.0", "Kamer van Koophandel",
     [L.EXPERIENCED, L.ENTREPRENEUR], True, [],
     "Je uurtarief berekenen, een buffer opbouwen, facturen die voldoen aan de eisen en een eenvoudige "
     "administratie. Inclusief pensioen en arbeidsongeschiktheid als je voor een deel zelfstandig werkt."),
    ("Belastingdienst: btw en inkomstenbelasting voor de zzp'er", T.TAX, Module.Level.ADVANCED, "2.0",
     "Belastingdienst", [L.EXPERIENCED, L.ENTREPRENEUR], True, ["Financiën voor de zzp'er"],
     "De Belastingdienst legt uit wanneer je ondernemer bent voor de inkomstenbelasting, hoe de btw-aangifte "
     "werkt, de kleineondernemersregeling en de zelfstandigenaftrek, met rekenvoorbeelden uit de praktijk."),
]

# module title, days from today, start, end, place, online, trainer, capacity
SESSIONS = [
    ("Ontdek je talent", -30, time(9, 30), time(12, 30), PROVINCE_HOUSE, "", "Marieke Claassen (Mobiliteitscentrum)", 12),
    ("Ontdek je talent", 12, time(9, 30), time(12, 30), PROVINCE_HOUSE, "", "Marieke Claassen (Mobiliteitscentrum)", 6),
    ("Ontdek je talent", 47, time(13, 30), time(16, 30), TILBURG, "", "Marieke Claassen (Mobiliteitscentrum)", 12),
    ("Netwerken en acquisitie", 19, time(13, 30), time(16, 30), EINDHOVEN, "", "Joris van Loon (Mobiliteitscentrum)", 12),
    ("Netwerken en acquisitie", 61, time(9, 30), time(12, 30), PROVINCE_HOUSE, "", "Joris van Loon (Mobiliteitscentrum)", 12),
    ("Pitchen", 33, time(13, 30), time(16, 0), PROVINCE_HOUSE, "", "Joris van Loon (Mobiliteitscentrum)", 10),
    ("Juridische aspecten ZPP/ZZP", 26, time(9, 30), time(12, 30), "", ONLINE, "mr. Sanne Aarts (Provincie Noord-Brabant)", 20),
    ("Financiën voor de zzp'er", 40, time(9, 30), time(12, 30), TILBURG, ONLINE, "Kamer van Koophandel, team Starters", 15),
    ("Belastingdienst: btw en inkomstenbelasting voor de zzp'er", 54, time(14, 0), time(16, 0), "", ONLINE,
     "Belastingdienst, voorlichting Startende ondernemers", 25),
    ("Belastingdienst: btw en inkomstenbelasting voor de zzp'er", 89, time(14, 0), time(16, 0), "", ONLINE,
     "Belastingdienst, voorlichting Startende ondernemers", 25),
]

COORDINATOR_EMAIL = f"training@{DEMO_DOMAIN}"
ANNE_EMAIL = f"anne.devries@{DEMO_DOMAIN}"
BAS_EMAIL = f"bas.jansen@{DEMO_DOMAIN}"


def _at(day, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=AMSTERDAM)


@transaction.atomic
def seed_training() -> dict:
    if Module.objects.filter(title=MODULES[0][0]).exists():
        return {}
    today = timezone.localdate()
    province = Organisation.objects.filter(slug=PROVINCE).first()
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()

    modules = {}
    for title, track, level, hours, provider, levels, required, _prerequisites, description in MODULES:
        by_province = provider == PROVINCE and province is not None
        modules[title] = Module.objects.create(
            title=title, track=track, level=level, duration_hours=Decimal(hours), description=description,
            provider_organisation=province if by_province else None,
            provider_name="" if by_province else ("Provincie Noord-Brabant" if provider == PROVINCE else provider),
            levels=list(levels), required_for_zzp=required,
        )
    for title, *_rest, prerequisites, _description in MODULES:
        modules[title].prerequisites.set([modules[p] for p in prerequisites])

    sessions = []
    for title, days, start, end, place, online, trainer, capacity in SESSIONS:
        day = today + timedelta(days=days)
        starts = _at(day, start)
        sessions.append(Session.objects.create(
            module=modules[title], starts_at=starts, ends_at=_at(day, end), location=place, online_url=online,
            trainer_name=trainer, capacity=capacity, enrolment_deadline=starts - timedelta(days=2),
            created_by=coordinator,
        ))

    people = list(
        MemberProfile.objects.exclude(user__email__in=[ANNE_EMAIL, BAS_EMAIL])
        .select_related("user").order_by("pk")[:16]
    )
    anne = MemberProfile.objects.filter(user__email=ANNE_EMAIL).first()
    enrolments = completions = 0

    # A month ago: "Ontdek je talent", attended by Anne and five others.
    past = sessions[0]
    for member in ([anne] if anne else []) + people[:5]:
        Enrolment.objects.create(
            session=past, member=member, status=Enrolment.Status.ATTENDED,
            created_at=past.starts_at - timedelta(days=20),
            attendance_marked_at=past.ends_at, attendance_marked_by=coordinator,
        )
        Completion.objects.create(
            member=member, module=past.module, session=past, completed_on=past.starts_at.date(),
            verified_by=coordinator,
        )
        enrolments += 1
        completions += 1

    # The next "Ontdek je talent" is full, with two people waiting.
    full = sessions[1]
    joined = timezone.now() - timedelta(days=6)
    for index, member in enumerate(people[5:5 + full.capacity + 2]):
        waiting = index >= full.capacity
        Enrolment.objects.create(
            session=full, member=member,
            status=Enrolment.Status.WAITING if waiting else Enrolment.Status.ENROLLED,
            waitlist_position=index - full.capacity + 1 if waiting else None,
            created_at=joined + timedelta(hours=index),
        )
        enrolments += 1

    # Anne, having discovered her talent, goes on to networking.
    if anne is not None:
        Enrolment.objects.create(
            session=sessions[3], member=anne, status=Enrolment.Status.ENROLLED,
            created_at=timezone.now() - timedelta(days=2),
        )
        enrolments += 1

    return {"Module": len(modules), "Session": len(sessions), "Enrolment": enrolments, "Completion": completions}
