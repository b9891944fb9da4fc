"""The matching benchmarks' data set: exactly 20,000 available members
(approved releases in force) and 10,000 published, open assignments.

The shared data set of ``zpp_bench`` (``data_members.py``,
``data_marketplace.py``) has 17,000 available members and 70,000 published
assignments, sized for the search page; matching scales with members ×
assignments, so its benchmarks get a database of their own,
``zpp_bench_matching`` (``BENCH_MATCH_DB_NAME``), on the same server. It is
made with the same two generators (20,000 members; 17,000 assignments, of
which about 10,700 come out published and open), then adjusted: every
member's release is approved, 20 % of them as ZZP'ers with an own hourly
rate; published assignments beyond the first 10,000 open ones (and published
ones whose deadline passed) are closed; half of the published ones get one or
two nice-to-have skills; 3,000 members get an engagement of 8 hours a week
that overlaps part of the coming year, so "hours left" differs per
assignment period.

Nothing here registers a generator: ``zpp_bench`` stays as it is. The
benchmarks call ``prepare_in_subprocess()``; it runs ``python -c
"from bench.data_matching import prepare; prepare()"`` with ``DATABASE_URL``
pointing at the matching database (created, migrated and filled once; a
marker row in ``bench_dataset`` says it is done).
"""

import json
import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

MATCH_DB_NAME = os.environ.get("BENCH_MATCH_DB_NAME", "zpp_bench_matching")
AVAILABLE_MEMBERS = 20_000
PUBLISHED_ASSIGNMENTS = 10_000
# data_members.members(size) makes size // 5 members.
MEMBERS_SIZE = AVAILABLE_MEMBERS * 5
# 70 % published, 90 % of those with a deadline ahead: ~10,700 open of 17,000.
ASSIGNMENTS_SIZE = 17_000
ENGAGED_MEMBERS = 3_000
MARKER = "matching"
PROJECT_DIR = Path(__file__).resolve().parent.parent


def matching_database_url() -> str:
    """The URL of the matching bench database (on the bench server)."""
    from bench.db import server_url, with_database

    return with_database(server_url(), MATCH_DB_NAME)


def child_env() -> dict:
    """The environment of a child process that works on the matching database."""
    from bench.db import BENCH_ENV_DEFAULTS

    env = {**os.environ, **{k: v for k, v in BENCH_ENV_DEFAULTS.items() if k not in os.environ}}
    env["DATABASE_URL"] = matching_database_url()
    return env


def prepare_in_subprocess(reset: bool = False) -> dict:
    """Create, migrate and fill the matching database unless done before;
    returns its counts. Runs in a child so that the benchmark process keeps
    pointing at ``zpp_bench``."""
    from bench.db import drop_database, ensure_database, log, server_url, with_database

    server = with_database(server_url(), "postgres")
    if reset or os.environ.get("BENCH_MATCH_RESET") in ("1", "yes", "true"):
        log(f"dropping database {MATCH_DB_NAME}")
        drop_database(server, MATCH_DB_NAME)
    if ensure_database(server, MATCH_DB_NAME):
        log(f"created database {MATCH_DB_NAME}")
    out = subprocess.run(
        [sys.executable, "-c", "from bench.data_matching import prepare; prepare()"],
        cwd=PROJECT_DIR, env=child_env(), stdout=subprocess.PIPE, stderr=sys.stderr, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare() -> None:
    """(In the child.) Migrate and generate; print the counts as JSON."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor

    from bench.db import log
    from bench.generate import _ensure_marker_table

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        log(f"migrating {MATCH_DB_NAME}")
        call_command("migrate", interactive=False, verbosity=0, stdout=sys.stderr)
    with connection.cursor() as cursor:
        _ensure_marker_table(cursor)
        cursor.execute("SELECT info FROM bench_dataset WHERE name = %s", [MARKER])
        row = cursor.fetchone()
    if row:
        info = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    else:
        log(f"generating the matching data set in {MATCH_DB_NAME} (once; about a minute)")
        started = time.perf_counter()
        with transaction.atomic():
            info = _generate()
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO bench_dataset (name, size, seconds, info) VALUES (%s, %s, %s, %s)",
                    [MARKER, AVAILABLE_MEMBERS, time.perf_counter() - started, json.dumps(info)],
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log(f"generated the matching data set in {time.perf_counter() - started:.1f} s: {info}")
    print(json.dumps(info))


def measure_in_subprocess(kind: str) -> dict:
    """Run one matching job (``full``, ``assignment`` or ``member``) in a
    fresh child process and return its figures: the child's own peak RSS is
    the memory of the process doing the work (the SQL runs in PostgreSQL)."""
    prepare_in_subprocess()
    out = subprocess.run(
        [sys.executable, "-c", f"from bench.data_matching import measure; measure({kind!r})"],
        cwd=PROJECT_DIR, env=child_env(), stdout=subprocess.PIPE, stderr=sys.stderr, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(kind: str) -> None:
    """(In the child.) Time the job, print its figures as JSON."""
    import resource

    import django

    django.setup()
    from django.db import connection

    from marketplace.models import Assignment
    from matching import services
    from matching.models import Suggestion
    from members.models import MemberProfile

    def temp_bytes() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()[0]

    figures: dict = {}
    if kind == "full":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE matching_suggestion")
        spilled = temp_bytes()
        first = services.match_all()
        figures["pg_temp_mb"] = round((temp_bytes() - spilled) / 2**20, 1)
        second = services.match_all()
        figures.update(seconds=first.seconds, second_s=second.seconds, steps=first.steps,
                       second_steps=second.steps, scored_pairs=first.scored, written=first.written,
                       second_written=second.written)
    else:
        if not Suggestion.objects.exists():
            services.match_all()  # the state the one-off jobs start from
        if kind == "assignment":
            # A newly published assignment: no suggestions or key rows of its own yet.
            published = Assignment.objects.filter(status=Assignment.Status.PUBLISHED).order_by("pk")
            target = published[published.count() // 2]
            Suggestion.objects.filter(assignment=target).delete()
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM matching_assignmentkey WHERE assignment_id = %s", [target.pk])
            result = services.match_assignment(target.pk)
        else:
            # A member who just added a skill (through SQL: the app's signals
            # would queue a job on the real broker).
            member = MemberProfile.objects.order_by("pk")[MemberProfile.objects.count() // 2]
            through = MemberProfile.skills.through._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""INSERT INTO {through} (memberprofile_id, skill_id)
                        SELECT %s, min(s.id) FROM members_skill s
                        WHERE s.id NOT IN (SELECT skill_id FROM {through} WHERE memberprofile_id = %s)
                        RETURNING skill_id""",
                    [member.pk, member.pk],
                )
                added = cursor.fetchone()[0]
            result = services.match_member(member.pk)
            with connection.cursor() as cursor:  # leave the data set as it was
                cursor.execute(f"DELETE FROM {through} WHERE memberprofile_id = %s AND skill_id = %s",
                               [member.pk, added])
            services.match_member(member.pk)
        figures.update(seconds=result.seconds, steps=result.steps, scored_pairs=result.scored,
                       written=result.written)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT member_id) FROM matching_memberkey")
        members = cursor.fetchone()[0]
    figures.update(
        peak_mb=round(peak, 1),
        suggestions=Suggestion.objects.count(),
        members=members,
        assignments=Assignment.objects.filter(status=Assignment.Status.PUBLISHED).count(),
    )
    print(json.dumps(figures))


