//! Reading and validating definitions: every rule, with its line.

use super::tests::{assert_error_at, errors, line_of, one_page, parses, two_pages, AGE, YES_NO};
use super::{Mode, QuestionKind, Role};

const ALL_TYPES: &str = r#"
  [[pages.questions]]
  id = "intro"
  type = "note"
  text = { en = "Hello", es = "Hola" }

  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  display = "select"
  text = "Used?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  min_choices = 1
  max_choices = 2
  text = "Which?"
  options = [{ id = "heroin", text = "Heroin" }, { id = "none", text = "None", exclusive = true }]

  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 16
  max = 99
  unit = "years"
  bands = [[16, 29], [30, 99]]
  text = "Age?"

  [[pages.questions]]
  id = "safe"
  type = "scale"
  role = "plain"
  min = 0
  max = 10
  min_label = "Not at all"
  max_label = "Completely"
  text = "Safe?"

  [[pages.questions]]
  id = "agree"
  type = "scale"
  role = "plain"
  text = "Agree?"
  options = [{ id = "no", text = "No" }, { id = "yes", text = "Yes" }]

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
  min = "2000-01"
  max = "2030-12"
  text = "When?"

  [[pages.questions]]
  id = "other"
  type = "text"
  role = "free_text"
  max_length = 20
  text = "Anything else?"
"#;

#[test]
fn every_question_type_parses() {
    let s = parses(&one_page(ALL_TYPES));
    let kinds: Vec<_> = s.questions().map(|q| &q.kind).collect();
    assert!(matches!(kinds[0], QuestionKind::Note));
    assert!(matches!(
        kinds[1],
        QuestionKind::Single { select: true, .. }
    ));
    assert!(matches!(
        kinds[2],
        QuestionKind::Multi { min_choices: Some(1), max_choices: Some(2), options } if options[1].exclusive
    ));
    assert!(
        matches!(kinds[3], QuestionKind::Number { min: 16, max: 99, bands, unit: Some(_) } if bands.len() == 2)
    );
    assert!(matches!(
        kinds[4],
        QuestionKind::Scale {
            min: 0,
            max: 10,
            min_label: Some(_),
            ..
        }
    ));
    assert!(matches!(kinds[5], QuestionKind::Likert { options } if options.len() == 2));
    assert!(
        matches!(kinds[6], QuestionKind::Grid { rows, options } if rows.len() == 2 && options.len() == 2)
    );
    assert!(matches!(
        kinds[7],
        QuestionKind::Date {
            min: Some(_),
            max: Some(_)
        }
    ));
    assert!(matches!(kinds[8], QuestionKind::Text { max_length: 20 }));
    assert_eq!(s.question("intro").and_then(|q| q.role), None);
    assert_eq!(
        s.question("other").and_then(|q| q.role),
        Some(Role::FreeText)
    );
    assert_eq!(s.question("intro").map(|q| q.text.get("es")), Some("Hola"));
}

#[test]
fn defaults_are_invite_mode_english_and_the_safe_thresholds() {
    let src = "id = \"t\"\ntitle = \"T\"\n[[pages]]\ntitle = \"P\"\n[[pages.questions]]\nid = \"n\"\ntype = \"note\"\ntext = \"Hi\"\n";
    let s = parses(src);
    assert_eq!(s.mode(), Mode::Invite);
    assert_eq!(
        s.languages().iter().map(|l| l.as_str()).collect::<Vec<_>>(),
        ["en"]
    );
    assert_eq!(
        (s.threshold(), s.min_responses(), s.k_anonymity()),
        (10, 30, 10)
    );
    assert_eq!(s.pages()[0].id, "page1");
    assert_eq!(s.source(), src);
    assert!(!s.records_screened_out());
}

#[test]
fn a_survey_may_choose_to_record_people_its_end_if_screens_out() {
    let src = "id = \"t\"\ntitle = \"T\"\nrecord_screened_out = true\n[[pages]]\ntitle = \"P\"\n[[pages.questions]]\nid = \"n\"\ntype = \"note\"\ntext = \"Hi\"\n";
    assert!(parses(src).records_screened_out());
}

#[test]
fn non_answers_are_on_by_default_except_for_notes() {
    let s = parses(&one_page(ALL_TYPES));
    let used = s.question("used").expect("q");
    assert!(used.dont_know && used.prefer_not_to_say && !used.required);
    let intro = s.question("intro").expect("q");
    assert!(!intro.dont_know && !intro.prefer_not_to_say);
}

