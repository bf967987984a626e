//! A rehearsal of an acceptance run with real questionnaires, for every definition in
//! `surveys/*.toml` (read at test time, so a new example is covered without touching this file):
//! import and open it on the real server, have about 120 people answer it through the JSON API
//! with random but valid answers (checked beforehand with the library's own answer parser),
//! publish a release and read it back as JSON, CSV and the organiser's results page, then close
//! the survey, export it and verify the export.
//!
//! The answers come from a seeded RNG and the definition alone: skewed towards the first
//! options, about 5% of questions skipped, some "don't know" / "prefer not to say" (or the
//! survey's own non-answers) where a question offers them. Batch fields (`from_batch`) are
//! filled by issuing tagged cards, coupon surveys recruit through the coupons each response
//! earns, and open surveys hand out codes through their `open-code` endpoint.
//!
//! Every kind is answered from its definition: options (only those offered, given earlier
//! answers and the person's site), numbers in their bands (5% at an end of the range), decimals
//! on their step, months and days in their range, grids row by row, multi-selects with their
//! exclusive options. Repeating pages and typed grid cells are questions like any other, asked
//! when the library says they are. Two kinds are answered only minimally: free text now and
//! then, with one of a few harmless phrases (it is never counted), and `network_size` as a
//! small number (mostly under 20), as people answer it.
//!
//! Every problem found is collected and listed at the end, so one run reports on every survey.

