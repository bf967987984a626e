//! Researcher exports: the approval workflow, who may download, k-anonymity and ℓ-diversity
//! recomputed from the files, no free text, fresh ids and order, and tamper-evident signatures.

use crate::helpers::{get, post, TestApp, BIN};
use crate::org_client::{add_account, api_key, OrgClient};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::io::Read;

const CANARY: &str = "CANARY-free-text-7d1e";

/// A closed demo survey with `n` varied responses (ages, genders, areas; some free text).
fn closed_demo(app: &TestApp, n: usize) {
    let genders = ["woman", "man"];
    let areas = ["harbour", "old_town", "station", "market", "riverside"];
    let drugs = ["heroin", "cannabis", "alcohol", "crack"];
    for (i, code) in app.issue_codes("demo", n).iter().enumerate() {
        let answers = json!({
            "consent": "yes",
            "age": 18 + (i * 13) % 60,
            "gender": genders[i % 2],
            "area": areas[(i / 2) % areas.len()],
            "drugs_3m": [drugs[i % 4], drugs[(i + 1) % 4]],
            "injected_3m": if i % 3 == 0 { "yes" } else { "no" },
            "overdose_witnessed": if (i / 3) % 2 == 0 { "yes" } else { "no" },
            "anything_else": CANARY,
        });
        assert_eq!(app.submit("demo", code, &answers).0, 201);
    }
    let (ok, _, stderr) = app.cli(&["survey", "close", "demo"]);
    assert!(ok, "{stderr}");
}

fn bearer(key: &str) -> (&'static str, String) {
    ("Authorization", format!("Bearer {key}"))
}

pub(crate) fn download(app: &TestApp, id: &str, key: &str) -> (u16, Vec<u8>) {
    match ureq::get(&app.url(&format!("/api/v1/exports/{id}/bundle")))
        .set("Authorization", &format!("Bearer {key}"))
        .call()
    {
        Ok(r) => {
            let status = r.status();
            let mut bytes = Vec::new();
            r.into_reader().read_to_end(&mut bytes).expect("bytes");
            (status, bytes)
        }
        Err(ureq::Error::Status(s, _)) => (s, Vec::new()),
        Err(e) => panic!("{e}"),
    }
}

pub(crate) fn files(zip_bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read");
            (f.name().expect("name").into_owned(), bytes)
        })
        .collect()
}

/// The organiser (by API key) approves request `id`: status and body.
fn approve(app: &TestApp, organiser: &str, id: &str) -> (u16, String) {
    post(
        &app.url(&format!("/api/v1/exports/{id}/approve")),
        "",
        &[("Authorization", &format!("Bearer {organiser}"))],
    )
}

/// Sets up a researcher with an approved request; returns (researcher key, request id).
fn approved(app: &TestApp) -> (String, String, String) {
    add_account(app, "rita", "researcher");
    add_account(app, "maria", "organiser");
    let researcher = api_key(app, "rita");
    let organiser = api_key(app, "maria");
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/exports"),
        r#"{"purpose": "Naloxone access study"}"#,
        &[(bearer(&researcher).0, &bearer(&researcher).1)],
    );
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    (researcher, organiser, id)
}

#[test]
fn an_export_needs_a_closed_survey_a_request_and_an_approval() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    add_account(&app, "rita", "researcher");
    let researcher = api_key(&app, "rita");
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/exports"),
        r#"{"purpose": "x"}"#,
        &[("Authorization", &format!("Bearer {researcher}"))],
    );
    assert_eq!(status, 409, "an open survey cannot be exported: {body}");
    closed_demo(&app, 120);
    let (researcher, organiser, id) = {
        add_account(&app, "maria", "organiser");
        let organiser = api_key(&app, "maria");
        let (status, body) = post(
            &app.url("/api/v1/surveys/demo/exports"),
            r#"{"purpose": "Naloxone access study"}"#,
            &[("Authorization", &format!("Bearer {researcher}"))],
        );
        assert_eq!(status, 201, "{body}");
        let id = serde_json::from_str::<Value>(&body).expect("json")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        (researcher, organiser, id)
    };
    // Not approved yet: no download. Organisers never download microdata. Anonymous: nothing.
    assert_eq!(download(&app, &id, &researcher).0, 403);
    assert_eq!(download(&app, &id, &organiser).0, 403);
    assert_eq!(
        get(&app.url(&format!("/api/v1/exports/{id}/bundle"))).0,
        401
    );
    let (status, _) = post(
        &app.url(&format!("/api/v1/exports/{id}/approve")),
        "",
        &[("Authorization", &format!("Bearer {researcher}"))],
    );
    assert_eq!(status, 403, "a researcher cannot approve");
    let (status, body) = post(
        &app.url(&format!("/api/v1/exports/{id}/approve")),
        "",
        &[("Authorization", &format!("Bearer {organiser}"))],
    );
    assert_eq!(status, 200, "{body}");
    let (status, zip) = download(&app, &id, &researcher);
    assert_eq!(status, 200);
    let names: HashSet<String> = files(&zip).into_keys().collect();
    for name in [
        "data.csv",
        "codebook.csv",
        "load.R",
        "load.do",
        "load.sps",
        "codebook.xml",
        "manifest.json",
        "manifest.sig",
        "public-key.pem",
    ] {
        assert!(names.contains(name), "{name} missing");
    }
    // Another researcher cannot use this approval.
    add_account(&app, "otto", "researcher");
    let other = api_key(&app, "otto");
    assert_eq!(download(&app, &id, &other).0, 404);
    // The workspace pages follow the same rules.
    let org = OrgClient::log_in_existing(&app, "maria");
    assert_eq!(
        org.get(&format!("/org/research/exports/{id}/download"))
            .status,
        403
    );
    assert_eq!(
        OrgClient::anonymous(&app)
            .get(&format!("/org/research/exports/{id}/download"))
            .status,
        303
    );
    let audit = org.get("/org/audit");
    for action in ["request export", "approve export", "download export"] {
        assert!(audit.html.contains(action), "{action} not audited");
    }
}

