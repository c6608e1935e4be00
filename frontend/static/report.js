/* Resident report page: place a point (click, keyboard, position, coordinates,
   named place) or draw a line/area, fill in the form, POST /api/v1/reports.
   All text the page shows comes from page-data (gettext) or is set with
   textContent, never as markup. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var S = data.strings;
  var map = window.TryggMap.map;
  var drawn = window.TryggMap.drawn;
  var form = document.getElementById("report-form");
  var statusEl = document.getElementById("place-status");
  var marker = null;
  var geometry = null;
  var drawing = false;
  var METRES_PER_DEG_LAT = 111320;
  /* Respect prefers-reduced-motion: the map jumps instead of gliding. */
  var calm = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var liveErrors = document.getElementById("live-errors");
  var liveStatus = document.getElementById("live-status");

  function t(key) { return S[key] || key; }
  function fmt(n) { return n.toFixed(5); }

  /* Leaflet.draw speaks English by default; give it the page's language. */
  if (window.L && L.drawLocal) {
    L.drawLocal.draw.toolbar.buttons.polyline = t("draw_line");
    L.drawLocal.draw.toolbar.buttons.polygon = t("draw_area");
    L.drawLocal.draw.toolbar.actions.text = t("cancel");
    L.drawLocal.draw.toolbar.actions.title = t("cancel");
    L.drawLocal.draw.toolbar.finish.text = t("finish");
    L.drawLocal.draw.toolbar.finish.title = t("finish");
    L.drawLocal.draw.toolbar.undo.text = t("undo");
    L.drawLocal.draw.toolbar.undo.title = t("undo");
    L.drawLocal.draw.handlers.polyline.tooltip.start = t("line_start");
    L.drawLocal.draw.handlers.polyline.tooltip.cont = t("line_cont");
    L.drawLocal.draw.handlers.polyline.tooltip.end = t("line_end");
    L.drawLocal.draw.handlers.polygon.tooltip.start = t("area_start");
    L.drawLocal.draw.handlers.polygon.tooltip.cont = t("area_cont");
    L.drawLocal.draw.handlers.polygon.tooltip.end = t("area_end");
    L.drawLocal.draw.handlers.polyline.error = t("line_error");
    var bar = document.querySelectorAll(".leaflet-draw-draw-polyline, .leaflet-draw-draw-polygon");
    bar.forEach(function (a) {
      var label = a.classList.contains("leaflet-draw-draw-polyline") ? t("draw_line") : t("draw_area");
      a.setAttribute("title", label);
      a.setAttribute("aria-label", label);
      a.setAttribute("role", "button");
      var sr = a.querySelector(".sr-only");
      if (sr) { sr.textContent = label; }
    });
  }

  function announce(text) { statusEl.textContent = text; }

  function clearShapes() {
    drawn.clearLayers();
    if (marker) { map.removeLayer(marker); marker = null; }
    geometry = null;
  }

  function setPoint(latlng, how) {
    if (drawn.getLayers().length) { drawn.clearLayers(); }
    if (!marker) {
      marker = L.marker(latlng, {draggable: true, keyboard: true, title: t("marker_title"),
                                 alt: t("marker_title")}).addTo(map);
      marker.on("dragend", function () { setPoint(marker.getLatLng(), "drag"); });
      var el = marker.getElement();
      if (el) {
        el.setAttribute("aria-describedby", "arrow-help");
        el.addEventListener("keydown", onMarkerKey);
      }
    } else {
      marker.setLatLng(latlng);
    }
    geometry = {type: "Point", coordinates: [Number(fmt(latlng.lng)), Number(fmt(latlng.lat))]};
    clearError("place");
    announce(t("point_at").replace("{lat}", fmt(latlng.lat)).replace("{lon}", fmt(latlng.lng)) +
             (how === "place" ? "" : ""));
  }

  function onMarkerKey(ev) {
    var step = ev.shiftKey ? 50 : 10;
    var ll = marker.getLatLng();
    var dLat = step / METRES_PER_DEG_LAT;
    var dLon = step / (METRES_PER_DEG_LAT * Math.cos(ll.lat * Math.PI / 180));
    var moves = {ArrowUp: [dLat, 0], ArrowDown: [-dLat, 0], ArrowLeft: [0, -dLon], ArrowRight: [0, dLon]};
    var move = moves[ev.key];
    if (!move) { return; }
    ev.preventDefault();
    ev.stopPropagation();
    var next = L.latLng(ll.lat + move[0], ll.lng + move[1]);
    setPoint(next, "keys");
    if (!map.getBounds().pad(-0.1).contains(next)) { map.panTo(next, {animate: !calm}); }
  }

  map.on("draw:drawstart", function () { drawing = true; });
  map.on("draw:drawstop", function () { setTimeout(function () { drawing = false; }, 0); });
  map.on("click", function (e) { if (!drawing) { setPoint(e.latlng, "click"); } });
  map.on(L.Draw.Event.CREATED, function (e) {
    clearShapes();
    drawn.addLayer(e.layer);
    geometry = e.layer.toGeoJSON().geometry;
    clearError("place");
    announce(e.layerType === "polyline" ? t("line_chosen") : t("area_chosen"));
  });

  function placeAndShow(lat, lon, how) {
    var ll = L.latLng(lat, lon);
    setPoint(ll, how);
    map.setView(ll, Math.max(map.getZoom(), 16), {animate: !calm});
  }

  /* Keyboard users: put a point in the middle of the map (unless one is there) and
     give it focus, so the arrow keys move it. */
  document.getElementById("place-centre").addEventListener("click", function () {
    if (!marker) { setPoint(map.getCenter(), "centre"); }
    if (marker && marker.getElement()) { marker.getElement().focus(); }
  });

  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { showError("place", t("no_geolocation")); return; }
    announce(t("locating"));
    navigator.geolocation.getCurrentPosition(function (pos) {
      placeAndShow(pos.coords.latitude, pos.coords.longitude, "gps");
    }, function () { showError("place", t("geolocation_failed")); },
    {enableHighAccuracy: true, timeout: 10000});
  });

  function parseCoord(text) {
    var value = Number(String(text).trim().replace(",", "."));
    return String(text).trim() === "" || !isFinite(value) ? null : value;
  }

  document.getElementById("coord-apply").addEventListener("click", function () {
    var lat = parseCoord(document.getElementById("coord-lat").value);
    var lon = parseCoord(document.getElementById("coord-lon").value);
    if (lat === null || lon === null || lat < -90 || lat > 90 || lon < -180 || lon > 180) {
      showError("place", t("bad_coords"));
      return;
    }
    placeAndShow(lat, lon, "coords");
  });

  /* Named places: the input filters the list; choosing an option places the point. */
  var search = document.getElementById("place-search");
  var list = document.getElementById("place-list");
  if (search && list) {
    var all = Array.prototype.slice.call(list.options);
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      all.forEach(function (opt) {
        var show = opt.textContent.toLowerCase().indexOf(q) !== -1;
        if (show && !opt.parentNode) { list.appendChild(opt); }
        if (!show && opt.parentNode) { list.removeChild(opt); }
      });
    });
    search.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" && list.options.length) {
        ev.preventDefault();
        list.focus();
        list.selectedIndex = 0;
        choosePlace();
      }
    });
    function choosePlace() {
      var opt = list.options[list.selectedIndex];
      if (!opt) { return; }
      var place = data.places[Number(opt.value)];
      placeAndShow(place.lat, place.lon, "place");
      announce(t("place_chosen").replace("{name}", place.name));
    }
    list.addEventListener("change", choosePlace);
  }

  /* Errors: next to their field, listed in the summary, announced. */
  var FIELD_OF = {geometry: "place", reasons: "reasons", times: "times", days: "days",
                  severity: "severity", description: "description", suggestion: "suggestion",
                  kind: "kind"};

  function fieldKey(apiField) {
    var parts = String(apiField || "").split(".");
    if (parts[0] === "geometry") { return "place"; }
    if (parts[0] === "properties" && FIELD_OF[parts[1]]) { return FIELD_OF[parts[1]]; }
    return null;
  }

  function showError(key, message) {
    var el = document.getElementById("err-" + key);
    if (el) {
      el.textContent = message;
      el.hidden = false;
      var box = document.getElementById("field-" + key);
      if (box) { box.classList.add("has-error"); }
      var input = box && box.querySelector("input, textarea");
      if (input && box.tagName !== "FIELDSET") { input.setAttribute("aria-invalid", "true"); }
    } else {
      announce(message);
    }
  }

  function clearError(key) {
    var el = document.getElementById("err-" + key);
    if (el) { el.hidden = true; el.textContent = ""; }
    var box = document.getElementById("field-" + key);
    if (box) {
      box.classList.remove("has-error");
      var input = box.querySelector("[aria-invalid]");
      if (input) { input.removeAttribute("aria-invalid"); }
    }
  }

  function showSummary(errors) {
    var summary = document.getElementById("error-summary");
    var listEl = document.getElementById("error-list");
    listEl.textContent = "";
    errors.forEach(function (err) {
      var li = document.createElement("li");
      if (err.key) {
        var a = document.createElement("a");
        a.href = "#field-" + err.key;
        a.textContent = err.message;
        li.appendChild(a);
      } else {
        li.textContent = err.message;
      }
      listEl.appendChild(li);
    });
    summary.hidden = false;
    /* Announce through the live region too: focus alone is not read by every screen reader. */
    liveErrors.textContent = "";
    liveErrors.textContent = summary.querySelector("h2").textContent + " " +
      errors.map(function (e) { return e.message; }).join(" ");
    summary.focus();
  }

  function clearAllErrors() {
    ["place", "reasons", "times", "days", "severity", "description", "suggestion", "kind"]
      .forEach(clearError);
    document.getElementById("error-summary").hidden = true;
    liveErrors.textContent = "";
  }

  function checked(name) {
    return Array.prototype.map.call(
      form.querySelectorAll("input[name='" + name + "']:checked"), function (i) { return i.value; });
  }

  function clientToken() {
    var key = "trygghetskartan.client_token";
    var token = null;
    try { token = window.localStorage.getItem(key); } catch (e) { token = null; }
    if (!token) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      token = Array.prototype.map.call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2); }).join("");
      try { window.localStorage.setItem(key, token); } catch (e) { /* private mode */ }
    }
    return token;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearAllErrors();
    var problems = [];
    if (!geometry) { problems.push({key: "place", message: t("need_place")}); }
    var reasons = checked("reasons");
    var times = checked("times");
    if (!reasons.length) { problems.push({key: "reasons", message: t("need_reason")}); }
    if (!times.length) { problems.push({key: "times", message: t("need_time")}); }
    if (problems.length) {
      problems.forEach(function (p) { showError(p.key, p.message); });
      showSummary(problems);
      return;
    }
    var props = {
      kind: checked("kind")[0] || "unsafe",
      reasons: reasons,
      times: times,
      days: checked("days"),
      dark_season: checked("dark_season").length > 0,
      severity: Number(checked("severity")[0] || 2),
      client_token: clientToken()
    };
    var description = document.getElementById("description").value.trim();
    var suggestion = document.getElementById("suggestion").value.trim();
    if (description) { props.description = description; }
    if (suggestion) { props.suggestion = suggestion; }
    var button = document.getElementById("submit");
    button.disabled = true;
    announce(t("sending"));
    fetch("/api/v1/reports", {
      method: "POST",
      headers: {"Content-Type": "application/geo+json", "X-Report-Channel": "web"},
      body: JSON.stringify({type: "Feature", geometry: geometry, properties: props})
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        return {status: resp.status, body: body};
      });
    }).then(function (res) {
      button.disabled = false;
      if (res.status === 201) { showReceipt(res.body); return; }
      var errors = (res.body.errors || []).map(function (e) {
        var key = fieldKey(e.field);
        var own = key === "place" ? t("bad_place") : t("bad_field");
        return {key: key, message: own + " (" + e.message + ")"};
      });
      if (!errors.length) {
        errors = [{key: null, message: res.body.detail || t("server_error")}];
      }
      errors.forEach(function (e) { if (e.key) { showError(e.key, e.message); } });
      showSummary(errors);
    }).catch(function () {
      button.disabled = false;
      showSummary([{key: null, message: t("network_error")}]);
    });
  });

  function showReceipt(body) {
    document.getElementById("receipt-code").textContent = body.receipt;
    document.getElementById("receipt-id").textContent = body.id;
    document.getElementById("withdraw-id").value = body.id;
    document.getElementById("withdraw-receipt").value = body.receipt;
    form.hidden = true;
    var receipt = document.getElementById("receipt");
    receipt.hidden = false;
    liveStatus.textContent = document.getElementById("receipt-title").textContent + " " +
      t("receipt_code").replace("{code}", body.receipt);
    receipt.focus();
  }

  document.getElementById("new-report").addEventListener("click", function () {
    form.reset();
    clearShapes();
    announce(t("no_place"));
    liveStatus.textContent = "";
    document.getElementById("receipt").hidden = true;
    form.hidden = false;
    map.invalidateSize();
    document.getElementById("place-help").scrollIntoView();
  });

  document.getElementById("withdraw-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var id = document.getElementById("withdraw-id").value.trim();
    var receipt = document.getElementById("withdraw-receipt").value.trim();
    var out = document.getElementById("withdraw-status");
    fetch("/api/v1/reports/" + encodeURIComponent(id), {
      method: "DELETE", headers: {"X-Receipt": receipt}
    }).then(function (resp) {
      out.textContent = resp.status === 204 ? t("withdrawn") : t("withdraw_failed");
    }).catch(function () { out.textContent = t("network_error"); });
  });
})();
