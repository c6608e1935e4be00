"""SQL behind the OGC API – Features collections `reports` and `sites`, and CRS helpers.

Each feature is built as GeoJSON text by PostGIS (json_build_object +
ST_AsGeoJSON); the web layer only joins a page of them. EPSG:3006 output is
(northing, easting), the axis order the EPSG register gives that CRS.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Text,
    Uuid,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.elements import TextClause

from app.db.pool import Database, Row
from app.db.tables.planning import sites
from app.db.tables.reports import reports
from app.repo.users import TOKEN_CTES, TOKEN_USER_JOIN

WGS84 = 4326
SWEREF99TM = 3006


@dataclass(frozen=True)
class Query:
    """One items request: a bbox in `bbox_srid`, a half-open time interval, a page."""

    bbox: tuple[float, float, float, float] | None = None
    bbox_srid: int = WGS84
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 10
    offset: int = 0
    srid: int = WGS84
    # A keyset page: Features older than this (created_at, id), or newer when `backward`.
    key: tuple[datetime, uuid.UUID] | None = None
    backward: bool = False


def _geometry(geom: Any, geom_3006: Any, srid: int) -> ColumnElement[Any]:
    if srid == SWEREF99TM:
        return cast(func.ST_AsGeoJSON(func.ST_FlipCoordinates(geom_3006), 2), JSON)
    return cast(func.ST_AsGeoJSON(geom, 7), JSON)


def _envelope(geom: Any, geom_3006: Any, q: Query) -> ColumnElement[bool]:
    assert q.bbox is not None
    if q.bbox_srid == SWEREF99TM:
        # bbox-crs EPSG:3006 gives northing before easting, as its axes are ordered.
        south, west, north, east = q.bbox
        return func.ST_Intersects(
            geom_3006, func.ST_MakeEnvelope(west, south, east, north, SWEREF99TM)
        )
    return func.ST_Intersects(geom, func.ST_MakeEnvelope(*q.bbox, WGS84))


def _key(name: str) -> ColumnElement[str]:
    """A JSON key as an SQL string constant (names from this module only, never user input)."""
    assert name.isidentifier()
    return literal_column(f"'{name}'", Text)


def _feature(fid: Any, geometry: ColumnElement[Any], props: list[Any]) -> ColumnElement[str]:
    return cast(
        func.json_build_object(
            _key("type"),
            _key("Feature"),
            _key("id"),
            fid,
            _key("geometry"),
            geometry,
            _key("properties"),
            func.json_build_object(*props),
        ),
        Text,
    )


def _pairs(columns: list[Any]) -> list[Any]:
    out: list[Any] = []
    for column in columns:
        out.extend([_key(column.key), column])
    return out


# Each report's properties and CRS84 geometry are kept as JSON text in
# `report_features` (migration 0018's triggers); a Feature is those pieces
# joined, in the very text json_build_object writes, so nothing is built per
# row per page. EPSG:3006 geometry is still made per row (seldom asked).
def _stored_feature(geometry: str) -> str:
    """SQL for one Feature's text from `k.id`, `f.properties` and a geometry expression."""
    return (
        """'{"type" : "Feature", "id" : "' || k.id || '", "geometry" : ' || """
        f"""{geometry} || ', "properties" : ' || f.properties || '}}'"""
    )


_GEOMETRY = {
    WGS84: ("", "f.geometry"),
    SWEREF99TM: (
        "JOIN reports r ON r.id = k.id",
        "ST_AsGeoJSON(ST_FlipCoordinates(r.geom_3006), 2)",
    ),
}
_BOX = {
    WGS84: "ST_Intersects(r.geom, ST_MakeEnvelope(:west, :south, :east, :north, 4326))",
    SWEREF99TM: "ST_Intersects(r.geom_3006, ST_MakeEnvelope(:west, :south, :east, :north, 3006))",
}
_CURSOR = {
    "after": "(r.created_at, r.id) < (:key_at, :key_id)",
    "before": "(r.created_at, r.id) > (:key_at, :key_id)",
}
# A page key: created_at (UTC, microseconds) and id, as `next`/`prev` links carry it.
_KEY = """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '_' || id"""


