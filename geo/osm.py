"""Walkable ways from an OpenStreetMap extract, split into routable edges.

`.osm` XML is parsed with the standard library (streamed, so a town-sized
extract needs little memory beyond its node coordinates); `.osm.pbf` needs
the `osmium` package (pyosmium). Ways are split at every node another kept
way shares, so each edge runs junction to junction as pgRouting expects.
"""

from __future__ import annotations

import bz2
import gzip
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast
from xml.etree import ElementTree as ET

# Highway values a person may walk along (OSM wiki "Key:highway").
WALKABLE = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "track",
        "cycleway",
        "road",
        "bridleway",
        "corridor",
        "platform",
    }
)
# Roads without a footway unless tagged otherwise.
FOOT_ONLY_IF_TAGGED = frozenset({"trunk", "trunk_link", "motorway", "motorway_link"})
NO_ACCESS = frozenset({"no", "private"})
YES_FOOT = frozenset({"yes", "designated", "permissive"})
EARTH_RADIUS_M = 6371008.8

Progress = Callable[[str], None]


class OsmError(ValueError):
    """The file cannot be read as an OSM extract."""


@dataclass(frozen=True)
class Edge:
    osm_id: int
    highway: str
    nodes: tuple[int, ...]  # OSM node ids, first and last are junctions or ends
    length_m: float
    name: str | None = None  # the street's name, for naming places


@dataclass
class Network:
    coords: dict[int, tuple[float, float]]  # node id -> (lon, lat), only nodes used
    edges: list[Edge]


def walkable(tags: Mapping[str, str]) -> bool:
    highway = tags.get("highway")
    if highway is None or tags.get("area") == "yes":
        return False
    foot = tags.get("foot")
    if foot in NO_ACCESS:
        return False
    if highway in FOOT_ONLY_IF_TAGGED:
        return foot in YES_FOOT or tags.get("sidewalk") in {"both", "left", "right", "yes"}
    if highway not in WALKABLE:
        return False
    return not (tags.get("access") in NO_ACCESS and foot not in YES_FOOT)


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    if path.suffix == ".bz2":
        return cast(IO[bytes], bz2.open(path, "rb"))
    return path.open("rb")


def _xml_elements(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ("node", {...}) and ("way", {...}) from OSM XML."""
    with _open(path) as handle:
        try:
            context = ET.iterparse(handle, events=("end",))
            for _, element in context:
                if element.tag == "node":
                    yield (
                        "node",
                        {
                            "id": int(element.get("id", "0")),
                            "lon": float(element.get("lon", "nan")),
                            "lat": float(element.get("lat", "nan")),
                        },
                    )
                    element.clear()
                elif element.tag == "way":
                    tags = {t.get("k", ""): t.get("v", "") for t in element.iter("tag")}
                    refs = [int(n.get("ref", "0")) for n in element.iter("nd")]
                    yield "way", {"id": int(element.get("id", "0")), "tags": tags, "refs": refs}
                    element.clear()
                elif element.tag == "relation":
                    element.clear()
        except ET.ParseError as exc:
            raise OsmError(f"{path.name} is not valid OSM XML: {exc}") from exc


def _pbf_elements(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        import osmium
        from osmium.osm import Node, Way
    except ImportError as exc:  # pragma: no cover - osmium is in the lock file
        raise OsmError(
            ".osm.pbf needs the osmium package (pip install osmium); or convert the file "
            "to .osm XML with `osmium cat file.osm.pbf -o file.osm`"
        ) from exc
    try:
        for obj in osmium.FileProcessor(str(path)):
            if isinstance(obj, Node):
                yield "node", {"id": obj.id, "lon": obj.location.lon, "lat": obj.location.lat}
            elif isinstance(obj, Way):
                tags = {tag.k: tag.v for tag in obj.tags}
                yield "way", {"id": obj.id, "tags": tags, "refs": [n.ref for n in obj.nodes]}
    except RuntimeError as exc:  # libosmium reports unreadable input this way
        raise OsmError(f"{path.name} is not a readable OSM PBF file: {exc}") from exc


def read_network(path: Path, progress: Progress | None = None) -> Network:
    """Nodes and walkable ways of an extract, split at junctions."""
    say = progress or (lambda _: None)
    name = path.name.lower()
    if name.endswith(".pbf"):
        elements = _pbf_elements(path)
    elif name.endswith((".osm", ".osm.gz", ".osm.bz2", ".xml")):
        elements = _xml_elements(path)
    else:
        raise OsmError(f"{path.name}: expected an .osm, .osm.gz, .osm.bz2 or .osm.pbf file")
    all_coords: dict[int, tuple[float, float]] = {}
    ways: list[tuple[int, str, list[int], str | None]] = []
    seen_nodes = 0
    for kind, item in elements:
        if kind == "node":
            all_coords[item["id"]] = (item["lon"], item["lat"])
            seen_nodes += 1
            if seen_nodes % 200_000 == 0:
                say(f"read {seen_nodes} nodes")
        elif walkable(item["tags"]) and len(item["refs"]) >= 2:
            tags = item["tags"]
            ways.append((item["id"], tags["highway"], item["refs"], tags.get("name") or None))
    say(f"read {seen_nodes} nodes, {len(ways)} walkable ways")
    if not ways:
        raise OsmError(f"{path.name} has no walkable ways (highway=footway, residential, ...)")
    uses: dict[int, int] = {}
    for _, _, refs, _ in ways:
        for ref in refs:
            uses[ref] = uses.get(ref, 0) + 1
    coords: dict[int, tuple[float, float]] = {}
    edges: list[Edge] = []
    for osm_id, highway, refs, street in ways:
        refs = [r for r in refs if r in all_coords]  # clipped extracts miss some nodes
        if len(refs) < 2:
            continue
        piece = [refs[0]]
        for index, ref in enumerate(refs[1:], start=1):
            piece.append(ref)
            if index == len(refs) - 1 or uses[ref] > 1:
                if piece[0] != piece[-1] or len(piece) > 2:  # skip zero-length stubs
                    length = sum(
                        haversine_m(all_coords[a], all_coords[b])
                        for a, b in zip(piece, piece[1:], strict=False)
                    )
                    edges.append(Edge(osm_id, highway, tuple(piece), length, street))
                    for node in piece:
                        coords[node] = all_coords[node]
                piece = [ref]
    say(f"split into {len(edges)} edges")
    return Network(coords, edges)
