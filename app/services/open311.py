"""Open311 GeoReport v2 use cases: the service list, client keys, filing and reading requests.

A posted request becomes a report Feature and is validated by the same
parser as POST /api/v1/reports; it is stored with channel `open311` and the
key that sent it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.config import Settings
from app.db.pool import Database, Row
from app.domain.messages import FieldError
from app.domain.report import ReportInvalid, parse_report
from app.errors import Forbidden, NotFound, TooManyRequests
from app.repo import open311 as store
from app.repo import rate_counters
from app.repo import reports as report_store
from app.security import audit
from app.security.access import Principal
from app.security.keyed import keyed_hash, reporter_hash
from geo.vocabulary import DAYS, REASONS, SEVERITIES, TIMES, Term

KEY_PREFIX = "o311_"
HOUR = 3600
DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
NOTICE = "Thank you. The report is shown on the public map only as part of a hotspot."


# --- the services: one per reason --------------------------------------------


def service(term: Term) -> dict[str, Any]:
    return {
        "service_code": term.code,
        "service_name": term.sv,
        "description": term.en,
        "metadata": True,
        "type": "realtime",
        "keywords": "trygghet, otrygg plats",
        "group": "Trygghet",
    }


def services() -> list[dict[str, Any]]:
    return [service(t) for t in REASONS]


def _values(terms: tuple[Term, ...]) -> list[dict[str, str]]:
    return [{"key": t.code, "name": f"{t.sv} ({t.en})"} for t in terms]


def _attribute(
    code: str, datatype: str, required: bool, order: int, text: str, terms: tuple[Term, ...]
) -> dict[str, Any]:
    return {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": None,
        "order": order,
        "description": text,
        "values": _values(terms),
    }


def definition(code: str) -> dict[str, Any]:
    if code not in {t.code for t in REASONS}:
        raise NotFound(f"no service with code {code}")
    return {
        "service_code": code,
        "attributes": [
            _attribute("times", "multivaluelist", True, 1, "När är det otryggt? (When?)", TIMES),
            _attribute("days", "multivaluelist", False, 2, "Vilka dagar? (Which days?)", DAYS),
            _attribute(
                "severity", "singlevaluelist", False, 3, "Hur otryggt? (How unsafe?)", SEVERITIES
            ),
        ],
    }


# --- keys ----------------------------------------------------------------------


def _hash(settings: Settings, key: str) -> bytes:
    return keyed_hash(settings.key, "open311-key", key.strip())


@dataclass(frozen=True)
class IssuedKey:
    id: uuid.UUID
    name: str
    per_hour: int
    key: str  # shown once, stored only as a keyed hash


async def issue_key(
    db: Database, settings: Settings, principal: Principal, name: str, per_hour: int
) -> IssuedKey:
    key = KEY_PREFIX + secrets.token_urlsafe(24)
    key_id = await store.insert_key(db, name, _hash(settings, key), per_hour, principal.user_id)
    await audit.record(
        db,
        principal,
        "georeport_keys:issue",
        target=str(key_id),
        details={"name": name, "per_hour": per_hour},
    )
    return IssuedKey(key_id, name, per_hour, key)


async def revoke_key(db: Database, principal: Principal, key_id: uuid.UUID) -> bool:
    revoked = await store.revoke_key(db, key_id)
    if revoked:
        await audit.record(db, principal, "georeport_keys:revoke", target=str(key_id))
    return revoked


async def list_keys(db: Database) -> list[Row]:
    return await store.list_keys(db)


async def _client(db: Database, settings: Settings, api_key: str | None) -> Row:
    """The key's client system, after counting this request against its hourly limit."""
    if not api_key:
        raise Forbidden("api_key is required to post a service request")
    client = await store.active_key(db, _hash(settings, api_key))
    if client is None:
        raise Forbidden("api_key is not valid or has been revoked")
    count = await rate_counters.hit(
        db, keyed_hash(settings.key, "rate-open311", client["id"].bytes), HOUR
    )
    if count.hits > int(client["per_hour"]):
        raise TooManyRequests(
            f"this key may file {client['per_hour']} requests an hour; try again later",
            headers={"Retry-After": str(count.retry_after)},
        )
    return client


# --- filing --------------------------------------------------------------------


