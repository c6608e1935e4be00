/* /staff/loften: list, add and remove the year's promises. */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var form = document.getElementById("promise-form");
  var list = document.getElementById("promise-list");
  var status = document.getElementById("promise-status");

  function headers() {
    var h = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) { h["X-CSRF-Token"] = csrf.content; }
    return h;
  }

  function checkbox(holder, value, text) {
    var li = document.createElement("li");
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.value = value;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + text));
    li.appendChild(label);
    holder.appendChild(li);
  }

  function checked(id) {
    return Array.prototype.slice.call(document.querySelectorAll("#" + id + " input:checked"))
      .map(function (b) { return b.value; });
  }

  function load() {
    var year = form.elements.year.value;
    fetch("/api/v1/promises?year=" + encodeURIComponent(year), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        list.textContent = "";
        data.promises.forEach(function (p) {
          var li = document.createElement("li");
          li.appendChild(document.createTextNode(p.year + ": " + p.area.sv + " "));
          var remove = document.createElement("button");
          remove.type = "button";
          remove.textContent = "Ta bort";
          remove.addEventListener("click", function () {
            fetch("/api/v1/promises/" + p.id, {method: "DELETE", headers: headers()}).then(load);
          });
          li.appendChild(remove);
          list.appendChild(li);
        });
      });
  }

  /* Reads never wait on a recompute: while the answer is marked Hotspots-Stale,
     list what there is and ask again shortly (issue 10). */
  function loadHotspots(tries) {
    fetch("/api/v1/hotspots", {headers: {"Accept": "application/geo+json"}})
      .then(function (r) {
        var stale = r.headers.get("Hotspots-Stale") === "true";
        return r.json().then(function (fc) { return {fc: fc, stale: stale}; });
      })
      .then(function (got) {
        var box = document.getElementById("promise-hotspots");
        var chosen = checked("promise-hotspots");
        box.textContent = "";
        (got.fc.features || []).forEach(function (f, i) {
          var p = f.properties || {};
          checkbox(box, f.id,
                   "#" + (p.rank || i + 1) + " (" + Object.keys(p.reasons || {}).join(", ") + ")");
        });
        chosen.forEach(function (id) {
          var input = box.querySelector("input[value='" + id + "']");
          if (input) { input.checked = true; }
        });
        if (got.stale && tries < 15) {
          setTimeout(function () { loadHotspots(tries + 1); }, 1000);
        }
      });
  }
  loadHotspots(0);
  fetch("/api/v1/sites", {headers: {"Accept": "application/geo+json"}})
    .then(function (r) { return r.json(); })
    .then(function (fc) {
      (fc.features || []).forEach(function (f) {
        checkbox(document.getElementById("promise-sites"), f.id, f.properties.name);
      });
    });

  form.elements.year.addEventListener("change", load);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = {
      year: Number(form.elements.year.value),
      area_sv: form.elements.area_sv.value, area_en: form.elements.area_en.value,
      text_sv: form.elements.text_sv.value, text_en: form.elements.text_en.value,
      hotspot_ids: checked("promise-hotspots"), site_ids: checked("promise-sites")
    };
    fetch("/api/v1/promises", {method: "POST", headers: headers(), body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (res) {
        status.textContent = res[0] === 201 ? "✓" : (res[1].detail || String(res[0]));
        if (res[0] === 201) { load(); }
      });
  });
  load();
})();
