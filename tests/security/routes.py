"""Every route of the app with the actions its `require(...)` dependencies check."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from app.security.access import RoleCheck

try:  # FastAPI >= 0.130 keeps included routers lazily; this flattens them.
    from fastapi.routing import iter_route_contexts as _contexts
except ImportError:  # pragma: no cover - older FastAPI lists routes flat

    def _contexts(routes: Any) -> Any:
        return routes


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    actions: tuple[str, ...]
    page: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def url(self) -> str:
        # Fill path parameters with values that exist nowhere.
        def fill(match: re.Match[str]) -> str:
            return "x" if match.group(0).endswith(":path}") else str(uuid.uuid4())

        return re.sub(r"\{[^}]+\}", fill, self.path)


def _checks(dependant: Any) -> Iterator[RoleCheck]:
    if dependant is None:
        return
    if isinstance(dependant.call, RoleCheck):
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _checks(sub)


def all_routes(app: FastAPI) -> list[RouteInfo]:
    found = []
    for route in _contexts(app.routes):
        methods = getattr(route, "methods", None) or set()
        path = getattr(route, "path", None)
        if path is None:
            continue
        checks = list(_checks(getattr(route, "dependant", None)))
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            found.append(
                RouteInfo(
                    method,
                    path,
                    tuple(sorted({c.action for c in checks})),
                    any(c.page for c in checks),
                )
            )
    return found
