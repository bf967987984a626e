//! What a researcher loads: a real export downloaded through the API carries `load.R`,
//! `load.do`, `load.sps` and `codebook.xml` listed in its signed manifest, each agreeing with
//! `data.csv`; and R itself, run on the bundle's `load.R`, counts every non-answer as `NA`.
//! (R comes from Debian's `r-base-core`, which `scripts/test` installs; without `Rscript` the R
//! test says so and passes. PSPP checks `load.sps` the same way when it is installed.)

use crate::helpers::{post, TestApp, BIN};
use crate::org_client::{add_account, api_key};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// An option label an organiser might type that breaks naive quoting in every target language.
const HOSTILE: &str = r#"O'Neill's "corner" <b> & back\slash $HOME `x'"#;

const SURVEY: &str = r#"
id = "loaders"
title = 'Loaders "test" <&> survey'
languages = ["en"]
k_anonymity = 5
  [[pages]]
  title = "Only page"
  [[pages.questions]]
  id = "gender"
  type = "single"
  role = "quasi"
  text = "Gender"
  options = [ { id = "woman", text = "Woman" }, { id = "man", text = "Man" } ]
  [[pages.questions]]
  id = "age"
  type = "number"
  role = "plain"
  min = 16
  max = 99
  text = "How old are you?"
  [[pages.questions]]
  id = "area"
  type = "single"
  role = "plain"
  text = 'Where do you "usually" stay?'
  options = [
    { id = "harbour", text = "Harbour & docks" },
    { id = "corner", text = '''O'Neill's "corner" <b> & back\slash $HOME `x'''' },
  ]
  [[pages.questions]]
  id = "grams"
  type = "number"
  role = "plain"
  min = 0
  max = 10
  step = 0.5
  text = "How many grams?"
"#;

/// How many responses, and which of them answer `age` with a non-answer.
const RESPONSES: usize = 40;
fn age_answer(i: usize) -> Option<Value> {
    match i % 5 {
        0 => Some(json!("dont_know")),
        1 => Some(json!("prefer_not_to_say")),
        2 => None,
        _ => Some(json!(20 + i)),
    }
}

/// The answer to the decimal `grams`: "don't know" for every fourth, else `n.5`.
fn grams_answer(i: usize) -> Option<f64> {
    (i % 4 != 0).then_some((i % 10) as f64 + 0.5)
}

/// The closed survey's export, downloaded by a researcher through the API, written to disk;
/// returns its path and files.
fn downloaded(app: &TestApp) -> (std::path::PathBuf, HashMap<String, Vec<u8>>) {
    app.import(SURVEY);
    app.open_survey("loaders");
    for (i, code) in app.issue_codes("loaders", RESPONSES).iter().enumerate() {
        let mut answers = json!({
            "gender": "woman",
            "area": if i % 2 == 0 { "harbour" } else { "corner" },
        });
        if let Some(age) = age_answer(i) {
            answers["age"] = age;
        }
        answers["grams"] = match grams_answer(i) {
            Some(g) => json!(format!("{g:.1}")),
            None => json!("dont_know"),
        };
        let (status, body) = app.submit("loaders", code, &answers);
        assert_eq!(status, 201, "{body}");
    }
    let (ok, _, stderr) = app.cli(&["survey", "close", "loaders"]);
    assert!(ok, "{stderr}");
    add_account(app, "rita", "researcher");
    add_account(app, "maria", "organiser");
    let researcher = format!("Bearer {}", api_key(app, "rita"));
    let organiser = format!("Bearer {}", api_key(app, "maria"));
    let (status, body) = post(
        &app.url("/api/v1/surveys/loaders/exports"),
        r#"{"purpose": "Loading in R, Stata and SPSS"}"#,
        &[("Authorization", &researcher)],
    );
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, body) = post(
        &app.url(&format!("/api/v1/exports/{id}/approve")),
        "",
        &[("Authorization", &organiser)],
    );
    assert_eq!(status, 200, "{body}");
    let response = ureq::get(&app.url(&format!("/api/v1/exports/{id}/bundle")))
        .set("Authorization", &researcher)
        .call()
        .expect("download");
    let mut zip = Vec::new();
    response.into_reader().read_to_end(&mut zip).expect("bytes");
    let path = app.dir.path().join("export.zip");
    std::fs::write(&path, &zip).expect("write");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    let files = (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read");
            (f.name().expect("name").into_owned(), bytes)
        })
        .collect();
    (path, files)
}

