"""Property tests for geometry validation: valid geometries pass, mutated ones are refused.

A refusal is always a `GeometryError` with a reason; nothing else is ever raised,
whatever JSON-like value arrives.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.area import default_area
from geo.validate import CheckedGeometry, GeometryError, check_geometry

AREA = default_area()
MAX_VERTICES = 500
# A box well inside central Vänersborg.
LON = (12.315, 12.330)
LAT = (58.376, 58.384)

SETTINGS = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

lons = st.floats(*LON, allow_nan=False)
lats = st.floats(*LAT, allow_nan=False)
positions = st.tuples(lons, lats).map(list)


@st.composite
def rectangles(draw: st.DrawFn) -> dict[str, Any]:
    lon, lat = draw(lons), draw(lats)
    width = draw(st.floats(0.0001, 0.002))
    height = draw(st.floats(0.0001, 0.002))
    ring = [[lon, lat], [lon + width, lat], [lon + width, lat + height], [lon, lat + height]]
    return {"type": "Polygon", "coordinates": [[*ring, list(ring[0])]]}


@st.composite
def lines(draw: st.DrawFn) -> dict[str, Any]:
    points = draw(st.lists(positions, min_size=2, max_size=20, unique_by=tuple))
    return {"type": "LineString", "coordinates": points}


points = positions.map(lambda p: {"type": "Point", "coordinates": p})
valid_geometries = st.one_of(points, lines(), rectangles())

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


def _all_positions(geometry: dict[str, Any]) -> list[list[Any]]:
    coords = geometry["coordinates"]
    if geometry["type"] == "Point":
        return [coords]
    if geometry["type"] == "LineString":
        return list(coords)
    return [p for ring in coords for p in ring]


def _first_position(geometry: dict[str, Any]) -> list[Any]:
    return _all_positions(geometry)[0]


def _mutations(geometry: dict[str, Any], junk: Any, which: int) -> dict[str, Any]:
    """One way of breaking a valid geometry; `which` picks it."""
    broken = copy.deepcopy(geometry)
    kind = which % 10
    if kind == 0:
        broken["type"] = "MultiPolygon" if junk is None else str(junk) + "?"
    elif kind == 1:
        del broken["coordinates"]
    elif kind == 2:
        broken["crs"] = {"type": "name", "properties": {"name": "EPSG:3006"}}
    elif kind == 3:
        _first_position(broken).append(12.0)  # a third dimension
    elif kind == 4:
        _first_position(broken)[0] = "12.32"  # a string
    elif kind == 5:
        _first_position(broken)[1] = math.nan
    elif kind == 6:
        _first_position(broken)[0] = 181.0 + abs(hash(str(junk))) % 1000
    elif kind == 7:
        for position in _all_positions(broken):
            position[0], position[1] = position[1], position[0]
    elif kind == 8:
        broken["extra"] = junk
    else:
        if broken["type"] == "Polygon":
            broken["coordinates"][0][-1] = [LON[1] + 0.5, LAT[1]]  # not closed
        else:
            broken["coordinates"] = junk if not isinstance(junk, list) else []
    return broken


@SETTINGS
@given(valid_geometries)
def test_a_valid_geometry_is_accepted(geometry: dict[str, Any]) -> None:
    checked = check_geometry(geometry, AREA, MAX_VERTICES)
    assert isinstance(checked, CheckedGeometry)
    assert checked.geom_type == geometry["type"]


@SETTINGS
@given(valid_geometries, json_values, st.integers(0, 9))
def test_a_mutated_geometry_is_refused_with_a_reason(
    geometry: dict[str, Any], junk: Any, which: int
) -> None:
    broken = _mutations(geometry, junk, which)
    with pytest.raises(GeometryError) as refused:
        check_geometry(broken, AREA, MAX_VERTICES)
    assert len(str(refused.value)) > 10


@SETTINGS
@given(valid_geometries)
def test_swapped_coordinates_get_the_hint(geometry: dict[str, Any]) -> None:
    swapped = _mutations(geometry, None, 7)
    with pytest.raises(GeometryError, match="swapped"):
        check_geometry(swapped, AREA, MAX_VERTICES)


@SETTINGS
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(["Point", "LineString", "Polygon"]),
                "coordinates": json_values,
            }
        ),
    )
)
def test_any_value_is_accepted_or_refused_never_raised(value: Any) -> None:
    try:
        check_geometry(value, AREA, MAX_VERTICES)
    except GeometryError as exc:
        assert str(exc)