/// A shredded survey has nothing to export: it cannot be asked for, an open request for it
/// cannot be approved (only declined), and the research page no longer offers it.
#[test]
fn a_shredded_survey_can_neither_be_asked_for_nor_approved() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    closed_demo(&app, 40);
    let (researcher, organiser, id) = approved(&app);
    let (ok, _, said) = app.cli(&["survey", "shred", "demo"]);
    assert!(ok, "{said}");
    let (status, body) = post(
        &app.url(&format!("/api/v1/exports/{id}/approve")),
        "",
        &[("Authorization", bearer(&organiser).1.as_str())],
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("shredded"), "{body}");
    assert_eq!(download(&app, &id, &researcher).0, 403);
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/exports"),
        r#"{"purpose": "Naloxone access study"}"#,
        &[("Authorization", bearer(&researcher).1.as_str())],
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("shredded"), "{body}");
    let rita = OrgClient::log_in_existing(&app, "rita");
    let page = rita.get("/org/research");
    assert_eq!(page.status, 200);
    assert!(
        !page.html.contains("<option value=\"demo\""),
        "the research page still offers the shredded survey: {}",
        page.html
    );
}

#[test]
fn exported_rows_are_k_anonymous_and_l_diverse_recomputed_from_the_csv() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    closed_demo(&app, 200);
    let (researcher, organiser, id) = approved(&app);
    assert_eq!(
        post(
            &app.url(&format!("/api/v1/exports/{id}/approve")),
            "",
            &[("Authorization", &format!("Bearer {organiser}"))]
        )
        .0,
        200
    );
    let (_, zip) = download(&app, &id, &researcher);
    let files = files(&zip);
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).expect("manifest");
    let k = manifest["k_requested"].as_u64().expect("k") as usize;
    let withheld: Vec<&str> = manifest["withheld_columns"]
        .as_array()
        .expect("withheld")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        withheld.contains(&"drugs_3m.fentanyl"),
        "a sensitive item nobody chose cannot be diverse and is left out: {withheld:?}"
    );
    assert!(k >= 10);
    let mut codebook = csv::Reader::from_reader(files["codebook.csv"].as_slice());
    let roles: HashMap<String, String> = codebook
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[0].to_owned(), r[2].to_owned())
        })
        .collect();
    let mut data = csv::Reader::from_reader(files["data.csv"].as_slice());
    let header: Vec<String> = data
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let quasi: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| roles.get(*h).map(String::as_str) == Some("quasi"))
        .map(|(i, _)| i)
        .collect();
    let sensitive: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| roles.get(*h).map(String::as_str) == Some("sensitive"))
        .map(|(i, _)| i)
        .collect();
    assert!(
        quasi.len() >= 3,
        "age, gender and area are quasi-identifiers: {header:?}"
    );
    assert!(!sensitive.is_empty());
    let rows: Vec<csv::StringRecord> = data.records().map(|r| r.expect("row")).collect();
    let suppressed = manifest["records_suppressed"].as_u64().expect("suppressed") as usize;
    assert_eq!(rows.len() + suppressed, 200);
    assert!(suppressed * 20 <= 200, "at most 5% of records suppressed");
    let mut classes: HashMap<Vec<String>, Vec<&csv::StringRecord>> = HashMap::new();
    for row in &rows {
        classes
            .entry(quasi.iter().map(|&i| row[i].to_owned()).collect())
            .or_default()
            .push(row);
    }
    for (key, members) in &classes {
        assert!(
            members.len() >= k,
            "class {key:?} has {} rows",
            members.len()
        );
        for &s in &sensitive {
            let distinct: HashSet<&str> = members.iter().map(|r| &r[s]).collect();
            assert!(
                distinct.len() >= 2,
                "{} is not 2-diverse in class {key:?}",
                header[s]
            );
        }
    }
    for (name, bytes) in &files {
        assert!(
            !String::from_utf8_lossy(bytes).contains(CANARY),
            "free text in {name}"
        );
    }
    assert!(!header.iter().any(|h| h.contains("anything_else")));
    assert!(!header.iter().any(|h| withheld.contains(&h.as_str())));
    let load_r = String::from_utf8_lossy(&files["load.R"]).into_owned();
    assert!(
        load_r.contains("read.csv(\"data.csv\"") && load_r.contains("factor("),
        "{load_r}"
    );
}

