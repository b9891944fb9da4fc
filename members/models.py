from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from members.validators import (
    RELEASE_DAY_CHOICES,
    validate_iban,
    validate_kvk,
    validate_oin,
    validate_release_days,
    validate_vat_number,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. Logs in with e-mail; roles come from ``Membership`` rows."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email


class Organisation(models.Model):
    class Kind(models.TextChoices):
        GEMEENTE = "gemeente", _("Municipality")
        PROVINCIE = "provincie", _("Province")
        WATERSCHAP = "waterschap", _("Water board")
        OMGEVINGSDIENST = "omgevingsdienst", _("Environmental service")
        OTHER = "other", _("Other public body")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, validators=[validate_kvk]
    )
    oin = models.CharField(
        _("OIN"), max_length=20, validators=[validate_oin],
        help_text=_("Organisation identification number, 20 digits."),
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=14, validators=[validate_vat_number]
    )
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    invoice_email = models.EmailField(_("invoice e-mail address"))
    zpp_hourly_rate = models.DecimalField(
        _("standard ZPP hourly rate"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("In euros, excluding VAT."),
    )
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(zpp_hourly_rate__gt=0),
                name="members_organisation_rate_positive",
            ),
            models.CheckConstraint(
                condition=Q(kvk_number__regex=r"^\d{8}$"),
                name="members_organisation_kvk_8_digits",
            ),
            models.CheckConstraint(
                condition=Q(oin__regex=r"^\d{20}$"),
                name="members_organisation_oin_20_digits",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:organisation_detail", kwargs={"slug": self.slug})


class Membership(models.Model):
    """A role a person holds, tied to an organisation (the programme manager
    role is province-wide and has none)."""

    class Role(models.TextChoices):
        MEMBER = "member", _("ZPP member")
        COORDINATOR = "coordinator", _("Coordinator")
        HR = "hr", _("HR")
        PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
        # Province-wide, like the programme manager: the people of the
        # provincial mobility centre who run the training programme.
        TRAINING_COORDINATOR = "training_coordinator", _("Training coordinator")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                nulls_distinct=False,
                name="members_membership_unique_role",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role__in=["programme_manager", "training_coordinator"], organisation__isnull=True)
                    | (
                        ~Q(role__in=["programme_manager", "training_coordinator"])
                        & Q(organisation__isnull=False)
                    )
                ),
                name="members_membership_organisation_matches_role",
            ),
            # A ZPP member has exactly one home organisation.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role="member"),
                name="members_membership_one_home_organisation",
            ),
        ]

    def __str__(self):
        where = self.organisation or _("all organisations")
        return f"{self.user} · {self.get_role_display()} · {where}"


