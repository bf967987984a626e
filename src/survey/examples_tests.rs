//! Every definition shipped in `surveys/` imports cleanly, without warnings.

use std::path::Path;

use super::Survey;

#[test]
fn every_example_survey_imports_without_errors_or_warnings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("surveys/ is readable") {
        let path = entry.expect("an entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("readable");
        let survey = match Survey::parse(&source) {
            Ok(s) => s,
            Err(e) => panic!("{} does not import:\n{e}", path.display()),
        };
        let warnings: Vec<String> = survey.warnings().iter().map(ToString::to_string).collect();
        assert!(
            warnings.is_empty(),
            "{} imports with warnings:\n{}",
            path.display(),
            warnings.join("\n")
        );
        seen += 1;
    }
    assert!(seen >= 2, "expected the demo and at least one more example");
}
