"""Form bodies are small and hold text: refuse larger ones (413) and NUL characters (4xx).

Starlette parses a form whole (and spools multipart files to disk) before a
route sees it. This middleware reads at most `limit` bytes of a form body into
memory, answers 413 beyond that, and hands the route the buffered body.

PostgreSQL text cannot hold the NUL character, so a form field with one is
refused here, naming the field, before any route or query sees it: 422 in the
service's `{detail, errors}` shape, or for Open311 its own error list (400).
The service takes no file uploads, so a NUL byte in a form is never wanted.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.messages import NUL_MESSAGE

FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")
OPEN311 = "/open311/"
_PART_NAME = re.compile(rb'name="([^"]*)"')


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None


def nul_field(content_type: bytes, body: bytes) -> str | None:
    """The name of the first form field holding a NUL character, or None."""
    if content_type.startswith(b"multipart/form-data"):
        at = body.find(b"\x00")
        if at < 0:
            return None
        # The part's header (`name="…"`) comes before its value.
        names = _PART_NAME.findall(body[:at])
        return names[-1].decode("utf-8", "replace") if names else "body"
    if b"%00" not in body and b"\x00" not in body:
        return None
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or "body"
    return "body"


class FormLimit:
    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = (_header(scope, b"content-type") or b"").lower()
        if scope["type"] != "http" or not content_type.startswith(FORM_TYPES):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        too_large = f"the form is larger than {self.limit} bytes; send less text"
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _refuse(scope, send, 413, "body", too_large)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.limit:
                await _refuse(scope, send, 413, "body", too_large)
                return
            if not message.get("more_body", False):
                break
        field = nul_field(content_type, bytes(body))
        if field is not None:
            await _refuse(scope, send, 422, field, NUL_MESSAGE)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(scope: Scope, send: Send, status: int, field: str, message: str) -> None:
    detail = f"{field}: {message}"
    path = str(scope.get("path", ""))
    if path.startswith(OPEN311):
        # GeoReport v2 answers unreadable input with 400 and its own error list.
        code = 400 if status == 422 else status
        status = code
        if path.endswith(".xml"):
            media = b"text/xml; charset=utf-8"
            body = (
                '<?xml version="1.0" encoding="utf-8"?>\n<errors><error>'
                f"<code>{code}</code><description>{escape(detail)}</description>"
                "</error></errors>"
            ).encode()
        else:
            media = b"application/json"
            body = orjson.dumps([{"code": code, "description": detail}])
    else:
        media = b"application/json"
        body = orjson.dumps({"detail": detail, "errors": [{"field": field, "message": message}]})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                # Past the limit the rest of the body is never read: end the connection.
                *([(b"connection", b"close")] if status == 413 else []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
