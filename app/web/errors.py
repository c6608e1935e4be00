"""Domain errors to HTTP: one status table and one JSON body shape.

Every error leaves as `{"detail": "<message>"}` (plus `errors` for field
problems). Only 5xx answers are logged with a trace, and no trace or
internal message ever reaches the client.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.db.pool import DatabaseUnavailable
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


def status_of(exc: DomainError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def error_response(
    status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status_code=status, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    template = HTML_TEMPLATES.get(type(exc))
    if template is not None:
        answer = page(request, language(request), template, detail=exc.detail)
        answer.status_code = status_of(exc)
        return answer
    return error_response(status_of(exc), exc.detail, exc.headers)


async def _report_invalid(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, ReportInvalid)
    return error_response(422, str(exc), errors=[e.as_dict() for e in exc.errors])


async def _request_validation(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body")),
            "message": str(err.get("msg", "is not valid")),
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    return error_response(422, detail, errors=errors)


async def _http_error(_: Request, exc: Exception) -> JsonResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(exc.status_code, str(exc.detail), getattr(exc, "headers", None))


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
    app.add_exception_handler(Exception, _unexpected)
