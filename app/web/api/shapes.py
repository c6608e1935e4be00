"""The shapes of the API's answers, for the OpenAPI document only.

Routes build their JSON directly (orjson, GeoJSON from PostGIS) for speed;
these models describe it. They are named in `responses=` through
`app.web.openapi.model_doc`, so nothing is validated twice at run time, and
the fuzz tests (tests/web/api/test_fuzz.py) check every answer against them.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# --- shared ---------------------------------------------------------------------


class Link(BaseModel):
    rel: str
    href: str
    type: str | None = None


class Geometry(BaseModel):
    """A GeoJSON geometry in WGS 84, `[lon, lat]`."""

    model_config = ConfigDict(extra="allow")

    type: str
    coordinates: list[Any]


class Feature(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["Feature"]
    id: str | int | None = None
    geometry: Geometry | None
    properties: dict[str, Any] | None


class FeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection (RFC 7946)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["FeatureCollection"]
    features: list[Feature]


class Labels(BaseModel):
    sv: str | None
    en: str | None


# --- health and vocabulary ------------------------------------------------------


class Health(BaseModel):
    status: str = Field(description="`ok` or `ready`.")


class Term(BaseModel):
    code: str | int  # severity codes are the integers 1-3
    sv: str
    en: str


class Vocabularies(BaseModel):
    reasons: list[Term]
    times: list[Term]
    days: list[Term]
    severity: list[Term]
    kinds: list[Term]
    age_bands: list[Term]
    genders: list[Term]


# --- reports --------------------------------------------------------------------


class ReportReceipt(BaseModel):
    id: uuid.UUID
    receipt: str = Field(description="Keep it: with it you can withdraw the report.")
    status: str
    text_status: str = Field(description="Free text waits for moderation before staff see it.")
    location: str


class HeatPoints(BaseModel):
    points: list[list[float]] = Field(description="`[lat, lon, people]` per person-place.")
    max: float


# --- patrol plans ---------------------------------------------------------------


class PlanSummary(BaseModel):
    id: uuid.UUID
    created_at: str
    window: dict[str, Any]
    stops: int
    links: dict[str, str]


class PlanList(BaseModel):
    plans: list[PlanSummary]


class PatrolPlan(BaseModel):
    """A plan: the window, ordered stops with times, totals and the walking route."""

    model_config = ConfigDict(extra="allow")

    id: uuid.UUID
    window: dict[str, Any]
    stops: list[dict[str, Any]]
    totals: dict[str, Any]
    route: Geometry | None
    links: dict[str, str]


class PatrolRun(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    hotspot_ids: list[str]


# --- sites and promises ---------------------------------------------------------


class SiteEvaluation(BaseModel):
    site_id: uuid.UUID
    completed_on: str
    before: dict[str, Any]
    after: dict[str, Any]
    ring_m: float
    inside: dict[str, Any]
    ring: dict[str, Any]
    note: str


class Promise(BaseModel):
    id: uuid.UUID
    year: int
    position: int
    area: Labels
    text: Labels
    source: str | None
    progress: dict[str, Any]


class PromiseYear(BaseModel):
    years: list[int]
    year: int | None
    promises: list[Promise]


# --- staff users, tokens, audit, moderation -------------------------------------


class StaffUser(BaseModel):
    id: uuid.UUID
    email: str
    roles: list[str]
    active: bool
    created_at: str
    updated_at: str


class StaffUserList(BaseModel):
    users: list[StaffUser]


class ApiToken(BaseModel):
    id: uuid.UUID
    user: str | None
    name: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


class ApiTokenList(BaseModel):
    tokens: list[ApiToken]


class NewApiToken(ApiToken):
    token: str = Field(description="The token itself: shown only in this answer.")


class AuditEntry(BaseModel):
    id: int
    at: str
    user_id: uuid.UUID | None
    actor: str | None
    via: str | None
    action: str
    target: str | None
    details: dict[str, Any] | None
    rows: int | None


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    links: list[Link]


class QueuedReport(BaseModel):
    id: uuid.UUID
    received_at: str
    status: str
    text_status: str
    reasons: list[str]
    description: str | None
    suggestion: str | None
    geometry: Geometry


class ModerationQueue(BaseModel):
    reports: list[QueuedReport]


class ModerationResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: uuid.UUID = Field(description="The report.")
    action_id: uuid.UUID


class ModerationAction(BaseModel):
    id: uuid.UUID
    at: str
    action: str
    reverted_at: str | None


class ModerationHistory(BaseModel):
    actions: list[ModerationAction]


# --- OGC API (Features, Tiles) and Open311 ------------------------------------


class OgcDocument(BaseModel):
    """An OGC API document: landing page, collection list or one collection."""

    model_config = ConfigDict(extra="allow")

    links: list[dict[str, Any]]


class Conformance(BaseModel):
    conformsTo: list[str]  # noqa: N815 - the OGC member name


class TileSets(BaseModel):
    tilesets: list[dict[str, Any]]
    links: list[dict[str, Any]]


class TileJson(BaseModel):
    """TileJSON 3.0."""

    model_config = ConfigDict(extra="allow")

    tilejson: str
    tiles: list[str]


class Open311Error(BaseModel):
    code: int
    description: str


class Open311Key(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: uuid.UUID
    name: str
    per_hour: int | None


class Open311KeyList(BaseModel):
    keys: list[Open311Key]


class NewOpen311Key(Open311Key):
    key: str = Field(description="The key itself: shown only in this answer.")
