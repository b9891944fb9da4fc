"""Reads for training. Every view fetches through one of the
``*_visible_to(user)`` functions; the rest answer questions about one
member (what did they complete, what should they do next)."""

from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import MemberProfile, Release
from members.roles import roles_of
from training.models import CalendarFeed, Completion, Enrolment, Module, Session

SEATED = Enrolment.SEATED_STATUSES


# --- Visibility ------------------------------------------------------------------


def modules_visible_to(user) -> QuerySet[Module]:
    """The catalogue is open to the whole network; modules taken out of it
    only to the people who run the programme."""
    roles = roles_of(user)
    if not roles.in_network:
        return Module.objects.none()
    qs = Module.objects.select_related("provider_organisation")
    if roles.manages_training:
        return qs
    return qs.filter(active=True)


def sessions_visible_to(user) -> QuerySet[Session]:
    roles = roles_of(user)
    if not roles.in_network:
        return Session.objects.none()
    qs = Session.objects.select_related("module__provider_organisation", "trainer")
    if roles.manages_training:
        return qs
    return qs.filter(Q(module__active=True) | Q(trainer=user))


def enrolments_visible_to(user) -> QuerySet[Enrolment]:
    """A member's own enrolments; a trainer's sessions' enrolments; all of
    them for the people who run the programme."""
    roles = roles_of(user)
    qs = Enrolment.objects.select_related(
        "session__module", "member__user", "member__home_organisation"
    )
    if roles.manages_training:
        return qs
    return qs.filter(Q(member__user=user) | Q(session__trainer=user))


def certificates_visible_to(user) -> QuerySet[Completion]:
    """A certificate is the member's own document: only they and the people
    who run the programme can download it."""
    qs = Completion.objects.select_related(
        "member__user", "module__provider_organisation", "session", "verified_by"
    )
    if roles_of(user).manages_training:
        return qs
    return qs.filter(member__user=user)


def can_run_session(user, session: Session) -> bool:
    """Enrolment lists and attendance: the session's trainer, the training
    coordinators and the administrator."""
    return roles_of(user).manages_training or (session.trainer_id is not None and session.trainer_id == user.pk)


def has_seat(user, session: Session) -> bool:
    return Enrolment.objects.filter(
        session=session, member__user=user, status__in=Enrolment.SEATED_STATUSES
    ).exists()


def feed_of(profile: MemberProfile) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(member=profile).first()


# --- Sessions with their numbers ------------------------------------------------------


def with_counts(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """``seats_taken`` and ``waiting_count`` on every session, in the same query."""
    return sessions.annotate(
        seats_taken=Count("enrolments", filter=Q(enrolments__status__in=SEATED)),
        waiting_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING)),
    )