def _listed(form: dict[str, list[str]], name: str) -> list[str]:
    """`attribute[times][]=a&attribute[times][]=b`, `attribute[times]=a,b` or both."""
    values = form.get(f"attribute[{name}][]", []) + form.get(f"attribute[{name}]", [])
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _one(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def _number(raw: str | None) -> float:
    """A coordinate, or NaN when it is missing or not a number."""
    try:
        return float(raw) if raw is not None else float("nan")
    except ValueError:
        return float("nan")


def as_feature(form: dict[str, list[str]]) -> dict[str, Any]:
    """The form fields of a GeoReport v2 POST as the report Feature they describe."""
    errors = []
    lat, lon = _number(_one(form, "lat")), _number(_one(form, "long"))
    if lat != lat or lon != lon:  # NaN: missing or not a number
        errors.append(
            FieldError("lat, long", "are required numbers (address_string is not enough)")
        )
    code = _one(form, "service_code")
    if not code:
        errors.append(FieldError("service_code", "is required"))
    if errors:
        raise ReportInvalid(errors)
    props: dict[str, Any] = {"reasons": [code], "times": _listed(form, "times")}
    days = _listed(form, "days")
    if days:
        props["days"] = days
    severity = _listed(form, "severity")
    if severity:
        value = severity[0]
        props["severity"] = int(value) if value.isdigit() else value
    description = _one(form, "description")
    if description:
        props["description"] = description
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


SWAPPED = (
    "the place would be inside the service area with lat and long swapped: "
    "lat is the latitude (north, about 58.38 in Vänersborg), long the longitude (east, about 12.32)"
)


def _form_field(error: FieldError) -> FieldError:
    """A report error in the form's words: the point is `lat, long`, not a GeoJSON geometry."""
    if error.field == "geometry" or error.field.startswith("geometry."):
        message = SWAPPED if "swapped" in error.message else error.message
        return FieldError("lat, long", message)
    return error


async def file_request(
    db: Database, settings: Settings, area: Any, form: dict[str, list[str]]
) -> uuid.UUID:
    client = await _client(db, settings, _one(form, "api_key"))
    try:
        parsed = parse_report(
            as_feature(form),
            area=area,
            max_vertices=settings.max_vertices,
            description_max=settings.description_max_chars,
            suggestion_max=settings.suggestion_max_chars,
        )
    except ReportInvalid as exc:
        raise ReportInvalid([_form_field(e) for e in exc.errors]) from exc
    # The person, as the client system knows them; without one, each request
    # counts as its own person toward hotspots.
    person = _one(form, "device_id") or _one(form, "account_id") or _one(form, "email")
    identity = f"open311:{client['id']}:{person or secrets.token_hex(16)}"
    report_id = uuid.uuid4()
    values = report_store.report_values(
        parsed,
        channel="open311",
        reporter_hash=reporter_hash(settings.key, identity),
        receipt_hash=None,
        report_id=report_id,
    )
    await store.insert_request(
        db, values, parsed.geometry.wkb, client["id"], parsed.properties.reasons[0]
    )
    return report_id


# --- reading -------------------------------------------------------------------


def _public(row: Row) -> dict[str, Any]:
    at = row["requested_datetime"]
    return {
        "service_request_id": row["service_request_id"],
        "status": "open",
        "status_notes": None,
        "service_name": next((t.sv for t in REASONS if t.code == row["service_code"]), None),
        "service_code": row["service_code"],
        "description": row["description"],
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": at.isoformat() if at else None,
        "updated_datetime": None,
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["long"],
        "media_url": None,
    }


async def public_requests(
    db: Database,
    *,
    start: datetime | None,
    stop: datetime | None,
    code: str | None,
    status: str | None,
    ids: list[uuid.UUID] | None,
) -> list[dict[str, Any]]:
    """Published requests, newest first: 90 days unless dates are given, at most 1000."""
    if status == "closed":
        return []  # nothing here is ever closed: reports stay open until withdrawn
    now = datetime.now(UTC)
    stop = stop or (now + timedelta(days=1))
    start = start or (stop - timedelta(days=DEFAULT_DAYS))
    if ids:
        start, stop = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)
    rows = await store.public_requests(
        db, start=start, stop=stop, code=code, ids=ids, limit=MAX_REQUESTS
    )
    return [_public(r) for r in rows]


async def public_request(db: Database, report_id: uuid.UUID) -> dict[str, Any]:
    row = await store.public_request(db, report_id)
    if row is None:
        raise NotFound(f"no public service request {report_id}")
    return _public(row)
