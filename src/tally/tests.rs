//! Counting a small survey.

use serde_json::{json, Map, Value};

use super::{tally, Catalogue, Label, RawCell, RawTable};
use crate::survey::{answers, Answer, QuestionId, Response, Survey};

const SURVEY: &str = r#"
id = "t"
title = "T"
languages = ["en", "es"]

[[pages]]
title = "One"

  [[pages.questions]]
  id = "intro"
  type = "note"
  text = "Hello"

  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  text = { en = "Used?", es = "¿Usado?" }
  options = [{ id = "yes", text = { en = "Yes", es = "Sí" } }, { id = "no", text = "No" }]

[[pages]]
title = "Two"

  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  show_if = "used == 'yes'"
  text = "Which?"
  options = [{ id = "heroin", text = "Heroin" }, { id = "crack", text = "Crack" }, { id = "none", text = "None", exclusive = true }]

  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 16
  max = 99
  bands = [[16, 29], [30, 59]]
  text = "Age?"

  [[pages.questions]]
  id = "nights"
  type = "number"
  role = "plain"
  min = 0
  max = 31
  text = "Nights?"

  [[pages.questions]]
  id = "safe"
  type = "scale"
  role = "plain"
  min = 0
  max = 3
  dont_know = false
  prefer_not_to_say = false
  text = "Safe?"

  [[pages.questions]]
  id = "agree"
  type = "scale"
  role = "plain"
  prefer_not_to_say = false
  text = "Agree?"
  options = [{ id = "disagree", text = "Disagree" }, { id = "agree", text = "Agree" }]

  [[pages.questions]]
  id = "rating"
  type = "grid"
  role = "sensitive"
  text = "Rate"
  rows = [{ id = "nsp", text = "Needle exchange" }, { id = "drop_in", text = "Drop-in" }]
  options = [{ id = "good", text = "Good" }, { id = "bad", text = "Bad" }]

  [[pages.questions]]
  id = "started"
  type = "date"
  role = "sensitive"
  min = "2019-01"
  max = "2021-12"
  text = "When?"

  [[pages.questions]]
  id = "other"
  type = "text"
  role = "free_text"
  text = "Anything else?"
"#;

fn survey() -> Survey {
    match Survey::parse(SURVEY) {
        Ok(s) => s,
        Err(e) => panic!("test survey does not parse: {e}"),
    }
}

pub(super) fn response(s: &Survey, v: Value) -> Response {
    let Value::Object(m) = v else {
        panic!("answers must be an object")
    };
    let m: Map<String, Value> = m;
    match answers::parse(s, &m) {
        Ok(r) => r,
        Err(e) => panic!("answers do not parse: {e:?}"),
    }
}

fn catalogue(answers: &[(u32, Value)]) -> Catalogue {
    let s = survey();
    let responses: Vec<(u32, Response)> = answers
        .iter()
        .map(|(k, v)| (*k, response(&s, v.clone())))
        .collect();
    tally(&s, responses.iter().map(|(k, r)| (*k, r)))
}

pub(super) fn table<'a>(c: &'a Catalogue, id: &str) -> &'a RawTable {
    c.get(id).unwrap_or_else(|| panic!("no table {id}"))
}

/// (category id, count) of a one-way table.
pub(super) fn counts(t: &RawTable) -> Vec<(String, u64)> {
    t.rows()
        .categories
        .iter()
        .zip(t.cells())
        .map(|(cat, cell)| (cat.id.clone(), cell.count))
        .collect()
}

pub(super) fn pairs(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(s, n)| (s.to_string(), *n)).collect()
}

#[test]
fn the_catalogue_has_a_table_per_closed_variable_and_per_pair_of_single_valued_ones() {
    let c = catalogue(&[]);
    let one_way: Vec<&str> = c
        .tables
        .iter()
        .filter(|t| t.columns().is_none())
        .map(|t| t.id())
        .collect();
    assert_eq!(
        one_way,
        [
            "used",
            "drugs.heroin",
            "drugs.crack",
            "drugs.none",
            "age",
            "safe",
            "agree",
            "rating.nsp",
            "rating.drop_in",
            "started"
        ]
    );
    // Seven single-valued variables: 21 pairs; multi options are never crossed.
    let two_way: Vec<&str> = c
        .tables
        .iter()
        .filter(|t| t.columns().is_some())
        .map(|t| t.id())
        .collect();
    assert_eq!(two_way.len(), 21);
    assert!(two_way.contains(&"used__age"));
    assert!(two_way.contains(&"rating.nsp__started"));
    assert!(!two_way.iter().any(|id| id.contains("drugs")));
}

