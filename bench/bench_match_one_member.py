"""Matching: the job for one member who changed (a skill added), against
all open assignments.

Runs on the matching data set (20,000 available members, 10,000 published
assignments; bench/data_matching.py) in a child process, whose peak RSS is
reported: the work itself is SQL in PostgreSQL.
"""

NAME = "match_one_member"


def run() -> dict:
    from bench.data_matching import measure_in_subprocess

    return measure_in_subprocess("member")
