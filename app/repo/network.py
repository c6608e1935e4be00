"""The walking network in pgRouting: import, cost matrix and leg geometry.

Edges live in `walk_ways` (cost and reverse_cost in metres), junctions in
`walk_vertices`. Points are snapped to their nearest junction; the walk from
the point to that junction is added as a straight line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from app.db.pool import Database
from geo.osm import Network, read_network

# A constant query handed to pgRouting (no user values in it).
EDGES_SQL = "SELECT id, source, target, cost, reverse_cost FROM walk_ways"

Point = tuple[float, float]


@dataclass(frozen=True)
class Snap:
    vertex: int
    distance_m: float
    vertex_point: Point


async def has_pgrouting(db: Database) -> bool:
    row = await db.fetch_one(
        text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pgrouting') AS ok")
    )
    return bool(row and row["ok"])


async def network_size(db: Database) -> int:
    """Edges in the imported network; 0 when none (or pgRouting is missing)."""
    if not await has_pgrouting(db):
        return 0
    row = await db.fetch_one(text("SELECT count(*) AS n FROM walk_ways"))
    return int(row["n"]) if row else 0


async def import_network(
    db: Database, path: Path, progress: Callable[[str], None] | None = None
) -> tuple[int, int]:
    """Replace the network with the walkable ways of an OSM extract; (vertices, edges)."""
    say = progress or (lambda _: None)
    network: Network = read_network(path, say)
    vertex_ids = {node: index + 1 for index, node in enumerate(sorted(network.coords))}
    async with db.batch_transaction() as conn:
        await conn.execute("TRUNCATE walk_ways, walk_vertices")
        async with conn.cursor() as cur:
            async with cur.copy("COPY walk_vertices (id, osm_id, geom) FROM STDIN") as copy:
                for node, vid in vertex_ids.items():
                    lon, lat = network.coords[node]
                    await copy.write_row((vid, node, f"SRID=4326;POINT({lon!r} {lat!r})"))
            say(f"stored {len(vertex_ids)} vertices")
            columns = "id, osm_id, highway, source, target, cost, reverse_cost, geom, name"
            async with cur.copy(f"COPY walk_ways ({columns}) FROM STDIN") as copy:
                for index, edge in enumerate(network.edges, start=1):
                    line = ", ".join(
                        f"{network.coords[n][0]!r} {network.coords[n][1]!r}" for n in edge.nodes
                    )
                    await copy.write_row(
                        (
                            index,
                            edge.osm_id,
                            edge.highway,
                            vertex_ids[edge.nodes[0]],
                            vertex_ids[edge.nodes[-1]],
                            edge.length_m,
                            edge.length_m,  # walking: both directions cost the same
                            f"SRID=4326;LINESTRING({line})",
                            edge.name,
                        )
                    )
                    if index % 50_000 == 0:
                        say(f"stored {index} of {len(network.edges)} edges")
            say(f"stored {len(network.edges)} edges")
    await db.execute_sql("ANALYZE walk_ways")
    await db.execute_sql("ANALYZE walk_vertices")
    return len(vertex_ids), len(network.edges)


SNAP = text(
    """
    SELECT v.id, v.osm_id,
           ST_X(v.geom) AS lon, ST_Y(v.geom) AS lat,
           ST_Distance(v.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)
               AS distance_m
    FROM walk_vertices v
    ORDER BY v.geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)
    LIMIT 1
    """
)


async def snap(db: Database, point: Point) -> Snap | None:
    row = await db.fetch_one(SNAP.bindparams(lon=point[0], lat=point[1]))
    if row is None:
        return None
    return Snap(int(row["id"]), float(row["distance_m"]), (row["lon"], row["lat"]))


MATRIX = text(
    "SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstraCostMatrix("
    f"'{EDGES_SQL}', CAST(:vids AS bigint[]), directed => false)"
)


async def cost_matrix(
    db: Database, points: Sequence[Point]
) -> tuple[list[list[float]], list[Snap]]:
    """Walking metres between every pair of points along the network.

    Pairs the network cannot connect get infinity.
    """
    snaps: list[Snap] = []
    for point in points:
        found = await snap(db, point)
        if found is None:
            raise LookupError("the walking network is empty")
        snaps.append(found)
    vids = sorted({s.vertex for s in snaps})
    between: dict[tuple[int, int], float] = {}
    if len(vids) > 1:
        for row in await db.fetch_all(MATRIX.bindparams(vids=vids)):
            between[(int(row["start_vid"]), int(row["end_vid"]))] = float(row["agg_cost"])
    size = len(points)
    matrix = [[0.0] * size for _ in range(size)]
    for i, a in enumerate(snaps):
        for j, b in enumerate(snaps):
            if i == j:
                continue
            if a.vertex == b.vertex:
                network = 0.0
            else:
                network = between.get(
                    (a.vertex, b.vertex), between.get((b.vertex, a.vertex), math.inf)
                )
            matrix[i][j] = a.distance_m + network + b.distance_m
    return matrix, snaps


PATH = text(
    f"""
    WITH path AS (
        SELECT seq, node, edge FROM pgr_dijkstra('{EDGES_SQL}', :source, :target, directed => false)
    )
    SELECT ST_AsText(ST_MakeLine(
               CASE WHEN w.source = p.node THEN w.geom ELSE ST_Reverse(w.geom) END
               ORDER BY p.seq)) AS wkt,
           coalesce(sum(w.cost), 0) AS metres
    FROM path p JOIN walk_ways w ON w.id = p.edge
    """
)


async def leg_path(db: Database, a: Snap, b: Snap) -> tuple[list[Point], float]:
    """The street path between two snapped points (junction to junction)."""
    if a.vertex == b.vertex:
        return [a.vertex_point], 0.0
    row = await db.fetch_one(PATH.bindparams(source=a.vertex, target=b.vertex))
    if row is None or row["wkt"] is None:
        return [a.vertex_point, b.vertex_point], math.inf
    return _parse_linestring(str(row["wkt"])), float(row["metres"])


def _parse_linestring(wkt: str) -> list[Point]:
    body = wkt[wkt.index("(") + 1 : wkt.rindex(")")]
    points: list[Point] = []
    for pair in body.split(","):
        x, y = pair.split()
        points.append((float(x), float(y)))
    return points
