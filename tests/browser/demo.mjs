// Headless Chromium at a phone's viewport (390×844) answers the demo survey the way peers do —
// with JavaScript on and off, in English and Spanish — tapping every kind of control, every
// "None of these" / "Don't know" / "Prefer not to say" box, grid rows, months, numbers out of
// range and "Change" from the review. It checks what peers see (exclusive boxes stay ticked, the
// page total never jumps up, focus moves to problems, Back after "Thank you" and after Quick exit
// shows no answer, a reloaded landing page asks for the code), scans every page type with
// axe-core in light mode, dark mode and at 200% text, and prints code cards to PDF on A4 and US
// letter. Run by tests/browser.rs, which compares the answers it reports with what was stored.
//
//   node demo.mjs BASE_URL CODES(comma-separated, 8) ORGANISER PASSWORD ARTEFACT_DIR
//
// Prints a JSON report: { expected: [answers per stored response], failures, violations, … }.

import { chromium } from "playwright-core";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const [base, codeList, organiser, password, outDir] = process.argv.slice(2);
const codes = codeList.split(",");
const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
mkdirSync(outDir, { recursive: true });

const report = { runs: [], expected: [], violations: [], thirdParty: [], failures: [], scanned: [], pdf: [] };
const fail = (what) => report.failures.push(what);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const EXIT_HOST = "https://www.wikipedia.org/";

async function newPage(js, locale) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true,
    javaScriptEnabled: js, bypassCSP: true, locale,
  });
  // Quick exit leaves for another site: answer it here instead of going on the network.
  await context.route((url) => url.href.startsWith(EXIT_HOST), (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Elsewhere</title><p>Elsewhere</p>" }));
  const page = await context.newPage();
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith("data:") && !url.startsWith(EXIT_HOST)) report.thirdParty.push(url);
  });
  return { context, page };
}

// One axe scan, keeping serious and critical findings.
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

// Screenshot; with JavaScript on, axe in light mode, dark mode and with text at 200%, and a check
// that nothing runs off the side of the phone at 200%.
const shoot = (page, name, js) =>
  page.screenshot({ path: `${outDir}/${name}-${js ? "js" : "nojs"}.png`, fullPage: true });

