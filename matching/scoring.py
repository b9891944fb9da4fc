"""The match score, computed in SQL over all (member, assignment) pairs at
once. Nothing here loops over pairs in Python.

Who is matched with what (the hard rules)
- the assignment is published, its deadline and its end have not passed, and
  the member may see it (its internal-first window is over, or the member
  belongs to the hiring organisation);
- the member is an active ZPP member with skills and an approved release
  that has not ended (the one in force today, otherwise the next one); the
  release overlaps the rest of the assignment's period and leaves hours a
  week free in it (the marketplace rule of ``hours_left``: released hours
  minus the hours of every engagement that overlaps the period);
- the member covers at least half of the required skills and has at least
  two of the asked skills (required or nice-to-have), or the one skill asked
  when only one is required or asked;
- the member has not applied to it, and has not dismissed the suggestion.

The score (0–100) is the sum of points anyone can check (``WEIGHTS``):
skills (required ones count double), hours a week free against hours
needed, how much of the period the release covers, place (remote, or the
member's home organisation in the assignment's place; hybrid half),
rate (ZZP: own rate within the maximum; ZPP: the home organisation's
tariff always fits) and training the assignment asks for. Membership of the
hiring organisation gives nothing: both organisations' members are scored
by the same expression. Pairs below ``MIN_SCORE`` are not suggested; of the
rest each member keeps the best ``PER_MEMBER`` and each assignment the best
``PER_ASSIGNMENT`` (the union is stored).

How it stays fast (20,000 members × 10,000 assignments)
Skills and completed training modules are bit strings (``bit(256)``; a
skill's bit position is in ``matching_skillbit``). Every member has a row
per pair of their skills in ``matching_memberkey`` and every assignment a
row per pair of asked skills in ``matching_assignmentkey``; joining the two
on the pair gives exactly the pairs with two skills in common, and the
condition "(member & assignment & prefix) = pair" keeps one row per
(member, assignment): the one for their two lowest common skills. Both key
tables carry the features of their side, so the join needs nothing else;
they are ordinary tables, so PostgreSQL joins them with parallel workers.
"""

from dataclasses import dataclass

from django.conf import settings

MASK_BITS = 256
ZERO = f"B'{'0' * MASK_BITS}'"
ALL_ONES = f"B'{'1' * MASK_BITS}'"

# Points per component; they add up to 100.
WEIGHTS = {
    "skills": 45,
    "hours": 20,
    "period": 10,
    "place": 10,
    "rate": 5,
    "training": 10,
}
MIN_SCORE = 75
PER_MEMBER = 20
PER_ASSIGNMENT = 25
# Engagements kept per member row; more than this are counted as
# overlapping every period (a member rarely has more than two at a time).
ENGAGEMENT_SLOTS = 4


class TooManyPositions(RuntimeError):
    """More skills or training modules than the bit strings have room for."""


@dataclass(frozen=True)
class Scope:
    """What a job recomputes: everything, one member or one assignment."""

    member_id: int | None = None
    assignment_id: int | None = None

    @property
    def full(self) -> bool:
        return self.member_id is None and self.assignment_id is None


def tune_for_job(cursor) -> None:
    """For every job's transaction: no JIT. The statements' cost estimates
    are far off (see below), and compiling then takes longer than a
    one-member job's whole work; the full run measured no faster with it."""
    cursor.execute("SET LOCAL jit = off")


def tune_for_full_run(cursor) -> None:
    """For this transaction only. The planner cannot estimate the bit-string
    conditions and guesses a handful of rows where there are millions, so it
    would pick nested loops; hash joins (in parallel workers) are right for
    a full run. The window sorts get memory enough not to spill."""
    for setting in ("work_mem = '256MB'", "enable_nestloop = off", "enable_mergejoin = off",
                    "parallel_setup_cost = 100"):
        cursor.execute(f"SET LOCAL {setting}")


# --- Bit positions ------------------------------------------------------------------


