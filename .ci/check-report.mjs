// Opens the HTML page `blinksim check --html` wrote in headless Debian Chromium through
// playwright-core: every check of the same run's JUnit file is a visible row with the same
// verdict, a check's exchanges open, no console error, no request at all (self-contained).
// Usage: node .ci/check-report.mjs REPORT.html REPORT.xml SCREENSHOT_DIR
import { createRequire } from "node:module";
import { mkdtempSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const require = createRequire(resolve("target/ci-browser/package.json"));
const { chromium } = require("playwright-core");
const [html, junit, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const failures = [];
const check = (ok, what) => {
  console.log((ok ? "ok   " : "FAIL ") + what);
  if (!ok) failures.push(what);
};

// The checks of the run, from its JUnit file: name and verdict (failure, warning, pass).
const xml = readFileSync(junit, "utf8");
const expected = [...xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>(.*?)<\/testcase>/gs)].map((m) => ({
  name: m[1],
  verdict: m[2].includes("<failure") ? "fail" : m[2].includes("warning:") ? "warn" : "pass",
}));
check(expected.length > 0, expected.length + " checks in the JUnit file");

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "blinksim-chromium-")), {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1400, height: 950 },
});
const page = context.pages()[0] || (await context.newPage());
const consoleErrors = [];
const requests = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
const url = "file://" + resolve(html);
context.on("request", (r) => { if (r.url() !== url) requests.push(r.url()); });

await page.goto(url);
check((await page.title()) === "blinksim check", "the page opens");
const summary = await page.textContent("#summary");
check(summary.startsWith(expected.length + " checks:"), "summary line: " + summary);
const rows = await page.locator("tr.check").count();
check(rows === expected.length, rows + " check rows");
for (const { name, verdict } of expected) {
  const row = page.locator(`tr.check[data-check="${name}"]`);
  const visible = (await row.count()) === 1 && (await row.isVisible());
  const shown = visible ? (await row.locator("td").first().textContent()).trim() : "";
  check(visible && shown === verdict, `${name} listed, ${shown || "missing"}`);
}
const first = page.locator("tr.check details").first();
await first.locator("summary").click();
check(await first.locator("pre").last().isVisible(), "a check's exchange opens: " + (await first.locator("summary").textContent()));
await page.screenshot({ path: join(shots, "check-report.png"), fullPage: true });

check(consoleErrors.length === 0, "no console error " + JSON.stringify(consoleErrors));
check(requests.length === 0, "no request beyond the file " + JSON.stringify(requests));
await context.close();
if (failures.length) {
  console.error(failures.length + " browser check(s) failed");
  process.exit(1);
}
