"""Hours: the member's week grid (enter, correct, submit) and the hiring
organisation's coordinator approving or rejecting a submitted week."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from invoicing import selectors, services
from invoicing.forms import MonthSubmitForm, ReasonForm, WeekRowForm
from invoicing.models import Timesheet
from marketplace import selectors as marketplace_selectors
from members.errors import DomainError
from members.models import MemberProfile
from members.roles import require, roles_of
from members.viewhelpers import form_error, paginate

SUBMITTABLE = (Timesheet.Status.DRAFT, Timesheet.Status.REJECTED)


# --- Helpers ---------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _monday(year: int | None, week: int | None) -> date:
    """The Monday of ISO week ``year``-W``week`` (this week without them);
    a week that does not exist is a 404."""
    if year is None:
        return monday_of(timezone.localdate())
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise Http404 from None


def week_url(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return reverse("invoicing:week_of", kwargs={"year": year, "week": week})


def _own_profile(request) -> MemberProfile:
    """Hours are the member's own: other roles have no week grid (403)."""
    require(roles_of(request.user).is_member)
    profile = MemberProfile.objects.select_related("home_organisation").filter(user=request.user).first()
    if profile is None:
        raise Http404
    return profile


@dataclass
class Cell:
    day: date
    hours: object = None  # the bound field, or None when locked / outside the engagement
    description: object = None
    entry: object = None
    in_period: bool = True


@dataclass
class Row:
    engagement: object
    timesheet: Timesheet | None
    form: WeekRowForm | None  # None when the week is locked for this engagement
    cells: list[Cell] = field(default_factory=list)
    total: Decimal = Decimal("0")


def _rows(request, profile, days, data=None) -> list[Row]:
    """One row per engagement of the member that runs during the week."""
    monday, sunday = days[0], days[-1]
    engagements = (
        marketplace_selectors.engagements_visible_to(request.user)
        .filter(member=profile, start_date__lte=sunday, end_date__gte=monday)
        .order_by("start_date", "pk")
    )
    timesheets = {
        t.engagement_id: t
        for t in selectors.timesheets_visible_to(request.user)
        .filter(engagement__member=profile, week_start=monday)
        .prefetch_related("entries")
    }
    rows = []
    for engagement in engagements:
        timesheet = timesheets.get(engagement.pk)
        entries = {e.date: e for e in timesheet.entries.all()} if timesheet else {}
        form = None
        if not (timesheet and timesheet.is_locked):
            form = WeekRowForm(
                data, prefix=f"e{engagement.pk}", engagement=engagement, days=days, entries=entries.values()
            )
        row = Row(engagement=engagement, timesheet=timesheet, form=form)
        for day in days:
            cell = Cell(day=day, entry=entries.get(day), in_period=engagement.start_date <= day <= engagement.end_date)
            if form is not None and cell.in_period:
                cell.hours = form[f"hours_{day.isoformat()}"]
                cell.description = form[f"description_{day.isoformat()}"]
            row.cells.append(cell)
        row.total = sum((e.hours for e in entries.values()), Decimal("0"))
        rows.append(row)
    return rows


class _Refused(Exception):
    """Leaves the week's transaction so nothing of it is saved."""


def _save_week(request, rows: list[Row], monday: date) -> bool:
    """Save every editable row at once; any refusal saves nothing and puts
    the message at the cell (or on top) of the row concerned."""
    refused = False
    try:
        with transaction.atomic():
            for row in rows:
                if row.form is None or (row.timesheet is None and not row.form.has_hours()):
                    continue
                try:
                    services.week_save(
                        actor=request.user, engagement=row.engagement, week_start=monday,
                        days=row.form.days_data(),
                    )
                except DomainError as error:
                    form_error(row.form, error)
                    refused = True
            if refused:
                raise _Refused
    except _Refused:
        return False
    return True


def _release_hours(profile: MemberProfile, monday: date) -> Decimal | None:
    """The weekly budget ``week_save`` checks the week's total against."""
    release = services.release_for_week(profile, monday)
    return release.hours_per_week if release else None


# --- The member's week -------------------------------------------------------------


