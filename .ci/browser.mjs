// Drives blinksim's live page (/_admin/ui) in headless Debian Chromium through
// playwright-core: content present, a fault rule added on the page makes the next request
// fail, no console error, no request outside loopback, refused without the admin token.
// Usage: node .ci/browser.mjs ORIGIN SCIM_TOKEN ADMIN_TOKEN SCREENSHOT_DIR
import { createRequire } from "node:module";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const require = createRequire(resolve("target/ci-browser/package.json"));
const { chromium } = require("playwright-core");
const [origin, scimToken, adminToken, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const failures = [];
const check = (ok, what) => {
  console.log((ok ? "ok   " : "FAIL ") + what);
  if (!ok) failures.push(what);
};

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "blinksim-chromium-")), {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1400, height: 950 },
});
const page = context.pages()[0] || (await context.newPage());
const consoleErrors = [];
const outside = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.on("response", (r) => { if (r.status() >= 400) console.log("     (" + r.status() + " " + r.request().method() + " " + r.url() + ")"); });
context.on("request", (r) => {
  const u = new URL(r.url());
  if (!["127.0.0.1", "localhost", "[::1]"].includes(u.hostname) && u.protocol !== "data:" && u.protocol !== "blob:") outside.push(r.url());
});

async function scim(method, path, body) {
  return fetch(origin + "/scim" + path, {
    method,
    headers: { Authorization: "Bearer " + scimToken, "Content-Type": "application/scim+json" },
    body: body ? JSON.stringify(body) : undefined,
  });
}

// Refused without the admin token.
const refused = await page.goto(origin + "/_admin/ui");
check(refused.status() === 401, "refused without the admin token (" + refused.status() + ")");
const wrong = await page.goto(origin + "/_admin/ui?token=wrong");
check(wrong.status() === 401, "refused with a wrong token (" + wrong.status() + ")");
// The browser logs the refused loads themselves (and their /favicon.ico): let it, then forget.
await page.waitForTimeout(500);
await page.goto("about:blank");
consoleErrors.length = 0;

// Opened with it; content present.
const opened = await page.goto(origin + "/_admin/ui?token=" + encodeURIComponent(adminToken));
check(opened.status() === 200, "opens with ?token=");
await page.waitForSelector("#users tbody tr");
const users = await page.locator("#users tbody tr").count();
check(users > 0, "users listed (" + users + ")");
await page.fill("#filter", 'userName sw "zzz-nobody"');
await page.click("#search button");
await page.waitForFunction(() => document.querySelectorAll("#users tbody tr").length === 0);
check(true, "a SCIM filter narrows the users");
await page.fill("#filter", "");
await page.click("#search button");
await scim("GET", "/Users?count=1");
await page.waitForSelector("#journal tbody tr", { timeout: 5000 });
check(true, "the journal shows requests as they happen");
await page.waitForSelector("#latency rect", { timeout: 5000 });
check(true, "latency chart drawn");
await page.screenshot({ path: join(shots, "ui-overview.png"), fullPage: true });

// A fault rule added on the page makes the next request fail, marked in the journal.
await page.fill("#fault-text", '[[fault]]\nname = "ci-503"\noperation = "create"\nfirst = 1\neffect = { kind = "status", status = 503 }');
await page.click("#add-fault-button");
await page.waitForSelector("#faults tbody tr:has-text('ci-503')");
check(true, "fault rule listed after adding it on the page");
const r = await scim("POST", "/Users", {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: "browser@ci.example", active: true,
});
check(r.status === 503, "the next request fails with the rule's status (" + r.status + ")");
await page.waitForSelector("#journal tbody tr.fault", { timeout: 5000 });
check(true, "the faulted request is marked in the journal");
await page.screenshot({ path: join(shots, "ui-fault.png"), fullPage: true });
await page.click("#faults tbody tr:has-text('ci-503') button");
await page.waitForFunction(() => !document.querySelector("#faults tbody").textContent.includes("ci-503"));
check(true, "fault rule removed on the page");

check(consoleErrors.length === 0, "no console error " + JSON.stringify(consoleErrors));
check(outside.length === 0, "no request outside loopback " + JSON.stringify(outside));
await context.close();
if (failures.length) {
  console.error(failures.length + " browser check(s) failed");
  process.exit(1);
}
