//! Generalisation hierarchies in definitions: `groups`, `coarse_bands`, quasi types.

use super::tests::{assert_error_at, one_page, parses, AGE};
use super::Band;

const AREA: &str = r#"
  [[pages.questions]]
  id = "area"
  type = "single"
  role = "quasi"
  text = "Area?"
  options = [
    { id = "old_town", text = "Old Town" },
    { id = "station", text = "Station" },
    { id = "harbour", text = "Harbour" },
  ]
  groups = [
    { id = "north", text = { en = "North", es = "Norte" }, options = ["old_town", "station"] },
    { id = "south", text = "South", options = ["harbour"] },
  ]
"#;

fn age_with(bands: &str, coarse: &str) -> String {
    one_page(&AGE.replace(
        "bands = [[16, 29], [30, 99]]",
        &format!("bands = {bands}\n  coarse_bands = {coarse}"),
    ))
}

const FOUR_BANDS: &str = "[[16, 24], [25, 34], [35, 44], [45, 99]]";

#[test]
fn option_groups_are_read_in_order_with_their_members() {
    let s = parses(&one_page(AREA));
    let q = s.question("area").expect("area");
    let ids: Vec<(&str, Vec<&str>)> = q
        .groups
        .iter()
        .map(|g| {
            (
                g.id.as_str(),
                g.options.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            ("north", vec!["old_town", "station"]),
            ("south", vec!["harbour"])
        ]
    );
    assert_eq!(q.groups[0].text.get("es"), "Norte");
    assert!(q.coarse_bands.is_empty());
}

#[test]
fn coarse_bands_that_are_unions_of_consecutive_bands_are_read() {
    let s = parses(&age_with(FOUR_BANDS, "[[16, 34], [35, 99]]"));
    let q = s.question("age").expect("age");
    assert_eq!(
        q.coarse_bands,
        vec![Band { lo: 16, hi: 34 }, Band { lo: 35, hi: 99 }]
    );
    assert!(q.groups.is_empty());
}

#[test]
fn a_likert_scale_may_have_groups() {
    let src = one_page(
        r#"
  [[pages.questions]]
  id = "agree"
  type = "scale"
  role = "quasi"
  text = "Agree?"
  options = [{ id = "no", text = "No" }, { id = "maybe", text = "Maybe" }, { id = "yes", text = "Yes" }]
  groups = [{ id = "not_yes", text = "Not yes", options = ["no", "maybe"] }, { id = "yes", text = "Yes", options = ["yes"] }]
"#,
    );
    assert_eq!(parses(&src).question("agree").expect("q").groups.len(), 2);
}

#[test]
fn a_group_naming_an_unknown_option_is_rejected_on_its_line() {
    let src = one_page(&AREA.replace("options = [\"harbour\"]", "options = [\n\"harbor\"]"));
    assert_error_at(&src, "\"harbor\"", "unknown option 'harbor'");
}

#[test]
fn an_option_in_two_groups_is_rejected_on_its_line() {
    let src = one_page(&AREA.replace(
        "options = [\"harbour\"]",
        "options = [\"harbour\",\n \"old_town\"]",
    ));
    assert_error_at(&src, "\"old_town\"] },", "already in group 'north'");
}

#[test]
fn an_option_in_no_group_is_rejected_on_the_groups_line() {
    let src = one_page(&AREA.replace(
        "    { id = \"south\", text = \"South\", options = [\"harbour\"] },\n",
        "",
    ));
    assert_error_at(&src, "groups = [", "option 'harbour' is in no group");
}

#[test]
fn a_duplicate_group_id_is_rejected_on_its_line() {
    let src = one_page(&AREA.replace("{ id = \"south\"", "{ id = \"north\""));
    assert_error_at(
        &src,
        "text = \"South\"",
        "duplicate group id 'north' (first used on line",
    );
}

#[test]
fn a_non_answer_can_not_be_grouped() {
    let src = one_page(&AREA.replace("[\"harbour\"]", "[\"harbour\", \"dont_know\"]"));
    assert_error_at(&src, "\"dont_know\"", "non-answers are never grouped");
}

#[test]
fn groups_on_a_number_are_an_unknown_key() {
    let src = one_page(&AGE.replace(
        "text = \"Age?\"",
        "text = \"Age?\"\n  groups = [{ id = \"a\", text = \"A\", options = [\"x\"] }]",
    ));
    assert_error_at(&src, "groups = [", "unknown key 'groups'");
}

#[test]
fn a_coarse_band_that_does_not_end_on_a_band_edge_is_rejected_on_its_line() {
    let src = age_with(FOUR_BANDS, "[[16, 30],\n [31, 99]]");
    assert_error_at(
        &src,
        "[[16, 30],",
        "not the exact union of consecutive bands",
    );
}

#[test]
fn a_coarse_band_across_a_gap_between_bands_is_rejected() {
    let src = age_with("[[16, 24], [30, 99]]", "[[16, 99]]");
    assert_error_at(
        &src,
        "coarse_bands",
        "not the exact union of consecutive bands",
    );
}

#[test]
fn coarse_bands_out_of_order_or_overlapping_are_rejected_on_their_line() {
    let src = age_with(FOUR_BANDS, "[[16, 34],\n [25, 99]]");
    assert_error_at(&src, " [25, 99]]", "should start at 35");
    let src = age_with(FOUR_BANDS, "[[35, 99],\n [16, 34]]");
    assert_error_at(&src, "[[35, 99],", "should start at 16");
}

#[test]
fn coarse_bands_that_leave_a_band_out_are_rejected() {
    let src = age_with(FOUR_BANDS, "[[16, 34],\n [35, 44]]");
    assert_error_at(&src, "coarse_bands", "band [45, 99] is in no coarse band");
}

#[test]
fn coarse_bands_without_bands_are_rejected() {
    let src = one_page(
        &AGE.replace("  role = \"quasi\"\n", "  role = \"plain\"\n")
            .replace("bands = [[16, 29], [30, 99]]", "coarse_bands = [[16, 99]]"),
    );
    assert_error_at(&src, "coarse_bands", "needs 'bands'");
}

#[test]
fn a_quasi_grid_or_numeric_scale_is_rejected_with_a_clear_message() {
    for q in [
        "type = \"grid\"\n  rows = [{ id = \"r\", text = \"R\" }]\n  options = [{ id = \"a\", text = \"A\" }]",
        "type = \"scale\"\n  min = 0\n  max = 10",
    ] {
        let src = one_page(&format!(
            "\n  [[pages.questions]]\n  id = \"q\"\n  role = \"quasi\"\n  text = \"Q?\"\n  {q}\n"
        ));
        assert_error_at(&src, "[[pages.questions]]", "can't be a quasi-identifier");
    }
}

#[test]
fn a_quasi_multi_select_is_accepted_with_or_without_option_groups() {
    let multi = "\n  [[pages.questions]]\n  id = \"drugs\"\n  type = \"multi\"\n  role = \"quasi\"\n  text = \"Which?\"\n  options = [{ id = \"heroin\", text = \"Heroin\" }, { id = \"fentanyl\", text = \"Fentanyl\" }, { id = \"meth\", text = \"Meth\" }]\n";
    parses(&one_page(multi));
    let s = parses(&one_page(&format!(
        "{multi}  groups = [{{ id = \"opioids\", text = \"Opioids\", options = [\"heroin\", \"fentanyl\"] }}, {{ id = \"stimulants\", text = \"Stimulants\", options = [\"meth\"] }}]\n"
    )));
    let q = s.question("drugs").expect("the question");
    assert_eq!(q.groups.len(), 2);
}

#[test]
fn a_quasi_multi_select_whose_groups_miss_an_option_is_rejected() {
    let src = one_page(
        "\n  [[pages.questions]]\n  id = \"drugs\"\n  type = \"multi\"\n  role = \"quasi\"\n  text = \"Which?\"\n  options = [{ id = \"heroin\", text = \"Heroin\" }, { id = \"meth\", text = \"Meth\" }]\n  groups = [{ id = \"opioids\", text = \"Opioids\", options = [\"heroin\"] }]\n",
    );
    assert_error_at(&src, "groups", "option 'meth' is in no group");
}

#[test]
fn a_quasi_date_needs_no_hierarchy_key() {
    let src = one_page(
        "\n  [[pages.questions]]\n  id = \"d\"\n  type = \"date\"\n  min = \"2000-01\"\n  max = \"2030-12\"\n  role = \"quasi\"\n  text = \"When?\"\n",
    );
    parses(&src);
}

#[test]
fn the_public_definition_shows_groups_and_coarse_bands() {
    let s = parses(&one_page(&format!(
        "{AREA}{}",
        AGE.replace(
            "bands = [[16, 29], [30, 99]]",
            "bands = [[16, 29], [30, 99]]\n  coarse_bands = [[16, 99]]"
        )
    )));
    let json = s.public_json();
    let questions = &json["pages"][0]["questions"];
    assert_eq!(questions[0]["groups"][0]["id"], "north");
    assert_eq!(questions[0]["groups"][0]["options"][1], "station");
    assert_eq!(questions[1]["coarse_bands"][0][1], 99);
}

#[test]
fn the_demo_declares_a_real_hierarchy() {
    let s = parses(include_str!("../../surveys/demo.toml"));
    let q = |id: &str| s.question(id).expect(id);
    assert!(q("area").groups.len() >= 3);
    assert!(q("gender").groups.len() >= 2);
    assert!(q("age").coarse_bands.len() >= 2);
}

#[test]
fn a_band_or_coarse_band_that_is_not_a_pair_of_numbers_is_rejected_on_its_line() {
    for second in ["[35, 60, 99]]", "[\"35\", 99]]"] {
        let src = age_with(&format!("[[16, 34],\n {second}"), "[[16, 99]]");
        let line = format!(" {second}");
        assert_error_at(&src, &line, "each band must be a pair of whole numbers");
    }
    for second in ["[35.5, 99]]", "35]"] {
        let src = age_with(FOUR_BANDS, &format!("[[16, 34],\n {second}"));
        let line = format!(" {second}");
        assert_error_at(
            &src,
            &line,
            "each coarse band must be a pair of whole numbers",
        );
    }
}
