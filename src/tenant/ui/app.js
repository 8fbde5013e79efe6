// The live page of blinksim's mock tenant: calls the admin API of the same origin only
// (the admin cookie set by the first load carries the token).
"use strict";

const $ = (id) => document.getElementById(id);
let lastSeq = 0;

function say(text, bad) {
  $("status").textContent = text;
  $("status").className = bad ? "error" : "";
}

async function api(path, init) {
  const r = await fetch("/_admin" + path, Object.assign({ credentials: "same-origin" }, init || {}));
  const text = await r.text();
  const body = text ? JSON.parse(text) : null;
  if (!r.ok) throw new Error((body && body.detail) || r.status + " " + r.statusText);
  return body;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text === undefined || text === null ? "" : String(text);
  row.appendChild(td);
  return td;
}

function fill(tbody, items, render) {
  tbody.replaceChildren(...items.map((item) => {
    const tr = document.createElement("tr");
    render(tr, item);
    return tr;
  }));
}

async function loadUsers() {
  const filter = $("filter").value.trim();
  const q = "?count=200" + (filter ? "&filter=" + encodeURIComponent(filter) : "");
  try {
    const list = await api("/users" + q);
    $("users-count").textContent = "(" + list.totalResults + ")";
    fill($("users").tBodies[0], list.Resources || [], (tr, u) => {
      const work = (u.emails || []).find((e) => e.type === "work") || {};
      cell(tr, u.userName);
      cell(tr, u.name ? [u.name.givenName, u.name.familyName].filter(Boolean).join(" ") : "");
      cell(tr, work.value);
      cell(tr, u.active);
      cell(tr, u.id);
    });
  } catch (e) {
    say("Users: " + e.message, true);
  }
}

async function pollJournal() {
  try {
    const page = await api("/requests?since=" + lastSeq);
    const body = $("journal").tBodies[0];
    for (const e of page.entries) {
      lastSeq = Math.max(lastSeq, e.seq);
      const tr = document.createElement("tr");
      const faulted = e.faults && e.faults.length > 0;
      if (faulted) tr.className = "fault";
      tr.dataset.faulted = faulted ? "1" : "0";
      cell(tr, e.seq);
      cell(tr, (e.time || "").replace("T", " ").replace("Z", ""));
      cell(tr, e.method);
      cell(tr, e.path + (e.query ? "?" + e.query : ""));
      cell(tr, e.status === null ? "dropped" : e.status);
      cell(tr, e.latency_ms);
      const f = cell(tr, "");
      if (faulted) {
        const b = document.createElement("span");
        b.className = "badge";
        b.textContent = e.faults.map((x) => x.rule + " " + x.effect).join(", ");
        f.appendChild(b);
      }
      tr.hidden = $("faulted-only").checked && !faulted;
      body.insertBefore(tr, body.firstChild);
    }
    while (body.rows.length > 500) body.deleteRow(body.rows.length - 1);
    $("journal-count").textContent = "(last #" + lastSeq + ")";
  } catch (e) {
    say("Journal: " + e.message, true);
  }
}

async function loadFaults() {
  try {
    const list = await api("/faults");
    fill($("faults").tBodies[0], list.faults, (tr, rule) => {
      cell(tr, rule.name || "(unnamed)");
      const copy = Object.assign({}, rule);
      delete copy.matched; delete copy.fired; delete copy.name;
      cell(tr, JSON.stringify(copy));
      cell(tr, rule.matched);
      cell(tr, rule.fired);
      const td = cell(tr, "");
      if (rule.name) {
        const b = document.createElement("button");
        b.textContent = "Remove";
        b.onclick = () => act(() => api("/faults/" + encodeURIComponent(rule.name), { method: "DELETE" }), "Removed " + rule.name);
        td.appendChild(b);
      }
    });
  } catch (e) {
    say("Faults: " + e.message, true);
  }
}

function drawLatency(ops) {
  const svg = $("latency");
  const ns = "http://www.w3.org/2000/svg";
  const names = Object.keys(ops);
  const width = svg.clientWidth || 500, height = 180, left = 70, bottom = 20;
  const max = Math.max(1, ...names.map((n) => ops[n].latency_ms.p99));
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  };
  svg.replaceChildren();
  if (names.length === 0) {
    el("text", { x: 10, y: 20 }, "No requests yet.");
    return;
  }
  const rowH = Math.min(30, (height - bottom) / names.length);
  const scale = (ms) => ((width - left - 40) * ms) / max;
  names.forEach((n, i) => {
    const y = i * rowH + 4, l = ops[n].latency_ms;
    el("text", { x: 0, y: y + rowH / 2 + 3 }, n);
    [["p99", "bar99"], ["p90", "bar90"], ["p50", "bar50"]].forEach(([q, cls], j) => {
      el("rect", { x: left, y: y + j * 2, width: Math.max(1, scale(l[q])), height: rowH - 8 - j * 4, class: cls }).appendChild(
        document.createElementNS(ns, "title")).textContent = n + " " + q + " " + l[q] + " ms";
    });
    el("text", { x: left + scale(l.p99) + 4, y: y + rowH / 2 + 3 }, l.p99 + " ms");
  });
  el("text", { x: left, y: height - 4 }, "p50 / p90 / p99 latency, ms (max " + max + ")");
}

async function loadStats() {
  try {
    const s = await api("/stats");
    $("stats-total").textContent = s.requests + " requests";
    fill($("stats").tBodies[0], Object.entries(s.operations), (tr, [op, o]) => {
      cell(tr, op);
      cell(tr, o.count);
      cell(tr, Object.entries(o.statuses).map(([k, v]) => k + "×" + v).join(" "));
      ["p50", "p90", "p99", "max"].forEach((q) => cell(tr, o.latency_ms[q]));
    });
    drawLatency(s.operations);
  } catch (e) {
    say("Stats: " + e.message, true);
  }
}

async function act(call, done) {
  try {
    await call();
    if (done) say(done, false);
  } catch (e) {
    say(e.message, true);
  }
  await refresh();
}

async function refresh() {
  await Promise.all([loadFaults(), loadStats(), loadUsers(), pollJournal()]);
}

function download(name, text) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function start() {
  // The token was only needed for the first load; the cookie carries it from now on.
  if (location.search.includes("token=")) history.replaceState(null, "", location.pathname);
  $("search").onsubmit = (e) => { e.preventDefault(); loadUsers(); };
  $("add-fault").onsubmit = (e) => {
    e.preventDefault();
    const text = $("fault-text").value;
    // TOML's `[[fault]]` also starts with a bracket: JSON is what parses as JSON.
    let json = true;
    try { JSON.parse(text); } catch (_) { json = false; }
    act(() => api("/faults", { method: "POST", headers: { "Content-Type": json ? "application/json" : "application/toml" }, body: text }), "Fault rules added");
  };
  $("reset").onclick = () => act(() => api("/reset", { method: "POST" }), "Reset to the prefill");
  $("save").onclick = () => act(async () => { const r = await api("/save", { method: "POST" }); say("Saved " + r.saved + " users", false); }, null);
  $("export").onclick = () => act(async () => download("blinksim-state.json", JSON.stringify(await api("/state"))), "Exported");
  $("faulted-only").onchange = () => {
    for (const tr of $("journal").tBodies[0].rows) tr.hidden = $("faulted-only").checked && tr.dataset.faulted !== "1";
  };
  refresh();
  setInterval(() => { pollJournal(); loadStats(); loadFaults(); }, 1000);
}

start();
