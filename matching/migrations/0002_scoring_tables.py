"""The tables only the scoring SQL reads (see matching/scoring.py): bit
positions of skills and training modules, and one row per skill pair of
every available member and every open assignment, with that side's features.

They are derived data, rebuilt by the jobs.

No foreign keys: Django does not know these tables, so a key to one of its
tables would stop it from emptying that table (TRUNCATE) in tests. A deleted
member's or assignment's rows are removed when it is deleted
(matching/signals.py); the jobs also only write suggestions for members and
assignments that still exist, and the next rebuild drops whatever is left.

``parallel_workers``: left to itself PostgreSQL plans one worker for tables
this size; the pair join is worth as many as
``max_parallel_workers_per_gather`` allows.
"""
from django.db import migrations

BITS = 256

CREATE = f"""
CREATE TABLE matching_skillbit (
    skill_id bigint PRIMARY KEY,
    pos smallint NOT NULL UNIQUE
);
CREATE TABLE matching_modulebit (
    module_id bigint PRIMARY KEY,
    pos smallint NOT NULL UNIQUE
);
CREATE TABLE matching_memberkey (
    member_id bigint NOT NULL,
    x smallint NOT NULL,
    y smallint NOT NULL,
    skills bit({BITS}) NOT NULL,
    modules bit({BITS}) NOT NULL,
    organisation_id bigint NOT NULL,
    city text NOT NULL,
    release_start date NOT NULL,
    release_end date NOT NULL,
    release_hours double precision NOT NULL,
    zzp boolean NOT NULL,
    own_rate double precision,
    engaged boolean NOT NULL,
    eng_start date[] NOT NULL,
    eng_end date[] NOT NULL,
    eng_hours double precision[] NOT NULL,
    busy_rest double precision NOT NULL
) WITH (parallel_workers = 4);
CREATE INDEX matching_memberkey_pair ON matching_memberkey (x, y);
CREATE INDEX matching_memberkey_member ON matching_memberkey (member_id);
CREATE TABLE matching_assignmentkey (
    assignment_id bigint NOT NULL,
    x smallint NOT NULL,
    y smallint NOT NULL,
    pair bit({BITS}) NOT NULL,
    prefix bit({BITS}) NOT NULL,
    organisation_id bigint NOT NULL,
    public_from timestamptz NOT NULL,
    deadline date NOT NULL,
    start_date date NOT NULL,
    end_date date NOT NULL,
    hours double precision NOT NULL,
    place text NOT NULL,
    place_key text NOT NULL,
    work_mode text NOT NULL,
    ceiling double precision,
    req bit({BITS}) NOT NULL,
    nice bit({BITS}) NOT NULL,
    asked bit({BITS}) NOT NULL,
    nreq smallint NOT NULL,
    nnice smallint NOT NULL,
    modules bit({BITS}) NOT NULL,
    nmodules smallint NOT NULL
) WITH (parallel_workers = 4);
CREATE INDEX matching_assignmentkey_pair ON matching_assignmentkey (x, y);
CREATE INDEX matching_assignmentkey_assignment ON matching_assignmentkey (assignment_id);
"""

DROP = """
DROP TABLE matching_assignmentkey;
DROP TABLE matching_memberkey;
DROP TABLE matching_modulebit;
DROP TABLE matching_skillbit;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("matching", "0001_initial"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