#[test]
fn text_notes_and_numbers_without_bands_get_no_table() {
    let c = catalogue(&[(1, json!({"other": "hello", "nights": 3}))]);
    assert!(c.tables.iter().all(|t| !t.id().contains("other")
        && !t.id().contains("intro")
        && !t.id().contains("nights")));
}

#[test]
fn non_answers_are_their_own_categories_and_skipped_questions_are_left_out() {
    let c = catalogue(&[
        (1, json!({"used": "yes"})),
        (2, json!({"used": "no"})),
        (3, json!({"used": "no"})),
        (4, json!({"used": "dont_know"})),
        (5, json!({"used": "prefer_not_to_say"})),
        (6, json!({})),
    ]);
    let used = table(&c, "used");
    assert_eq!(
        counts(used),
        pairs(&[
            ("yes", 1),
            ("no", 2),
            ("dont_know", 1),
            ("prefer_not_to_say", 1)
        ])
    );
    assert_eq!(used.total().count, 5);
    assert!(matches!(
        used.rows().categories.get(2).map(|c| &c.label),
        Some(Label::NonAnswer { .. })
    ));
}

#[test]
fn questions_that_were_not_shown_are_not_counted() {
    // `drugs` is only shown to those who used; a hidden question can't be answered at all,
    // so its tables count only those who saw and answered it.
    let c = catalogue(&[
        (1, json!({"used": "yes", "drugs": ["heroin"]})),
        (2, json!({"used": "no"})),
        (3, json!({"used": "yes"})),
    ]);
    assert_eq!(table(&c, "drugs.heroin").total().count, 1);
}

#[test]
fn each_multi_option_counts_selected_and_not_selected_among_those_who_answered() {
    let c = catalogue(&[
        (1, json!({"used": "yes", "drugs": ["heroin", "crack"]})),
        (2, json!({"used": "yes", "drugs": ["crack"]})),
        (3, json!({"used": "yes", "drugs": ["none"]})),
        (4, json!({"used": "yes", "drugs": "prefer_not_to_say"})),
        (5, json!({"used": "yes"})),
    ]);
    assert_eq!(
        counts(table(&c, "drugs.heroin")),
        pairs(&[
            ("selected", 1),
            ("not_selected", 2),
            ("dont_know", 0),
            ("prefer_not_to_say", 1)
        ])
    );
    assert_eq!(
        counts(table(&c, "drugs.crack"))[..2],
        pairs(&[("selected", 2), ("not_selected", 1)])[..]
    );
    let heroin = table(&c, "drugs.heroin");
    assert_eq!(heroin.rows().variable, "drugs.heroin");
    assert_eq!(heroin.rows().question, "drugs");
    assert_eq!(
        heroin.rows().part.as_ref().map(|p| p.get("en")),
        Some("Heroin")
    );
}

#[test]
fn numbers_are_counted_in_their_bands_with_the_rest_kept_apart() {
    let c = catalogue(&[
        (1, json!({"age": 16})),
        (2, json!({"age": 29})),
        (3, json!({"age": 30})),
        (4, json!({"age": 75})),
        (5, json!({"age": "dont_know"})),
    ]);
    assert_eq!(
        counts(table(&c, "age")),
        pairs(&[
            ("16-29", 2),
            ("30-59", 1),
            ("outside_bands", 1),
            ("dont_know", 1),
            ("prefer_not_to_say", 0)
        ])
    );
}

#[test]
fn scale_points_likert_options_and_date_years_are_categories() {
    let c = catalogue(&[
        (
            1,
            json!({"safe": 0, "agree": "agree", "started": "2019-03"}),
        ),
        (
            2,
            json!({"safe": 3, "agree": "dont_know", "started": "2021-12"}),
        ),
        (3, json!({"safe": 3, "started": "2021-01"})),
    ]);
    assert_eq!(
        counts(table(&c, "safe")),
        pairs(&[("0", 1), ("1", 0), ("2", 0), ("3", 2)])
    );
    assert_eq!(
        counts(table(&c, "agree")),
        pairs(&[("disagree", 0), ("agree", 1), ("dont_know", 1)])
    );
    assert_eq!(
        counts(table(&c, "started")),
        pairs(&[
            ("2019", 1),
            ("2020", 0),
            ("2021", 2),
            ("dont_know", 0),
            ("prefer_not_to_say", 0)
        ])
    );
}

