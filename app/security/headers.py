"""Security headers, a CSP nonce and a request id on every response.

A plain ASGI middleware (not BaseHTTPMiddleware) so it costs little on the
report hot path and also wraps the 500 answers of Starlette's error handler.
Templates put `nonce="{{ csp_nonce }}"` on inline scripts; the nonce is in
`request.state.csp_nonce`.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.logs import REQUEST_ID

REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Swagger UI at /docs and ReDoc at /redoc load their scripts from this service
# but start with an inline script, and ReDoc runs a worker from a blob.
_DOCS_PATHS = ("/docs", "/redoc")


def content_security_policy(nonce: str, path: str, img_extra: str = "") -> str:
    if path.startswith(_DOCS_PATHS):
        scripts = "'self' 'unsafe-inline' blob:"
        styles = "'self' 'unsafe-inline'"
        images = "'self' data:"
    else:
        scripts = f"'self' 'nonce-{nonce}'"
        # Leaflet positions map tiles with inline style attributes.
        styles = "'self' 'unsafe-inline'"
        images = f"'self' data: blob: {img_extra}".strip()
    return (
        f"default-src 'self'; script-src {scripts}; style-src {styles}; img-src {images}; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool, img_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.https = https
        # Map tiles may come from one configured tile server (TRYGG_TILE_URL).
        self.img_extra = " ".join(img_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        nonce = secrets.token_urlsafe(16)
        incoming = _incoming_request_id(scope)
        request_id = incoming if incoming else uuid.uuid4().hex
        state["csp_nonce"] = nonce
        state["request_id"] = request_id
        https = self.https or scope.get("scheme") == "https"
        extra = [
            (
                b"content-security-policy",
                content_security_policy(nonce, scope["path"], self.img_extra).encode(),
            ),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(self)"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if https:
            extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                if REQUEST_ID_HEADER.encode() not in present:
                    headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        # Every log line written while serving this request carries its id.
        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            REQUEST_ID.reset(token)


def _incoming_request_id(scope: Scope) -> str | None:
    # Keep a proxy's id so logs line up, but only if it cannot inject anything.
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SAFE_ID.match(text) else None
    return None
