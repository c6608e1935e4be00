"""Response classes: orjson for speed, and GeoJSON passed through from PostGIS."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


# Subclasses of JSONResponse, so the OpenAPI document shows JSON bodies, not strings.
class JsonResponse(JSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


class GeoJsonResponse(JSONResponse):
    """`application/geo+json`; bytes or str from ST_AsGeoJSON are sent untouched."""

    media_type = "application/geo+json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        if isinstance(content, str):
            return content.encode()
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