#[test]
fn a_higher_threshold_raises_the_default_minimum_responses() {
    let src = one_page(YES_NO).replace(
        "title = \"T\"",
        "title = \"T\"\nthreshold = 20\nmode = \"open\"",
    );
    let s = parses(&src);
    assert_eq!(
        (s.threshold(), s.min_responses(), s.mode()),
        (20, 40, Mode::Open)
    );
}

/// One mistake, one error: swapped bounds are reported once, and the question's bands and the
/// rule that names it are read against the range meant, not refused as unknown keys and an
/// unknown question.
#[test]
fn swapped_min_and_max_are_the_only_error_reported() {
    let src = one_page(&format!(
        "{}{}",
        AGE.replace("min = 16", "min = 99")
            .replace("max = 99", "max = 16"),
        r#"
  [[pages.questions]]
  id = "older"
  type = "single"
  role = "plain"
  show_if = "age > 30"
  text = "Next?"
  options = [{ id = "a", text = "A" }, { id = "b", text = "B" }]
"#
    ));
    let errs = errors(&src);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].to_string().contains("max (16) is below min (99)"),
        "{errs:?}"
    );
}

#[test]
fn max_below_min_is_reported_with_the_question_and_line() {
    let src = one_page(
        &AGE.replace("max = 99", "max = 10")
            .replace("bands = [[16, 29], [30, 99]]", "bands = []"),
    );
    let errs = errors(&src);
    let line = line_of(&src, "max = 10");
    assert!(
        errs.iter()
            .any(|e| e.to_string()
                == format!("line {line}: question 'age': max (10) is below min (16)")),
        "{errs:?}"
    );
}

/// An export's loaders read numbers as doubles: a range beyond ±(2^53 − 1) would let a real
/// answer and a non-answer's code read as the same number (an outside review exported a survey
/// with `min = -9223372036854775805` whose "not applicable" and "not answered" shared a code).
#[test]
fn a_range_beyond_what_statistics_tools_read_exactly_is_rejected_with_its_line() {
    let src = one_page(
        &AGE.replace("min = 16", "min = -9223372036854775805")
            .replace("bands = [[16, 29], [30, 99]]", "bands = []"),
    );
    assert_error_at(
        &src,
        "min = -9223372036854775805",
        "question 'age': min (-9223372036854775805) is too large: whole numbers go up to 9007199254740991 either way",
    );
    let src = one_page(
        &AGE.replace("max = 99", "max = 9007199254740992")
            .replace("bands = [[16, 29], [30, 99]]", "bands = []"),
    );
    assert_error_at(
        &src,
        "max = 9007199254740992",
        "max (9007199254740992) is too large",
    );
    let src = one_page(
        &AGE.replace("min = 16", "min = -9007199254740991")
            .replace("max = 99", "max = 9007199254740991")
            .replace(
                "bands = [[16, 29], [30, 99]]",
                "bands = [[-9007199254740991, 0], [1, 9007199254740991]]",
            ),
    );
    parses(&src);
}

#[test]
fn a_band_outside_the_range_is_rejected_with_its_line() {
    let src = one_page(&AGE.replace(
        "bands = [[16, 29], [30, 99]]",
        "bands = [\n  [16, 29],\n  [30, 120],\n]",
    ));
    assert_error_at(&src, "[30, 120]", "outside the range 16..99");
}

#[test]
fn overlapping_or_descending_bands_are_rejected() {
    let src = one_page(&AGE.replace(
        "bands = [[16, 29], [30, 99]]",
        "bands = [\n  [16, 29],\n  [29, 40],\n]",
    ));
    assert_error_at(&src, "[29, 40]", "overlaps");
    let src = one_page(&AGE.replace(
        "bands = [[16, 29], [30, 99]]",
        "bands = [\n  [30, 99],\n  [16, 29],\n]",
    ));
    assert_error_at(&src, "[16, 29],", "ascending");
    let src = one_page(&AGE.replace("bands = [[16, 29], [30, 99]]", "bands = [\n  [40, 30],\n]"));
    assert_error_at(&src, "[40, 30]", "ends before it starts");
}

#[test]
fn a_quasi_number_without_bands_is_rejected() {
    let src = one_page(&AGE.replace("bands = [[16, 29], [30, 99]]\n", ""));
    assert_error_at(&src, "[[pages.questions]]", "needs 'bands'");
}

#[test]
fn a_number_without_min_or_max_is_rejected() {
    let src = one_page(&AGE.replace("  min = 16\n", ""));
    assert_error_at(&src, "[[pages.questions]]", "missing key 'min'");
}