@login_required
def week(request, year=None, week=None):
    profile = _own_profile(request)
    monday = _monday(year, week)
    days = [monday + timedelta(days=i) for i in range(7)]
    rows = _rows(request, profile, days, request.POST if request.method == "POST" else None)
    editable = [row for row in rows if row.form is not None]
    if request.method == "POST":
        if not editable:
            messages.error(request, _("This week has been submitted or approved; its hours cannot be changed any more."))
            return redirect(week_url(monday))
        valid = [row.form.is_valid() for row in editable]  # validate every row, not only up to the first bad one
        if all(valid) and _save_week(request, editable, monday):
            messages.success(
                request, _("Your hours for week %(week)s were saved.") % {"week": monday.isocalendar()[1]}
            )
            return redirect(week_url(monday))
        messages.error(request, _("Nothing was saved: please correct the hours marked below."))

    week_total = sum((row.total for row in rows), Decimal("0"))
    day_totals = [
        sum((row.cells[i].entry.hours for row in rows if row.cells[i].entry), Decimal("0")) for i in range(7)
    ]
    thursday = monday + timedelta(days=3)  # the ISO week's month is the month of its Thursday
    return render(
        request,
        "invoicing/hours/week.html",
        {
            "monday": monday,
            "sunday": days[-1],
            "week_number": monday.isocalendar()[1],
            "days": days,
            "today": timezone.localdate(),
            "rows": rows,
            "editable": bool(editable),
            "errors_on_top": [e for row in editable for e in row.form.non_field_errors()],
            "week_total": week_total,
            "day_totals": day_totals,
            "release_hours": _release_hours(profile, monday),
            "can_submit": any(r.timesheet and r.timesheet.status in SUBMITTABLE and r.total for r in rows),
            "previous_url": week_url(monday - timedelta(days=7)),
            "next_url": week_url(monday + timedelta(days=7)),
            "this_week_url": week_url(monday_of(timezone.localdate())),
            "is_this_week": monday == monday_of(timezone.localdate()),
            "month": thursday.replace(day=1),
            "has_zzp": any(row.engagement.issuer_is_member for row in rows),
        },
    )


@login_required
@require_POST
def week_submit(request, year, week):
    """Submit every draft or rejected timesheet of the week that has hours."""
    profile = _own_profile(request)
    monday = _monday(year, week)
    timesheets = (
        selectors.timesheets_visible_to(request.user)
        .filter(engagement__member=profile, week_start=monday, status__in=SUBMITTABLE, entries__isnull=False)
        .distinct()
    )
    submitted = 0
    for timesheet in timesheets:
        try:
            services.timesheet_submit(actor=request.user, timesheet=timesheet)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            submitted += 1
    if submitted:
        messages.success(
            request, _("Week %(week)s was submitted for approval.") % {"week": monday.isocalendar()[1]}
        )
    elif not timesheets:
        messages.info(request, _("There are no hours to submit in this week."))
    return redirect(week_url(monday))


@login_required
@require_POST
def month_submit(request):
    profile = _own_profile(request)
    form = MonthSubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the month to submit."))
        return redirect("invoicing:week")
    month = form.cleaned_data["month"]
    try:
        submitted = services.month_submit(actor=request.user, member=profile, year=month.year, month=month.month)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Your hours of %(month)s were submitted for approval (%(count)s weeks).")
            % {"month": formats.date_format(month, "YEAR_MONTH_FORMAT"), "count": len(submitted)}
        )
    # Back to the month's first ISO week (the one holding its first Thursday).
    return redirect(week_url(monday_of(month + timedelta(days=3))))


# --- One timesheet, and the coordinator's approval ------------------------------------


def _visible_timesheet(request, pk) -> Timesheet:
    return get_object_or_404(selectors.timesheets_visible_to(request.user), pk=pk)


def _decidable_timesheet(request, pk) -> Timesheet:
    """Visible to the person; deciding is for the hiring organisation's
    coordinators (403 for the member, HR and read-only roles)."""
    timesheet = _visible_timesheet(request, pk)
    require(selectors.is_timesheet_decider(request.user, timesheet))
    return timesheet


@login_required
def timesheet_detail(request, pk):
    timesheet = _visible_timesheet(request, pk)
    entries = list(timesheet.entries.all())
    return render(
        request,
        "invoicing/hours/timesheet_detail.html",
        {
            "timesheet": timesheet,
            "engagement": timesheet.engagement,
            "entries": entries,
            "total": sum((e.hours for e in entries), Decimal("0")),
            "week_number": timesheet.week_start.isocalendar()[1],
            "week_end": timesheet.week_start + timedelta(days=6),
            "is_member": timesheet.engagement.member.user_id == request.user.pk,
            "can_decide": selectors.can_decide_timesheet(request.user, timesheet),
            "week_url": week_url(timesheet.week_start),
        },
    )


@login_required
def approval_queue(request):
    roles = roles_of(request.user)
    require(roles.is_coordinator or roles.admin)
    timesheets = selectors.approval_queue_for(request.user).prefetch_related("entries")
    page = paginate(request, timesheets, 20)
    for timesheet in page.object_list:
        timesheet.week_end = timesheet.week_start + timedelta(days=6)
    return render(request, "invoicing/hours/approval_queue.html", {"page": page})


@login_required
@require_POST
def timesheet_approve(request, pk):
    timesheet = _decidable_timesheet(request, pk)
    try:
        services.timesheet_approve(actor=request.user, timesheet=timesheet)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The hours of %(member)s for week %(week)s were approved.")
            % {"member": timesheet.engagement.member, "week": timesheet.week_start.isocalendar()[1]}
        )
    return redirect("invoicing:approval_queue")


@login_required
def timesheet_reject(request, pk):
    timesheet = _decidable_timesheet(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.timesheet_reject(actor=request.user, timesheet=timesheet, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("The hours were sent back to %(member)s to correct.") % {"member": timesheet.engagement.member}
            )
            return redirect("invoicing:approval_queue")
    return render(
        request,
        "invoicing/hours/timesheet_reject.html",
        {"timesheet": timesheet, "form": form, "week_number": timesheet.week_start.isocalendar()[1]},
    )
