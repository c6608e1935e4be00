"""Domain errors to HTTP: one status table and one JSON body shape.

Every error leaves as `{"detail": "<message>", "errors": [{"field", "message"}]}`:
`detail` sums it up, `errors` names each input at fault and says how to fix
it. Only 5xx answers are logged with a trace, and no trace or internal
message ever reaches the client.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.db.pool import DatabaseUnavailable
from app.domain.messages import NUL_MESSAGE, field_name, plain_message
from app.domain.report import ReportInvalid
from app.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    ForbiddenPage,
    LoginRequired,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
    UnsupportedMediaType,
)
from app.web.render import language, page
from app.web.responses import JsonResponse

log = logging.getLogger("app.errors")

RETRY_AFTER_SECONDS = 5

# The one place where a domain error becomes a status code; most specific first.
STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (BadRequest, 400),
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (PayloadTooLarge, 413),
    (UnsupportedMediaType, 415),
    (Unprocessable, 422),
    (TooManyRequests, 429),
    (LoginRequired, 303),
)

# Errors answered with an HTML page instead of JSON (for staff pages).
HTML_TEMPLATES: dict[type[DomainError], str] = {ForbiddenPage: "staff/forbidden.html"}


# The input an error is about when the error itself does not say.
DEFAULT_FIELD = {
    400: "body",
    401: "Authorization",
    403: "Authorization",
    404: "path",
    405: "method",
    409: "body",
    413: "body",
    415: "Content-Type",
    422: "body",
    429: "request",
}
# "since: '2026-13-01' is not a date": a message that starts with the field's name.
_NAMED = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*): (.+)$", re.DOTALL)


def status_of(exc: DomainError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def field_errors(status: int, detail: str, field: str | None = None) -> list[dict[str, str]]:
    """One `{field, message}` for an error that is about a single input."""
    if field is None:
        named = _NAMED.match(detail)
        if named:
            return [{"field": named.group(1), "message": named.group(2)}]
    return [{"field": field or DEFAULT_FIELD.get(status, "request"), "message": detail}]


def error_response(
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
    *,
    errors: list[dict[str, str]] | None = None,
    field: str | None = None,
    **extra: Any,
) -> JsonResponse:
    body = {"detail": detail, "errors": errors or field_errors(status, detail, field), **extra}
    return JsonResponse(body, status_code=status, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    template = HTML_TEMPLATES.get(type(exc))
    if template is not None:
        answer = page(request, language(request), template, detail=exc.detail)
        answer.status_code = status_of(exc)
        return answer
    errors = [{"field": f, "message": m} for f, m in exc.errors] if exc.errors else None
    return error_response(status_of(exc), exc.detail, exc.headers, errors=errors, field=exc.field)


async def _report_invalid(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, ReportInvalid)
    return error_response(422, str(exc), errors=[e.as_dict() for e in exc.errors])


async def _request_validation(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, RequestValidationError)
    skip = ("query", "body", "path", "header", "cookie")
    errors = [
        {"field": field_name(err.get("loc", ()), skip), "message": plain_message(err)}
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    return error_response(422, detail, errors=errors)


async def _http_error(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No such page or endpoint; the API is listed at /docs."
    elif exc.status_code == 405:
        detail = "This endpoint does not take that method; the allowed ones are in /docs."
    return error_response(exc.status_code, detail, getattr(exc, "headers", None))


async def _data_error(request: Request, exc: Exception) -> JsonResponse:
    # Text with a NUL character that got past the checks at the door: still the
    # client's input, never a 500. (JSON bodies and query strings are checked earlier.)
    if "NUL" in str(exc) or "0x00" in str(exc):
        return error_response(422, f"text {NUL_MESSAGE}", field="body")
    return await _unexpected(request, exc)


async def _unavailable(_: Request, exc: Exception) -> JsonResponse:
    log.warning("database unavailable: %s", exc)
    return error_response(
        503,
        "The database is unavailable right now; nothing was stored. Try again shortly.",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _unexpected(request: Request, exc: Exception) -> JsonResponse:
    request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    log.exception("unhandled error, request id %s", request_id, exc_info=exc)
    return error_response(
        500,
        f"Internal error. Quote request id {request_id} when you report it.",
        {"X-Request-ID": request_id},
        request_id=request_id,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(ReportInvalid, _report_invalid)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DatabaseUnavailable, _unavailable)
    app.add_exception_handler(psycopg.DataError, _data_error)
    app.add_exception_handler(Exception, _unexpected)
