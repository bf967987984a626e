// Headless Chromium at a phone's viewport (390×844) answers surveys/naloxone-carry.toml, whose
// follow-up questions depend on an answer above them on the same page, with JavaScript on and
// off. With JavaScript a follow-up appears only when it applies and its hint is gone; without,
// every follow-up is on the page with its hint, and an answer to one that does not apply is
// set aside. axe must find nothing serious or critical. Run by tests/browser_logic.rs.
//
//   node logic.mjs BASE_URL CODES(comma-separated, 2)
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

async function scan(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      report.violations.push({ page: name, id: v.id, impact: v.impact, help: v.help });
    }
  }
  report.scanned.push(name);
}

const shown = (page, id) => page.isVisible(`#q-${id}`);
const hintShown = (page, id) => page.isVisible(`#q-${id} .if-hint`);

async function expectShown(page, run, expected) {
  for (const [id, want] of Object.entries(expected)) {
    if ((await shown(page, id)) !== want) fail(`${run}: ${id} ${want ? "hidden" : "shown"}`);
  }
}

let i = 0;
for (const js of [true, false]) {
  const code = codes[i++];
  const run = js ? "js" : "nojs";
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, javaScriptEnabled: js,
    // Only so that axe can be injected; the pages themselves run under their own CSP.
    bypassCSP: true,
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Script errors only (a browser asking for /favicon.ico gets a 404, which is not one).
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  try {
    await page.goto(`${base}/s/naloxone-carry?code=${code}&lang=en`);
    await page.click('button[value="start"]');
    // Without JavaScript Start is a form POST: wait for the question page rather than look once
    // while it may still be on its way (a busy machine showed the start page still on screen).
    const reached = await page.waitForSelector("#q-carried", { state: "visible", timeout: 10000 }).then(() => true, () => false);
    if (!reached) fail(`${run}: Start did not lead to the first question`);
    if (js) {
      await expectShown(page, `${run} start`, { carried: true, kit: false, why_not: false, overdoses: true, used_on_someone: true });
      if (await hintShown(page, "kit")) fail(`${run}: the hint stays beside a live follow-up`);
      // A condition the script cannot follow keeps its hint.
      if (!(await hintShown(page, "used_on_someone"))) fail(`${run}: numeric follow-up lost its hint`);
      await page.check("#in-carried-no");
      await expectShown(page, `${run} no`, { kit: false, why_not: true });
      await page.check("#in-carried-yes");
      await expectShown(page, `${run} yes`, { kit: true, why_not: false });
      await scan(page, `${run} page`);
      await page.check("#in-kit-nasal");
      await page.fill('input[name="overdoses"]', "0");
    } else {
      await expectShown(page, `${run} start`, { carried: true, kit: true, why_not: true, overdoses: true, used_on_someone: true });
      if ((await page.textContent("#q-kit .if-hint")) !== "Answer this if you said “Yes” above.") fail(`${run}: kit hint`);
      if (!(await hintShown(page, "why_not"))) fail(`${run}: why_not hint`);
      // Said No, yet answered the Yes follow-up too: that answer is set aside.
      await page.check("#in-carried-no");
      await page.check("#in-kit-nasal");
      await page.check("#in-why_not-police");
      await page.fill('input[name="overdoses"]', "0");
    }
    await page.click('button[value="next"]');
    const second = await page.waitForSelector('h1:text-is("Getting more")', { timeout: 10000 }).then(() => true, () => false);
    if (!second) fail(`${run}: second page`);
    await page.check("#in-want_more-yes");
    await page.click('button[value="next"]');
    await page.waitForSelector("#in-want_more-yes", { state: "detached", timeout: 10000 }).catch(() => fail(`${run}: review`));
    const review = await page.textContent("main");
    if (js && !review.includes("Nasal spray")) fail(`${run}: review lacks the follow-up answer`);
    if (!js && review.includes("Nasal spray")) fail(`${run}: review shows a set-aside answer`);
    if (!js && !review.includes("Worried about police")) fail(`${run}: review lacks why_not`);
    await page.click("button.primary");
    if (!(await page.textContent("h1")).includes("Thank you")) fail(`${run}: thanks`);
  } catch (e) {
    fail(`${run}: ${e.message.split("\n")[0]}`);
  }
  for (const e of errors) fail(`${run}: console: ${e}`);
  await context.close();
}
await browser.close();
console.log(JSON.stringify(report));
