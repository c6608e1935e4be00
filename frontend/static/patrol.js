/* /staff/patrull: choose a window and stops, plan, show and record the patrol. */
(function () {
  "use strict";
  var map = window.TryggMap.map;
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var form = document.getElementById("plan-form");
  var status = document.getElementById("plan-status");
  var choices = document.getElementById("hotspot-choices");
  var hotspotLayer = L.geoJSON(null, {style: {color: "#c8102e", weight: 2}}).addTo(map);
  var routeLayer = L.geoJSON(null, {style: {color: "#004b87", weight: 4}}).addTo(map);
  var stopLayer = L.layerGroup().addTo(map);
  var boxes = {};
  var current = null;
  var pageData = JSON.parse(document.getElementById("page-data").textContent);
  var S = pageData.strings;
  var locale = pageData.lang === "en" ? "en-GB" : "sv-SE";

  // Numbers in the page's language: 1,23 km in Swedish.
  function num(value, decimals) {
    return Number(value).toLocaleString(locale, {minimumFractionDigits: decimals,
                                                 maximumFractionDigits: decimals});
  }

  function routingNote(routing) {
    var f = num(routing.detour_factor || 0, 1);
    if (routing.network === "network") {
      return S.note_network + (routing.detour_factor ? " " + S.note_off_network.replace("{f}", f) : "");
    }
    return S.note_straight.replace("{f}", f);
  }

  function headers() {
    var h = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) { h["X-CSRF-Token"] = csrf.content; }
    return h;
  }

  function say(el, text) { el.textContent = text; }

  /* Reads never wait on a recompute (issue 10): while the answer is marked
     Hotspots-Stale, ask again shortly (up to 15 s) before listing the places. */
  function loadHotspots(tries) {
    tries = tries || 0;
    fetch("/api/v1/hotspots", {headers: {"Accept": "application/geo+json"}})
      .then(function (r) {
        if (r.headers.get("Hotspots-Stale") === "true" && tries < 15) {
          setTimeout(function () { loadHotspots(tries + 1); }, 1000);
          return null;
        }
        return r.json();
      })
      .then(function (fc) {
        if (!fc) { return; }
        (fc.features || []).forEach(function (f, i) {
          var li = document.createElement("li");
          var label = document.createElement("label");
          var box = document.createElement("input");
          box.type = "checkbox";
          box.value = f.id;
          box.name = "hotspot";
          label.appendChild(box);
          var p = f.properties || {};
          label.appendChild(document.createTextNode(
            " #" + (p.rank || i + 1) + (p.name ? " " + p.name : "") + " (" + (p.reporters || "?") + ")"));
          li.appendChild(label);
          choices.appendChild(li);
          boxes[f.id] = box;
          var layer = L.geoJSON(f, {style: {color: "#c8102e", weight: 2}});
          layer.on("click", function () { box.checked = !box.checked; });
          hotspotLayer.addLayer(layer);
        });
      });
  }

  function body() {
    var data = new FormData(form);
    var chosen = Object.keys(boxes).filter(function (k) { return boxes[k].checked; });
    var out = {
      window: {days: data.getAll("days"), start: data.get("start"), end: data.get("end")},
      visit_minutes: Number(data.get("visit_minutes"))
    };
    if (chosen.length) { out.hotspot_ids = chosen; } else { out.top = Number(data.get("top")); }
    if (data.get("seed") !== "") { out.seed = Number(data.get("seed")); }
    return out;
  }

  function show(plan) {
    current = plan;
    document.getElementById("plan-result").hidden = false;
    say(document.getElementById("plan-summary"),
      plan.window.days.join(", ") + " " + plan.window.start + "–" + plan.window.end + " · " +
      plan.totals.stops + " · " + num(plan.totals.distance_m / 1000, 2) + " km · " +
      Math.round(plan.totals.minutes) + " min · " + S.method + ": " +
      (S.methods[plan.method] || plan.method));
    say(document.getElementById("plan-routing"), routingNote(plan.routing));
    var tbody = document.getElementById("plan-stops");
    var runStops = document.getElementById("run-stops");
    tbody.textContent = "";
    runStops.textContent = "";
    stopLayer.clearLayers();
    plan.stops.forEach(function (s) {
      var tr = document.createElement("tr");
      [s.order, s.arrival, s.departure, num(s.point[1], 5) + "; " + num(s.point[0], 5)]
        .forEach(function (v) {
          var td = document.createElement("td");
          td.textContent = String(v);
          tr.appendChild(td);
        });
      tbody.appendChild(tr);
      var li = document.createElement("li");
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox"; box.checked = true; box.value = s.hotspot_id;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + s.order + ". " + s.arrival + (s.name ? " " + s.name : "")));
      li.appendChild(label);
      runStops.appendChild(li);
      L.marker([s.point[1], s.point[0]], {title: s.order + ". " + s.arrival}).addTo(stopLayer);
    });
    document.getElementById("link-print").href = plan.links.print;
    document.getElementById("link-gpx").href = plan.links.gpx;
    document.getElementById("link-geojson").href = plan.links.geojson;
    document.getElementById("link-gpkg").href = plan.links.gpkg;
    document.getElementById("link-csv").href = plan.links.csv;
    document.getElementById("link-geojson-route").href = plan.links.geojson_route;
    document.getElementById("link-csv-route").href = plan.links.csv_route;
    fetch(plan.links.self, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (full) {
        routeLayer.clearLayers();
        if (full.route) {
          routeLayer.addData(full.route);
          map.fitBounds(routeLayer.getBounds(), {padding: [20, 20]});
        }
      });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    say(status, "…");
    fetch("/api/v1/patrol-plans", {method: "POST", headers: headers(),
                                   body: JSON.stringify(body())})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        if (res[0] !== 201) { say(status, res[1].detail || String(res[0])); return; }
        say(status, "");
        show(res[1]);
      });
  });

  document.getElementById("run-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!current) { return; }
    var runStatus = document.getElementById("run-status");
    var visited = Array.prototype.slice.call(
      document.querySelectorAll("#run-stops input:checked")).map(function (b) { return b.value; });
    var date = new FormData(ev.target).get("carried_out_on");
    fetch(current.links.runs, {method: "POST", headers: headers(),
                               body: JSON.stringify({carried_out_on: date, hotspot_ids: visited})})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        runStatus.textContent = "";
        if (res[0] !== 201) { say(runStatus, res[1].detail || String(res[0])); return; }
        say(runStatus, "✓ " + S.run_saved.replace("{date}", date) + " ");
        // A mistake can be undone for 24 hours (DELETE .../runs/{id}).
        var undo = document.createElement("button");
        undo.type = "button";
        undo.className = "button secondary";
        undo.textContent = S.run_undo;
        undo.addEventListener("click", function () {
          fetch(current.links.runs + "/" + res[1].id, {method: "DELETE", headers: headers()})
            .then(function (r) {
              if (r.status === 204) { say(runStatus, S.run_undone); return; }
              return r.json().then(function (j) { say(runStatus, j.detail || String(r.status)); });
            });
        });
        runStatus.appendChild(undo);
      });
  });

  loadHotspots();
})();
