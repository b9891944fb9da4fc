"""Permission-matrix rows for the training URLs (see tests/matrix.py).

The world: a module with a session in three weeks whose trainer is
coordinator_a (a trainer may be anyone with an account), member_a enrolled
in it, member_a's completion of another module (with a certificate), and
member_a's calendar feed.

- The catalogue, modules and sessions are open to the whole network.
- "My training", enrolling and the calendar feed settings: people with the
  member role (403 for the others).
- member_a's enrolment: only member_a cancels it; the people who can see it
  (the session's trainer, the training coordinator, the admin) get 403, the
  rest 404.
- The certificate is member_a's own document: member_a, the training
  coordinator and the admin; for everyone else it does not exist (404).
- Running the programme: the training coordinator and the admin; the
  enrolment list and attendance also the session's trainer.
- The calendar feed is public by its secret token (a calendar app cannot log in).
"""

from tests.matrix import LOGIN, row  # noqa: F401

MODULE = lambda w: {"pk": w["training_module"].pk}  # noqa: E731
SESSION = lambda w: {"pk": w["training_session"].pk}  # noqa: E731
ENROLMENT = lambda w: {"pk": w["training_enrolment"].pk}  # noqa: E731
COMPLETION = lambda w: {"pk": w["training_completion"].pk}  # noqa: E731

MEMBERS = dict(member_a=200, member_b=200)
MEMBERS_REDIRECTED = dict(member_a=302, member_b=302)
MANAGERS = dict(training_coordinator=200, admin_user=200)
RUNS_SESSION = dict(coordinator_a=200, **MANAGERS)

ROWS = {
    # The network.
    "training:module_list": row(200),
    "training:module_detail": row(200, kwargs=MODULE),
    "training:session_detail": row(200, kwargs=SESSION),
    "training:session_ics": row(200, kwargs=SESSION),
    "training:certificate_verify": row(200),
    # Members. member_a is already enrolled: refused with a message; both
    # are sent back to the session.
    "training:my_training": row(403, **MEMBERS),
    "training:session_enrol": row(403, method="post", kwargs=SESSION, **MEMBERS_REDIRECTED),
    "training:enrolment_cancel": row(
        404, method="post", kwargs=ENROLMENT,
        member_a=302, coordinator_a=403, training_coordinator=403, admin_user=403,
    ),
    "training:calendar_feed_regenerate": row(403, method="post", **MEMBERS_REDIRECTED),
    "training:calendar_feed_revoke": row(403, method="post", **MEMBERS_REDIRECTED),
    "training:calendar_feed": row(200, anonymous=200, kwargs=lambda w: {"token": w["training_feed"].token}),
    "training:certificate": row(404, kwargs=COMPLETION, member_a=200, **MANAGERS),
    # Running the programme.
    "training:manage": row(403, **MANAGERS),
    "training:module_create": row(403, **MANAGERS),
    "training:module_edit": row(403, kwargs=MODULE, **MANAGERS),
    "training:session_create": row(403, kwargs=MODULE, **MANAGERS),
    "training:session_edit": row(403, kwargs=SESSION, **MANAGERS),
    "training:session_cancel": row(403, kwargs=SESSION, **MANAGERS),
    "training:session_enrolments": row(403, kwargs=SESSION, **RUNS_SESSION),
    "training:session_enrolments_csv": row(403, kwargs=SESSION, **RUNS_SESSION),
    # Before the session starts attendance is refused with a message: back
    # to the enrolment list.
    "training:attendance_mark": row(
        403, method="post", kwargs=SESSION, coordinator_a=302, training_coordinator=302, admin_user=302,
    ),
}


def extend_world(world: dict) -> dict:
    from tests.factories import CompletionFactory, EnrolmentFactory, ModuleFactory, SessionFactory
    from training.models import CalendarFeed

    member = world["member_a"].profile
    module = ModuleFactory(title="Netwerken en acquisitie")
    session = SessionFactory(module=module, trainer=world["coordinator_a"])
    return {
        "training_module": module,
        "training_session": session,
        "training_enrolment": EnrolmentFactory(session=session, member=member),
        "training_completion": CompletionFactory(
            member=member, module=ModuleFactory(title="Ontdek je talent"),
            verified_by=world["training_coordinator"],
        ),
        "training_feed": CalendarFeed.objects.create(member=member),
    }