use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chorus::survey::answers;
use chorus::survey::{
    Answer, BatchTags, Day, Decimal, GridCell, Mode, Question, QuestionKind, Response, Survey,
    YearMonth,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

use crate::helpers::{api_get, post, TestApp};
use crate::org_client::{add_account, api_key, OrgClient};

/// People per survey.
const PEOPLE: usize = 120;
/// Share of questions a person skips (never a required one).
const SKIP: f64 = 0.05;
/// Share of questions answered with a non-answer, where the question offers one.
const NON_ANSWER: f64 = 0.05;
/// Rounds of repairing a response the local parser refuses before giving up on that person.
const REPAIR_ROUNDS: usize = 4;

/// Harmless free text: the survey asks people not to write anything identifying.
const PHRASES: [&str; 6] = [
    "More opening hours please",
    "Thanks for asking",
    "Nothing else",
    "The van should come more often.\nAnd bring more kits",
    "Asante sana — huduma nzuri",
    "شكرا لكم",
];
/// Share of numbers, decimals and dates given at an end of their range.
const AT_THE_EDGE: f64 = 0.05;
/// Share of questions that are not asked (computed, filled from the batch, implied by earlier
/// answers) for which a client sends a value anyway: the server ignores it, as the library does.
const IGNORED_EXTRA: f64 = 0.1;

#[test]
fn every_example_survey_is_answered_released_closed_and_exported() {
    let started = Instant::now();
    // Open surveys hand a code to each visitor, within a per-client limit: lifted here, as
    // every "visitor" of this test comes from 127.0.0.1.
    let app = TestApp::spawn_configured(
        &[],
        Some("submissions_per_minute = 0\nopen_codes_per_minute = 100000\n"),
    );
    add_account(&app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(&app, "maria"));
    let org = OrgClient::log_in_existing(&app, "maria");

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("surveys/ is readable")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("toml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 2, "expected the demo and more examples");

    let ctx = Ctx {
        app: &app,
        key: &key,
        org: &org,
    };
    // One thread per survey: they share the server, as surveys of one installation do.
    let reports: Vec<Report> = std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .iter()
            .map(|path| {
                let ctx = &ctx;
                s.spawn(move || rehearse(ctx, path, seed_for(path)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a survey's rehearsal panicked"))
            .collect()
    });

    let mut problems = Vec::new();
    for r in &reports {
        println!("{}", r.summary());
        problems.extend(r.problems.iter().map(|p| format!("[{}] {p}", r.survey)));
    }
    // At least half of the one-way counts of at least T (with a complement of at least T) are
    // published, over every survey together (and over each survey with ten or more of them).
    let eligible: usize = reports.iter().map(|r| r.one_way_eligible).sum();
    let published: usize = reports.iter().map(|r| r.one_way_published).sum();
    if published * 2 < eligible {
        problems.push(format!(
            "only {published} of {eligible} one-way counts ≥ T (with complement ≥ T) are published"
        ));
    }
    println!(
        "every_example: {} surveys in {:.1} s; one-way counts ≥ T with complement ≥ T \
         published: {published}/{eligible}",
        reports.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A seed per survey file, from its name (FNV-1a), so that adding an example changes nobody
/// else's answers.
fn seed_for(path: &Path) -> u64 {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

struct Ctx<'a> {
    app: &'a TestApp,
    /// `Authorization` header of organiser "maria".
    key: &'a str,
    /// Maria's browser session, for the results page and the CSV download.
    org: &'a OrgClient,
}

/// What happened to one survey.
#[derive(Default)]
struct Report {
    survey: String,
    seconds: f64,
    people: usize,
    locally_valid: usize,
    repaired: usize,
    /// The local parser's refusals of generated answers (before repair), by message.
    local_refusals: BTreeMap<String, usize>,
    acknowledged: usize,
    stored: usize,
    screened_out: usize,
    coupons_used: usize,
    tables: usize,
    withheld: usize,
    /// Why tables were withheld, with how many.
    withheld_reasons: BTreeMap<String, usize>,
    hidden_cells: usize,
    one_way_eligible: usize,
    one_way_published: usize,
    /// The counts of [`Report::one_way_eligible`] that are not published.
    one_way_hidden: Vec<String>,
    final_release: String,
    export: String,
    problems: Vec<String>,
}

impl Report {
    fn summary(&self) -> String {
        let refusals: Vec<String> = self
            .local_refusals
            .iter()
            .map(|(m, n)| format!("{n}× {m}"))
            .collect();
        format!(
            "{}: {:.1} s; {} people, {} locally valid ({} after repair), {} acknowledged \
             ({} stored, {} screened out, {} through coupons); release: {} tables shown, {} \
             withheld, {} hidden cells; one-way counts ≥ T with complement ≥ T published: {}/{}; \
             on close: {}; export: {}{}{}{}",
            self.survey,
            self.seconds,
            self.people,
            self.locally_valid,
            self.repaired,
            self.acknowledged,
            self.stored,
            self.screened_out,
            self.coupons_used,
            self.tables,
            self.withheld,
            self.hidden_cells,
            self.one_way_published,
            self.one_way_eligible,
            self.final_release,
            self.export,
            if self.one_way_hidden.is_empty() {
                String::new()
            } else {
                format!(
                    "\n    eligible but hidden: {}",
                    self.one_way_hidden.join(", ")
                )
            },
            if refusals.is_empty() {
                String::new()
            } else {
                format!("\n    local refusals repaired: {}", refusals.join("; "))
            },
            self.withheld_reasons
                .iter()
                .map(|(r, n)| format!("\n    withheld {n}×: {r}"))
                .collect::<String>()
        )
    }
}

/// One person's answers, as sent and as the library reads them.
struct Person {
    tags: BatchTags,
    sent: Map<String, Value>,
    /// `Some` when the library accepts `sent`.
    parsed: Option<Response>,
}

fn rehearse(ctx: &Ctx<'_>, path: &Path, seed: u64) -> Report {
    let started = Instant::now();
    let source = std::fs::read_to_string(path).expect("readable definition");
    let survey = Survey::parse(&source)
        .unwrap_or_else(|e| panic!("{} does not parse:\n{e}", path.display()));
    let id = survey.id().to_string();
    let mut report = Report {
        survey: id.clone(),
        ..Report::default()
    };
    let app = ctx.app;
    // The demo is already imported (first run): importing it again replaces it, as an
    // organiser re-importing a file would.
    let (ok, _, stderr) = app.cli(&["survey", "import", path.to_str().expect("utf-8 path")]);
    assert!(ok, "{id}: import failed: {stderr}");
    let (ok, _, stderr) = app.cli(&["survey", "open", &id]);
    assert!(ok, "{id}: open failed: {stderr}");

    // 1. People, generated and checked locally.
    let mut rng = StdRng::seed_from_u64(seed);
    let people: Vec<Person> = (0..PEOPLE)
        .map(|_| person(&survey, &mut rng, &mut report))
        .collect();
    report.people = people.len();
    report.locally_valid = people.iter().filter(|p| p.parsed.is_some()).count();
    if report.locally_valid * 10 < report.people * 9 {
        report.problems.push(format!(
            "only {} of {} generated people have a locally valid response",
            report.locally_valid, report.people
        ));
    }

    // 2. Their answers, through the API, each with a code of its own.
    let mut codes = Codes::new(&survey);
    let mut stored: Vec<&Response> = Vec::new();
    for p in people.iter() {
        let Some(parsed) = &p.parsed else { continue };
        let (code, coupon) = codes.next(app, &id, &p.tags);
        let (status, body) = app.submit(&id, &code, &Value::Object(p.sent.clone()));
        if status != 201 {
            report.problems.push(format!(
                "a locally valid response was refused: POST /api/v1/surveys/{id}/responses \
                 {{\"code\": …, \"answers\": {}}} (batch tags {:?}) → {status} {body}",
                Value::Object(p.sent.clone()),
                p.tags
            ));
            continue;
        }
        report.acknowledged += 1;
        report.coupons_used += usize::from(coupon);
        if let Ok(v) = serde_json::from_str::<Value>(&body) {
            if let Some(list) = v["coupons"].as_array() {
                codes.earned(list.iter().filter_map(Value::as_str));
            }
        }
        let screened = survey.ended_after(parsed).is_some();
        if screened && !survey.records_screened_out() {
            report.screened_out += 1;
        } else {
            stored.push(parsed);
        }
    }
    report.stored = stored.len();

    // 3. A release, as JSON, CSV and the organiser's page.
    let (status, body) = post(
        &app.url(&format!("/api/v1/surveys/{id}/releases")),
        "",
        &[("Authorization", ctx.key)],
    );
    let mut published = None;
    if status != 201 {
        report.problems.push(format!(
            "POST /api/v1/surveys/{id}/releases → {status} {body}"
        ));
    } else {
        let number = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v["release"].as_u64());
        match number {
            Some(n) => {
                published = Some(n);
                let release = check_release(ctx, &survey, n, &mut report);
                if let Some(release) = release {
                    report.tables = release["tables"].as_array().map_or(0, Vec::len);
                    report.withheld = release["withheld"].as_array().map_or(0, Vec::len);
                    for w in release["withheld"].as_array().into_iter().flatten() {
                        let reason = w["reason"].as_str().unwrap_or_default().to_owned();
                        *report.withheld_reasons.entry(reason).or_default() += 1;
                    }
                    check_one_way_counts(&survey, &stored, &release, &mut report);
                }
            }
            None => report
                .problems
                .push(format!("publishing said no release number: {body}")),
        }
    }

    // 4. Close (which may publish a final release), export, verify.
    let before = release_numbers(ctx, &id);
    let frozen = published.map(|n| {
        let path = format!("/api/v1/surveys/{id}/releases/{n}");
        (path.clone(), api_get(app, &path, ctx.key).1)
    });
    let (ok, out, stderr) = app.cli(&["survey", "close", &id]);
    if !ok {
        report
            .problems
            .push(format!("chorus survey close {id} failed: {stderr}{out}"));
    }
    // A release is served byte for byte unchanged, forever, closing or not.
    if let Some((path, body)) = frozen {
        let (status, now) = api_get(app, &path, ctx.key);
        if status != 200 || now != body {
            report.problems.push(format!(
                "GET {path} changed on closing: {status}, {} bytes before, {} after",
                body.len(),
                now.len()
            ));
        }
    }
    let after = release_numbers(ctx, &id);
    let said = format!("{out}{stderr}").trim().to_owned();
    report.final_release = match after.iter().find(|n| !before.contains(n)) {
        Some(&n) => {
            // A release made on closing is held to the same rules.
            let mut on_close = Report::default();
            check_release(ctx, &survey, n, &mut on_close);
            report.problems.extend(
                on_close
                    .problems
                    .into_iter()
                    .map(|p| format!("release {n}, made on closing: {p}")),
            );
            format!("release {n} published (\"{said}\")")
        }
        None => format!("no new release (\"{said}\")"),
    };
    report.export = export_and_verify(app, &survey, &mut report);
    report.seconds = started.elapsed().as_secs_f64();
    report
}

// ---------------------------------------------------------------------------------------------
// Generating people

/// A person: batch tags (a card handed out somewhere), answers drawn in definition order with
/// the library's own visibility rules, then the library's parser as the judge. What it refuses
/// is repaired (a refused answer is drawn again if the question is required, else left out) a
/// few times before the person is given up.
fn person(survey: &Survey, rng: &mut StdRng, report: &mut Report) -> Person {
    let tags: BatchTags = survey
        .batch_fields()
        .filter_map(|q| {
            let options = q.kind.options();
            (!options.is_empty()).then(|| {
                (
                    q.id.to_string(),
                    options[skewed(rng, options.len())].id.clone(),
                )
            })
        })
        .collect();
    // The survey as the person's site shows it (`[variants]`).
    let site = survey.for_site(&tags);
    let site: &Survey = &site;
    let mut so_far = Response::default();
    for q in site.batch_fields() {
        if let Some(v) = tags.get(q.id.as_str()) {
            so_far.insert(q.id.clone(), Answer::Choice(v.clone()));
        }
    }
    let mut sent = Map::new();
    for q in site.questions() {
        let view = site.with_computed(so_far.clone());
        if !site.asks(q, &view) {
            // A value for a question that is shown but not asked (a computed field, one filled
            // from the batch, one implied by earlier answers) is ignored: now and then a client
            // sends one all the same. It stays out of `so_far`, as the library drops it.
            let ignored = q.compute.is_some() || site.implied_answer(q, &view).is_some();
            if ignored && site.question_visible(q, &view) && rng.gen_bool(IGNORED_EXTRA) {
                if let Some((value, _)) = draw(site, q, &view, rng) {
                    sent.insert(q.id.to_string(), value);
                }
            }
            continue;
        }
        if let Some((value, answer)) = draw_checked(site, q, &view, rng) {
            so_far.insert(q.id.clone(), answer);
            sent.insert(q.id.to_string(), value);
        }
    }

    let mut repaired = false;
    for round in 0..REPAIR_ROUNDS {
        let errors = match answers::parse_with_context(survey, &sent, &tags) {
            Ok(parsed) => {
                report.repaired += usize::from(repaired);
                return Person {
                    tags,
                    sent,
                    parsed: Some(parsed),
                };
            }
            Err(errors) => errors,
        };
        repaired = true;
        for e in &errors {
            *report
                .local_refusals
                .entry(format!(
                    "{}: {}",
                    e.question.as_deref().unwrap_or("-"),
                    e.message
                ))
                .or_default() += 1;
            let Some(qid) = &e.question else { continue };
            let question = site.question(qid);
            so_far.remove(qid);
            sent.remove(qid);
            let Some(q) = question.filter(|q| q.required && round + 1 < REPAIR_ROUNDS) else {
                continue;
            };
            let view = site.with_computed(so_far.clone());
            if site.asks(q, &view) {
                if let Some((value, answer)) = draw_checked(site, q, &view, rng) {
                    so_far.insert(q.id.clone(), answer);
                    sent.insert(q.id.to_string(), value);
                }
            }
        }
    }
    Person {
        tags,
        sent,
        parsed: None,
    }
}

/// An answer that passes the question's checks across questions (`checks = […]`) given the
/// answers so far: drawn again a few times, then a non-answer (which checks leave alone) or,
/// for an optional question, no answer.
fn draw_checked(
    site: &Survey,
    q: &Question,
    view: &Response,
    rng: &mut StdRng,
) -> Option<(Value, Answer)> {
    for _ in 0..8 {
        let (value, answer) = draw(site, q, view, rng)?;
        let mut trial = view.clone();
        trial.insert(q.id.clone(), answer.clone());
        // Most people who are handed a card agree and are eligible: an answer that ends the
        // survey (`end_if`) is kept one time in five.
        if q.end_if.as_ref().is_some_and(|c| c.evaluate(&trial)) && rng.gen_bool(0.8) {
            continue;
        }
        if q.checks.is_empty() || site.failed_checks(q, &trial).is_empty() {
            return Some((value, answer));
        }
    }
    let na = q.non_answers().into_iter().next();
    match na {
        Some(n) => Some((Value::String(n.as_str().to_owned()), Answer::NonAnswer(n))),
        None if q.required => draw(site, q, view, rng),
        None => None,
    }
}

/// One answer to `q` (shown and asked), in wire form and typed; `None` to skip it.
fn draw(site: &Survey, q: &Question, view: &Response, rng: &mut StdRng) -> Option<(Value, Answer)> {
    let grid = matches!(q.kind, QuestionKind::Grid { .. });
    if !q.required && rng.gen_bool(SKIP) {
        return None;
    }
    // Grids take non-answers per row.
    let non_answers = q.non_answers();
    if !grid && !non_answers.is_empty() && rng.gen_bool(NON_ANSWER) {
        let n = non_answers[rng.gen_range(0..non_answers.len())];
        return Some((Value::String(n.as_str().to_owned()), Answer::NonAnswer(n)));
    }
    match &q.kind {
        QuestionKind::Single { .. } | QuestionKind::Likert { .. } => {
            let offered = site.visible_options(q, view);
            if offered.is_empty() {
                return None;
            }
            let c = offered[skewed(rng, offered.len())].id.clone();
            Some((Value::String(c.clone()), Answer::Choice(c)))
        }
        QuestionKind::Multi {
            min_choices,
            max_choices,
            ..
        } => {
            let offered = site.visible_options(q, view);
            let plain: Vec<&str> = offered
                .iter()
                .filter(|o| !o.exclusive)
                .map(|o| o.id.as_str())
                .collect();
            let exclusive: Vec<&str> = offered
                .iter()
                .filter(|o| o.exclusive)
                .map(|o| o.id.as_str())
                .collect();
            let mut chosen: Vec<&str> = if !exclusive.is_empty() && rng.gen_bool(0.1) {
                vec![exclusive[rng.gen_range(0..exclusive.len())]]
            } else {
                // The first options are ticked most often.
                let mut p = 0.55;
                let mut picked = Vec::new();
                for o in &plain {
                    if rng.gen_bool(p) {
                        picked.push(*o);
                    }
                    p = (p * 0.8_f64).max(0.08);
                }
                picked
            };
            if chosen.is_empty() {
                chosen.push(plain.first().or(exclusive.first()).copied()?);
            }
            let max = max_choices.map_or(usize::MAX, |m| m as usize);
            chosen.truncate(max);
            let min = min_choices.map_or(0, |m| m as usize);
            for o in &plain {
                if chosen.len() >= min {
                    break;
                }
                if !chosen.contains(o) {
                    chosen.push(o);
                }
            }
            // Sent in the definition's order, as the pages send them.
            let ordered: Vec<String> = offered
                .iter()
                .filter(|o| chosen.contains(&o.id.as_str()))
                .map(|o| o.id.clone())
                .collect();
            Some((json!(ordered), Answer::Choices(ordered)))
        }
        QuestionKind::Number {
            min, max, bands, ..
        } => {
            let n = if rng.gen_bool(AT_THE_EDGE) {
                if rng.gen_bool(0.5) {
                    *min
                } else {
                    *max
                }
            } else if q.network_size {
                // How many people someone knows: mostly a handful, sometimes dozens.
                let top = (*max).min(60);
                let u: f64 = rng.gen();
                min + ((u * u) * (top - min) as f64) as i64
            } else if bands.is_empty() {
                rng.gen_range(*min..=*max)
            } else {
                let b = bands[skewed(rng, bands.len())];
                let (lo, hi) = (b.lo.max(*min), b.hi.min(*max));
                if lo <= hi {
                    rng.gen_range(lo..=hi)
                } else {
                    rng.gen_range(*min..=*max)
                }
            };
            Some((json!(n), Answer::Number(n)))
        }
        QuestionKind::Scale { min, max, .. } => {
            let n = rng.gen_range(*min..=*max);
            Some((json!(n), Answer::Number(n)))
        }
        QuestionKind::Decimal {
            min,
            max,
            step,
            bands,
            ..
        } => {
            let d = decimal_in(rng, *min, *max, *step, bands)?;
            // Mostly a JSON number, read back from its digits; sometimes a string, as a form
            // would send it ("80.5").
            let value: Value = if rng.gen_bool(0.3) {
                Value::String(d.to_string())
            } else {
                serde_json::from_str(&d.to_string()).ok()?
            };
            Some((value, Answer::Decimal(d)))
        }
        QuestionKind::Grid { rows, options } => {
            let mut wire = Map::new();
            let mut cells = BTreeMap::new();
            for row in rows {
                if !q.required && rng.gen_bool(SKIP) {
                    continue;
                }
                let cell = if !non_answers.is_empty() && rng.gen_bool(NON_ANSWER) {
                    GridCell::NonAnswer(non_answers[rng.gen_range(0..non_answers.len())])
                } else {
                    GridCell::Choice(options[skewed(rng, options.len())].id.clone())
                };
                let text = match &cell {
                    GridCell::Choice(c) => c.clone(),
                    GridCell::NonAnswer(n) => n.as_str().to_owned(),
                };
                wire.insert(row.id.clone(), Value::String(text));
                cells.insert(row.id.clone(), cell);
            }
            (!cells.is_empty()).then_some((Value::Object(wire), Answer::Grid(cells)))
        }
        QuestionKind::Date { min, max } => {
            let lo = min.unwrap_or(YearMonth::new(2020, 1)?);
            let hi = max.unwrap_or(YearMonth::new(2025, 12)?);
            let span = months(hi) - months(lo);
            // Recent months more often than long ago.
            let u: f64 = rng.gen();
            let back = ((u * u) * span as f64) as i64;
            let m = if rng.gen_bool(AT_THE_EDGE) {
                if rng.gen_bool(0.5) {
                    lo
                } else {
                    hi
                }
            } else {
                from_months(months(hi) - back)?
            };
            Some((Value::String(m.to_string()), Answer::Month(m)))
        }
        QuestionKind::Day { min, max } => {
            let d = if rng.gen_bool(AT_THE_EDGE) {
                if rng.gen_bool(0.5) {
                    *min
                } else {
                    *max
                }
            } else {
                day_in(rng, *min, *max)
            };
            Some((Value::String(d.to_string()), Answer::Day(d)))
        }
        // Free text: now and then one of a few harmless phrases (never counted, never exported;
        // only its length and `answered` conditions matter here).
        QuestionKind::Text { max_length } => {
            if !q.required && !rng.gen_bool(0.2) {
                return None;
            }
            let text: String = PHRASES[rng.gen_range(0..PHRASES.len())]
                .chars()
                .take(*max_length)
                .collect();
            Some((Value::String(text.clone()), Answer::Text(text)))
        }
        QuestionKind::Note => None,
    }
}

/// An index in `0..n`, the first ones most likely (weights 1, 1/2, 1/3, …).
fn skewed(rng: &mut StdRng, n: usize) -> usize {
    let total: f64 = (1..=n).map(|i| 1.0 / i as f64).sum();
    let mut x = rng.gen::<f64>() * total;
    for i in 0..n {
        x -= 1.0 / (i + 1) as f64;
        if x <= 0.0 {
            return i;
        }
    }
    n.saturating_sub(1)
}

/// A decimal on the question's step, in a band picked like an option (or anywhere).
fn decimal_in(
    rng: &mut StdRng,
    min: Decimal,
    max: Decimal,
    step: Decimal,
    bands: &[chorus::survey::DecimalBand],
) -> Option<Decimal> {
    let scale = min.scale().max(max.scale()).max(step.scale());
    let (lo, hi, st) = (
        min.units_at(scale)?,
        max.units_at(scale)?,
        step.units_at(scale)?,
    );
    if st <= 0 || hi < lo {
        return None;
    }
    let steps = (hi - lo) / st;
    let (mut first, mut last) = (0, steps);
    if !bands.is_empty() {
        let b = bands[skewed(rng, bands.len())];
        let s = b.lo.scale().max(b.hi.scale()).max(scale);
        let at = |d: Decimal| d.units_at(s);
        let widen = 10i64.pow(u32::from(s - scale));
        if let (Some(blo), Some(bhi)) = (at(b.lo), at(b.hi)) {
            let (lo_s, st_s) = (lo * widen, st * widen);
            let f = (blo - lo_s + st_s - 1).div_euclid(st_s).max(0);
            let l = (bhi - lo_s).div_euclid(st_s).min(steps);
            if f <= l {
                (first, last) = (f, l);
            }
        }
    }
    let k = if rng.gen_bool(AT_THE_EDGE) {
        if rng.gen_bool(0.5) {
            0
        } else {
            steps
        }
    } else {
        rng.gen_range(first..=last)
    };
    Some(Decimal::from_units(lo + k * st, scale))
}

fn months(m: YearMonth) -> i64 {
    i64::from(m.year()) * 12 + i64::from(m.month()) - 1
}

fn from_months(n: i64) -> Option<YearMonth> {
    YearMonth::new(u16::try_from(n / 12).ok()?, u8::try_from(n % 12 + 1).ok()?)
}

/// A day in `min..=max`, recent ones more often.
fn day_in(rng: &mut StdRng, min: Day, max: Day) -> Day {
    for _ in 0..20 {
        let span = months(max.year_month()) - months(min.year_month());
        let u: f64 = rng.gen();
        let back = ((u * u) * span as f64) as i64;
        let Some(m) = from_months(months(max.year_month()) - back) else {
            continue;
        };
        let Some(d) = Day::new(m.year(), m.month(), rng.gen_range(1..=28)) else {
            continue;
        };
        if min <= d && d <= max {
            return d;
        }
    }
    min
}

// ---------------------------------------------------------------------------------------------
// Codes

/// Where each person's code comes from: cards issued by the CLI (one batch per combination of
/// batch tags), coupons earned by earlier people (coupon surveys), or the open-code endpoint.
struct Codes {
    mode: Mode,
    coupons: bool,
    /// Coupon surveys: seeds (ordinary cards) still to hand out before recruits come with
    /// coupons.
    seeds: usize,
    /// Cards not handed out yet, by batch tags.
    cards: BTreeMap<Vec<(String, String)>, VecDeque<String>>,
    earned: VecDeque<String>,
}

impl Codes {
    fn new(survey: &Survey) -> Codes {
        Codes {
            mode: survey.mode(),
            // A coupon carries no batch tags, so a survey with batch fields recruits by cards.
            coupons: survey.coupons().is_some() && survey.batch_fields().next().is_none(),
            seeds: 10,
            cards: BTreeMap::new(),
            earned: VecDeque::new(),
        }
    }

    /// A code for a person with these batch tags; `true` when it is a coupon.
    fn next(&mut self, app: &TestApp, survey: &str, tags: &BatchTags) -> (String, bool) {
        if self.mode == Mode::Open {
            let (status, body) = post(
                &app.url(&format!("/api/v1/surveys/{survey}/open-code")),
                "",
                &[],
            );
            assert_eq!(status, 201, "{survey}: open-code: {body}");
            let v: Value = serde_json::from_str(&body).expect("json");
            return (v["code"].as_str().expect("a code").to_owned(), false);
        }
        if self.coupons {
            // Ten seeds start the chains; after them, people come with a coupon from someone
            // who answered before them, and a new seed only when every chain has died out.
            if self.seeds > 0 {
                self.seeds -= 1;
            } else if let Some(c) = self.earned.pop_front() {
                return (c, true);
            }
        }
        let key: Vec<(String, String)> = tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let batch = self.cards.entry(key.clone()).or_default();
        if batch.is_empty() {
            // Cards come in batches of 40 (seeds of a coupon survey: 10, then a few at a time).
            let count = if self.coupons {
                (self.seeds + 1).max(4)
            } else {
                40
            };
            let mut args: Vec<String> = vec![
                "codes".into(),
                "issue".into(),
                survey.into(),
                "--count".into(),
                count.to_string(),
            ];
            for (k, v) in &key {
                args.push("--tag".into());
                args.push(format!("{k}={v}"));
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (ok, stdout, stderr) = app.cli(&args);
            assert!(ok, "{survey}: codes issue {args:?}: {stderr}");
            batch.extend(stdout.lines().map(str::to_owned));
        }
        (batch.pop_front().expect("a card was issued"), false)
    }

    fn earned<'a>(&mut self, coupons: impl Iterator<Item = &'a str>) {
        if self.coupons {
            self.earned.extend(coupons.map(str::to_owned));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Releases

/// Reads release `n` as the organiser API serves it (JSON), as the workspace's downloads (JSON
/// and zipped CSV) and as the results page, and checks what every release must do. Returns the
/// release when it could be read.
fn check_release(ctx: &Ctx<'_>, survey: &Survey, n: u64, report: &mut Report) -> Option<Value> {
    let id = survey.id().as_str();
    let t = survey.threshold();
    let (status, body) = api_get(
        ctx.app,
        &format!("/api/v1/surveys/{id}/releases/{n}"),
        ctx.key,
    );
    if status != 200 {
        report.problems.push(format!(
            "GET /api/v1/surveys/{id}/releases/{n} → {status} {body}"
        ));
        return None;
    }
    let Ok(release) = serde_json::from_str::<Value>(&body) else {
        report
            .problems
            .push(format!("release {n} is not JSON: {body}"));
        return None;
    };
    let mut texts: Vec<(String, String)> = vec![(format!("API release {n} JSON"), body.clone())];

    let tables = release["tables"].as_array().cloned().unwrap_or_default();
    if tables.is_empty() {
        report.problems.push(format!(
            "release {n} shows no table (note: {}; withheld: {})",
            release["note"], release["withheld"]
        ));
    }
    let hidden = json!({"count": null, "suppressed": true});
    for table in &tables {
        for (r, row) in table["cells"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            for (c, cell) in row
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let suppressed = cell["suppressed"] == json!(true) || cell["count"].is_null();
                if suppressed {
                    report.hidden_cells += 1;
                    if *cell != hidden {
                        report.problems.push(format!(
                            "release {n}, table {}: hidden cell [{r}][{c}] is {cell}, not {hidden}",
                            table["id"]
                        ));
                    }
                }
            }
        }
    }
    for w in release["withheld"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        if w["reason"].as_str().is_none_or(|r| r.trim().is_empty()) {
            report
                .problems
                .push(format!("release {n}: withheld table without a reason: {w}"));
        }
        // And what the organiser can do, or wait for, to have it shown.
        if w["what_helps"].as_str().is_none_or(|r| r.trim().is_empty()) {
            report
                .problems
                .push(format!("release {n}: withheld table without a remedy: {w}"));
        }
    }

    // The workspace: the results page, and both downloads.
    let page_path = format!("/org/s/{id}/releases/{n}");
    let page = ctx.org.get(&page_path);
    if page.status != 200 {
        report
            .problems
            .push(format!("GET {page_path} → {}", page.status));
    }
    texts.push((format!("GET {page_path}"), page.html));
    // The survey's own workspace page shows progress in bands and lists the releases.
    let survey_page = ctx.org.get(&format!("/org/s/{id}"));
    texts.push((format!("GET /org/s/{id}"), survey_page.html));
    let json_path = format!("/org/s/{id}/releases/{n}/json");
    match org_bytes(ctx, &json_path) {
        Ok(bytes) => texts.push((
            format!("GET {json_path}"),
            String::from_utf8_lossy(&bytes).into_owned(),
        )),
        Err(e) => report.problems.push(e),
    }
    let csv_path = format!("/org/s/{id}/releases/{n}/csv");
    match org_bytes(ctx, &csv_path).and_then(|zip| unzip(&zip)) {
        Ok(files) => {
            // One file per table shown, and `withheld.csv` naming the others when there are any.
            let withheld_file = files
                .iter()
                .any(|(name, _)| name.ends_with("/withheld.csv"));
            let withheld_any = release["withheld"]
                .as_array()
                .is_some_and(|w| !w.is_empty());
            if withheld_file != withheld_any {
                report.problems.push(format!(
                    "GET {csv_path}: withheld.csv {} but {} tables withheld",
                    if withheld_file { "present" } else { "missing" },
                    if withheld_any { "some" } else { "no" },
                ));
            }
            let csvs = files
                .iter()
                .filter(|(name, _)| name.ends_with(".csv") && !name.ends_with("/withheld.csv"))
                .count();
            if csvs != tables.len() {
                report.problems.push(format!(
                    "GET {csv_path}: {csvs} CSV files for {} tables shown",
                    tables.len()
                ));
            }
            texts.extend(
                files
                    .into_iter()
                    .map(|(name, text)| (format!("GET {csv_path} → {name}"), text)),
            );
        }
        Err(e) => report.problems.push(e),
    }
    let marks = [
        "<10".to_owned(),
        "&lt;10".to_owned(),
        format!("<{t}"),
        format!("&lt;{t}"),
    ];
    for (what, text) in &texts {
        for mark in &marks {
            if let Some(at) = text.find(mark.as_str()) {
                let from = (0..=at.saturating_sub(80))
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                let to = ((at + 80).min(text.len())..=text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(text.len());
                report
                    .problems
                    .push(format!("{what} contains {mark:?}: …{}…", &text[from..to]));
            }
        }
    }
    Some(release)
}

/// A GET as maria's browser session, body as bytes.
fn org_bytes(ctx: &Ctx<'_>, path: &str) -> Result<Vec<u8>, String> {
    let mut req = ureq::get(&format!("{}{path}", ctx.org.base));
    if let Some(c) = &ctx.org.cookie {
        req = req.set("Cookie", c);
    }
    match req.call() {
        Ok(resp) => {
            let mut bytes = Vec::new();
            resp.into_reader()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("GET {path}: {e}"))?;
            Ok(bytes)
        }
        Err(ureq::Error::Status(code, resp)) => Err(format!(
            "GET {path} → {code} {}",
            resp.into_string().unwrap_or_default()
        )),
        Err(e) => Err(format!("GET {path}: {e}")),
    }
}

fn unzip(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("the CSV download is not a zip: {e}"))?;
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).map_err(|e| e.to_string())?;
            let mut text = String::new();
            f.read_to_string(&mut text).map_err(|e| e.to_string())?;
            let name = f.name().map_err(|e| e.to_string())?.into_owned();
            Ok((name, text))
        })
        .collect()
}

/// For every single-choice question (not on a repeating page), against the true counts among
/// the responses stored: each published count of an option or non-answer, and the table's
/// total, is within the noise bound (D = 2) of the true one; and each option whose true count is
/// at least T, with at least T others answering the question, should mostly be published in its
/// one-way table (the design's budget is 95% at 100 responses; this asks for half, as noise
/// and the protection of other cells may take some).
fn check_one_way_counts(
    survey: &Survey,
    stored: &[&Response],
    release: &Value,
    report: &mut Report,
) {
    const D: u64 = 2;
    let t = u64::from(survey.threshold());
    let tables = release["tables"].as_array().cloned().unwrap_or_default();
    for q in survey.questions() {
        let QuestionKind::Single { options, .. } = &q.kind else {
            continue;
        };
        if q.instance.is_some() {
            continue;
        }
        // True counts by category id: option ids and non-answer ids.
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut total = 0u64;
        for r in stored {
            let category = match r.get(q.id.as_str()) {
                Some(Answer::Choice(c)) => c.clone(),
                Some(Answer::NonAnswer(n)) => n.as_str().to_owned(),
                Some(other) => format!("{other:?}"),
                None => continue,
            };
            *counts.entry(category).or_default() += 1;
            total += 1;
        }
        let table = tables
            .iter()
            .find(|tb| tb["variables"] == json!([q.id.as_str()]));
        let published = |row: &str| -> Option<u64> {
            let tb = table?;
            let r = tb["rows"].as_array()?.iter().position(|l| l["id"] == row)?;
            tb["cells"].get(r)?.as_array()?.last()?["count"].as_u64()
        };
        if let Some(tb) = table {
            for line in tb["rows"].as_array().map(Vec::as_slice).unwrap_or_default() {
                let Some(row) = line["id"].as_str() else {
                    continue;
                };
                if line.get("parts").is_some() {
                    continue;
                }
                let truth = if row == "total" {
                    total
                } else {
                    counts.get(row).copied().unwrap_or(0)
                };
                if let Some(p) = published(row) {
                    if p.abs_diff(truth) > D || (truth == 0 && p != 0) {
                        report.problems.push(format!(
                            "one-way table {}: row {row} is published as {p}, but {truth} of the \
                             responses sent are in it (noise is at most {D})",
                            q.id
                        ));
                    }
                }
            }
        }
        for o in options {
            let n = counts.get(&o.id).copied().unwrap_or(0);
            if n < t || total - n < t {
                continue;
            }
            report.one_way_eligible += 1;
            match published(&o.id) {
                Some(_) => report.one_way_published += 1,
                None => report
                    .one_way_hidden
                    .push(format!("{}={} ({n} of {total})", q.id, o.id)),
            }
        }
    }
    // A survey of yes/no questions has few such counts, and each of its tables loses one of
    // its two to protect a few non-answers: with fewer than ten, only the pooled share counts.
    if report.one_way_eligible >= 10 && report.one_way_published * 2 < report.one_way_eligible {
        report.problems.push(format!(
            "only {} of {} one-way counts ≥ T (with complement ≥ T) are published; not: {}",
            report.one_way_published,
            report.one_way_eligible,
            report.one_way_hidden.join(", ")
        ));
    }
}

fn release_numbers(ctx: &Ctx<'_>, id: &str) -> Vec<u64> {
    let (status, body) = api_get(ctx.app, &format!("/api/v1/surveys/{id}/releases"), ctx.key);
    assert_eq!(status, 200, "{id}: list releases: {body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    v["releases"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Export

/// `chorus export` then `chorus verify-export`; what happened, in a few words.
fn export_and_verify(app: &TestApp, survey: &Survey, report: &mut Report) -> String {
    let id = survey.id().as_str();
    let out = app.dir.path().join(format!("{id}-export.zip"));
    let out_str = out.to_str().expect("utf-8 path");
    let (ok, stdout, stderr) = app.cli(&["export", id, "--out", out_str]);
    if !ok {
        let says = format!("{stderr}{stdout}");
        // A refusal must be a sentence for a person, not a crash or a debug dump.
        let clear = !says.trim().is_empty()
            && !says.contains("panicked")
            && !says.contains("RUST_BACKTRACE")
            && !says.contains("Error {")
            && !says.contains("Os {");
        if !clear {
            report.problems.push(format!(
                "chorus export {id} failed without a clear message: {says}"
            ));
        }
        // An export may be refused for a survey without quasi-identifiers to generalise, or
        // with too few responses; any other refusal is a finding. (Today every example in
        // surveys/ is exported and verified: none is refused.)
        let quasi: Vec<&str> = survey
            .questions()
            .filter(|q| q.role == Some(chorus::survey::Role::Quasi))
            .map(|q| q.id.as_str())
            .collect();
        let few = report.stored < survey.min_responses() as usize;
        if !quasi.is_empty() && !few {
            report.problems.push(format!(
                "chorus export {id} was refused ({} stored responses, quasi-identifiers: \
                 {quasi:?}): {}",
                report.stored,
                says.trim()
            ));
        }
        return format!("refused: {}", says.trim());
    }
    let (ok, stdout, stderr) = app.cli(&["verify-export", out_str]);
    if !ok {
        report.problems.push(format!(
            "chorus verify-export of {id}'s export failed: {stderr}{stdout}"
        ));
        return "written, but verify-export failed".into();
    }
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    format!("{size} bytes, verified")
}
