"""Which role may do what: the one place access rules are written down."""

from __future__ import annotations

ROLES = ("police", "planner", "moderator", "admin")

MATRIX: dict[str, frozenset[str]] = {
    "staff:home": frozenset({"police", "planner", "moderator", "admin"}),
    "reports:read": frozenset({"police", "planner"}),
    "hotspots:detail": frozenset({"police", "planner", "admin"}),
    "hotspots:export": frozenset({"police", "planner"}),
    "hotspots:moderate": frozenset({"moderator", "admin"}),
    "moderation": frozenset({"moderator", "admin"}),
    "moderation:revert": frozenset({"admin"}),
    "users:manage": frozenset({"admin"}),
    "tokens:own": frozenset({"police", "planner", "moderator", "admin"}),
    "audit:read": frozenset({"admin"}),
    "patrol:plan": frozenset({"police"}),
    "sites:manage": frozenset({"planner"}),
    "sites:read": frozenset({"planner", "police", "admin"}),
    "promises:manage": frozenset({"admin"}),
}


# Routes anyone may call without logging in, as "METHOD /path" exactly as the
# route is declared. Every other route must depend on `require(...)`;
# tests/security/test_role_matrix.py walks all routes and holds them to this.
PUBLIC_ROUTES: frozenset[str] = frozenset(
    {
        "GET /",
        "GET /karta",
        "GET /healthz",
        "GET /readyz",
        "GET /openapi.json",
        "GET /docs",
        "GET /docs/oauth2-redirect",
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
    }
)


def allowed_roles(action: str) -> frozenset[str]:
    try:
        return MATRIX[action]
    except KeyError:  # an action nobody wrote down is allowed to nobody
        return frozenset()
