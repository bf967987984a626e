//! Every language a survey declares reaches peers: named in its own words, with `lang` and
//! `dir` on every page, the interface in the same language, and languages added by an
//! installation's `i18n_dir` without a rebuild.

use crate::forms::Page;
use crate::helpers::TestApp;

const THREE: &str = include_str!("../../surveys/three-languages.toml");

fn open_three(app: &TestApp) -> String {
    app.import(THREE);
    app.open_survey("three-languages");
    app.issue_codes("three-languages", 1).remove(0)
}

#[test]
fn a_swahili_peer_sees_no_english_from_landing_to_review() {
    let app = TestApp::spawn();
    let code = open_three(&app);
    let landing = Page::get(&app.url(&format!("/s/three-languages?code={code}&lang=sw")));
    assert!(landing.html.contains(r#"<html lang="sw" dir="ltr">"#));
    assert!(landing.html.contains(">Kiswahili</button>"));
    assert!(landing.html.contains(">العربية</button>"));
    assert!(landing.html.contains(">English</button>"));
    let first = landing.form("/s/three-languages/page").go("start");
    assert_eq!(first.h1(), "Kuhusu wewe");
    for english in [
        "Next",
        "Back",
        "Don't know",
        "Page 1",
        "Quick exit",
        "Privacy",
    ] {
        assert!(
            !first.html.contains(english),
            "English '{english}' on a Swahili page"
        );
    }
    assert!(first.html.contains("Sijui") && first.html.contains("Mbele"));
    let mut form = first.form("/s/three-languages/page");
    form.set("age", "30");
    let second = form.go("next");
    assert_eq!(second.h1(), "Huduma");
    let review = second.form("/s/three-languages/page").go("next");
    // The survey's own wording for one interface text wins.
    assert!(review.html.contains("Tuma majibu<"), "{}", review.html);
}

#[test]
fn an_arabic_page_reads_right_to_left_and_switching_language_keeps_the_answers() {
    let app = TestApp::spawn();
    let code = open_three(&app);
    let landing = Page::get(&app.url(&format!("/s/three-languages?code={code}&lang=ar")));
    assert!(landing.html.contains(r#"<html lang="ar" dir="rtl">"#));
    let first = landing.form("/s/three-languages/page").go("start");
    assert_eq!(first.h1(), "عنك");
    assert!(first.html.contains("التالي"));
    let mut form = first.form("/s/three-languages/page");
    form.set("age", "41");
    let switched = form.go("lang-sw");
    assert!(switched.html.contains(r#"<html lang="sw" dir="ltr">"#));
    assert_eq!(switched.h1(), "Kuhusu wewe");
    assert!(switched.html.contains(r#"value="41""#), "{}", switched.html);
}

#[test]
fn the_code_entry_page_and_privacy_notice_offer_every_declared_language() {
    let app = TestApp::spawn();
    open_three(&app);
    let home = Page::get(&app.url("/"));
    assert!(home.html.contains(">Kiswahili</a>") && home.html.contains(">العربية</a>"));
    let privacy = Page::get(&app.url("/privacy?lang=ar"));
    assert!(privacy.html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(privacy.html.contains("الخصوصية"));
}

#[test]
fn a_language_from_the_installation_folder_works_without_a_rebuild() {
    let folder = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        folder.path().join("fa.toml"),
        "review = \"بررسی\"\nstart = \"شروع\"\n",
    )
    .expect("write fa.toml");
    let app = TestApp::spawn_with(&[(
        "CHORUS_I18N_DIR",
        folder.path().to_str().expect("utf-8 path"),
    )]);
    app.import(
        r#"id = "farsi"
title = { en = "Farsi", fa = "فارسی" }
languages = ["en", "fa"]
[[pages]]
title = { en = "One", fa = "یک" }
  [[pages.questions]]
  id = "n"
  type = "number"
  role = "plain"
  min = 0
  max = 9
  text = { en = "A number", fa = "یک عدد" }
"#,
    );
    app.open_survey("farsi");
    let code = app.issue_codes("farsi", 1).remove(0);
    let landing = Page::get(&app.url(&format!("/s/farsi?code={code}&lang=fa")));
    assert!(landing.html.contains(r#"<html lang="fa" dir="rtl">"#));
    assert!(landing.html.contains("شروع"));
    assert!(landing.html.contains(">فارسی</button>"));
    let page = landing.form("/s/farsi/page").go("start");
    assert!(page.html.contains("بررسی"));
    // Not translated in fa.toml: the survey's default language.
    assert!(page.html.contains("Back"));
}

#[test]
fn arabic_and_swahili_pages_stay_within_14_kb_with_their_stylesheet() {
    let app = TestApp::spawn();
    let code = open_three(&app);
    let assets = crate::forms::compressed_get(&app.url("/static/chorus.css"))
        + crate::forms::compressed_get(&app.url("/static/chorus.js"));
    for lang in ["ar", "sw"] {
        let url = app.url(&format!("/s/three-languages?code={code}&lang={lang}"));
        let landing = crate::forms::compressed_get(&url);
        let first = Page::get(&url)
            .form("/s/three-languages/page")
            .compressed_size(Some(("_go", "start")), None);
        for (what, weight) in [("landing", landing), ("first page", first)] {
            assert!(
                weight + assets <= 14 * 1024,
                "{lang} {what}: {} bytes",
                weight + assets
            );
        }
    }
}

/// Fills every empty translation of a sheet with `fill(key)`.
fn filled(sheet: &str, fill: impl Fn(&str) -> String) -> String {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(sheet.as_bytes());
    let mut out = csv::Writer::from_writer(Vec::new());
    for (i, record) in reader.records().enumerate() {
        let record = record.expect("a row");
        let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if i > 0 && cells[2].is_empty() {
            cells[2] = fill(&cells[0]);
        }
        out.write_record(&cells).expect("write");
    }
    String::from_utf8(out.into_inner().expect("flush")).expect("utf-8")
}

#[test]
fn a_survey_sheet_is_exported_and_taken_back_while_the_server_runs() {
    let app = TestApp::spawn();
    let code = open_three(&app);
    // A survey that already has answers takes a new language like any rewording.
    let other = app.issue_codes("three-languages", 1).remove(0);
    let answers = serde_json::json!({ "age": 30 });
    assert_eq!(app.submit("three-languages", &other, &answers).0, 201);
    let (ok, sheet, stderr) = app.cli(&["i18n", "export", "fr", "--survey", "three-languages"]);
    assert!(ok, "export while serving: {stderr}");
    let header = csv::Reader::from_reader(sheet.as_bytes())
        .headers()
        .expect("a header")
        .clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        ["key", "en", "fr"],
        "{sheet}"
    );
    let french = filled(&sheet, |key| match key {
        "survey.title" => "La naloxone, chez nous".into(),
        "page.about.title" => "À propos de vous".into(),
        other => format!("FR {other}"),
    });
    let path = app.data_dir().with_file_name("fr.csv");
    std::fs::write(&path, &french).expect("write sheet");
    let copy = app.data_dir().with_file_name("translated.toml");
    let (ok, _, stderr) = app.cli(&[
        "i18n",
        "import",
        path.to_str().expect("utf-8"),
        "--survey",
        "three-languages",
        "--write",
        copy.to_str().expect("utf-8"),
    ]);
    assert!(ok, "import while serving: {stderr}");
    assert!(
        stderr.contains("'fr' is now one of the survey's languages"),
        "{stderr}"
    );
    let kept = std::fs::read_to_string(&copy).expect("the translated definition");
    assert!(
        kept.starts_with("# Chorus example"),
        "comments survive: {kept}"
    );
    assert!(
        kept.contains(r#"languages = ["en", "sw", "ar", "fr"]"#),
        "{kept}"
    );
    // Peers see the new language at once, without a restart.
    let landing = Page::get(&app.url(&format!("/s/three-languages?code={code}&lang=fr")));
    assert!(landing.html.contains(r#"<html lang="fr" dir="ltr">"#));
    assert!(landing.html.contains(">Français</button>"));
    let first = landing.form("/s/three-languages/page").go("start");
    assert_eq!(first.h1(), "À propos de vous");
    // The sheet exported again is the sheet that was filled in, cell for cell.
    let (ok, again, _) = app.cli(&["i18n", "export", "fr", "--survey", "three-languages"]);
    assert!(ok);
    let cells = |sheet: &str| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(sheet.as_bytes())
            .records()
            .map(|r| r.expect("a row").iter().map(str::to_owned).collect())
            .collect()
    };
    assert_eq!(cells(&again), cells(&french));
}

#[test]
fn a_survey_sheet_with_rows_that_do_not_fit_changes_nothing_and_names_every_row() {
    let app = TestApp::spawn();
    open_three(&app);
    let before = crate::helpers::get(&app.url("/api/v1/surveys/three-languages")).1;
    let sheet = "key,en,fr\n\
                 survey.title,Naloxone in our community,La naloxone chez nous\n\
                 question.nope.text,Nope,Non\n\
                 question.age.text,How old were you?,Quel âge aviez-vous ?\n";
    let path = app.data_dir().with_file_name("bad.csv");
    std::fs::write(&path, sheet).expect("write sheet");
    let (ok, _, stderr) = app.cli(&[
        "i18n",
        "import",
        path.to_str().expect("utf-8"),
        "--survey",
        "three-languages",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("row 3: 'question.nope.text' is not a text"),
        "{stderr}"
    );
    assert!(
        stderr.contains("row 4:") && stderr.contains("stale"),
        "{stderr}"
    );
    assert!(!stderr.contains("row 2:"), "{stderr}");
    let after = crate::helpers::get(&app.url("/api/v1/surveys/three-languages")).1;
    assert_eq!(before, after, "nothing changed");
    // Without --survey, a survey's sheet is not mistaken for interface texts.
    let (ok, _, stderr) = app.cli(&["i18n", "import", path.to_str().expect("utf-8")]);
    assert!(!ok && stderr.contains("--survey"), "{stderr}");
}

/// An organiser closes a survey while a peer is answering in Spanish on a phone set to English:
/// the next page, or sending, says it is closed in the language the peer chose, which the form
/// carries — not in the phone's.
#[test]
fn a_survey_closed_mid_answer_says_so_in_the_language_the_peer_chose() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    assert!(app.cli(&["survey", "close", "demo"]).0);
    let english_phone = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Accept-Language", "en-GB,en;q=0.9"),
    ];
    for path in ["/s/demo/page", "/s/demo/submit"] {
        let body = format!("_code={code}&_lang=es&_go=next&_page=1&consent=yes");
        let (status, html) = crate::helpers::post(&app.url(path), &body, &english_phone);
        assert_eq!(status, 410, "{path}: {html}");
        assert!(
            html.contains("Esta encuesta está cerrada"),
            "{path}: {html}"
        );
        assert!(html.contains(r#"<html lang="es""#), "{path}: {html}");
    }
    // Without a choice in the form, the phone's language.
    let (status, html) = crate::helpers::post(&app.url("/s/demo/page"), "_go=next", &english_phone);
    assert_eq!(status, 410);
    assert!(html.contains("This survey is closed"), "{html}");
}

/// Language tags as BCP 47 usually writes them (`fr-CA`) are the same tags in lower case: a
/// definition written that way imports, and its French pages are served.
#[test]
fn a_language_tag_in_the_usual_casing_is_accepted() {
    let app = TestApp::spawn();
    app.import(
        r#"
id = "canada"
title = { en = "Canada", fr-CA = "Canada (fr)" }
languages = ["en", "fr-CA"]
[[pages]]
title = { en = "One", fr-CA = "Un" }
  [[pages.questions]]
  id = "q"
  type = "single"
  role = "plain"
  text = { en = "Yes or no?", fr-CA = "Oui ou non ?" }
  options = [ { id = "y", text = { en = "Yes", fr-CA = "Oui" } }, { id = "n", text = { en = "No", fr-CA = "Non" } } ]
"#,
    );
    app.open_survey("canada");
    let code = app.issue_codes("canada", 1).remove(0);
    let page = ureq::post(&app.url("/s/canada/page"))
        .send_form(&[
            ("_code", code.as_str()),
            ("_lang", "fr-ca"),
            ("_go", "start"),
        ])
        .expect("first page")
        .into_string()
        .expect("html");
    assert!(page.contains("Oui ou non"), "{page}");
    assert!(page.contains("lang=\"fr-ca\""), "{page}");
}
