"""/static: the app's own CSS/JS and the npm packages from frontend/node_modules.

Vendor files live under a versioned path (/static/vendor/<package>@<version>/...)
and the app's own files are linked with a content hash (`?v=`), so both can be
cached for a year without ever serving a stale file.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from app.errors import NotFound
from frontend import vendor
from frontend.templating import STATIC

router = APIRouter(include_in_schema=False)

YEAR = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
NOT_HERE = "No such file."


@router.get("/static/vendor/{package_at_version:path}")
async def vendor_file(package_at_version: str) -> Response:
    # Scoped packages (@fortawesome/fontawesome-free@6.2.0/...) contain a slash.
    head, sep, rest = package_at_version.rpartition("@")
    if not sep or "/" not in rest:
        raise NotFound(NOT_HERE)
    pinned, _, file = rest.partition("/")
    path = vendor.resolve(head, pinned, file)
    if path is None:
        raise NotFound(NOT_HERE)
    return FileResponse(path, headers={"Cache-Control": YEAR})


@router.get("/static/{name:path}")
async def own_file(name: str, request: Request) -> Response:
    root = STATIC.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound(NOT_HERE)
    cache = YEAR if request.query_params.get("v") else SHORT
    return FileResponse(path, headers={"Cache-Control": cache})
