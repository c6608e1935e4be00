"""Validators and revalidation for public GET answers, so a reverse proxy can absorb spikes.

An answer a route marked `Cache-Control: public` (or an anonymous GET under
`PUBLIC_PREFIXES` that set none, which gets `public, max-age=<public_cache_seconds>`)
gets a weak ETag (a hash of its body) unless the route set one, and a
Last-Modified (when this process first served that body) unless the route set
one. A request whose If-None-Match or If-Modified-Since matches gets 304.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from email.utils import formatdate, parsedate_to_datetime

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.access import SESSION_COOKIE

# Anonymous reads that are the same for everyone and set no Cache-Control themselves.
PUBLIC_PREFIXES = ("/ogc", "/open311/v2/services", "/open311/v2/requests", "/api/v1/promises")
# Headers a 304 keeps (RFC 9110 15.4.5).
KEPT_ON_304 = (b"cache-control", b"etag", b"last-modified", b"vary", b"expires")
SEEN_MAX = 4096


class FirstSeen:
    """When this process first served each ETag: a bounded, oldest-out map."""

    def __init__(self, size: int = SEEN_MAX) -> None:
        self.size = size
        self.times: OrderedDict[str, float] = OrderedDict()

    def of(self, etag: str) -> float:
        at = self.times.get(etag)
        if at is None:
            # Whole seconds: Last-Modified has no finer resolution.
            at = self.times[etag] = float(int(time.time()))
            if len(self.times) > self.size:
                self.times.popitem(last=False)
        return at


def _anonymous(headers: Headers) -> bool:
    return "authorization" not in headers and SESSION_COOKIE not in headers.get("cookie", "")


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison: W/"x" and "x" are the same representation."""
    wanted = etag.removeprefix("W/")
    return any(
        tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted
        for tag in if_none_match.split(",")
    )


def _not_modified_since(value: str, last_modified: str) -> bool:
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return False


class PublicCache:
    """ASGI middleware adding validators to public GET answers and answering 304."""

    def __init__(self, app: ASGIApp, max_age: int) -> None:
        self.app = app
        self.max_age = max_age
        self.seen = FirstSeen()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        default_public = _anonymous(request_headers) and str(scope["path"]).startswith(
            PUBLIC_PREFIXES
        )
        start: Message | None = None
        mode = "pass"  # "pass" the body on, "buffer" it to hash it, or "drop" it (a 304)
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start, mode
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cache = headers.get("cache-control")
                if cache is None and default_public and message["status"] == 200:
                    headers["Cache-Control"] = (
                        f"public, max-age={self.max_age}" if self.max_age else "public, no-cache"
                    )
                    headers.append("Vary", "Accept, Authorization, Cookie")
                    cache = headers["cache-control"]
                if message["status"] != 200 or "public" not in (cache or ""):
                    await send(message)
                elif "etag" in headers:
                    # The route's own validator (run id, file stamp): no need to read the body.
                    mode = "drop" if await self._answer(message, request_headers, send) else "pass"
                else:
                    start, mode = message, "buffer"
                return
            if mode == "pass":
                await send(message)
                return
            if mode == "drop":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                assert start is not None
                body = b"".join(chunks)
                headers = MutableHeaders(scope=start)
                headers["ETag"] = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                if not await self._answer(start, request_headers, send):
                    await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)

    async def _answer(self, start: Message, request_headers: Headers, send: Send) -> bool:
        """Send the start of the answer: a 304 (True) or the 200 whose body follows (False)."""
        headers = MutableHeaders(scope=start)
        etag = headers["etag"]
        if "last-modified" not in headers:
            headers["Last-Modified"] = formatdate(self.seen.of(etag), usegmt=True)
        if_none_match = request_headers.get("if-none-match")
        if_modified_since = request_headers.get("if-modified-since")
        fresh = (
            _matches(if_none_match, etag)
            if if_none_match is not None
            else if_modified_since is not None
            and _not_modified_since(if_modified_since, headers["last-modified"])
        )
        if not fresh:
            await send(start)
            return False
        kept = [(k, v) for k, v in start["headers"] if k.lower() in KEPT_ON_304]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return True