def sync_positions(cursor, *, full: bool) -> None:
    """Give every skill and module a bit. A full run numbers them afresh
    (all masks are rebuilt in the same transaction); the other jobs only
    append new ones, so masks already stored stay valid."""
    for table, key, source in (
        ("matching_skillbit", "skill_id", "members_skill"),
        ("matching_modulebit", "module_id", "training_module"),
    ):
        if full:
            cursor.execute(f"TRUNCATE {table}")
        cursor.execute(
            f"""INSERT INTO {table} ({key}, pos)
                SELECT s.id, (SELECT coalesce(max(pos), -1) FROM {table}) + row_number() OVER (ORDER BY s.id)
                FROM {source} s
                WHERE NOT EXISTS (SELECT 1 FROM {table} b WHERE b.{key} = s.id)"""
        )
        cursor.execute(f"SELECT coalesce(max(pos), -1) FROM {table}")
        if cursor.fetchone()[0] >= MASK_BITS:
            raise TooManyPositions(
                f"{source} has more rows than the {MASK_BITS} bits matching supports; raise MASK_BITS "
                f"(and migrate the bit({MASK_BITS}) columns)"
            )


# --- Features: the key tables -----------------------------------------------------


def _member_filter(scope: Scope, alias: str) -> str:
    return f"AND {alias} = %(member_id)s" if scope.member_id is not None else ""


def _assignment_filter(scope: Scope, alias: str) -> str:
    return f"AND {alias} = %(assignment_id)s" if scope.assignment_id is not None else ""


def refresh_member_keys(cursor, scope: Scope, params: dict) -> None:
    """Rewrite the key rows of all members (full) or of one member. A
    member's release: the approved one in force today, else the next one."""
    if scope.full:
        cursor.execute("TRUNCATE matching_memberkey")
    elif scope.member_id is not None:
        cursor.execute("DELETE FROM matching_memberkey WHERE member_id = %(member_id)s", params)
    else:
        return
    only = _member_filter(scope, "p.id")
    slots = ENGAGEMENT_SLOTS
    cursor.execute(
        f"""
        WITH rel AS (
            SELECT DISTINCT ON (r.member_id) r.member_id, r.start_date, r.end_date,
                   (r.days_per_week * %(hours_per_day)s)::float8 AS hours, r.variant
            FROM members_release r
            WHERE r.status = 'approved' AND r.end_date >= %(today)s {_member_filter(scope, "r.member_id")}
            ORDER BY r.member_id, (r.start_date > %(today)s), abs(r.start_date - %(today)s)
        ), sk AS (
            SELECT ps.memberprofile_id AS member_id, array_agg(b.pos ORDER BY b.pos) AS pos,
                   bit_or(set_bit({ZERO}, b.pos, 1)) AS mask
            FROM members_memberprofile_skills ps JOIN matching_skillbit b ON b.skill_id = ps.skill_id
            WHERE true {_member_filter(scope, "ps.memberprofile_id")}
            GROUP BY ps.memberprofile_id
        ), md AS (
            SELECT c.member_id, bit_or(set_bit({ZERO}, b.pos, 1)) AS mask
            FROM training_completion c JOIN matching_modulebit b ON b.module_id = c.module_id
            WHERE true {_member_filter(scope, "c.member_id")}
            GROUP BY c.member_id
        ), eng AS (
            SELECT member_id,
                   (array_agg(start_date ORDER BY n) FILTER (WHERE n <= {slots})) AS s,
                   (array_agg(end_date ORDER BY n) FILTER (WHERE n <= {slots})) AS e,
                   (array_agg(hours_per_week::float8 ORDER BY n) FILTER (WHERE n <= {slots})) AS h,
                   coalesce(sum(hours_per_week::float8) FILTER (WHERE n > {slots}), 0) AS rest
            FROM (SELECT e.member_id, e.start_date, e.end_date, e.hours_per_week,
                         row_number() OVER (PARTITION BY e.member_id ORDER BY e.start_date, e.id) AS n
                  FROM marketplace_engagement e
                  WHERE e.end_date >= %(today)s {_member_filter(scope, "e.member_id")}) numbered
            GROUP BY member_id
        )
        INSERT INTO matching_memberkey (
            member_id, x, y, skills, modules, organisation_id, city, release_start, release_end,
            release_hours, zzp, own_rate, engaged, eng_start, eng_end, eng_hours, busy_rest)
        SELECT p.id, k.x, k.y, sk.mask, coalesce(md.mask, {ZERO}), p.home_organisation_id, lower(o.city),
               rel.start_date, rel.end_date, rel.hours, rel.variant = 'zzp', p.own_hourly_rate::float8,
               eng.member_id IS NOT NULL, coalesce(eng.s, '{{}}'), coalesce(eng.e, '{{}}'), coalesce(eng.h, '{{}}'), coalesce(eng.rest, 0)
        FROM members_memberprofile p
        JOIN members_user u ON u.id = p.user_id AND u.is_active
        JOIN members_organisation o ON o.id = p.home_organisation_id
        JOIN rel ON rel.member_id = p.id
        JOIN sk ON sk.member_id = p.id
        LEFT JOIN md ON md.member_id = p.id
        LEFT JOIN eng ON eng.member_id = p.id
        CROSS JOIN LATERAL (
            SELECT a.x, b.y FROM unnest(sk.pos) AS a(x) JOIN unnest(sk.pos) AS b(y) ON a.x <= b.y
        ) k
        WHERE EXISTS (SELECT 1 FROM members_membership m WHERE m.user_id = p.user_id AND m.role = 'member')
          {only}
        """,
        params,
    )