def upcoming(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.filter(ends_at__gte=timezone.now())


def _queue_rank():
    """A waiting enrolment's place in its session's queue: 1 for the next
    one to move up (positions are handed out in arrival order, with gaps
    where people left or moved up)."""
    ahead = (
        Enrolment.objects.filter(
            session=OuterRef("session"),
            status=Enrolment.Status.WAITING,
            waitlist_position__lte=OuterRef("waitlist_position"),
        )
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(ahead, output_field=IntegerField())


def enrolments_of_session(session: Session) -> QuerySet[Enrolment]:
    """Everyone who enrolled: the seated ones, then the queue in order, then
    those who cancelled."""
    group = Case(
        When(status__in=SEATED, then=Value(0)),
        When(status=Enrolment.Status.WAITING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        session.enrolments.select_related("member__user", "member__home_organisation", "attendance_marked_by")
        .annotate(queue_rank=_queue_rank(), group=group)
        .order_by("group", "waitlist_position", "member__user__last_name", "member__user__first_name", "pk")
    )


def my_enrolments(profile: MemberProfile) -> QuerySet[Enrolment]:
    """The member's sessions (enrolled, waiting, attended, not attended),
    with their place in the queue where waiting."""
    return (
        Enrolment.objects.filter(member=profile, status__in=Enrolment.ACTIVE_STATUSES)
        .select_related("session__module")
        .annotate(queue_rank=_queue_rank())
        .order_by("session__starts_at", "pk")
    )


def my_enrolment_by_session(profile: MemberProfile | None, session_ids) -> dict[int, Enrolment]:
    if profile is None:
        return {}
    rows = (
        Enrolment.objects.filter(member=profile, session_id__in=list(session_ids), status__in=Enrolment.ACTIVE_STATUSES)
        .annotate(queue_rank=_queue_rank())
    )
    return {row.session_id: row for row in rows}


# --- Completions ------------------------------------------------------------------


def completions_of(profile: MemberProfile) -> QuerySet[Completion]:
    return (
        Completion.objects.filter(member=profile)
        .select_related("module__provider_organisation")
        .order_by("-completed_on", "module__title")
    )


def completion_prefetch(lookup: str = "member__training_completions") -> Prefetch:
    """Prefetch a member's verified completions with their modules, e.g. for
    a list of applicants (one query for the whole list)."""
    return Prefetch(
        lookup,
        queryset=Completion.objects.select_related("module").order_by("module__title"),
        to_attr="verified_completions",
    )


def completed_module_ids(profile: MemberProfile) -> set[int]:
    return set(Completion.objects.filter(member=profile).values_list("module_id", flat=True))


def missing_required_modules(profile: MemberProfile) -> list[Module]:
    """The modules required for the ZZP variant that the member has not
    completed yet (the training gate on a ZZP release)."""
    done = Completion.objects.filter(member=profile, module=OuterRef("pk"))
    return list(
        Module.objects.filter(active=True, required_for_zzp=True)
        .exclude(Exists(done))
        .order_by("title")
    )


def missing_prerequisites(profile: MemberProfile, module: Module) -> list[Module]:
    done = Completion.objects.filter(member=profile, module=OuterRef("pk"))
    return list(module.prerequisites.exclude(Exists(done)).order_by("title"))


# --- Recommendations ----------------------------------------------------------------


@dataclass
class Recommendation:
    module: Module
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


def _next_open_session_start():
    return Subquery(
        Session.objects.filter(
            module=OuterRef("pk"), cancelled_at__isnull=True, enrolment_deadline__gte=timezone.now()
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )


def catalogue(queryset: QuerySet[Module]) -> QuerySet[Module]:
    """Modules with their prerequisites and the start of the next session
    that still takes enrolments (``next_session_start``)."""
    return queryset.annotate(next_session_start=_next_open_session_start()).prefetch_related(
        Prefetch("prerequisites", queryset=Module.objects.order_by("title"))
    )


def recommendations_for(profile: MemberProfile) -> list[Recommendation]:
    """Modules in the catalogue that fit the member's entrepreneurship level
    (and, for a member who asked for the ZZP variant, the modules it
    requires), that they have not completed nor enrolled in, and whose
    prerequisites they have completed: each with the reason in words."""
    now = timezone.now()
    done = completed_module_ids(profile)
    busy = set(
        Enrolment.objects.filter(
            member=profile,
            status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.WAITING],
            session__ends_at__gte=now,
        ).values_list("session__module_id", flat=True)
    )
    wants_zzp = profile.releases.filter(
        variant=Release.Variant.ZZP, status__in=[Release.Status.REQUESTED, Release.Status.APPROVED]
    ).exists()
    level = profile.entrepreneurship_level
    fits = Q(levels__contains=[level])
    if wants_zzp:
        fits |= Q(required_for_zzp=True)
    modules = catalogue(
        Module.objects.filter(fits, active=True).exclude(pk__in=done | busy).select_related("provider_organisation")
    )
    level_label = MemberProfile.EntrepreneurshipLevel(level).label
    result = []
    for module in modules:
        prerequisites = list(module.prerequisites.all())
        if any(p.pk not in done for p in prerequisites):
            continue
        reasons = []
        if level in module.levels:
            reasons.append(
                _("It is meant for your entrepreneurship level (%(level)s).") % {"level": level_label}
            )
        if module.required_for_zzp:
            if wants_zzp:
                reasons.append(_("You asked for the ZZP variant, and HR can only approve it once you completed this module."))
            else:
                reasons.append(_("It is required for the ZZP variant."))
        if prerequisites:
            reasons.append(
                _("You completed what it builds on: %(modules)s.")
                % {"modules": ", ".join(p.title for p in prerequisites)}
            )
        result.append(Recommendation(module=module, reasons=reasons))
    result.sort(key=lambda r: not (r.module.required_for_zzp and wants_zzp))
    return result
