"""/healthz and /readyz for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.db.pool import DatabaseUnavailable
from app.repo.schema_version import current_revision
from app.services import backup, backup_schedule
from app.web.api import shapes
from app.web.deps import DbDep
from app.web.errors import error_response
from app.web.openapi import model_doc
from app.web.responses import JsonResponse

router = APIRouter(tags=["operations"])


@router.get(
    "/healthz",
    summary="The process is up",
    responses={200: model_doc(shapes.Health, "The process is up")},
)
async def healthz() -> JsonResponse:
    return JsonResponse({"status": "ok"})


@router.get(
    "/readyz",
    summary="The database is reachable, the schema current, WAL archiving and backups working",
    responses={200: model_doc(shapes.Health, "Ready")},
)
async def readyz(request: Request, db: DbDep) -> JsonResponse:
    head: str = request.app.state.schema_head
    try:
        revision = await current_revision(db)
        failing = await backup.archiving_failing_for(db, request.app.state.settings)
        backups_failing = await backup_schedule.failing_for(db, request.app.state.settings)
    except DatabaseUnavailable:
        return error_response(503, "database unreachable", {"Retry-After": "5"})
    if revision != head:
        return error_response(
            503,
            f"database schema is at {revision}, expected {head}: run `python -m app migrate`",
        )
    if failing is not None:
        # Backups stop being restorable to now: an operator must look.
        return error_response(
            503, f"WAL archiving has been failing for {failing:.0f} s: see backup-status"
        )
    if backups_failing is not None:
        return error_response(
            503, f"backups have been failing for {backups_failing:.0f} s: see backup-status"
        )
    return JsonResponse({"status": "ready", "schema": revision})
