"""Logging: an access log that does not tie an address to a report, JSON in production.

Uvicorn's own access log prints `IP:port - "DELETE /api/v1/reports/<id>"`,
which links a resident's address to their report; `serve` turns it off and
`AccessLog` writes one line per request instead, with no address by default
(TRYGG_LOG_CLIENT_ADDRESS), no query string, and the request id that the
response carries in X-Request-ID.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import LogAddress, Settings
from app.security.clientaddr import client_address

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
access_log = logging.getLogger("app.access")

# Attributes every LogRecord has; anything else was passed in `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def address_for_log(address: str, mode: LogAddress) -> str | None:
    """The client address as the access log may show it: none, /24 or /48, or whole."""
    if mode is LogAddress.none:
        return None
    if mode is LogAddress.full:
        return address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request being served (or `-`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (k, v) for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


TEXT_FORMAT = "%(levelname)s %(name)s [%(request_id)s]: %(message)s"


def dict_config(settings: Settings) -> dict[str, Any]:
    """Logging for `serve` (uvicorn applies it in every worker): JSON or text, with ids."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "json" if settings.json_logs else "text",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": "INFO"},
        "loggers": {
            # Uvicorn's messages go through the one handler, formatted like the rest;
            # its access log (address and path together) never prints.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
        },
    }


class AccessLog:
    """One access-log line per HTTP request, written after the answer."""

    def __init__(self, app: ASGIApp, *, address: LogAddress, trusted_proxies: str) -> None:
        self.app = app
        self.address = address
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self._log(scope, status, time.perf_counter() - started)

    def _log(self, scope: Scope, status: int, seconds: float) -> None:
        extra: dict[str, Any] = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "ms": round(seconds * 1000, 1),
            "request_id": scope.get("state", {}).get("request_id", "-"),
        }
        shown = address_for_log(_peer(scope, self.trusted_proxies), self.address)
        if shown is not None:
            extra["client"] = shown
        where = f"{shown} - " if shown else ""
        access_log.info(
            '%s"%s %s" %s %.1f ms',
            where,
            extra["method"],
            extra["path"],
            status,
            extra["ms"],
            extra=extra,
        )


def _peer(scope: Scope, trusted_proxies: str) -> str:
    return client_address(Request(scope), trusted_proxies)
