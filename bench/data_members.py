"""Bench data for the foundation: the 18 organisations, their HR and
coordinators, and ``size // 5`` ZPP members (20,000 at the default size) with
profiles, skills and releases."""

import random
from datetime import timedelta
from decimal import Decimal

from bench.generate import generator

BATCH = 5000


@generator("members")
def members(size: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from members.demo import ORGANISATIONS, SKILLS, organisation_identifiers
    from members.models import Membership, MemberProfile, Organisation, Release, Skill, User

    rng = random.Random(20261127)
    password = make_password("bench-password-2026")
    today = timezone.localdate()
    now = timezone.now()

    orgs = Organisation.objects.bulk_create(
        Organisation(
            slug=slug, name=name, kind=kind, street=street, postal_code=postal, city=city,
            zpp_hourly_rate=Decimal(rate), invoice_email=f"facturen@{slug}.bench.example",
            **organisation_identifiers(index),
        )
        for index, (slug, name, kind, street, postal, city, rate) in enumerate(ORGANISATIONS)
    )
    skills = Skill.objects.bulk_create(
        Skill(name=name, category=category) for category, names in SKILLS.items() for name in names
    )

    staff = []
    for org in orgs:
        for role in ("hr", "coordinator", "coordinator"):
            staff.append((User(email=f"{role}{len(staff)}@{org.slug}.bench.example", password=password,
                               first_name=role.upper(), last_name=org.name), org, role))
    User.objects.bulk_create([u for u, _, _ in staff], batch_size=BATCH)
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=o, role=r) for u, o, r in staff], batch_size=BATCH
    )
    hr_of = {o.pk: u for u, o, r in staff if r == "hr"}

    n_members = size // 5
    users = User.objects.bulk_create(
        (User(email=f"member{i}@bench.example", password=password,
              first_name=f"Lid{i}", last_name=f"Bench {i % 997}") for i in range(n_members)),
        batch_size=BATCH,
    )
    homes = [orgs[rng.randrange(len(orgs))] for _ in users]
    Membership.objects.bulk_create(
        (Membership(user=u, organisation=h, role="member") for u, h in zip(users, homes)),
        batch_size=BATCH,
    )
    profiles = MemberProfile.objects.bulk_create(
        (MemberProfile(
            user=u, home_organisation=h, job_title="Beleidsadviseur",
            bio="Adviseur met ervaring in de Brabantse overheid.",
            entrepreneurship_level=rng.choice(["starter", "experienced", "entrepreneur"]),
            tags=["brabant"], core_qualities=["verbinder"],
        ) for u, h in zip(users, homes)),
        batch_size=BATCH,
    )
    Through = MemberProfile.skills.through
    Through.objects.bulk_create(
        (Through(memberprofile_id=p.pk, skill_id=s.pk)
         for p in profiles for s in rng.sample(skills, rng.randint(2, 6))),
        batch_size=BATCH,
    )
    releases = []
    for profile, home in zip(profiles, homes):
        start = today - timedelta(days=rng.randint(0, 200))
        status = "approved" if rng.random() < 0.85 else "requested"
        releases.append(Release(
            member=profile, days_per_week=Decimal(rng.choice([1, 1.5, 2, 2, 2.5])), variant="zpp",
            start_date=start, end_date=start + timedelta(days=365), status=status,
            decided_by=hr_of[home.pk] if status == "approved" else None,
            decided_at=now if status == "approved" else None,
        ))
    Release.objects.bulk_create(releases, batch_size=BATCH)
    from django.db import connection

    with connection.cursor() as cursor:  # the planner needs statistics of the new rows
        for model in (User, Membership, MemberProfile, Release, Through):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return {"organisations": len(orgs), "members": n_members, "releases": len(releases)}
