"""Domain errors, their HTTP status codes, and the JSON error body.

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

from app.db import DatabaseUnavailable
from app.models.report import ReportInvalid
from app.responses import JsonResponse

log = logging.getLogger("app.errors")

RETRY_AFTER_SECONDS = 5


class ApiError(Exception):
    """An error with a status code and a message meant for the client."""

    status_code = 400
    # Set on errors raised for HTML pages: the answer is this template, not JSON.
    html_template: str | None = None

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class BadRequest(ApiError):
    status_code = 400


class NotFound(ApiError):
    status_code = 404


class Conflict(ApiError):
    status_code = 409


class PayloadTooLarge(ApiError):
    status_code = 413


class UnsupportedMediaType(ApiError):
    status_code = 415


class Unprocessable(ApiError):
    status_code = 422


class TooManyRequests(ApiError):
    status_code = 429


def error_response(
    status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status_code=status, headers=headers)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if exc.html_template is not None:
        from app.pages.public import language, page

        answer = page(request, language(request), exc.html_template, detail=exc.detail)
        answer.status_code = exc.status_code
        return answer
    return error_response(exc.status_code, exc.detail, exc.headers)


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
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(ReportInvalid, _report_invalid)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DatabaseUnavailable, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
