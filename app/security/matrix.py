"""Which role may do what: the one place access rules are written down."""

from __future__ import annotations

ROLES = ("police", "planner", "moderator", "admin", "coordinator")

MATRIX: dict[str, frozenset[str]] = {
    "staff:home": frozenset({"police", "planner", "moderator", "admin", "coordinator"}),
    "reports:read": frozenset({"police", "planner"}),
    "hotspots:detail": frozenset({"police", "planner", "admin", "coordinator"}),
    "hotspots:export": frozenset({"police", "planner"}),
    "hotspots:moderate": frozenset({"moderator", "admin"}),
    "moderation": frozenset({"moderator", "admin"}),
    "moderation:revert": frozenset({"admin"}),
    "users:manage": frozenset({"admin"}),
    "tokens:own": frozenset({"police", "planner", "moderator", "admin", "coordinator"}),
    "audit:read": frozenset({"admin"}),
    "patrol:plan": frozenset({"police"}),
    "sites:manage": frozenset({"planner"}),
    # Undo a mistake: a site that never left candidate, a patrol run within 24 hours.
    "sites:delete": frozenset({"planner"}),
    "patrol_runs:delete": frozenset({"police"}),
    "sites:read": frozenset({"planner", "police", "admin"}),
    "promises:manage": frozenset({"admin"}),
    "open311:keys": frozenset({"admin"}),
    "places:rename": frozenset({"planner"}),
    "presence:manage": frozenset({"coordinator"}),
    "presence:read": frozenset({"coordinator", "police"}),
    "presence:record": frozenset({"coordinator", "police"}),
    "walks:manage": frozenset({"coordinator", "planner"}),
}


# Routes anyone may call without logging in, as "METHOD /path" exactly as the
# route is declared. Every other route must depend on `require(...)`;
# tests/security/test_role_matrix.py walks all routes and holds them to this.
PUBLIC_ROUTES: frozenset[str] = frozenset(
    {
        "GET /",
        "GET /karta",
        "GET /tillganglighet",
        "GET /healthz",
        "GET /readyz",
        "GET /openapi.json",
        "GET /docs",
        "GET /redoc",
        "GET /api/v1/reasons",
        "POST /api/v1/reports",
        "DELETE /api/v1/reports/{report_id}",
        "GET /api/v1/hotspots",
        "GET /api/v1/promises",
        "GET /loften",
        "GET /api/v1/hotspots/{hotspot_id}",
        "GET /static/{name:path}",
        "GET /static/vendor/{package_at_version:path}",
        "GET /staff/login",
        "POST /staff/login",
        "POST /staff/logout",
        # OGC API – Features: the public hotspots collection (staff ones use require()).
        "GET /ogc",
        "GET /ogc/conformance",
        "GET /ogc/collections",
        "GET /ogc/collections/hotspots",
        "GET /ogc/collections/hotspots/items",
        "GET /ogc/collections/hotspots/items/{feature_id}",
        "GET /ogc/collections/hotspots/tiles",
        "GET /ogc/collections/hotspots/tiles/WebMercatorQuad",
        "GET /ogc/collections/hotspots/tiles/WebMercatorQuad/{z}/{y}/{x}",
        # Open311 GeoReport v2: reads are public; posting checks the client's api_key.
        "GET /open311/v2/discovery.{fmt}",
        "GET /open311/v2/services.{fmt}",
        "GET /open311/v2/services/{code}.{fmt}",
        "GET /open311/v2/requests.{fmt}",
        "GET /open311/v2/requests/{request_id}.{fmt}",
        "POST /open311/v2/requests.{fmt}",
        "GET /staff/trygghetsvandring/sw.js",
    }
)


def allowed_roles(action: str) -> frozenset[str]:
    try:
        return MATRIX[action]
    except KeyError:  # an action nobody wrote down is allowed to nobody
        return frozenset()
