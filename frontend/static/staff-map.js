/* Staff map: hotspots with full detail, a heat layer and the reports in view.
   Reports come as vector tiles (OGC API – Tiles, drawn by protomaps-leaflet):
   counts per grid cell when zoomed out or dense, single reports when zoomed
   in, so the map stays quick at a million reports. The tiles carry no
   filters, so with filters set the reports come as JSON for the view instead
   (clustered markers, or grid counts when too many). Popups are built from
   data with textContent: report text can never become markup or code. */
(function () {
  "use strict";
  var H = window.TryggHotspots;
  var el = H.el, fill = H.fill, labelOf = H.labelOf;
  var cfg = JSON.parse(document.getElementById("page-data").textContent);
  var S = cfg.strings;
  var map = window.TryggMap.map;
  var form = document.getElementById("filters");
  var statusEl = document.getElementById("reports-status");
  var csrf = (document.querySelector("meta[name='csrf-token']") || {}).content || "";

  // Planners rename a place; the name is kept by the hotspot's stable id.
  function renameForm(id, current) {
    var R = JSON.parse(document.getElementById("rename-strings").textContent);
    var box = el("form", "rename-place");
    var label = el("label", null, R.place_name + " ");
    var input = el("input");
    input.name = "name";
    input.maxLength = 120;
    input.required = true;
    input.value = current || "";
    label.appendChild(input);
    box.appendChild(label);
    var button = el("button", null, R.rename);
    button.type = "submit";
    box.appendChild(button);
    box.addEventListener("submit", function (ev) {
      ev.preventDefault();
      fetch("/api/v1/place-names/" + id, {method: "PUT", headers: {"Content-Type": "application/json",
        "Accept": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify({name: input.value})})
        .then(function (r) { if (r.ok) { hotspots.load(H.filterParams(form).toString()); } });
    });
    return box;
  }

  var hotspots = H.create(map, cfg, {extraDetail: function (box, props, id) {
    if (cfg.may_rename && id) { box.appendChild(renameForm(id, props.name)); }
    if (props.severity_mean !== undefined && props.severity_mean !== null) {
      box.appendChild(el("p", null, fill(S.mean_severity, {s: Number(props.severity_mean).toLocaleString(
        cfg.lang === "en" ? "en-GB" : "sv-SE", {minimumFractionDigits: 1, maximumFractionDigits: 1})})));
    }
    if (props.score !== undefined) { box.appendChild(el("p", null, fill(S.score, {score: props.score}))); }
  }});
  // At most MARKER_LIMIT (1000) markers arrive at once: add them in one go.
  var clusters = L.markerClusterGroup({showCoverageOnHover: false});
  var grid = L.layerGroup();
  var heat = L.heatLayer([], {radius: 25, blur: 20, minOpacity: 0.3});
  var route = L.layerGroup().addTo(map);
  var layers = {
    hotspots: {box: document.getElementById("layer-hotspots"), layer: hotspots.layer},
    heat: {box: document.getElementById("layer-heat"), layer: heat},
    reports: {box: document.getElementById("layer-reports"), layer: null}
  };

  function reportPopup(props) {
    var box = el("div", "report-popup");
    var kind = props.kind === "safe" ? S.kind_safe : S.kind_unsafe;
    var shape = props.shape === "LINESTRING" ? " · " + S.shape_line :
                props.shape === "POLYGON" ? " · " + S.shape_area : "";
    box.appendChild(el("h3", null, kind + shape));
    box.appendChild(el("p", null, (props.reasons || []).map(function (c) {
      return labelOf(cfg.vocab.reasons, c); }).join(", ")));
    box.appendChild(el("p", null, S.times + ": " + (props.times || []).map(function (c) {
      return labelOf(cfg.vocab.times, c); }).concat((props.days || []).map(function (c) {
      return labelOf(cfg.vocab.days, c); })).join(", ")));
    if (props.severity) { box.appendChild(el("p", null, fill(S.severity_of, {s: props.severity}))); }
    if (props.created) { box.appendChild(el("p", null, fill(S.created, {date: props.created}))); }
    [["description", S.description], ["suggestion", S.suggestion]].forEach(function (pair) {
      if (props[pair[0]]) {
        box.appendChild(el("h4", null, pair[1]));
        box.appendChild(el("p", "popup-text", props[pair[0]]));
      }
    });
    return box;
  }

  function countIcon(n) {
    var node = el("div", "grid-count", n);
    var size = n >= 1000 ? 48 : n >= 100 ? 40 : 34;
    return L.divIcon({html: node, className: "", iconSize: [size, size]});
  }

  /* --- vector tiles: every published report, no filters --------------- */
  var P = window.protomapsL;
  var TILE_URL = "/ogc/collections/reports/tiles/WebMercatorQuad/{z}/{y}/{x}";
  var COLOUR = "#004b87";
  var isCell = function (f) { return f.props.reports !== undefined; };
  var published = function (f) {
    return isCell(f) ? f.props.published > 0 : f.props.status === "published";
  };
  // A cell's disc grows with the number of published reports in it.
  var cellRadius = function (_z, f) {
    return Math.min(14, 3 + 2.2 * Math.log(1 + f.props.published));
  };
  var tiles = P.leafletLayer({
    url: TILE_URL,
    attribution: "",
    zIndex: 5,  // above the base map
    maxDataZoom: 19,
    paintRules: [
      {dataLayer: "reports", filter: function (_z, f) { return isCell(f) && published(f); },
       symbolizer: new P.CircleSymbolizer({radius: cellRadius, fill: "#b34700", opacity: 0.7,
                                           stroke: "#ffffff", width: 1})},
      {dataLayer: "reports",
       filter: function (_z, f) { return !isCell(f) && published(f) && f.geomType !== 1; },
       symbolizer: new P.LineSymbolizer({color: COLOUR, width: 3})},
      {dataLayer: "reports", filter: function (_z, f) { return !isCell(f) && published(f); },
       symbolizer: new P.CircleSymbolizer({radius: 6, fill: COLOUR, stroke: "#ffffff", width: 2})}
    ]
  });

  /* Published reports whose point or cell lies in view, from the tiles drawn. */
  function countInView() {
    var view = tiles.views && tiles.views.get("");
    if (!view) { return 0; }
    var zoom = Math.ceil(map.getZoom());
    var dz = Math.max(0, Math.min(zoom - view.levelDiff, view.maxDataLevel));
    var size = view.tileCache.tileSize, n = 0, bounds = map.getBounds();
    view.tileCache.cache.forEach(function (entry, key) {
      var xyz = key.split(":").map(Number);
      if (xyz[2] !== dz) { return; }
      var scale = Math.pow(2, dz);
      (entry.data.get("reports") || []).forEach(function (f) {
        if (!published(f)) { return; }
        var p = f.geom[0][0];
        // A point in the tile's buffer belongs to (and is counted in) its neighbour.
        if (p.x < 0 || p.y < 0 || p.x >= size || p.y >= size) { return; }
        var lng = (xyz[0] + p.x / size) / scale * 360 - 180;
        var merc = Math.PI * (1 - 2 * (xyz[1] + p.y / size) / scale);
        var lat = Math.atan(Math.sinh(merc)) * 180 / Math.PI;
        if (bounds.contains([lat, lng])) { n += isCell(f) ? f.props.published : 1; }
      });
    });
    return n;
  }

  var tilesWaiting = null;  // resolves when the visible tiles are drawn
  tiles.on("load", function () {
    statusEl.textContent = fill(S.raw_count, {n: countInView()});
    if (tilesWaiting) { var done = tilesWaiting; tilesWaiting = null; done(); }
  });

  function itemPopup(feature) {
    var p = feature.properties;
    var type = (feature.geometry && feature.geometry.type || "").toUpperCase();
    return reportPopup({kind: p.kind, shape: type, severity: p.severity, reasons: p.reasons,
                        times: p.times, days: p.days,
                        created: (p.created_at || "").slice(0, 10),
                        description: p.description, suggestion: p.suggestion});
  }

  /* A click on a report (zoomed in) opens it from the audited items API; a
     click on a cell tells its count. */
  map.on("click", function (ev) {
    var target = ev.originalEvent && ev.originalEvent.target;
    // A click on a hotspot outline is the hotspot's, not the reports'.
    if (!map.hasLayer(tiles) || (target && target.closest && target.closest(".leaflet-interactive"))) {
      return;
    }
    var picked = (tiles.queryTileFeaturesDebug(ev.latlng.lng, ev.latlng.lat, 12).get("") || [])
      .map(function (p) { return p.feature; }).filter(published);
    if (!picked.length) { return; }
    var f = picked[0];
    if (isCell(f)) {
      L.popup().setLatLng(ev.latlng).setContent(el("p", null, fill(S.cells, {n: f.props.published})))
        .openOn(map);
      return;
    }
    fetch("/ogc/collections/reports/items/" + encodeURIComponent(f.props.id),
          {credentials: "same-origin", headers: {Accept: "application/geo+json"}})
      .then(function (resp) { if (!resp.ok) { throw new Error(resp.status); } return resp.json(); })
      .then(function (item) {
        L.popup({maxWidth: 320}).setLatLng(ev.latlng).setContent(itemPopup(item)).openOn(map);
      }).catch(function () { statusEl.textContent = S.reports_error; });
  });

  var pending = null;
  var loaded = null;  // what the layers show: padded bounds, zoom, filters
  function params(b) {
    var p = H.filterParams(form);
    p.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
      return v.toFixed(6); }).join(","));
    p.set("zoom", String(map.getZoom()));
    return p.toString();
  }

  /* Data is fetched for the view plus a margin, so small pans (such as a popup
     panning into view) need no new request and do not close the popup. */
  function loadReports(force) {
    var filters = H.filterParams(form).toString() + "|" + layers.reports.box.checked +
                  layers.heat.box.checked;
    if (force !== true && loaded && loaded.zoom === map.getZoom() && loaded.filters === filters &&
        loaded.bounds.contains(map.getBounds())) {
      return;
    }
    var padded = map.getBounds().pad(0.25);
    loaded = {bounds: padded, zoom: map.getZoom(), filters: filters};
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var q = params(padded);
    var signal = pending.signal;
    statusEl.textContent = S.reports_loading;
    var wantReports = layers.reports.box.checked;
    var wantHeat = layers.heat.box.checked;
    var useTiles = wantReports && H.filterParams(form).toString() === "";
    var jobs = [];
    if (useTiles) {
      clusters.clearLayers();
      grid.clearLayers();
      map.removeLayer(clusters);
      map.removeLayer(grid);
      if (!map.hasLayer(tiles)) { tiles.addTo(map); }
      jobs.push(new Promise(function (resolve) {
        tilesWaiting = resolve;
        // Tiles already drawn (a small pan) fire no new "load"; a tile that
        // never arrives does not hold the page's other layers back for ever.
        if (!tiles.isLoading()) { tilesWaiting = null; resolve(); }
        setTimeout(resolve, 10000);
      }).then(function () { statusEl.textContent = fill(S.raw_count, {n: countInView()}); }));
    } else if (map.hasLayer(tiles)) {
      map.removeLayer(tiles);
    }
    if (wantReports && !useTiles) {
      jobs.push(fetch("/api/v1/map/reports?" + q, {signal: signal, credentials: "same-origin"})
        .then(function (resp) { if (!resp.ok) { throw new Error(resp.status); } return resp.json(); })
        .then(function (fc) {
          clusters.clearLayers();
          grid.clearLayers();
          map.removeLayer(clusters);
          map.removeLayer(grid);
          if (fc.mode === "markers") {
            var markers = fc.features.map(function (f) {
              var c = f.geometry.coordinates;
              var m = L.marker([c[1], c[0]], {keyboard: true, title: S.report, alt: S.report});
              m.bindPopup(function () { return reportPopup(f.properties); }, {maxWidth: 320});
              return m;
            });
            clusters.addLayers(markers);
            clusters.addTo(map);
            statusEl.textContent = fill(S.raw_count, {n: fc.total});
          } else {
            fc.features.forEach(function (f) {
              var c = f.geometry.coordinates;
              var n = f.properties.count;
              L.marker([c[1], c[0]], {icon: countIcon(n), keyboard: false, interactive: true})
                .bindTooltip(fill(S.cells, {n: n})).addTo(grid);
            });
            grid.addTo(map);
            statusEl.textContent = fill(S.raw_count, {n: fc.total});
          }
        }));
    } else if (!useTiles) {
      map.removeLayer(clusters);
      map.removeLayer(grid);
      statusEl.textContent = "";
    }
    if (wantHeat) {
      jobs.push(fetch("/api/v1/map/heat?" + q, {signal: signal, credentials: "same-origin"})
        .then(function (resp) { if (!resp.ok) { throw new Error(resp.status); } return resp.json(); })
        .then(function (data) {
          heat.setOptions({max: Math.max(1, data.max)});
          // The API answers [lon, lat, people], like GeoJSON; Leaflet wants [lat, lon, w].
          heat.setLatLngs(data.points.map(function (p) { return [p[1], p[0], p[2]]; }));
          if (!map.hasLayer(heat)) { heat.addTo(map); }
        }));
    } else if (map.hasLayer(heat)) {
      map.removeLayer(heat);
    }
    Promise.all(jobs).then(function () {
      document.body.setAttribute("data-reports-loaded", String(Date.now()));
    }).catch(function (err) {
      if (err && err.name === "AbortError") { return; }
      loaded = null;
      statusEl.textContent = S.reports_error;
    });
  }

  var timer = null;
  map.on("moveend", function () {
    if (map.hasLayer(tiles) && !tiles.isLoading()) {
      statusEl.textContent = fill(S.raw_count, {n: countInView()});
    }
    clearTimeout(timer);
    timer = setTimeout(loadReports, 150);
  });

  layers.hotspots.box.addEventListener("change", function () {
    if (layers.hotspots.box.checked) { hotspots.layer.addTo(map); } else { map.removeLayer(hotspots.layer); }
  });
  layers.heat.box.addEventListener("change", function () { loadReports(true); });
  layers.reports.box.addEventListener("change", function () { loadReports(true); });

  function updateExports(q) {
    ["geojson", "gpkg", "csv"].forEach(function (fmt) {
      var a = document.getElementById("export-" + fmt);
      a.href = "/api/v1/hotspots/export?format=" + fmt + (q ? "&" + q : "");
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = H.filterParams(form).toString();
    updateExports(q);
    hotspots.load(q);
    loadReports(true);
  });

  /* Patrol planning from the map: POST /api/v1/patrol-plans, draw the route. */
  var patrol = document.getElementById("patrol-form");
  if (patrol) {
    patrol.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var out = document.getElementById("patrol-result");
      var days = Array.prototype.map.call(
        patrol.querySelectorAll("input[name='patrol-days']:checked"), function (i) { return i.value; });
      var body = {window: {days: days, start: document.getElementById("patrol-start").value,
                           end: document.getElementById("patrol-end").value},
                  top: Number(document.getElementById("patrol-top").value) || 6};
      fetch("/api/v1/patrol-plans", {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify(body)
      }).then(function (resp) {
        return resp.json().then(function (b) { return {ok: resp.ok, body: b}; });
      }).then(function (res) {
        out.textContent = "";
        if (!res.ok) {
          out.appendChild(el("p", "field-error", fill(S.plan_failed, {detail: res.body.detail || ""})));
          return;
        }
        var plan = res.body;
        out.appendChild(el("p", null, fill(S.plan_made, {n: (plan.stops || []).length})));
        var links = el("p", "staff-links");
        [["print", S.plan_print], ["gpx", S.plan_gpx], ["geojson", S.plan_geojson],
         ["gpkg", "GeoPackage (SWEREF 99 TM)"], ["csv", "CSV"]].forEach(function (l) {
          if (plan.links && plan.links[l[0]]) {
            var a = el("a", null, l[1]);
            a.href = plan.links[l[0]];
            links.appendChild(a);
          }
        });
        out.appendChild(links);
        if (plan.links && plan.links.geojson) {
          fetch(plan.links.geojson, {credentials: "same-origin"}).then(function (r) { return r.json(); })
            .then(function (fc) {
              route.clearLayers();
              L.geoJSON(fc, {style: function () { return {color: "#004b87", weight: 5}; },
                             pointToLayer: function (_f, ll) {
                               return L.circleMarker(ll, {radius: 7, color: "#004b87"}); }})
                .addTo(route);
            }).catch(function () { /* the links still work */ });
        }
      }).catch(function () { out.textContent = S.network_error || ""; });
    });
  }

  /* Every layer loads on its own: the reports (tiles) and the heat for the
     default view at once, the hotspots when their answer comes, so a slow
     hotspot answer never holds the map's first paint back. The first hotspot
     answer still frames the map, and the reports follow that view. */
  loadReports();
  hotspots.load("");
})();
