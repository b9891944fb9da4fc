"""Training: modules, their sessions, enrolments with a waiting list, and
verified completions.

A completion only ever comes from attendance marked by the session's trainer
or a training coordinator, so what a profile shows is verified, not
self-declared. Enrolment rows are never deleted: a cancellation is a status,
and enrolling again after cancelling makes a new row.
"""

import secrets

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import MemberProfile, Organisation, User

LEVELS = MemberProfile.EntrepreneurshipLevel


class Module(models.Model):
    class Track(models.TextChoices):
        TALENT = "talent", _("Talent")
        NETWORKING_ACQUISITION = "networking_acquisition", _("Networking and acquisition")
        LEGAL = "legal", _("Legal")
        FINANCIAL = "financial", _("Financial")
        TAX = "tax", _("Tax")

    class Level(models.TextChoices):
        BASIC = "basic", _("Basic")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    title = models.CharField(_("title"), max_length=200, unique=True)
    track = models.CharField(_("track"), max_length=30, choices=Track.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BASIC)
    description = models.TextField(_("description"), max_length=5000)
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(0.5)],
    )
    provider_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="training_modules",
        verbose_name=_("provided by (organisation)"),
    )
    provider_name = models.CharField(
        _("provided by (external body)"), max_length=200, blank=True,
        help_text=_("For example the Belastingdienst, when no participating organisation gives it."),
    )
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks", verbose_name=_("prerequisites"),
    )
    levels = ArrayField(
        models.CharField(max_length=20, choices=LEVELS.choices),
        verbose_name=_("meant for entrepreneurship levels"),
    )
    required_for_zzp = models.BooleanField(
        _("required for the ZZP variant"), default=False,
        help_text=_("HR can approve a ZZP release only after the member completed this module."),
    )
    active = models.BooleanField(
        _("in the catalogue"), default=True,
        help_text=_("Switch off to hide the module from members without losing its history."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["track", "level", "title"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        constraints = [
            models.CheckConstraint(
                condition=Q(provider_organisation__isnull=False) | ~Q(provider_name=""),
                name="training_module_has_provider",
                violation_error_message=_("Choose the organisation that gives this module, or name the external body."),
            ),
            models.CheckConstraint(condition=~Q(levels=[]), name="training_module_has_levels",
                violation_error_message=_("Choose at least one entrepreneurship level."),
            ),
            models.CheckConstraint(
                condition=Q(levels__contained_by=LEVELS.values), name="training_module_known_levels"
            ),
            models.CheckConstraint(condition=Q(duration_hours__gt=0), name="training_module_duration_positive"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:module_detail", kwargs={"pk": self.pk})

    @property
    def provider(self) -> str:
        """Who gives it: the organisation, or the external body by name."""
        return self.provider_organisation.name if self.provider_organisation_id else self.provider_name

    @property
    def level_labels(self) -> list[str]:
        return [str(LEVELS(value).label) for value in self.levels if value in LEVELS.values]


class Session(models.Model):
    """One time a module is given: a date, a place or link, a trainer and a
    number of seats."""

    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("module")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    trainer = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="training_sessions_given",
        verbose_name=_("trainer's account"),
    )
    trainer_name = models.CharField(_("trainer"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), validators=[MinValueValidator(1)])
    enrolment_deadline = models.DateTimeField(_("enrol or cancel before"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_reason = models.TextField(_("reason for cancelling"), max_length=2000, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="training_session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(enrolment_deadline__lte=F("starts_at")), name="training_session_deadline_before_start",
                violation_error_message=_("The enrolment deadline must be before the session starts."),
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_session_capacity_positive"),
            models.CheckConstraint(
                condition=~Q(location="") | ~Q(online_url=""), name="training_session_has_place",
                violation_error_message=_("Give a location, an online link, or both."),
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancelled_reason=""),
                name="training_session_cancel_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="training_session_starts")]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.module} · {local:%d-%m-%Y %H:%M}"

    def get_absolute_url(self):
        return reverse("training:session_detail", kwargs={"pk": self.pk})

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def deadline_passed(self) -> bool:
        return self.enrolment_deadline < timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def trainer_label(self) -> str:
        if self.trainer_name:
            return self.trainer_name
        return str(self.trainer) if self.trainer_id else ""


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not attend")

    # Statuses that hold a place (or a place in the queue) in the session.
    ACTIVE_STATUSES = (Status.ENROLLED, Status.WAITING, Status.ATTENDED, Status.NO_SHOW)
    # Statuses that take one of the session's seats.
    SEATED_STATUSES = (Status.ENROLLED, Status.ATTENDED, Status.NO_SHOW)

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("session")
    )
    member = models.ForeignKey(
        MemberProfile, on_delete=models.CASCADE, related_name="training_enrolments", verbose_name=_("member")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # Place in the queue, handed out under the session's lock in arrival
    # order and never reused; set only while waiting.
    waitlist_position = models.PositiveIntegerField(_("waiting list number"), null=True, blank=True)
    created_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("moved up from the waiting list at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attendance_marked_at = models.DateTimeField(_("attendance marked at"), null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("attendance marked by"),
    )

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=Q(status__in=["enrolled", "waiting", "attended", "no_show"]),
                name="training_enrolment_one_active_per_member",
            ),
            models.UniqueConstraint(
                fields=["session", "waitlist_position"], name="training_enrolment_unique_waitlist_position"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="waiting", waitlist_position__isnull=False)
                    | (~Q(status="waiting") & Q(waitlist_position__isnull=True))
                ),
                name="training_enrolment_position_only_when_waiting",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False) | ~Q(status="cancelled"),
                name="training_enrolment_cancel_recorded",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"], name="training_enrolment_status")]

    def __str__(self):
        return f"{self.member} · {self.session}"

    @property
    def badge(self) -> str:
        """The site's badge colour for the status (green, amber, red)."""
        return {
            self.Status.ENROLLED: "approved",
            self.Status.ATTENDED: "accepted",
            self.Status.WAITING: "requested",
            self.Status.CANCELLED: "cancelled",
            self.Status.NO_SHOW: "rejected",
        }[self.status]


def new_verification_code() -> str:
    """Twelve characters from an alphabet without look-alikes (no 0/O, 1/I)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Completion(models.Model):
    """A module a member completed, recorded when their attendance was
    marked. One per member and module."""

    member = models.ForeignKey(
        MemberProfile, on_delete=models.CASCADE, related_name="training_completions", verbose_name=_("member")
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="completions", verbose_name=_("module")
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="completions",
        verbose_name=_("session"),
    )
    completed_on = models.DateField(_("completed on"))
    verified_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("verified by"),
    )
    verification_code = models.CharField(
        _("verification code"), max_length=12, unique=True, default=new_verification_code, editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "pk"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint(fields=["member", "module"], name="training_completion_once_per_module"),
        ]

    def __str__(self):
        return f"{self.member} · {self.module}"

    def get_certificate_url(self):
        return reverse("training:certificate", kwargs={"pk": self.pk})


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's personal calendar feed. The URL carries the token, so
    anyone with it can read the feed: the member can replace the token
    (the old URL stops working) or switch the feed off."""

    member = models.OneToOneField(
        MemberProfile, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("member")
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.member)

    def get_absolute_url(self):
        return reverse("training:calendar_feed", kwargs={"token": self.token})
