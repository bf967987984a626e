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
