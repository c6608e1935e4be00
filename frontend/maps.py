"""folium (Leaflet) map builders for the pages, with every asset served locally.

folium writes links to public CDNs into each map; `_localise` rewrites them to
the service's own /static/vendor/... URLs (see frontend/vendor.py) and drops the
libraries these pages do not use, and refuses any resource it does not know, so
a new plugin cannot quietly bring a CDN back.

A page gets the map in parts (`MapParts`): the asset URLs for its <head>, the
map <div>, and the script, which the template places in a <script> element
carrying the response's CSP nonce. Data (hotspots, reports, places) never goes
through folium: page scripts fetch it as JSON and build popups with
`textContent`, so user text is never markup or code.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from frontend import vendor
from geo.crs import VANERSBORG_LAT, VANERSBORG_LON

# folium resource name -> (npm package, file). Names come from folium's and its
# plugins' default_js/default_css lists.
LOCAL_ASSETS: dict[str, tuple[str, str]] = {
    "leaflet": ("leaflet", "dist/leaflet.js"),
    "leaflet_css": ("leaflet", "dist/leaflet.css"),
    "jquery": ("jquery", "dist/jquery.min.js"),
    "bootstrap": ("bootstrap", "dist/js/bootstrap.bundle.min.js"),
    "bootstrap_css": ("bootstrap", "dist/css/bootstrap.min.css"),
    "awesome_markers": ("leaflet.awesome-markers", "dist/leaflet.awesome-markers.js"),
    "awesome_markers_css": ("leaflet.awesome-markers", "dist/leaflet.awesome-markers.css"),
    "awesome_markers_font_css": ("@fortawesome/fontawesome-free", "css/all.min.css"),
    "leaflet_draw_js": ("leaflet-draw", "dist/leaflet.draw.js"),
    "leaflet_draw_css": ("leaflet-draw", "dist/leaflet.draw.css"),
    "markerclusterjs": ("leaflet.markercluster", "dist/leaflet.markercluster.js"),
    "markerclustercss": ("leaflet.markercluster", "dist/MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet.markercluster", "dist/MarkerCluster.Default.css"),
    "leaflet-heat.js": ("leaflet.heat", "dist/leaflet-heat.js"),
    "protomaps-leaflet.js": ("protomaps-leaflet", "dist/protomaps-leaflet.js"),
}

# folium's Map loads these for icons and Bootstrap popups; these pages use
# neither, and Bootstrap's CSS would restyle the whole page. They stay
# installed (and mapped above) for builders that need them via `extras`.
OPTIONAL_ASSETS = frozenset(
    {
        "jquery",
        "bootstrap",
        "bootstrap_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        # No npm package ships these two; nothing here uses them.
        "glyphicons_css",
        "awesome_rotate_css",
    }
)


MAX_ZOOM = 19


class UnknownAsset(RuntimeError):
    """A folium element wants a CDN resource that is not installed locally."""


def js_template_text(text: str) -> str:
    """Text made safe for folium's popup/tooltip HTML inside a JS template string.

    HTML-escaping alone is not enough there: `${...}` would run and a backslash
    before a backtick would end the string. Escape for HTML first, then for the
    template literal.
    """
    escaped = html.escape(text, quote=True)
    return escaped.replace("\\", "\\\\").replace("`", "\\`").replace("$", "\\$")


@dataclass(frozen=True)
class MapParts:
    map_id: str
    js: list[str] = field(default_factory=list)
    css: list[str] = field(default_factory=list)
    script: str = ""


class _Expose(MacroElement):
    """Publishes the Leaflet map as `window.TryggMap.map` for the page's own script."""

    _template = Template(
        """{% macro script(this, kwargs) %}
window.TryggMap = window.TryggMap || {};
window.TryggMap.map = {{ this._parent.get_name() }};
{{ this._parent.get_name() }}.setMinZoom({{ this.min_zoom }}).setMaxZoom({{ this.max_zoom }});
{% endmacro %}"""
    )

    def __init__(self, min_zoom: int, max_zoom: int) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        # Without a tile layer the map has no maxZoom, and the marker-cluster
        # plugin then loops over zoom levels for ever: always set both.
        self.min_zoom = int(min_zoom)
        self.max_zoom = int(max_zoom)


