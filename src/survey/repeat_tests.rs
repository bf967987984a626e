//! Repeating pages: one block of questions per instance, up to a maximum count.

use serde_json::json;

use super::tests::{assert_error_at, parses};
use super::{answers, Answer, Response};

fn survey(repeat: &str, extra: &str) -> String {
    format!(
        r#"id = "t"
title = "T"
languages = ["en", "es"]

[[pages]]
title = "Count"

  [[pages.questions]]
  id = "n_drugs"
  type = "number"
  role = "sensitive"
  min = 0
  max = 3
  text = "How many drugs did you inject in the last month?"

[[pages]]
id = "drug"
title = {{ en = "One drug", es = "Una droga" }}
{repeat}

  [[pages.questions]]
  id = "drug"
  type = "single"
  role = "sensitive"
  text = "Which drug?"
  options = [{{ id = "heroin", text = "Heroin" }}, {{ id = "meth", text = "Meth" }}]

  [[pages.questions]]
  id = "shared"
  type = "single"
  role = "sensitive"
  show_if = "drug == 'heroin'"
  text = "Did you share equipment with it?"
  options = [{{ id = "yes", text = "Yes" }}, {{ id = "no", text = "No" }}]
{extra}"#
    )
}

const REPEAT: &str = r#"repeat = { id = "inj", max = 3, count = "n_drugs" }"#;

#[test]
fn a_repeating_page_is_read_once_per_instance_with_its_own_ids() {
    let s = parses(&survey(REPEAT, ""));
    let pages: Vec<&str> = s.pages().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(pages, ["page1", "drug-1", "drug-2", "drug-3"]);
    assert_eq!(s.pages()[2].title.get("es"), "Una droga (2)");
    let q = s.question("inj_2__shared").expect("instance 2's question");
    let of = q.instance.as_ref().expect("knows its instance");
    assert_eq!(
        (of.group.as_str(), of.number, of.question.as_str()),
        ("inj", 2, "shared")
    );
    // Its condition names the same instance's question.
    assert_eq!(
        q.show_if.as_ref().map(|c| c.source()),
        Some("inj_2__drug == 'heroin'")
    );
}

fn answered(s: &super::Survey, v: serde_json::Value) -> Response {
    answers::parse(s, v.as_object().expect("object")).expect("valid")
}

#[test]
fn an_instance_is_asked_only_up_to_the_count() {
    let s = parses(&survey(REPEAT, ""));
    let r = answered(&s, json!({ "n_drugs": 2 }));
    assert!(s.page_visible(1, &r) && s.page_visible(2, &r));
    assert!(!s.page_visible(3, &r), "a third instance is not asked");
    let r = answered(
        &s,
        json!({ "n_drugs": 1, "inj_1__drug": "heroin", "inj_1__shared": "no" }),
    );
    assert_eq!(r.get("inj_1__shared"), Some(&Answer::Choice("no".into())));
    let refused = answers::parse(
        &s,
        json!({ "n_drugs": 1, "inj_1__drug": "heroin", "inj_2__drug": "meth" })
            .as_object()
            .expect("object"),
    )
    .expect_err("an instance past the count is not asked");
    assert_eq!(refused[0].question.as_deref(), Some("inj_2__drug"));
}

