"""Bench data for the marketplace: ``size`` assignments (100,000 at the default
size; 70 % published and visible province-wide, the rest draft, closed, filled
or cancelled) with Dutch titles and descriptions composed from word lists,
2–4 required skills each, places in Noord-Brabant, and ``2 * size``
applications from the members of the "members" generator (one per member per
assignment).

Rows go in with PostgreSQL ``COPY`` (psycopg 3). The database trigger of
``marketplace/migrations/0002_search_triggers.py`` fills ``search_vector`` on
every inserted row, COPY included, so the data set is searched exactly like
production data. The word lists are tuned so that a two-word search such as
"beleid omgevingswet" or "advies water" matches a few per cent of the
assignments (the log line and the returned counts say how many).
"""

import random
import time
from datetime import datetime, time as dtime, timedelta
from decimal import Decimal

from bench.db import log
from bench.generate import generator

PLACES = [
    "'s-Hertogenbosch", "Eindhoven", "Tilburg", "Breda", "Helmond", "Oss", "Roosendaal",
    "Bergen op Zoom", "Waalwijk", "Meierijstad", "Oosterhout", "Dongen", "Etten-Leur", "Moerdijk",
    "Halderberge", "Rucphen", "Zundert", "Drimmelen", "Geertruidenberg", "Altena", "Loon op Zand",
    "Heusden", "Vught", "Boxtel", "Sint-Michielsgestel", "Oisterwijk", "Hilvarenbeek", "Goirle",
    "Gilze en Rijen", "Alphen-Chaam", "Baarle-Nassau", "Oirschot", "Best", "Son en Breugel",
    "Nuenen", "Geldrop-Mierlo", "Veldhoven", "Waalre", "Valkenswaard", "Cranendonck",
    "Heeze-Leende", "Bergeijk", "Eersel", "Bladel", "Reusel-De Mierden", "Someren", "Asten",
    "Deurne", "Gemert-Bakel", "Laarbeek", "Boekel", "Land van Cuijk", "Maashorst", "Bernheze",
    "Woensdrecht", "Steenbergen",
]

