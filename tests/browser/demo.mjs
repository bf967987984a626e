// Completes the demo survey in headless Chromium at a phone's viewport (390×844) — once with
// JavaScript on, once with it off (in Spanish) — screenshots every page type, and scans each
// one with axe-core. Run by tests/browser.rs; prints a JSON report and exits non-zero on failure.
//
//   node demo.mjs BASE_URL CODE_FOR_JS_RUN CODE_FOR_NO_JS_RUN ARTEFACT_DIR

import { chromium } from "playwright-core";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const [base, codeJs, codeNoJs, outDir] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
mkdirSync(outDir, { recursive: true });

const report = { runs: [], violations: [], thirdParty: [], failures: [] };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function newPage(js, locale) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
    javaScriptEnabled: js, bypassCSP: true, locale,
  });
  const page = await context.newPage();
  page.on("request", (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith("data:")) report.thirdParty.push(r.url());
  });
  return { context, page };
}

// Screenshot, and with JavaScript on, an axe-core scan (axe needs script to run).
async function visit(page, name, js) {
  await page.screenshot({ path: `${outDir}/${name}-${js ? "js" : "nojs"}.png`, fullPage: true });
  if (!js) return;
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      report.violations.push({ page: name, id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) });
    }
  }
}

// Answers every shown question on a page with its first real option / a valid value.
async function fillPage(page) {
  const questions = await page.$$(".q");
  const done = new Set();
  for (const q of questions) {
    for (const input of await q.$$(".opts input[type=radio], .opts input[type=checkbox]")) {
      const name = await input.getAttribute("name");
      if (done.has(name)) continue;
      if (await input.getAttribute("data-exclusive") !== null) continue;
      done.add(name);
      await input.check();
    }
    const number = await q.$("input[type=number]");
    if (number) await number.fill(await number.getAttribute("min") === "0" ? "3" : "30");
    const month = await q.$("input[type=month]");
    if (month) await month.fill("2020-01");
    const select = await q.$("select");
    if (select) await select.selectOption({ index: 2 });
    const text = await q.$("textarea");
    if (text) await text.fill("Gracias / thank you");
  }
}

async function completeDemo(js, code, locale, expectThanks) {
  const run = { js, locale, pages: [] };
  const { context, page } = await newPage(js, locale);
  await page.goto(`${base}/s/demo?code=${code}`);
  await visit(page, "landing", js);
  if (js && page.url().includes("code=")) report.failures.push("the code stayed in the address bar with JavaScript on");
  await page.click("button[value=start]");
  for (let step = 0; step < 20; step++) {
    const h1 = (await page.textContent("h1")).trim();
    run.pages.push(h1);
    if (await page.$("button[formaction]")) break; // the review step
    await visit(page, `page-${step + 1}`, js);
    if (await page.$("#errors")) report.failures.push(`validation error on "${h1}"`);
    await fillPage(page);
    await page.click("button[value=next]");
  }
  await visit(page, "review", js);
  await page.click("button[formaction]");
  const thanks = (await page.textContent("h1")).trim();
  run.pages.push(thanks);
  if (thanks !== expectThanks) report.failures.push(`expected "${expectThanks}", got "${thanks}"`);
  await visit(page, "thanks", js);
  report.runs.push(run);
  await context.close();
}

async function otherPages() {
  const { context, page } = await newPage(true, "en-GB");
  await page.goto(`${base}/`);
  await visit(page, "home", true);
  await page.fill("#code", "not-a-code");
  await page.click("button.primary");
  await visit(page, "code-unusable", true);
  await page.goto(`${base}/privacy`);
  await visit(page, "privacy", true);
  // A page with a validation error shown.
  await page.goto(`${base}/s/demo?code=${codeJs}`);
  await page.click("button[value=start]");
  await page.click("button[value=next]");
  await visit(page, "validation-error", true);
  await context.close();
}

try {
  await otherPages();
  await completeDemo(true, codeJs, "en-GB", "Thank you");
  await completeDemo(false, codeNoJs, "es-ES", "Gracias");
} catch (e) {
  report.failures.push(String(e && e.stack || e));
}
await browser.close();
writeFileSync(`${outDir}/report.json`, JSON.stringify(report, null, 2));
console.log(JSON.stringify(report));
const ok = report.failures.length === 0 && report.violations.length === 0 && report.thirdParty.length === 0;
process.exit(ok ? 0 : 1);
