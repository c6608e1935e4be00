"""Open311 GeoReport v2 under /open311/v2: discovery, services, requests; .json and .xml.

Every answer, errors included, takes the spec's shape: errors are a list of
`{code, description}` (`<errors><error>…` in XML). Posting needs an
`api_key` issued by an admin (see open311_keys.py).
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from app.db.pool import DatabaseUnavailable
from app.domain.report import ReportInvalid
from app.errors import BadRequest, DomainError, NotFound
from app.services import open311 as service
from app.web import params
from app.web.deps import read_body
from app.web.errors import status_of

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"])

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00Z"
FORM = "application/x-www-form-urlencoded"
# XML element names for the items of each list.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _xml_value(element, ITEM_TAGS.get(tag, "item"), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def _xml(root: str, body: Any) -> bytes:
    holder = ET.Element("holder")
    _xml_value(holder, root, body)
    text: str = ET.tostring(holder[0], encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode()


def answer(
    fmt: str, root: str, body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    if fmt == "xml":
        return Response(_xml(root, body), status, headers, media_type=FORMATS["xml"])
    return Response(orjson.dumps(body), status, headers, media_type=FORMATS["json"])


def error(
    fmt: str, status: int, description: str, headers: dict[str, str] | None = None
) -> Response:
    return answer(fmt, "errors", [{"code": status, "description": description}], status, headers)


Handler = Callable[..., Awaitable[Response]]


def spec_errors(handler: Handler) -> Handler:
    """Answer domain errors in the spec's error format, in the format asked for."""

    @functools.wraps(handler)
    async def wrapped(request: Request, **kwargs: Any) -> Response:
        fmt = kwargs.get("fmt", "json")
        fmt = fmt if fmt in FORMATS else "json"
        try:
            if kwargs.get("fmt") not in FORMATS:
                raise NotFound("use .json or .xml")
            return await handler(request, **kwargs)
        except ReportInvalid as exc:
            return answer(
                fmt,
                "errors",
                [{"code": 400, "description": f"{e.field}: {e.message}"} for e in exc.errors],
                400,
            )
        except DomainError as exc:
            return error(fmt, status_of(exc), exc.detail, exc.headers)
        except DatabaseUnavailable:
            return error(
                fmt, 503, "the database is unavailable; try again shortly", {"Retry-After": "5"}
            )

    return wrapped


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/open311/v2/"


@router.get("/discovery.{fmt}", summary="Service discovery")
@spec_errors
async def discovery(request: Request, fmt: str) -> Response:
    body = {
        "changeset": CHANGESET,
        "contact": "Trygghetskartan; ask the kommun that runs this service for an api_key.",
        "key_service": "An admin issues keys: POST /api/v1/open311/keys.",
        "endpoints": [
            {
                "specification": SPEC,
                "url": _base(request),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return answer(fmt, "discovery", body)


@router.get("/services.{fmt}", summary="Services: one per reason")
@spec_errors
async def services(request: Request, fmt: str) -> Response:
    return answer(fmt, "services", service.services())


@router.get("/services/{code}.{fmt}", summary="A service's definition: its attributes")
@spec_errors
async def service_definition(request: Request, code: str, fmt: str) -> Response:
    return answer(fmt, "service_definition", service.definition(code))


def _ids(raw: str | None) -> list[Any] | None:
    if not raw:
        return None
    return [params.path_uuid(part.strip(), f"no service request {part}") for part in raw.split(",")]


@router.get("/requests.{fmt}", summary="Public service requests (generalised)")
@spec_errors
async def requests(request: Request, fmt: str) -> Response:
    q = request.query_params
    try:
        start = params.instant("start_date", q.get("start_date"))
        stop = params.instant("end_date", q.get("end_date"), end=True)
        code = q.get("service_code") or None
        if code is not None:
            service.definition(code)
        status = q.get("status") or None
        if status not in (None, "open", "closed"):
            raise BadRequest("status: open or closed")
    except DomainError as exc:
        raise BadRequest(exc.detail) from exc
    found = await service.public_requests(
        request.app.state.db,
        start=start,
        stop=stop,
        code=code,
        status=status,
        ids=_ids(q.get("service_request_id")),
    )
    return answer(fmt, "service_requests", found)


@router.get("/requests/{request_id}.{fmt}", summary="One public service request")
@spec_errors
async def one_request(request: Request, request_id: str, fmt: str) -> Response:
    wanted = params.path_uuid(request_id, f"no service request {request_id}")
    found = await service.public_request(request.app.state.db, wanted)
    return answer(fmt, "service_requests", [found])


@router.post("/requests.{fmt}", summary="File a service request (form-encoded, api_key)")
@spec_errors
async def create_request(request: Request, fmt: str) -> Response:
    settings = request.app.state.settings
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM:
        raise BadRequest(f"send the fields form-encoded ({FORM})")
    body = await read_body(request, settings.max_body_bytes)
    form: dict[str, list[str]] = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=False):
        form.setdefault(key, []).append(value)
    report_id = await service.file_request(
        request.app.state.db, settings, request.app.state.area, form
    )
    request.app.state.on_report_stored()
    done = [
        {"service_request_id": str(report_id), "service_notice": service.NOTICE, "account_id": None}
    ]
    return answer(fmt, "service_requests", done, 201)
