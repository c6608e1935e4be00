"""Which role may do what: the one place access rules are written down."""

from __future__ import annotations

ROLES = ("police", "planner", "moderator", "admin")

MATRIX: dict[str, frozenset[str]] = {
    "reports:read": frozenset({"police", "planner"}),
    "hotspots:detail": frozenset({"police", "planner", "admin"}),
    "hotspots:export": frozenset({"police", "planner"}),
    "moderation": frozenset({"moderator", "admin"}),
    "moderation:revert": frozenset({"admin"}),
    "users:manage": frozenset({"admin"}),
    "tokens:own": frozenset({"police", "planner", "moderator", "admin"}),
    "audit:read": frozenset({"admin"}),
    "settings:manage": frozenset({"admin"}),
    "patrol:plan": frozenset({"police"}),
    "sites:manage": frozenset({"planner"}),
    "sites:read": frozenset({"planner", "police", "admin"}),
    "promises:manage": frozenset({"admin"}),
}


def allowed_roles(action: str) -> frozenset[str]:
    try:
        return MATRIX[action]
    except KeyError:  # an action nobody wrote down is allowed to nobody
        return frozenset()
