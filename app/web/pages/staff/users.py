"""/staff/users: admins list, create and change staff users."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.errors import DomainError
from app.security.access import Principal, require_page
from app.security.matrix import ROLES
from app.services.staff import users
from app.web.deps import DbDep
from app.web.params import path_uuid
from app.web.render import staff_page

router = APIRouter(prefix="/staff", include_in_schema=False)
HERE = "/staff/users"


@router.get("/users", response_class=HTMLResponse)
async def users_page(
    request: Request, db: DbDep, principal: Annotated[Principal, require_page("users:manage")]
) -> HTMLResponse:
    rows = await users.list_users(db)
    listed = [{**r, "id": str(r["id"]), "roles": list(r["roles"])} for r in rows]
    return staff_page(
        request,
        "staff/users.html",
        users=listed,
        roles=ROLES,
        error=request.query_params.get("error"),
    )


@router.post("/users", response_model=None)
async def users_create(
    request: Request, db: DbDep, principal: Annotated[Principal, require_page("users:manage")]
) -> Response:
    form = await request.form()
    roles = [str(r) for r in form.getlist("roles")]
    try:
        await users.create_user(
            db, principal, str(form.get("email") or ""), roles, str(form.get("password") or "")
        )
    except DomainError as exc:
        return RedirectResponse(f"{HERE}?error={quote(exc.detail)}", status_code=303)
    return RedirectResponse(HERE, status_code=303)


@router.post("/users/{user_id}", response_model=None)
async def users_change(
    user_id: str,
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require_page("users:manage")],
) -> Response:
    form = await request.form()
    try:
        await users.change_user(
            db,
            principal,
            path_uuid(user_id, "no such user"),
            roles=[str(r) for r in form.getlist("roles")],
            active=form.get("active") == "true",
        )
    except DomainError as exc:
        return RedirectResponse(f"{HERE}?error={quote(exc.detail)}", status_code=303)
    return RedirectResponse(HERE, status_code=303)