#[test]
fn a_question_without_a_role_is_rejected() {
    let src = one_page(&YES_NO.replace("  role = \"sensitive\"\n", ""));
    assert_error_at(&src, "[[pages.questions]]", "missing key 'role'");
}

#[test]
fn free_text_role_and_text_type_go_together() {
    let src = one_page(&YES_NO.replace("\"sensitive\"", "\"free_text\""));
    assert_error_at(&src, "[[pages.questions]]", "only for text questions");
    let src = one_page(
        "[[pages.questions]]\nid = \"t\"\ntype = \"text\"\nrole = \"sensitive\"\ntext = \"Say\"\n",
    );
    assert_error_at(&src, "[[pages.questions]]", "must have role \"free_text\"");
}

#[test]
fn a_note_with_a_role_or_an_answer_setting_is_rejected() {
    let src = one_page(
        "[[pages.questions]]\nid = \"n\"\ntype = \"note\"\nrole = \"plain\"\ntext = \"Hi\"\n",
    );
    assert_error_at(&src, "role = \"plain\"", "a note takes no answer");
    let src = one_page(
        "[[pages.questions]]\nid = \"n\"\ntype = \"note\"\nrequired = true\ntext = \"Hi\"\n",
    );
    assert_error_at(&src, "[[pages.questions]]", "can't be required");
}

#[test]
fn unknown_keys_are_rejected_everywhere_with_their_line() {
    let src = one_page(&YES_NO.replace("text = \"Used?\"", "text = \"Used?\"\n  colour = \"red\""))
        .replace("title = \"T\"", "title = \"T\"\nowner = \"me\"")
        .replace(
            "{ id = \"no\", text = \"No\" }",
            "{ id = \"no\", text = \"No\", score = 1 }",
        );
    assert_error_at(
        &src,
        "colour",
        "unknown key 'colour' for a 'single' question",
    );
    assert_error_at(&src, "owner", "unknown key 'owner'");
    assert_error_at(&src, "score = 1", "option 'no': unknown key 'score'");
}

#[test]
fn a_type_specific_key_on_the_wrong_type_is_unknown() {
    let src = one_page(&YES_NO.replace("text = \"Used?\"", "text = \"Used?\"\n  bands = [[1, 2]]"));
    assert_error_at(&src, "bands", "unknown key 'bands' for a 'single' question");
}

#[test]
fn an_unknown_type_or_role_is_rejected() {
    let src = one_page(&YES_NO.replace("\"single\"", "\"radio\""));
    assert_error_at(&src, "\"radio\"", "unknown type 'radio'");
    let src = one_page(&YES_NO.replace("\"sensitive\"", "\"secret\""));
    assert_error_at(&src, "\"secret\"", "unknown role 'secret'");
}

#[test]
fn texts_need_the_default_language_and_only_listed_languages() {
    let src = one_page(&YES_NO.replace("text = \"Used?\"", "text = { es = \"¿Usaste?\" }"));
    assert_error_at(&src, "¿Usaste?", "no text in the default language 'en'");
    let src = one_page(&YES_NO.replace(
        "text = \"Used?\"",
        "text = { en = \"Used?\", fr = \"Utilisé ?\" }",
    ));
    assert_error_at(&src, "fr = ", "'fr', which is not in 'languages'");
    let src = one_page(&YES_NO.replace("text = \"Used?\"", "text = \"  \""));
    assert_error_at(&src, "text = \"  \"", "is empty");
}

#[test]
fn a_duplicate_option_does_not_hide_the_questions_other_errors() {
    // One pass lists both: the repeated option, and the condition of the same question that
    // names a question the survey does not have.
    let question = YES_NO.replace("id = \"no\"", "id = \"yes\"").replace(
        "text = \"Used?\"",
        "text = \"Used?\"\n  show_if = \"nobody == 'x'\"",
    );
    let src = one_page(&question);
    assert_error_at(&src, "options = ", "duplicate option id 'yes'");
    assert_error_at(&src, "show_if = ", "unknown question 'nobody'");
}

