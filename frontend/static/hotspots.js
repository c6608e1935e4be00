/* Hotspot layer, list and detail panel shared by /karta and /staff/karta.
   Hotspots come from GET /api/v1/hotspots as GeoJSON; every text is set with
   textContent, so nothing in the data can become markup or code. */
(function () {
  "use strict";
  var COLOURS = {1: "#e0a100", 2: "#d45500", 3: "#a4000f"};
  /* prefers-reduced-motion: jump to a place instead of gliding there. */
  var CALM = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function labelOf(vocab, code) {
    for (var i = 0; i < vocab.length; i++) { if (vocab[i].code === code) { return vocab[i].label; } }
    return code;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, k) {
      return values[k] === undefined ? "" : String(values[k]);
    });
  }

  function level(score, max) {
    if (!max || score >= max * 0.66) { return 3; }
    return score >= max * 0.33 ? 2 : 1;
  }

  function detail(props, cfg, extra, id) {
    var S = cfg.strings;
    var box = el("div", "hotspot-detail");
    box.appendChild(el("h3", null, fill(S.hotspot, {rank: props.rank}) + (props.name ? " " + props.name : "")));
    box.appendChild(el("p", null, fill(S.reporters, {n: props.reporters}) +
      (props.reports !== undefined ? " · " + fill(S.reports, {n: props.reports}) : "")));
    var reasons = Object.keys(props.reasons || {}).map(function (code) {
      return [code, props.reasons[code]];
    }).sort(function (a, b) { return b[1] - a[1]; });
    if (reasons.length) {
      box.appendChild(el("h4", null, S.reasons));
      var most = reasons[0][1] || 1;
      var ul = el("ul", "reason-mix");
      reasons.forEach(function (r) {
        var li = el("li");
        li.appendChild(el("span", "reason-label", labelOf(cfg.vocab.reasons, r[0])));
        var bar = el("span", "reason-bar");
        bar.style.width = Math.max(4, Math.round(100 * r[1] / most)) + "%";
        bar.setAttribute("aria-hidden", "true");
        li.appendChild(bar);
        li.appendChild(el("span", "reason-count", r[1]));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (props.days) {
      box.appendChild(el("p", null, S.weekday + ": " + (props.days.weekday || 0) + " · " +
                                   S.weekend + ": " + (props.days.weekend || 0)));
    }
    if (props.public === false && S.held) {
      /* Staff only: why the public map does not show this place, and which gate
         held it: independence of support (issue 10) or significance (issue 15). */
      var why = (props.held_reasons || []).join(", ") || props.review || "";
      var sig = props.significance || {};
      if (sig.held && S.held_significance) {
        why = (why ? why + "; " : "") + fill(S.held_significance, {
          reporters: props.reporters, threshold: sig.threshold,
          expected: Number(sig.expected).toLocaleString(cfg.lang === "en" ? "en-GB" : "sv-SE",
            {maximumFractionDigits: 1}),
          p: Number(sig.p_value).toLocaleString(cfg.lang === "en" ? "en-GB" : "sv-SE",
            {maximumFractionDigits: 3})});
      }
      box.appendChild(el("p", "hotspot-held", fill(S.held, {reasons: why || "–"})));
    }
    var hours = props.hours;
    if ((!hours || hours.length !== 24) && props.times && cfg.time_hours) {
      /* Only time-of-day counts: each report counts for every hour of its bins. */
      hours = [];
      for (var h = 0; h < 24; h++) { hours.push(0); }
      Object.keys(props.times).forEach(function (code) {
        (cfg.time_hours[code] || []).forEach(function (hour) { hours[hour] += props.times[code]; });
      });
    }
    if (hours && hours.length === 24) {
      props = Object.assign({}, props, {hours: hours});
      box.appendChild(el("h4", null, S.profile));
      var top = Math.max.apply(null, props.hours) || 1;
      var peak = props.hours.indexOf(Math.max.apply(null, props.hours));
      var chart = el("div", "hour-chart");
      chart.setAttribute("role", "img");
      chart.setAttribute("aria-label", S.profile + ": " + props.hours.join(", "));
      props.hours.forEach(function (n, hour) {
        var bar = el("span", "hour-bar" + (hour === peak ? " peak" : ""));
        bar.style.height = Math.round(100 * n / top) + "%";
        bar.title = hour + ": " + n;
        chart.appendChild(bar);
      });
      box.appendChild(chart);
      var axis = el("div", "hour-axis");
      axis.setAttribute("aria-hidden", "true");
      ["0", "6", "12", "18", "23"].forEach(function (h) { axis.appendChild(el("span", null, h)); });
      box.appendChild(axis);
    }
    if (extra) { extra(box, props, id); }
    return box;
  }

  function create(map, cfg, opts) {
    opts = opts || {};
    var layer = L.featureGroup().addTo(map);
    var listEl = document.getElementById("hotspot-list");
    var detailEl = document.getElementById("detail");
    var statusEl = document.getElementById("map-status");
    var byRank = {};
    var fitted = false;

    // fromMap: the click came from the outline, whose bound popup Leaflet opens
    // itself; opening it again would fade one copy out while another comes in.
    function select(feature, focusDetail, fromMap) {
      var props = feature.properties;
      detailEl.textContent = "";
      detailEl.appendChild(detail(props, cfg, opts.extraDetail, feature.id));
      detailEl.hidden = false;
      var shape = byRank[props.rank];
      if (shape && !fromMap) {
        shape.openPopup();
      }
      if (focusDetail) { detailEl.focus(); }
    }

    var generation = 0;

    /* The server answers at once with its last result; while a newer one is being
       computed it says so (Hotspots-Stale), and the map asks again shortly. */
    function load(params, retry) {
      var mine = retry ? generation : ++generation;
      var tries = retry || 0;
      var stale = false;
      if (!retry) { statusEl.textContent = cfg.strings.loading; }
      var url = "/api/v1/hotspots" + (params ? "?" + params : "");
      // The staff page asks for the unfiltered hotspots early, in its <head>.
      var early = !params && !retry && window.TryggEarlyHotspots;
      window.TryggEarlyHotspots = null;
      return (early || fetch(url, {headers: {Accept: "application/geo+json"}, credentials: "same-origin"}))
        .then(function (resp) {
          if (!resp.ok) { throw new Error("status " + resp.status); }
          stale = resp.headers.get("Hotspots-Stale") === "true";
          return resp.json();
        }).then(function (fc) {
          if (mine !== generation) { return []; }  // a newer request is on its way
          if (stale && tries < 15) {
            setTimeout(function () { if (mine === generation) { load(params, tries + 1); } }, 1000);
          }
          // A popup of a shape about to go would otherwise stay open on its own.
          map.closePopup();
          layer.clearLayers();
          listEl.textContent = "";
          detailEl.hidden = true;
          byRank = {};
          var feats = (fc.features || []).slice().sort(function (a, b) {
            return a.properties.rank - b.properties.rank;
          });
          var max = feats.reduce(function (m, f) { return Math.max(m, f.properties.score || 0); }, 0);
          feats.forEach(function (f) {
            var lvl = level(f.properties.score || 0, max);
            var style = {color: COLOURS[lvl], weight: 3, fillColor: COLOURS[lvl], fillOpacity: 0.3};
            var shape = L.geoJSON(f, {
              style: function () { return style; },
              pointToLayer: function (_f, ll) { return L.circleMarker(ll, style); }
            });
            shape.bindPopup(function () { return detail(f.properties, cfg, opts.extraDetail, f.id); },
                            {maxWidth: 320});
            shape.on("click", function () { select(f, false, true); });
            shape.addTo(layer);
            byRank[f.properties.rank] = shape;
            var li = el("li", "level-" + lvl);
            var button = el("button", "link-button", fill(cfg.strings.hotspot, {rank: f.properties.rank}) +
                            (f.properties.name ? " " + f.properties.name : "") +
                            " – " + fill(cfg.strings.reporters, {n: f.properties.reporters}));
            button.type = "button";
            button.addEventListener("click", function () {
              var c = f.properties.centre;
              if (c) { map.setView([c[1], c[0]], Math.max(map.getZoom(), 16), {animate: !CALM}); }
              select(f, true);
            });
            li.appendChild(button);
            listEl.appendChild(li);
          });
          if (feats.length && !fitted && opts.fit !== false) {
            fitted = true;  // frame the hotspots once; later filter changes keep the view
            map.fitBounds(layer.getBounds(), {maxZoom: 16, padding: [24, 24], animate: false});
          }
          statusEl.textContent = feats.length ? fill(cfg.strings.count, {n: feats.length})
                                              : cfg.strings.none;
          return feats;
        }).catch(function () {
          statusEl.textContent = cfg.strings.load_error;
          return [];
        });
    }

    return {load: load, layer: layer};
  }

  /* The filter form as a query string: times=a,b&days=c&reasons=d. */
  function filterParams(form, extra) {
    var params = new URLSearchParams();
    ["times", "days"].forEach(function (name) {
      var values = Array.prototype.map.call(
        form.querySelectorAll("input[name='" + name + "']:checked"), function (i) { return i.value; });
      if (values.length) { params.set(name, values.join(",")); }
    });
    var reason = form.querySelector("[name='reasons']").value;
    if (reason) { params.set("reasons", reason); }
    (extra || []).forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      if (input && input.value) { params.set(name, input.value); }
    });
    return params;
  }

  window.TryggHotspots = {create: create, filterParams: filterParams, el: el, fill: fill,
                          labelOf: labelOf};
})();
