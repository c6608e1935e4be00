"""OGC API – Features under /ogc: landing page, conformance and the collection documents.

GIS clients (QGIS, ArcGIS, GDAL's OAPIF driver) read these to find the
collections; staff collections need a bearer token and are listed only to
those who may read them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.security.access import Principal, PrincipalDep, require
from app.services import ogc as service
from app.web.api.ogc_common import (
    COLLECTIONS,
    CRS84,
    EPSG3006,
    GEOJSON,
    HTML,
    JSON,
    TRS,
    base,
    html_page,
    html_table,
    json_answer,
    link,
    self_links,
    wants_html,
)
from app.web.deps import AreaDep, DbDep, SettingsDep

router = APIRouter(prefix="/ogc", tags=["OGC API – Features"])

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
]
# Not declared: .../conf/oas30, since FastAPI describes the API in OpenAPI 3.1.


@router.get("", summary="OGC API – Features landing page")
async def landing(request: Request, settings: SettingsDep) -> Response:
    root = base(request) + "/ogc"
    links = self_links(request)
    if settings.docs_enabled:
        links.append(
            link(
                base(request) + "/openapi.json",
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.1",
                "The API definition (OpenAPI 3.1)",
            )
        )
        links.append(link(base(request) + "/docs", "service-doc", HTML, "The API documentation"))
    links += [
        link(root + "/conformance", "conformance", JSON, "Conformance classes"),
        link(root + "/collections", "data", JSON, "Collections"),
    ]
    title = "Trygghetskartan – OGC API – Features"
    description = "Hotspots (public), reports and redesign sites (staff, with a bearer token)."
    if wants_html(request):
        return html_page(title, f"<p>{description}</p>", links)
    return json_answer({"title": title, "description": description, "links": links})


@router.get("/conformance", summary="The conformance classes this service implements")
async def conformance(request: Request) -> Response:
    if wants_html(request):
        items = "".join(f"<li>{c}</li>" for c in CONFORMANCE)
        return html_page("Conformance", f"<ul>{items}</ul>", self_links(request))
    return json_answer({"conformsTo": CONFORMANCE})


async def _collection(
    request: Request, db: DbDep, area: AreaDep, name: str, *, single: bool
) -> dict[str, Any]:
    root = base(request) + "/ogc/collections/" + name
    meta = COLLECTIONS[name]
    links = [
        link(root + "/items?f=json", "items", GEOJSON, "Items as GeoJSON"),
        link(root + "/items?f=html", "items", HTML, "Items as HTML"),
        link(
            root + "/tiles",
            "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
            JSON,
            "Vector tiles (MVT)",
        ),
    ]
    if single:
        links = self_links(request) + links
    else:
        links = [link(root + "?f=json", "self", JSON), link(root + "?f=html", "alternate", HTML)]
        links += [link(root + "/items?f=json", "items", GEOJSON)]
    w, s, e, n = area.polygon.bounds
    extent: dict[str, Any] = {"spatial": {"bbox": [[w, s, e, n]], "crs": CRS84}}
    if name != "hotspots":
        first, last = await service.time_span(db, name)
        interval = [[first.isoformat() if first else None, last.isoformat() if last else None]]
        extent["temporal"] = {"interval": interval, "trs": TRS}
    return {
        "id": name,
        "title": meta["title"],
        "description": meta["description"],
        "itemType": "feature",
        "crs": [CRS84, EPSG3006],
        "storageCrs": CRS84,
        "extent": extent,
        "links": links,
    }


def _visible(principal: Principal) -> list[str]:
    return [
        name
        for name, meta in COLLECTIONS.items()
        if "action" not in meta or (principal.is_staff and principal.may(meta["action"]))
    ]


def _answer(request: Request, doc: dict[str, Any]) -> Response:
    headers = {"Vary": "Authorization, Cookie, Accept"}
    if wants_html(request):
        body = f"<p>{doc['description']}</p>" + html_table(
            [{"crs": c} for c in doc["crs"]], ["crs"]
        )
        return html_page(doc["title"], body, doc["links"])
    return json_answer(doc, headers=headers)


@router.get("/collections", summary="The collections you may read")
async def collections(
    request: Request, db: DbDep, area: AreaDep, principal: PrincipalDep
) -> Response:
    docs = [await _collection(request, db, area, n, single=False) for n in _visible(principal)]
    links = self_links(request)
    if wants_html(request):
        rows = [{"id": d["id"], "title": d["title"], "description": d["description"]} for d in docs]
        body = html_table(rows, ["id", "title", "description"])
        return html_page("Collections", body, links + [d["links"][0] for d in docs])
    return json_answer(
        {"links": links, "collections": docs}, headers={"Vary": "Authorization, Cookie, Accept"}
    )


@router.get("/collections/hotspots", summary="The public hotspots collection")
async def hotspots_collection(request: Request, db: DbDep, area: AreaDep) -> Response:
    return _answer(request, await _collection(request, db, area, "hotspots", single=True))


@router.get("/collections/reports", summary="The staff reports collection")
async def reports_collection(
    request: Request,
    db: DbDep,
    area: AreaDep,
    _: Annotated[Principal, require("reports:read")],
) -> Response:
    return _answer(request, await _collection(request, db, area, "reports", single=True))


@router.get("/collections/sites", summary="The staff redesign sites collection")
async def sites_collection(
    request: Request,
    db: DbDep,
    area: AreaDep,
    _: Annotated[Principal, require("sites:read")],
) -> Response:
    return _answer(request, await _collection(request, db, area, "sites", single=True))