# A bearer token looked up by the page's own statement (`by_token`): the same
# lookup and once-a-minute "last used" note as app.repo.users.token_user (the
# same CTEs), and whether the user's roles allow the read. The page, and its audit entry, are
# made only when they do; the caller answers 401/403 from the user columns.
_WHO = f"""{TOKEN_CTES}, who AS (
    SELECT u.id, u.email, u.roles, u.roles && CAST(:allowed AS text[]) AS allowed
    FROM {TOKEN_USER_JOIN}
),"""
_SHOWN = "(SELECT count(*) FROM kept)"
_AUDIT = {
    False: f"VALUES (:user_id, :actor, :via, :action, :target, :details, {_SHOWN})",
    True: f"SELECT who.id, who.email, :via, :action, :target, :details, {_SHOWN} "
    "FROM who WHERE who.allowed",
}


@lru_cache(maxsize=256)
def _report_collection_sql(
    srid: int,
    bbox_srid: int | None,
    since: bool,
    until: bool,
    cursor: str | None,
    by_token: bool = False,
) -> TextClause:
    """The whole items FeatureCollection of `reports` for one shape of query.

    One statement: the keyset page (newest first; `before` reads the other
    way and turns round), its audit entry, the Features and the paging links,
    all concatenated into the response body. The page's keys come first from
    the (created_at, id) index alone, so an `offset` skips index entries, not
    table rows; then only the page's stored Feature pieces are read. A text()
    statement is compiled once by the pool; no value is ever part of the text.
    """
    where = [_BOX[bbox_srid]] if bbox_srid is not None else []
    where += ["r.created_at >= :since"] if since else []
    where += ["r.created_at < :until"] if until else []
    where += [_CURSOR[cursor]] if cursor is not None else []
    where += ["EXISTS (SELECT FROM who WHERE who.allowed)"] if by_token else []
    way = "ASC" if cursor == "before" else "DESC"
    join, geometry = _GEOMETRY[srid]
    sql = f"""
WITH {_WHO if by_token else ""} page AS (
    SELECT r.created_at, r.id FROM reports r
    {"WHERE " + " AND ".join(where) if where else ""}
    ORDER BY r.created_at {way}, r.id {way} LIMIT :limit + 1 OFFSET :offset
), kept AS (
    SELECT created_at, id FROM page ORDER BY created_at {way}, id {way} LIMIT :limit
), audited AS (
    INSERT INTO audit_log (user_id, actor, via, action, target, details, rows)
    {_AUDIT[by_token]}
), body AS (
    SELECT count(*) AS n,
        string_agg({_stored_feature(geometry)}, ','
                   ORDER BY k.created_at DESC, k.id DESC) AS features,
        (SELECT count(*) FROM page) > :limit AS more,
        -- The newest and oldest Feature shown, for the `prev` and `next` keys.
        (SELECT {_KEY} FROM kept ORDER BY created_at DESC, id DESC LIMIT 1) AS first_key,
        (SELECT {_KEY} FROM kept ORDER BY created_at, id LIMIT 1) AS last_key
    FROM kept k JOIN report_features f ON f.id = k.id {join}
)
SELECT convert_to('{{"type":"FeatureCollection","features":[' || COALESCE(b.features, '')
    || '],"numberReturned":' || b.n || ',"timeStamp":"' || :stamp || '","links":'
    || (CAST(:links AS jsonb)
        || CASE WHEN b.n > 0 AND (b.more OR :backward) THEN jsonb_build_array(jsonb_build_object(
               'href', :href || '&after=' || b.last_key, 'rel', 'next',
               'type', 'application/geo+json', 'title', 'Next page')) ELSE '[]' END
        || CASE WHEN b.n > 0 AND ((:backward AND b.more) OR (NOT :backward AND :later))
               THEN jsonb_build_array(jsonb_build_object(
               'href', :href || '&before=' || b.first_key, 'rel', 'prev',
               'type', 'application/geo+json', 'title', 'Previous page')) ELSE '[]' END
       )::text || '}}', 'UTF8') AS body
    {", w.id, w.email, w.roles FROM body b LEFT JOIN who w ON true" if by_token else "FROM body b"}
"""
    typed = [
        bindparam("user_id", type_=Uuid),
        bindparam("token_hash", type_=LargeBinary),
        bindparam("allowed", type_=ARRAY(Text)),
        bindparam("key_id", type_=Uuid),
        bindparam("details", type_=JSONB),
        bindparam("links", type_=Text),
        bindparam("href", type_=Text),
        bindparam("stamp", type_=Text),
        bindparam("backward", type_=Boolean),
        bindparam("later", type_=Boolean),
        *(bindparam(n, type_=Integer) for n in ("limit", "offset")),
        *(bindparam(n, type_=Float) for n in ("west", "south", "east", "north")),
        *(bindparam(n, type_=DateTime(timezone=True)) for n in ("since", "until", "key_at")),
    ]
    return text(sql).bindparams(*[b for b in typed if f":{b.key}" in sql])


