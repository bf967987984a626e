//! Exports of the kinds that came later: a decimal number keeps its digits (non-answer codes
//! stay whole numbers below every answer), and a date with a day leaves as its year only —
//! as answered, or generalised as a quasi-identifier.

use super::tests::{coarse_age_wins, params, qid, rng, survey, PEOPLE};
use super::*;
use crate::survey::{Answer, Day, Decimal, NonAnswer};

const EXTRA: &str = r#"
  [[pages.questions]]
  id = "grams"
  type = "number"
  role = "sensitive"
  text = "Grams?"
  min = -2.5
  max = 10
  step = 0.25

  [[pages.questions]]
  id = "left"
  type = "date"
  precision = "day"
  role = "plain"
  text = "Left treatment?"
  min = "2020-01-01"
  max = "2024-12-31"

  [[pages.questions]]
  id = "note""#;

fn with_extra() -> Survey {
    survey(&PEOPLE.replace("  [[pages.questions]]\n  id = \"note\"", EXTRA))
}

fn column<'a>(out: &'a Anonymised, name: &str) -> &'a Column {
    out.columns
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn a_decimal_number_leaves_with_its_digits_and_whole_non_answer_codes_below_it() {
    let s = with_extra();
    let mut data = coarse_age_wins();
    let grams = ["-2.5", "0.25", "3", "9.75", "10", "1.5"];
    for (r, g) in data.iter_mut().zip(grams.iter().cycle()) {
        r.insert(
            qid("grams"),
            Answer::Decimal(Decimal::parse(g).expect("decimal")),
        );
    }
    data[0].insert(qid("grams"), Answer::NonAnswer(NonAnswer::DontKnow));
    data[1].remove("grams");
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    let c = column(&out, "grams");
    assert_eq!(c.format, ValueFormat::Decimal { places: 2 });
    let codes: Vec<Value> = c.codes.iter().map(|c| c.code).collect();
    // Below −2.5 and below 0: −4, −5, −6 (whole numbers, never −0.04).
    assert_eq!(codes, [Value::Code(-4), Value::Code(-5), Value::Code(-6)]);
    let csv = out.data_csv().expect("csv");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == "grams")
        .expect("grams column");
    let values: std::collections::BTreeSet<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(at).expect("cell").to_owned())
        .collect();
    for v in &values {
        let ok =
            ["-2.50", "0.25", "3.00", "9.75", "10.00", "1.50", "-4", "-6"].contains(&v.as_str());
        assert!(ok, "unexpected value {v} in {values:?}");
    }
    assert!(
        values.contains("9.75") && values.contains("-2.50"),
        "{values:?}"
    );
    assert!(values.contains("-4") && values.contains("-6"), "{values:?}");
    let codebook = out.codebook_csv().expect("csv");
    assert!(
        codebook.contains("the number as answered, with its decimals"),
        "{codebook}"
    );
}

#[test]
fn a_date_with_a_day_leaves_as_its_year_only() {
    let s = with_extra();
    let mut data = coarse_age_wins();
    for (i, r) in data.iter_mut().enumerate() {
        let day = if i % 2 == 0 {
            "2021-03-17"
        } else {
            "2023-11-02"
        };
        r.insert(qid("left"), Answer::Day(Day::parse(day).expect("day")));
    }
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    let c = column(&out, "left");
    assert_eq!(c.format, ValueFormat::Year);
    let csv = out.data_csv().expect("csv");
    assert!(!csv.contains("2021-03") && !csv.contains("-17"), "{csv}");
    assert!(csv.contains(",2021") && csv.contains(",2023"), "{csv}");
}

#[test]
fn a_date_with_a_day_can_be_a_quasi_identifier_generalised_by_year() {
    let s = survey(&PEOPLE.replace(
        "  [[pages.questions]]\n  id = \"note\"",
        "  [[pages.questions]]\n  id = \"left\"\n  type = \"date\"\n  precision = \"day\"\n  role = \"quasi\"\n  text = \"Left?\"\n  min = \"2020-01-01\"\n  max = \"2024-12-31\"\n\n  [[pages.questions]]\n  id = \"note\"",
    ));
    let mut data = coarse_age_wins();
    for r in data.iter_mut() {
        r.insert(
            qid("left"),
            Answer::Day(Day::parse("2022-06-30").expect("day")),
        );
    }
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    let c = column(&out, "left");
    assert_eq!(c.role, Role::Quasi);
    assert!(c.level.is_some());
    let csv = out.data_csv().expect("csv");
    assert!(!csv.contains("2022-06"), "{csv}");
}

#[test]
fn a_survey_s_own_non_answer_has_its_own_missing_code_and_label() {
    let extra = r#"
  [[pages.questions]]
  id = "custody_moud"
  type = "single"
  role = "sensitive"
  text = "Given methadone inside?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]
  non_answers = ["not_applicable"]

  [[pages.questions]]
  id = "note""#;
    let src = format!(
        "{}\n[non_answers]\nnot_applicable = {{ text = \"Was not inside\" }}\n",
        PEOPLE.replace("  [[pages.questions]]\n  id = \"note\"", extra)
    );
    let s = survey(&src);
    let mut data = coarse_age_wins();
    for (i, r) in data.iter_mut().enumerate() {
        let answer = match i % 4 {
            0 => Answer::NonAnswer(NonAnswer::Custom(
                crate::survey::NonAnswerId::parse("not_applicable").expect("id"),
            )),
            1 => Answer::NonAnswer(NonAnswer::DontKnow),
            2 => Answer::Choice("yes".into()),
            _ => Answer::Choice("no".into()),
        };
        r.insert(qid("custody_moud"), answer);
    }
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    let c = column(&out, "custody_moud");
    let own = c
        .codes
        .iter()
        .find(|code| code.missing == Some(Missing::Own(0)))
        .expect("a code for 'not applicable'");
    assert_eq!(own.code, Value::Code(-4), "next after not answered (-3)");
    assert_eq!(own.label, "not applicable");
    let csv = out.data_csv().expect("csv");
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let at = header
        .iter()
        .position(|h| *h == "custody_moud")
        .expect("column");
    let values: std::collections::BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(at))
        .collect();
    assert!(values.contains("-4") && values.contains("-1"), "{values:?}");
    assert!(
        !values.contains("-3"),
        "nobody here was not asked: {values:?}"
    );
}
