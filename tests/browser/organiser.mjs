// Headless Chromium walks through the whole organiser workspace (/org) the way an organiser does
// on a laptop (1024×800), once with JavaScript on and once with it off, tapping every control the
// pages offer: the first organiser's one-time set-up link, logging in (a wrong password first),
// importing a survey (uploaded, pasted, and an invalid one), opening it, code cards (a printed
// sheet with a batch tag, and a CSV file), paper questionnaires, a tablet kiosk (opened and
// closed), publishing releases and reading them (the two-question table, every download), free
// text and quotes, public results (on, the tables chosen, off), closing, retention, shredding,
// the vouchers desk, researchers' export requests (asked by a researcher, approved and declined
// here), the audit log and logging out (and the session is over on the server). The main pages
// are then read again at a phone's 390×844.
//
// On every page: a human HTML page (never raw JSON), no 404/500 from a link or form the page
// offers, no script error, no Content-Security-Policy violation (the CSP is enforced; axe is
// injected through the DevTools protocol, which it does not govern), no request to another
// host, forms that work without JavaScript (a submit control, a CSRF token), messages written as
// sentences, no "<10" (pages and downloads), nothing running off the side, and nothing serious
// or critical for axe-core (pages seen without JavaScript are scanned as copies in a page with
// it: axe itself needs script). Controls a page offers that can only refuse, and forms whose
// reload repeats their action, are reported too. Run by tests/browser_organiser.rs.
//
//   node organiser.mjs BASE_URL SETTINGS.json        (WALK_TRACE=1: each step on stderr)
//
// SETTINGS.json: { phase: "setup" | "walk" | "waiting", setup, organiser, researcher, password,
// vouchers, closedSurvey, surveys }. "setup" uses the one-time set-up link (before any account
// exists); "walk" is the walk-through; "waiting" publishes a release on a server that waits for
// none (`release_wait_seconds = 0`), one of `surveys` per run, and presses "Look again" on the
// page that says it is being made until it leads to the release. Prints a JSON report:
// { failures, violations, scanned, covered, notes }, and exits 1 if there is a failure or a
// violation.

import { chromium, request as apiRequest } from "playwright-core";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { createRequire } from "node:module";

const [base, settingsPath] = process.argv.slice(2);
const cfg = JSON.parse(readFileSync(settingsPath, "utf8"));
const origin = new URL(base).origin;
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "chorus-organiser-"));

const report = { failures: [], violations: [], scanned: [], covered: [], notes: [] };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

const DESKTOP = { width: 1024, height: 800 };
const PHONE = { width: 390, height: 844 };
const pathOf = (u) => { const x = new URL(u, base); return x.origin === origin ? x.pathname + x.search + x.hash : x.href; };
const squash = (s) => String(s || "").replace(/\s+/g, " ").trim();
const firstLine = (s) => String(s || "").split("\n")[0];

// ---------------------------------------------------------------------------------------------
// One browser per run (JavaScript on or off) and who is logged in there.

async function newRun(js, who) {
  const tag = `${js ? "js" : "nojs"}${who === "organiser" ? "" : " " + who}`;
  // The pages' own Content-Security-Policy stays in force (no bypassCSP): a violation shows as
  // a console error. axe is injected through page.evaluate, which the CSP does not govern.
  const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: js, acceptDownloads: true, locale: "en-GB" });
  const page = await context.newPage();
  const R = { js, tag, who, context, page, linksChecked: new Set(), scannedKeys: new Set(), current: "" };
  page.on("pageerror", (e) => fail(R, "(page script)", `uncaught script error: ${firstLine(e.message)}`));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const text = m.text();
    // A 4xx/5xx of the page itself is checked where it is expected or not; Chromium's own
    // favicon request is no page's doing.
    if (text.startsWith("Failed to load resource")) return;
    fail(R, "(console)", `console error${/Content Security Policy/i.test(text) ? " (a CSP violation)" : ""}: ${text.slice(0, 300)}`);
  });
  context.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:")) {
      fail(R, "(network)", `a request to another host: ${url}`);
    }
  });
  page.on("response", (r) => {
    const type = r.request().resourceType();
    if (type !== "document" && r.status() >= 400) fail(R, "(network)", `a ${type} failed to load: ${r.status()} ${pathOf(r.url())}`);
  });
  return R;
}

function fail(R, control, problem, extra = {}) {
  const entry = { run: R ? R.tag : "-", page: R ? R.current : "-", control, problem, ...extra };
  if (report.failures.some((f) => f.run === entry.run && f.page === entry.page && f.control === control && f.problem === problem)) return;
  report.failures.push(entry);
}
const seenOnce = new Set();
const once = (key) => !seenOnce.has(key) && !!seenOnce.add(key);
const note = (R, what) => report.notes.push(`${R.tag}: ${what}`);

async function snippet(page, n = 300) {
  try {
    return squash(await page.evaluate(() => (document.querySelector("main") || document.body || document.documentElement).innerText)).slice(0, n);
  } catch (e) {
    return "";
  }
}

// Statuses along the way to the page now shown: the form's POST, its redirect, the page.
function chainOf(resp) {
  const chain = [];
  let req = resp.request();
  while (req) {
    chain.unshift(req);
    req = req.redirectedFrom();
  }
  return Promise.all(chain.map(async (r) => {
    const res = await r.response();
    return `${r.method()} ${pathOf(r.url())} → ${res ? res.status() : "?"}`;
  }));
}

// ---------------------------------------------------------------------------------------------
// What every page must be.

async function offTheSide(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("main *, header *")]
      .filter((e) => !e.closest(".scroll") || e.classList.contains("scroll"))
      .filter((e) => e.getBoundingClientRect().right > width + 1)
      .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().replace(/\s+/g, ".") : ""))
      .slice(0, 6);
  });
}

// axe runs only where script runs (with JavaScript off, axe.run never returns and takes the page
// down with it): a page seen with JavaScript off is scanned as a copy, without its scripts, in a
// scanner page of the same origin with JavaScript on.
let scanner = null;
async function scannerFor(R) {
  if (R.js) return R.page;
  if (!scanner) {
    const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: true });
    scanner = await context.newPage();
    await scanner.goto(`${base}/privacy`);
  }
  await scanner.setViewportSize(R.page.viewportSize());
  const html = (await R.page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "");
  await scanner.setContent(html, { waitUntil: "load" });
  return scanner;
}

async function axe(R, name) {
  try {
    const page = await scannerFor(R);
    if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    for (const v of result.violations) {
      if (v.impact !== "serious" && v.impact !== "critical") continue;
      const nodes = v.nodes.map((n) => n.target.join(" ")).slice(0, 5);
      const key = `${name.replace(/^\S+ /, "")}|${v.id}|${nodes.join(",")}`;
      if (report.violations.some((x) => x.key === key)) continue;
      report.violations.push({ key, page: name, id: v.id, impact: v.impact, help: v.help, nodes,
        html: v.nodes.slice(0, 2).map((n) => n.html.slice(0, 160)) });
    }
    report.scanned.push(name);
  } catch (e) {
    fail(R, "(axe)", `axe could not scan ${name}: ${firstLine(e.message)}`);
  }
}