async function visit(page, name, js) {
  await shoot(page, name, js);
  if (!js) return;
  // Keyboard and switch users move through the buttons in the page's order; drawn in another
  // order (Back left of Next while Next comes first), they jump right to left (WCAG 2.4.3).
  const reversed = await page.evaluate(() =>
    [...document.querySelectorAll(".nav")].flatMap((nav) => {
      const shown = [...nav.querySelectorAll("button, a")].filter((b) => b.offsetParent !== null);
      return shown.slice(1).filter((b, i) => {
        const a = shown[i].getBoundingClientRect(), r = b.getBoundingClientRect();
        return r.top < a.bottom - 1 && r.left < a.left;
      }).map((b) => b.textContent.trim());
    }));
  if (reversed.length) fail(`${name}: drawn before the button it follows: ${reversed.join(", ")}`);
  await axe(page, `${name} (light)`);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${outDir}/${name}-dark.png`, fullPage: true });
  await axe(page, `${name} (dark)`);
  await page.emulateMedia({ colorScheme: "light" });
  await page.evaluate(() => { document.documentElement.style.fontSize = "200%"; });
  await page.screenshot({ path: `${outDir}/${name}-200.png`, fullPage: true });
  await axe(page, `${name} (200% text)`);
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("main *, header *")]
      .filter((e) => e.getBoundingClientRect().right > width + 1)
      .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")).slice(0, 5);
  });
  if (overflow.length) fail(`${name}: at 200% text these run off the screen: ${overflow.join(", ")}`);
  await page.evaluate(() => { document.documentElement.style.fontSize = ""; });
}

const progressOf = async (page) => {
  const p = await page.$(".progress span");
  if (!p) return null;
  const n = (await p.textContent()).match(/\d+/g).map(Number);
  return { n: n[0], total: n[1] };
};

// "Page n of m": n goes up by one and m never grows.
function checkProgress(run, progress) {
  for (let i = 1; i < progress.length; i++) {
    const [a, b] = [progress[i - 1], progress[i]];
    if (b.n !== a.n + 1 || b.total > a.total) fail(`${run}: page numbers ${JSON.stringify(progress)}`);
  }
  const last = progress[progress.length - 1];
  if (last && last.n !== last.total) fail(`${run}: the last page is not "n of n": ${JSON.stringify(progress)}`);
}

const isChecked = (page, id) => page.isChecked(`#${id}`);

// Presses a button or link that loads another page, and waits for that page.
async function nav(page, selector) {
  await page.click(selector);
  await page.waitForLoadState("domcontentloaded");
}

// Answers one peer's plan: for each question id on a page, a function that taps its controls.
async function answerSurvey(page, js, name, plan, { onReview } = {}) {
  const progress = [];
  for (let step = 0; step < 20; step++) {
    if (await page.$("button[formaction]")) break; // the review step
    const p = await progressOf(page);
    if (p) progress.push(p);
    // Every page of the fullest run is scanned; the others are photographed.
    if (name === "full-js") await visit(page, `${name}-page-${step + 1}`, js);
    else await shoot(page, `${name}-page-${step + 1}`, js);
    for (const q of await page.$$(".q")) {
      const id = (await q.getAttribute("id")).slice(2);
      if (plan[id]) await plan[id](page);
    }
    await nav(page, ".nav button.primary");
    // A planned problem: the page comes back with its summary, focused, then the fix.
    if (await page.$("#errors")) {
      const fix = plan._fix && plan._fix.shift();
      if (!fix) { fail(`${name}: unexpected problem on "${(await page.textContent("h1")).trim()}"`); break; }
      if (js) {
        const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
        if (focused !== "errors") fail(`${name}: focus is on "${focused}", not the problem summary`);
        if (name === "full-js") await visit(page, "validation-error", js);
      }
      await fix(page);
      await nav(page, ".nav button.primary");
    }
  }
  checkProgress(name, progress);
  if (!(await page.$("button[formaction]"))) fail(`${name}: never reached the review`);
  if (onReview) await onReview(page);
  return progress;
}

// Taps "Change" for the page titled `title` on the review, then runs `edit` and returns.
async function changeFromReview(page, name, title, edit) {
  const section = page.locator("section.rv", { has: page.locator("h2", { hasText: title }) });
  await section.locator("button").click();
  await page.waitForLoadState("domcontentloaded");
  if ((await page.textContent("h1")).trim() !== title) fail(`${name}: "Change" did not open "${title}"`);
  await edit(page);
  await nav(page, "button[value=review]");
  if (!(await page.$("button[formaction]"))) fail(`${name}: after "Change" the review did not come back`);
}

async function send(page, name, js, thanks) {
  await nav(page, "button[formaction]");
  const h1 = (await page.textContent("h1")).trim();
  if (h1 !== thanks) fail(`${name}: expected "${thanks}", got "${h1}"`);
  // Back after "Thank you" shows no answer (a resubmission prompt, or the start page).
  if (name === "full-js") await visit(page, "thanks", js);
  await page.goBack().catch(() => {});
  await page.waitForTimeout(300);
  const shown = await page.content();
  if (/Nothing has been sent yet|Todavía no se ha enviado/.test(shown) || /name="age"/.test(shown)) {
    fail(`${name}: Back after "Thank you" shows the answers again`);
  }
}

const tick = (id) => (page) => page.check(`#${id}`);
const radio = tick;

// ---- Peer A: every control kind, JavaScript on, English, with problems and "Change". ----
async function fullWithJs(code) {
  const name = "full-js";
  const { context, page } = await newPage(true, "en-GB");
  await page.goto(`${base}/s/demo?code=${code}`);
  await visit(page, "landing", true);
  if (page.url().includes("code=")) fail("the code stayed in the address bar with JavaScript on");
  await nav(page, "button[value=start]");
  const plan = {
    consent: radio("in-consent-yes"),
    age: (p) => p.fill("#in-age", "140"),
    gender: radio("in-gender-woman"),
    area: (p) => p.selectOption("#in-area", "harbour"),
    housing: radio("in-housing-prefer_not_to_say"),
    drugs_3m: async (p) => {
      await p.check("#in-drugs_3m-heroin");
      await p.check("#in-drugs_3m-benzos");
      await p.check("#in-drugs_3m-none");
      if (!(await isChecked(p, "in-drugs_3m-none"))) fail(`${name}: "None of these" unticked itself`);
      if (await isChecked(p, "in-drugs_3m-heroin")) fail(`${name}: "None of these" left other boxes ticked`);
      await p.check("#in-drugs_3m-dont_know");
      if (!(await isChecked(p, "in-drugs_3m-dont_know"))) fail(`${name}: "Don't know" unticked itself`);
      if (await isChecked(p, "in-drugs_3m-none")) fail(`${name}: two exclusive boxes stayed ticked`);
      await p.check("#in-drugs_3m-heroin");
      if (await isChecked(p, "in-drugs_3m-dont_know")) fail(`${name}: an option left "Don't know" ticked`);
    },
    injected_3m: radio("in-injected_3m-yes"),
    overdose_witnessed: radio("in-overdose_witnessed-yes"),
    overdose_self: radio("in-overdose_self-dont_know"),
    naloxone_carry: radio("in-naloxone_carry-sometimes"),
    ost: radio("in-ost-current"),
    equipment_source: async (p) => { await p.check("#in-equipment_source-nsp"); await p.check("#in-equipment_source-peers"); },
    reused_equipment: radio("in-reused_equipment-sometimes"),
    shared_equipment: radio("in-shared_equipment-no"),
    naloxone_trained: radio("in-naloxone_trained-yes"),
    naloxone_barriers: tick("in-naloxone_barriers-cost"),
    ost_started: (p) => p.fill("#in-ost_started", "2021-06"),
    service_rating: async (p) => {
      await p.check("#in-service_rating-needle_exchange-good");
      await p.check("#in-service_rating-drop_in-dont_know");
      await p.check("#in-service_rating-ost_clinic-not_used");
      await p.check("#in-service_rating-hospital-prefer_not_to_say");
    },
    respect: radio("in-respect-sometimes"),
    safety: radio("in-safety-4"),
    police_contact: radio("in-police_contact-yes"),
    police_what: async (p) => { await p.check("#in-police_what-searched"); await p.check("#in-police_what-fined"); },
    anything_else: (p) => p.fill("#in-anything_else", "More evening hours, please."),
    _fix: [(p) => p.fill("#in-age", "31")],
  };
  const progress = await answerSurvey(page, true, name, plan, {
    onReview: async (p) => {
      await visit(p, "review", true);
      await changeFromReview(p, name, "About you", (q) => q.fill("#in-age", "32"));
      if (!(await p.content()).includes("32 years")) fail(`${name}: the changed age is not on the review`);
    },
  });
  await send(page, name, true, "Thank you");
  report.runs.push({ name, progress });
  report.expected.push({
    consent: "yes", age: 32, gender: "woman", area: "harbour", housing: "prefer_not_to_say",
    drugs_3m: ["heroin"], injected_3m: "yes", overdose_witnessed: "yes", overdose_self: "dont_know",
    naloxone_carry: "sometimes", ost: "current", equipment_source: ["nsp", "peers"],
    reused_equipment: "sometimes", shared_equipment: "no", naloxone_trained: "yes",
    naloxone_barriers: ["cost"], ost_started: "2021-06",
    service_rating: { needle_exchange: "good", drop_in: "dont_know", ost_clinic: "not_used", hospital: "prefer_not_to_say" },
    respect: "sometimes", safety: 4, police_contact: "yes", police_what: ["searched", "fined"],
    anything_else: "More evening hours, please.",
  });
  await context.close();
}

// ---- Peer B: every "Don't know" / "Prefer not to say" / "None of these", JavaScript on. ----
async function exclusiveWithJs(code) {
  const name = "exclusive-js";
  const { context, page } = await newPage(true, "en-GB");
  await page.goto(`${base}/s/demo?code=${code}`);
  await nav(page, "button[value=start]");
  const stays = async (p, id) => {
    await p.check(`#${id}`);
    if (!(await isChecked(p, id))) fail(`${name}: ${id} unticked itself`);
  };
  const plan = {
    consent: radio("in-consent-yes"),
    age: async (p) => {
      await p.fill("#in-age", "45");
      await stays(p, "in-age-dont_know");
      if ((await p.inputValue("#in-age")) !== "") fail(`${name}: "Don't know" kept the typed age`);
      await stays(p, "in-age-prefer_not_to_say");
      if (await isChecked(p, "in-age-dont_know")) fail(`${name}: two non-answers ticked for age`);
    },
    gender: radio("in-gender-dont_know"),
    area: (p) => p.selectOption("#in-area", "prefer_not_to_say"),
    housing: radio("in-housing-dont_know"),
    drugs_3m: async (p) => { await p.check("#in-drugs_3m-heroin"); await stays(p, "in-drugs_3m-none"); },
    injected_3m: radio("in-injected_3m-yes"),
    overdose_witnessed: radio("in-overdose_witnessed-prefer_not_to_say"),
    naloxone_carry: radio("in-naloxone_carry-never"),
    ost: radio("in-ost-current"),
    equipment_source: async (p) => { await p.check("#in-equipment_source-nsp"); await stays(p, "in-equipment_source-dont_know"); },
    naloxone_barriers: (p) => stays(p, "in-naloxone_barriers-prefer_not_to_say"),
    ost_started: async (p) => {
      await p.fill("#in-ost_started", "2020-01");
      await stays(p, "in-ost_started-dont_know");
      if ((await p.inputValue("#in-ost_started")) !== "") fail(`${name}: "Don't know" kept the typed month`);
    },
    service_rating: async (p) => {
      await p.check("#in-service_rating-needle_exchange-dont_know");
      await p.check("#in-service_rating-hospital-prefer_not_to_say");
    },
    respect: radio("in-respect-prefer_not_to_say"),
    safety: radio("in-safety-dont_know"),
    police_contact: radio("in-police_contact-yes"),
    police_what: (p) => stays(p, "in-police_what-dont_know"),
  };
  const progress = await answerSurvey(page, true, name, plan);
  await send(page, name, true, "Thank you");
  report.runs.push({ name, progress });
  report.expected.push({
    consent: "yes", age: "prefer_not_to_say", gender: "dont_know", area: "prefer_not_to_say",
    housing: "dont_know", drugs_3m: ["none"], injected_3m: "yes", overdose_witnessed: "prefer_not_to_say",
    naloxone_carry: "never", ost: "current", equipment_source: "dont_know",
    naloxone_barriers: "prefer_not_to_say", ost_started: "dont_know",
    service_rating: { needle_exchange: "dont_know", hospital: "prefer_not_to_say" },
    respect: "prefer_not_to_say", safety: "dont_know", police_contact: "yes", police_what: "dont_know",
  });
  await context.close();
}

// ---- Peer C: every control kind, JavaScript off, Spanish, with problems and "Change". ----
async function fullWithoutJs(code) {
  const name = "full-nojs";
  const { context, page } = await newPage(false, "es-ES");
  await page.goto(`${base}/s/demo?code=${code}`);
  await visit(page, "landing", false);
  await nav(page, "button[value=start]");
  const plan = {
    consent: radio("in-consent-yes"),
    age: (p) => p.fill("#in-age", "10"),
    gender: radio("in-gender-man"),
    area: (p) => p.selectOption("#in-area", "station"),
    housing: radio("in-housing-shelter"),
    drugs_3m: async (p) => { await p.check("#in-drugs_3m-cocaine"); await p.check("#in-drugs_3m-cannabis"); },
    injected_3m: radio("in-injected_3m-no"),
    overdose_witnessed: radio("in-overdose_witnessed-no"),
    overdose_self: radio("in-overdose_self-no"),
    naloxone_carry: radio("in-naloxone_carry-always"),
    ost: radio("in-ost-past"),
    naloxone_trained: radio("in-naloxone_trained-no"),
    service_rating: async (p) => {
      await p.check("#in-service_rating-needle_exchange-very_good");
      await p.check("#in-service_rating-drop_in-poor");
      await p.check("#in-service_rating-ost_clinic-okay");
      await p.check("#in-service_rating-hospital-very_poor");
    },
    respect: radio("in-respect-never"),
    safety: radio("in-safety-10"),
    police_contact: radio("in-police_contact-no"),
    anything_else: (p) => p.fill("#in-anything_else", "Más horarios de tarde"),
    _fix: [(p) => p.fill("#in-age", "52")],
  };
  const progress = await answerSurvey(page, false, name, plan, {
    onReview: (p) => changeFromReview(p, name, "Sobre ti", (q) => q.check("#in-gender-non_binary")),
  });
  await send(page, name, false, "Gracias");
  report.runs.push({ name, progress });
  report.expected.push({
    consent: "yes", age: 52, gender: "non_binary", area: "station", housing: "shelter",
    drugs_3m: ["cocaine", "cannabis"], injected_3m: "no", overdose_witnessed: "no", overdose_self: "no",
    naloxone_carry: "always", ost: "past", naloxone_trained: "no",
    service_rating: { needle_exchange: "very_good", drop_in: "poor", ost_clinic: "okay", hospital: "very_poor" },
    respect: "never", safety: 10, police_contact: "no", anything_else: "Más horarios de tarde",
  });
  await context.close();
}

// ---- Peer D: the exclusive boxes again, JavaScript off. ----
async function exclusiveWithoutJs(code) {
  const name = "exclusive-nojs";
  const { context, page } = await newPage(false, "en-GB");
  await page.goto(`${base}/s/demo?code=${code}`);
  await nav(page, "button[value=start]");
  const plan = {
    consent: radio("in-consent-yes"),
    age: tick("in-age-dont_know"),
    gender: radio("in-gender-prefer_not_to_say"),
    area: (p) => p.selectOption("#in-area", "dont_know"),
    housing: radio("in-housing-prefer_not_to_say"),
    drugs_3m: tick("in-drugs_3m-prefer_not_to_say"),
    injected_3m: radio("in-injected_3m-dont_know"),
    overdose_self: radio("in-overdose_self-prefer_not_to_say"),
    naloxone_carry: radio("in-naloxone_carry-sometimes"),
    ost: radio("in-ost-prefer_not_to_say"),
    naloxone_trained: radio("in-naloxone_trained-dont_know"),
    naloxone_barriers: tick("in-naloxone_barriers-dont_know"),
    service_rating: (p) => p.check("#in-service_rating-drop_in-prefer_not_to_say"),
    respect: radio("in-respect-dont_know"),
    safety: radio("in-safety-prefer_not_to_say"),
    police_contact: radio("in-police_contact-dont_know"),
  };
  const progress = await answerSurvey(page, false, name, plan);
  await send(page, name, false, "Thank you");
  report.runs.push({ name, progress });
  report.expected.push({
    consent: "yes", age: "dont_know", gender: "prefer_not_to_say", area: "dont_know",
    housing: "prefer_not_to_say", drugs_3m: "prefer_not_to_say", injected_3m: "dont_know",
    overdose_self: "prefer_not_to_say", naloxone_carry: "sometimes", ost: "prefer_not_to_say",
    naloxone_trained: "dont_know", naloxone_barriers: "dont_know",
    service_rating: { drop_in: "prefer_not_to_say" }, respect: "dont_know",
    safety: "prefer_not_to_say", police_contact: "dont_know",
  });
  await context.close();
}

// ---- Peer E: answers, then declines consent from the review: told, and nothing is stored. ----
async function declinesFromReview(code, js) {
  const name = `declines-${js ? "js" : "nojs"}`;
  const { context, page } = await newPage(js, "en-GB");
  await page.goto(`${base}/s/demo?code=${code}`);
  await nav(page, "button[value=start]");
  await answerSurvey(page, js, name, {
    consent: radio("in-consent-yes"),
    age: (p) => p.fill("#in-age", "29"),
  }, {
    onReview: async (p) => {
      await changeFromReview(p, name, "Welcome", (q) => q.check("#in-consent-no"));
      if (!(await p.$("#screened-out"))) fail(`${name}: the review does not say the survey ends here`);
      if ((await p.content()).includes("29 years")) fail(`${name}: set-aside answers are listed as sent`);
      if (js) await visit(p, "review-screened-out", js);
      await changeFromReview(p, name, "Welcome", (q) => q.check("#in-consent-yes"));
      if (!(await p.content()).includes("29 years")) fail(`${name}: accepting again did not restore the answers`);
      await changeFromReview(p, name, "Welcome", (q) => q.check("#in-consent-no"));
    },
  });
  await nav(page, "button[formaction]");
  if (!(await page.content()).includes("None of your answers were stored")) fail(`${name}: the end is not explained`);
  await context.close();
}

// ---- Peer F: Quick exit mid-survey, then Back: no answers (JavaScript on). ----
async function quickExit(code) {
  const name = "quick-exit";
  const { context, page } = await newPage(true, "en-GB");
  await page.goto(`${base}/s/demo?code=${code}`);
  // A reload after the script took the code out of the address bar asks for the code again.
  await page.reload();
  const reloaded = await page.content();
  if (!(await page.$("input#code"))) fail(`${name}: a reloaded landing page has no code field`);
  if (/don't need to keep/.test(reloaded)) fail(`${name}: the landing tells the peer to throw the card away`);
  await page.fill("#code", "not-a-code");
  await nav(page, "button[value=start]");
  if (!(await page.$("#errors")) || (await page.$(".q"))) fail(`${name}: a bad code on the landing was not refused at once`);
  await visit(page, "landing-refused", true);
  await page.fill("#code", code);
  await nav(page, "button[value=start]");
  await page.check("#in-consent-yes");
  await nav(page, "button[value=next]");
  await page.fill("#in-age", "61");
  await page.check("#in-gender-man");
  await nav(page, "button[value=next]");
  await page.click(".exit");
  await page.waitForURL((u) => u.href.startsWith(EXIT_HOST));
  await page.goBack().catch(() => {});
  await page.waitForTimeout(500);
  const url = page.url();
  // What the page holds now, typed values included (a restored page keeps them in the DOM).
  const shown = await page.evaluate(() => {
    const age = document.querySelector("#in-age");
    const man = document.querySelector("#in-gender-man");
    return { age: age ? age.value : "", man: !!(man && man.checked), hidden: !!document.querySelector("input[type=hidden][name=age]") };
  }).catch(() => ({ age: "", man: false, hidden: false }));
  if (shown.age || shown.man || shown.hidden) fail(`${name}: Back after Quick exit shows answers (${url}, ${JSON.stringify(shown)})`);
  report.runs.push({ name, backTo: url });
  await context.close();
}

async function otherPages(code) {
  const { context, page } = await newPage(true, "en-GB");
  await page.goto(`${base}/`);
  await visit(page, "home", true);
  await nav(page, "a.lang[lang=es]");
  if (!(await page.content()).includes('lang="es"')) fail("the code-entry page did not switch to Spanish");
  await visit(page, "home-es", true);
  await page.fill("#code", "not-a-code");
  await nav(page, "button.primary");
  await visit(page, "code-unusable", true);
  await page.goto(`${base}/privacy`);
  await visit(page, "privacy", true);
  await context.close();
}

// ---- Code cards: printed to PDF, 10 to a page on A4 and on US letter; reload issues nothing. ----
async function cards() {
  const { context, page } = await newPage(true, "en-GB");
  await page.setViewportSize({ width: 1024, height: 800 });
  await page.goto(`${base}/org/login`);
  await page.fill("#name", organiser);
  await page.fill("#password", password);
  await nav(page, "button.primary");
  for (const [paper, count, media] of [["a4", 20, [595, 842]], ["letter", 25, [612, 792]]]) {
    await page.goto(`${base}/org/s/demo`);
    await page.fill("#count", String(count));
    await page.check(`#paper-${paper}`);
    await nav(page, "button[value=print]");
    const sheetUrl = page.url();
    if (!/\/org\/s\/demo\/cards\//.test(sheetUrl)) fail(`cards: issuing did not redirect (${sheetUrl})`);
    if (paper === "a4") await axe(page, "cards");
    await page.emulateMedia({ media: "print" });
    const layout = await page.evaluate(() => [...document.querySelectorAll(".sheet")].map((s) => {
      const box = s.getBoundingClientRect();
      const cards = [...s.querySelectorAll(".card")];
      return {
        cards: cards.length,
        inside: cards.every((c) => c.getBoundingClientRect().bottom <= box.bottom + 0.5
          && [...c.querySelectorAll("p")].every((p) => p.getBoundingClientRect().bottom <= c.getBoundingClientRect().bottom + 0.5)),
      };
    }));
    // Back to no emulation: page.pdf() prints with print media then (after an explicit
    // "screen" it would print the screen layout).
    await page.emulateMedia({ media: null });
    // Print once layout has settled (fonts loaded, a frame drawn). Headless Chromium now and
    // then lays a print out before the page's print styles apply (four cards a page); such a
    // print is made again once, and both counts are reported.
    const print = async () => {
      await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => r()))));
      const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString("latin1");
      return [pdf, (pdf.match(/\/Type\s*\/Page(?![s\w])/g) || []).length];
    };
    let [pdf, pages] = await print();
    const firstPages = pages;
    if (pages !== Math.ceil(count / 10)) [pdf, pages] = await print();
    writeFileSync(`${outDir}/cards-${paper}.pdf`, pdf, "latin1");
    const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => [Math.round(+m[1]), Math.round(+m[2])]);
    report.pdf.push({ paper, count, pages, firstPages, boxes, layout });
    const want = Math.ceil(count / 10);
    if (pages !== want) fail(`cards ${paper}: ${count} cards printed on ${pages} pages, not ${want}`);
    if (!boxes.length || boxes.some(([w, h]) => Math.abs(w - media[0]) > 2 || Math.abs(h - media[1]) > 2)) {
      fail(`cards ${paper}: pages are ${JSON.stringify(boxes)}, not ${media}`);
    }
    const perSheet = layout.map((s) => s.cards);
    const full = Array(Math.floor(count / 10)).fill(10).concat(count % 10 ? [count % 10] : []);
    if (JSON.stringify(perSheet) !== JSON.stringify(full)) fail(`cards ${paper}: cards per page ${perSheet}`);
    if (layout.some((s) => !s.inside)) fail(`cards ${paper}: some card text runs off its card or page`);
    await page.screenshot({ path: `${outDir}/cards-${paper}.png`, fullPage: true });
    await page.reload();
    if ((await page.$$(".card")).length !== 0 || !(await page.content()).includes("shown once")) {
      fail(`cards ${paper}: reloading the sheet showed codes again`);
    }
  }
  await context.close();
}

try {
  await otherPages();
  await fullWithJs(codes[0]);
  await exclusiveWithJs(codes[1]);
  await fullWithoutJs(codes[2]);
  await exclusiveWithoutJs(codes[3]);
  await declinesFromReview(codes[4], true);
  await declinesFromReview(codes[5], false);
  await quickExit(codes[6]);
  await cards();
} catch (e) {
  fail(String(e && e.stack || e));
}
await browser.close();
writeFileSync(`${outDir}/report.json`, JSON.stringify(report, null, 2));
console.log(JSON.stringify(report));
const ok = report.failures.length === 0 && report.violations.length === 0 && report.thirdParty.length === 0;
process.exit(ok ? 0 : 1);
