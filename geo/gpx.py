"""GPX 1.1 for patrol plans: one waypoint per stop and the walking route as a track."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

GPX_NS = "http://www.topografix.com/GPX/1/1"
SCHEMA = "http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class Waypoint:
    lon: float
    lat: float
    name: str
    description: str = ""


def _coordinate(value: float) -> str:
    return f"{value:.7f}"


def write_gpx(
    name: str,
    waypoints: Sequence[Waypoint],
    track: Sequence[Sequence[tuple[float, float]]],
    *,
    description: str = "",
    creator: str = "Trygghetskartan",
) -> bytes:
    """`track` is a list of segments, each a list of (lon, lat)."""
    ET.register_namespace("", GPX_NS)
    root = ET.Element(
        f"{{{GPX_NS}}}gpx",
        {"version": "1.1", "creator": creator, f"{{{XSI}}}schemaLocation": SCHEMA},
    )
    metadata = ET.SubElement(root, f"{{{GPX_NS}}}metadata")
    ET.SubElement(metadata, f"{{{GPX_NS}}}name").text = name
    if description:
        ET.SubElement(metadata, f"{{{GPX_NS}}}desc").text = description
    for point in waypoints:
        wpt = ET.SubElement(
            root, f"{{{GPX_NS}}}wpt", {"lat": _coordinate(point.lat), "lon": _coordinate(point.lon)}
        )
        ET.SubElement(wpt, f"{{{GPX_NS}}}name").text = point.name
        if point.description:
            ET.SubElement(wpt, f"{{{GPX_NS}}}desc").text = point.description
    trk = ET.SubElement(root, f"{{{GPX_NS}}}trk")
    ET.SubElement(trk, f"{{{GPX_NS}}}name").text = name
    for segment in track:
        seg = ET.SubElement(trk, f"{{{GPX_NS}}}trkseg")
        for lon, lat in segment:
            ET.SubElement(
                seg, f"{{{GPX_NS}}}trkpt", {"lat": _coordinate(lat), "lon": _coordinate(lon)}
            )
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
