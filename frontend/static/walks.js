/* /staff/trygghetsvandring: the walks, and a new walk drawn as a route on the map. */
(function () {
  "use strict";
  var map = window.TryggMap.map;
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var S = JSON.parse(document.getElementById("page-strings").textContent);
  var points = [];
  var line = L.polyline([], {color: "#004b87", weight: 4}).addTo(map);

  function headers() {
    var h = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) { h["X-CSRF-Token"] = csrf.content; }
    return h;
  }
  function load() {
    fetch("/api/v1/walks", {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        var list = document.getElementById("walk-list");
        list.textContent = "";
        j.walks.forEach(function (w) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = w.links.page;
          a.textContent = w.date + " " + w.name;
          li.appendChild(a);
          li.appendChild(document.createTextNode(" · "));
          var p = document.createElement("a");
          p.href = w.links.protocol;
          p.textContent = "protokoll";
          li.appendChild(p);
          list.appendChild(li);
        });
      });
  }
  map.on("click", function (ev) {
    points.push([ev.latlng.lng, ev.latlng.lat]);
    line.setLatLngs(points.map(function (p) { return [p[1], p[0]]; }));
  });
  document.getElementById("clear-route").addEventListener("click", function () {
    points = [];
    line.setLatLngs([]);
  });
  var form = document.getElementById("walk-form");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var status = document.getElementById("walk-status");
    if (points.length < 2) { status.textContent = S.need_route; return; }
    var f = new FormData(form);
    var body = {name: f.get("name"), date: f.get("date"), route: {type: "LineString", coordinates: points},
                meeting_point: f.get("meeting_point") || null, meeting_time: f.get("meeting_time") || null,
                announce: f.get("announce") === "on"};
    fetch("/api/v1/walks", {method: "POST", headers: headers(), body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw new Error(j.detail); } return j; }); })
      .then(function (w) { window.location.href = w.links.page; })
      .catch(function (e) { status.textContent = S.failed + ": " + e.message; });
  });
  load();
}());
