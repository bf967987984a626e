// Headless Chromium at a phone's viewport (390×844) uses a kiosk of surveys/paid-peer-survey.toml
// as people at a shared tablet do, with JavaScript on and off: person A presses Start, answers,
// gets the thank-you page with a voucher and its Print button, and the kiosk resets to its start
// page; Back, pressed several times, shows nothing of A (no answer, no voucher). A pause without
// input resets too (the test server's kiosk_idle_seconds is a few seconds), and so does Quick
// exit, which stays on the kiosk; every kiosk page says how long it waits, and with JavaScript
// warns first ("More time" keeps the page); and after Quick exit from the review, Back and "resend" of each
// page the browser offers shows nothing of that person either (their code was retired on leaving).
// axe must find nothing serious or critical on the kiosk's pages.
// Run by tests/browser_kiosk.rs.
//
//   node kiosk.mjs BASE_URL KIOSK_PATH
//
// Prints a JSON report: { failures, violations, scanned, back } (back: where each Back led).

import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const [base, kiosk] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const report = { failures: [], violations: [], scanned: [], back: [] };
const fail = (what) => report.failures.push(what);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
// A's answers: an age nobody else gives in this test, so any trace of it is A's.
const AGE = "87";
const startUrl = `${base}${kiosk}`;
const atStart = (page) => page.url() === startUrl || page.url().startsWith(`${startUrl}?`);

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

// What the tablet shows now: its text, and every filled or ticked control.
async function shows(page) {
  try {
    const text = await page.evaluate(() => (document.body ? document.body.innerText : ""));
    const filled = await page.$$eval("input, textarea", (els) =>
      els.filter((e) => (e.type === "radio" || e.type === "checkbox" ? e.checked : e.type !== "hidden" && e.value)).map((e) => `${e.name}=${e.value}`));
    return `${text}\n${filled.join("\n")}`;
  } catch (e) {
    return "";
  }
}

// Back, several times: nothing of the person before may come back.
async function backShowsNothingOf(page, run, secrets) {
  for (let n = 1; n <= 5; n++) {
    await page.goBack({ timeout: 5000 }).catch(() => {});
    await page.waitForTimeout(300);
    const seen = await shows(page);
    report.back.push(`${run} ×${n}: ${page.url()}`);
    for (const s of secrets) if (seen.includes(s)) fail(`${run}: Back ×${n} shows "${s}" (${page.url()})`);
    if (seen.includes("witnessed=") || seen.includes("carries=always")) fail(`${run}: Back ×${n} shows A's ticks`);
  }
}

// Back, then "resend" (a reload of the form the browser offers to send again), as the next
// person might: the form holds the code and every answer of the person who left, and must come
// back as "This code can't be used", never as their answers (the code was retired on leaving).
async function backAndResendShowsNothingOf(page, run, secrets) {
  for (let n = 1; n <= 3; n++) {
    await page.goBack({ timeout: 5000 }).catch(() => {});
    await page.waitForTimeout(300);
    if (page.url().startsWith("chrome-error://")) await page.reload({ timeout: 5000 }).catch(() => {});
    await page.waitForLoadState("load").catch(() => {});
    await page.waitForTimeout(300);
    let seen = await shows(page);
    const back = await page.$('button[value="back"]');
    if (back) {
      await back.click().catch(() => {});
      await page.waitForTimeout(300);
      seen += await shows(page);
    }
    report.back.push(`${run} resend ×${n}: ${page.url()}`);
    for (const s of secrets) if (seen.includes(s)) fail(`${run}: Back and resend ×${n} shows "${s}" (${page.url()}): ${seen.replace(/\s+/g, " ").slice(0, 400)}`);
  }
}

async function start(page, run) {
  await page.goto(startUrl);
  if ((await page.textContent("h1")) === null) fail(`${run}: kiosk start page`);
  await page.click("button.kiosk-go");
  // Waits for the page the form's POST leads to: `isVisible` alone could look at the start
  // page still on screen while a slow machine answers.
  const reached = await page.waitForSelector("#q-consent", { state: "visible", timeout: 10000 }).then(() => true, () => false);
  if (!reached) fail(`${run}: Start did not lead to the first question`);
}

