"""Every route x every role (anonymous included) answers as the matrix says.

Routes are read from the app, so a route added later is covered at once: it
either depends on `require("action")` (and the matrix decides) or is listed
in `app.security.matrix.PUBLIC_ROUTES`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from app.security.matrix import MATRIX, PUBLIC_ROUTES, ROLES, allowed_roles
from tests.security.routes import all_routes


def test_every_route_is_public_or_guarded(client: TestClient) -> None:
    routes = all_routes(client.app)  # type: ignore[arg-type]
    unguarded = sorted(r.key for r in routes if not r.actions and r.key not in PUBLIC_ROUTES)
    assert not unguarded, (
        "routes without require(...) that are not listed in app.security.matrix.PUBLIC_ROUTES: "
        f"{unguarded}"
    )
    stale = sorted(PUBLIC_ROUTES - {r.key for r in routes})
    guarded_public = sorted(r.key for r in routes if r.actions and r.key in PUBLIC_ROUTES)
    assert not guarded_public, f"listed as public but guarded: {guarded_public}"
    assert not stale, f"listed in PUBLIC_ROUTES but no such route: {stale}"
    unknown = sorted({a for r in routes for a in r.actions} - set(MATRIX))
    assert not unknown, f"actions not in the matrix (nobody may do them): {unknown}"


def test_role_matrix(client: TestClient, staff_headers: Callable[..., dict[str, str]]) -> None:
    routes = [r for r in all_routes(client.app) if r.actions]  # type: ignore[arg-type]
    assert routes
    principals = {role: staff_headers(role) for role in ROLES}
    principals["anonymous"] = {}
    wrong = []
    for route in routes:
        url = route.url()
        for who, headers in principals.items():
            answer = client.request(
                route.method,
                url,
                headers={**headers, "Accept": "application/json"},
                json={} if route.method in ("POST", "PATCH", "PUT") else None,
                follow_redirects=False,
            )
            if who == "anonymous":
                expected = "303 to login" if route.page else "401"
                ok = (
                    answer.status_code == 303
                    and answer.headers["location"].startswith("/staff/login")
                    if route.page
                    else answer.status_code == 401
                )
            else:
                allowed = all(who in allowed_roles(a) for a in route.actions)
                expected = "allowed" if allowed else "403"
                ok = (
                    answer.status_code not in (401, 403, 500)
                    if allowed
                    else answer.status_code == 403
                )
            if not ok:
                wrong.append(f"{route.key} as {who}: {answer.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_admin_with_several_roles_gets_the_union(
    client: TestClient, staff_headers: Callable[..., dict[str, str]]
) -> None:
    both = staff_headers(["moderator", "planner"])
    assert client.get("/api/v1/reports", headers=both).status_code == 200
    assert client.get("/api/v1/moderation/queue", headers=both).status_code == 200
    assert client.get("/api/v1/users", headers=both).status_code == 403