#[test]
fn two_exports_share_no_row_id_and_differ_in_order() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    closed_demo(&app, 150);
    let out = app.dir.path().join("a.zip");
    let out2 = app.dir.path().join("b.zip");
    assert!(
        app.cli(&["export", "demo", "--out", out.to_str().expect("path")])
            .0
    );
    let mut app = app;
    app.stop();
    let (ok, _, stderr) = app.cli(&["export", "demo", "--out", out2.to_str().expect("path")]);
    assert!(ok, "exports work with the server stopped too: {stderr}");
    let read = |p: &std::path::Path| {
        let f = files(&std::fs::read(p).expect("zip"));
        let mut reader = csv::Reader::from_reader(f["data.csv"].as_slice());
        reader
            .records()
            .map(|r| {
                r.expect("row")
                    .iter()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (read(&out), read(&out2));
    assert_eq!(a.len(), b.len());
    let ids_a: HashSet<&String> = a.iter().map(|r| &r[0]).collect();
    assert!(
        b.iter().all(|r| !ids_a.contains(&r[0])),
        "no row id repeats"
    );
    let strip = |rows: &Vec<Vec<String>>| rows.iter().map(|r| r[1..].to_vec()).collect::<Vec<_>>();
    assert_ne!(strip(&a), strip(&b), "the row order differs");
    let mut sa = strip(&a);
    let mut sb = strip(&b);
    sa.sort();
    sb.sort();
    assert_eq!(sa, sb, "the same data");
}

#[test]
fn verify_export_accepts_the_bundle_and_refuses_any_tampering() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    closed_demo(&app, 120);
    let out = app.dir.path().join("export.zip");
    assert!(
        app.cli(&["export", "demo", "--out", out.to_str().expect("path")])
            .0
    );
    let verify = |path: &std::path::Path| {
        std::process::Command::new(BIN)
            .arg("verify-export")
            .arg(path)
            .env_remove("CHORUS_CONFIG")
            .output()
            .expect("verify")
    };
    let ok = verify(&out);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let printed = String::from_utf8_lossy(&ok.stdout).into_owned();
    let fingerprint = printed
        .lines()
        .find_map(|l| l.strip_prefix("signed by the key with fingerprint: "))
        .expect("fingerprint")
        .to_owned();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    assert!(
        org.get("/org/exports").html.contains(&fingerprint),
        "the workspace shows the same fingerprint"
    );

    // Re-zip with one byte of data.csv changed: refused.
    let original = files(&std::fs::read(&out).expect("zip"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in &original {
        let mut bytes = bytes.clone();
        if name == "data.csv" {
            let last = bytes.len() - 2;
            bytes[last] = if bytes[last] == b'1' { b'2' } else { b'1' };
        }
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("start");
        std::io::Write::write_all(&mut zip, &bytes).expect("write");
    }
    let tampered = app.dir.path().join("tampered.zip");
    std::fs::write(&tampered, zip.finish().expect("finish").into_inner()).expect("write");
    let refused = verify(&tampered);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("data.csv"));

    // Standard tools agree: openssl checks the manifest signature with the bundled public key.
    let dir = app.dir.path().join("unzipped");
    std::fs::create_dir_all(&dir).expect("dir");
    for (name, bytes) in &original {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
    if let Ok(out) = std::process::Command::new("openssl")
        .current_dir(&dir)
        .args([
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "public-key.pem",
            "-rawin",
            "-in",
            "manifest.json",
            "-sigfile",
            "manifest.sig",
        ])
        .output()
    {
        assert!(
            out.status.success(),
            "openssl: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Once a survey has been exported, the settings that shape an export stay as they were: a
/// second bundle of the same people under another generalisation, matched row by row with
/// the first, would split its groups into groups of one (an outside review did so by raising k
/// on the closed survey and downloading the same request again).
#[test]
fn an_exported_survey_keeps_the_settings_that_shape_its_exports() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    closed_demo(&app, 120);
    let demo = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/surveys/demo.toml"))
        .expect("demo");
    let stricter = demo.replace("k_anonymity = 10", "k_anonymity = 12");
    let path = app.dir.path().join("demo-k12.toml");
    std::fs::write(&path, &stricter).expect("write");
    let import = || app.cli(&["survey", "import", path.to_str().expect("path")]);
    let (researcher, organiser, id) = approved(&app);
    let (status, body) = approve(&app, &organiser, &id);
    assert_eq!(status, 200, "{body}");
    let (status, first) = download(&app, &id, &researcher);
    assert_eq!(status, 200);
    let (ok, _, stderr) = import();
    assert!(!ok, "k changed after an export");
    assert!(stderr.contains("has been exported"), "{stderr}");
    let grouped = demo.replacen("role = \"quasi\"", "role = \"sensitive\"", 1);
    std::fs::write(&path, &grouped).expect("write");
    assert!(!import().0, "a role changed after an export");
    let (status, again) = download(&app, &id, &researcher);
    assert_eq!(status, 200);
    let csv = |zip: &[u8]| {
        let mut rows: Vec<Vec<String>> =
            csv::Reader::from_reader(files(zip)["data.csv"].as_slice())
                .records()
                .map(|r| r.expect("row").iter().skip(1).map(str::to_owned).collect())
                .collect();
        rows.sort();
        rows
    };
    assert_eq!(
        csv(&first),
        csv(&again),
        "the same generalisation, every download"
    );
    // Wording may still change.
    let reworded = demo.replacen("title = \"", "title = \"Our ", 1);
    std::fs::write(&path, &reworded).expect("write");
    let (ok, _, stderr) = import();
    assert!(ok, "{stderr}");
}

/// A request no export can satisfy (fewer responses than k) is not approved: the organiser is
/// told why, the request stays undecided, and the exact number of responses is not said.
#[test]
fn a_request_no_export_can_satisfy_is_not_approved() {
    let app = TestApp::spawn();
    closed_demo(&app, 7);
    let (researcher, organiser, id) = approved(&app);
    let (status, body) = approve(&app, &organiser, &id);
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("fewer responses than k = 10"), "{body}");
    assert!(!body.contains(" 7 "), "{body}");
    assert_eq!(download(&app, &id, &researcher).0, 403, "not approved");
}

/// "Ask for the data" pressed twice is one request, and a refused request keeps what the
/// researcher typed.
#[test]
fn a_request_sent_twice_is_one_request_and_a_refused_one_keeps_its_purpose() {
    let app = TestApp::spawn();
    let rita = OrgClient::log_in(&app, "rita", "researcher");
    let typed = "Naloxone access over the winter";
    closed_demo(&app, 3);
    let refused = rita.post(
        "/org/research",
        "/org/research/requests",
        &[("survey", "no-such-survey"), ("purpose", typed)],
    );
    assert_eq!(refused.status, 404, "{}", refused.html);
    assert!(refused.html.contains(typed), "the typed purpose is kept");
    for _ in 0..2 {
        let sent = rita.post(
            "/org/research",
            "/org/research/requests",
            &[("survey", "demo"), ("purpose", typed)],
        );
        assert_eq!(sent.status, 303, "{}", sent.html);
    }
    let page = rita.get("/org/research").html;
    assert_eq!(page.matches("<tr><td>demo</td>").count(), 1, "{page}");
}

/// A researcher whose account is removed leaves no request waiting for an approval nobody could
/// use: it is declined, the operator is told, and the audit log says why.
#[test]
fn removing_a_researcher_declines_their_open_requests() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    closed_demo(&app, 40);
    let (_, organiser, id) = approved(&app);
    let (ok, _, said) = app.cli(&["user", "remove", "rita"]);
    assert!(ok, "{said}");
    assert!(
        said.contains("its open export request was declined"),
        "{said}"
    );
    let (status, body) = crate::helpers::api_get(
        &app,
        &format!("/api/v1/exports/{id}"),
        &format!("Bearer {organiser}"),
    );
    assert_eq!(status, 200, "{body}");
    let request: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(request["state"], "declined", "{body}");
    let (status, body) = approve(&app, &organiser, &id);
    assert_eq!(status, 409, "{body}");
    let audit = OrgClient::log_in_existing(&app, "maria")
        .get("/org/audit")
        .html;
    assert!(audit.contains("account removed"), "{audit}");
}
