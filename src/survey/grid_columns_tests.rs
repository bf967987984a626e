//! Grids with typed columns: one question per row × column.

use serde_json::json;

use super::tests::{assert_error_at, errors, one_page, parses};
use super::{answers, Answer, NonAnswer, QuestionKind, Role};

const DRUG_DAYS: &str = r#"
  [[pages.questions]]
  id = "use28"
  type = "grid"
  role = "sensitive"
  text = { en = "For each drug, in the last 4 weeks", es = "Para cada droga, en las últimas 4 semanas" }
  rows = [
    { id = "heroin", text = { en = "Heroin", es = "Heroína" } },
    { id = "meth", text = { en = "Methamphetamine", es = "Metanfetamina" } },
  ]
  columns = [
    { id = "days", kind = "number", min = 0, max = 28, bands = [[0, 0], [1, 7], [8, 28]], text = { en = "Days used", es = "Días de uso" } },
    { id = "route", kind = "single", text = { en = "Usual route", es = "Vía habitual" }, options = [{ id = "inject", text = "Inject" }, { id = "smoke", text = "Smoke" }] },
  ]
"#;

#[test]
fn a_grid_with_columns_becomes_one_question_per_row_and_column() {
    let s = parses(&one_page(DRUG_DAYS));
    let ids: Vec<&str> = s.questions().map(|q| q.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "use28__heroin__days",
            "use28__heroin__route",
            "use28__meth__days",
            "use28__meth__route"
        ]
    );
    let days = s.question("use28__meth__days").expect("a cell");
    assert!(matches!(
        days.kind,
        QuestionKind::Number { min: 0, max: 28, ref bands, .. } if bands.len() == 3
    ));
    assert_eq!(days.role, Some(Role::Sensitive));
    assert_eq!(days.text.get("es"), "Metanfetamina — Días de uso");
    let cell = days.cell.as_ref().expect("knows its grid");
    assert_eq!(
        (cell.grid.as_str(), cell.row.as_str(), cell.column.as_str()),
        ("use28", "meth", "days")
    );
    assert!(matches!(
        s.question("use28__heroin__route").map(|q| &q.kind),
        Some(QuestionKind::Single { options, .. }) if options.len() == 2
    ));
}

#[test]
fn each_cell_is_answered_and_checked_on_its_own_with_its_own_non_answers() {
    let s = parses(&one_page(DRUG_DAYS));
    let r = answers::parse(
        &s,
        json!({ "use28__heroin__days": 12, "use28__heroin__route": "smoke", "use28__meth__days": "prefer_not_to_say" })
            .as_object()
            .expect("object"),
    )
    .expect("valid cells");
    assert_eq!(r.get("use28__heroin__days"), Some(&Answer::Number(12)));
    assert_eq!(
        r.get("use28__meth__days"),
        Some(&Answer::NonAnswer(NonAnswer::PreferNotToSay))
    );
    let errs = answers::parse(
        &s,
        json!({ "use28__heroin__days": 29, "use28__meth__route": "snort" })
            .as_object()
            .expect("object"),
    )
    .expect_err("out of range and not an option");
    let named: Vec<&str> = errs.iter().filter_map(|e| e.question.as_deref()).collect();
    assert!(named.contains(&"use28__heroin__days") && named.contains(&"use28__meth__route"));
}

#[test]
fn a_text_column_holds_free_text_whatever_the_grid_role() {
    let src = one_page(
        r#"
  [[pages.questions]]
  id = "meds"
  type = "grid"
  role = "sensitive"
  text = "Medicines"
  rows = [{ id = "first", text = "First" }]
  columns = [{ id = "name", kind = "text", max_length = 80, text = "Name" }, { id = "doses", kind = "number", min = 0, max = 10, text = "Doses a day" }]
"#,
    );
    let s = parses(&src);
    assert_eq!(
        s.question("meds__first__name").and_then(|q| q.role),
        Some(Role::FreeText)
    );
    assert_eq!(
        s.question("meds__first__doses").and_then(|q| q.role),
        Some(Role::Sensitive)
    );
}

#[test]
fn a_column_without_a_known_kind_is_rejected_naming_the_key() {
    let src = one_page(&DRUG_DAYS.replace("kind = \"single\"", "kind = \"grid\""));
    assert_error_at(
        &src,
        "id = \"route\"",
        "column 'route': unknown kind 'grid'",
    );
    let src = one_page(&DRUG_DAYS.replace("kind = \"single\", ", ""));
    assert_error_at(&src, "id = \"route\"", "column 'route': missing key 'kind'");
}

#[test]
fn a_column_error_names_the_cell_and_is_reported_once() {
    let src = one_page(&DRUG_DAYS.replace("min = 0, max = 28", "min = 30, max = 28"));
    let errs = errors(&src);
    let about_max: Vec<_> = errs
        .iter()
        .filter(|e| e.message.contains("max (28) is below min (30)"))
        .collect();
    assert_eq!(about_max.len(), 1, "{errs:?}");
    assert!(about_max[0].message.contains("use28__heroin__days"));
}

