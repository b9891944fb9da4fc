from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import MemberProfile, Organisation, Release, Skill

MAX_INTERNAL_FIRST_DAYS = 5


class WorkMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    HYBRID = "hybrid", _("Hybrid")
    REMOTE = "remote", _("Remote")


class Source(models.TextChoices):
    """How a member and a piece of work found each other (proactivity)."""

    APPLICATION = "application", _("Own application")
    INVITATION = "invitation", _("Invitation by a coordinator")
    OFFER = "offer", _("Response to the member's offer")
    SUGGESTION = "suggestion", _("Match suggestion")


class Assignment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        FILLED = "filled", _("Filled")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assignments",
        verbose_name=_("hiring organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000)
    required_skills = models.ManyToManyField(
        Skill, blank=True, related_name="required_for", verbose_name=_("required skills")
    )
    nice_skills = models.ManyToManyField(
        Skill, blank=True, related_name="nice_for", verbose_name=_("nice-to-have skills")
    )
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("40"))],
    )
    positions = models.PositiveSmallIntegerField(
        _("number of people"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    place = models.CharField(_("place (municipality)"), max_length=100)
    work_mode = models.CharField(
        _("where"), max_length=10, choices=WorkMode.choices, default=WorkMode.HYBRID
    )
    rate_ceiling = models.DecimalField(
        _("maximum hourly rate for ZZP"), max_digits=7, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("In euros excluding VAT. Leave empty if ZZP'ers are not asked to propose a rate."),
    )
    application_deadline = models.DateField(_("apply before"))
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    internal_first_days = models.PositiveSmallIntegerField(
        _("internal-first window (days)"), default=0,
        validators=[MaxValueValidator(MAX_INTERNAL_FIRST_DAYS)],
        help_text=_("0 (the default): visible to the whole province at once. At most 5 days "
                    "only for your own organisation first; this is shown and counted."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # published_at + internal_first_days: from then on every member of every
    # organisation sees it. Set when publishing.
    province_wide_at = models.DateTimeField(_("visible province-wide from"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            GinIndex(fields=["search_vector"], name="marketplace_assignment_search"),
            models.Index(fields=["status", "-published_at"], name="marketplace_assignment_pub"),
            models.Index(fields=["status", "application_deadline"], name="marketplace_assignment_dl"),
            models.Index(fields=["status", "province_wide_at"], name="marketplace_assignment_vis"),
            # The dashboard counts assignments by publication date per
            # organisation, window and outcome from this index alone.
            models.Index(
                fields=["published_at"], name="marketplace_assignment_dash",
                include=["organisation_id", "internal_first_days", "status", "closed_at", "id"],
            ),
            # An organisation's assignments, index-only (the coordinator's
            # inbox counts their applications through it).
            models.Index(fields=["organisation", "id"], name="marketplace_assignment_org_id"),
            # An organisation's assignments, newest first (the inbox's filter list).
            models.Index(fields=["organisation", "-created_at", "-id"], name="marketplace_assignment_org_new"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=40),
                name="marketplace_assignment_hours_range",
            ),
            models.CheckConstraint(condition=Q(positions__gte=1), name="marketplace_assignment_positions_positive"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="marketplace_assignment_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(rate_ceiling__isnull=True) | Q(rate_ceiling__gt=0),
                name="marketplace_assignment_rate_positive",
            ),
            models.CheckConstraint(
                condition=Q(internal_first_days__lte=MAX_INTERNAL_FIRST_DAYS),
                name="marketplace_assignment_internal_window_short",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False, province_wide_at__isnull=False),
                name="marketplace_assignment_published_at_set",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("marketplace:assignment_detail", kwargs={"pk": self.pk})

    @property
    def in_internal_window(self) -> bool:
        return bool(self.province_wide_at and timezone.now() < self.province_wide_at)

    @property
    def deadline_passed(self) -> bool:
        return self.application_deadline < timezone.localdate()

    @property
    def open_for_applications(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.deadline_passed

    @property
    def weeks(self) -> int:
        return max(1, ((self.end_date - self.start_date).days + 1 + 6) // 7)


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Not selected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.SUBMITTED, Status.SHORTLISTED)

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="applications", verbose_name=_("assignment")
    )
    member = models.ForeignKey(
        MemberProfile, on_delete=models.CASCADE, related_name="applications", verbose_name=_("member")
    )
    motivation = models.TextField(_("motivation"), max_length=5000)
    availability = models.CharField(_("availability"), max_length=500)
    proposed_rate = models.DecimalField(
        _("proposed hourly rate (ZZP)"), max_digits=7, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    rate_note = models.CharField(_("explanation of the rate"), max_length=500, blank=True)
    cv = models.FileField(_("CV or portfolio (PDF)"), upload_to="cv/%Y/%m/", blank=True)
    source = models.CharField(_("came from"), max_length=12, choices=Source.choices, default=Source.APPLICATION)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    decision_message = models.TextField(_("message to the applicant"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "member"], name="marketplace_application_one_per_member"
            ),
            models.CheckConstraint(
                condition=Q(proposed_rate__isnull=True) | Q(proposed_rate__gt=0),
                name="marketplace_application_rate_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["assignment", "status"]),
            # The coordinator's inbox: newest first, read in index order.
            models.Index(fields=["-created_at", "-id"], name="marketplace_application_recent"),
        ]

    def __str__(self):
        return f"{self.member} → {self.assignment}"

    def get_absolute_url(self):
        return reverse("marketplace:application_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Engagement(models.Model):
    """The contract hours are logged against: who works for whom, how many
    hours a week, at what rate, and who invoices."""

    class VatTreatment(models.TextChoices):
        STANDARD = "standard", _("21% VAT")
        EXEMPT = "exempt", _("Exempt from VAT")
        OUT_OF_SCOPE = "out_of_scope", _("Outside the scope of VAT")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="engagements"
    )
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="engagement"
    )
    member = models.ForeignKey(
        MemberProfile, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("member")
    )
    hiring_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="engagements_hiring",
        verbose_name=_("hiring organisation"),
    )
    home_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="engagements_lending",
        verbose_name=_("home organisation"),
    )
    variant = models.CharField(_("variant"), max_length=3, choices=Release.Variant.choices)
    agreed_rate = models.DecimalField(
        _("agreed hourly rate"), max_digits=7, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    vat_treatment = models.CharField(
        _("VAT"), max_length=12, choices=VatTreatment.choices, default=VatTreatment.STANDARD
    )
    vat_exemption_reason = models.CharField(_("legal ground for the VAT exemption"), max_length=300, blank=True)
    source = models.CharField(_("came from"), max_length=12, choices=Source.choices, default=Source.APPLICATION)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints = [
            models.CheckConstraint(condition=Q(agreed_rate__gt=0), name="marketplace_engagement_rate_positive"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=40),
                name="marketplace_engagement_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="marketplace_engagement_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(vat_treatment="standard") | ~Q(vat_exemption_reason=""),
                name="marketplace_engagement_exemption_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.hiring_organisation} · {self.start_date:%d-%m-%Y}"

    def get_absolute_url(self):
        return reverse("marketplace:engagement_detail", kwargs={"pk": self.pk})

    @property
    def issuer_is_member(self) -> bool:
        """ZPP: the home organisation invoices; ZZP: the member's business."""
        return self.variant == Release.Variant.ZZP


class Offer(models.Model):
    """A member marketing themselves: what I can do, from when, for how long."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    member = models.ForeignKey(MemberProfile, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what I offer"), max_length=5000)
    skills = models.ManyToManyField(Skill, blank=True, related_name="offers", verbose_name=_("skills"))
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("40"))],
    )
    available_from = models.DateField(_("available from"))
    available_until = models.DateField(_("available until"))
    work_mode = models.CharField(_("where"), max_length=10, choices=WorkMode.choices, default=WorkMode.HYBRID)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [GinIndex(fields=["search_vector"], name="marketplace_offer_search")]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__gte=F("available_from")),
                name="marketplace_offer_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=40),
                name="marketplace_offer_hours_range",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("marketplace:offer_detail", kwargs={"pk": self.pk})


class AssignmentInvitation(models.Model):
    """A coordinator asks a member to apply (counted as proactive matching)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        APPLIED = "applied", _("Applied")
        DECLINED = "declined", _("Declined")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(MemberProfile, on_delete=models.CASCADE, related_name="assignment_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.INVITATION)
    offer = models.ForeignKey(Offer, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations")
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation to apply")
        verbose_name_plural = _("invitations to apply")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "member"], name="marketplace_assignmentinvitation_once"
            ),
        ]

    def __str__(self):
        return f"{self.member} ← {self.assignment}"
