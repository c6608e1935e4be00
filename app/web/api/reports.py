"""POST/DELETE /api/v1/reports: residents file and withdraw reports."""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from app.config import Settings
from app.db.pool import Database
from app.domain.messages import FieldError
from app.domain.report import ReportFeature, ReportInvalid, parse_report
from app.errors import Conflict, NotFound
from app.repo import reports as store
from app.security import ratelimit, replays
from app.security.keyed import keyed_hash, new_receipt, receipt_hash, reporter_hash, same
from app.services import erasure
from app.web import params
from app.web.api import shapes
from app.web.deps import DbDep, SettingsDep, json_body
from app.web.openapi import json_body_doc, model_doc
from app.web.responses import JsonResponse
from geo.area import ServiceArea

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

WITHDRAW_NOT_FOUND = "No report with that id and receipt."
CHANNELS_FROM_HEADER = {"web"}


HEADER_MAX = 200


def _header(request: Request, name: str) -> str | None:
    value = request.headers.get(name)
    if value is not None and len(value) > HEADER_MAX:
        raise ReportInvalid([FieldError(name, f"is longer than {HEADER_MAX} characters")])
    return value


def _header_doc(name: str, description: str) -> dict[str, Any]:
    schema = {"type": "string", "maxLength": HEADER_MAX}
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _report_body_schema() -> dict[str, Any]:
    return {
        "parameters": [
            _header_doc(
                "Idempotency-Key",
                "Retry safely: a retry with the same key gets the "
                "first answer and stores nothing new.",
            ),
            _header_doc("X-Client-Token", "The device token, if not in properties.client_token."),
            _header_doc("X-Report-Channel", "`web` when sent by the service's own report page."),
        ],
        **json_body_doc(ReportFeature, ("application/geo+json", "application/json")),
    }


@router.post(
    "",
    status_code=201,
    summary="File a report about a place",
    openapi_extra=_report_body_schema(),
    responses={
        201: model_doc(
            shapes.ReportReceipt, "Stored. Keep the receipt to withdraw the report later."
        ),
        409: {"description": "The Idempotency-Key was used for a different report"},
        413: {"description": "Body too large"},
        415: {"description": "Not JSON"},
        422: {"description": "The report is not valid; `errors` names each field and why"},
        429: {"description": "Too many reports; retry after `Retry-After` seconds"},
        503: {"description": "Database unavailable; retry after `Retry-After` seconds"},
    },
)
async def create_report(request: Request) -> Response:
    """Store one report (a GeoJSON Feature) and answer with its id and a receipt code.

    Send `Idempotency-Key` to retry safely: a retry with the same key gets the
    first answer and stores nothing new.
    """
    # No FastAPI dependencies or header parameters on this route: resolving them
    # cost more than validating the report (see bench/ingest.py). The headers are
    # documented in the OpenAPI parameters above instead.
    state = request.app.state
    settings: Settings = state.settings
    db: Database = state.db
    area: ServiceArea = state.area
    body = await json_body(request, settings)
    idempotency_key = _header(request, "idempotency-key")
    x_client_token = _header(request, "x-client-token")
    x_report_channel = request.headers.get("x-report-channel")
    parsed = parse_report(
        body,
        area=area,
        max_vertices=settings.max_vertices,
        description_max=settings.description_max_chars,
        suggestion_max=settings.suggestion_max_chars,
    )
    token = parsed.properties.client_token or x_client_token
    if not token or len(token) < 8:
        raise ReportInvalid(
            [
                FieldError(
                    "properties.client_token",
                    "is required (at least 8 characters): a random string your app keeps per "
                    "device, in properties.client_token or the X-Client-Token header",
                )
            ]
        )
    key = settings.key
    reporter = reporter_hash(key, token)
    # 429 with Retry-After before anything is stored.
    await ratelimit.check_report(request, db, settings, reporter)
    receipt = new_receipt()
    report_id = uuid.uuid4()
    channel = x_report_channel if x_report_channel in CHANNELS_FROM_HEADER else "api"
    values = store.report_values(
        parsed,
        channel=channel,
        reporter_hash=reporter,
        receipt_hash=receipt_hash(key, receipt),
        report_id=report_id,
    )
    location = f"/api/v1/reports/{report_id}"
    answer = {
        "id": str(report_id),
        "receipt": receipt,
        "status": "published",
        "text_status": values["text_status"],
        "location": location,
    }
    if idempotency_key is None:
        # Committed together with concurrent reports; durable before the 201.
        await state.group_commit.insert(values, parsed.geometry.wkb)
    else:
        key_hash = keyed_hash(key, "idempotency", reporter + idempotency_key.encode())
        request_hash = hashlib.sha256(request.state.raw_body).digest()
        async with db.transaction() as conn:
            earlier = await replays.remember(
                db, conn, settings, key_hash, request_hash, 201, answer
            )
            if earlier is None:
                await store.insert_report(db, values, parsed.geometry.wkb, conn)
        if earlier is not None:
            if earlier.request_hash != request_hash:
                raise Conflict(
                    "this Idempotency-Key was already used for a different report; "
                    "use a new key for a new report"
                )
            replay = earlier.response
            return JsonResponse(
                replay,
                status_code=earlier.status_code,
                headers={
                    "Location": str(replay.get("location", "")),
                    "Idempotent-Replayed": "true",
                },
            )
    request.app.state.on_report_stored()
    return JsonResponse(answer, status_code=201, headers={"Location": location})


@router.delete(
    "/{report_id}",
    status_code=204,
    summary="Withdraw your report with its receipt code",
    responses={404: {"description": "No report with that id and receipt"}},
)
async def withdraw_report(
    report_id: str,
    db: DbDep,
    settings: SettingsDep,
    x_receipt: Annotated[str | None, Header()] = None,
) -> Response:
    """Delete the report for good. The receipt goes in the `X-Receipt` header."""
    parsed_id = params.path_uuid(report_id, WITHDRAW_NOT_FOUND)
    if not x_receipt:
        raise NotFound(WITHDRAW_NOT_FOUND)
    wanted = receipt_hash(settings.key, x_receipt)
    stored = await store.receipt_hash_of(db, parsed_id)
    # Compare in constant time, and answer a wrong receipt exactly like an unknown id.
    if not same(stored, wanted):
        raise NotFound(WITHDRAW_NOT_FOUND)
    # Logged (and fsync'ed) first, so a later restore can never bring it back.
    await erasure.record_withdrawal(settings, parsed_id)
    if not await store.delete_report(db, parsed_id, wanted):
        raise NotFound(WITHDRAW_NOT_FOUND)
    return Response(status_code=204)