def _generate() -> dict:
    from django.db import connection
    from django.utils import timezone

    from bench.data_marketplace import assignments
    from bench.data_members import members
    from marketplace.models import Assignment, Engagement
    from members.models import MemberProfile, Release

    members(MEMBERS_SIZE)
    assignments(ASSIGNMENTS_SIZE)
    rng = random.Random(20261201)
    today = timezone.localdate()
    now = timezone.now()
    with connection.cursor() as cursor:
        # Every member available: approve the requests (by their HR).
        cursor.execute(
            """UPDATE members_release r SET status = 'approved', decided_at = %s,
                      decided_by_id = (SELECT m.user_id FROM members_membership m
                                       JOIN members_memberprofile p ON p.home_organisation_id = m.organisation_id
                                       WHERE p.id = r.member_id AND m.role = 'hr' LIMIT 1)
               WHERE status = 'requested'""",
            [now],
        )
        # One in five a ZZP'er with an own rate (some above a typical ceiling).
        cursor.execute(
            "UPDATE members_release SET variant = 'zzp' WHERE member_id %% %s = 0", [5])
        cursor.execute(
            """UPDATE members_memberprofile SET own_hourly_rate = 70 + (id * 7919) %% 60,
                      business_name = 'Bureau ' || id, business_kvk = lpad((10000000 + id)::text, 8, '0')
               WHERE id %% %s = 0""", [5])
        # Exactly PUBLISHED_ASSIGNMENTS published and open; the others closed.
        cursor.execute(
            """UPDATE marketplace_assignment SET status = 'closed', closed_at = %s
               WHERE status = 'published' AND (application_deadline < %s OR id NOT IN (
                   SELECT id FROM marketplace_assignment
                   WHERE status = 'published' AND application_deadline >= %s ORDER BY id LIMIT %s))""",
            [now, today, today, PUBLISHED_ASSIGNMENTS],
        )
        cursor.execute("SELECT id FROM marketplace_assignment WHERE status = 'published' ORDER BY id")
        published = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT id FROM members_skill ORDER BY id")
        skills = [r[0] for r in cursor.fetchall()]
        cursor.execute("SELECT assignment_id, skill_id FROM marketplace_assignment_required_skills")
        required: dict[int, set[int]] = {}
        for assignment_id, skill_id in cursor.fetchall():
            required.setdefault(assignment_id, set()).add(skill_id)
    Nice = Assignment.nice_skills.through
    nice_rows = []
    for assignment_id in published[::2]:
        choices = [s for s in skills if s not in required.get(assignment_id, ())]
        for skill_id in rng.sample(choices, rng.randint(1, 2)):
            nice_rows.append(Nice(assignment_id=assignment_id, skill_id=skill_id))
    Nice.objects.bulk_create(nice_rows, batch_size=5000)

    profiles = list(
        MemberProfile.objects.order_by("?").values_list("id", "home_organisation_id")[:ENGAGED_MEMBERS]
    )
    organisations = sorted({org for _, org in profiles})
    engagements = []
    for member_id, home in profiles:
        start = today + timedelta(days=rng.randint(-60, 200))
        hiring = rng.choice([o for o in organisations if o != home] or organisations)
        engagements.append(Engagement(
            member_id=member_id, hiring_organisation_id=hiring, home_organisation_id=home, variant="zpp",
            agreed_rate=Decimal("85.00"), hours_per_week=Decimal("8.0"),
            start_date=start, end_date=start + timedelta(days=rng.randint(30, 120)),
        ))
    Engagement.objects.bulk_create(engagements, batch_size=5000)
    available = Release.objects.filter(
        status=Release.Status.APPROVED, start_date__lte=today, end_date__gte=today
    ).values("member_id").distinct().count()
    return {
        "available_members": available,
        "published_assignments": len(published),
        "nice_skills": len(nice_rows),
        "engagements": len(engagements),
    }