@dataclass(frozen=True)
class PageLinks:
    """What the items statement needs to write the links: all strings from the web layer."""

    links_json: str  # self and alternate, a JSON array
    href: str  # this URL without paging parameters, with `limit`: `after`/`before` follow
    stamp: str  # timeStamp


@dataclass(frozen=True)
class TokenCheck:
    """A bearer token for the items statement to look up, and the roles that may read."""

    token_hash: bytes
    allowed_roles: list[str]


async def report_collection(
    db: Database,
    q: Query,
    audit: dict[str, Any],
    links: PageLinks,
    token: TokenCheck | None = None,
) -> tuple[bytes, Row | None]:
    """The items page of `reports` as GeoJSON FeatureCollection bytes, ready to send.

    The `audit` entry is written by the same statement, with the number of
    Features shown: one round trip and one commit for the read and its record.
    With a `token`, that statement also looks the token up (its user's `id`,
    `email` and `roles` come back, None when the token is not valid) and
    makes the page and the entry only when the roles allow; `audit` then
    needs no user. No count of all matches: it would cost a scan on every page.
    """
    cursor = None if q.key is None else ("before" if q.backward else "after")
    stmt = _report_collection_sql(
        q.srid,
        None if q.bbox is None else q.bbox_srid,
        q.since is not None,
        q.until is not None,
        cursor,
        token is not None,
    )
    values: dict[str, Any] = {
        **audit,
        "limit": q.limit,
        "offset": q.offset,
        "since": q.since,
        "until": q.until,
        "links": links.links_json,
        "href": links.href,
        "stamp": links.stamp,
        "backward": q.backward,
        "later": q.key is not None or q.offset > 0,
    }
    if token is not None:
        values["token_hash"], values["allowed"] = token.token_hash, token.allowed_roles
    if q.key is not None:
        values["key_at"], values["key_id"] = q.key
    if q.bbox is not None:
        if q.bbox_srid == SWEREF99TM:
            # bbox-crs EPSG:3006 gives northing before easting, as its axes are ordered.
            values.update(zip(("south", "west", "north", "east"), q.bbox, strict=True))
        else:
            values.update(zip(("west", "south", "east", "north"), q.bbox, strict=True))
    row = await db.fetch_one(stmt, values=values)
    assert row is not None  # an aggregate: always one row
    who = None
    if token is not None and row["id"] is not None:
        who = {"id": row["id"], "email": row["email"], "roles": row["roles"]}
    return bytes(row["body"]), who


@lru_cache(maxsize=2)
def _report_feature_sql(srid: int) -> TextClause:
    join, geometry = _GEOMETRY[srid]
    return text(
        f"SELECT {_stored_feature(geometry)} AS feature "
        f"FROM report_features f JOIN reports k ON k.id = f.id {join} WHERE f.id = :id"
    ).bindparams(bindparam("id", type_=Uuid))


async def report_feature(db: Database, report_id: uuid.UUID, srid: int) -> str | None:
    """One report as a GeoJSON Feature, from the same stored pieces as its items page."""
    row = await db.fetch_one(_report_feature_sql(srid), values={"id": report_id})
    return None if row is None else str(row["feature"])