#[test]
fn shared_options_and_columns_together_are_rejected() {
    let src = one_page(&DRUG_DAYS.replace(
        "  columns = [",
        "  options = [{ id = \"a\", text = \"A\" }]\n  columns = [",
    ));
    assert_error_at(
        &src,
        "options = [{ id = \"a\"",
        "either one shared 'options' scale or typed 'columns'",
    );
}

#[test]
fn row_and_column_ids_must_fit_a_question_id() {
    let src = one_page(&DRUG_DAYS.replace("id = \"meth\"", "id = \"crystal-meth\""));
    assert_error_at(&src, "id = \"crystal-meth\"", "row 'crystal-meth': 'id'");
    let src = one_page(&DRUG_DAYS.replace("id = \"meth\"", "id = \"meth__x\""));
    assert_error_at(&src, "id = \"meth__x\"", "can't contain '__'");
    let long = "r".repeat(60);
    let src = one_page(&DRUG_DAYS.replace("id = \"meth\"", &format!("id = \"{long}\"")));
    assert_error_at(&src, "id = \"use28\"", "longer than 63 characters");
}

#[test]
fn a_grid_with_columns_cannot_end_the_survey_or_be_computed() {
    let src = one_page(&DRUG_DAYS.replace(
        "  role = \"sensitive\"\n",
        "  role = \"sensitive\"\n  end_if = \"use28__heroin__days > 0\"\n",
    ));
    assert_error_at(
        &src,
        "end_if =",
        "a grid with 'columns' can't have 'end_if'",
    );
}

#[test]
fn a_cell_can_be_named_in_a_later_condition() {
    let src = format!(
        "{}\n[[pages]]\ntitle = \"Two\"\n{}",
        one_page(DRUG_DAYS),
        r#"
  [[pages.questions]]
  id = "inject_help"
  type = "single"
  role = "sensitive"
  show_if = "use28__heroin__route == 'inject'"
  text = "Would you like sterile equipment?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]
"#
    );
    let s = parses(&src);
    assert!(s.question("inject_help").is_some());
}

#[test]
fn a_question_named_like_the_table_of_two_others_is_rejected() {
    let src = one_page(
        &(DRUG_DAYS.to_owned()
            + r#"
  [[pages.questions]]
  id = "use28__heroin"
  type = "number"
  role = "sensitive"
  min = 0
  max = 9
  text = "A"

  [[pages.questions]]
  id = "days"
  type = "number"
  role = "sensitive"
  min = 0
  max = 9
  text = "B"
"#),
    );
    assert_error_at(
        &src,
        "[[pages.questions]]",
        "question 'use28__heroin__days' has the name releases give the table of 'use28__heroin' by 'days'",
    );
}

#[test]
fn a_row_can_have_its_own_options_for_one_column() {
    let src = one_page(&DRUG_DAYS.replace(
        "{ id = \"heroin\", text = { en = \"Heroin\", es = \"Heroína\" } },",
        "{ id = \"heroin\", text = { en = \"Heroin\", es = \"Heroína\" }, route = { options = [{ id = \"inject\", text = \"Inject\" }, { id = \"chase\", text = \"Chase the dragon\" }] } },",
    ));
    let s = parses(&src);
    let ids = |q: &str| -> Vec<String> {
        s.question(q)
            .map(|q| q.kind.options().iter().map(|o| o.id.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(ids("use28__heroin__route"), ["inject", "chase"]);
    assert_eq!(ids("use28__meth__route"), ["inject", "smoke"]);
}

#[test]
fn a_rows_own_keys_are_checked_in_that_row_and_cannot_change_the_kind() {
    let src = one_page(&DRUG_DAYS.replace(
        "{ id = \"meth\", text = { en = \"Methamphetamine\", es = \"Metanfetamina\" } },",
        "{ id = \"meth\", text = { en = \"Methamphetamine\", es = \"Metanfetamina\" }, days = { kind = \"text\", max = 3 } },",
    ));
    assert_error_at(
        &src,
        "id = \"meth\"",
        "row 'meth': 'days': a row can't change a column's 'kind'",
    );
    let src = one_page(&DRUG_DAYS.replace(
        "{ id = \"meth\", text = { en = \"Methamphetamine\", es = \"Metanfetamina\" } },",
        "{ id = \"meth\", text = { en = \"Methamphetamine\", es = \"Metanfetamina\" }, days = { min = 50 } },",
    ));
    let errs = errors(&src);
    assert!(
        errs.iter().any(|e| e.message.contains("use28__meth__days")
            && e.message.contains("max (28) is below min (50)")),
        "the error names the row's cell: {errs:?}"
    );
}
