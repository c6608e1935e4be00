"""GET /api/v1/hotspots: ranked hotspots (public or staff view) and planners' exports."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response

from app.config import Settings
from app.db.pool import Database
from app.domain.filters import DEFAULT_KEY, ReportFilter
from app.errors import NotFound, Unprocessable
from app.repo.hotspots import reviews
from app.security import audit
from app.security.access import Principal, PrincipalDep, require
from app.services import hotspots as store
from app.services.exports import FORMATS, build_export
from app.services.hotspots import reading, review, serving
from app.web import params
from app.web.answer_cache import Answer, AnswerCache
from app.web.api import shapes
from app.web.deps import DbDep, ReadDbDep, SettingsDep
from app.web.filters import FiltersDep
from app.web.openapi import model_doc, ref
from app.web.responses import GeoJsonResponse

router = APIRouter(prefix="/api/v1/hotspots", tags=["hotspots"])

STALE_HEADER = "Hotspots-Stale"


def _is_staff(principal: Principal) -> bool:
    return principal.is_staff and principal.may("hotspots:detail")


# Public requests may only ask what the public map offers (a small, cacheable set).
AD_HOC = ("since", "until")


def _public_only(request: Request, filters: ReportFilter) -> None:
    for name in AD_HOC:
        if name in request.query_params:
            raise Unprocessable(f"{name}: the public map takes a period (e.g. period=last12)")
    if len(filters.reasons) > 1:
        raise Unprocessable("reasons: the public map takes one reason at a time")


async def _serve(
    db: Database,
    settings: Settings,
    filters: ReportFilter,
    principal: Principal | None,
    read: Database | None = None,
) -> serving.Served:
    """The run to answer from, at once when one exists (stale or not), see `serving`.

    Public reads (`principal` None) may come from `read`, the hot standby.
    """
    ctx = store.context_of(settings)
    user = None
    if principal is not None:
        user = str(principal.user_id or principal.email or principal.via)
    return await serving.serve(
        db,
        ctx,
        filters,
        wait=settings.hotspot_wait_seconds,
        read=read,
        user=user,
        user_limit=settings.staff_compute_concurrency,
        timeout_ms=None
        if filters.key() == DEFAULT_KEY
        else int(settings.staff_compute_timeout_seconds * 1000),
    )


def _headers(staff: bool, stale: bool, etag: str | None = None) -> dict[str, str]:
    headers = {"Vary": "Authorization, Cookie"}
    headers["Cache-Control"] = "private, no-store" if staff else "public, max-age=30"
    if stale:
        headers[STALE_HEADER] = "true"
    if etag is not None:
        headers["ETag"] = etag
    return headers


async def _etag(served: serving.Served, staff: bool) -> str:
    """The run id, and for the public the moderators' decisions, which change the answer."""
    run_id = 0 if served.run is None else int(served.run["id"])
    return f'"{run_id}.{"s" if staff else await reviews.stamp(served.source)}"'


def _not_modified(request: Request, etag: str) -> bool:
    wanted = request.headers.get("if-none-match", "")
    return etag in {t.strip() for t in wanted.split(",")} or wanted.strip() == "*"


@router.get(
    "",
    summary="Ranked hotspots (public view, or every hotspot and detail for staff)",
    response_class=GeoJsonResponse,
    responses={
        200: model_doc(
            shapes.FeatureCollection, "Hotspots ranked by score", "application/geo+json"
        ),
        422: {"description": "A filter is not valid; `detail` says which and why"},
    },
)
async def list_hotspots(
    request: Request,
    db: DbDep,
    read: ReadDbDep,
    settings: SettingsDep,
    filters: FiltersDep,
    principal: PrincipalDep,
) -> Response:
    """A FeatureCollection ranked by score; each Feature's `id` is the stable hotspot id.

    Without login only hotspots with at least `public_min_reporters` distinct
    people and independent support are shown, as generalised shapes, with
    counts below that threshold left out; filters are a fixed `period`,
    times, days and one reason. The last completed result is served at once
    (`ETag`, 304 on `If-None-Match`; `Hotspots-Stale: true` while a newer one
    is being computed).
    """
    if _is_staff(principal):
        return await _answer(request, db, read, settings, filters, principal)
    _public_only(request, filters)

    async def serve() -> serving.Served:
        return await _serve(db, settings, filters, None, read)

    async def collection(served: serving.Served) -> str:
        return await reading.named_collection(db, settings, served, filters, public=True)

    async def build() -> Answer:
        served, body = await serving.read_current(await serve(), serve, collection)
        return Answer(body.encode(), await _etag(served, False), served.stale)

    # A read spike is answered from memory (TRYGG_PUBLIC_HOTSPOT_CACHE_SECONDS).
    answers: AnswerCache = request.app.state.hotspot_answers
    answer = await answers.answer(filters.key(), build)
    headers = _headers(False, answer.stale, answer.etag)
    if _not_modified(request, answer.etag):
        return Response(status_code=304, headers=headers)
    return GeoJsonResponse(answer.body, headers=headers)


