"""What the OGC API routers share: CRS names, links, f=json|html, and the items query."""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import Request
from starlette.responses import HTMLResponse, Response

from app.errors import BadRequest, Unprocessable
from app.services.ogc import SWEREF99TM, WGS84, Query
from app.web import params

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG3006 = "http://www.opengis.net/def/crs/EPSG/0/3006"
CRS_URI = {WGS84: CRS84, SWEREF99TM: EPSG3006}
# The URIs the standard names, plus the short forms people type.
_CRS_NAMES = {
    CRS84: WGS84,
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84h": WGS84,
    "[OGC:CRS84]": WGS84,
    "OGC:CRS84": WGS84,
    "CRS84": WGS84,
    EPSG3006: SWEREF99TM,
    "[EPSG:3006]": SWEREF99TM,
    "EPSG:3006": SWEREF99TM,
}
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000

COLLECTIONS: dict[str, dict[str, str]] = {
    "hotspots": {
        "title": "Hotspots (public)",
        "description": "Ranked places where several people feel unsafe: exactly the public "
        "map's view, with its thresholds.",
    },
    "reports": {
        "title": "Reports (staff)",
        "description": "Raw reports, newest first; free text only once moderated. "
        "Every read is audited.",
        "action": "reports:read",
    },
    "sites": {
        "title": "Redesign sites (staff)",
        "description": "Places being redesigned, with status, measures and dates.",
        "action": "sites:read",
    },
}


def crs_of(value: str | None, name: str) -> int:
    if value is None or value == "":
        return WGS84
    srid = _CRS_NAMES.get(value.strip())
    if srid is None:
        raise BadRequest(f"{name}: '{value}' is not offered; use {CRS84} or {EPSG3006}")
    return srid


def base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def wants_html(request: Request) -> bool:
    """`f=html|json` decides; without it a browser's Accept header does."""
    f = request.query_params.get("f")
    if f is not None:
        if f not in ("json", "html"):
            raise BadRequest("f: use json or html")
        return f == "html"
    accept = request.headers.get("accept", "")
    return HTML in accept and JSON not in accept and GEOJSON not in accept


def link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def self_links(request: Request, json_type: str = JSON) -> list[dict[str, str]]:
    """`self` and `alternate` for the current URL in JSON and HTML."""
    keep = {k: v for k, v in request.query_params.items() if k != "f"}
    url = base(request) + request.url.path

    def with_f(f: str) -> str:
        return url + "?" + urlencode({**keep, "f": f})

    html_wanted = wants_html(request)
    return [
        link(with_f("html" if html_wanted else "json"), "self", HTML if html_wanted else json_type),
        link(
            with_f("json" if html_wanted else "html"),
            "alternate",
            json_type if html_wanted else HTML,
        ),
    ]


@dataclass(frozen=True)
class Items:
    query: Query
    crs: str


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"{name}: a whole number, please") from exc
    if value < (1 if name == "limit" else 0):
        raise BadRequest(f"{name}: too small")
    return value


def items_query(request: Request) -> Items:
    """The items parameters; problems are 400 Bad Request, as OGC API – Features wants."""
    q = request.query_params
    try:
        srid = crs_of(q.get("crs"), "crs")
        bbox_srid = crs_of(q.get("bbox-crs"), "bbox-crs")
        raw_box = q.get("bbox")
        box = params.bbox(raw_box) if bbox_srid == WGS84 else params.corners(raw_box)
        since, until = params.interval(q.get("datetime"))
    except Unprocessable as exc:
        raise BadRequest(exc.detail) from exc
    limit = min(_int(request, "limit", DEFAULT_LIMIT), MAX_LIMIT)
    offset = _int(request, "offset", 0)
    after, before = _key(q.get("after"), "after"), _key(q.get("before"), "before")
    if after is not None and before is not None:
        raise BadRequest("after, before: give one of them")
    query = Query(
        box, bbox_srid, since, until, limit, offset, srid, after or before, before is not None
    )
    return Items(query, CRS_URI[srid])


def _key(raw: str | None, name: str) -> tuple[datetime, uuid.UUID] | None:
    """A page key from a `next`/`prev` link: `<created_at UTC>_<id>`."""
    if raw is None or raw == "":
        return None
    at, _, fid = raw.partition("_")
    try:
        moment = datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        return moment, uuid.UUID(fid)
    except ValueError as exc:
        raise BadRequest(f"{name}: follow the next and prev links as given") from exc


def page_href(request: Request, q: Query) -> str:
    """This URL without paging parameters and with `limit`: a page key follows."""
    drop = ("offset", "limit", "f", "after", "before")
    keep = {k: v for k, v in request.query_params.items() if k not in drop}
    return base(request) + request.url.path + "?" + urlencode({**keep, "limit": q.limit})


def paging_links(request: Request, q: Query, more: bool) -> list[dict[str, str]]:
    drop = ("offset", "limit", "f", "after", "before")
    keep = {k: v for k, v in request.query_params.items() if k not in drop}
    url = base(request) + request.url.path
    out = []
    if more:
        query = urlencode({**keep, "limit": q.limit, "offset": q.offset + q.limit})
        out.append(link(f"{url}?{query}", "next", GEOJSON, "Next page"))
    if q.offset > 0:
        query = urlencode({**keep, "limit": q.limit, "offset": max(0, q.offset - q.limit)})
        out.append(link(f"{url}?{query}", "prev", GEOJSON, "Previous page"))
    return out


def json_answer(
    body: Any, media_type: str = JSON, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), media_type=media_type, headers=headers
    )


# --- HTML ---------------------------------------------------------------------


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return html.escape(orjson.dumps(value).decode())
    return "" if value is None else html.escape(str(value))


def html_page(title: str, body: str, links: list[dict[str, str]]) -> HTMLResponse:
    nav = "".join(
        f'<li><a href="{html.escape(k["href"])}">{html.escape(k.get("title") or k["rel"])}'
        f"</a> ({html.escape(k['type'])})</li>"
        for k in links
    )
    text = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1>{body}<h2>Links</h2><ul>{nav}</ul></body></html>"
    )
    return HTMLResponse(text, headers={"Cache-Control": "private, no-store"})


def html_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def features_html(
    request: Request, title: str, features: list[dict[str, Any]], links: list[dict[str, str]]
) -> HTMLResponse:
    """Features as a table: id (linked), properties, geometry type."""
    columns: list[str] = []
    rows = []
    path = base(request) + request.url.path.rstrip("/")
    single = path.split("/")[-2] == "items"
    for feature in features:
        props = feature.get("properties") or {}
        for key in props:
            if key not in columns:
                columns.append(key)
        fid = str(feature.get("id"))
        href = path if single else f"{path}/{fid}"
        rows.append({"id": fid, "href": href, **props, "geometry": feature["geometry"]["type"]})
    table = html_table(rows, ["id", *columns, "geometry"])
    # Link each id to its item page (ids are UUIDs: nothing to escape beyond the usual).
    for row in rows:
        cell = f"<td>{_cell(row['id'])}</td>"
        anchor = f'<td><a href="{html.escape(row["href"])}?f=html">{_cell(row["id"])}</a></td>'
        table = table.replace(cell, anchor, 1)
    return html_page(title, table, links)
