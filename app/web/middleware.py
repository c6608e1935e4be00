"""CORS and the security-header wrapper around the whole app."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from app.config import Settings
from app.security.headers import SecurityHeaders
from app.web.caching import PublicCache


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
    # ETag, Last-Modified and 304s for public reads, so a reverse proxy can cache them.
    app.add_middleware(PublicCache, max_age=settings.public_cache_seconds)
    # Outside Starlette's error middleware, so even a 500 answer gets the headers.
    build_inner = app.build_middleware_stack

    def build() -> object:
        return SecurityHeaders(
            build_inner(), https=settings.https, img_origins=_tile_origins(settings)
        )

    app.build_middleware_stack = build  # type: ignore[method-assign,assignment]