# key: (title phrase, description phrases, related skills). Every phrase of a
# topic contains its search word (the key's stem), so that "water" finds the
# water topic and "omgevingswet" the Omgevingswet topic.
TOPICS = {
    "omgevingswet": ("Omgevingswet", [
        "de invoering van de Omgevingswet", "het omgevingsplan onder de Omgevingswet",
        "de werkprocessen onder de Omgevingswet"], ["Omgevingswet", "Ruimtelijke ordening", "Vergunningverlening"]),
    "water": ("waterbeheer", [
        "schoon en voldoende water in de beekdalen", "het beheer van water in stad en buitengebied",
        "de kwaliteit van het water in de Brabantse beken"], ["Waterbeheer", "Klimaatadaptatie"]),
    "klimaat": ("klimaatadaptatie", [
        "de klimaatadaptatie van wijken en dorpen", "een klimaatbestendige inrichting van de openbare ruimte",
        "hittestress en droogte door klimaatverandering"], ["Klimaatadaptatie", "Waterbeheer"]),
    "energie": ("energietransitie", [
        "de regionale energiestrategie", "de energietransitie in de gebouwde omgeving",
        "zonne- en windparken en de energietransitie"], ["Energietransitie", "Participatie en inspraak"]),
    "stikstof": ("stikstof en natuur", [
        "de stikstofaanpak in de Natura 2000-gebieden", "natuurherstel en stikstofreductie",
        "vergunningen voor stikstof in het landelijk gebied"], ["Stikstof en natuur", "Vergunningverlening"]),
    "woningbouw": ("woningbouw", [
        "de versnelling van de woningbouw", "betaalbare woningbouw in de kernen",
        "de woningbouwprogrammering in de regio"], ["Woningbouw", "Ruimtelijke ordening", "Projectmanagement"]),
    "vergunning": ("vergunningverlening", [
        "de vergunningverlening voor bedrijven", "complexe vergunningaanvragen",
        "de kwaliteit van de vergunningverlening"], ["Vergunningverlening", "Juridisch advies"]),
    "handhaving": ("toezicht en handhaving", [
        "toezicht en handhaving bij milieubedrijven", "de handhaving van de openbare orde",
        "een handhavingsstrategie voor het buitengebied"], ["Toezicht en handhaving", "Juridisch advies"]),
    "jeugd": ("jeugdzorg", [
        "de inkoop en sturing van jeugdzorg", "de transformatie van de jeugdzorg",
        "preventie voor jeugd en gezin"], ["Jeugdzorg", "Inkoop en aanbesteding"]),
    "wmo": ("Wmo en zorg", [
        "de uitvoering van de Wmo", "maatwerkvoorzieningen in de Wmo",
        "mantelzorg en de Wmo"], ["Wmo", "Publieke gezondheid"]),
    "participatiewet": ("Participatiewet", [
        "werk en inkomen onder de Participatiewet", "de re-integratie van mensen in de Participatiewet",
        "de uitvoering van de Participatiewet"], ["Participatiewet"]),
    "gezondheid": ("publieke gezondheid", [
        "gezondheidsbeleid en preventie", "de publieke gezondheid in de regio",
        "een gezonde leefomgeving"], ["Publieke gezondheid", "Data-analyse"]),
    "inkoop": ("inkoop en aanbesteding", [
        "een Europese aanbesteding", "duurzame inkoop", "contractmanagement na de inkoop"],
        ["Inkoop en aanbesteding", "Juridisch advies"]),
    "financien": ("financiën", [
        "de begroting en de jaarrekening", "de planning-en-controlcyclus",
        "financiën en risicomanagement"], ["Financieel advies"]),
    "privacy": ("privacy en AVG", [
        "de naleving van de AVG", "privacy by design in nieuwe systemen",
        "gegevensbescherming en privacy"], ["Privacy en AVG", "Informatiebeveiliging", "Juridisch advies"]),
    "informatiebeveiliging": ("informatiebeveiliging", [
        "de BIO en informatiebeveiliging", "het informatiebeveiligingsbeleid",
        "risicoanalyses voor informatiebeveiliging"], ["Informatiebeveiliging", "Informatiemanagement"]),
    "data": ("data en analyse", [
        "datagedreven werken", "dashboards en data-analyse", "de datastrategie van de organisatie"],
        ["Data-analyse", "GIS", "Informatiemanagement"]),
    "digitaal": ("digitale dienstverlening", [
        "de digitale dienstverlening aan inwoners", "het nieuwe digitale loket",
        "digitale toegankelijkheid van de website"], ["Digitale dienstverlening", "Informatiemanagement"]),
    "communicatie": ("communicatie", [
        "de communicatie over grote projecten", "interne communicatie en verandering",
        "crisiscommunicatie"], ["Communicatieadvies"]),
    "mobiliteit": ("mobiliteit", [
        "de mobiliteitsvisie", "verkeersveiligheid en mobiliteit", "fiets, openbaar vervoer en mobiliteit"],
        ["Verkeerskunde", "Openbaar vervoer"]),
    "bodem": ("bodem en ondergrond", [
        "bodemverontreiniging en bodemsanering", "de ondergrond en de bodem bij bouwprojecten",
        "PFAS in de bodem"], ["Bodem en ondergrond", "Toezicht en handhaving"]),
    "hr": ("HR en organisatie", [
        "strategische personeelsplanning", "de arbeidsmarktcommunicatie en HR",
        "een nieuw functiehuis"], ["HR-advies"]),
}
TOPIC_KEYS = list(TOPICS)

ROLES = [
    "Beleidsadviseur", "Projectleider", "Adviseur", "Senior adviseur", "Jurist", "Programmamanager",
    "Kwartiermaker", "Onderzoeker", "Procesbegeleider", "Data-analist", "Communicatieadviseur",
    "Toezichthouder", "Vergunningverlener", "Coördinator", "Specialist", "Interim-manager",
]