// The forms and links of the page: each form can be sent without script and carries its CSRF
// token; nothing needs script to work; no link leads to a 404 or a server error.
async function auditControls(R, name) {
  const page = R.page;
  const found = await page.evaluate(() => {
    const forms = [...document.querySelectorAll("form")].map((f) => ({
      action: f.getAttribute("action"),
      method: (f.getAttribute("method") || "get").toLowerCase(),
      csrf: [...f.querySelectorAll("input[type=hidden][name=_csrf]")].some((i) => i.value.length > 0),
      submit: !!f.querySelector("button:not([type=button]):not([type=reset]), input[type=submit], input[type=image]"),
      multipart: f.enctype === "multipart/form-data",
      file: !!f.querySelector("input[type=file]"),
      html: f.outerHTML.replace(/\s+/g, " ").slice(0, 160),
    }));
    const scripted = [...document.querySelectorAll("*")].filter((e) =>
      [...e.attributes].some((a) => a.name.startsWith("on")) ||
      (e.tagName === "A" && /^\s*(javascript:|#\s*$)/i.test(e.getAttribute("href") || "")) ||
      (e.tagName === "BUTTON" && e.getAttribute("type") === "button" && !e.hidden))
      .map((e) => e.outerHTML.replace(/\s+/g, " ").slice(0, 120));
    const links = [...document.querySelectorAll("a[href]")].map((a) => ({ href: a.href, text: a.innerText.replace(/\s+/g, " ").trim().slice(0, 60) }));
    return { forms, scripted, links };
  });
  for (const f of found.forms) {
    if (!f.submit) fail(R, `form ${f.action}`, "a form with no submit button: it cannot be sent without JavaScript", { html: f.html });
    // The one-time set-up form acts with no cookie: its secret is its own address (README).
    const setup = new URL(f.action || page.url(), base).pathname.startsWith("/org/setup/");
    if (f.method === "post" && !f.csrf && !setup) fail(R, `form ${f.action || "(this address)"}`, "a form posted without a CSRF token (the README promises one on every form)", { html: f.html });
    if (f.file && !f.multipart) fail(R, `form ${f.action}`, "a file field in a form that is not multipart: the file is never sent", { html: f.html });
    if (f.action && new URL(f.action, base).origin !== origin) fail(R, `form ${f.action}`, "a form posted to another host");
  }
  for (const s of found.scripted) fail(R, "(markup)", `a control that needs JavaScript: ${s}`);
  for (const l of found.links) {
    const u = new URL(l.href);
    if (u.origin !== origin) {
      if (!R.linksChecked.has(l.href)) { R.linksChecked.add(l.href); note(R, `${name}: a link to another host (not followed): ${l.href}`); }
      continue;
    }
    const key = u.pathname + u.search;
    if (R.linksChecked.has(key)) continue;
    R.linksChecked.add(key);
    try {
      const res = await R.context.request.get(u.href, { maxRedirects: 5, timeout: 60000 });
      const status = res.status();
      if (status === 404 || status >= 500) {
        fail(R, `link "${l.text}" → ${key}`, `the link leads to ${status}`, { status, body: squash(await res.text()).slice(0, 300) });
      }
    } catch (e) {
      fail(R, `link "${l.text}" → ${key}`, `following the link failed: ${firstLine(e.message)}`);
    }
  }
}

// After every navigation: the page that arrived, checked against what was expected.
//   opt.status   the final page's status (default 200), or a list of acceptable ones
//   opt.path     a RegExp the final address (path, query, fragment) must match
//   opt.h1       a RegExp the page's heading must match
//   opt.text     RegExps (or strings) the page's text must contain
//   opt.not      RegExps (or strings) it must not contain
async function land(R, from, control, resp, opt = {}) {
  const page = R.page;
  R.current = pathOf(page.url());
  if (!resp) {
    fail(R, control, `no page came back (from ${from})`);
    return null;
  }
  const status = resp.status();
  const chain = await chainOf(resp);
  const headers = await resp.allHeaders();
  const text = await page.evaluate(() => document.body ? document.body.innerText : "").catch(() => "");
  const h1 = squash(await page.evaluate(() => document.querySelector("h1") ? document.querySelector("h1").innerText : "").catch(() => ""));
  const body = squash(text).slice(0, 300);
  const details = { status, chain: chain.join("; "), h1, body };
  const wanted = [].concat(opt.status ?? 200);
  if (!wanted.includes(status)) fail(R, control, `expected status ${wanted.join(" or ")}, got ${status}`, details);
  if (opt.path && !opt.path.test(R.current)) fail(R, control, `expected to arrive at ${opt.path}, arrived at ${R.current}`, details);
  if (opt.h1 && !opt.h1.test(h1)) fail(R, control, `expected the heading ${opt.h1}, got "${h1}"`, details);
  for (const t of [].concat(opt.text || [])) {
    if (!(t instanceof RegExp ? t.test(text) : text.includes(t))) fail(R, control, `the page does not say ${t}`, details);
  }
  for (const t of [].concat(opt.not || [])) {
    if (t instanceof RegExp ? t.test(text) : text.includes(t)) fail(R, control, `the page says ${t}`, details);
  }
  // A human page: HTML with a title and a heading, never raw JSON or plain text.
  const type = headers["content-type"] || "";
  if (!type.startsWith("text/html")) fail(R, control, `the answer is not a web page but ${type || "untyped"}`, details);
  if (/^\s*[{[]/.test(text)) fail(R, control, "the page shows raw JSON", details);
  if (!h1) fail(R, control, "the page has no heading (h1)", details);
  if (!squash(await page.title())) fail(R, control, "the page has no title", details);
  if (status >= 500) fail(R, control, `a server error (${status})`, details);
  if (!/no-store/.test(headers["cache-control"] || "")) fail(R, control, "the page may be cached (no Cache-Control: no-store)", details);
  if (!/default-src/.test(headers["content-security-policy"] || "")) fail(R, control, "the page has no Content-Security-Policy", details);
  const doubled = text.match(/\b([A-Za-z]{2,}) +\1\b/);
  if (doubled && !/^(that|had|is)$/i.test(doubled[1])) fail(R, control, `the page repeats a word: "${squash(text.slice(Math.max(0, doubled.index - 40), doubled.index + 40))}"`, details);
  if (/<\s*10\b|&lt;\s*10\b/.test(text)) fail(R, control, 'the page says "<10"', details);
  // Messages are written as sentences, and counts agree with their nouns.
  const notices = await page.$$eval("main .err, main [role=alert] p, main [role=alert] li, main .errors li, main h1 + p, main section.note p",
    (ns) => ns.map((n) => n.innerText.trim()).filter(Boolean)).catch(() => []);
  // (Each such wording is reported once, where it was first seen.)
  for (const n of notices) {
    if (/^[a-z]/.test(n) && !/^line \d+/.test(n) && once(`lower ${n.replace(/\d+/g, "#").replace(/'[^']*'/g, "''")}`)) fail(R, control, `a message starts in lower case, not as a sentence: "${n.slice(0, 120)}"`, { status });
  }
  const plural = text.match(/(?<![\d.,])\b1 (codes|responses|tables|cards|days|hours|minutes|answers|releases|people|records)\b/);
  if (plural && once(`plural ${plural[0]}`)) fail(R, control, `"${plural[0]}" (one, with a plural noun)`, { around: squash(text.slice(Math.max(0, plural.index - 60), plural.index + 40)) });
  const wide = await offTheSide(page).catch(() => []);
  if (wide.length) fail(R, control, `these run off the side at ${page.viewportSize().width}px: ${wide.join(", ")}`, { status });
  // Each distinct page (address without ids, status, heading) is scanned and audited once a run.
  const key = `${R.tag} ${R.current.replace(/[?#].*$/, "")} ${status} ${h1}`;
  if (!R.scannedKeys.has(key)) {
    R.scannedKeys.add(key);
    await axe(R, `${R.tag} ${R.current.replace(/#.*$/, "")} [${status} "${h1.slice(0, 50)}"]`);
    if (!opt.noLinks) await auditControls(R, R.current);
  }
  return { status, text, h1 };
}

const trace = (...a) => { if (process.env.WALK_TRACE) console.error(new Date().toISOString().slice(11, 23), ...a); };
const loc = (R, target) => (typeof target === "string" ? R.page.locator(target) : target);

// Presses a button or link that loads a page, waits for that page, and checks it.
async function tap(R, target, control, opt = {}) {
  const from = R.current = pathOf(R.page.url());
  trace(R.tag, "tap", control, "on", from);
  const l = loc(R, target);
  const n = await l.count();
  if (n === 0) {
    fail(R, control, `the page offers no such control (${typeof target === "string" ? target : "locator"})`, { body: await snippet(R.page) });
    return null;
  }
  let resp;
  try {
    [resp] = await Promise.all([
      R.page.waitForNavigation({ waitUntil: "domcontentloaded", timeout: opt.timeout || 30000 }),
      l.first().click({ timeout: 5000 }),
    ]);
  } catch (e) {
    fail(R, control, `pressing it loaded no page: ${firstLine(e.message)}`, { body: await snippet(R.page) });
    return null;
  }
  report.covered.push(`${R.tag}: ${control}`);
  return land(R, from, control, resp, opt);
}

async function visit(R, path, control, opt = {}) {
  const from = R.current;
  trace(R.tag, "visit", path);
  let resp;
  try {
    resp = await R.page.goto(new URL(path, base).href, { waitUntil: "domcontentloaded", timeout: opt.timeout || 30000 });
  } catch (e) {
    fail(R, control, `loading ${path} failed: ${firstLine(e.message)}`);
    return null;
  }
  return land(R, from, control, resp, opt);
}

// Presses a control that downloads a file; returns { status, type, disposition, body }.
async function download(R, target, control, match) {
  R.current = pathOf(R.page.url());
  const l = loc(R, target);
  if ((await l.count()) === 0) {
    fail(R, control, "the page offers no such control", { body: await snippet(R.page) });
    return null;
  }
  try {
    const [dl, resp] = await Promise.all([
      R.page.waitForEvent("download", { timeout: 30000 }),
      R.page.waitForResponse((r) => match(r.url(), r.request().method()), { timeout: 30000 }),
      l.first().click({ timeout: 5000 }),
    ]);
    const body = readFileSync(await dl.path());
    const headers = await resp.allHeaders();
    report.covered.push(`${R.tag}: ${control}`);
    return { status: resp.status(), type: headers["content-type"] || "", disposition: headers["content-disposition"] || "", cache: headers["cache-control"] || "", name: dl.suggestedFilename(), body };
  } catch (e) {
    fail(R, control, `pressing it downloaded nothing: ${firstLine(e.message)}`, { body: await snippet(R.page) });
    return null;
  }
}

function unzip(buf) {
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error("not a zip file");
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  const files = {};
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error("a broken zip directory");
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const skip = nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = method === 0 ? data : method === 8 ? inflateRawSync(data) : Buffer.alloc(0);
    p += 46 + skip;
  }
  return files;
}

// A downloaded file: its status and type, and no "<10" anywhere in it (inside a zip too).
function checkFile(R, control, got, { type, files = [] }) {
  if (!got) return {};
  const where = { status: got.status, type: got.type, disposition: got.disposition };
  if (got.status !== 200) fail(R, control, `the download answered ${got.status}`, { ...where, body: squash(got.body.toString("utf8")).slice(0, 300) });
  if (!type.test(got.type)) fail(R, control, `the download's type is "${got.type}", not ${type}`, where);
  if (!/attachment/.test(got.disposition)) fail(R, control, "the download is not sent as an attachment (no file name)", where);
  if (!/no-store/.test(got.cache)) fail(R, control, `the download may be cached by the browser (Cache-Control: "${got.cache}")`, where);
  let contents = { "": got.body };
  if (/zip/.test(got.type)) {
    try {
      contents = unzip(got.body);
    } catch (e) {
      fail(R, control, `the zip cannot be opened: ${e.message}`, where);
    }
    for (const f of files) if (!Object.keys(contents).some((n) => n === f || n.endsWith("/" + f))) fail(R, control, `the zip has no ${f}`, { ...where, files: Object.keys(contents) });
  }
  for (const [name, data] of Object.entries(contents)) {
    const s = data.toString("utf8");
    const m = s.match(/<\s*10\b|&lt;\s*10\b/);
    if (m) fail(R, control, `${name || "the file"} says "${m[0]}"`, { ...where, around: s.slice(Math.max(0, m.index - 60), m.index + 40) });
  }
  return contents;
}

async function step(R, name, fn) {
  try {
    await fn();
  } catch (e) {
    fail(R, name, `the walk-through stopped in this step: ${firstLine(e.message)}`, { stack: String(e.stack || "").split("\n").slice(1, 3).join(" | ") });
  }
}

// Replays a session cookie from outside the browser: does the server still accept it?
async function sessionAlive(cookies, path) {
  const header = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const api = await apiRequest.newContext({ extraHTTPHeaders: { cookie: header } });
  const res = await api.get(new URL(path, base).href, { maxRedirects: 0 });
  const out = { status: res.status(), location: res.headers()["location"] || "" };
  await api.dispose();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Definitions to import.

function walkSurvey(id, tag) {
  return `# A small survey imported by the organiser walk-through.
id = "${id}"
title = { en = "Walk-through survey (${tag})" }
description = { en = "Two questions and a box for words." }
languages = ["en"]
mode = "invite"
threshold = 10
min_responses = 30

[[pages]]
id = "today"
title = { en = "Today" }

  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  from_batch = true
  text = { en = "Where the card was handed out" }
  options = [
    { id = "van", text = { en = "Outreach van" } },
    { id = "dropin", text = { en = "Drop-in" } },
  ]

  [[pages.questions]]
  id = "carries"
  type = "single"
  role = "sensitive"
  text = { en = "Do you carry naloxone?" }
  options = [
    { id = "always", text = { en = "Always" } },
    { id = "never", text = { en = "Never" } },
  ]

  [[pages.questions]]
  id = "words"
  type = "text"
  role = "free_text"
  max_length = 500
  dont_know = false
  prefer_not_to_say = false
  text = { en = "Anything else you want us to know?" }
`;
}

// Two mistakes, each on its own line: a question with no disclosure role, and a condition on a
// question that does not exist.
function brokenSurvey(id) {
  return `id = "${id}"
title = { en = "Broken" }
languages = ["en"]
mode = "invite"

[[pages]]
id = "p"
title = { en = "P" }

  [[pages.questions]]
  id = "q1"
  type = "single"
  text = { en = "A question without a role" }
  options = [ { id = "a", text = { en = "A" } }, { id = "b", text = { en = "B" } } ]

  [[pages.questions]]
  id = "q2"
  type = "single"
  role = "plain"
  show_if = "nowhere == 'yes'"
  text = { en = "Asked after a question that does not exist" }
  options = [ { id = "a", text = { en = "A" } }, { id = "b", text = { en = "B" } } ]
`;
}

// Answers to the demo survey for the JSON API (new responses between two releases).
function demoAnswers(i) {
  const genders = ["woman", "man", "woman", "non_binary"];
  const areas = ["harbour", "old_town", "station", "market", "riverside", "harbour"];
  const drugs = ["heroin", "cannabis", "alcohol", "crack"];
  return {
    consent: "yes", age: 19 + (i * 11) % 60, gender: genders[i % 4], area: areas[(i / 2 | 0) % areas.length],
    drugs_3m: [drugs[i % 4], drugs[(i + 1) % 4]], injected_3m: i % 3 === 0 ? "yes" : "no",
    overdose_witnessed: (i / 3 | 0) % 2 === 0 ? "yes" : "no",
    anything_else: `Words sent between releases (#${i}).`,
  };
}

async function submitApi(survey, code, answers) {
  const res = await fetch(`${base}/api/v1/surveys/${survey}/responses`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code, answers }),
  });
  return { status: res.status, body: await res.text() };
}

// ---------------------------------------------------------------------------------------------
// The first organiser's one-time link.

async function setupPhase() {
  for (const js of [true, false]) {
    const R = await newRun(js, "organiser");
    if (js) {
      await step(R, "set-up link", async () => {
        await visit(R, cfg.setup, "the one-time set-up link", { h1: /Set up/ });
        await R.page.fill("#name", cfg.organiser);
        await R.page.fill("#password", cfg.password);
        await R.page.fill("#password_again", cfg.password + "x");
        await tap(R, "button.primary", "Create the account (passwords differ)", { status: 422, text: /not the same/ });
        await R.page.fill("#name", cfg.organiser);
        await R.page.fill("#password", "short");
        await R.page.fill("#password_again", "short");
        await tap(R, "button.primary", "Create the account (password too short)", { status: 422, text: /password|characters/i });
        await R.page.fill("#name", cfg.organiser);
        await R.page.fill("#password", cfg.password);
        await R.page.fill("#password_again", cfg.password);
        await tap(R, "button.primary", "Create the account", { path: /^\/org$/, h1: /Surveys/, text: `Log out ${cfg.organiser}` });
        await tap(R, 'form[action="/org/logout"] button', "Log out", { path: /^\/org\/login$/, h1: /Log in/ });
      });
    } else {
      await step(R, "set-up link used", async () => {
        await visit(R, cfg.setup, "the set-up link, once used", { status: 404, text: /used/ });
        await visit(R, "/org/login", "the login page", { h1: /Log in/ });
        await R.page.fill("#name", cfg.organiser);
        await R.page.fill("#password", cfg.password);
        await tap(R, "button.primary", "Log in (the account the set-up link made)", { path: /^\/org$/, h1: /Surveys/ });
        await tap(R, 'form[action="/org/logout"] button', "Log out", { path: /^\/org\/login$/ });
      });
    }
    await R.context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The walk-through, once with JavaScript on and once with it off.

async function logIn(R, name) {
  await visit(R, "/org/login", "the login page", { h1: /Log in/ });
  await R.page.fill("#name", name);
  await R.page.fill("#password", cfg.password);
  return tap(R, "button.primary", `Log in as ${name}`, { path: R.who === "researcher" ? /^\/org\/research$/ : /^\/org$/ });
}

async function login(R) {
  // No session: the workspace sends the browser to the login page.
  await visit(R, "/org/s/demo", "a survey's page without a session", { path: /^\/org\/login$/, h1: /Log in/ });
  await R.page.fill("#name", cfg.organiser);
  await R.page.fill("#password", "not the password at all");
  await tap(R, "button.primary", "Log in with a wrong password", { status: 401, h1: /Log in/, text: /do not match/ });
  if (!(await R.page.$('[role=alert], .err'))) fail(R, "Log in with a wrong password", "the error is not announced (no role=alert)");
  const probe = await R.context.request.get(`${base}/org`, { maxRedirects: 0 });
  if (probe.status() !== 303 || !/\/org\/login/.test(probe.headers()["location"] || "")) {
    fail(R, "Log in with a wrong password", `a wrong password left a session: GET /org answered ${probe.status()} ${probe.headers()["location"] || ""}`);
  }
  await R.page.fill("#name", cfg.organiser);
  await R.page.fill("#password", cfg.password);
  await tap(R, "button.primary", "Log in", { path: /^\/org$/, h1: /Surveys/, text: ["demo", cfg.closedSurvey, `Log out ${cfg.organiser}`] });
}

async function importSurveys(R, walkId, badId) {
  await tap(R, 'header a[href="/org/import"]', "Import (menu)", { path: /^\/org\/import$/, h1: /Import/ });
  await tap(R, "form[action='/org/import'] button", "Import with nothing pasted or chosen", { status: 422, text: /Paste a definition or choose a file/ });
  // An invalid definition: every error with its line, and nothing created.
  await R.page.fill("#source", brokenSurvey(badId));
  const bad = await tap(R, "form[action='/org/import'] button", "Import an invalid definition", { status: 422, text: /not imported/ });
  if (bad) {
    const errors = await R.page.$$eval(".errors li", (li) => li.map((e) => e.innerText));
    if (errors.length < 2) fail(R, "Import an invalid definition", `expected an error for each of the two mistakes, got ${errors.length}`, { errors });
    if (!errors.every((e) => /line \d+/i.test(e))) fail(R, "Import an invalid definition", "an error does not say its line", { errors });
    if (!(await R.page.inputValue("#source")).includes(badId)) fail(R, "Import an invalid definition", "the pasted definition is not kept in the box to correct it");
  }
  await visit(R, `/org/s/${badId}`, "the survey of the refused definition", { status: 404 });
  if (R.js) {
    // Settings only tighten: the demo survey (with responses) imported again with a lower threshold.
    const demoToml = readFileSync(new URL("../../surveys/demo.toml", import.meta.url), "utf8");
    await visit(R, "/org/import", "the import page", { h1: /Import/ });
    await R.page.fill("#source", demoToml.replace(/^threshold = 10$/m, "threshold = 5"));
    await tap(R, "form[action='/org/import'] button", "Import the demo survey again with a lower threshold", { status: [409, 422], text: /threshold/i });
    await visit(R, "/org/s/demo", "the demo survey's page", { text: /numbers below 10 hidden/ });
  }
  await visit(R, "/org", "the survey list after the refused import", { not: badId });
  // The real one: uploaded as a file with JavaScript, pasted without.
  await visit(R, "/org/import", "the import page", { h1: /Import/ });
  if (R.js) {
    const file = join(scratch, `${walkId}.toml`);
    writeFileSync(file, walkSurvey(walkId, R.tag));
    await R.page.setInputFiles("#file", file);
  } else {
    await R.page.fill("#source", walkSurvey(walkId, R.tag));
  }
  await tap(R, "form[action='/org/import'] button", `Import a definition (${R.js ? "uploaded file" : "pasted"})`, {
    path: new RegExp(`^/org/s/${walkId}$`), h1: /Walk-through survey/, text: /draft/,
  });
}

// A throw-away survey: every control of a survey's page, from draft to shredded.
async function throwAway(R, id) {
  const sp = `/org/s/${id}`;
  await tap(R, "button[name=to][value=open]", "Open the survey", { path: new RegExp(`^${sp}$`), text: /\bopen\b/ });
  // Code cards, printed: the batch's tag (where the cards are handed out) and the paper size.
  await R.page.fill("#count", "12");
  await R.page.selectOption("#tag-site", "van");
  await R.page.check(R.js ? "#paper-letter" : "#paper-a4");
  const sheet = await tap(R, "button[name=format][value=print]", "Issue and print cards", { path: new RegExp(`^${sp}/cards/`), h1: /Code cards/ });
  if (sheet) {
    const cards = await R.page.$$eval(".card", (cs) => cs.map((c) => ({ qr: !!c.querySelector("svg"), code: (c.querySelector(".card-code") || {}).textContent || "" })));
    if (cards.length !== 12) fail(R, "Issue and print cards", `12 cards asked for, ${cards.length} on the sheet`);
    if (cards.some((c) => !c.qr || !/\w{4}-\w{4}/.test(c.code))) fail(R, "Issue and print cards", "a card without its QR code or code");
    const paper = await R.page.evaluate(() => document.body.className);
    if (paper !== (R.js ? "paper-letter" : "paper-a4")) fail(R, "Issue and print cards", `the sheet is laid out for ${paper}, not the paper chosen`);
    const sheetUrl = R.page.url();
    await visit(R, sheetUrl, "reloading the sheet of cards", { status: 410, text: /shown only once|shown once/ });
    await R.page.goBack().catch(() => {});
    await visit(R, sheetUrl, "the sheet's address once more", { status: 410 });
    await tap(R, `a[href="${sp}"]`, "Back to the survey (from the cards)", { path: new RegExp(`^${sp}$`) });
  }
  // Code cards as a CSV file for mail-merge.
  await R.page.fill("#count", "5");
  await R.page.selectOption("#tag-site", "dropin");
  const csv = await download(R, "button[name=format][value=csv]", "Issue as a CSV file", (u, m) => m === "GET" && u.includes(`${sp}/cards/`));
  let codes = [];
  if (csv) {
    checkFile(R, "Issue as a CSV file", csv, { type: /^text\/csv/ });
    const lines = csv.body.toString("utf8").trim().split(/\r?\n/);
    if (lines[0] !== "code,link") fail(R, "Issue as a CSV file", `the CSV's header is "${lines[0]}"`);
    codes = lines.slice(1).map((l) => l.split(",")[0]);
    if (codes.length !== 5) fail(R, "Issue as a CSV file", `5 codes asked for, ${codes.length} in the file`);
    if (!lines.slice(1).every((l) => l.includes(`/s/${id}?code=`))) fail(R, "Issue as a CSV file", "a row without its survey link", { lines: lines.slice(0, 3) });
  }
  await visit(R, sp, "the survey's page after issuing", { text: /Batches/ });
  const batches = await R.page.$$eval("h2 + table tbody tr, table.grid-table tbody tr", (trs) => trs.map((t) => t.innerText));
  note(R, `${id} batches: ${JSON.stringify(batches)}`);

  // A paper questionnaire entered with one of the CSV's codes.
  if (codes.length) await paperEntry(R, id, codes[0]);

  // A tablet kiosk, opened and closed.
  await visit(R, sp, "the survey's page", {});
  await R.page.selectOption("#ktag-site", "van");
  const kiosk = await tap(R, `form[action="${sp}/kiosks"] button`, "Open a kiosk", { status: [200, 201], h1: /Kiosk/, text: /\/k\// });
  let kioskLink = null;
  if (kiosk) {
    kioskLink = await R.page.$eval("a[href*='/k/']", (a) => a.href).catch(() => null);
    // Reloading the page that shows the link must not open a second kiosk.
    const again = await R.page.reload({ waitUntil: "domcontentloaded" }).catch(() => null);
    const secondLink = again ? await R.page.$eval("a[href*='/k/']", (a) => a.href).catch(() => null) : null;
    if (secondLink && secondLink !== kioskLink) fail(R, "reloading the \"Kiosk opened\" page", "the reload opened a second kiosk (the POST is answered with a page, not a redirect; code cards redirect)", { status: again.status() });
    if (!kioskLink) fail(R, "Open a kiosk", "the page shows no kiosk link", { body: await snippet(R.page) });
    await tap(R, `main a[href^="${sp}"]`, "Back to the survey (from the kiosk)", { path: new RegExp(`^${sp}`), text: /Close this kiosk/ });
    // The tablet's start page, as the tablet opens it.
    if (kioskLink) await visit(R, kioskLink, "the kiosk's link", { path: /^\/k\//, noLinks: true });
    await visit(R, sp, "the survey's page", {});
    const rows = await R.page.locator(`form[action^="${sp}/kiosks/"]`).count();
    if (rows !== 1) fail(R, "Open a kiosk", `one kiosk opened, ${rows} listed on the survey's page`);
    for (let k = rows; k > 0; k--) {
      await tap(R, R.page.locator(`form[action^="${sp}/kiosks/"][action$="/close"] button`).last(), "Close this kiosk", { path: new RegExp(`^${sp}`) });
      const left = await R.page.locator(`form[action^="${sp}/kiosks/"]`).count();
      if (left !== k - 1) { fail(R, "Close this kiosk", `the kiosk is still listed (${k} before, ${left} after)`); break; }
    }
    if (kioskLink) {
      const res = await R.context.request.get(kioskLink, { maxRedirects: 0 });
      if (res.status() === 200 && /kiosk-go|Start/.test(await res.text())) fail(R, "Close this kiosk", "the closed kiosk's link still starts the survey", { status: res.status() });
      if (res.status() >= 500) fail(R, "Close this kiosk", `the closed kiosk's link answers ${res.status()}`);
    }
  }

  // Too few responses for a release, and for reading free text: refused in words.
  await tap(R, `form[action="${sp}/releases"] button`, "Publish a new release (too few responses)", { status: [409, 422], path: new RegExp(`^${sp}`), text: /responses/ });
  await visit(R, sp, "the survey's page", {});
  await tap(R, `a[href="${sp}/free-text/words"]`, "read the free text (no release yet)", { status: [403, 409, 422], text: /release/ });
  // Public results switched on before any release.
  await visit(R, sp, "the survey's page", {});
  await tap(R, `form[action="${sp}/public"] button[name=public][value=on]`, "Show the latest release to the community (no release yet)", { path: new RegExp(`^${sp}#public$`), text: /will show the first release/ });
  const pub = await R.context.request.get(`${base}/r/${id}`);
  if (pub.status() !== 404) fail(R, "public results before any release", `/r/${id} answered ${pub.status()}`);

  // Closing: too few responses for any release. It cannot be undone: it should ask first.
  await tap(R, "button[name=to][value=closed]", "Close the survey for good", { path: new RegExp(`^${sp}(\\?closed=none|/state)`), text: [/closed|cannot be undone/] });
  if (/\?closed=/.test(R.current)) {
    fail(R, "Close the survey for good", "one press closed the survey for good, with no confirmation step (shredding asks for the id typed; closing cannot be undone either)");
  } else if (await R.page.$("button[name=to][value=closed]")) {
    // A confirmation step: confirm it.
    await R.page.check("input[type=checkbox][name=confirm]").catch(() => {});
    await R.page.fill("input[type=text][name=confirm], input:not([type])[name=confirm]", id).catch(() => {});
    await tap(R, "button[name=to][value=closed]", "Close the survey for good (confirmed)", { path: new RegExp(`^${sp}\\?closed=none`) });
  }
  if (!/Too few responses arrived for any release/.test(await R.page.innerText("main").catch(() => ""))) fail(R, "Close the survey for good", "the page does not say that no release was published", { body: await snippet(R.page) });
  if (await R.page.$("button[name=to]")) fail(R, "Close the survey for good", "the closed survey still offers to open or close it");
  if (await R.page.$("#count")) fail(R, "Close the survey for good", "the closed survey still offers code cards");
  if (await R.page.$(`form[action="${sp}/releases"]`)) {
    fail(R, "Publish a new release (on a closed survey)", "a closed survey still offers \"Publish a new release\", which can only refuse (no response can arrive any more)");
    await tap(R, `form[action="${sp}/releases"] button`, "Publish a new release (on a closed survey)", { status: [409, 422], text: /closed|final|responses/i });
    await visit(R, sp, "the survey's page", {});
  }
  // Retention: a number of days, then back to "until shredded".
  await R.page.fill("#days", "30");
  await tap(R, `form[action="${sp}/retention"] button`, "Save the retention (30 days)", { path: new RegExp(`^${sp}$`), text: /30 days after closing/ });
  if ((await R.page.inputValue("#days").catch(() => "")) !== "30") fail(R, "Save the retention (30 days)", "the form does not show the saved 30 days");
  await R.page.fill("#days", "");
  await tap(R, `form[action="${sp}/retention"] button`, "Save the retention (empty: never)", { path: new RegExp(`^${sp}$`), text: /kept until you shred them/ });
  // Shredding needs the survey's id typed exactly.
  await R.page.fill("#confirm", "not-the-id");
  await tap(R, `form[action="${sp}/shred"] button`, "Shred the answers (wrong confirmation)", { status: 422, text: /type the survey's id/ });
  if (await R.page.$(".err, [role=alert]")) {
    // The survey must still be there, unshredded.
    if (/have been shredded/.test(await R.page.innerText("main"))) fail(R, "Shred the answers (wrong confirmation)", "the survey was shredded without the right confirmation");
  }
  await R.page.fill("#confirm", id);
  await tap(R, `form[action="${sp}/shred"] button`, "Shred the answers", { text: /shredded/ });
  await visit(R, sp, "the shredded survey's page", { text: /have been shredded/ });
  if (await R.page.$("#confirm")) fail(R, "Shred the answers", "the shredded survey still offers to shred");
  if (await R.page.$(`form[action="${sp}/releases"]`)) fail(R, "the shredded survey's page", "a shredded survey still offers \"Publish a new release\"");
  if (await R.page.$(`a[href^="${sp}/free-text/"]`)) {
    fail(R, "the shredded survey's page", "a shredded survey still offers to read its free-text answers");
    await tap(R, `a[href^="${sp}/free-text/"]`, "read the free text (shredded survey)", { status: [403, 409, 410, 422], not: /<blockquote>/ });
    await visit(R, sp, "the shredded survey's page", {});
  }
  // The answers are gone: the free text cannot be read, the unused codes answer nothing.
  const ft = await R.context.request.get(`${base}${sp}/free-text/words`);
  if (ft.status() === 200 && /<blockquote>/.test(await ft.text())) fail(R, "Shred the answers", "the shredded survey's free text can still be read");
  if (codes[1]) {
    const r = await submitApi(id, codes[1], { carries: "always" });
    if (r.status === 201) fail(R, "Shred the answers", "a shredded survey still takes a response", r);
  }
  const list = await R.context.request.get(`${base}/org`);
  note(R, `after shredding, /org lists ${id}: ${(await list.text()).includes(id)}`);
}

// The paper-questionnaire desk: type the card's code, copy the answers, send.
async function paperEntry(R, id, code) {
  await tap(R, 'header a[href="/org/entry"]', "Paper questionnaires (menu)", { path: /^\/org\/entry$/ });
  await R.page.fill("#code", "0000-0000-0000-0");
  await tap(R, "form[action='/org/entry'] button", "Continue with a code that is not one", { status: 409, text: /./ });
  await R.page.fill("#code", code);
  const first = await tap(R, "form[action='/org/entry'] button", "Continue with a card's code", { path: /^\/org\/entry\/?/ });
  if (!first) return;
  if (await R.page.$("#in-carries-always")) await R.page.check("#in-carries-always");
  else fail(R, "Continue with a card's code", "the survey's first question is not on the page", { body: await snippet(R.page) });
  if (await R.page.$("#in-words")) await R.page.fill("#in-words", "Written on paper at the van.");
  await tap(R, "button[name=_go][value=next]", "Review (paper entry)", { path: new RegExp(`^/org/entry/${id}/page`) });
  await tap(R, "button[formaction]", "Send (paper entry)", { path: new RegExp(`^/org/entry/${id}/submit`), text: /./ });
  await tap(R, "a[href='/org/entry']", "Next questionnaire", { path: /^\/org\/entry$/ });
  // The same code twice: refused, like a used card.
  await R.page.fill("#code", code);
  await tap(R, "form[action='/org/entry'] button", "Continue with a code already entered", { status: 409 });
}

// The demo survey: releases, downloads, free text, quotes, public results.
async function demo(R, state) {
  const sp = "/org/s/demo";
  await visit(R, "/org", "the survey list", { h1: /Surveys/ });
  await tap(R, `a[href="${sp}"]`, "the demo survey in the list", { path: new RegExp(`^${sp}$`), text: /Responses/ });
  if (!R.js) {
    // Quotes for the next release: pick one, pick another and take it back.
    await quotes(R, sp, state, true);
  }
  const n = R.js ? 1 : 2;
  let rel;
  if (R.js) {
    rel = await tap(R, `form[action="${sp}/releases"] button`, `Publish a new release (release ${n})`, {
      path: new RegExp(`^${sp}/releases/${n}$`), h1: new RegExp(`Release ${n}`), timeout: 180000,
    });
  } else {
    // A double click (without script nothing stops the second POST): one release, and the
    // page for it.
    R.current = pathOf(R.page.url());
    const last = R.page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === "GET" && /\/releases\/\d+$/.test(r.url()), { timeout: 180000 });
    await R.page.locator(`form[action="${sp}/releases"] button`).dblclick();
    await R.page.waitForURL(new RegExp(`${sp}/releases/\\d+$`), { timeout: 180000 }).catch(() => {});
    await R.page.waitForLoadState("domcontentloaded");
    report.covered.push(`${R.tag}: Publish a new release (double click, release ${n})`);
    rel = await land(R, R.current, `Publish a new release (double click, release ${n})`, await last.catch(() => null), {
      path: new RegExp(`^${sp}/releases/${n}$`), h1: new RegExp(`Release ${n}$`),
    });
  }
  if (rel) await releasePage(R, sp, n, state);
  // At once again: too few new responses.
  await visit(R, sp, "the demo survey's page", {});
  await tap(R, `form[action="${sp}/releases"] button`, "Publish a new release (nothing new since)", {
    status: [409, 422], path: new RegExp(`^${sp}`), text: /responses/, timeout: 180000,
  });
  await visit(R, sp, "the demo survey's page", {});
  const listed = await R.page.$$eval(`a[href^="${sp}/releases/"]`, (as) => as.map((a) => a.getAttribute("href")));
  if (listed.length !== n) fail(R, "Publish a new release (nothing new since)", `the page lists ${listed.length} releases, not ${n}`, { listed });
  if (R.js) {
    await quotes(R, sp, state, false);
    await publicResults(R, sp, state);
    // New responses for the next run's release: codes issued here as a CSV file.
    await visit(R, sp, "the demo survey's page", {});
    await R.page.fill("#count", "15");
    const csv = await download(R, "button[name=format][value=csv]", "Issue as a CSV file (demo)", (u, m) => m === "GET" && u.includes(`${sp}/cards/`));
    if (csv) {
      checkFile(R, "Issue as a CSV file (demo)", csv, { type: /^text\/csv/ });
      const codes = csv.body.toString("utf8").trim().split(/\r?\n/).slice(1).map((l) => l.split(",")[0]);
      let sent = 0;
      for (const [i, code] of codes.entries()) {
        const r = await submitApi("demo", code, demoAnswers(i));
        if (r.status === 201) sent++;
        else fail(R, "Issue as a CSV file (demo)", `a code from the CSV file could not be used: ${r.status}`, { body: r.body.slice(0, 200) });
      }
      state.sent = sent;
    }
  } else {
    await publicResults(R, sp, state);
    // Closing after the last release: nothing new, so the last release is final.
    await visit(R, sp, "the demo survey's page", {});
    await tap(R, "button[name=to][value=closed]", "Close the survey for good (demo)", {
      path: new RegExp(`^${sp}(\\?closed=(final|published)|/state)`), text: /closed|cannot be undone/, timeout: 180000,
    });
    if (!/\?closed=/.test(R.current) && (await R.page.$("button[name=to][value=closed]"))) {
      await R.page.check("input[type=checkbox][name=confirm]").catch(() => {});
      await R.page.fill("input[name=confirm]", "demo").catch(() => {});
      await tap(R, "button[name=to][value=closed]", "Close the survey for good (demo, confirmed)", { path: new RegExp(`^${sp}\\?closed=`), timeout: 180000 });
    }
    const finalNote = await R.page.$$eval(`a[href^="${sp}/releases/"]`, (as) => as.map((a) => a.parentElement.innerText));
    if (!finalNote.some((t) => /final/.test(t))) fail(R, "Close the survey for good (demo)", "no release is marked final", { finalNote });
    if (await R.page.$(`form[action="${sp}/releases"]`)) fail(R, "Close the survey for good (demo)", "the closed survey still offers \"Publish a new release\", which can only refuse");
    if (!(await R.page.$("#days")) || !(await R.page.$("#confirm"))) fail(R, "Close the survey for good (demo)", "the closed survey offers no retention or shredding");
  }
}

async function releasePage(R, sp, n, state) {
  const rp = `${sp}/releases/${n}`;
  const text = await R.page.innerText("main");
  if (!/hidden/.test(text)) fail(R, `release ${n}`, "the release has no 'hidden' legend");
  if ((await R.page.$$("svg.bars")).length === 0) fail(R, `release ${n}`, "the release draws no chart");
  if ((await R.page.$$("table")).length === 0) fail(R, `release ${n}`, "the release shows no table");
  if (n === 2) for (const q of state.quotes || []) if (!text.includes(q)) fail(R, `release ${n}`, `a quote picked for this release is not in it (as written): "${q}"`);
  if (n === 2 && state.unpicked && text.includes(state.unpicked)) fail(R, `release ${n}`, `a quote that was taken back is in the release: "${state.unpicked}"`);
  // Every download the page offers.
  const links = await R.page.$$eval(`a[href^="${rp}/"]`, (as) => as.map((a) => ({ href: a.getAttribute("href"), text: a.innerText })));
  if (links.length < 2) fail(R, `release ${n}`, `the page offers ${links.length} downloads (CSV and JSON expected)`);
  for (const l of links) {
    const kind = l.href.split("/").pop();
    const got = await download(R, `a[href="${l.href}"]`, `Download ${l.text}`, (u) => pathOf(u) === l.href);
    const files = checkFile(R, `Download ${l.text}`, got, kind === "json" ? { type: /^application\/json/ } : { type: /^application\/zip/ });
    if (got && kind === "json") {
      try {
        const doc = JSON.parse(got.body.toString("utf8"));
        if (!Array.isArray(doc.tables) || doc.tables.length === 0) fail(R, `Download ${l.text}`, "the JSON has no tables");
        const cells = (doc.tables || []).flatMap((t) => (t.cells || []).flat());
        const leaky = cells.filter((c) => c && c.suppressed && c.count !== null);
        if (leaky.length) fail(R, `Download ${l.text}`, `${leaky.length} hidden cells carry a count (the design says {"count": null, "suppressed": true})`, { example: leaky[0] });
        if (!cells.some((c) => c && c.suppressed)) note(R, `release ${n} JSON: no hidden cell`);
      } catch (e) {
        fail(R, `Download ${l.text}`, `the JSON does not parse: ${e.message}`);
      }
    }
    if (got && kind === "csv" && Object.keys(files).filter((f) => f.endsWith(".csv")).length === 0) fail(R, `Download ${l.text}`, "the zip holds no CSV file", { files: Object.keys(files) });
    if (n === 2 && got && kind === "csv" && (state.quotes || []).some((q) => Object.values(files).some((d) => d.toString("utf8").includes(q.slice(0, 20))))) {
      fail(R, `Download ${l.text}`, "a quote is in the CSV files (the README says quotes never appear in them)");
    }
  }
  // Compare two questions (a GET form).
  if (await R.page.$("#rows")) {
    await R.page.selectOption("#rows", "gender");
    await R.page.selectOption("#cols", "area");
    await tap(R, "form.pick button", "Show the table (gender × area)", { path: new RegExp(`^${rp}\\?rows=gender&cols=area`) });
    if (!(await R.page.$("#picked")) && !/no table in this release/.test(await R.page.innerText("main"))) {
      fail(R, "Show the table (gender × area)", "neither a table nor a reason", { body: await snippet(R.page) });
    }
    await R.page.selectOption("#rows", "drugs_3m.heroin").catch(() => {});
    await R.page.selectOption("#cols", "age").catch(() => {});
    await tap(R, "form.pick button", "Show the table (another pair)", { path: new RegExp(`^${rp}\\?`) });
    await R.page.selectOption("#rows", "gender");
    await R.page.selectOption("#cols", "gender");
    await tap(R, "form.pick button", "Show the table (the same question twice)", { path: new RegExp(`^${rp}\\?`) });
  } else {
    fail(R, `release ${n}`, "no form to compare two questions");
  }
  await tap(R, `main a[href="${sp}"]`, "Back to the survey (from the release)", { path: new RegExp(`^${sp}$`) });
}

// Words with characters a page must escape, given before the first release (answer_demo in
// tests/browser_organiser.rs): free text is read as it was at the latest release.
const SPECIAL = `Tom & Jerry's "safe" <b>place</b> is open 9–5 & 'late' > never`;

async function quotes(R, sp, state, takeBack) {
  state.quotes = state.quotes || [];
  await visit(R, sp, "the demo survey's page", {});
  const ftLink = `${sp}/free-text/anything_else`;
  await tap(R, `a[href="${ftLink}"]`, "read the free-text answers", { path: new RegExp(`^${ftLink}$`), text: /never counted|never part/ });
  const answers = await R.page.$$eval("ul.free-text blockquote", (bs) => bs.map((b) => b.innerText));
  if (answers.length < 10) fail(R, "read the free-text answers", `only ${answers.length} answers shown`);
  // A new random order every time the page is opened.
  await visit(R, ftLink, "read the free-text answers (again)", {});
  const again = await R.page.$$eval("ul.free-text blockquote", (bs) => bs.map((b) => b.innerText));
  if (answers.length > 5 && JSON.stringify(again) === JSON.stringify(answers)) fail(R, "read the free-text answers (again)", "the answers come in the same order as before (the README promises a new random order every time)");
  if (JSON.stringify([...again].sort()) !== JSON.stringify([...answers].sort())) fail(R, "read the free-text answers (again)", "a second reading shows other answers");
  // Words sent after the latest release wait for the next one (the page says so).
  if (answers.some((a) => /between releases/.test(a))) fail(R, "read the free-text answers", "words sent after the latest release are shown (the README says free text is shown as it was at the latest release)");
  if (!/as they were at release \d+/.test(await R.page.innerText("main").catch(() => ""))) fail(R, "read the free-text answers", "the page does not say which release the answers are from");
  const pick = async (text, control) => {
    const item = R.page.locator("ul.free-text li").filter({ has: R.page.locator("blockquote").filter({ hasText: text }) }).first();
    if ((await item.count()) === 0) {
      fail(R, control, `the answer "${text}" is not on the page`, { answers: answers.slice(0, 5) });
      return false;
    }
    await tap(R, item.locator("button"), control, { path: new RegExp(`^${sp}#quotes$`) });
    const picked = await R.page.$$eval("#quotes ~ ul blockquote", (bs) => bs.map((b) => b.innerText));
    if (!picked.includes(text)) fail(R, control, `the picked words are not listed as picked (exactly): "${text}"`, { picked });
    return true;
  };
  if (!takeBack) {
    const chosen = answers.find((a) => !state.quotes.includes(a) && !/between releases|Jerry/.test(a));
    if (chosen && (await pick(chosen, "Quote in the next release"))) state.quotes.push(chosen);
    // The same words picked twice are one quote.
    await tap(R, `a[href="${ftLink}"]`, "read the free-text answers", { path: new RegExp(`^${ftLink}$`) });
    if (chosen && (await pick(chosen, "Quote in the next release (the same words again)"))) {
      const picked = await R.page.$$eval("#quotes ~ ul blockquote", (bs) => bs.map((b) => b.innerText));
      const times = picked.filter((q) => q === chosen).length;
      if (times !== 1) fail(R, "Quote in the next release (the same words again)", `the words are now picked ${times} times`);
    }
    return;
  }
  // Words with &, quotes and angle brackets go through the page and the form unchanged.
  if (!answers.includes(SPECIAL)) {
    fail(R, "read the free-text answers", `words with special characters are not shown as written: "${SPECIAL}"`, { similar: answers.filter((a) => /Jerry/.test(a)) });
  } else if (await pick(SPECIAL, "Quote in the next release (words with & \" < >)")) {
    state.quotes.push(SPECIAL);
  }
  await tap(R, `a[href="${ftLink}"]`, "read the free-text answers", { path: new RegExp(`^${ftLink}$`) });
  const other = answers.find((a) => !state.quotes.includes(a) && !/Jerry/.test(a));
  if (!other || !(await pick(other, "Quote in the next release (to take back)"))) return;
  const item = R.page.locator("#quotes ~ ul li").filter({ has: R.page.locator("blockquote").filter({ hasText: other }) }).first();
  await tap(R, item.locator("button"), "Take back (a quote)", { path: new RegExp(`^${sp}#quotes$`) });
  const still = await R.page.$$eval("#quotes ~ ul blockquote", (bs) => bs.map((b) => b.innerText));
  if (still.includes(other)) fail(R, "Take back (a quote)", "the quote is still picked");
  for (const q of state.quotes) if (!still.includes(q)) fail(R, "Take back (a quote)", `another picked quote went too: "${q}"`);
  state.unpicked = other;
}

async function publicResults(R, sp, state) {
  await visit(R, sp, "the demo survey's page", {});
  const unknown = await R.context.request.get(`${base}/r/no-such-survey`);
  const unknownBody = await unknown.text();
  if (R.js) {
    await tap(R, `form[action="${sp}/public"] button[name=public][value=on]`, "Show the latest release to the community", { path: new RegExp(`^${sp}#public$`), text: /is public at/ });
    await visit(R, "/r/demo", "the public results page", { h1: /./, text: /hidden|adjusted/i });
    // Fewer tables: untick the first.
    await visit(R, sp, "the demo survey's page", {});
    const first = R.page.locator("input[name=table]").first();
    if ((await first.count()) === 0) {
      fail(R, "Tables shown", "no table to choose on the page");
      return;
    }
    const title = squash(await R.page.locator(`label[for="${await first.getAttribute("id")}"]`).innerText());
    await first.uncheck();
    await tap(R, `form[action="${sp}/public"] button[name=public][value=on]`, "Save the tables shown (one unticked)", { path: new RegExp(`^${sp}#public$`) });
    if (await R.page.locator("input[name=table]").first().isChecked()) fail(R, "Save the tables shown (one unticked)", "the unticked table is ticked again");
    await visit(R, "/r/demo", "the public results page (one table fewer)", {});
    const heads = await R.page.$$eval("h2, h3", (hs) => hs.map((h) => h.innerText.trim()));
    if (heads.includes(title)) fail(R, "Save the tables shown (one unticked)", `the unticked table "${title}" is still public`);
    state.hiddenTable = title;
  } else {
    await tap(R, `form[action="${sp}/public"] button[name=public][value=off]`, "Stop showing the results", { path: new RegExp(`^${sp}#public$`), text: /Not public/ });
    const off = await R.context.request.get(`${base}/r/demo`);
    const offBody = await off.text();
    if (off.status() !== 404) fail(R, "Stop showing the results", `/r/demo answered ${off.status()}`);
    if (off.status() !== unknown.status() || offBody !== unknownBody) fail(R, "Stop showing the results", "/r/demo does not answer exactly as an unknown survey does", { demo: squash(offBody).slice(0, 120), unknown: squash(unknownBody).slice(0, 120) });
    await tap(R, `form[action="${sp}/public"] button[name=public][value=on]`, "Show the latest release to the community (again)", { path: new RegExp(`^${sp}#public$`) });
    const shown = await visit(R, "/r/demo", "the public results page (release 2)", {});
    for (const q of state.quotes || []) if (shown && !shown.text.includes(q)) fail(R, "the public results page (release 2)", `a quote of release 2 is not shown as written: "${q}"`);
  }
}

async function vouchers(R, voucher) {
  await tap(R, 'header a[href="/org/vouchers"]', "Vouchers (menu)", { path: /^\/org\/vouchers$/, h1: /Vouchers/ });
  await R.page.fill("#voucher", "ZZZZ-ZZZZ-ZZZZ");
  await tap(R, "form[action='/org/vouchers/check'] button", "Look up a voucher that is not one", { text: /Not valid/ });
  if (!voucher) return;
  await R.page.fill("#voucher", R.js ? voucher : voucher.toLowerCase().replace(/-/g, " "));
  await tap(R, "form[action='/org/vouchers/check'] button", `Look up a real voucher${R.js ? "" : " (typed in lower case, with spaces)"}`, { text: /Payable/ });
  if (R.js) {
    // The pay form with a code that is not a voucher (as a stale or edited page would send).
    await R.page.$eval("form[action='/org/vouchers/pay'] input[name=voucher]", (i) => { i.value = "ZZZZ-ZZZZ-ZZZZ"; });
    await tap(R, "form[action='/org/vouchers/pay'] button", "Mark paid (a code that is not a voucher)", { text: /Not valid/, not: /Paid\b(?! before)/ });
    await R.page.fill("#voucher", voucher);
    await tap(R, "form[action='/org/vouchers/check'] button", "Look up a real voucher (again)", { text: /Payable/ });
  }
  await tap(R, "form[action='/org/vouchers/pay'] button", "Mark paid", { text: /Paid/ });
  await R.page.fill("#voucher", voucher);
  await tap(R, "form[action='/org/vouchers/check'] button", "Look up a paid voucher", { text: /Already paid/ });
}

// A researcher asks for data (in a browser of their own); the organiser decides here.
async function exportsFlow(R, state) {
  const X = await newRun(R.js, "researcher");
  await step(X, "researcher", async () => {
    await logIn(X, cfg.researcher);
    await visit(X, "/org", "the organisers' survey list (as a researcher)", { status: 403, text: /Not for this account|another kind of account/ });
    await visit(X, "/org/research", "Research data", { h1: /Research data/ });
    const offered = await X.page.$$eval("#survey option", (os) => os.map((o) => o.value));
    if (!offered.includes(cfg.closedSurvey)) fail(X, "Ask for the data", `the closed survey ${cfg.closedSurvey} is not offered`, { offered });
    const shredded = offered.filter((s) => s.startsWith("walk-"));
    if (shredded.length) fail(X, "Ask for the data", `surveys whose answers were shredded are offered for export: ${shredded.join(", ")}`);
    await X.page.selectOption("#survey", cfg.closedSurvey);
    await X.page.fill("#purpose", `Organiser walk-through (${R.tag}): how naloxone carrying differs by site.`);
    await tap(X, "form[action='/org/research/requests'] button", "Ask for the data", { path: /^\/org\/research$/, text: /requested/ });
    if (!R.js && shredded.length) {
      // Offered, so asked for: what becomes of a request for a shredded survey's data?
      await X.page.selectOption("#survey", shredded[0]);
      await X.page.fill("#purpose", `Organiser walk-through (${R.tag}, shredded): asked because the page offered it.`);
      await tap(X, "form[action='/org/research/requests'] button", "Ask for the data (a shredded survey)", { status: [200, 409, 410, 422], path: /^\/org\/research$/ });
      state.shreddedAsked = shredded[0];
    }
  });
  // The organiser decides.
  await step(R, "export requests", async () => {
    await tap(R, 'header a[href="/org/exports"]', "Export requests (menu)", { path: /^\/org\/exports$/, h1: /Export requests/ });
    const decide = R.js ? "approve" : "decline";
    const row = R.page.locator("tr", { hasText: `(${R.tag})` });
    if ((await row.count()) === 0) fail(R, "Export requests", "the researcher's request is not listed");
    await tap(R, row.locator(`button[name=decision][value=${decide}]`), R.js ? "Approve" : "Decline", { path: /^\/org\/exports$/ });
    const done = squash(await row.first().innerText().catch(() => ""));
    if (!new RegExp(R.js ? "approved" : "declined").test(done)) fail(R, R.js ? "Approve" : "Decline", `the request now reads "${done}"`);
    const forShredded = R.page.locator("tr", { hasText: "shredded): asked" }).locator("button[name=decision][value=approve]");
    if (state.shreddedAsked && (await forShredded.count()) > 0) {
      await tap(R, forShredded, "Approve (a request for a shredded survey)", { status: [200, 409, 410, 422], path: /^\/org\/exports$/ });
    }
    // Organisers never download the data themselves.
    const id = state.exportId;
    if (id) {
      const res = await R.context.request.get(`${base}/org/research/exports/${id}/download`, { maxRedirects: 0 });
      if (res.status() === 200) fail(R, "an organiser downloading an export", "the organiser got the row-level data");
    }
  });
  await step(X, "researcher download", async () => {
    await visit(X, "/org/research", "Research data (after the decision)", { h1: /Research data/ });
    const row = X.page.locator("tr", { has: X.page.locator("td", { hasText: cfg.closedSurvey }) }).last();
    const dl = X.page.locator("a[href$='/download']");
    if (R.js) {
      if ((await dl.count()) === 0) {
        fail(X, "Download (approved export)", "no download link after approval", { body: await snippet(X.page) });
      } else {
        const href = await dl.first().getAttribute("href");
        state.exportId = href.split("/")[4];
        const got = await download(X, dl.first(), "Download (approved export)", (u) => pathOf(u) === href);
        checkFile(X, "Download (approved export)", got, { type: /^application\/zip/, files: ["data.csv", "codebook.csv", "manifest.json", "manifest.sig"] });
        // An organiser is refused the same link.
        const res = await R.context.request.get(new URL(href, base).href, { maxRedirects: 0 });
        if (res.status() === 200) fail(R, "an organiser downloading an export", "the organiser got the row-level data");
      }
    } else {
      const states = await X.page.$$eval("tbody tr", (trs) => trs.map((t) => t.innerText.replace(/\s+/g, " ")));
      if (!states.some((s) => /declined/.test(s))) fail(X, "Decline", "the researcher does not see the decline", { states });
      if (row) note(X, `requests: ${JSON.stringify(states)}`);
      const link = X.page.locator("tr", { hasText: state.shreddedAsked || "-none-" }).locator("a[href$='/download']");
      if (state.shreddedAsked && (await link.count()) > 0) {
        const href = await link.first().getAttribute("href");
        const res = await X.context.request.get(new URL(href, base).href);
        const body = await res.text().catch(() => "");
        if (res.status() === 200 && /zip/.test(res.headers()["content-type"] || "")) note(X, "a shredded survey's export downloads as a zip");
        else if (res.status() >= 500 || !/<h1/.test(body)) fail(X, "Download (a shredded survey's approved export)", `answered ${res.status()}`, { body: squash(body).slice(0, 300) });
        else fail(X, "Download (a shredded survey's approved export)", `a request the pages let through to "approved" ends in a refusal (${res.status()}): "${squash(body.replace(/<[^>]+>/g, " ")).slice(0, 200)}"`);
      }
    }
    await X.page.setViewportSize(PHONE);
    await visit(X, "/org/research", "/org/research on a phone", { noLinks: true });
    await X.page.setViewportSize(DESKTOP);
    await tap(X, 'form[action="/org/logout"] button', "Log out (researcher)", { path: /^\/org\/login$/ });
  });
  await X.context.close();
}

async function auditLog(R) {
  await tap(R, 'header a[href="/org/audit"]', "Audit log (menu)", { path: /^\/org\/audit$/, h1: /Audit log/ });
  const rows = await R.page.$$eval("tbody tr", (trs) => trs.map((t) => t.innerText.replace(/\s+/g, " ")));
  if (rows.length === 0) fail(R, "Audit log", "the audit log is empty");
  const text = rows.join("\n");
  for (const v of cfg.vouchers || []) if (text.includes(v)) fail(R, "Audit log", "a voucher code is in the audit log");
  if (/\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]\b/.test(text)) fail(R, "Audit log", "a card code is in the audit log");
  const wanted = [/shred/i, /publish release/i, /import survey/i, /open kiosk/i, /close kiosk/i, /read free text/i, /pick quote/i,
    /paper questionnaire/i, /pay voucher/i, /issue codes/i, /set retention/i, /close survey/i, /results public/i, R.js ? /approve export/i : /decline export/i];
  for (const w of wanted) if (!w.test(text)) fail(R, "Audit log", `no entry matches ${w}`, { first: rows.slice(0, 5) });
}

async function phone(R) {
  await R.page.setViewportSize(PHONE);
  for (const p of ["/org", "/org/import", "/org/s/demo", "/org/s/demo/releases/1", "/org/s/demo/free-text/anything_else",
    "/org/audit", "/org/vouchers", "/org/exports", "/org/entry", `/org/s/${cfg.closedSurvey}`]) {
    await visit(R, p, `${p} on a phone`, { noLinks: true });
  }
  await R.page.setViewportSize(DESKTOP);
}

async function logOut(R) {
  // A second tab with a form, left open while logging out in the first.
  const other = await R.context.newPage();
  await other.goto(`${base}/org/vouchers`);
  await visit(R, "/org/s/demo", "the demo survey's page", {});
  const cookies = await R.context.cookies();
  await tap(R, 'form[action="/org/logout"] button', "Log out", { path: /^\/org\/login$/, h1: /Log in/ });
  // Back shows no workspace page; the survey's page asks for a login again.
  await R.page.goBack().catch(() => {});
  await R.page.waitForLoadState("domcontentloaded").catch(() => {});
  const back = pathOf(R.page.url());
  const h1 = squash(await R.page.$eval("h1", (h) => h.innerText).catch(() => ""));
  if (!/Log in/.test(h1)) fail(R, "Back after logging out", `Back shows "${h1}" at ${back}, not the login page`);
  await visit(R, "/org/s/demo", "a survey's page after logging out", { path: /^\/org\/login$/, h1: /Log in/ });
  // The form left open in the other tab, sent after logging out: a page that says what to do.
  await other.fill("#voucher", "ZZZZ-ZZZZ-ZZZZ");
  const [stale] = await Promise.all([other.waitForNavigation({ waitUntil: "domcontentloaded" }), other.click("form[action='/org/vouchers/check'] button")]);
  const staleH1 = squash(await other.$eval("h1", (h) => h.innerText).catch(() => ""));
  if (stale.status() >= 500 || !staleH1 || /^\s*[{[]/.test(await other.innerText("body"))) fail(R, "a form sent after logging out (another tab)", `answered ${stale.status()} "${staleH1}"`);
  if (/Vouchers|Not valid/.test(staleH1)) fail(R, "a form sent after logging out (another tab)", "the form still worked after logging out");
  await other.close();
  // The old session cookie, kept by someone, no longer works: the session ended on the server.
  const alive = await sessionAlive(cookies, "/org/s/demo");
  if (alive.status !== 303 || !/\/org\/login/.test(alive.location)) fail(R, "Log out", `the old session cookie still opens the survey's page (${alive.status} ${alive.location})`);
  await visit(R, "/org/login", "the login page after logging out", { h1: /Log in/ });
  const wide = await (async () => { await R.page.setViewportSize(PHONE); const w = await offTheSide(R.page); await R.page.setViewportSize(DESKTOP); return w; })();
  if (wide.length) fail(R, "the login page on a phone", `these run off the side: ${wide.join(", ")}`);
}

async function walkPhase() {
  const state = {};
  for (const js of [true, false]) {
    const R = await newRun(js, "organiser");
    const walkId = `walk-${R.tag}`;
    await step(R, "log in", () => login(R));
    await step(R, "import", () => importSurveys(R, walkId, `bad-${walkId}`));
    await step(R, "a survey from draft to shredded", () => throwAway(R, walkId));
    await step(R, "the demo survey", () => demo(R, state));
    await step(R, "vouchers", () => vouchers(R, (cfg.vouchers || [])[js ? 0 : 1]));
    await exportsFlow(R, state);
    await step(R, "audit log", () => auditLog(R));
    await step(R, "phone", () => phone(R));
    await step(R, "log out", () => logOut(R));
    await R.context.close();
  }
}

// A release not made within the press's wait: the press leads to a page that says so, whose
// "Look again" leads to the release once it is made; meanwhile the survey's page says a release
// is being made.
async function waitingPhase() {
  for (const [i, js] of [true, false].entries()) {
    const R = await newRun(js, "organiser");
    const sp = `/org/s/${cfg.surveys[i]}`;
    await step(R, "a release that takes longer than the wait", async () => {
      await logIn(R, cfg.organiser);
      await visit(R, sp, "the survey's page", {});
      await tap(R, `form[action="${sp}/releases"] button`, "Publish a new release (longer than the wait)", {
        path: new RegExp(`^${sp}/working$`), h1: /The release is being made/, text: /Started less than a minute ago/,
      });
      const meanwhile = await R.context.request.get(`${base}${sp}`);
      if (!/is being made/.test(await meanwhile.text())) report.notes.push(`${R.tag}: the release was made before the survey's page was read again`);
      for (let look = 0; !new RegExp(`${sp}/releases/1$`).test(R.page.url()); look++) {
        if (look === 120) {
          fail(R, "Look again", "two minutes of looking again never led to the release", { body: await snippet(R.page) });
          return;
        }
        await R.page.waitForTimeout(500);
        await tap(R, `a[href="${sp}/working"]`, "Look again", { path: new RegExp(`^${sp}/(working|releases/1)$`), h1: /The release is being made|Release 1/ });
      }
      report.covered.push(`${R.tag}: the page that waits for the release led to it`);
    });
    await R.context.close();
  }
}

try {
  if (cfg.phase === "setup") await setupPhase();
  else if (cfg.phase === "waiting") await waitingPhase();
  else await walkPhase();
} catch (e) {
  report.failures.push({ run: "-", page: "-", control: "(script)", problem: String(e && e.stack || e) });
}
if (scanner) await scanner.context().close();
await browser.close();
rmSync(scratch, { recursive: true, force: true });
for (const v of report.violations) delete v.key;
console.log(JSON.stringify(report));
process.exit(report.failures.length === 0 && report.violations.length === 0 ? 0 : 1);
