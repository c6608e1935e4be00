/* /staff/platser: sites on the map, create from a hotspot, status, before/after chart. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("page-data").textContent);
  var map = window.TryggMap.map;
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var layer = L.geoJSON(null, {style: {color: "#004b87", weight: 2}}).addTo(map);
  var list = document.getElementById("site-list");
  var selected = null;
  var SVG = "http://www.w3.org/2000/svg";

  function headers() {
    var h = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) { h["X-CSRF-Token"] = csrf.content; }
    return h;
  }

  function text(id, value) { document.getElementById(id).textContent = value; }

  var fitted = false;

  function loadSites() {
    fetch("/api/v1/sites", {headers: {"Accept": "application/geo+json"}})
      .then(function (r) { return r.json(); })
      .then(function (fc) {
        layer.clearLayers();
        if (!fitted && fc.features.length) {
          fitted = true;
          map.fitBounds(L.geoJSON(fc).getBounds(), {padding: [30, 30], maxZoom: 17});
        }
        list.textContent = "";
        fc.features.forEach(function (f) {
          layer.addData(f);
          var li = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = f.properties.name + " – " + f.properties.status_label[cfg.lang];
          button.addEventListener("click", function () { showSite(f.id); });
          li.appendChild(button);
          list.appendChild(li);
        });
      });
  }

  function bar(svg, x, height, label, colour) {
    var rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("x", x); rect.setAttribute("width", 40);
    rect.setAttribute("y", 130 - height); rect.setAttribute("height", height);
    rect.setAttribute("fill", colour);
    svg.appendChild(rect);
    var t = document.createElementNS(SVG, "text");
    t.setAttribute("x", x + 20); t.setAttribute("y", 148);
    t.setAttribute("text-anchor", "middle"); t.setAttribute("font-size", "11");
    t.textContent = label;
    svg.appendChild(t);
  }

  function chart(result) {
    var holder = document.getElementById("evaluation-chart");
    holder.textContent = "";
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 260 155");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "reports per 30 days before and after");
    svg.setAttribute("width", "260");
    var values = [result.inside.before_per_30_days || 0, result.inside.after_per_30_days || 0,
                  result.ring.before_per_30_days || 0, result.ring.after_per_30_days || 0];
    var top = Math.max.apply(null, values.concat([1]));
    var labels = ["in/före", "in/efter", "ring/före", "ring/efter"];
    values.forEach(function (v, i) {
      bar(svg, 10 + i * 62, 120 * v / top, labels[i], i % 2 ? "#004b87" : "#999");
    });
    holder.appendChild(svg);
  }

  function showEvaluation(id) {
    fetch("/api/v1/sites/" + id + "/evaluation", {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        var box = document.getElementById("evaluation");
        if (res[0] !== 200) { box.hidden = true; return; }
        var e = res[1];
        box.hidden = false;
        var fmt = function (v) {
          return v === null ? "–" : v.toLocaleString(cfg.lang === "en" ? "en-GB" : "sv-SE",
                                                     {minimumFractionDigits: 2, maximumFractionDigits: 2});
        };
        text("evaluation-text",
          e.before.from + "–" + e.before.to + " / " + e.after.from + "–" + e.after.to + ": " +
          "inne " + e.inside.before + " → " + e.inside.after +
          " (kvot " + fmt(e.inside.rate_ratio) + ", p = " + fmt(e.inside.p_value) + "), " +
          "ring 100 m " + e.ring.before + " → " + e.ring.after +
          " (kvot " + fmt(e.ring.rate_ratio) + ", p = " + fmt(e.ring.p_value) + ")");
        chart(e);
      });
  }

  function showSite(id) {
    selected = id;
    fetch("/api/v1/sites/" + id, {headers: {"Accept": "application/geo+json"}})
      .then(function (r) { return r.json(); })
      .then(function (f) {
        var p = f.properties;
        document.getElementById("site-detail").hidden = false;
        text("detail-name", p.name);
        text("detail-status", p.status_label[cfg.lang] +
             (p.completed_on ? " (" + p.completed_on + ")" : ""));
        text("detail-measures", p.measures.map(function (m) { return m[cfg.lang]; }).join(", "));
        var history = document.getElementById("detail-history");
        history.textContent = "";
        p.history.forEach(function (h) {
          var li = document.createElement("li");
          li.textContent = h.changed_at.slice(0, 16).replace("T", " ") + " " +
            (h.changed_by || "") + ": " + (h.from_status || "–") + " → " + h.to_status;
          history.appendChild(li);
        });
        var form = document.getElementById("status-form");
        if (form) { form.elements.status.value = p.status; }
        // A site that never left candidate can be deleted (a mistake); others are rejected.
        var deleteRow = document.getElementById("delete-site-row");
        if (deleteRow) {
          deleteRow.hidden = !p.history.every(function (h) { return h.to_status === "candidate"; });
        }
        if (p.status === "done") {
          showEvaluation(id);
        } else {
          document.getElementById("evaluation").hidden = true;
        }
      });
  }

  var siteForm = document.getElementById("site-form");
  /* Reads never wait on a recompute (issue 10): while the answer is marked
     Hotspots-Stale, ask again shortly (up to 15 s) before listing the places. */
  function loadHotspotChoices(tries) {
    fetch("/api/v1/hotspots", {headers: {"Accept": "application/geo+json"}})
      .then(function (r) {
        if (r.headers.get("Hotspots-Stale") === "true" && tries < 15) {
          setTimeout(function () { loadHotspotChoices(tries + 1); }, 1000);
          return null;
        }
        return r.json();
      })
      .then(function (fc) {
        if (!fc) { return; }
        var select = document.getElementById("hotspot-select");
        (fc.features || []).forEach(function (f, i) {
          var option = document.createElement("option");
          option.value = f.id;
          option.textContent = "#" + (f.properties.rank || i + 1) + " (" +
            Object.keys(f.properties.reasons || {}).join(", ") + ")";
          select.appendChild(option);
        });
      });
  }
  if (siteForm) {
    loadHotspotChoices(0);
    siteForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData(siteForm);
      fetch("/api/v1/sites", {method: "POST", headers: headers(), body: JSON.stringify(
        {hotspot_id: data.get("hotspot_id"), name: data.get("name")})})
        .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
        .then(function (res) {
          text("site-status", res[0] === 201 ? "✓" : (res[1].detail || String(res[0])));
          if (res[0] === 201) { loadSites(); showSite(res[1].id); }
        });
    });
  }

  var drawnForm = document.getElementById("drawn-form");
  var drawnGeometry = null;
  if (drawnForm && window.TryggMap.drawn) {
    map.on(L.Draw.Event.CREATED, function (e) {
      window.TryggMap.drawn.clearLayers();
      window.TryggMap.drawn.addLayer(e.layer);
      drawnGeometry = e.layer.toGeoJSON().geometry;
      text("drawn-status", drawnGeometry.type === "Polygon" ? "✓" : "Polygon?");
    });
    drawnForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!drawnGeometry) { text("drawn-status", document.getElementById("drawn-hint").textContent); return; }
      var name = new FormData(drawnForm).get("name");
      fetch("/api/v1/sites", {method: "POST", headers: headers(), body: JSON.stringify(
        {name: name, geometry: drawnGeometry})})
        .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
        .then(function (res) {
          text("drawn-status", res[0] === 201 ? "✓" : (res[1].detail || String(res[0])));
          if (res[0] === 201) {
            window.TryggMap.drawn.clearLayers();
            drawnGeometry = null;
            loadSites();
            showSite(res[1].id);
          }
        });
    });
  }

  var statusForm = document.getElementById("status-form");
  if (statusForm) {
    statusForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = new FormData(statusForm);
      var change = {status: data.get("status")};
      if (data.get("completed_on")) { change.completed_on = data.get("completed_on"); }
      fetch("/api/v1/sites/" + selected, {method: "PATCH", headers: headers(),
                                          body: JSON.stringify(change)})
        .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
        .then(function (res) {
          text("status-result", res[0] === 200 ? "✓" : (res[1].detail || String(res[0])));
          loadSites();
          showSite(selected);
        });
    });
  }

  var deleteButton = document.getElementById("delete-site");
  if (deleteButton) {
    deleteButton.addEventListener("click", function () {
      fetch("/api/v1/sites/" + selected, {method: "DELETE", headers: headers()})
        .then(function (r) {
          if (r.status === 204) {
            document.getElementById("site-detail").hidden = true;
            text("site-status", cfg.deleted);
            loadSites();
            return;
          }
          return r.json().then(function (j) { text("status-result", j.detail || String(r.status)); });
        });
    });
  }

  loadSites();
})();