# Activity sentences; two are picked per description, so each search word
# ("beleid", "advies", "onderzoek", ...) turns up in about a quarter of them.
ACTIVITIES = [
    "Je schrijft nieuw beleid voor {t} en legt het voor aan het bestuur.",
    "Je geeft advies aan bestuurders en collega's over {t}.",
    "Je doet onderzoek naar {t} en vertaalt de uitkomsten naar aanbevelingen.",
    "Je zorgt voor de uitvoering van {t} samen met de teams in de regio.",
    "Je leidt het project rond {t} van plan tot oplevering.",
    "Je begeleidt de implementatie van {t} in de organisatie.",
    "Je evalueert het bestaande beleid en de aanpak van {t}.",
    "Je organiseert bijeenkomsten met inwoners en partners over {t}.",
]
CONTEXT = [
    "Het team bestaat uit {n} collega's die graag kennis delen.",
    "De opdracht is onderdeel van een groter programma in de regio.",
    "Je werkt nauw samen met ketenpartners, gemeenten en het waterschap.",
    "Er is ruimte om je eigen netwerk en ervaring in te brengen.",
    "De opdracht sluit aan bij de bestuurlijke prioriteiten van dit jaar.",
    "Je rapporteert aan de afdelingsmanager en de portefeuillehouder.",
]
MODE_TEXT = {"on_site": "op locatie", "hybrid": "deels thuis, deels op kantoor", "remote": "grotendeels op afstand"}
FIRST_NAMES = ["Anne", "Bas", "Carla", "Daan", "Eva", "Floor", "Gijs", "Hanneke", "Ilse", "Joost",
               "Karin", "Lars", "Marloes", "Niels", "Pieter", "Roos", "Sander", "Tessa", "Noor", "Thijs"]
LAST_NAMES = ["de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smits", "van Dijk", "Mulder",
              "van Gestel", "Verhoeven", "Claassen", "van der Heijden", "Aarts", "Kuijpers", "Hendriks"]
MOTIVATIONS = [
    "Ik heb ruime ervaring met dit onderwerp en wil graag bijdragen aan de opdracht.",
    "Deze opdracht past goed bij mijn achtergrond en mijn ambitie om breder te werken.",
    "Ik ken de regio en de partners goed en kan snel starten.",
    "Ik wil mijn kennis inzetten bij een andere Brabantse overheid en leer graag bij.",
]
AVAILABILITY = ["Per direct beschikbaar.", "Beschikbaar vanaf volgende maand.", "Twee dagen per week beschikbaar.",
                "Beschikbaar op maandag en dinsdag."]

# (status, share of the assignments)
STATUS_MIX = [("published", 0.70), ("draft", 0.10), ("closed", 0.10), ("filled", 0.06), ("cancelled", 0.04)]
MODES = [("on_site", 0.3), ("hybrid", 0.5), ("remote", 0.2)]
APPLICATION_STATUS_MIX = [("submitted", 0.55), ("shortlisted", 0.15), ("rejected", 0.2),
                          ("withdrawn", 0.07), ("accepted", 0.03)]

ASSIGNMENT_COLUMNS = (
    "id", "organisation_id", "created_by_id", "title", "description", "hours_per_week", "positions",
    "start_date", "end_date", "place", "work_mode", "rate_ceiling", "application_deadline",
    "contact_name", "contact_email", "internal_first_days", "status", "published_at",
    "province_wide_at", "closed_at", "created_at", "updated_at",
)
APPLICATION_COLUMNS = (
    "assignment_id", "member_id", "motivation", "availability", "proposed_rate", "rate_note", "cv",
    "source", "status", "decision_message", "decided_by_id", "decided_at", "created_at", "updated_at",
)


def _pick(rng, mix):
    r = rng.random()
    for value, share in mix:
        r -= share
        if r < 0:
            return value
    return mix[-1][0]


def _copy(cursor, table, columns, rows) -> int:
    """COPY ``rows`` into ``table`` through psycopg 3 (the trigger fires as on INSERT)."""
    n = 0
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


