"""The .ics files parse with the icalendar package and hold the right
Amsterdam times, in summer (CEST, UTC+2) and in winter (CET, UTC+1); the
personal feed answers only to its current token."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.factories import EnrolmentFactory, ModuleFactory, SessionFactory
from training import services
from training.models import CalendarFeed, Enrolment

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = ZoneInfo("UTC")
YEAR = timezone.localdate().year + 1
SUMMER = datetime(YEAR, 7, 15, 9, 30, tzinfo=AMSTERDAM)
WINTER = datetime(YEAR, 1, 14, 14, 0, tzinfo=AMSTERDAM)
TEAMS = "https://teams.example.nl/zpp-talent"


def session_at(start, hours=3, **kwargs):
    return SessionFactory(
        starts_at=start, ends_at=start + timedelta(hours=hours),
        enrolment_deadline=start - timedelta(days=7), **kwargs,
    )


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_session_ics_in_summer_time(client_for, member_a):
    session = session_at(SUMMER, module=ModuleFactory(title="Ontdek je talent"), location="Provinciehuis")
    calendar = parse(client_for(member_a).get(reverse("training:session_ics", args=[session.pk])))
    (event,) = calendar.events
    assert str(event["SUMMARY"]) == "Ontdek je talent"
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (start.year, start.month, start.day, start.hour, start.minute) == (YEAR, 7, 15, 9, 30)
    assert start.utcoffset() == timedelta(hours=2)
    assert start.astimezone(UTC).hour == 7 and end.astimezone(UTC).hour == 10
    assert end - start == timedelta(hours=3)
    assert str(event["LOCATION"]) == "Provinciehuis"
    assert str(event["UID"]).startswith(f"training-session-{session.pk}@")
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Amsterdam"]
    assert "attachment" in client_for(member_a).get(
        reverse("training:session_ics", args=[session.pk])
    )["Content-Disposition"]


def test_session_ics_in_winter_time(client_for, member_b):
    session = session_at(WINTER, hours=2)
    (event,) = parse(client_for(member_b).get(reverse("training:session_ics", args=[session.pk]))).events
    start = event.decoded("DTSTART")
    assert start == WINTER
    assert (start.hour, start.minute) == (14, 0)
    assert start.utcoffset() == timedelta(hours=1)
    assert start.astimezone(UTC).hour == 13
    assert event.decoded("DTEND").astimezone(UTC).hour == 15


def test_the_online_link_only_for_people_with_a_seat(client_for, member_a, member_b):
    session = session_at(SUMMER, location="", online_url=TEAMS)
    EnrolmentFactory(session=session, member=member_a.profile)
    url = reverse("training:session_ics", args=[session.pk])
    (seated,) = parse(client_for(member_a).get(url)).events
    (other,) = parse(client_for(member_b).get(url)).events
    assert str(seated["URL"]) == TEAMS and TEAMS in str(seated["DESCRIPTION"])
    assert TEAMS not in other.to_ical().decode()
    assert str(other["URL"]).endswith(session.get_absolute_url())


def test_the_personal_feed_holds_my_sessions_with_their_status(client, member_a, member_b, training_coordinator):
    profile = member_a.profile
    member_a.language = "en"  # the feed speaks the member's language
    member_a.save(update_fields=["language"])
    seated = session_at(SUMMER, module=ModuleFactory(title="Netwerken en acquisitie"))
    queued = session_at(WINTER, module=ModuleFactory(title="Pitchen"), capacity=1)
    called_off = session_at(SUMMER + timedelta(days=7), module=ModuleFactory(title="Financiën voor de zzp'er"))
    left = session_at(SUMMER + timedelta(days=14), module=ModuleFactory(title="Juridische aspecten ZPP/ZZP"))
    someone_elses = session_at(SUMMER + timedelta(days=21), module=ModuleFactory(title="Niet van mij"))

    services.enrolment_create(actor=member_a, session=seated)
    services.enrolment_create(actor=member_b, session=queued)
    services.enrolment_create(actor=member_a, session=queued)  # full: waiting
    services.enrolment_create(actor=member_a, session=called_off)
    services.session_cancel(actor=training_coordinator, session=called_off, reason="Trainer ziek")
    services.enrolment_cancel(actor=member_a, enrolment=services.enrolment_create(actor=member_a, session=left))
    services.enrolment_create(actor=member_b, session=someone_elses)
    feed = services.calendar_feed_regenerate(actor=member_a)

    calendar = parse(client.get(reverse("training:calendar_feed", args=[feed.token])))  # not logged in
    events = {str(e["SUMMARY"]): e for e in calendar.events}
    assert set(events) == {
        "Netwerken en acquisitie", "Pitchen (waiting list)", "Financiën voor de zzp'er",
    }
    assert str(events["Netwerken en acquisitie"]["STATUS"]) == "CONFIRMED"
    assert str(events["Pitchen (waiting list)"]["STATUS"]) == "TENTATIVE"
    assert str(events["Financiën voor de zzp'er"]["STATUS"]) == "CANCELLED"
    assert events["Netwerken en acquisitie"].decoded("DTSTART") == SUMMER
    assert events["Netwerken en acquisitie"].decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert events["Pitchen (waiting list)"].decoded("DTSTART") == WINTER
    assert events["Pitchen (waiting list)"].decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert all(e["DTSTART"].params["TZID"] == "Europe/Amsterdam" for e in events.values())
    assert Enrolment.objects.filter(member=profile).count() == 4  # the one left is not in the feed


@pytest.mark.parametrize("token", ["wrong", "x" * 43, "a-b_c"])
def test_the_feed_refuses_a_wrong_token(client, member_a, token):
    services.calendar_feed_regenerate(actor=member_a)
    assert client.get(reverse("training:calendar_feed", args=[token])).status_code == 404


def test_a_replaced_or_switched_off_token_is_refused(client, member_a, client_for):
    old = services.calendar_feed_regenerate(actor=member_a).token
    member = client_for(member_a)
    assert member.post(reverse("training:calendar_feed_regenerate")).status_code == 302
    new = CalendarFeed.objects.get(member=member_a.profile).token
    assert new != old
    assert client.get(reverse("training:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("training:calendar_feed", args=[new])).status_code == 200
    # The page shows the new address.
    assert new in member.get(reverse("training:my_training")).content.decode()

    assert member.post(reverse("training:calendar_feed_revoke")).status_code == 302
    assert not CalendarFeed.objects.exists()
    assert client.get(reverse("training:calendar_feed", args=[new])).status_code == 404
