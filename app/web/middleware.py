"""CORS, the form-size limit, security headers and the access log around the whole app."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.domain.messages import NUL_MESSAGE
from app.security.formlimit import FormLimit
from app.security.headers import SecurityHeaders
from app.security.logs import AccessLog
from app.web.caching import PublicCache
from app.web.errors import error_response


class NulInQuery:
    """A query string with an encoded NUL (%00) is refused with 422 naming the parameter.

    PostgreSQL text cannot hold NUL; one byte search per request keeps it from
    ever reaching a query as a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if b"%00" not in query:
            await self.app(scope, receive, send)
            return
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        names = [name for name, value in pairs if "\x00" in name or "\x00" in value]
        field = names[0].replace("\x00", "") if names else "query"
        answer = error_response(
            422, f"{field}: {NUL_MESSAGE}", errors=[{"field": field, "message": NUL_MESSAGE}]
        )
        await answer(scope, receive, send)


def _tile_origins(settings: Settings) -> tuple[str, ...]:
    # The base-map tile server is the one other host pages may load images from.
    parts = urlsplit(str(getattr(settings, "tile_url", "") or ""))
    if parts.scheme in ("http", "https") and parts.netloc:
        return (f"{parts.scheme}://{parts.netloc}",)
    return ()


def install_middleware(app: FastAPI, settings: Settings) -> None:
    origins = settings.cors_origin_list
    if origins:
        # Closed unless configured: without origins no CORS header is ever sent.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Client-Token"],
            max_age=600,
        )
    app.add_middleware(FormLimit, limit=settings.form_max_bytes)
    # ETag, Last-Modified and 304s for public reads, so a reverse proxy can cache them.
    app.add_middleware(PublicCache, max_age=settings.public_cache_seconds)
    # Outside Starlette's error middleware, so even a 500 answer gets the headers
    # and an access-log line.
    build_inner = app.build_middleware_stack

    def build() -> object:
        return AccessLog(
            SecurityHeaders(
                NulInQuery(build_inner()),
                https=settings.https,
                img_origins=_tile_origins(settings),
            ),
            address=settings.log_client_address,
            trusted_proxies=settings.trusted_proxies,
        )

    app.build_middleware_stack = build  # type: ignore[method-assign,assignment]
