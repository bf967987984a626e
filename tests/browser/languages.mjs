// Headless Chromium at a phone's viewport (390×844) answers the example survey in English,
// Swahili and Arabic (surveys/three-languages.toml) in Swahili and in Arabic, with JavaScript on
// and off: each page must carry the language's lang and dir, show no English interface text,
// and pass axe with nothing serious or critical. Run by tests/browser_languages.rs.
//
//   node languages.mjs BASE_URL CODES(comma-separated, 4)
//
// Prints a JSON report: { failures, violations, scanned }.

import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const [base, codeList] = process.argv.slice(2);
const codes = codeList.split(",");
const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const report = { failures: [], violations: [], scanned: [] };
const fail = (what) => report.failures.push(what);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});

const ENGLISH = ["Next", "Back", "Don't know", "Send my answers", "Quick exit", "Check your answers"];
const EXPECTED = {
  sw: { dir: "ltr", first: "Kuhusu wewe", thanks: "Asante" },
  ar: { dir: "rtl", first: "عنك", thanks: "شكراً لك" },
};

// Without JavaScript a click is a form POST: the next page may still be arriving (its document
// not yet there), so read it once it has loaded, and again if it was replaced while reading.
async function readPage(page) {
  for (let attempt = 0; ; attempt++) {
    try {
      await page.waitForLoadState("load");
      return await page.evaluate(() => ({
        l: document.documentElement.lang, d: document.documentElement.dir, text: document.body.innerText,
      }));
    } catch (e) {
      if (attempt >= 4) throw e;
      await page.waitForTimeout(200);
    }
  }
}

async function check(page, lang, name, js) {
  const { l, d, text } = await readPage(page);
  if (l !== lang || d !== EXPECTED[lang].dir) fail(`${name}: lang=${l} dir=${d}`);
  for (const english of ENGLISH) if (text.includes(english)) fail(`${name}: English "${english}"`);
  if (!js) return;
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      report.violations.push({ page: name, id: v.id, impact: v.impact, help: v.help });
    }
  }
  report.scanned.push(name);
}

let i = 0;
for (const lang of ["sw", "ar"]) {
  for (const js of [true, false]) {
    const code = codes[i++];
    const run = `${lang} ${js ? "js" : "nojs"}`;
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, javaScriptEnabled: js,
      // Only so that axe can be injected; the pages themselves run under their own CSP.
      bypassCSP: true,
    });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/s/three-languages?code=${code}&lang=${lang}`);
      await check(page, lang, `${run} landing`, js);
      await page.click('button[value="start"]');
      // Without JavaScript a click is a form POST: wait for the next page rather than look once.
      await page.locator("h1", { hasText: EXPECTED[lang].first }).waitFor({ timeout: 10000 }).catch(() => {});
      if ((await page.textContent("h1")) !== EXPECTED[lang].first) fail(`${run}: first page title`);
      await check(page, lang, `${run} page`, js);
      // A number out of range: the error, in the peer's language.
      await page.fill('input[name="age"]', "7");
      await page.click('button[value="next"]');
      await check(page, lang, `${run} error`, js);
      await page.fill('input[name="age"]', "33");
      await page.click('button[value="next"]');
      await check(page, lang, `${run} grid`, js);
      await page.click('button[value="next"]');
      await check(page, lang, `${run} review`, js);
      await page.click('button.primary');
      await page.locator("h1", { hasText: EXPECTED[lang].thanks }).waitFor({ timeout: 10000 }).catch(() => {});
      if (!(await page.textContent("h1")).includes(EXPECTED[lang].thanks)) fail(`${run}: thanks`);
      await check(page, lang, `${run} thanks`, js);
    } catch (e) {
      fail(`${run}: ${e.message.split("\n")[0]}`);
    }
    await context.close();
  }
}
await browser.close();
console.log(JSON.stringify(report));
