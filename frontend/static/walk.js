/* The safety walk on a phone: stops are kept in IndexedDB and sent when online.

Every stop gets an Idempotency-Key when it is saved on the phone; sending it
again (after a lost answer, a reload or a second tab) stores it only once.
*/
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var S = JSON.parse(document.getElementById("page-strings").textContent);
  var status = document.getElementById("sync-status");
  var syncing = false;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/staff/trygghetsvandring/sw.js", {scope: "/staff/trygghetsvandring/"})
      .catch(function () { /* the page still works online */ });
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open("trygg-walks", 1);
      req.onupgradeneeded = function () { req.result.createObjectStore("stops", {keyPath: "key"}); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction("stops", mode);
        var out = work(t.objectStore("stops"));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function pending() {
    return tx("readonly", function (store) { return store.getAll(); }).then(function (all) {
      return all.filter(function (s) { return s.walk_id === data.walk_id; });
    });
  }
  function key() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }
  function show(count) {
    status.textContent = count ? S.pending + ": " + count : S.synced;
    status.dataset.pending = String(count);
  }
  function listStop(stop, cls) {
    var list = document.getElementById("stop-list");
    var li = list.querySelector('[data-key="' + stop.key + '"]');
    if (!li) {
      li = document.createElement("li");
      li.dataset.key = stop.key;
      list.appendChild(li);
    }
    li.className = cls;
    var ratings = Object.keys(stop.checklist).map(function (c) { return c + ": " + stop.checklist[c]; });
    li.textContent = (stop.note || "") + " (" + ratings.join(", ") + ")";
    if (stop.id) {
      var select = document.getElementById("action-stop");
      if (!select.querySelector('option[value="' + stop.id + '"]')) {
        var o = document.createElement("option");
        o.value = stop.id;
        o.textContent = stop.position + ". " + (stop.note || "");
        select.appendChild(o);
      }
    }
  }

  function sync() {
    if (syncing) { return Promise.resolve(); }
    syncing = true;
    return pending().then(function (items) {
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          var h = {"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": item.key};
          if (csrf) { h["X-CSRF-Token"] = csrf.content; }
          return fetch("/api/v1/walks/" + data.walk_id + "/stops", {method: "POST", headers: h, body: JSON.stringify(item.body)})
            .then(function (r) {
              if (r.status === 200 || r.status === 201) {
                return r.json().then(function (stop) {
                  listStop(stop, "synced");
                  return tx("readwrite", function (store) { store["delete"](item.key); });
                });
              }
              if (r.status >= 400 && r.status < 500) {  // never accepted: keep it, say why
                return r.json().then(function (j) { status.textContent = S.failed + ": " + j.detail; throw new Error("refused"); });
              }
              throw new Error("server " + r.status);
            });
        });
      });
      return chain;
    }).catch(function () { /* offline or refused: try again later */ })
      .then(function () { syncing = false; return pending(); })
      .then(function (left) { if (status.textContent.indexOf(S.failed) !== 0) { show(left.length); } });
  }

  document.getElementById("use-position").addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      var form = document.getElementById("stop-form");
      form.elements.lon.value = pos.coords.longitude.toFixed(6);
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
    });
  });

  document.getElementById("stop-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = ev.target;
    var checklist = {};
    data.items.forEach(function (code) {
      var chosen = form.querySelector('input[name="' + code + '"]:checked');
      if (chosen) { checklist[code] = chosen.value; }
    });
    var item = {key: key(), walk_id: data.walk_id, body: {
      point: {type: "Point", coordinates: [Number(form.elements.lon.value), Number(form.elements.lat.value)]},
      checklist: checklist, note: form.elements.note.value || null}};
    tx("readwrite", function (store) { store.put(item); }).then(function () {
      listStop({key: item.key, checklist: checklist, note: item.body.note}, "pending");
      form.elements.note.value = "";
      form.querySelectorAll('input[type="radio"]').forEach(function (r) { r.checked = false; });
      status.textContent = S.queued;
      return sync();
    });
  });

  document.getElementById("action-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = new FormData(ev.target);
    var h = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) { h["X-CSRF-Token"] = csrf.content; }
    var body = {stop_id: f.get("stop_id"), text: f.get("text"), unit: f.get("unit"),
                due: f.get("due") || null, site: f.get("site") === "on"};
    fetch("/api/v1/walks/" + data.walk_id + "/actions", {method: "POST", headers: h, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw new Error(j.detail); } return j; }); })
      .then(function (a) {
        var li = document.createElement("li");
        li.textContent = a.text + " – " + a.unit + (a.due ? " (" + a.due + ")" : "");
        document.getElementById("action-list").appendChild(li);
        ev.target.reset();
      })
      .catch(function (e) { document.getElementById("action-status").textContent = S.failed + ": " + e.message; });
  });

  window.addEventListener("online", sync);
  setInterval(sync, 15000);
  pending().then(function (items) {
    items.forEach(function (item) { listStop({key: item.key, checklist: item.body.checklist, note: item.body.note}, "pending"); });
    show(items.length);
    return sync();
  });
}());
