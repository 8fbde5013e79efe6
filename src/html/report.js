"use strict";
// Unpacks the page's data blocks (raw deflate, base64) and renders the log and trace tables
// a page at a time. Every value goes in through textContent, never as HTML.
const PAGE = 100;

async function unpack(id) {
  const text = document.getElementById(id).textContent.trim();
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return JSON.parse(await new Response(stream).text());
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function fillSelect(id, values) {
  const select = document.getElementById(id);
  [...new Set(values)].filter((v) => v !== "").sort().forEach((v) => select.appendChild(el("option", v)));
}

// A filterable, paginated table: rows are arrays, `cells` picks what a row shows,
// `detail` builds what opens under it.
function table(opts) {
  const body = document.querySelector("#" + opts.table + " tbody");
  const pager = document.getElementById(opts.pager);
  const count = document.getElementById(opts.count);
  let shown = opts.rows;
  let page = 0;
  function draw() {
    body.replaceChildren();
    const first = page * PAGE;
    shown.slice(first, first + PAGE).forEach((row) => {
      const tr = el("tr");
      opts.cells(row).forEach(([text, cls]) => tr.appendChild(el("td", text, cls)));
      if (opts.rowClass) tr.className = opts.rowClass(row);
      tr.tabIndex = 0;
      tr.addEventListener("click", () => {
        const next = tr.nextSibling;
        if (next && next.classList && next.classList.contains("detail")) { next.remove(); return; }
        const d = el("tr", null, "detail");
        const td = el("td");
        td.colSpan = tr.children.length;
        td.appendChild(opts.detail(row));
        d.appendChild(td);
        tr.after(d);
      });
      body.appendChild(tr);
    });
    const last = Math.min(first + PAGE, shown.length);
    count.textContent = shown.length === 0 ? "no entries match"
      : `showing ${first + 1}–${last} of ${shown.length}` + (shown.length < opts.rows.length ? ` (filtered from ${opts.rows.length})` : "");
    pager.replaceChildren();
    const pages = Math.ceil(shown.length / PAGE);
    if (pages > 1) {
      const prev = el("button", "‹ previous"); prev.disabled = page === 0;
      prev.onclick = () => { page--; draw(); };
      const next = el("button", "next ›"); next.disabled = page >= pages - 1;
      next.onclick = () => { page++; draw(); };
      pager.append(prev, el("span", `page ${page + 1} of ${pages}`), next);
    }
  }
  function filter() {
    const wanted = opts.filters.map(([id]) => document.getElementById(id).value.toLowerCase());
    shown = opts.rows.filter((row) => opts.filters.every(([, col, exact], i) => {
      const w = wanted[i];
      if (!w) return true;
      const v = String(row[col]).toLowerCase();
      return exact ? v === w : v.includes(w);
    }));
    page = 0;
    draw();
  }
  opts.filters.forEach(([id]) => document.getElementById(id).addEventListener("input", filter));
  draw();
}

function kv(title, pairs) {
  const box = el("div", null, "kv");
  box.appendChild(el("h4", title));
  const t = el("table");
  pairs.forEach(([k, v]) => { const tr = el("tr"); tr.append(el("th", k), el("td", v)); t.appendChild(tr); });
  box.appendChild(t);
  return box;
}

function logDetail(row) {
  const [, , , , , code, reason, steps, modified] = row;
  const box = el("div", null, "entry");
  if (code) box.appendChild(el("p", `${code}: ${reason}`, "error"));
  const list = el("ol", null, "steps");
  steps.forEach(([name, status, description, details]) => {
    const li = el("li");
    li.append(el("b", name), el("span", status, "s-" + status), el("div", description));
    const keys = Object.keys(details);
    if (keys.length) li.appendChild(kv("details", keys.map((k) => [k, details[k]])));
    list.appendChild(li);
  });
  box.appendChild(el("h4", "Steps"));
  box.appendChild(list);
  if (modified.length) {
    const t = el("table", null, "grid");
    const head = el("tr"); ["property", "old value", "new value"].forEach((h) => head.appendChild(el("th", h)));
    t.appendChild(head);
    modified.forEach(([name, oldValue, newValue]) => {
      const tr = el("tr"); tr.append(el("td", name), el("td", oldValue ?? ""), el("td", newValue ?? "")); t.appendChild(tr);
    });
    box.append(el("h4", "Modified properties"), t);
  }
  return box;
}

function traceDetail(row) {
  const box = el("div", null, "entry");
  box.appendChild(el("p", `${row[2]} ${row[3]} → ${row[4]}`));
  let body = row[6];
  try { if (body) body = JSON.stringify(JSON.parse(body), null, 2); } catch (e) { /* shown as sent */ }
  box.appendChild(el("pre", body || "(no body)"));
  return box;
}

async function main() {
  const logs = await unpack("log-data");
  fillSelect("f-action", logs.map((r) => r[3]));
  fillSelect("f-status", logs.map((r) => r[4]));
  fillSelect("f-error", logs.map((r) => r[5]));
  table({
    table: "log-table", pager: "log-pager", count: "log-count", rows: logs,
    cells: (r) => [[r[0].replace("T", " ").replace("Z", "")], [r[1]], [r[2]], [r[3]], [r[4], "s-" + r[4]], [r[5]]],
    rowClass: (r) => (r[4] === "Failure" ? "fail" : ""),
    filters: [["f-user", 2, false], ["f-action", 3, true], ["f-status", 4, true], ["f-error", 5, true]],
    detail: logDetail,
  });
  const trace = await unpack("trace-data");
  fillSelect("t-method", trace.map((r) => r[2]));
  fillSelect("t-outcome", trace.map((r) => r[4]));
  table({
    table: "trace-table", pager: "trace-pager", count: "trace-count", rows: trace,
    cells: (r) => [[r[0]], [r[1]], [r[2]], [r[3], "path"], [r[4], /^2/.test(r[4]) ? "" : "s-Failure"], [r[5] ? r[5] + " ms" : ""]],
    filters: [["t-object", 1, false], ["t-method", 2, true], ["t-outcome", 4, true]],
    detail: traceDetail,
  });
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  document.getElementById("log-count").textContent = "could not unpack the data: " + e;
  console.error(e);
});
