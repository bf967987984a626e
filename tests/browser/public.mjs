// Headless Chromium at a phone's viewport (390×844) reads a survey's public results page
// (/r/{survey}) in English and Spanish, with JavaScript on and off: it must look and work the
// same without script (there is none), never say "<10", draw hidden counts as labelled gaps,
// and give axe nothing serious or critical in light mode, dark mode and at 200% text, with
// nothing running off the side of the phone. Run by tests/browser_public.rs.
//
//   node public.mjs BASE_URL SURVEY
//
// Prints a JSON report: { failures, violations, scanned }.

import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const [base, survey] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const report = { failures: [], violations: [], scanned: [] };
const fail = (what) => report.failures.push(what);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});

async function axe(page, name) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      report.violations.push({ page: name, id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) });
    }
  }
  report.scanned.push(name);
}

// Elements past the right edge of the phone, other than those inside a wide table's own
// scrolling region (which itself fits and can be scrolled by touch or keyboard).
async function offTheSide(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("main *, header *")]
      .filter((e) => !e.closest(".scroll") || e.classList.contains("scroll"))
      .filter((e) => e.getBoundingClientRect().right > width + 1)
      .map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className : ""))
      .slice(0, 5);
  });
}

for (const js of [true, false]) {
  for (const lang of ["en", "es"]) {
    const name = `public ${lang} ${js ? "js" : "nojs"}`;
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, javaScriptEnabled: js,
      // Only so that axe can be injected; the page itself runs under its own CSP.
      bypassCSP: true,
    });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      const response = await page.goto(`${base}/r/${survey}?lang=${lang}`);
      if (response.status() !== 200) fail(`${name}: status ${response.status()}`);
      const text = await page.evaluate(() => document.body.innerText);
      if (/<\s*10/.test(text)) fail(`${name}: the page says <10`);
      if ((await page.$$("svg.bars")).length === 0) fail(`${name}: no charts`);
      if ((await page.$$("script")).length !== 0) fail(`${name}: the page carries a script`);
      const tables = await page.$$("table");
      if (tables.length === 0) fail(`${name}: no tables`);
      // A wide table scrolls in its own region, which a keyboard can reach.
      for (const region of await page.$$(".scroll")) {
        if ((await region.getAttribute("tabindex")) !== "0") fail(`${name}: a scrolling table cannot be reached by keyboard`);
      }
      // Every chart bar is inside the chart, and the page reads at phone width.
      const wide = await offTheSide(page);
      if (wide.length) fail(`${name}: these run off the screen: ${wide.join(", ")}`);
      // The language switch leads to the other language.
      const other = lang === "en" ? "es" : "en";
      const link = await page.$(`a[href="/r/${survey}?lang=${other}"]`);
      if (!link) fail(`${name}: no switch to ${other}`);
      if (js) {
        await axe(page, `${name} (light)`);
        await page.emulateMedia({ colorScheme: "dark" });
        await axe(page, `${name} (dark)`);
        await page.emulateMedia({ colorScheme: "light" });
        await page.evaluate(() => { document.documentElement.style.fontSize = "200%"; });
        await axe(page, `${name} (200% text)`);
        const overflow = await offTheSide(page);
        if (overflow.length) fail(`${name}: at 200% text these run off the screen: ${overflow.join(", ")}`);
        // Following the switch works like any link.
        await Promise.all([page.waitForNavigation(), page.click(`a[href="/r/${survey}?lang=${other}"]`)]);
        if (!page.url().endsWith(`lang=${other}`)) fail(`${name}: the switch went to ${page.url()}`);
      }
    } catch (e) {
      fail(`${name}: ${e.message}`);
    }
    if (errors.length) fail(`${name}: script errors ${errors.join("; ")}`);
    await context.close();
  }
}
await browser.close();
console.log(JSON.stringify(report));