#[test]
fn bad_option_lists_are_rejected() {
    let src = one_page(&YES_NO.replace(
        "options = [{ id = \"yes\", text = \"Yes\" }, { id = \"no\", text = \"No\" }]",
        "options = []",
    ));
    assert_error_at(&src, "options = []", "'options' is empty");
    let src = one_page(&YES_NO.replace("id = \"no\"", "id = \"yes\""));
    assert_error_at(&src, "options = ", "duplicate option id 'yes'");
    let src = one_page(&YES_NO.replace("id = \"no\"", "id = \"dont_know\""));
    assert_error_at(&src, "options = ", "reserved for the built-in non-answer");
    let src = one_page(&YES_NO.replace("id = \"no\"", "id = \"No way\""));
    assert_error_at(&src, "options = ", "'id'");
    let src = one_page(&YES_NO.replace(
        "  options = [{ id = \"yes\", text = \"Yes\" }, { id = \"no\", text = \"No\" }]\n",
        "",
    ));
    assert_error_at(&src, "[[pages.questions]]", "missing key 'options'");
}

#[test]
fn exclusive_is_only_for_multi_select_options() {
    let src = one_page(&YES_NO.replace(
        "{ id = \"no\", text = \"No\" }",
        "{ id = \"no\", text = \"No\", exclusive = true }",
    ));
    assert_error_at(&src, "exclusive", "unknown key 'exclusive'");
}

#[test]
fn duplicate_question_ids_across_pages_are_rejected() {
    let src = two_pages(YES_NO, YES_NO);
    let second = src.rfind("[[pages.questions]]").expect("twice");
    let line = src[..second].matches('\n').count() + 1;
    let errs = errors(&src);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("duplicate question id 'used'") && e.line == Some(line)),
        "{errs:?}"
    );
}

#[test]
fn duplicate_page_ids_are_rejected() {
    let src = two_pages(YES_NO, AGE)
        .replace("title = \"One\"", "id = \"same\"\ntitle = \"One\"")
        .replace("title = \"Two\"", "id = \"same\"\ntitle = \"Two\"");
    let errs = errors(&src);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("duplicate page id 'same'")),
        "{errs:?}"
    );
}

#[test]
fn anonymity_settings_outside_their_ranges_are_rejected() {
    let with =
        |extra: &str| one_page(YES_NO).replace("title = \"T\"", &format!("title = \"T\"\n{extra}"));
    assert_error_at(&with("threshold = 4"), "threshold = 4", "between 5 and 50");
    assert_error_at(
        &with("threshold = 51"),
        "threshold = 51",
        "between 5 and 50",
    );
    assert_error_at(
        &with("k_anonymity = 3"),
        "k_anonymity = 3",
        "between 5 and 50",
    );
    assert_error_at(
        &with("threshold = 20\nmin_responses = 30"),
        "min_responses = 30",
        "at least twice the threshold (40)",
    );
    assert_error_at(
        &with("mode = \"closed\""),
        "mode = ",
        "\"invite\" or \"open\"",
    );
    assert_error_at(&with("id = \"x\""), "id = \"x\"", "invalid TOML");
}

#[test]
fn a_bad_survey_id_or_language_is_rejected() {
    let src = one_page(YES_NO).replace("id = \"t\"", "id = \"Bad Id\"");
    assert_error_at(&src, "Bad Id", "'id'");
    let src = one_page(YES_NO).replace("[\"en\", \"es\"]", "[\"en\", \"English\"]");
    assert_error_at(&src, "languages", "not a language code");
}

#[test]
fn toml_syntax_errors_carry_their_line() {
    let src = one_page(&YES_NO.replace("role = \"sensitive\"", "role = sensitive"));
    assert_error_at(&src, "role = sensitive", "invalid TOML");
}

#[test]
fn scales_are_either_numeric_or_likert_and_not_too_wide() {
    let src = one_page(
        "[[pages.questions]]\nid = \"s\"\ntype = \"scale\"\nrole = \"plain\"\ntext = \"S\"\nmin = 0\noptions = [{ id = \"a\", text = \"A\" }]\n",
    );
    assert_error_at(&src, "min = 0", "not both");
    let src = one_page(
        "[[pages.questions]]\nid = \"s\"\ntype = \"scale\"\nrole = \"plain\"\ntext = \"S\"\nmin = 0\nmax = 100\n",
    );
    assert_error_at(&src, "[[pages.questions]]", "at most 21 points");
}

#[test]
fn dates_need_months_in_order() {
    let src = one_page(
        "[[pages.questions]]\nid = \"d\"\ntype = \"date\"\nrole = \"plain\"\ntext = \"D\"\nmin = \"2020-13\"\n",
    );
    assert_error_at(&src, "2020-13", "\"YYYY-MM\"");
    let src = one_page(
        "[[pages.questions]]\nid = \"d\"\ntype = \"date\"\nrole = \"plain\"\ntext = \"D\"\nmin = \"2020-05\"\nmax = \"2020-01\"\n",
    );
    assert_error_at(
        &src,
        "[[pages.questions]]",
        "max (2020-01) is before min (2020-05)",
    );
}