#[test]
fn each_grid_row_is_its_own_variable_and_a_skipped_row_is_left_out() {
    let c = catalogue(&[
        (1, json!({"rating": {"nsp": "good", "drop_in": "bad"}})),
        (2, json!({"rating": {"nsp": "good"}})),
        (3, json!({"rating": {"drop_in": "dont_know"}})),
    ]);
    assert_eq!(
        counts(table(&c, "rating.nsp"))[..2],
        pairs(&[("good", 2), ("bad", 0)])[..]
    );
    assert_eq!(
        counts(table(&c, "rating.drop_in")),
        pairs(&[
            ("good", 0),
            ("bad", 1),
            ("dont_know", 1),
            ("prefer_not_to_say", 0)
        ])
    );
    let cross = table(&c, "rating.nsp__rating.drop_in");
    assert_eq!(cross.total().count, 1);
}

#[test]
fn a_cell_key_is_the_wrapping_sum_of_its_records_keys() {
    let c = catalogue(&[
        (u32::MAX, json!({"used": "yes"})),
        (2, json!({"used": "yes"})),
        (7, json!({"used": "no"})),
    ]);
    let used = table(&c, "used");
    assert_eq!(used.cells().first().map(|c| (c.count, c.key)), Some((2, 1)));
    assert_eq!(used.cells().get(1).map(|c| c.key), Some(7));
    assert_eq!(used.total().key, 8);
    assert_eq!(used.cells().get(2).map(|c| (c.count, c.key)), Some((0, 0)));
}

#[test]
fn a_two_way_tables_margins_count_and_key_exactly_the_records_they_cover() {
    let c = catalogue(&[
        (10, json!({"used": "yes", "age": 20})),
        (20, json!({"used": "yes", "age": 40})),
        (40, json!({"used": "no", "age": 20})),
        (80, json!({"used": "no"})),
    ]);
    let t = table(&c, "used__age");
    assert_eq!(t.total(), RawCell { count: 3, key: 70 });
    assert_eq!(t.row_totals().first(), Some(&RawCell { count: 2, key: 30 }));
    assert_eq!(t.row_totals().get(1), Some(&RawCell { count: 1, key: 40 }));
    assert_eq!(
        t.column_totals().first(),
        Some(&RawCell { count: 2, key: 50 })
    );
    assert_eq!(t.cell(0, 1), Some(RawCell { count: 1, key: 20 }));
    // The one-way table of `used` also counts the record that skipped `age`.
    assert_eq!(table(&c, "used").total(), RawCell { count: 4, key: 150 });
}

#[test]
fn labels_carry_every_translation() {
    let c = catalogue(&[]);
    let used = table(&c, "used");
    assert_eq!(used.rows().title.get("es"), "¿Usado?");
    assert_eq!(used.rows().title.get("fr"), "Used?");
    match used.rows().categories.first().map(|c| &c.label) {
        Some(Label::Option { text }) => {
            assert_eq!((text.get("en"), text.get("es")), ("Yes", "Sí"))
        }
        other => panic!("unexpected label {other:?}"),
    }
}

#[test]
fn a_date_without_both_bounds_is_refused_so_tables_never_list_only_answered_years() {
    let src = SURVEY.replace("min = \"2019-01\"\n  max = \"2021-12\"\n", "");
    match Survey::parse(&src) {
        Ok(_) => panic!("a date question without bounds was accepted"),
        Err(e) => assert!(e.to_string().contains("both 'min' and 'max'"), "{e}"),
    }
}