fn text(files: &HashMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(
        files
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .clone(),
    )
    .expect("utf-8")
}

pub(crate) fn unzip(files: &HashMap<String, Vec<u8>>, dir: &Path) {
    std::fs::create_dir_all(dir).expect("dir");
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
}

fn non_answers_sent() -> usize {
    (0..RESPONSES)
        .filter(|&i| !matches!(age_answer(i), Some(Value::Number(_))))
        .count()
}

#[test]
fn an_export_carries_loaders_and_a_ddi_codebook_that_agree_with_its_data() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    let (path, files) = downloaded(&app);
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).expect("manifest");
    for name in ["load.R", "load.do", "load.sps", "codebook.xml"] {
        assert!(files.contains_key(name), "{name} missing");
        assert!(
            manifest["files"][name]
                .as_str()
                .is_some_and(|h| h.len() == 64),
            "{name} has no SHA-256 in the manifest: {manifest}"
        );
    }
    let verified = std::process::Command::new(BIN)
        .arg("verify-export")
        .arg(&path)
        .env_remove("CHORUS_CONFIG")
        .output()
        .expect("verify");
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );

    let data = text(&files, "data.csv");
    let header: Vec<&str> = data.lines().next().expect("header").split(',').collect();
    assert_eq!(header, ["row_id", "gender", "age", "area", "grams"]);
    let grams_at = header.iter().position(|h| *h == "grams").expect("grams");
    let grams: std::collections::BTreeSet<&str> = data
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(grams_at))
        .collect();
    assert!(
        grams.contains("9.5") && grams.contains("-1"),
        "decimals as answered, don't know as a whole code: {grams:?}"
    );
    assert_eq!(data.lines().count(), RESPONSES + 1, "nobody left out");

    // codebook.csv marks age's non-answer codes as missing (a cell starting with `-` that is not
    // a number gets src/spreadsheet.rs's leading apostrophe, like any other).
    let mut codebook = csv::Reader::from_reader(files["codebook.csv"].as_slice());
    let headers = codebook.headers().expect("headers").clone();
    let missing_at = headers
        .iter()
        .position(|h| h == "missing")
        .expect("a missing column");
    let missing: HashMap<String, String> = codebook
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[0].to_owned(), r[missing_at].to_owned())
        })
        .collect();
    assert_eq!(missing["age"], "'-1; -2; -3");
    assert_eq!(missing["area"], "'-1; -2; -3");
    assert_eq!(missing["gender"], "'-1; -2; -3");
    assert_eq!(missing["grams"], "'-1; -2; -3");

    // One DDI var per column, the hostile label escaped, non-answers as missing categories.
    let xml = text(&files, "codebook.xml");
    assert!(xml.contains("<codeBook xmlns=\"ddi:codebook:2_5\" version=\"2.5\""));
    assert!(xml.contains("<titl>Loaders &quot;test&quot; &lt;&amp;&gt; survey</titl>"));
    for name in &header {
        assert!(
            xml.contains(&format!("name=\"{name}\"")),
            "no var for {name}"
        );
    }
    assert!(xml.contains(
        "<labl>O&apos;Neill&apos;s &quot;corner&quot; &lt;b&gt; &amp; back\\slash $HOME `x&apos;</labl>"
    ));
    assert!(!xml.contains("<b>"));
    assert!(xml.contains("<catgry missing=\"Y\">\n        <catValu>-2</catValu>"));

    let stata = text(&files, "load.do");
    assert!(stata.contains("import delimited using \"data.csv\""));
    assert!(
        stata.contains("mvdecode age, mv(-1=.a \\ -2=.b \\ -3=.c)"),
        "{stata}"
    );
    assert!(stata.contains("\\$HOME"), "no macro expands inside a label");

    let spss = text(&files, "load.sps");
    assert!(spss.contains("/FILE=\"data.csv\""));
    assert!(spss.contains("MISSING VALUES age (-1, -2, -3)."), "{spss}");
    assert!(spss.contains(r#""O'Neill's ""corner"" <b>"#), "{spss}");
}

/// Runs `program` with `args` in `dir`; `None` (with a note) when it is not installed.
pub(crate) fn run(program: &str, args: &[&str], dir: &Path) -> Option<String> {
    match std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{program} failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("note: {program} is not installed, so this check was skipped (scripts/test installs it)");
            None
        }
        Err(e) => panic!("{program}: {e}"),
    }
}

