"""iCalendar (RFC 5545) files: one per session, and the member's personal
feed. Times are written as local times in Europe/Amsterdam with a TZID and
the matching VTIMEZONE, so calendars show the right hour in summer and
winter time."""

from datetime import timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from training.models import Enrolment, Session

AMSTERDAM = ZoneInfo(settings.TIME_ZONE)
PRODID = "-//ZPP Brabant//Training//NL"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _uid(session: Session) -> str:
    host = urlparse(settings.SITE_URL).hostname or "zppbrabant.nl"
    return f"training-session-{session.pk}@{host}"


def _description(session: Session, with_link: bool) -> str:
    lines = [session.module.title]
    if session.trainer_label:
        lines.append(_("Trainer: %(name)s") % {"name": session.trainer_label})
    if session.module.provider:
        lines.append(_("Given by: %(provider)s") % {"provider": session.module.provider})
    if session.online_url and with_link:
        lines.append(_("Online: %(url)s") % {"url": session.online_url})
    if session.is_cancelled:
        lines.append(_("Cancelled: %(reason)s") % {"reason": session.cancelled_reason})
    lines.append(settings.SITE_URL + session.get_absolute_url())
    return "\n".join(lines)


def session_event(session: Session, *, waiting: bool = False, with_link: bool = True) -> Event:
    """``with_link``: the online meeting link is for the people with a
    seat (and those who run the session), not for the whole network."""
    event = Event()
    event.add("uid", _uid(session))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", session.updated_at)
    event.add("dtstart", session.starts_at.astimezone(AMSTERDAM))
    event.add("dtend", session.ends_at.astimezone(AMSTERDAM))
    summary = session.module.title
    if waiting:
        summary = _("%(module)s (waiting list)") % {"module": summary}
    event.add("summary", summary)
    link = session.online_url if with_link else ""
    event.add("location", session.location or link or _("Online"))
    event.add("url", link or settings.SITE_URL + session.get_absolute_url())
    event.add("description", _description(session, with_link))
    if session.is_cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "TENTATIVE" if waiting else "CONFIRMED")
    return event


def _calendar(events: list[Event], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for event in events:
        calendar.add_component(event)
    if events:
        starts = [event.decoded("dtstart").date() for event in events]
        calendar.add_missing_timezones(
            first_date=min(starts) - timedelta(days=366), last_date=max(starts) + timedelta(days=366)
        )
    return calendar.to_ical()


def session_calendar(session: Session, *, with_link: bool) -> bytes:
    return _calendar([session_event(session, with_link=with_link)], session.module.title)


def feed_calendar(enrolments) -> bytes:
    """The member's sessions: seats (confirmed), waiting-list places
    (tentative) and sessions the organiser called off (cancelled)."""
    events = [
        session_event(
            enrolment.session,
            waiting=enrolment.status == Enrolment.Status.WAITING,
            with_link=enrolment.status in Enrolment.SEATED_STATUSES,
        )
        for enrolment in enrolments
    ]
    return _calendar(events, _("My training · ZPP Brabant"))
