/* Public hotspot map: load hotspots for the chosen filters and fixed period. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("page-data").textContent);
  var map = window.TryggMap.map;
  var hotspots = window.TryggHotspots.create(map, cfg);
  var form = document.getElementById("filters");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    hotspots.load(window.TryggHotspots.filterParams(form, ["period"]).toString());
  });
  hotspots.load("");
})();