#[test]
fn text_length_is_capped() {
    let src = one_page(
        "[[pages.questions]]\nid = \"t\"\ntype = \"text\"\nrole = \"free_text\"\ntext = \"T\"\nmax_length = 6000\n",
    );
    assert_error_at(&src, "max_length", "between 1 and 5000");
    let s = parses(&one_page(
        "[[pages.questions]]\nid = \"t\"\ntype = \"text\"\nrole = \"free_text\"\ntext = \"T\"\n",
    ));
    assert!(matches!(
        s.question("t").map(|q| &q.kind),
        Some(QuestionKind::Text { max_length: 500 })
    ));
}

#[test]
fn choice_limits_on_a_multi_select_must_make_sense() {
    let multi = "[[pages.questions]]\nid = \"m\"\ntype = \"multi\"\nrole = \"plain\"\ntext = \"M\"\noptions = [{ id = \"a\", text = \"A\" }, { id = \"b\", text = \"B\" }]\n";
    assert_error_at(
        &one_page(&format!("{multi}min_choices = 3\n")),
        "[[pages.questions]]",
        "min_choices",
    );
    assert_error_at(
        &one_page(&format!("{multi}min_choices = 2\nmax_choices = 1\n")),
        "[[pages.questions]]",
        "below min_choices",
    );
}

#[test]
fn an_invalid_question_id_is_rejected() {
    let src = one_page(&YES_NO.replace("id = \"used\"", "id = \"Used-3m\""));
    assert_error_at(&src, "Used-3m", "question id");
}

#[test]
fn an_end_if_question_must_be_last_on_its_page() {
    let src = one_page(&format!(
        "{}{AGE}",
        YES_NO.replace(
            "text = \"Used?\"",
            "text = \"Used?\"\n  end_if = \"used == 'no'\""
        )
    ));
    assert_error_at(&src, "end_if", "must be the last on its page");
}

#[test]
fn several_errors_are_all_reported_in_line_order() {
    let src = one_page(&format!(
        "{}{}",
        YES_NO.replace("\"sensitive\"", "\"secret\""),
        AGE.replace("max = 99", "max = 10")
    ))
    .replace("title = \"T\"", "title = \"T\"\nthreshold = 2");
    let errs = errors(&src);
    assert!(errs.len() >= 3, "{errs:?}");
    let lines: Vec<_> = errs.iter().map(|e| e.line.unwrap_or(0)).collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(lines, sorted);
    let text = super::DefinitionErrors(errs).to_string();
    assert!(text.contains("threshold") && text.contains("secret") && text.contains("max (10)"));
    assert_eq!(text.lines().count(), lines.len());
}

/// An id or title that cannot be read does not hold back the checks across the survey: every
/// error comes in one list (an outside review fixed eight errors, then met two more conditions'
/// errors that had been there all along).
#[test]
fn an_unreadable_id_still_lets_every_condition_be_checked_in_the_same_list() {
    let src = one_page(AGE)
        .replace("id = \"t\"", "id = \"Not An Id\"")
        .replace("title = \"T\"", "title = 3")
        .replace(
            "text = \"Age?\"",
            "text = \"Age?\"\n  show_if = \"nowhere == 'x'\"",
        );
    let errs = errors(&src);
    assert!(
        errs.iter().any(|e| e.message.starts_with("'id'")),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.message.contains("title")), "{errs:?}");
    assert!(
        errs.iter()
            .any(|e| e.message.contains("refers to unknown question 'nowhere'")),
        "{errs:?}"
    );
}

/// An open survey gives a code to anyone who opens it, as often as they like: with an
/// incentive, one person could collect a voucher every few seconds (an outside review took
/// ten a minute from one address). Refused at the key, like coupons.
#[test]
fn an_incentive_needs_an_invite_survey() {
    let src = one_page(YES_NO).replace(
        "title = \"T\"",
        "title = \"T\"\nmode = \"open\"\nincentive = \"A 5 euro voucher\"",
    );
    assert_error_at(&src, "incentive = ", "'incentive' needs mode = \"invite\"");
    let invite = one_page(YES_NO).replace(
        "title = \"T\"",
        "title = \"T\"\nincentive = \"A 5 euro voucher\"",
    );
    parses(&invite);
}
