// DVK live dashboards: ask the server every few seconds whether the figures changed (sending
// the ETag held, so an unchanged answer is an empty 304), swap only the parts whose HTML
// differs (no flicker), keep the last good figures on screen, marked stale, while the server
// cannot be reached, and recover by itself. On a wall screen, optionally show one panel at a
// time. No inline script: the page's Content-Security-Policy allows only files like this one.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) return;
  var url = root.getAttribute("data-live");
  var etag = root.getAttribute("data-etag") || "";
  var poll = (parseFloat(root.getAttribute("data-poll")) || 2) * 1000;
  var rotate = parseFloat(root.getAttribute("data-rotate")) || 0;
  var updated = document.getElementById("updated");
  var stale = document.getElementById("stale");
  var staleAt = document.getElementById("stale-at");
  var revoked = document.getElementById("revoked");
  var lastGood = null;
  var stopped = false;
  var PANELS = [["year", "phase"], ["league", "trend"], ["due", "feed"], ["split", "fields"]];
  var panel = 0;

  // The time in the application's zone (data-zone), like every other time it shows, whatever
  // zone the screen's computer was left in; the computer's own zone if the browser lacks it.
  var inZone = null;
  try {
    inZone = new Intl.DateTimeFormat("en-GB", { timeZone: root.getAttribute("data-zone") || undefined,
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  } catch (e) { inZone = null; }

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(d) {
    if (inZone) {
      var part = {};
      inZone.formatToParts(d).forEach(function (p) { part[p.type] = p.value; });
      return part.hour + ":" + part.minute + ":" + part.second;
    }
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }

  function fresh() {
    lastGood = new Date();
    if (updated) updated.textContent = clock(lastGood);
    if (document.body.classList.contains("is-stale")) {
      document.body.classList.remove("is-stale");
      if (stale) stale.hidden = true;
      fit();  // the banner's room is the panels' again
    }
  }

  function lost() {
    document.body.classList.add("is-stale");
    if (staleAt) staleAt.textContent = lastGood ? clock(lastGood) : "—";
    if (stale && stale.hidden) {
      stale.hidden = false;
      fit();  // the banner takes room from the panels
    }
  }

  function refused() {
    stopped = true;
    document.body.classList.add("is-revoked");
    if (revoked) revoked.hidden = false;
  }

  function showPanel() {
    if (!rotate) return;
    var names = PANELS[panel % PANELS.length];
    root.querySelectorAll("[data-part]").forEach(function (part) {
      part.classList.toggle("shown", names.indexOf(part.getAttribute("data-part")) >= 0);
    });
  }

  // A wall screen shows of each list (the league, the due petitions, the feed) the rows that
  // fit its panel, and its note (.more) says that, or how many ([data-left]), are left out:
  // nothing is cut off mid-row, at any size.
  var onScreen = document.body.classList.contains("screen");

  function overflows(part) { return part.scrollHeight > part.clientHeight + 1; }

  function fit() {
    if (!onScreen) return;
    root.querySelectorAll("[data-fit]").forEach(function (list) {
      var part = list.closest("[data-part]");
      var rows = list.children;
      var more = part.querySelector(".more");
      var left = more && more.querySelector("[data-left]");
      var total = parseInt(list.getAttribute("data-fit"), 10) || rows.length;
      var shown = rows.length;
      function note() {
        if (!more) return;
        more.hidden = shown >= total;
        if (left) left.textContent = (total - shown).toLocaleString("vi-VN");
      }
      for (var i = 0; i < rows.length; i++) rows[i].hidden = false;
      note();
      if (!part.offsetParent) return;  // not on show (a rotation's other panel)
      while (shown > 1 && overflows(part)) {
        shown -= 1;
        rows[shown].hidden = true;
        note();
      }
    });
  }

  // Each part's HTML as the server last sent it: a part is swapped only when that changes (the
  // page's own copy differs once fit() has hidden rows).
  var served = {};
  root.querySelectorAll("[data-part]").forEach(function (part) {
    served[part.getAttribute("data-part")] = part.innerHTML;
  });

  function swap(html) {
    var incoming = document.createElement("template");
    incoming.innerHTML = html;
    incoming.content.querySelectorAll("[data-part]").forEach(function (part) {
      var name = part.getAttribute("data-part");
      var here = root.querySelector('[data-part="' + name + '"]');
      var sent = part.innerHTML;
      if (!here) {
        root.appendChild(part);
      } else if (served[name] !== sent) {
        here.innerHTML = sent;
        here.classList.add("changed");
        window.setTimeout(function () { here.classList.remove("changed"); }, 1500);
      }
      served[name] = sent;
    });
    showPanel();
    fit();
  }

  function tick() {
    if (stopped) return;
    var headers = { "Accept": "text/html" };
    if (etag) headers["If-None-Match"] = '"' + etag + '"';
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) { refused(); return null; }
        if (response.status === 304) { fresh(); return null; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        etag = (response.headers.get("ETag") || "").replace(/^W\//, "").replace(/"/g, "");
        return response.text().then(function (html) { swap(html); fresh(); });
      })
      .catch(lost)
      .then(function () { if (!stopped) window.setTimeout(tick, poll); });
  }

  fresh();
  showPanel();
  fit();
  window.addEventListener("resize", fit);
  if (rotate) window.setInterval(function () { panel += 1; showPanel(); fit(); }, rotate * 1000);
  window.setTimeout(tick, poll);
})();