class _Assets(JSCSSMixin, MacroElement):
    """Loads plugin libraries whose layers the page script creates from fetched data."""

    _template = Template("{% macro script(this, kwargs) %}{% endmacro %}")

    def __init__(self, names: list[str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.default_js = [(n, n) for n in names if not n.endswith("css")]
        self.default_css = [(n, n) for n in names if n.endswith("css")]


class _DrawShapes(JSCSSMixin, MacroElement):
    """Leaflet.draw with only a line and an area tool; the page script handles results.

    folium's own Draw plugin alerts the GeoJSON on click and adds each shape
    twice, so the resident page uses this smaller element instead.
    """

    default_js = [("leaflet_draw_js", "leaflet_draw_js")]
    default_css = [("leaflet_draw_css", "leaflet_draw_css")]
    _template = Template(
        """{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var drawn = new L.FeatureGroup().addTo(map);
  var shape = {color: "#004b87", weight: 4};
  var control = new L.Control.Draw({
    position: "topleft",
    draw: {polyline: {shapeOptions: shape}, polygon: {allowIntersection: false,
           showArea: false, shapeOptions: shape},
           rectangle: false, circle: false, marker: false, circlemarker: false},
    edit: {featureGroup: drawn, edit: false, remove: false}
  });
  map.addControl(control);
  window.TryggMap = window.TryggMap || {};
  window.TryggMap.drawn = drawn;
  window.TryggMap.drawControl = control;
})();
{% endmacro %}"""
    )


def _walk(element: Element) -> list[Element]:
    found = [element]
    for child in element._children.values():
        found.extend(_walk(child))
    return found


def _localise(m: folium.Map, extras: frozenset[str]) -> None:
    for element in _walk(m):
        if not isinstance(element, JSCSSMixin):
            continue
        for attr in ("default_js", "default_css"):
            local = []
            for name, _cdn in getattr(element, attr):
                if name in OPTIONAL_ASSETS and name not in extras:
                    continue
                if name not in LOCAL_ASSETS:
                    raise UnknownAsset(f"{type(element).__name__} needs {name}: install it")
                local.append((name, vendor.url(*LOCAL_ASSETS[name])))
            # An instance attribute: folium's class-level lists stay untouched.
            setattr(element, attr, local)


def _base_map(
    tile_url: str, tile_attribution: str, *, zoom: int = 15, min_zoom: int = 12
) -> folium.Map:
    m = folium.Map(
        location=[VANERSBORG_LAT, VANERSBORG_LON],
        zoom_start=zoom,
        min_zoom=min_zoom,
        max_zoom=MAX_ZOOM,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    if tile_url:
        folium.TileLayer(
            tiles=tile_url,
            attr=tile_attribution,
            name="base",
            max_zoom=MAX_ZOOM,
            control=False,
            # The page's own policy sends no Referer to other hosts; tile servers
            # such as OpenStreetMap's ask for one, so tiles send the origin only.
            referrerPolicy="strict-origin-when-cross-origin",
        ).add_to(m)
    _Expose(min_zoom, MAX_ZOOM).add_to(m)
    return m


def _parts(m: folium.Map, extras: frozenset[str] = frozenset()) -> MapParts:
    _localise(m, extras)
    root: Any = m.get_root()
    root.render()
    js: list[str] = []
    css: list[str] = []
    for child in root.header._children.values():
        if isinstance(child, JavascriptLink):
            js.append(child.url)
        elif isinstance(child, CssLink):
            css.append(child.url)
    # The map's own <style> and <meta> header elements are left out: app.css
    # sizes the map, and an inline <style> would need a CSP exception.
    return MapParts(map_id=m.get_name(), js=js, css=css, script=root.script.render())


def resident_map(tile_url: str, tile_attribution: str) -> MapParts:
    """Click to place a point; draw a line (a path) or an area (a park)."""
    return _built("resident", tile_url, tile_attribution)


def public_map(tile_url: str, tile_attribution: str) -> MapParts:
    """Hotspot outlines; the page script loads them from /api/v1/hotspots."""
    return _built("public", tile_url, tile_attribution)


def staff_map(tile_url: str, tile_attribution: str) -> MapParts:
    """Hotspots, a heat layer and the reports as vector tiles (or JSON when filtered)."""
    return _built("staff", tile_url, tile_attribution)


@lru_cache(maxsize=16)
def _built(kind: str, tile_url: str, tile_attribution: str) -> MapParts:
    # The parts depend on the tile layer only (data is fetched by the page), so
    # each map is built once per process rather than on every request.
    if kind == "resident":
        m = _base_map(tile_url, tile_attribution, zoom=16)
        _DrawShapes().add_to(m)  # type: ignore[no-untyped-call]
    elif kind == "staff":
        m = _base_map(tile_url, tile_attribution)
        _Assets(
            [
                "markerclusterjs",
                "markerclustercss",
                "markerclusterdefaultcss",
                "leaflet-heat.js",
                "protomaps-leaflet.js",
            ]
        ).add_to(m)
    else:
        m = _base_map(tile_url, tile_attribution)
    return _parts(m)