#[test]
fn the_demo_survey_tallies_every_closed_question_and_no_free_text() {
    let s = match Survey::parse(include_str!("../../surveys/demo.toml")) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let c = tally(&s, std::iter::empty());
    assert!(c.get("age").is_some());
    assert!(c.get("service_rating.hospital").is_some());
    assert!(c.get("age__gender").is_some());
    let text_questions: Vec<String> = s
        .questions()
        .filter(|q| q.type_name() == "text" || q.is_note())
        .map(|q| q.id.to_string())
        .collect();
    assert!(!text_questions.is_empty());
    for t in &c.tables {
        let axes = std::iter::once(t.rows()).chain(t.columns());
        for a in axes {
            assert!(!text_questions.contains(&a.question), "{}", t.id());
        }
    }
}

#[test]
fn each_cell_of_a_typed_grid_gets_a_one_way_table_in_its_bands_and_no_two_way_table() {
    let survey = Survey::parse(
        r#"
id = "g"
title = "G"

[[pages]]
title = "One"

  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  text = "Used?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

  [[pages.questions]]
  id = "use"
  type = "grid"
  role = "sensitive"
  text = "Each drug"
  rows = [{ id = "heroin", text = "Heroin" }, { id = "meth", text = "Meth" }]
  columns = [{ id = "days", kind = "number", min = 0, max = 28, bands = [[0, 0], [1, 28]], text = "Days" }, { id = "route", kind = "single", text = "Route", options = [{ id = "smoke", text = "Smoke" }] }]
"#,
    )
    .expect("valid");
    let response = answers::parse(
        &survey,
        json!({ "used": "yes", "use__heroin__days": 5, "use__meth__days": 0 })
            .as_object()
            .expect("object"),
    )
    .expect("valid answers");
    let c = tally(&survey, [(7, &response)]);
    let ids: Vec<&str> = c.tables.iter().map(|t| t.id()).collect();
    for cell in [
        "use__heroin__days",
        "use__heroin__route",
        "use__meth__days",
        "use__meth__route",
    ] {
        assert!(ids.contains(&cell), "{cell} in {ids:?}");
    }
    assert_eq!(
        ids.iter().filter(|id| id.starts_with("used__")).count(),
        0,
        "{ids:?}"
    );
    let heroin = c
        .tables
        .iter()
        .find(|t| t.id() == "use__heroin__days")
        .expect("a table");
    let rows: Vec<&str> = heroin
        .rows()
        .categories
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert!(rows.starts_with(&["0-0", "1-28"]), "{rows:?}");
}

#[test]
fn a_question_on_a_repeating_page_counts_people_with_at_least_one_instance_in_each_category() {
    let s = Survey::parse(
        r#"
id = "r"
title = "R"

[[pages]]
title = "Count"

  [[pages.questions]]
  id = "n_drugs"
  type = "number"
  role = "sensitive"
  min = 0
  max = 3
  text = "How many?"

[[pages]]
id = "drug"
title = "One drug"
repeat = { id = "inj", max = 3, count = "n_drugs" }

  [[pages.questions]]
  id = "drug"
  type = "single"
  role = "sensitive"
  text = "Which drug?"
  options = [{ id = "heroin", text = "Heroin" }, { id = "meth", text = "Meth" }]
"#,
    )
    .expect("valid");
    let people = [
        json!({ "n_drugs": 3, "inj_1__drug": "heroin", "inj_2__drug": "heroin", "inj_3__drug": "meth" }),
        json!({ "n_drugs": 1, "inj_1__drug": "meth" }),
        json!({ "n_drugs": 1, "inj_1__drug": "dont_know" }),
        json!({ "n_drugs": 0 }),
    ];
    let responses: Vec<Response> = people.into_iter().map(|v| response(&s, v)).collect();
    let c = tally(&s, responses.iter().enumerate().map(|(i, r)| (i as u32, r)));
    // Heroin twice is one person; meth: two people; the one who answered nothing is in no table.
    assert_eq!(
        counts(table(&c, "inj.drug.heroin")),
        pairs(&[("selected", 1), ("not_selected", 2)])
    );
    assert_eq!(
        counts(table(&c, "inj.drug.meth")),
        pairs(&[("selected", 2), ("not_selected", 1)])
    );
    assert_eq!(
        counts(table(&c, "inj.drug.dont_know")),
        pairs(&[("selected", 1), ("not_selected", 2)])
    );
    assert!(c.get("inj_1__drug").is_none() && c.get("inj_2__drug").is_none());
    assert!(
        !c.tables.iter().any(|t| t.id().starts_with("n_drugs__inj")),
        "one-way tables only"
    );
}