class Skill(models.Model):
    """The shared skills taxonomy."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.CharField(_("category"), max_length=100, blank=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self):
        return self.name


class MemberProfile(models.Model):
    class EntrepreneurshipLevel(models.TextChoices):
        STARTER = "starter", _("Starter")
        EXPERIENCED = "experienced", _("Experienced")
        ENTREPRENEUR = "entrepreneur", _("Entrepreneur")

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("person")
    )
    home_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("home organisation"),
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    bio = models.TextField(_("short bio"), max_length=2000, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="members", verbose_name=_("skills"))
    tags = ArrayField(
        models.CharField(max_length=50), default=list, blank=True, verbose_name=_("free tags")
    )
    core_qualities = ArrayField(
        models.CharField(max_length=50), default=list, blank=True,
        verbose_name=_("core qualities"),
    )
    entrepreneurship_level = models.CharField(
        _("entrepreneurship level"),
        max_length=20,
        choices=EntrepreneurshipLevel.choices,
        default=EntrepreneurshipLevel.STARTER,
    )
    availability_notes = models.CharField(_("availability notes"), max_length=500, blank=True)
    # The ZZP variant: the member's own business and rate.
    own_hourly_rate = models.DecimalField(
        _("own hourly rate (ZZP)"), max_digits=7, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    business_name = models.CharField(_("business name (ZZP)"), max_length=200, blank=True)
    business_kvk = models.CharField(
        _("KvK number of your business"), max_length=8, blank=True, validators=[validate_kvk]
    )
    business_vat = models.CharField(
        _("VAT number of your business"), max_length=14, blank=True,
        validators=[validate_vat_number],
    )
    business_iban = models.CharField(
        _("IBAN of your business"), max_length=34, blank=True, validators=[validate_iban]
    )
    # The seller's address on the member's own ZZP invoices.
    business_street = models.CharField(_("street and number of your business"), max_length=200, blank=True)
    business_postal_code = models.CharField(_("postal code of your business"), max_length=10, blank=True)
    business_city = models.CharField(_("city of your business"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(own_hourly_rate__isnull=True) | Q(own_hourly_rate__gt=0),
                name="members_memberprofile_rate_positive",
            ),
        ]

    def __str__(self):
        return str(self.user)

    def get_absolute_url(self):
        return reverse("members:profile_detail", kwargs={"pk": self.pk})

    @property
    def has_zzp_business(self) -> bool:
        return bool(self.business_kvk and self.business_vat and self.own_hourly_rate)

    def current_release(self, on: date | None = None):
        """The approved release in force on ``on`` (today by default)."""
        on = on or timezone.localdate()
        return (
            self.releases.filter(
                status=Release.Status.APPROVED, start_date__lte=on, end_date__gte=on
            )
            .order_by("-start_date")
            .first()
        )

    def hourly_rate_for(self, variant: str) -> Decimal | None:
        if variant == Release.Variant.ZZP:
            return self.own_hourly_rate
        return self.home_organisation.zpp_hourly_rate


class Release(models.Model):
    """Days per week a member's home organisation releases them for ZPP work.

    Requested by the member, approved or rejected by HR of the home
    organisation. Only an approved release whose period includes today makes a
    member available. Rows are never deleted: they are the history.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting HR")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Variant(models.TextChoices):
        ZPP = "zpp", _("ZPP (stay employed, home organisation invoices)")
        ZZP = "zzp", _("ZZP (own business, own rate, own invoices)")

    member = models.ForeignKey(
        MemberProfile, on_delete=models.CASCADE, related_name="releases", verbose_name=_("member")
    )
    days_per_week = models.DecimalField(
        _("released days per week"),
        max_digits=2,
        decimal_places=1,
        validators=[validate_release_days],
    )
    variant = models.CharField(_("variant"), max_length=3, choices=Variant.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    motivation = models.TextField(_("explanation for HR"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-start_date", "-requested_at"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [
            models.CheckConstraint(
                condition=Q(days_per_week__in=RELEASE_DAY_CHOICES),
                name="members_release_days_in_half_steps",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="members_release_end_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["requested", "withdrawn"], decided_at__isnull=True)
                    | Q(status__in=["approved", "rejected"], decided_at__isnull=False)
                ),
                name="members_release_decision_recorded",
            ),
        ]
        indexes = [models.Index(fields=["status", "start_date", "end_date"])]

    def __str__(self):
        return _("%(days)s days/week %(variant)s, %(start)s – %(end)s") % {
            "days": formats.number_format(self.days_per_week.normalize(), use_l10n=True),
            "variant": self.variant.upper(),
            "start": formats.date_format(self.start_date, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(self.end_date, "SHORT_DATE_FORMAT"),
        }

    def get_absolute_url(self):
        return reverse("members:release_detail", kwargs={"pk": self.pk})

    @property
    def hours_per_week(self) -> Decimal:
        return self.days_per_week * settings.HOURS_PER_RELEASED_DAY

    def is_current(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.status == self.Status.APPROVED and self.start_date <= on <= self.end_date


class Invitation(models.Model):
    """A one-time link that lets a person join an organisation in a role."""

    email = models.EmailField(_("e-mail address"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=20,
        choices=[c for c in Membership.Role.choices if c[0] != "programme_manager"],
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "organisation", "role",
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="members_invitation_one_open_per_role",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at < timezone.now():
            return "expired"
        return "open"

    @property
    def status_label(self) -> str:
        return {
            "accepted": _("Accepted"),
            "revoked": _("Revoked"),
            "expired": _("Expired"),
            "open": _("Open"),
        }[self.status]


class AuditEntry(models.Model):
    """Who did what, when. Written by service functions in the same
    transaction as the change itself; never edited."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by (as recorded)"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("organisation"),
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"


class Notification(models.Model):
    """An in-app message ("notificatie"); most also go out by e-mail."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="members_notification_unread")]

    def __str__(self):
        return self.message


class ErasureRequest(models.Model):
    """A person's request to be forgotten (AVG art. 17). Carried out by an
    admin with ``members.privacy.erase_person``: what the law makes us keep
    (invoices and the hours behind them, 7 years) stays, anonymised; the rest
    is removed."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        DONE = "done", _("Carried out")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="erasure_requests", verbose_name=_("person")
    )
    user_label = models.CharField(_("person (as requested)"), max_length=300)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.JSONField(_("what was done"), default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="requested"), name="members_erasure_one_open_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.user_label} · {self.get_status_display()}"


class PendingTask(models.Model):
    """Background work that could not be handed to Celery because the broker
    (Redis) was down. ``zppbrabant.queue.enqueue`` writes it; the
    ``members.tasks.flush_pending_tasks`` job (and the next successful
    enqueue) sends it on when Redis is back, so nothing is lost silently."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pending background task")
        verbose_name_plural = _("pending background tasks")

    def __str__(self):
        return f"{self.task_name}{tuple(self.args)}"