def refresh_assignment_keys(cursor, scope: Scope, params: dict) -> None:
    """Rewrite the key rows of all published, open assignments (full) or of
    one assignment (none when it is no longer published and open)."""
    if scope.full:
        cursor.execute("TRUNCATE matching_assignmentkey")
    elif scope.assignment_id is not None:
        cursor.execute("DELETE FROM matching_assignmentkey WHERE assignment_id = %(assignment_id)s", params)
    else:
        return
    cursor.execute(
        f"""
        WITH req AS (
            SELECT x.assignment_id, array_agg(b.pos) AS pos, bit_or(set_bit({ZERO}, b.pos, 1)) AS mask,
                   count(*) AS n
            FROM marketplace_assignment_required_skills x JOIN matching_skillbit b ON b.skill_id = x.skill_id
            WHERE true {_assignment_filter(scope, "x.assignment_id")}
            GROUP BY x.assignment_id
        ), nice AS (
            SELECT x.assignment_id, array_agg(b.pos) AS pos, bit_or(set_bit({ZERO}, b.pos, 1)) AS mask,
                   count(*) AS n
            FROM marketplace_assignment_nice_skills x JOIN matching_skillbit b ON b.skill_id = x.skill_id
            WHERE NOT EXISTS (SELECT 1 FROM marketplace_assignment_required_skills r
                              WHERE r.assignment_id = x.assignment_id AND r.skill_id = x.skill_id)
              {_assignment_filter(scope, "x.assignment_id")}
            GROUP BY x.assignment_id
        ), mods AS (
            SELECT t.assignment_id, bit_or(set_bit({ZERO}, b.pos, 1)) AS mask, count(*) AS n
            FROM matching_assignmenttraining t JOIN matching_modulebit b ON b.module_id = t.module_id
            WHERE true {_assignment_filter(scope, "t.assignment_id")}
            GROUP BY t.assignment_id
        ), a AS (
            SELECT a.id, a.organisation_id, a.province_wide_at, a.application_deadline, a.start_date,
                   a.end_date, a.hours_per_week::float8 AS hours, a.place, lower(a.place) AS place_key, a.work_mode,
                   a.rate_ceiling::float8 AS ceiling,
                   coalesce(req.mask, {ZERO}) AS req, coalesce(nice.mask, {ZERO}) AS nice,
                   coalesce(req.n, 0) AS nreq, coalesce(nice.n, 0) AS nnice,
                   coalesce(req.pos, '{{}}') AS req_pos,
                   coalesce(req.pos, '{{}}') || coalesce(nice.pos, '{{}}') AS asked_pos,
                   coalesce(mods.mask, {ZERO}) AS modules, coalesce(mods.n, 0) AS nmodules
            FROM marketplace_assignment a
            LEFT JOIN req ON req.assignment_id = a.id
            LEFT JOIN nice ON nice.assignment_id = a.id
            LEFT JOIN mods ON mods.assignment_id = a.id
            WHERE a.status = 'published' AND a.application_deadline >= %(today)s AND a.end_date >= %(today)s
              {_assignment_filter(scope, "a.id")}
        )
        INSERT INTO matching_assignmentkey (
            assignment_id, x, y, pair, prefix, organisation_id, public_from, deadline, start_date, end_date,
            hours, place, place_key, work_mode, ceiling, req, nice, asked, nreq, nnice, modules, nmodules)
        SELECT a.id, k.x, k.y, set_bit(set_bit({ZERO}, k.x, 1), k.y, 1),
               CASE WHEN k.x = k.y THEN {ALL_ONES}
                    ELSE (repeat('1', k.y + 1) || repeat('0', {MASK_BITS - 1} - k.y))::bit({MASK_BITS}) END,
               a.organisation_id, a.province_wide_at, a.application_deadline, a.start_date, a.end_date,
               a.hours, a.place, a.place_key, a.work_mode, a.ceiling, a.req, a.nice, a.req | a.nice, a.nreq, a.nnice,
               a.modules, a.nmodules
        FROM a CROSS JOIN LATERAL (
            SELECT p.x, q.y FROM unnest(a.asked_pos) AS p(x) JOIN unnest(a.asked_pos) AS q(y) ON p.x < q.y
            UNION ALL
            SELECT r, r FROM unnest(a.req_pos) AS r WHERE a.nreq = 1
            UNION ALL
            SELECT s, s FROM unnest(a.asked_pos) AS s WHERE a.nreq = 0 AND cardinality(a.asked_pos) = 1
        ) k
        """,
        params,
    )