@generator("assignments", after=["members"])
def assignments(size: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from marketplace.models import Application, Assignment
    from members.models import Membership, MemberProfile, Organisation, Skill

    rng = random.Random(20261128)
    now = timezone.now()
    today = timezone.localdate()
    tz = timezone.get_current_timezone()

    orgs = list(Organisation.objects.values_list("id", "name", "slug"))
    coordinators: dict[int, list[int]] = {}
    for org_id, user_id in Membership.objects.filter(role=Membership.Role.COORDINATOR).values_list(
        "organisation_id", "user_id"
    ):
        coordinators.setdefault(org_id, []).append(user_id)
    skill_id = dict(Skill.objects.values_list("name", "id"))
    all_skills = list(skill_id.values())
    member_ids = list(MemberProfile.objects.order_by("id").values_list("id", flat=True))
    if not orgs or not member_ids or not all_skills:
        raise RuntimeError("the 'members' generator must run first (no organisations, members or skills)")

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM marketplace_assignment")
        first_id = cursor.fetchone()[0] + 1

    # --- assignments -------------------------------------------------------
    started = time.perf_counter()
    rows, skill_rows = [], []
    open_ids, published_at_of = [], {}
    counts = {s: 0 for s, _ in STATUS_MIX}
    for i in range(size):
        pk = first_id + i
        org_id, org_name, org_slug = orgs[rng.randrange(len(orgs))]
        status = _pick(rng, STATUS_MIX)
        counts[status] += 1
        topic = TOPIC_KEYS[rng.randrange(len(TOPIC_KEYS))]
        title_phrase, phrases, related = TOPICS[topic]
        second = TOPIC_KEYS[rng.randrange(len(TOPIC_KEYS))]
        role = ROLES[rng.randrange(len(ROLES))]
        place = PLACES[rng.randrange(len(PLACES))]
        mode = _pick(rng, MODES)
        hours = Decimal(rng.randint(2, 8) * 4)  # 8–32
        start = today + timedelta(days=rng.randint(7, 330))
        end = start + timedelta(days=rng.randint(4, 40) * 7)
        weeks = (end - start).days // 7

        template = rng.randrange(4)
        if template == 0:
            title = f"{role} {title_phrase}"
        elif template == 1:
            title = f"{role} {title_phrase} in {place}"
        elif template == 2:
            title = f"Tijdelijk {role.lower()} {title_phrase}"
        else:
            title = f"{title_phrase[0].upper()}{title_phrase[1:]}: {role.lower()} gezocht"
        t1, t2 = rng.choice(phrases), rng.choice(TOPICS[second][1])
        activities = rng.sample(ACTIVITIES, 2)
        description = " ".join([
            f"{org_name} zoekt voor {weeks} weken een {role.lower()} voor {t1}.",
            activities[0].format(t=t1),
            activities[1].format(t=t2),
            rng.choice(CONTEXT).format(n=rng.randint(4, 25)),
            f"Je werkt {hours:.0f} uur per week, {MODE_TEXT[mode]}, vanuit {place}.",
            f"Ervaring met {rng.choice(related).lower()} is een pre.",
        ])

        if status == "draft":
            published_at = province_wide_at = closed_at = None
            created_at = now - timedelta(days=rng.uniform(0, 30))
            deadline = start - timedelta(days=rng.randint(1, 6))
            internal_days = 0
        else:
            published_at = now - timedelta(days=rng.uniform(0.1, 120))
            internal_days = rng.choice([0] * 9 + [rng.randint(1, 5)])
            # In the past for every one of them: visible province-wide now.
            province_wide_at = published_at + timedelta(days=internal_days)
            if province_wide_at > now:
                published_at -= province_wide_at - now + timedelta(hours=1)
                province_wide_at = published_at + timedelta(days=internal_days)
            created_at = published_at - timedelta(days=rng.uniform(0, 5))
            if status == "published" and rng.random() < 0.9:
                deadline = today + timedelta(days=rng.randint(0, 60))
            else:
                deadline = today - timedelta(days=rng.randint(1, 45))
            deadline = min(deadline, start - timedelta(days=1))
            closed_at = (
                datetime.combine(deadline, dtime(17), tz) if status in ("closed", "filled", "cancelled") else None
            )
            if closed_at is not None and closed_at > now:
                closed_at = now - timedelta(hours=rng.randint(1, 48))
            if closed_at is not None and closed_at <= province_wide_at:
                # Closed (filled, cancelled) after it was published, never before.
                closed_at = min(now, province_wide_at + timedelta(hours=rng.randint(2, 72)))
            open_ids.append(pk)
            published_at_of[pk] = published_at
        contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        rows.append((
            pk, org_id, rng.choice(coordinators.get(org_id) or [None]), title, description, hours,
            rng.choice([1, 1, 1, 1, 2, 3]), start, end, place, mode,
            None if rng.random() < 0.5 else Decimal(rng.randint(75, 125)), deadline,
            contact, f"{contact.split()[0].lower()}@{org_slug}.bench.example", internal_days, status,
            published_at, province_wide_at, closed_at, created_at, created_at,
        ))
        wanted = set(skill_id[name] for name in related if name in skill_id)
        n_skills = rng.randint(2, 4)
        chosen = rng.sample(sorted(wanted), min(len(wanted), n_skills))
        while len(chosen) < n_skills:
            s = all_skills[rng.randrange(len(all_skills))]
            if s not in chosen:
                chosen.append(s)
        skill_rows.extend((pk, s) for s in chosen)
    built = time.perf_counter() - started

    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        n_assignments = _copy(cursor, Assignment._meta.db_table, ASSIGNMENT_COLUMNS, rows)
        copy_assignments = time.perf_counter() - t0
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM marketplace_assignment))",
            [Assignment._meta.db_table],
        )
        t0 = time.perf_counter()
        through = Assignment.required_skills.through._meta.db_table
        n_skill_rows = _copy(cursor, through, ("assignment_id", "skill_id"), skill_rows)
        copy_skills = time.perf_counter() - t0
    del rows, skill_rows
    log(f"assignments: built in {built:.1f} s, COPY {n_assignments} rows in {copy_assignments:.1f} s "
        f"(trigger fills search_vector), {n_skill_rows} required skills in {copy_skills:.1f} s")

    # --- applications ------------------------------------------------------
    t0 = time.perf_counter()
    n_applications = 2 * size
    pairs: set[tuple[int, int]] = set()
    limit = len(open_ids) * len(member_ids)
    if n_applications > limit:
        raise RuntimeError(f"cannot make {n_applications} unique applications from {limit} pairs")
    app_rows = []
    while len(app_rows) < n_applications:
        pair = (open_ids[rng.randrange(len(open_ids))], member_ids[rng.randrange(len(member_ids))])
        if pair in pairs:
            continue
        pairs.add(pair)
        status = _pick(rng, APPLICATION_STATUS_MIX)
        created_at = published_at_of[pair[0]] + timedelta(hours=rng.uniform(1, 24 * 14))
        if created_at > now:
            created_at = now - timedelta(minutes=rng.randint(1, 600))
        decided_at = created_at + timedelta(days=rng.uniform(1, 10)) if status in (
            "shortlisted", "rejected", "accepted") else None
        if decided_at is not None and decided_at > now:
            decided_at = now
        app_rows.append((
            pair[0], pair[1], rng.choice(MOTIVATIONS), rng.choice(AVAILABILITY), None, "", "",
            "application", status, "Dank voor je reactie." if status == "rejected" else "", None,
            decided_at, created_at, decided_at or created_at,
        ))
    del pairs
    built_applications = time.perf_counter() - t0
    with connection.cursor() as cursor:
        t1 = time.perf_counter()
        _copy(cursor, Application._meta.db_table, APPLICATION_COLUMNS, app_rows)
        copy_applications = time.perf_counter() - t1
        t1 = time.perf_counter()
        # COPY leaves the last few thousand rows in the GIN index's pending
        # list (fastupdate), which every search would scan linearly; VACUUM
        # cannot run inside the generator's transaction, this function can.
        cursor.execute("SELECT gin_clean_pending_list('marketplace_assignment_search'::regclass)")
        for table in (Assignment._meta.db_table, through, Application._meta.db_table):
            cursor.execute(f"ANALYZE {table}")
        analyze = time.perf_counter() - t1

        cursor.execute("SELECT count(*) FROM marketplace_assignment WHERE search_vector IS NULL")
        missing_vectors = cursor.fetchone()[0]
        if missing_vectors:
            raise RuntimeError(f"{missing_vectors} assignments have no search_vector: is the trigger missing?")
        selectivity = {}
        for words in ("beleid omgevingswet", "advies water"):
            cursor.execute(
                "SELECT count(*) FROM marketplace_assignment "
                "WHERE search_vector @@ websearch_to_tsquery('dutch', %s)", [words])
            selectivity[words] = cursor.fetchone()[0]
    log(f"applications: COPY {len(app_rows)} rows in {copy_applications:.1f} s "
        f"(built in {built_applications:.1f} s); GIN pending list flushed, ANALYZE in {analyze:.1f} s; "
        f"matches: {selectivity}")
    return {
        "assignments": n_assignments,
        **{f"assignments_{k}": v for k, v in counts.items()},
        "required_skills": n_skill_rows,
        "applications": len(app_rows),
        "matches": selectivity,
        "copy_assignments_s": round(copy_assignments, 1),
    }
