"""The shapes of the field-work answers (presence, safety walks, place names), for OpenAPI only.

Like `app.web.api.shapes`: the routes build their JSON directly, these models
describe it, and the fuzz tests check every answer against them.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.web.api.shapes import Geometry

# --- place names ----------------------------------------------------------------


class PlaceNameChange(BaseModel):
    name: str
    source: str = Field(description="`gazetteer`, `network` (a street) or `planner`.")
    changed_at: str
    changed_by: uuid.UUID | None = Field(description="The planner who renamed it, if any.")


class PlaceName(BaseModel):
    hotspot_id: str
    name: str | None = Field(description="None while nothing named is near the place.")
    history: list[PlaceNameChange] = Field(description="Every name it had, oldest first.")


# --- presence -------------------------------------------------------------------

PresenceKind = Literal["police", "volunteers", "guards", "field_workers", "leisure"]


class Shift(BaseModel):
    days: list[str] = Field(description="mon, tue, wed, thu, fri, sat, sun")
    start: str = Field(description="HH:MM, 24-hour")
    end: str = Field(description="HH:MM, 24-hour; may pass midnight")
    people: int


class PresenceGroup(BaseModel):
    id: uuid.UUID
    name: str
    kind: PresenceKind
    shifts: list[Shift]
    created_at: str
    updated_at: str
    links: dict[str, str]


class PresenceGroupList(BaseModel):
    groups: list[PresenceGroup]


class PresencePlanSummary(BaseModel):
    id: uuid.UUID
    week: str = Field(description="ISO week, e.g. 2026-W50")
    created_at: str


class PresencePlanList(BaseModel):
    plans: list[PresencePlanSummary]


class PresenceStop(BaseModel):
    model_config = ConfigDict(extra="allow")

    key: str = Field(description="Name it in POST …/visits to record the stop as carried out.")
    hotspot_id: str
    name: str | None
    arrival: str
    departure: str


class PresenceAssignment(BaseModel):
    """One team of a group on one shift: the places it stands at, hour by hour."""

    model_config = ConfigDict(extra="allow")

    group_id: uuid.UUID
    group: str
    kind: PresenceKind
    day: str
    shift: str
    team: int
    people: int
    stops: list[PresenceStop]


class PresenceVisitDone(BaseModel):
    key: str
    carried_out_on: str
    minutes: int | None
    note: str | None


class PresencePlan(BaseModel):
    """A week's plan across the groups, with the coverage it reaches."""

    model_config = ConfigDict(extra="allow")

    id: uuid.UUID
    week: str
    monday: str
    routing: str = Field(description="`network` or `straight_line` travel times.")
    places: dict[str, dict[str, Any]] = Field(description="hotspot id -> name, rank, centre.")
    assignments: list[PresenceAssignment]
    coverage: float = Field(description="Share of the week's risk that someone stands at, 0-1.")
    uncovered: list[dict[str, Any]] = Field(description="The riskiest place-hours left bare.")
    grid: list[dict[str, Any]] = Field(description="Per place: 168 hourly risks and shares.")
    overlap: bool
    team_size: int
    created_at: str | None = Field(None, description="Given when the plan is read back.")
    carried_out: list[PresenceVisitDone] | None = Field(
        None, description="Stops recorded as carried out; given when the plan is read back."
    )


class PresenceVisit(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    key: str
    hotspot_id: str
    carried_out_on: str


# --- safety walks ---------------------------------------------------------------


class WalkStop(BaseModel):
    id: uuid.UUID
    key: str = Field(description="The Idempotency-Key the stop was sent with.")
    position: int
    hotspot_id: str | None
    point: Geometry
    checklist: dict[str, str] = Field(description="Checklist item -> rating.")
    worst: str | None = Field(description="The stop's worst rating.")
    note: str | None


class WalkAction(BaseModel):
    id: uuid.UUID
    stop_id: uuid.UUID
    text: str
    unit: str
    due: str | None
    site_id: uuid.UUID | None = Field(description="The redesign site made from it, if any.")


class Walk(BaseModel):
    id: uuid.UUID
    name: str
    date: str
    meeting_point: str | None
    meeting_time: str | None
    announce: bool
    geometry: Geometry = Field(description="The walked area (Polygon) or route (LineString).")
    links: dict[str, str]


class WalkList(BaseModel):
    walks: list[Walk]


class WalkDetail(Walk):
    stops: list[WalkStop]
    actions: list[WalkAction]