def _site_feature(srid: int, c: Any = sites.c) -> ColumnElement[str]:
    props = _pairs(
        [
            c.name,
            c.status,
            c.hotspot_id,
            c.reasons,
            c.measures,
            c.responsible,
            c.planned_start,
            c.planned_end,
            c.completed_on,
            c.notes,
            c.created_at,
            c.updated_at,
        ]
    )
    if srid == SWEREF99TM:
        geometry = _geometry(c.geom, c.geom_3006, srid)
    else:
        # RFC 7946: exterior rings counterclockwise, whatever way they were drawn.
        geometry = cast(func.ST_AsGeoJSON(func.ST_ForcePolygonCCW(c.geom), 7), JSON)
    return _feature(c.id, geometry, props).label("feature")


def _sites_where(stmt: Select[Any], q: Query) -> Select[Any]:
    if q.bbox is not None:
        stmt = stmt.where(_envelope(sites.c.geom, sites.c.geom_3006, q))
    if q.since is not None:
        stmt = stmt.where(sites.c.created_at >= q.since)
    if q.until is not None:
        stmt = stmt.where(sites.c.created_at < q.until)
    return stmt


async def site_features(db: Database, q: Query) -> tuple[list[str], int]:
    """A page of site Features and how many match (sites are few: counting is cheap)."""
    columns: list[Any] = [sites, func.count().over().label("n")]
    page = (
        _sites_where(select(*columns), q)
        .order_by(sites.c.created_at, sites.c.id)
        .limit(q.limit)
        .offset(q.offset)
        .subquery("page")
    )
    stmt = select(_site_feature(q.srid, page.c), page.c.n).order_by(page.c.created_at, page.c.id)
    rows = await db.fetch_all(stmt)
    if rows:
        return [str(r["feature"]) for r in rows], int(rows[0]["n"])
    count = await db.fetch_one(_sites_where(select(func.count().label("n")), q))
    return [], int(count["n"]) if count else 0


async def site_feature(db: Database, site_id: uuid.UUID, srid: int) -> str | None:
    row = await db.fetch_one(select(_site_feature(srid)).where(sites.c.id == site_id))
    return None if row is None else str(row["feature"])


_REPROJECT = text(
    """
SELECT COALESCE(json_agg(
    json_build_object('type', 'Feature', 'id', f->'id',
        'geometry', ST_AsGeoJSON(ST_FlipCoordinates(ST_Transform(
            ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326), 3006)), 2)::json,
        'properties', f->'properties') ORDER BY n), '[]'::json)::text AS features
FROM json_array_elements(CAST(:features AS json)) WITH ORDINALITY AS t(f, n)
"""
).bindparams(bindparam("features", type_=Text))


async def features_in_3006(db: Database, features_json: str) -> str:
    """A JSON array of CRS84 Features with their geometry moved to EPSG:3006 (N, E)."""
    row = await db.fetch_one(_REPROJECT.bindparams(features=features_json))
    return str(row["features"]) if row else "[]"


_BOX_TO_CRS84 = text(
    """
SELECT ST_XMin(b) AS w, ST_YMin(b) AS s, ST_XMax(b) AS e, ST_YMax(b) AS n
FROM ST_Transform(ST_MakeEnvelope(:w, :s, :e, :n, 3006), 4326) AS b
"""
)


async def box_3006_to_crs84(
    db: Database, south: float, west: float, north: float, east: float
) -> tuple[float, float, float, float]:
    """The CRS84 box around an EPSG:3006 box given (northing, easting) first."""
    row = await db.fetch_one(_BOX_TO_CRS84.bindparams(w=west, s=south, e=east, n=north))
    assert row is not None
    return (float(row["w"]), float(row["s"]), float(row["e"]), float(row["n"]))


async def time_span(db: Database, table: str) -> Row | None:
    """First and last `created_at` of `reports` or `sites` (indexed: cheap)."""
    at = reports.c.created_at if table == "reports" else sites.c.created_at
    return await db.fetch_one(select(func.min(at).label("first"), func.max(at).label("last")))
