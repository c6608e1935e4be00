"""A presence plan as an iCalendar file: one event per stop of one group."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

LOCAL_TZ = ZoneInfo("Europe/Stockholm")


def plan_ics(plan: Mapping[str, Any], group_id: str | None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Trygghetskartan//narvaro//SV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Närvaro {plan['week']}")
    for assignment in plan["assignments"]:
        if group_id is not None and assignment["group_id"] != group_id:
            continue
        for stop in assignment["stops"]:
            if "arrival_at" not in stop:
                continue
            event = Event()
            place = stop.get("name") or f"Plats {stop['hotspot_id'][:8]}"
            event.add("uid", f"{plan['id']}-{stop['key']}@trygghetskartan")
            event.add("summary", f"{assignment['group']}: {place}")
            event.add(
                "dtstart", dt.datetime.fromisoformat(stop["arrival_at"]).replace(tzinfo=LOCAL_TZ)
            )
            event.add(
                "dtend", dt.datetime.fromisoformat(stop["departure_at"]).replace(tzinfo=LOCAL_TZ)
            )
            event.add("dtstamp", dt.datetime.now(dt.UTC))
            centre = (plan.get("places") or {}).get(stop["hotspot_id"], {}).get("centre")
            if centre:
                event.add("geo", (float(centre[1]), float(centre[0])))
            event.add("location", place)
            event.add(
                "description",
                f"{assignment['shift']} · lag {assignment['team']} · "
                f"{assignment['people']} personer",
            )
            calendar.add_component(event)
    return bytes(calendar.to_ical())