#[test]
fn r_counts_every_non_answer_as_na_and_keeps_the_labels() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    let (_, files) = downloaded(&app);
    let dir = app.dir.path().join("unzipped-r");
    unzip(&files, &dir);
    let script = r#"source("load.R")
cat(sum(is.na(chorus$age)), "\n", sep = "")
cat(mean(chorus$age, na.rm = TRUE), "\n", sep = "")
cat(is.na(mean(chorus$age)), "\n", sep = "")
cat(levels(chorus$area), sep = "\n")
cat(attr(chorus$area, "label"), "\n", sep = "")
cat(sum(is.na(chorus$grams)), "\n", sep = "")
cat(sprintf("%.4f", mean(chorus$grams, na.rm = TRUE)), "\n", sep = "")
"#;
    let Some(out) = run("Rscript", &["-e", script], &dir) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], non_answers_sent().to_string(), "{out}");
    let answered: Vec<usize> = (0..RESPONSES)
        .filter(|&i| matches!(age_answer(i), Some(Value::Number(_))))
        .map(|i| 20 + i)
        .collect();
    let mean = answered.iter().sum::<usize>() as f64 / answered.len() as f64;
    let r_mean: f64 = lines[1].parse().expect("a number");
    assert!(
        (r_mean - mean).abs() < 1e-6,
        "R's mean {r_mean}, answers' mean {mean}"
    );
    assert_eq!(
        lines[2], "TRUE",
        "without na.rm, the mean is NA: nothing counts a non-answer"
    );
    assert_eq!(&lines[3..5], ["Harbour & docks", HOSTILE]);
    assert_eq!(lines[5], "Where do you \"usually\" stay?");
    // A decimal number keeps its digits, and its "don't know" is NA, not a number.
    let grams: Vec<f64> = (0..RESPONSES).filter_map(grams_answer).collect();
    assert_eq!(lines[6], (RESPONSES - grams.len()).to_string(), "{out}");
    let mean = grams.iter().sum::<f64>() / grams.len() as f64;
    assert_eq!(lines[7], format!("{mean:.4}"), "{out}");
}

#[test]
fn pspp_reads_load_sps_with_non_answers_missing() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    let (_, files) = downloaded(&app);
    let dir = app.dir.path().join("unzipped-sps");
    unzip(&files, &dir);
    std::fs::write(
        dir.join("check.sps"),
        "INCLUDE FILE='load.sps'.\nDESCRIPTIVES VARIABLES=age grams /STATISTICS=MEAN.\nFREQUENCIES VARIABLES=area.\n",
    )
    .expect("write");
    let Some(out) = run("pspp", &["-O", "format=csv", "check.sps"], &dir) else {
        return;
    };
    assert!(!out.contains("error"), "{out}");
    let valid = RESPONSES - non_answers_sent();
    assert!(
        out.contains(&format!("(age),{valid},")),
        "PSPP counts {valid} valid ages:\n{out}"
    );
    assert!(out.contains("O'Neill's \"\"corner\"\""), "{out}");
    let grams: Vec<f64> = (0..RESPONSES).filter_map(grams_answer).collect();
    let mean = grams.iter().sum::<f64>() / grams.len() as f64;
    assert!(
        out.contains(&format!("(grams),{},{mean:.2}", grams.len())),
        "PSPP reads {} grams with decimals, mean {mean:.2}:\n{out}",
        grams.len()
    );
}
