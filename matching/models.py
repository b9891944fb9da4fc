"""Matching: suggestions (a member × an assignment, with a score and the
reasons for it), the training an assignment asks for, saved searches and
e-mail preferences.

How a score comes about is in ``matching/scoring.py``; the tables only that
SQL reads (skill pairs of members and assignments, bit positions) are made
by ``migrations/0002_scoring_tables.py``.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Assignment
from members.models import MemberProfile

class Suggestion(models.Model):
    """A published assignment that fits a member, as the matching jobs see
    it. ``reasons`` is a list of ``{"code": ..., numbers...}`` that
    ``matching.reasons`` renders as text. A dismissed suggestion stays (with
    its ``dismissed_at``) so a recompute never brings it back."""

    # No index of its own: the unique (member, assignment) index leads with it.
    member = models.ForeignKey(
        MemberProfile, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("member"),
        db_index=False,
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("assignment")
    )
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(100)])
    reasons = models.JSONField(_("reasons"), default=list)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("suggested at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-score", "assignment_id"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [
            models.UniqueConstraint(fields=["member", "assignment"], name="matching_suggestion_once"),
            models.CheckConstraint(condition=Q(score__lte=100), name="matching_suggestion_score_range"),
        ]
        indexes = [
            # The few dismissed pairs, which the jobs leave out. (A member's
            # list reads the unique index; an assignment's the FK index.)
            models.Index(
                fields=["member", "assignment"], name="matching_sugg_dismissed",
                condition=Q(dismissed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.member} ↔ {self.assignment} ({self.score})"


class AssignmentTraining(models.Model):
    """A training module the coordinators of an assignment ask for (part of
    the match score: completed modules count)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="asked_training", verbose_name=_("assignment")
    )
    module = models.ForeignKey(
        "training.Module", on_delete=models.CASCADE, related_name="asked_by", verbose_name=_("training module")
    )

    class Meta:
        verbose_name = _("training asked for")
        verbose_name_plural = _("training asked for")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "module"], name="matching_assignmenttraining_once"),
        ]

    def __str__(self):
        return f"{self.assignment} · {self.module}"


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly (on Monday)")


class SavedSearch(models.Model):
    """The filters of the assignment list, saved with an alert: new
    assignments that match come in the member's digest e-mail."""

    member = models.ForeignKey(
        MemberProfile, on_delete=models.CASCADE, related_name="saved_searches", verbose_name=_("member")
    )
    name = models.CharField(_("name"), max_length=100)
    # The assignment list's query string as a dict of lists (QueryDict.lists()).
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    frequency = models.CharField(
        _("alert"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    alert = models.BooleanField(_("send e-mail alerts"), default=True)
    last_sent_at = models.DateTimeField(_("last alert"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [
            models.UniqueConstraint(fields=["member", "name"], name="matching_savedsearch_name_once"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("matching:saved_search_edit", kwargs={"pk": self.pk})


class EmailPreference(models.Model):
    """Which of the matching e-mails a member wants and how often. Members
    without a row get the defaults (a weekly digest with both kinds)."""

    class DigestFrequency(models.TextChoices):
        NONE = "none", _("Never")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (on Monday)")

    member = models.OneToOneField(
        MemberProfile, on_delete=models.CASCADE, related_name="email_preference", verbose_name=_("member")
    )
    digest_frequency = models.CharField(
        _("digest of recommended assignments"), max_length=10, choices=DigestFrequency.choices,
        default=DigestFrequency.WEEKLY,
    )
    saved_search_alerts = models.BooleanField(
        _("alerts for my saved searches"), default=True,
        help_text=_("New assignments matching a saved search, at the frequency you chose for that search."),
    )
    digest_sent_at = models.DateTimeField(_("last digest"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self):
        return f"{self.member} · {self.get_digest_frequency_display()}"
