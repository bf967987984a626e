//! Shared test helpers.

use super::{DefinitionError, Survey};

/// The 1-based line of the first line containing `needle`.
pub(super) fn line_of(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in source"))
}

pub(super) fn errors(src: &str) -> Vec<DefinitionError> {
    match Survey::parse(src) {
        Ok(_) => panic!("expected errors, but the survey parsed:\n{src}"),
        Err(e) => e.0,
    }
}

pub(super) fn parses(src: &str) -> Survey {
    match Survey::parse(src) {
        Ok(s) => s,
        Err(e) => panic!("expected the survey to parse, got:\n{e}\n--- source:\n{src}"),
    }
}

/// Asserts an error on the line holding `needle` whose message contains `message`.
#[track_caller]
pub(super) fn assert_error_at(src: &str, needle: &str, message: &str) {
    let line = line_of(src, needle);
    let errs = errors(src);
    assert!(
        errs.iter()
            .any(|e| e.line == Some(line) && e.message.contains(message)),
        "no error on line {line} containing {message:?}; got:\n{}",
        errs.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A survey with one page holding `questions` (TOML for `[[pages.questions]]` tables).
pub(super) fn one_page(questions: &str) -> String {
    format!(
        "id = \"t\"\ntitle = \"T\"\nlanguages = [\"en\", \"es\"]\n\n[[pages]]\ntitle = \"One\"\n{questions}"
    )
}

/// A survey with two pages.
pub(super) fn two_pages(first: &str, second: &str) -> String {
    format!("{}\n[[pages]]\ntitle = \"Two\"\n{second}", one_page(first))
}

pub(super) const YES_NO: &str = r#"
  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  text = "Used?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]
"#;

pub(super) const AGE: &str = r#"
  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 16
  max = 99
  bands = [[16, 29], [30, 99]]
  text = "Age?"
"#;