#[test]
fn a_piped_question_is_titled_with_its_fallback_in_every_language() {
    let survey =
        Survey::parse(include_str!("../../surveys/outreach-contact.toml")).expect("parses");
    let catalogue = tally(&survey, std::iter::empty());
    let piped: Vec<&RawTable> = catalogue
        .tables
        .iter()
        .filter(|t| t.rows().title.default.contains("How do you use"))
        .collect();
    assert!(!piped.is_empty());
    for t in piped {
        assert_eq!(t.rows().title.default, "How do you use it?");
        assert_eq!(t.rows().title.get("es"), "¿Cómo usas la droga?");
    }
}

#[test]
fn two_way_tables_are_linked_when_a_rule_of_the_form_or_one_question_ties_their_variables() {
    // In the fixture only the grid's two rows share a question; `drugs`, the one question
    // shown conditionally, is a multi-select and gets no two-way table.
    let fixture = catalogue(&[]);
    let linked: Vec<&str> = fixture.linked.iter().map(String::as_str).collect();
    assert_eq!(linked, ["rating.nsp__rating.drop_in"]);

    let s = Survey::parse(SITE_RULES).unwrap_or_else(|e| panic!("survey does not parse: {e}"));
    let c = tally(&s, std::iter::empty());
    let linked: Vec<&str> = c.linked.iter().map(String::as_str).collect();
    // An option offered only at one site rules out single pairs of its question and the site;
    // two such questions are tied to each other through the site (a boat only in the north, a
    // jail only in the south: nobody could give both). A question shown only to some is tied
    // to the question its condition reads: every reader knows nobody else answered it. A rule
    // that ends the survey ties nothing (who it screens out leaves no response).
    assert_eq!(
        linked,
        ["route__held", "site__held", "site__route", "used__carried"]
    );
}

#[test]
fn a_rule_that_ends_the_survey_ties_every_later_question_where_who_it_screens_out_is_kept() {
    let kept = SITE_RULES.replacen(
        "title = \"L\"\n",
        "title = \"L\"\nrecord_screened_out = true\n",
        1,
    );
    let s = Survey::parse(&kept).unwrap_or_else(|e| panic!("survey does not parse: {e}"));
    let c = tally(&s, std::iter::empty());
    let linked: Vec<&str> = c.linked.iter().map(String::as_str).collect();
    // Those under 18 answered nothing after "adult": "route" and "held" are shown only to the
    // others, and through them "site" joins too.
    assert_eq!(
        linked,
        [
            "adult__held",
            "adult__route",
            "route__held",
            "site__adult",
            "site__held",
            "site__route",
            "used__carried"
        ]
    );
}

#[test]
fn a_check_that_compares_with_another_answer_ties_the_two_questions() {
    // `age_first_opioid <= answer:age`: nobody aged 18–24 first used at 25 or over. That zero
    // is the form's doing, so the table of the two ages is audited as tied.
    let survey =
        Survey::parse(include_str!("../../surveys/justice-opioid-core.toml")).expect("parses");
    let catalogue = tally(&survey, std::iter::empty());
    assert!(
        catalogue.get("age__age_first_opioid").is_some(),
        "both ages are banded, so they have a two-way table"
    );
    assert!(
        catalogue.linked.contains("age__age_first_opioid"),
        "linked: {:?}",
        catalogue.linked
    );
}

/// Questions tied by rules: a boat only in the north, a jail only in the south, a question
/// shown only to some, and a rule that ends the survey.
const SITE_RULES: &str = r#"
id = "l"
title = "L"

[[pages]]
title = "One"

  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  text = "Used?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

  [[pages.questions]]
  id = "carried"
  type = "single"
  role = "sensitive"
  show_if = "used == 'yes'"
  text = "Carried naloxone?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  text = "Site?"
  options = [{ id = "north", text = "North" }, { id = "south", text = "South" }]

  [[pages.questions]]
  id = "adult"
  type = "single"
  role = "quasi"
  end_if = "adult == 'no'"
  text = "Are you 18 or over?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