#[test]
fn the_count_must_be_a_number_on_an_earlier_page_within_the_maximum() {
    let src = survey(r#"repeat = { id = "inj", max = 2, count = "n_drugs" }"#, "");
    assert_error_at(
        &src,
        "repeat = {",
        "allows up to 3, more than the 2 instances",
    );
    let src = survey(r#"repeat = { id = "inj", max = 3, count = "nope" }"#, "");
    assert_error_at(
        &src,
        "repeat = {",
        "'count' must name a number question on an earlier page",
    );
    let src = survey(
        r#"repeat = { id = "inj", max = 30, count = "n_drugs" }"#,
        "",
    );
    assert_error_at(&src, "repeat = {", "'max' must be between 1 and 20");
    let src = survey(r#"repeat = { id = "inj", count = "n_drugs" }"#, "");
    assert_error_at(&src, "repeat = {", "missing key 'max'");
    let src = survey(
        r#"repeat = { id = "inj2", max = 3, count = "n_drugs" }"#,
        "",
    );
    assert_error_at(&src, "repeat = {", "'id' must be lowercase letters");
}

#[test]
fn a_question_on_a_repeating_page_cannot_end_the_survey() {
    let src = survey(REPEAT, "  end_if = \"shared == 'yes'\"\n");
    assert_error_at(
        &src,
        "end_if =",
        "a question on a repeating page can't have 'end_if'",
    );
}

#[test]
fn renaming_leaves_quoted_values_and_other_questions_alone() {
    let ids = ["drug".to_owned(), "route".to_owned()]
        .into_iter()
        .collect();
    assert_eq!(
        super::build::rename_for_tests(
            "drug == 'drug' and age > 25 or route in [\"route\"]",
            &ids,
            "g_1__"
        ),
        "g_1__drug == 'drug' and age > 25 or g_1__route in [\"route\"]"
    );
}

#[test]
fn a_question_on_a_repeating_page_cannot_be_a_quasi_identifier() {
    let src = survey(REPEAT, "").replace(
        "  id = \"shared\"\n  type = \"single\"\n  role = \"sensitive\"",
        "  id = \"shared\"\n  type = \"single\"\n  role = \"quasi\"",
    );
    assert_error_at(&src, "role = \"quasi\"", "can't be a quasi-identifier");
}

#[test]
fn the_public_definition_says_which_instance_a_question_belongs_to() {
    let s = parses(&survey(REPEAT, ""));
    let public = s.public_json();
    let text = public.to_string();
    assert!(
        text.contains(r#""instance_of":{"group":"inj","number":2,"question":"drug"}"#),
        "{text}"
    );
}

/// A second repeating page after `drug`: one more page per drug, naming the first page's
/// questions by their own names.
const SECOND_PAGE: &str = r#"
[[pages]]
id = "use"
title = "How you used it"
repeat = { id = "how", max = 3, count = "n_drugs" }
show_if = "drug != 'meth'"

  [[pages.questions]]
  id = "route"
  type = "single"
  role = "sensitive"
  text = { en = "How did you use {answer:drug|it}?", es = "¿Cómo usaste {answer:drug|eso}?" }
  help = "About {answer:drug}, not the others."
  show_if = "shared == 'yes' or drug == 'heroin'"
  options = [{ id = "inject", text = "Inject" }, { id = "smoke", text = "Smoke" }]
"#;

#[test]
fn a_later_repeating_page_names_the_same_instance_of_an_earlier_one_in_piping_and_conditions() {
    let s = parses(&survey(REPEAT, SECOND_PAGE));
    let q = s
        .question("how_2__route")
        .expect("instance 2 of the second page");
    assert_eq!(q.text.get("en"), "How did you use {answer:inj_2__drug|it}?");
    assert_eq!(q.text.get("es"), "¿Cómo usaste {answer:inj_2__drug|eso}?");
    assert_eq!(
        q.help.as_ref().expect("help").get("en"),
        "About {answer:inj_2__drug}, not the others."
    );
    let shown = |answers: serde_json::Value| {
        let m = answers.as_object().expect("object").clone();
        let r = answers::parse_partial(&s, &m).0;
        let page = s
            .pages()
            .iter()
            .position(|p| p.id == "use-2")
            .expect("page use-2");
        (s.page_visible(page, &r), s.pipe(q.text.get("en"), &r, "en"))
    };
    let (visible, text) =
        shown(json!({"n_drugs": 2, "inj_1__drug": "meth", "inj_2__drug": "heroin"}));
    assert!(visible, "drug 2 is heroin");
    assert_eq!(text, "How did you use Heroin?");
    let (visible, _) = shown(json!({"n_drugs": 2, "inj_1__drug": "heroin", "inj_2__drug": "meth"}));
    assert!(!visible, "the page's condition names drug 2, not drug 1");
}

#[test]
fn piping_a_question_of_the_same_repeating_page_is_an_error_naming_the_instance() {
    let extra = r#"
  [[pages.questions]]
  id = "why"
  type = "single"
  role = "sensitive"
  text = "Why {answer:drug}?"
  options = [{ id = "a", text = "A" }]
"#;
    let errs = super::tests::errors(&survey(REPEAT, extra));
    let about: Vec<_> = errs
        .iter()
        .filter(|e| e.message.contains("is not on an earlier page"))
        .collect();
    assert_eq!(about.len(), 1, "reported once, not per instance: {errs:?}");
    assert!(
        about[0].message.contains("{answer:inj_1__drug}"),
        "{errs:?}"
    );
}

#[test]
fn the_count_of_a_repeating_page_cannot_be_a_quasi_identifier() {
    let src = survey(REPEAT, "").replace(
        "  id = \"n_drugs\"\n  type = \"number\"\n  role = \"sensitive\"",
        "  id = \"n_drugs\"\n  type = \"number\"\n  role = \"quasi\"\n  bands = [[0, 1], [2, 3]]",
    );
    assert_error_at(
        &src,
        "repeat = {",
        "the count question 'n_drugs' can't be a quasi-identifier",
    );
}

const OVER: &str = r#"id = "t"
title = "T"
languages = ["en", "es"]

[[pages]]
title = "Drugs"

  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  text = "Which did you inject?"
  options = [
    { id = "heroin", text = { en = "Heroin", es = "Heroína" } },
    { id = "meth", text = { en = "Meth", es = "Meta" } },
    { id = "none", text = "None", exclusive = true },
  ]

[[pages]]
id = "drug"
title = { en = "About {item}", es = "Sobre {item}" }
repeat = { id = "inj", over = "drugs" }

  [[pages.questions]]
  id = "days"
  type = "number"
  role = "sensitive"
  min = 1
  max = 31
  text = { en = "On how many days did you inject {item}?", es = "¿Cuántos días te inyectaste {item}?" }
"#;

#[test]
fn a_page_repeated_over_a_multi_select_is_asked_once_per_option_ticked_and_names_it() {
    let s = parses(OVER);
    let pages: Vec<&str> = s.pages().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        pages,
        ["page1", "drug-1", "drug-2"],
        "no instance for 'none'"
    );
    assert_eq!(s.pages()[1].title.get("es"), "Sobre Heroína");
    assert_eq!(s.pages()[2].title.get("en"), "About Meth");
    let days = s.question("inj_2__days").expect("instance 2");
    assert_eq!(days.text.get("es"), "¿Cuántos días te inyectaste Meta?");
    let shown = |v: serde_json::Value| {
        let r = answers::parse_partial(&s, v.as_object().expect("object")).0;
        (s.page_visible(1, &r), s.page_visible(2, &r))
    };
    assert_eq!(shown(json!({"drugs": ["meth"]})), (false, true));
    assert_eq!(shown(json!({"drugs": ["heroin", "meth"]})), (true, true));
    assert_eq!(shown(json!({"drugs": ["none"]})), (false, false));
    let errs = answers::parse(
        &s,
        json!({"drugs": ["meth"], "inj_1__days": 4})
            .as_object()
            .expect("object"),
    )
    .expect_err("heroin was not ticked");
    assert!(errs
        .iter()
        .any(|e| e.question.as_deref() == Some("inj_1__days")));
    let ok = answers::parse(
        &s,
        json!({"drugs": ["meth"], "inj_2__days": 4})
            .as_object()
            .expect("object"),
    )
    .expect("valid");
    assert_eq!(ok.get("inj_2__days"), Some(&Answer::Number(4)));
}

#[test]
fn a_page_can_only_repeat_over_a_multi_select_that_is_not_a_quasi_identifier() {
    let single = OVER
        .replace("type = \"multi\"", "type = \"single\"")
        .replace(", exclusive = true", "");
    assert_error_at(
        &single,
        "repeat = {",
        "'over' must name a multi-select question",
    );
    let quasi = OVER.replace(
        "type = \"multi\"\n  role = \"sensitive\"",
        "type = \"multi\"\n  role = \"quasi\"",
    );
    assert_error_at(
        &quasi,
        "repeat = {",
        "can't be a quasi-identifier to repeat over",
    );
    let both = OVER.replace(
        "over = \"drugs\" }",
        "over = \"drugs\", count = \"drugs\", max = 2 }",
    );
    assert_error_at(&both, "repeat = {", "leave out 'count' and 'max'");
}