def build_missing_side(cursor, scope: Scope, params: dict) -> None:
    """A one-member job needs every assignment's rows and a one-assignment
    job every member's; when that table is empty (a new installation, before
    the first nightly run), build it whole."""
    if scope.member_id is not None:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM matching_assignmentkey)")
        if not cursor.fetchone()[0]:
            refresh_assignment_keys(cursor, Scope(), params)
    if scope.assignment_id is not None:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM matching_memberkey)")
        if not cursor.fetchone()[0]:
            refresh_member_keys(cursor, Scope(), params)


# --- Scoring ---------------------------------------------------------------------


def _f(number) -> str:
    """A float8 literal: the score is float arithmetic (numeric is slow)."""
    return f"{float(number)}::float8"


# The pieces of the score, as SQL over one joined row (mk: the member's key
# row, ak: the assignment's). Written out, not layered in subqueries, so
# that PostgreSQL's parallel workers compute and filter them; the price is
# that a piece used twice is computed twice.
PERIOD_START = "greatest(ak.start_date, %(today)s)"
BUSY = (
    "CASE WHEN mk.engaged THEN "
    + " + ".join(
        f"CASE WHEN mk.eng_start[{i}] <= ak.end_date AND mk.eng_end[{i}] >= {PERIOD_START}"
        f" THEN mk.eng_hours[{i}] ELSE 0 END"
        for i in range(1, ENGAGEMENT_SLOTS + 1)
    )
    + " + mk.busy_rest ELSE 0 END"
)
HOURS_LEFT = f"greatest(0, mk.release_hours - ({BUSY}))"
CREQ = "bit_count(mk.skills & ak.req)"
CNICE = "bit_count(mk.skills & ak.nice)"
MODULES_DONE = "bit_count(mk.modules & ak.modules)"
OVERLAP_DAYS = f"(least(mk.release_end, ak.end_date) - greatest(mk.release_start, {PERIOD_START}) + 1)"
PERIOD_DAYS = f"(ak.end_date - {PERIOD_START} + 1)"
PLACE_CODE = (
    "CASE WHEN ak.work_mode = 'remote' THEN 'remote' WHEN ak.place_key = mk.city THEN 'same_place'"
    " WHEN ak.work_mode = 'hybrid' THEN 'hybrid' ELSE 'on_site' END"
)
RATE_CODE = (
    "CASE WHEN NOT mk.zzp THEN 'zpp' WHEN ak.ceiling IS NULL THEN 'no_ceiling'"
    " WHEN mk.own_rate IS NULL THEN 'rate_unknown' WHEN mk.own_rate <= ak.ceiling THEN 'rate_fits'"
    " ELSE 'rate_above' END"
)


def _score() -> str:
    w = WEIGHTS
    points = [
        f"{_f(w['skills'])} * (2 * {CREQ} + {CNICE}) / (2 * ak.nreq + ak.nnice)",
        f"{_f(w['hours'])} * least(1.0::float8, {HOURS_LEFT} / ak.hours)",
        f"{_f(w['period'])} * {OVERLAP_DAYS} / {PERIOD_DAYS}",
        f"CASE WHEN ak.work_mode = 'remote' OR ak.place_key = mk.city THEN {_f(w['place'])}"
        f" WHEN ak.work_mode = 'hybrid' THEN {_f(w['place'] / 2)} ELSE 0 END",
        f"CASE WHEN NOT mk.zzp OR ak.ceiling IS NULL OR mk.own_rate <= ak.ceiling THEN {_f(w['rate'])}"
        f" WHEN mk.own_rate IS NULL THEN {_f(w['rate'] / 2)} ELSE 0 END",
        f"CASE WHEN ak.nmodules = 0 THEN {_f(w['training'])}"
        f" ELSE {_f(w['training'])} * {MODULES_DONE} / ak.nmodules END",
    ]
    return "round(" + " + ".join(points) + ")"