[[pages]]
title = "Two"

  [[pages.questions]]
  id = "route"
  type = "single"
  role = "sensitive"
  text = "How?"
  options = [{ id = "smoke", text = "Smoke" }, { id = "boat", text = "Boat", show_if = "site == 'north'" }]

  [[pages.questions]]
  id = "held"
  type = "single"
  role = "sensitive"
  text = "Held where?"
  options = [{ id = "jail", text = "Jail", show_if = "site == 'south'" }, { id = "nowhere", text = "Nowhere" }]
"#;

#[test]
fn a_pair_of_answers_the_form_rules_out_is_marked_unless_somebody_gave_it() {
    let s = Survey::parse(SITE_RULES).unwrap_or_else(|e| panic!("survey does not parse: {e}"));
    let marked = |c: &Catalogue, id: &str| -> Vec<(String, String)> {
        let t = c.get(id).unwrap_or_else(|| panic!("no table {id}"));
        let columns = t.columns().expect("two-way");
        let mut out = Vec::new();
        for (i, r) in t.rows().categories.iter().enumerate() {
            for (j, k) in columns.categories.iter().enumerate() {
                if t.is_ruled_out(i * columns.len() + j) {
                    out.push((r.id.clone(), k.id.clone()));
                }
            }
        }
        out
    };
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    let c = tally(&s, std::iter::empty());
    // The boat is offered only in the north, the jail only in the south: each is ruled out at
    // the other site, and for someone who did not say which site.
    let not_said = |option: &str| ["dont_know", "prefer_not_to_say"].map(|n| pair(n, option));
    let mut boat = vec![pair("south", "boat")];
    boat.extend(not_said("boat"));
    assert_eq!(marked(&c, "site__route"), boat);
    let mut jail = vec![pair("north", "jail")];
    jail.extend(not_said("jail"));
    assert_eq!(marked(&c, "site__held"), jail);
    // Two options each offered for some answers of a third question: the form rules out no
    // single pair of them by itself, so nothing is marked.
    assert!(marked(&c, "route__held").is_empty());
    // Questions no option rule joins.
    assert!(marked(&c, "used__site").is_empty());

    // Someone in the south who took the boat (data the form would refuse today): that count is
    // news about people, not the form's doing, and is not marked.
    let mut r = Response::default();
    r.insert(
        QuestionId::parse("site").expect("id"),
        Answer::Choice("south".into()),
    );
    r.insert(
        QuestionId::parse("route").expect("id"),
        Answer::Choice("boat".into()),
    );
    let c = tally(&s, [(1, &r)]);
    assert_eq!(marked(&c, "site__route"), not_said("boat"));
}

#[test]
fn a_site_from_the_card_rules_pairs_out_and_an_implied_answer_does_not() {
    let s = Survey::parse(
        r#"
id = "b"
title = "B"

[[pages]]
title = "One"

  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  from_batch = true
  text = "Site"
  options = [{ id = "court", text = "Court" }, { id = "street", text = "Street" }]

  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  dont_know = false
  prefer_not_to_say = false
  text = "Used?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

[[pages]]
title = "Two"

  [[pages.questions]]
  id = "held"
  type = "single"
  role = "sensitive"
  dont_know = false
  prefer_not_to_say = false
  text = "Held where?"
  options = [{ id = "cells", text = "Court cells", show_if = "site == 'court'" }, { id = "none", text = "Nowhere" }]

  [[pages.questions]]
  id = "carried"
  type = "single"
  role = "sensitive"
  dont_know = false
  prefer_not_to_say = false
  text = "Carried naloxone?"
  implied = [{ when = "used == 'no'", answer = "no" }]
  options = [{ id = "yes", text = "Yes", show_if = "used == 'yes'" }, { id = "no", text = "No" }]
"#,
    )
    .unwrap_or_else(|e| panic!("survey does not parse: {e}"));
    let c = tally(&s, std::iter::empty());
    let marked = |id: &str| {
        let t = c.get(id).unwrap_or_else(|| panic!("no table {id}"));
        (0..t.cells().len())
            .filter(|&k| t.is_ruled_out(k))
            .collect::<Vec<_>>()
    };
    // The site comes from the card's batch before the form offers options: court cells are
    // ruled out at the street site (row 1, column 0).
    assert_eq!(marked("site__held"), [2]);
    // An answer the form may imply is stored as implied, not as the condition saw it: nothing
    // is read as ruled out.
    assert!(marked("used__carried").is_empty());
}
