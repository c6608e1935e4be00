"""The service area is configuration: a GeoJSON polygon another town can swap in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.area import AreaError, default_area, load_area

# A small square around Trollhättan's centre, for the test only.
TROLLHATTAN = [[12.27, 58.27], [12.31, 58.27], [12.31, 58.29], [12.27, 58.29], [12.27, 58.27]]


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "area.geojson"
    path.write_text(json.dumps(data))
    return path


def test_default_area_covers_central_vanersborg() -> None:
    area = default_area()
    assert area.contains_xy(12.3234, 58.3808)
    assert not area.contains_xy(12.29, 58.28)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda g: g,
        lambda g: {"type": "Feature", "geometry": g, "properties": {}},
        lambda g: {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": g}]},
    ],
    ids=["geometry", "feature", "collection"],
)
def test_area_file_may_be_a_polygon_feature_or_collection(tmp_path: Path, wrap) -> None:  # type: ignore[no-untyped-def]
    area = load_area(_write(tmp_path, wrap({"type": "Polygon", "coordinates": [TROLLHATTAN]})))
    assert area.contains_xy(12.29, 58.28)


@pytest.mark.parametrize(
    "data",
    [{"type": "Point", "coordinates": [12.3, 58.3]}, {"type": "FeatureCollection", "features": []}],
)
def test_unusable_area_file_is_refused(tmp_path: Path, data: object) -> None:
    with pytest.raises(AreaError):
        load_area(_write(tmp_path, data))