def score_pairs(cursor, scope: Scope, params: dict) -> None:
    """Create the temporary table ``matching_scored``: every pair that
    passes the hard rules and reaches ``MIN_SCORE``, with its score and the
    numbers behind each component (for the reasons)."""
    # In production every job is its own transaction; run inside a longer
    # one (eagerly, in a test) the previous run's tables are still there.
    cursor.execute("DROP TABLE IF EXISTS pg_temp.matching_scored, pg_temp.matching_keep")
    where = ""
    if scope.member_id is not None:
        where += " AND mk.member_id = %(member_id)s"
    if scope.assignment_id is not None:
        where += " AND ak.assignment_id = %(assignment_id)s"
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE matching_scored ON COMMIT DROP AS
        SELECT mk.member_id, ak.assignment_id, {_score()}::int2 AS score,
               {CREQ}::int2 AS creq, ak.nreq, {CNICE}::int2 AS cnice, ak.nnice,
               {HOURS_LEFT} AS hours_left, ak.hours AS hours_needed,
               round(100.0 * {OVERLAP_DAYS} / {PERIOD_DAYS})::int2 AS period_pct,
               {PLACE_CODE} AS place_code, ak.place, {RATE_CODE} AS rate_code, mk.own_rate, ak.ceiling,
               {MODULES_DONE}::int2 AS modules_done, ak.nmodules
        FROM matching_assignmentkey ak
        JOIN matching_memberkey mk ON mk.x = ak.x AND mk.y = ak.y
        WHERE (mk.skills & ak.asked & ak.prefix) = ak.pair
          AND 2 * {CREQ} >= ak.nreq
          AND ak.deadline >= %(today)s
          AND ak.end_date >= %(today)s
          AND mk.release_start <= ak.end_date
          AND mk.release_end >= {PERIOD_START}
          AND (ak.public_from <= %(now)s OR ak.organisation_id = mk.organisation_id)
          AND {HOURS_LEFT} > 0
          AND {_score()} >= %(min_score)s
          AND NOT EXISTS (SELECT 1 FROM marketplace_application ap
                          WHERE ap.member_id = mk.member_id AND ap.assignment_id = ak.assignment_id)
          AND NOT EXISTS (SELECT 1 FROM matching_suggestion d
                          WHERE d.member_id = mk.member_id AND d.assignment_id = ak.assignment_id
                            AND d.dismissed_at IS NOT NULL)
          {where}
        """,
        params,
    )


# --- Which pairs are kept, and writing them --------------------------------------------


# A list of [code, numbers...]: compact to build for hundreds of thousands
# of rows; ``matching.reasons`` turns it into text.
REASONS_SQL = """
    to_jsonb(array_remove(ARRAY[
        CASE WHEN r.nreq > 0 THEN jsonb_build_array('required_skills', r.creq, r.nreq) END,
        CASE WHEN r.nnice > 0 THEN jsonb_build_array('nice_skills', r.cnice, r.nnice) END,
        jsonb_build_array('hours', r.hours_left, r.hours_needed),
        jsonb_build_array('period', r.period_pct),
        jsonb_build_array(r.place_code, r.place),
        CASE r.rate_code WHEN 'zpp' THEN jsonb_build_array('zpp')
             WHEN 'no_ceiling' THEN jsonb_build_array('no_ceiling')
             WHEN 'rate_unknown' THEN jsonb_build_array('rate_unknown', r.ceiling)
             ELSE jsonb_build_array(r.rate_code, r.own_rate, r.ceiling) END,
        CASE WHEN r.nmodules > 0 THEN jsonb_build_array('training', r.modules_done, r.nmodules) END
    ], NULL))
