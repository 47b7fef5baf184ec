"""A user's critical dates as an iCalendar feed (RFC 5545, icalendar): one all-day event per date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from backend.core.domain.errors import N_

Translate = Callable[[str], str]


def render_ics(
    dates: Sequence[Any], kind_name: Callable[[Any], str], translate: Translate, now: datetime
) -> bytes:
    """The feed: each date an all-day event whose UID stays the same while the date does (calendar apps
    then update rather than duplicate it), titled with its kind and lease in the owner's language."""
    calendar = Calendar()
    calendar.add("prodid", "-//LeaseKeeper//Critical dates//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", translate(N_("LeaseKeeper critical dates")))
    for item in dates:
        critical = item.date
        event = Event()
        identity = critical.manual_id if critical.manual_id is not None else critical.on.isoformat()
        event.add("uid", f"{critical.kind.value}-{critical.lease_id}-{identity}@leasekeeper")
        title = f"{translate(kind_name(critical.kind))} · {item.lease_number}"
        event.add("summary", f"{title} · {critical.label}" if critical.label else title)
        event.add("description", f"{item.project_name} — {item.lease_number}")
        event.add("dtstart", critical.on)
        event.add("dtend", critical.on + timedelta(days=1))
        event.add("dtstamp", now)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
