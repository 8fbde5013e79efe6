// Opens run reports (report.html) in headless Debian Chromium through playwright-core:
// no console error, no request but the file itself, the content present (verdict, timeline,
// expectations, cycles, log and trace tables), a filter narrows the log table and an entry
// opens to its steps. Screenshots go to SCREENSHOT_DIR/<name>.png and <name>-entry.png.
// Usage: node .ci/report.mjs SCREENSHOT_DIR NAME=PATH/report.html...
import { createRequire } from "node:module";
import { mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(resolve("target/ci-browser/package.json"));
const { chromium } = require("playwright-core");
const [shots, ...reports] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const failures = [];
const check = (ok, what) => {
  console.log((ok ? "ok   " : "FAIL ") + what);
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});

async function countOf(page) {
  const text = await page.textContent("#log-count");
  const m = /of (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

// Tries filters until one shows fewer rows than the whole table; every row shown must match.
async function filterNarrows(page, name) {
  const total = await countOf(page);
  const firstUser = await page.textContent("#log-table tbody tr:first-child td:nth-child(3)");
  const candidates = [["#f-user", "fill", firstUser.slice(0, Math.max(3, firstUser.indexOf("@")))]];
  for (const id of ["#f-status", "#f-action", "#f-error"]) {
    for (const v of await page.$$eval(id + " option", (os) => os.map((o) => o.value).filter(Boolean))) {
      candidates.push([id, "select", v]);
    }
  }
  for (const [id, how, value] of candidates) {
    if (how === "fill") await page.fill(id, value); else await page.selectOption(id, value);
    const shown = await countOf(page);
    const column = { "#f-user": 3, "#f-action": 4, "#f-status": 5, "#f-error": 6 }[id];
    const cells = await page.$$eval(`#log-table tbody tr:not(.detail) td:nth-child(${column})`,
      (tds) => tds.map((td) => td.textContent));
    const matches = cells.every((c) => (how === "fill" ? c.includes(value) : c === value));
    if (how === "fill") await page.fill(id, ""); else await page.selectOption(id, "");
    if (shown > 0 && shown < total) {
      check(matches, `${name}: filter ${id} = ${value} shows only matching rows`);
      check(true, `${name}: filter ${id} = ${value} narrows the log table (${shown} of ${total})`);
      return;
    }
  }
  check(false, `${name}: no filter narrows the log table (${total} entries)`);
}

for (const arg of reports) {
  const [name, path] = arg.split("=");
  const url = pathToFileURL(resolve(path)).href;
  console.log(`${name}: ${path} (${(statSync(path).size / 1024).toFixed(0)} KiB)`);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  const requests = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => { if (r.url() !== url) requests.push(r.url()); });
  await page.goto(url);
  if (await page.$("#log-table") === null) {
    // A load page: charts and tables, no script.
    check((await page.$$("svg rect")).length > 0, `${name}: the charts have bars`);
    check((await page.$$("table tbody tr")).length > 0, `${name}: the figures are listed`);
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  } else {
    await scenarioChecks(page, name);
  }
  check(errors.length === 0, `${name}: no console error` + (errors.length ? ": " + errors.join(" | ") : ""));
  check(requests.length === 0, `${name}: no request but the file` + (requests.length ? ": " + requests.join(" ") : ""));
  await page.close();
}
await browser.close();
if (failures.length) {
  console.log(`${failures.length} browser check(s) failed`);
  process.exit(1);
}

async function scenarioChecks(page, name) {
  await page.waitForSelector("body[data-ready=true]", { timeout: 60000 }).catch(() => {});
  check(await page.$("body[data-ready=true]") !== null, `${name}: the tables unpacked`);
  check(/PASS|FAIL/.test(await page.textContent("h1")), `${name}: the verdict is shown`);
  check((await page.$$("svg.timeline rect")).length > 0, `${name}: the timeline has bars and bands`);
  check((await page.$$("#expectations tbody tr")).length > 0, `${name}: expectations listed`);
  check((await page.$$("#cycles tbody tr")).length > 0, `${name}: cycles listed`);
  check((await page.$$("#log-table tbody tr")).length > 0, `${name}: log entries listed`);
  check((await page.$$("#trace-table tbody tr")).length > 0, `${name}: requests listed`);
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });
  // The summary and the timeline alone (the README's picture is one of these).
  const box = await page.locator("svg.timeline").boundingBox();
  await page.screenshot({ path: `${shots}/${name}-top.png`, clip: { x: 40, y: 0, width: 1200, height: box.y + box.height + 70 } });
  await filterNarrows(page, name);
  await page.click("#log-table tbody tr:first-child");
  const detail = await page.textContent("#log-table tr.detail").catch(() => "");
  check(/Steps/.test(detail) && /EntryImport/.test(detail), `${name}: an entry opens to its steps`);
  await page.locator("#logs-section").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}/${name}-entry.png`, fullPage: false });
}
