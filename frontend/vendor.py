"""Front-end packages installed by npm (frontend/package-lock.json), served by the app.

Pages reference them as /static/vendor/<package>@<version>/<file>: the version
in the path lets the files be cached for a year, and no third-party CDN ever
sees a visitor's address.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"

# The packages the service may serve. Everything else under node_modules
# (build scripts, package metadata, axe-core for tests) stays private.
SERVED_PACKAGES = (
    "leaflet",
    "leaflet-draw",
    "leaflet.markercluster",
    "leaflet.heat",
    "protomaps-leaflet",
    "leaflet.awesome-markers",
    "jquery",
    "bootstrap",
    "@fortawesome/fontawesome-free",
    # Swagger UI (/docs) and ReDoc (/redoc).
    "swagger-ui-dist",
    "redoc",
)
SERVED_SUFFIXES = (".js", ".css", ".png", ".svg", ".gif", ".woff", ".woff2", ".ttf", ".map")


class VendorMissing(RuntimeError):
    """node_modules is not installed; `make run` / scripts/bootstrap.sh installs it."""


@cache
def version(package: str) -> str:
    manifest = NODE_MODULES / package / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except OSError as exc:
        raise VendorMissing(
            f"front-end package {package} is not installed; run scripts/bootstrap.sh"
        ) from exc


def url(package: str, file: str) -> str:
    """The service's own URL of one file of an npm package."""
    if package not in SERVED_PACKAGES:
        raise KeyError(package)
    return f"/static/vendor/{package}@{version(package)}/{file}"


def resolve(package: str, pinned: str, file: str) -> Path | None:
    """The file behind a vendor URL, or None when it is not one we serve."""
    if package not in SERVED_PACKAGES or pinned != version(package):
        return None
    if not file.endswith(SERVED_SUFFIXES):
        return None
    root = (NODE_MODULES / package).resolve()
    path = (root / file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path
