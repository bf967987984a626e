//! A repeating page (one block per substance injected, up to five), answered through the pages
//! without JavaScript and through the API, and counted in people by a release.

use crate::forms::Page;
use crate::helpers::TestApp;
use crate::typed_grids::{one_way_count, publish_as_maria};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::io::Read;

const SURVEY: &str = include_str!("../../surveys/injecting-study.toml");
const ID: &str = "injecting-study";

/// One person through the pages, in Spanish: two substances (heroin, shared with a friend;
/// methamphetamine, first on 40 days, refused, then 4), then the last page.
fn answer_through_the_pages(app: &TestApp) {
    let code = app.issue_codes(ID, 1).remove(0);
    let action = format!("/s/{ID}/page");
    let first = Page::get(&app.url(&format!("/s/{ID}?code={code}&lang=es")))
        .form(&action)
        .go("start");
    let mut form = first.form(&action);
    form.set("age", "30").set("n_substances", "2");
    let one = form.go("next");
    assert_eq!(
        one.h1(),
        "Una sustancia que te inyectaste (1)",
        "{}",
        one.html
    );
    assert!(one.has(r#"input[type="radio"][name="substance_1__drug"][value="heroin"]"#));
    assert!(
        !one.has(r#"[name="substance_2__drug"]"#),
        "one instance per page"
    );
    let mut form = one.form(&action);
    form.set("substance_1__drug", "heroin")
        .set("substance_1__days", "5")
        .set("substance_1__shared", "yes")
        .set("substance_1__shared_with", "friend");
    let two = form.go("next");
    assert_eq!(
        two.h1(),
        "Una sustancia que te inyectaste (2)",
        "{}",
        two.html
    );
    let mut form = two.form(&action);
    form.set("substance_2__drug", "meth")
        .set("substance_2__days", "40")
        .set("substance_2__shared", "no");
    let refused = form.go("next");
    assert_eq!(refused.status, 422);
    let mut form = refused.form(&action);
    form.set("substance_2__days", "4");
    // The second page of each block names that block's substance.
    let source_one = form.go("next");
    assert_eq!(
        source_one.h1(),
        "Dónde la conseguiste (1)",
        "{}",
        source_one.html
    );
    assert!(
        source_one
            .html
            .contains("¿Dónde la conseguías normalmente (Heroína)?"),
        "{}",
        source_one.html
    );
    let mut form = source_one.form(&action);
    form.set("source_1__got_from", "dealer");
    let source_two = form.go("next");
    assert!(
        source_two
            .html
            .contains("¿Dónde la conseguías normalmente (Metanfetamina)?"),
        "{}",
        source_two.html
    );
    let mut form = source_two.form(&action);
    form.set("source_2__got_from", "friend");
    let last = form.go("next");
    assert_eq!(
        last.h1(),
        "Servicios",
        "no third instance for two substances"
    );
    let mut form = last.form(&action);
    form.set("nsp", "yes");
    let review = form.go("next");
    assert!(
        review.html.contains("Una sustancia que te inyectaste (2)"),
        "{}",
        review.html
    );
    let thanks = review
        .form(&action)
        .press(None, Some(&format!("/s/{ID}/submit")));
    assert_eq!(thanks.status, 200, "{}", thanks.html);
}

/// Even: heroin in both of two blocks. Odd: methamphetamine in one block.
fn api_answers(i: usize) -> Value {
    let mut a = json!({
        "age": if i % 2 == 0 { 30 } else { 40 },
        "n_substances": if i % 2 == 0 { 2 } else { 1 },
        "substance_1__drug": if i % 2 == 0 { "heroin" } else { "meth" },
        "substance_1__days": 1 + i % 20,
        "substance_1__shared": if i % 3 == 0 { "yes" } else { "no" },
        "nsp": if i % 4 == 0 { "no" } else { "yes" },
    });
    if i % 2 == 0 {
        a["substance_2__drug"] = json!("heroin");
        a["substance_2__days"] = json!(2 + i % 7);
        a["substance_2__shared"] = json!("no");
    }
    a
}

#[test]
fn a_repeating_page_is_asked_once_per_instance_and_released_in_people() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(SURVEY);
    app.open_survey(ID);
    answer_through_the_pages(&app);

    // An instance past the count is not asked, so the API refuses an answer to it.
    let code = app.issue_codes(ID, 1).remove(0);
    let mut beyond = api_answers(1);
    beyond["substance_2__drug"] = json!("heroin");
    let (status, body) = app.submit(ID, &code, &beyond);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("substance_2__drug"), "{body}");
    assert_eq!(app.submit(ID, &code, &api_answers(1)).0, 201);
    for (i, code) in app.issue_codes(ID, 38).iter().enumerate() {
        let (status, body) = app.submit(ID, code, &api_answers(i + 2));
        assert_eq!(status, 201, "{body}");
    }

    // 40 people, 60 blocks: 19 with heroin in two blocks, 20 with methamphetamine in one, and
    // the page's one with both. Heroin: 20 people (in 40 blocks), 20 without; methamphetamine:
    // 21 people. Noise is at most 2.
    let release = publish_as_maria(&app, ID);
    let body = release.to_string();
    let near = |n: Option<u64>, want: u64| n.is_some_and(|n| n.abs_diff(want) <= 2);
    assert!(
        near(
            one_way_count(&release, "substance.drug.heroin", "selected"),
            20
        ),
        "{body}"
    );
    assert!(near(
        one_way_count(&release, "substance.drug.heroin", "not_selected"),
        20
    ));
    assert!(near(
        one_way_count(&release, "substance.drug.meth", "selected"),
        21
    ));
    assert!(
        !body.contains("\"substance_1__drug\"") && !body.contains("\"substance_2__drug\""),
        "no table per instance"
    );

    // The export: the blocks leave in long form, groups/substance.csv, one row per block,
    // tied to data.csv by row id; data.csv has no per-instance column.
    let (ok, _, stderr) = app.cli(&["survey", "close", ID]);
    assert!(ok, "{stderr}");
    let out = app.dir.path().join("groups.zip");
    let (ok, _, stderr) = app.cli(&["export", ID, "--out", out.to_str().expect("path")]);
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = app.cli(&["verify-export", out.to_str().expect("path")]);
    assert!(
        ok,
        "the signed manifest covers the group file: {stdout}{stderr}"
    );
    let dir = app.dir.path().join("unzipped");
    let files = unzip(&std::fs::read(&out).expect("zip"), &dir);
    let data = &files["data.csv"];
    assert!(
        !data.lines().next().expect("header").contains("substance_"),
        "{data}"
    );
    let row_ids: HashSet<&str> = data
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    let long = &files["groups/substance.csv"];
    let mut lines = long.lines();
    assert_eq!(
        lines.next(),
        Some("row_id,instance,drug,days,shared,shared_with")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut per_person: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        assert!(
            row_ids.contains(row[0]),
            "{row:?} belongs to a row of data.csv"
        );
        assert!(row[1] == "1" || row[1] == "2", "{row:?}");
        *per_person.entry(row[0]).or_default() += 1;
    }
    // At most 5% of the 40 records may be left out (and their blocks with them).
    assert!((55..=60).contains(&rows.len()), "{} blocks", rows.len());
    assert!(per_person.values().all(|n| *n <= 2));
    let codebook = &files["codebook.csv"];
    // Labels are quoted (a spreadsheet that also splits at `;` keeps them whole).
    assert!(codebook.contains("\"substance.drug\","), "{codebook}");
    assert!(
        codebook.contains("\"substance.instance\",\"Instance of the repeating page"),
        "{codebook}"
    );
    assert!(files["manifest.json"].contains("groups/substance.csv"));
    let ddi = &files["codebook.xml"];
    assert!(
        ddi.contains("<fileName>groups/substance.csv</fileName>"),
        "{ddi}"
    );
    assert!(ddi.contains(r#"name="drug" files="F2""#), "{ddi}");

    // R reads the long file with labels, and non-answers (not shown: no one shared) are NA.
    let missing = rows
        .iter()
        .filter(|r| r[5] == "*" || r[5].starts_with('-'))
        .count();
    let check = "source(\"load.R\"); cat(nrow(chorus_substance), \
                 sum(is.na(chorus_substance$shared_with)), \
                 as.character(chorus_substance$drug[chorus_substance$drug == \"Heroin\"][1]), \
                 sep = \"\\n\")";
    match std::process::Command::new("Rscript")
        .args(["-e", check])
        .current_dir(&dir)
        .output()
    {
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let lines: Vec<&str> = stdout.lines().collect();
            assert_eq!(
                lines,
                [
                    rows.len().to_string(),
                    missing.to_string(),
                    "Heroin".to_owned()
                ]
            );
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("note: Rscript is not installed, so R was not run (scripts/test installs it)");
        }
        Err(e) => panic!("Rscript: {e}"),
    }

    // PSPP reads it too, into the dataset chorus_substance, with the same missing values; the
    // main data and the second block's file stay open beside it.
    std::fs::write(
        dir.join("check.sps"),
        "INCLUDE FILE='load.sps'.\nDATASET ACTIVATE chorus_substance.\n\
         DESCRIPTIVES VARIABLES=shared_with /STATISTICS=MEAN.\nFREQUENCIES VARIABLES=drug.\n\
         DATASET ACTIVATE chorus.\nFREQUENCIES VARIABLES=nsp.\n\
         DATASET ACTIVATE chorus_source.\nFREQUENCIES VARIABLES=got_from.\n",
    )
    .expect("write");
    match std::process::Command::new("pspp")
        .args(["-O", "format=csv", "check.sps"])
        .current_dir(&dir)
        .output()
    {
        Ok(out) => {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && !stdout.contains("error"),
                "{stdout}"
            );
            let valid = rows.len() - missing;
            assert!(
                stdout.contains(&format!("(shared_with),{valid},")),
                "PSPP counts {valid} answers of shared_with:\n{stdout}"
            );
            assert!(stdout.contains("Heroin"), "{stdout}");
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("note: pspp is not installed, so PSPP was not run (scripts/test installs it)");
        }
        Err(e) => panic!("pspp: {e}"),
    }
}

/// Writes every file of the zip under `dir` and returns them as text.
fn unzip(zip_bytes: &[u8], dir: &std::path::Path) -> HashMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a zip");
    let mut out = HashMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).expect("entry");
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).expect("bytes");
        let name = f.name().expect("name").into_owned();
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(&path, &bytes).expect("write");
        out.insert(name, String::from_utf8_lossy(&bytes).into_owned());
    }
    out
}