async def _answer(
    request: Request,
    db: Database,
    read: Database | None,
    settings: Settings,
    filters: ReportFilter,
    principal: Principal,
) -> Response:
    """The staff answer, always from the database."""

    async def serve() -> serving.Served:
        return await _serve(db, settings, filters, principal, read)

    async def collection(served: serving.Served) -> str:
        return await reading.named_collection(db, settings, served, filters, public=False)

    served = await serve()
    etag = await _etag(served, True)
    if _not_modified(request, etag):
        return Response(status_code=304, headers=_headers(True, served.stale, etag))
    served, body = await serving.read_current(served, serve, collection)
    etag = await _etag(served, True)
    return GeoJsonResponse(body, headers=_headers(True, served.stale, etag))


@router.get(
    "/export",
    summary="Download hotspots as GeoJSON, GeoPackage (EPSG:3006) or CSV (staff)",
    responses={
        200: {
            "description": "The file",
            "content": {
                "application/geo+json": {"schema": ref(shapes.FeatureCollection)},
                "application/geopackage+sqlite3": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        401: {"description": "Not logged in"},
        403: {"description": "Your roles do not allow exports"},
    },
)
async def export_hotspots(
    db: DbDep,
    settings: SettingsDep,
    filters: FiltersDep,
    principal: Annotated[Principal, require("hotspots:export")],
    format: Annotated[str, Query(description="geojson, gpkg or csv")] = "geojson",
) -> Response:
    if format not in FORMATS:
        raise Unprocessable(f"format: '{format}' is not one of {', '.join(FORMATS)}")
    served = await _serve(db, settings, filters, principal)
    run, stale = served.run, served.stale
    if run is None:
        raise NotFound("no hotspot result yet; try again shortly")
    export = await build_export(db, int(run["id"]), filters, format)
    await audit.record(
        db,
        principal,
        "hotspots:export",
        target=format,
        details={"format": format, "filters": filters.describe(), "run": int(run["id"])},
        rows=export.rows,
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{export.filename}"',
        "Cache-Control": "private, no-store",
        # Which filters made this file (the GeoPackage also keeps them as layer metadata).
        "Hotspots-Filters": orjson.dumps(filters.describe()).decode(),
    }
    if stale:
        headers[STALE_HEADER] = "true"
    return Response(export.body, media_type=export.media_type, headers=headers)


@router.get(
    "/{hotspot_id}",
    summary="One hotspot of the current result",
    response_class=GeoJsonResponse,
    responses={
        200: model_doc(shapes.Feature, "The hotspot", "application/geo+json"),
        404: {"description": "No such hotspot in the current result"},
    },
)
async def get_hotspot(
    hotspot_id: str,
    request: Request,
    db: DbDep,
    read: ReadDbDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Response:
    """One hotspot of the current unfiltered result, with the same `ETag` (304 on
    `If-None-Match`), `Cache-Control` and `Hotspots-Stale` as the list."""
    wanted = params.path_uuid(hotspot_id, "no hotspot with that id")
    staff = _is_staff(principal)
    # The unfiltered run is always computed in the background: no staff slot needed.

    async def serve() -> serving.Served:
        return await _serve(db, settings, ReportFilter(), None, None if staff else read)

    async def feature_of(served: serving.Served) -> dict[str, Any] | None:
        return await reading.named_feature(db, settings, served, wanted, public=not staff)

    served = await serve()
    etag = await _etag(served, staff)
    if _not_modified(request, etag):
        return Response(status_code=304, headers=_headers(staff, served.stale, etag))
    served, feature = await serving.read_current(served, serve, feature_of)
    etag = await _etag(served, staff)
    if feature is None:
        raise NotFound("no hotspot with that id in the current result")
    return GeoJsonResponse(feature, headers=_headers(staff, served.stale, etag))


Moderator = Annotated[Principal, require("hotspots:moderate")]


@router.post(
    "/{hotspot_id}/publish",
    summary="Publish a held place (moderators; audited)",
    responses={404: {"description": "No such hotspot in the current result"}},
)
async def publish_hotspot(hotspot_id: str, db: DbDep, principal: Moderator) -> dict[str, Any]:
    """Show a place the independence gate held; staff saw why it was held."""
    wanted = params.path_uuid(hotspot_id, review.NOT_FOUND)
    return await review.decide(db, principal, wanted, "published")


@router.post(
    "/{hotspot_id}/reject",
    summary="Keep a place off the public map (moderators; audited)",
    responses={404: {"description": "No such hotspot in the current result"}},
)
async def reject_hotspot(hotspot_id: str, db: DbDep, principal: Moderator) -> dict[str, Any]:
    """The place stays off the public views until more independent support arrives."""
    wanted = params.path_uuid(hotspot_id, review.NOT_FOUND)
    return await review.decide(db, principal, wanted, "rejected")
