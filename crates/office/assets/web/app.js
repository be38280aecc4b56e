// badgegate office dashboard: the pages' live parts, fed by the server's
// event stream (/events). Everything shown is set as text, never as HTML,
// except fragments the server rendered and escaped itself.
"use strict";

(function () {
  const page = document.body.dataset.page;
  if (!page) return;
  const conn = document.getElementById("conn");
  const down = document.getElementById("office-down");
  // The page's own words, in the office's language (set by the server).
  const words = Object.assign({
    live: "live", lost: "reconnecting…", pending: "CHECK PENDING",
    downSince: "Office not answering since {since}: what you see is as of then; the muster list prints from that look.",
    down: "The office database is not answering ({why}). What you see is not current.",
    switching: "The office database is switching to its other server ({why}); this page carries on by itself."
  }, conn ? conn.dataset : {});

  function setConn(text, cls) {
    if (!conn) return;
    conn.textContent = text;
    conn.className = "conn " + cls;
  }

  // A stream that ends or fails: signed out, or the server gone.
  function checkSession() {
    fetch("/session", { credentials: "same-origin" }).then(function (r) {
      if (r.status === 401) window.location.href = "/login";
    }).catch(function () {});
  }

  function refresh(url, id) {
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (r.status === 401) { window.location.href = "/login"; return null; }
      return r.ok ? r.text() : null;
    }).then(function (html) {
      const el = document.getElementById(id);
      if (html !== null && el) el.innerHTML = html;
    }).catch(function () {});
  }

  // ---- live page: filters, feed, chart -------------------------------
  const feed = document.getElementById("feed");
  const filters = { venue: document.getElementById("f-venue"), gate: document.getElementById("f-gate"), zone: document.getElementById("f-zone"), decision: document.getElementById("f-decision") };
  function shown(row) {
    return ["venue", "gate", "zone", "decision"].every(function (k) {
      const f = filters[k];
      return !f || !f.value || row.dataset[k] === f.value;
    });
  }
  function applyFilters() {
    if (!feed) return;
    Array.prototype.forEach.call(feed.rows, function (tr) { tr.hidden = !shown(tr); });
  }
  function addOption(select, value) {
    if (!select || !value) return;
    for (const o of select.options) if (o.value === value || o.text === value) return;
    const o = document.createElement("option");
    o.textContent = value;
    select.appendChild(o);
  }
  Object.values(filters).forEach(function (f) { if (f) f.addEventListener("change", applyFilters); });

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function addRecord(r) {
    if (!feed) return;
    const key = r.kiosk_id + ":" + r.seq;
    if (feed.querySelector('tr[data-key="' + CSS.escape(key) + '"]')) return;
    const tr = document.createElement("tr");
    tr.className = "fresh row-" + r.decision + (r.alarm ? " alarm" : "") + (r.verified ? "" : " unverified");
    tr.dataset.venue = r.venue || ""; tr.dataset.gate = r.gate; tr.dataset.zone = r.zone; tr.dataset.decision = r.decision; tr.dataset.key = key;
    cell(tr, r.time);
    // At the centre of a games the feed has a venue column.
    if (filters.venue) cell(tr, r.venue || "");
    cell(tr, r.gate); cell(tr, r.zone); cell(tr, r.decision.toUpperCase(), "d");
    const why = cell(tr, r.reason_words);
    why.title = r.reason;
    if (r.check_pending) {
      const m = document.createElement("strong");
      m.className = "warn";
      m.textContent = " " + words.pending;
      why.appendChild(m);
    }
    cell(tr, r.holder); cell(tr, r.org);
    const s = cell(tr, "");
    if (r.serial) {
      const a = document.createElement("a");
      a.href = "/badge/" + encodeURIComponent(r.serial);
      a.textContent = r.serial;
      s.appendChild(a);
    }
    cell(tr, r.alarm);
    tr.hidden = !shown(tr);
    feed.insertBefore(tr, feed.firstChild);
    while (feed.rows.length > 500) feed.deleteRow(feed.rows.length - 1);
    addOption(filters.gate, r.gate);
    addOption(filters.zone, r.zone);
  }

  const chartEl = document.getElementById("chart");
  let chart = null;
  const colours = ["#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176", "#4db6ac", "#f06292", "#a1887f", "#90a4ae"];
  if (chartEl) {
    try { chart = JSON.parse(document.getElementById("chart-data").textContent); } catch (e) { chart = null; }
    if (chart) {
      chart.byGate = {};
      chart.counts.forEach(function (c) {
        (chart.byGate[c[0]] = chart.byGate[c[0]] || {})[c[1]] = c[2];
      });
      chart.offset = Math.floor(Date.now() / 60000) - chart.now_minute;
    }
  }
  function drawChart() {
    if (!chart) return;
    const now = Math.floor(Date.now() / 60000) - chart.offset;
    const from = now - chart.minutes + 1;
    const gates = Object.keys(chart.byGate).sort();
    chartEl.dataset.gates = gates.join(",");
    let max = 1;
    gates.forEach(function (g) {
      for (let m = from; m <= now; m++) max = Math.max(max, chart.byGate[g][m] || 0);
    });
    const W = 1200, H = 240, pad = 20;
    const ns = "http://www.w3.org/2000/svg";
    while (chartEl.firstChild) chartEl.removeChild(chartEl.firstChild);
    const top = document.getElementById("chart-max");
    if (top) top.textContent = "(highest: " + max + " a minute)";
    const legend = document.getElementById("legend");
    if (legend) legend.textContent = "";
    gates.forEach(function (g, i) {
      const pts = [];
      for (let m = from; m <= now; m++) {
        const x = ((m - from) / (chart.minutes - 1)) * (W - 2 * pad) + pad;
        const y = H - pad - ((chart.byGate[g][m] || 0) / max) * (H - 2 * pad);
        pts.push(x.toFixed(1) + "," + y.toFixed(1));
      }
      const line = document.createElementNS(ns, "polyline");
      line.setAttribute("points", pts.join(" "));
      line.setAttribute("fill", "none");
      line.setAttribute("stroke", colours[i % colours.length]);
      line.setAttribute("stroke-width", "3");
      chartEl.appendChild(line);
      if (legend) {
        const s = document.createElement("span");
        const sw = document.createElement("i");
        sw.style.background = colours[i % colours.length];
        s.appendChild(sw);
        s.appendChild(document.createTextNode(g));
        legend.appendChild(s);
      }
    });
  }
  if (chart) { drawChart(); setInterval(drawChart, 10000); }
  let chartDirty = false;
  function countEntry(r) {
    if (!chart || !r.entry) return;
    const m = Math.floor(r.at_ms / 60000);
    const g = (chart.byGate[r.gate] = chart.byGate[r.gate] || {});
    g[m] = (g[m] || 0) + 1;
    if (!chartDirty) { chartDirty = true; setTimeout(function () { chartDirty = false; drawChart(); }, 500); }
  }

  // ---- muster and badge pages: refresh when people move ---------------
  let musterTimer = null;
  function musterRefresh() {
    if (musterTimer) return;
    musterTimer = setTimeout(function () {
      musterTimer = null;
      refresh("/muster/list" + window.location.search, "muster-list");
    }, 5000);
  }
  const printButton = document.getElementById("print");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });

  // ---- the event stream ----------------------------------------------
  const es = new EventSource("/events");
  // Leaving the page frees its connection at once (browsers allow six a
  // server; a stream left open would hold up the next page).
  window.addEventListener("pagehide", function () { es.close(); });
  es.onopen = function () { setConn(words.live, "live"); };
  es.onerror = function () { setConn(words.lost, "lost"); checkSession(); };
  es.addEventListener("bye", function () { es.close(); window.location.href = "/login"; });
  es.addEventListener("office", function (ev) {
    const o = JSON.parse(ev.data);
    if (!down) return;
    down.hidden = o.ok;
    down.textContent = o.ok ? "" : (o.since
      ? words.downSince.replace("{since}", o.since)
      : (o.switching ? words.switching : words.down).replace("{why}", o.why));
  });
  // At the centre of a games: the gates of one venue (?venue=CODE kept
  // in the address, so a reload or a shared link shows the same).
  const venueFilter = document.getElementById("venue-filter");
  function showVenue() {
    const tiles = document.getElementById("tiles");
    if (!venueFilter || !tiles) return;
    const v = venueFilter.value;
    tiles.querySelectorAll(".tile").forEach(function (t) {
      t.hidden = v !== "" && t.dataset.venue !== v;
    });
  }
  if (venueFilter) {
    const asked = new URLSearchParams(window.location.search).get("venue");
    if (asked !== null) venueFilter.value = asked;
    venueFilter.addEventListener("change", function () {
      const u = new URL(window.location.href);
      if (venueFilter.value) u.searchParams.set("venue", venueFilter.value);
      else u.searchParams.delete("venue");
      window.history.replaceState(null, "", u);
      showVenue();
    });
    showVenue();
  }
  es.addEventListener("gates", function (ev) {
    const g = JSON.parse(ev.data);
    const tiles = document.getElementById("tiles");
    if (tiles) tiles.innerHTML = g.html;
    showVenue();
    const lists = document.getElementById("lists");
    if (lists) lists.innerHTML = g.lists;
    const asOf = document.getElementById("as-of");
    if (asOf) asOf.textContent = g.as_of;
  });
  let lastAlarms = null;
  es.addEventListener("alarms", function (ev) {
    const a = JSON.parse(ev.data);
    const c = document.getElementById("alarm-count");
    if (c) { c.textContent = a.unacked; c.className = "count" + (a.unacked > 0 ? " hot" : ""); }
    const key = a.total + "/" + a.unacked;
    if (page === "alarms" && lastAlarms !== null && lastAlarms !== key) refresh("/alarms/list", "alarm-list");
    lastAlarms = key;
  });
  es.addEventListener("record", function (ev) {
    const r = JSON.parse(ev.data);
    if (page === "live") { addRecord(r); countEntry(r); }
    // Only admits move people in or out (a venue's list can run to
    // thousands of rows: redrawn at most every 5 s).
    if (page === "muster" && r.serial && r.decision === "admit") musterRefresh();
  });
  es.addEventListener("lagged", function () { if (page === "live" || page === "muster") window.location.reload(); });
})();
