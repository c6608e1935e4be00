/* /staff/narvaro: presence groups, a week's plan, the place x hour grid, printing. */
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var S = JSON.parse(document.getElementById("page-strings").textContent);
  var current = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function headers() {
    var h = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) { h["X-CSRF-Token"] = csrf.content; }
    return h;
  }
  function call(method, url, body) {
    return fetch(url, {method: method, headers: headers(), body: body ? JSON.stringify(body) : undefined})
      .then(function (r) {
        if (r.status === 204) { return null; }
        return r.json().then(function (j) { if (!r.ok) { throw new Error(j.detail || r.status); } return j; });
      });
  }
  function placeName(id) {
    var p = (current && current.places[id]) || {};
    return p.name || ("#" + (p.rank || "?"));
  }

  function loadGroups() {
    call("GET", "/api/v1/presence-groups").then(function (j) {
      var rows = $("group-rows");
      rows.textContent = "";
      j.groups.forEach(function (g) {
        var tr = el("tr");
        tr.appendChild(el("td", null, g.name));
        tr.appendChild(el("td", null, data.kinds[g.kind] || g.kind));
        tr.appendChild(el("td", null, g.shifts.map(function (s) {
          return s.days.map(function (d) { return data.days[d]; }).join(", ") + " " + s.start + "–" + s.end + " (" + s.people + ")";
        }).join("; ")));
        var td = el("td");
        if ($("group-form")) {
          var b = el("button", "link-button", S["delete"]);
          b.type = "button";
          b.addEventListener("click", function () {
            call("DELETE", g.links.self).then(loadGroups);
          });
          td.appendChild(b);
        }
        tr.appendChild(td);
        rows.appendChild(tr);
      });
    });
  }

  function loadPlans() {
    call("GET", "/api/v1/presence-plans").then(function (j) {
      var box = $("plan-links");
      box.textContent = "";
      j.plans.slice(0, 8).forEach(function (p) {
        var b = el("button", "link-button", p.week);
        b.type = "button";
        b.addEventListener("click", function () { call("GET", "/api/v1/presence-plans/" + p.id).then(show); });
        box.appendChild(b);
        box.appendChild(document.createTextNode(" "));
      });
    });
  }

  function grid() {
    var day = Number($("grid-day").value);
    var table = $("grid");
    table.textContent = "";
    var head = el("tr");
    head.appendChild(el("th", null, S.place));
    for (var h = 0; h < 24; h++) { head.appendChild(el("th", "hour", h)); }
    table.appendChild(head);
    var max = 0;
    current.grid.forEach(function (row) { row.risk.forEach(function (v) { if (v > max) { max = v; } }); });
    current.grid.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", null, placeName(row.hotspot_id)));
      for (var hour = 0; hour < 24; hour++) {
        var i = day * 24 + hour;
        var share = row.covered[i];
        var td = el("td", "cell" + (share > 0 ? " covered" : ""), share > 0 ? "●" : "");
        var level = max ? row.risk[i] / max : 0;
        td.style.backgroundColor = "rgba(200, 16, 46, " + (level * 0.8).toFixed(2) + ")";
        td.title = row.risk[i] + (share > 0 ? " · " + Math.round(share * 100) + " %" : "");
        tr.appendChild(td);
      }
      table.appendChild(tr);
    });
  }

  function visit(planId, stop, button) {
    var today = new Date().toISOString().slice(0, 10);
    call("POST", "/api/v1/presence-plans/" + planId + "/visits", {key: stop.key, carried_out_on: today})
      .then(function () { button.disabled = true; button.textContent = S.recorded; })
      .catch(function (e) { button.textContent = S.failed + ": " + e.message; });
  }

  function show(plan) {
    current = plan;
    $("plan-result").hidden = false;
    $("plan-week").textContent = plan.week;
    $("plan-coverage").textContent = S.coverage + ": " + Math.round(plan.coverage * 100) + " % (" +
      Math.round((plan.naive_coverage || 0) * 100) + " % " + S.naive + ")";
    grid();
    var un = $("uncovered");
    un.textContent = "";
    plan.uncovered.forEach(function (u) {
      un.appendChild(el("li", null, placeName(u.hotspot_id) + " – " + data.days[u.day] + " " + u.hour));
    });
    var done = {};
    (plan.carried_out || []).forEach(function (v) { done[v.key] = true; });
    var box = $("group-plans");
    box.textContent = "";
    var byGroup = {};
    plan.assignments.forEach(function (a) {
      (byGroup[a.group_id] = byGroup[a.group_id] || []).push(a);
    });
    Object.keys(byGroup).forEach(function (gid) {
      var list = byGroup[gid];
      var section = el("section", "group-plan");
      var h = el("h4", null, list[0].group + " ");
      var ics = el("a", "no-print", S.calendar);
      ics.href = "/api/v1/presence-plans/" + plan.id + ".ics?group=" + gid;
      h.appendChild(ics);
      section.appendChild(h);
      var table = el("table");
      list.forEach(function (a) {
        a.stops.forEach(function (s) {
          var tr = el("tr");
          tr.appendChild(el("td", null, data.days[a.day] + " " + (a.date || "")));
          tr.appendChild(el("td", null, a.shift + " · " + S.team + " " + a.team));
          tr.appendChild(el("td", null, s.arrival + "–" + s.departure));
          tr.appendChild(el("td", "place", s.name || placeName(s.hotspot_id)));
          var td = el("td", "no-print");
          var b = el("button", null, done[s.key] ? S.recorded : S.done);
          b.type = "button";
          b.disabled = !!done[s.key];
          b.addEventListener("click", function () { visit(plan.id, s, b); });
          td.appendChild(b);
          tr.appendChild(td);
          table.appendChild(tr);
        });
      });
      section.appendChild(table);
      box.appendChild(section);
    });
  }

  var groupForm = $("group-form");
  if (groupForm) {
    groupForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = new FormData(groupForm);
      var body = {name: f.get("name"), kind: f.get("kind"), shifts: [{
        days: f.getAll("days"), start: f.get("start"), end: f.get("end"), people: Number(f.get("people"))}]};
      call("POST", "/api/v1/presence-groups", body)
        .then(function () { $("group-status").textContent = S.saved; groupForm.reset(); loadGroups(); })
        .catch(function (e) { $("group-status").textContent = S.failed + ": " + e.message; });
    });
  }
  var weekForm = $("week-form");
  if (weekForm) {
    weekForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = new FormData(weekForm);
      $("plan-status").textContent = S.planning;
      call("POST", "/api/v1/presence-plans", {week: f.get("week"), overlap: f.get("overlap") === "on"})
        .then(function (plan) { $("plan-status").textContent = ""; show(plan); loadPlans(); })
        .catch(function (e) { $("plan-status").textContent = S.failed + ": " + e.message; });
    });
  }
  $("grid-day").addEventListener("change", function () { if (current) { grid(); } });
  $("print-plan").addEventListener("click", function () { window.print(); });
  loadGroups();
  loadPlans();
}());
