//! Tables for the kinds that came later: banded decimal numbers, and dates (with a month or a
//! day) on a repeating page.

use serde_json::{json, Value};

use super::tally;
use super::tests::{counts, pairs, response, table};
use crate::survey::{Response, Survey};

fn parse(toml: &str) -> Survey {
    Survey::parse(toml).unwrap_or_else(|e| panic!("test survey does not parse: {e}"))
}

fn tally_of(s: &Survey, people: Vec<Value>) -> super::Catalogue {
    let responses: Vec<Response> = people.into_iter().map(|v| response(s, v)).collect();
    tally(s, responses.iter().enumerate().map(|(i, r)| (i as u32, r)))
}

#[test]
fn a_banded_decimal_number_is_counted_in_its_bands_edges_included() {
    let s = parse(
        r#"
id = "d"
title = "D"

[[pages]]
title = "One"

  [[pages.questions]]
  id = "grams"
  type = "number"
  role = "sensitive"
  text = "How many grams?"
  min = 0
  max = 10
  step = 0.1
  bands = [[0, 0.9], [1, 3.5], [3.6, 10]]
"#,
    );
    let c = tally_of(
        &s,
        vec![
            json!({ "grams": "0" }),
            json!({ "grams": "0.9" }),
            json!({ "grams": "1" }),
            json!({ "grams": 3.5 }),
            json!({ "grams": "3.6" }),
            json!({ "grams": "10" }),
            json!({ "grams": "dont_know" }),
        ],
    );
    // The bands cover every step from 0 to 10, so there is no "outside the bands" row.
    assert_eq!(
        counts(table(&c, "grams")),
        pairs(&[
            ("0-0.9", 2),
            ("1-3.5", 2),
            ("3.6-10", 2),
            ("dont_know", 1),
            ("prefer_not_to_say", 0)
        ])
    );
}

#[test]
fn a_decimal_number_its_bands_leave_gaps_in_gets_an_outside_row_and_one_without_bands_no_table() {
    let s = parse(
        r#"
id = "d"
title = "D"

[[pages]]
title = "One"

  [[pages.questions]]
  id = "dose"
  type = "number"
  role = "sensitive"
  text = "Dose (ml)?"
  min = 0
  max = 100
  step = 0.5
  bands = [[0, 20], [40, 100]]

  [[pages.questions]]
  id = "exact"
  type = "number"
  role = "plain"
  text = "Exact?"
  min = 0
  max = 5
  step = 0.25
"#,
    );
    let c = tally_of(
        &s,
        vec![
            json!({ "dose": "20.5", "exact": "1.25" }),
            json!({ "dose": "40", "exact": "2" }),
        ],
    );
    let rows = counts(table(&c, "dose"));
    assert!(rows.contains(&("outside_bands".to_owned(), 1)), "{rows:?}");
    assert!(rows.contains(&("40-100".to_owned(), 1)), "{rows:?}");
    assert!(
        c.get("exact").is_none(),
        "every exact value its own row would single people out"
    );
    // A decimal number is single-valued: it is crossed with other questions.
    assert!(c.tables.iter().all(|t| t.id() != "dose__exact"));
}

#[test]
fn a_date_on_a_repeating_page_counts_people_per_declared_year_by_month_or_by_day() {
    let s = parse(
        r#"
id = "r"
title = "R"

[[pages]]
title = "Count"

  [[pages.questions]]
  id = "n_stays"
  type = "number"
  role = "sensitive"
  min = 0
  max = 3
  text = "How many stays in treatment?"

[[pages]]
id = "stay"
title = "One stay"
repeat = { id = "stay", max = 3, count = "n_stays" }

  [[pages.questions]]
  id = "started"
  type = "date"
  role = "sensitive"
  text = "When did it start?"
  min = "2022-01"
  max = "2024-12"

  [[pages.questions]]
  id = "left"
  type = "date"
  precision = "day"
  role = "sensitive"
  text = "When did you leave?"
  min = "2022-01-01"
  max = "2024-12-31"
"#,
    );
    let c = tally_of(
        &s,
        vec![
            json!({ "n_stays": 2, "stay_1__started": "2022-03", "stay_1__left": "2022-05-01",
                    "stay_2__started": "2022-11", "stay_2__left": "2024-01-15" }),
            json!({ "n_stays": 1, "stay_1__started": "2024-02", "stay_1__left": "dont_know" }),
            json!({ "n_stays": 0 }),
        ],
    );
    // Two stays started in 2022 are one person.
    assert_eq!(
        counts(table(&c, "stay.started.2022")),
        pairs(&[("selected", 1), ("not_selected", 1)])
    );
    assert_eq!(
        counts(table(&c, "stay.started.2023")),
        pairs(&[("selected", 0), ("not_selected", 2)])
    );
    assert_eq!(
        counts(table(&c, "stay.left.2024")),
        pairs(&[("selected", 1), ("not_selected", 1)])
    );
    assert_eq!(
        counts(table(&c, "stay.left.dont_know")),
        pairs(&[("selected", 1), ("not_selected", 1)])
    );
}