"""


def choose_kept(cursor, scope: Scope, params: dict) -> None:
    """Create the temporary table ``matching_keep`` (member_id,
    assignment_id, score, reasons) of the pairs to store. A full run keeps
    each member's best ``PER_MEMBER`` and each assignment's best
    ``PER_ASSIGNMENT``. A one-member run keeps the member's best and any
    pair that beats the assignment's current ``PER_ASSIGNMENT``-th
    candidate (a one-assignment run: the other way round); the nightly run
    trims what that lets in. The reasons are built for kept pairs only."""
    if scope.full:
        # Rank narrow rows (row address, ids, score) so the two sorts stay in
        # memory; then fetch the kept rows by address.
        cursor.execute(
            f"""CREATE TEMPORARY TABLE matching_keep ON COMMIT DROP AS
                SELECT r.member_id, r.assignment_id, r.score, {REASONS_SQL} AS reasons
                FROM matching_scored r
                WHERE r.ctid = ANY (ARRAY(
                    SELECT w.tid FROM (
                        SELECT ctid AS tid,
                               row_number() OVER (PARTITION BY member_id ORDER BY score DESC, assignment_id) AS rm,
                               row_number() OVER (PARTITION BY assignment_id ORDER BY score DESC, member_id) AS ra
                        FROM matching_scored) w
                    WHERE w.rm <= %(per_member)s OR w.ra <= %(per_assignment)s))""",
            params,
        )
        return
    if scope.assignment_id is not None:
        ranked = """
            SELECT s.*, row_number() OVER (ORDER BY score DESC, member_id) AS ra FROM matching_scored s"""
        keep = """r.ra <= %(per_assignment)s
               OR r.score > coalesce((
                    SELECT g.score FROM matching_suggestion g
                    WHERE g.member_id = r.member_id AND g.assignment_id <> r.assignment_id
                      AND g.dismissed_at IS NULL
                    ORDER BY g.score DESC OFFSET %(per_member)s - 1 LIMIT 1), -1)"""
    else:
        ranked = """
            SELECT s.*, row_number() OVER (ORDER BY score DESC, assignment_id) AS rm FROM matching_scored s"""
        keep = """r.rm <= %(per_member)s
               OR r.score > coalesce((
                    SELECT g.score FROM matching_suggestion g
                    WHERE g.assignment_id = r.assignment_id AND g.member_id <> r.member_id
                      AND g.dismissed_at IS NULL
                    ORDER BY g.score DESC OFFSET %(per_assignment)s - 1 LIMIT 1), -1)"""
    cursor.execute(
        f"""CREATE TEMPORARY TABLE matching_keep ON COMMIT DROP AS
            SELECT r.member_id, r.assignment_id, r.score, {REASONS_SQL} AS reasons
            FROM ({ranked}) r
            WHERE {keep}""",
        params,
    )


def write_kept(cursor, scope: Scope, params: dict) -> tuple[int, int]:
    """Insert new suggestions, update changed ones (never a dismissed one),
    and delete the scope's suggestions that no longer hold; returns
    (rows written, rows deleted). Unchanged rows are not touched."""
    cursor.execute(
        """
        INSERT INTO matching_suggestion AS g (member_id, assignment_id, score, reasons, created_at, updated_at)
        SELECT k.member_id, k.assignment_id, k.score, k.reasons, %(now)s, %(now)s
        FROM matching_keep k
        WHERE EXISTS (SELECT 1 FROM members_memberprofile p WHERE p.id = k.member_id)
          AND EXISTS (SELECT 1 FROM marketplace_assignment a WHERE a.id = k.assignment_id)
          AND NOT EXISTS (SELECT 1 FROM matching_suggestion same
                          WHERE same.member_id = k.member_id AND same.assignment_id = k.assignment_id
                            AND same.score = k.score AND same.reasons = k.reasons)
        ON CONFLICT ON CONSTRAINT matching_suggestion_once DO UPDATE
            SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, updated_at = EXCLUDED.updated_at
            WHERE g.dismissed_at IS NULL
        """,
        params,
    )
    written = cursor.rowcount
    where = ""
    if scope.member_id is not None:
        where = "AND g.member_id = %(member_id)s"
    elif scope.assignment_id is not None:
        where = "AND g.assignment_id = %(assignment_id)s"
    cursor.execute(
        f"""
        DELETE FROM matching_suggestion g
        WHERE g.dismissed_at IS NULL {where}
          AND NOT EXISTS (SELECT 1 FROM matching_keep k
                          WHERE k.member_id = g.member_id AND k.assignment_id = g.assignment_id)
        """,
        params,
    )
    return written, cursor.rowcount


def base_params(*, today, now, scope: Scope) -> dict:
    return {
        "today": today,
        "now": now,
        "hours_per_day": settings.HOURS_PER_RELEASED_DAY,
        "min_score": MIN_SCORE,
        "per_member": PER_MEMBER,
        "per_assignment": PER_ASSIGNMENT,
        "member_id": scope.member_id,
        "assignment_id": scope.assignment_id,
    }