for (const js of [true, false]) {
  const run = js ? "js" : "nojs";
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, javaScriptEnabled: js,
    // Only so that axe can be injected; the pages themselves run under their own CSP.
    bypassCSP: true,
  });
  const page = await context.newPage();
  // "Send the form again?" — yes, as a person pressing Back and then Reload would.
  page.on("dialog", (d) => d.accept());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  try {
    // Person A answers and finishes.
    await page.goto(startUrl);
    if (js) await scan(page, "kiosk start");
    await start(page, run);
    if (js) await scan(page, "kiosk survey page");
    await page.check("#in-consent-yes");
    await page.click('button[value="next"]');
    await page.fill('input[name="age"]', AGE);
    await page.check("#in-witnessed-yes");
    await page.check("#in-carries-always");
    await page.click('button[value="next"]');
    if (!(await page.textContent("main")).includes(AGE)) fail(`${run}: review lacks A's age`);
    await page.click("button.primary");
    const voucher = (await page.textContent(".voucher-code") || "").trim();
    if (!voucher) fail(`${run}: no voucher on the thank-you page`);
    if (js && !(await page.isVisible("[data-print]"))) fail(`${run}: no Print button`);
    if (!js && (await page.isVisible("[data-print]"))) fail(`${run}: a Print button that cannot work without JavaScript`);
    if (js) {
      await scan(page, "kiosk thank-you");
      await page.click("a[data-kiosk-reset]");
    }
    // Without JavaScript the thank-you page goes back by itself after the pause.
    await page.waitForURL((u) => u.href.startsWith(startUrl) && !u.href.endsWith("/start"), { timeout: 15000 });
    if (!atStart(page)) fail(`${run}: not back at the kiosk's start (${page.url()})`);
    await backShowsNothingOf(page, `${run} after thanks`, [AGE, voucher]);

    // Person B starts, ticks one answer and walks away: the pause resets the kiosk.
    await start(page, run);
    await page.check("#in-consent-yes");
    await page.waitForURL((u) => u.href.startsWith(startUrl) && !u.href.endsWith("/start"), { timeout: 15000 });
    if (!atStart(page)) fail(`${run}: the pause did not reset (${page.url()})`);
    if ((await shows(page)).includes("consent=yes")) fail(`${run}: the start page shows B's tick`);
    await backShowsNothingOf(page, `${run} after a pause`, [AGE, voucher, "consent=yes"]);

    // Person E is slow: every kiosk page says how long it waits (in seconds here: the test's
    // wait is 4), with JavaScript from the last tap, without from when the page opened. With
    // JavaScript an "Are you still there?" comes first, its button taking the focus; "More
    // time" starts the wait again, and a page left alone after the warning still resets.
    await start(page, run);
    const limit = (await page.innerText("main")) || "";
    const idleWords = "If nobody touches this screen for 4 seconds";
    const pageWords = "goes back to the start page 4 seconds after it opened";
    const [said, unsaid] = js ? [idleWords, pageWords] : [pageWords, idleWords];
    if (!limit.includes(said) || limit.includes(unsaid)) fail(`${run}: the page does not say how long it waits: ${limit.replace(/\s+/g, " ").slice(-300)}`);
    if (js) {
      await page.check("#in-consent-yes");
      const warned = await page.waitForSelector("#kiosk-warn", { state: "visible", timeout: 5000 }).then(() => true, () => false);
      if (!warned) fail(`${run}: no warning before the reset`);
      const role = await page.getAttribute("#kiosk-warn", "role");
      if (role !== "alert") fail(`${run}: the warning is not announced (role ${role})`);
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.closest("#kiosk-warn") !== null);
      if (!focused) fail(`${run}: the warning's button does not take the focus`);
      await page.click("#kiosk-warn button");
      if (await page.isVisible("#kiosk-warn")) fail(`${run}: "More time" left the warning up`);
      // The wait starts again at the tap: 1.5 s later the page, and E's tick, are still there.
      await page.waitForTimeout(1500);
      if (atStart(page) || !(await page.isChecked("#in-consent-yes").catch(() => false))) fail(`${run}: "More time" did not keep the page`);
    } else if (await page.isVisible("#kiosk-warn")) {
      fail(`${run}: a warning without the script that could act on it`);
    }
    await page.waitForURL((u) => u.href.startsWith(startUrl) && !u.href.endsWith("/start"), { timeout: 15000 });
    if (!atStart(page)) fail(`${run}: a page left alone after the warning did not reset (${page.url()})`);

    // Person C presses Quick exit: back to the kiosk, not to the outside site.
    await start(page, run);
    await page.check("#in-consent-yes");
    await page.click(".exit");
    await page.waitForURL((u) => u.href.startsWith(startUrl), { timeout: 5000 });
    if (!atStart(page)) fail(`${run}: Quick exit left the kiosk (${page.url()})`);
    await backShowsNothingOf(page, `${run} after Quick exit`, [AGE, voucher, "consent=yes"]);

    // Person D answers two pages, reaches the review, goes back to change an answer and presses
    // Quick exit; then the next person presses Back and resends each page the browser offers.
    const D_AGE = "73";
    await start(page, run);
    await page.check("#in-consent-yes");
    await page.click('button[value="next"]');
    await page.fill('input[name="age"]', D_AGE);
    await page.check("#in-witnessed-no");
    await page.check("#in-carries-never");
    await page.click('button[value="next"]');
    if (!(await page.textContent("main")).includes(D_AGE)) fail(`${run}: review lacks D's age`);
    // "Change" on the review: the page before in the history is now the review, whose form
    // held every answer (Quick exit replaces only the page it leaves).
    await page.click('button[name="_go"][value^="page-"]');
    await page.waitForSelector('button[value="review"]', { timeout: 10000 });
    await page.click(".exit");
    await page.waitForURL((u) => u.href.startsWith(startUrl), { timeout: 5000 });
    if (!atStart(page)) fail(`${run}: Quick exit from the review left the kiosk (${page.url()})`);
    await backAndResendShowsNothingOf(page, `${run} after leaving the review`, [D_AGE, "carries=never", "witnessed=no"]);
  } catch (e) {
    fail(`${run}: ${e.message.split("\n")[0]}`);
  }
  for (const e of errors) fail(`${run}: console: ${e}`);
  await context.close();
}
await browser.close();
console.log(JSON.stringify(report));
