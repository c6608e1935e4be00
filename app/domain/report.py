"""The report as residents and importers send it, and its validation.

The API and the CLI importer both go through `parse_report`, so a report is
checked the same way whichever door it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from geo.area import ServiceArea
from geo.validate import CheckedGeometry, GeometryError, check_geometry
from geo.vocabulary import (
    AGE_BAND_CODES,
    DAY_CODES,
    GENDER_CODES,
    KIND_CODES,
    REASON_CODES,
    TIME_CODES,
)


def _member_of(allowed: tuple[str, ...], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what} {value!r}; allowed: {', '.join(allowed)}")
        return value

    return check


def _enum(allowed: tuple[str, ...]) -> Any:
    return Field(json_schema_extra={"enum": list(allowed)})


Reason = Annotated[
    StrictStr, AfterValidator(_member_of(REASON_CODES, "reason")), _enum(REASON_CODES)
]
TimeOfDay = Annotated[StrictStr, AfterValidator(_member_of(TIME_CODES, "time")), _enum(TIME_CODES)]
DayType = Annotated[StrictStr, AfterValidator(_member_of(DAY_CODES, "day type")), _enum(DAY_CODES)]
Kind = Annotated[StrictStr, AfterValidator(_member_of(KIND_CODES, "kind")), _enum(KIND_CODES)]
AgeBand = Annotated[
    StrictStr, AfterValidator(_member_of(AGE_BAND_CODES, "age band")), _enum(AGE_BAND_CODES)
]
Gender = Annotated[
    StrictStr, AfterValidator(_member_of(GENDER_CODES, "gender")), _enum(GENDER_CODES)
]


def _no_duplicates(values: list[str]) -> list[str]:
    if len(set(values)) == len(values):
        return values
    dupes = sorted({v for v in values if values.count(v) > 1})
    raise ValueError(f"listed more than once: {', '.join(dupes)}")


class ReportProperties(BaseModel):
    """What a resident says about a place."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind = Field("unsafe", description="`unsafe` (default) or `safe`.")
    severity: StrictInt | None = Field(
        None, ge=1, le=3, description="1 a bit, 2 quite, 3 very unsafe."
    )
    reasons: list[Reason] = Field(..., min_length=1, description="One or more reason codes.")
    times: list[TimeOfDay] = Field(..., min_length=1, description="One or more times of day.")
    days: list[DayType] = Field(default_factory=list, description="`weekday` and/or `weekend`.")
    dark_season: StrictBool = Field(False, description="Mostly during the dark season.")
    description: StrictStr | None = Field(
        None, description="Free text (do not name people). Shown to staff after moderation."
    )
    suggestion: StrictStr | None = Field(None, description="What would make the place safer.")
    avoids_place: StrictBool | None = Field(None, description="Do you avoid the place?")
    age_band: AgeBand | None = None
    gender: Gender | None = None
    client_token: StrictStr | None = Field(
        None,
        min_length=8,
        max_length=200,
        description="Random string the app keeps per device; stored only as a keyed hash. "
        "May also be sent as the X-Client-Token header.",
    )

    _unique_lists = field_validator("reasons", "times", "days")(_no_duplicates)

    @field_validator("description", "suggestion")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return value or None


class ImportProperties(ReportProperties):
    """An imported report may carry the time it was originally made."""

    created_at: datetime | None = Field(
        None, description="When the report was originally made (ISO 8601 with time zone)."
    )

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("created_at needs a time zone, e.g. 2026-05-01T20:00:00+02:00")
        return value


class ReportFeature(BaseModel):
    """A report is one GeoJSON Feature."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Feature"]
    geometry: dict[str, Any] = Field(
        ..., description="GeoJSON Point, LineString or Polygon in WGS 84 [lon, lat]."
    )
    properties: ReportProperties
    bbox: list[float] | None = None


class ImportFeature(ReportFeature):
    properties: ImportProperties


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ReportInvalid(ValueError):
    """The report cannot be accepted; `errors` says which fields and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


@dataclass(frozen=True)
class ParsedReport:
    properties: ReportProperties
    geometry: CheckedGeometry


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not an accepted field",
    "string_type": "must be a string",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "list_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "too_short": "must not be empty",
}


def _field_errors(exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden" and err["loc"][-1] == "crs":
            message = "a 'crs' member is not accepted: GeoJSON (RFC 7946) is always WGS 84 lon/lat"
        elif kind == "literal_error" and loc == "type":
            message = "must be 'Feature' (send one GeoJSON Feature per report)"
        elif kind == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))
        elif kind in ("greater_than_equal", "less_than_equal") and loc.endswith("severity"):
            message = "must be 1, 2 or 3"
        elif kind == "too_short" and err.get("ctx", {}).get("min_length", 0) > 1:
            message = err["msg"]
        else:
            message = _MESSAGES.get(kind, err["msg"])
        errors.append(FieldError(loc, message))
    return errors


def parse_report(
    data: Any,
    *,
    area: ServiceArea,
    max_vertices: int,
    description_max: int,
    suggestion_max: int,
    model: type[ReportFeature] = ReportFeature,
) -> ParsedReport:
    """Validate one Feature; raise ReportInvalid listing every problem found."""
    if not isinstance(data, dict):
        raise ReportInvalid([FieldError("body", "must be a GeoJSON Feature object")])
    errors: list[FieldError] = []
    feature: ReportFeature | None = None
    try:
        feature = model.model_validate(data)
    except ValidationError as exc:
        errors.extend(_field_errors(exc))
    geometry: CheckedGeometry | None = None
    if "geometry" in data and not any(e.field.startswith("geometry") for e in errors):
        try:
            geometry = check_geometry(data["geometry"], area, max_vertices)
        except GeometryError as exc:
            errors.append(FieldError("geometry", str(exc)))
    if feature is not None:
        props = feature.properties
        for name, limit in (("description", description_max), ("suggestion", suggestion_max)):
            text = getattr(props, name)
            if text is not None and len(text) > limit:
                errors.append(
                    FieldError(f"properties.{name}", f"is {len(text)} characters; at most {limit}")
                )
    if errors or feature is None or geometry is None:
        raise ReportInvalid(errors or [FieldError("body", "is not a valid report")])
    return ParsedReport(feature.properties, geometry)
