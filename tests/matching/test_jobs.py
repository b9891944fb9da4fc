"""The matching jobs: idempotent, safe to run twice at once, set-based (the
same number of SQL statements whatever the data), and started by the
changes they depend on."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from marketplace import services as market
from marketplace.models import Assignment
from matching import services, tasks
from matching.models import Suggestion
from members import services as member_services
from tests.factories import AssignmentFactory, EngagementFactory, ReleaseFactory
from tests.matching.conftest import make_assignment, make_member, rows, suggestion


@pytest.mark.django_db
def test_running_the_nightly_job_twice_gives_the_same_rows(org_a, org_b, org_c, skills):
    a, b, c, d, *_ = skills
    for org in (org_a, org_b):
        make_assignment(org, [a, b, c])
        make_assignment(org, [c, d], [a])
    for org in (org_b, org_c):
        make_member(org, [a, b, c])
        make_member(org, [c, d], days="1.0")

    first = tasks.recompute_all()
    before = rows()
    second = tasks.recompute_all()

    assert first["written"] == len(before) > 0
    assert rows() == before  # same scores, same created_at and updated_at: nothing rewritten
    assert second["written"] == 0 and second["deleted"] == 0


@pytest.mark.django_db
def test_the_one_member_and_one_assignment_jobs_agree_with_the_nightly_job(org_a, org_b, skills):
    a, b, c, *_ = skills
    assignments = [make_assignment(org_a, [a, b]), make_assignment(org_a, [b, c], hours="16.0")]
    members = [make_member(org_b, [a, b, c]), make_member(org_b, [a, b], days="1.0")]
    for member in members:
        tasks.match_member(member.pk)
    for assignment in assignments:
        tasks.match_assignment(assignment.pk)
    incremental = {(s.member_id, s.assignment_id, s.score) for s in Suggestion.objects.all()}

    tasks.match_assignment(assignments[0].pk)  # twice: no change
    tasks.recompute_all()

    assert {(s.member_id, s.assignment_id, s.score) for s in Suggestion.objects.all()} == incremental
    assert len(incremental) == 3


@pytest.mark.django_db
def test_the_job_is_set_based(org_a, org_b, skills):
    """The number of SQL statements does not grow with members or
    assignments: no Python loop over pairs."""
    a, b, *_ = skills
    make_assignment(org_a, [a, b])
    make_member(org_b, [a, b])
    with CaptureQueriesContext(connection) as small:
        services.match_all()

    for _ in range(5):
        make_assignment(org_a, [a, b])
        make_member(org_b, [a, b])
    with CaptureQueriesContext(connection) as bigger:
        result = services.match_all()

    assert result.kept == 6 * 6
    assert len(bigger.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_two_nightly_jobs_at_once_give_the_same_rows(org_a, org_b, skills):
    a, b, c, *_ = skills
    for hours in ("8.0", "12.0", "16.0"):
        make_assignment(org_a, [a, b], hours=hours)
    for days in ("1.0", "2.0"):
        make_member(org_b, [a, b, c], days=days)
    services.match_all()
    expected = {(s.member_id, s.assignment_id, s.score) for s in Suggestion.objects.all()}
    Suggestion.objects.all().delete()

    errors = []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            services.match_all()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert {(s.member_id, s.assignment_id, s.score) for s in Suggestion.objects.all()} == expected


# --- Started by the changes they depend on ----------------------------------------


@pytest.mark.django_db
def test_publishing_an_assignment_matches_it(org_a, org_b, coordinator_a, skills, run_on_commit):
    a, b, *_ = skills
    member = make_member(org_b, [a, b])
    draft = AssignmentFactory(organisation=org_a, required_skills=[a, b])

    with run_on_commit():
        market.assignment_publish(actor=coordinator_a, assignment=draft)

    assert suggestion(member, draft) is not None


@pytest.mark.django_db
def test_editing_or_closing_an_assignment_matches_it_again(org_a, org_b, coordinator_a, skills, run_on_commit):
    a, b, c, *_ = skills
    member = make_member(org_b, [a, b])
    assignment = make_assignment(org_a, [a, b], created_by=coordinator_a)
    tasks.match_assignment(assignment.pk)

    with run_on_commit():  # now it requires a skill the member lacks, and two more hours
        market.assignment_update(actor=coordinator_a, assignment=assignment,
                                 data={"hours_per_week": Decimal("10.0")}, required_skills=[a, b, c])
    assert suggestion(member, assignment).reasons[0] == ["required_skills", 2, 3]

    with run_on_commit():
        market.assignment_close(actor=coordinator_a, assignment=assignment)
    assert suggestion(member, assignment) is None


@pytest.mark.django_db
def test_a_members_changes_match_them_again(org_a, org_b, hr_b, skills, run_on_commit):
    a, b, c, *_ = skills
    assignment = make_assignment(org_a, [a, b, c])
    member = make_member(org_b, [a], release=False)
    release = ReleaseFactory(member=member, days_per_week=Decimal("2.0"))

    with run_on_commit():  # HR approves: available, but one skill of three is not enough
        member_services.release_approve(actor=hr_b, release=release)
    assert suggestion(member, assignment) is None

    with run_on_commit():
        member_services.profile_update(actor=member.user, profile=member, data={}, skills=[a, b])
    assert suggestion(member, assignment).reasons[0] == ["required_skills", 2, 3]

    with run_on_commit():  # an engagement for the whole period takes the release's 16 hours
        EngagementFactory(member=member, hours_per_week=Decimal("16.0"),
                          start_date=assignment.start_date, end_date=assignment.end_date)
    assert suggestion(member, assignment) is None


@pytest.mark.django_db
def test_a_change_queues_its_job_once(org_a, org_b, coordinator_a, skills, django_capture_on_commit_callbacks,
                                      monkeypatch):
    a, b, c, *_ = skills
    assignment = make_assignment(org_a, [a, b], created_by=coordinator_a)
    sent = []
    monkeypatch.setattr("zppbrabant.queue.enqueue", lambda task, *args: sent.append((task.name, args)))

    with django_capture_on_commit_callbacks(execute=True):
        # Saves the row, then sets both skill lists: five signals, one job.
        market.assignment_update(actor=coordinator_a, assignment=assignment, data={"place": "Oss"},
                                 required_skills=[a, c], nice_skills=[b])

    assert sent == [("matching.tasks.match_assignment", (assignment.pk,))]


@pytest.mark.django_db
def test_an_assignment_that_is_no_longer_published_loses_its_suggestions_at_night(org_a, org_b, skills):
    a, b, *_ = skills
    assignment = make_assignment(org_a, [a, b])
    member = make_member(org_b, [a, b])
    tasks.recompute_all()
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.FILLED)

    result = tasks.recompute_all()

    assert result["deleted"] == 1 and suggestion(member, assignment) is None


@pytest.mark.django_db
def test_a_deleted_member_or_assignment_leaves_nothing_behind(org_a, org_b, skills):
    a, b, *_ = skills
    kept, dropped = make_assignment(org_a, [a, b]), make_assignment(org_a, [a, b])
    stays, leaves = make_member(org_b, [a, b]), make_member(org_b, [a, b])
    tasks.recompute_all()
    assert Suggestion.objects.count() == 4

    leaves.user.delete()
    dropped.delete()
    tasks.match_assignment(kept.pk)
    tasks.match_member(stays.pk)
    tasks.recompute_all()

    assert list(Suggestion.objects.values_list("member_id", "assignment_id")) == [(stays.pk, kept.pk)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM matching_memberkey WHERE member_id = %s", [leaves.pk])
        assert cursor.fetchone()[0] == 0
