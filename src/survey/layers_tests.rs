//! The files of `survey/` import only downward: a circle between them once made the definition
//! model, the condition parser and the answer parser impossible to change one at a time.
//!
//! The test reads every source file under `src/survey/` and fails when one refers (through
//! `super::…` or `crate::survey::…`) to a module ranked at or above its own. A new file must be
//! given a rank here, so that the order stays a decision rather than an accident.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first: each module may use only modules listed before it.
const LAYERS: &[&str] = &[
    // values
    "ids",
    "text",
    "month",
    "decimal",
    "response",
    "error",
    // conditions
    "expr",
    "lexer",
    "parser",
    "condition",
    // reading TOML
    "reader",
    "non_answers",
    "interface",
    // the model
    "definition",
    "value",
    "pipe",
    // building and checking it
    "fine_kinds",
    "kinds",
    "hierarchy",
    "visibility",
    "check",
    "validate",
    "build",
    // using it
    "compute",
    "variants",
    "free_pairs",
    "answers",
    "form",
    "public",
    "compat",
    "stored",
];

fn survey_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/survey")
}

fn is_test_file(name: &str) -> bool {
    name == "tests.rs" || name.ends_with("_tests.rs")
}

/// Every non-test source file: (its module, its folder depth below `survey/`, whether it is a
/// folder's `mod.rs`, its path).
fn source_files() -> Vec<(String, usize, bool, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![(survey_dir(), None::<String>)];
    while let Some((dir, folder)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).expect("survey/ is readable");
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if path.is_dir() {
                stack.push((path, Some(folder.clone().unwrap_or(name))));
                continue;
            }
            if !name.ends_with(".rs") || is_test_file(&name) {
                continue;
            }
            match &folder {
                None if name == "mod.rs" => {}
                None => out.push((name.trim_end_matches(".rs").to_owned(), 0, false, path)),
                Some(module) => out.push((module.clone(), 1, name == "mod.rs", path)),
            }
        }
    }
    out
}

/// The `survey/` modules that one line of code names.
fn modules_named(line: &str, depth: usize, is_mod_rs: bool) -> Vec<String> {
    let own_level = if depth == 0 || is_mod_rs {
        "super::"
    } else {
        "super::super::"
    };
    let mut out = Vec::new();
    for prefix in [own_level, "crate::survey::"] {
        let mut rest = line;
        while let Some(i) = rest.find(prefix) {
            // `super::super::x` seen from a top-level file is not a sibling.
            let before = &rest[..i];
            rest = &rest[i + prefix.len()..];
            if prefix == "super::" && before.ends_with("super::") {
                continue;
            }
            if rest.starts_with("super::") && prefix != "crate::survey::" {
                continue;
            }
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end]
                    .split(',')
                    .map(|item| item.trim().split("::").next().unwrap_or_default())
                    .collect()
            } else {
                vec![rest
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or_default()]
            };
            out.extend(
                names
                    .into_iter()
                    .filter(|n| !n.is_empty() && n.chars().next().is_some_and(char::is_lowercase))
                    .map(str::to_owned),
            );
        }
    }
    out
}

/// Code lines before the first inline test module, without comments.
fn code_lines(source: &str) -> impl Iterator<Item = &str> {
    source
        .lines()
        .take_while(|l| !l.trim_start().starts_with("#[cfg(test)]"))
        .filter(|l| !l.trim_start().starts_with("//"))
}

#[test]
fn every_file_in_the_survey_module_has_a_layer() {
    let unranked: BTreeSet<String> = source_files()
        .into_iter()
        .map(|(m, ..)| m)
        .filter(|m| !LAYERS.contains(&m.as_str()))
        .collect();
    assert!(
        unranked.is_empty(),
        "give these survey/ modules a place in LAYERS: {unranked:?}"
    );
}

#[test]
fn files_in_the_survey_module_import_only_from_lower_layers() {
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut upward = Vec::new();
    for (module, depth, is_mod_rs, path) in source_files() {
        let source = std::fs::read_to_string(&path).expect("a readable source file");
        let Some(own) = rank(&module) else { continue };
        for (n, line) in code_lines(&source).enumerate() {
            for used in modules_named(line, depth, is_mod_rs) {
                if used == module {
                    continue;
                }
                if rank(&used).is_none_or(|r| r >= own) {
                    upward.push(format!(
                        "{}:{}: '{module}' uses '{used}'",
                        path.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

#[test]
fn the_scanner_sees_plain_grouped_and_crate_paths() {
    assert_eq!(
        modules_named("use super::definition::{Question, Survey};", 0, false),
        ["definition"]
    );
    assert_eq!(
        modules_named("use super::{answers, definition::Survey};", 0, false),
        ["answers", "definition"]
    );
    assert_eq!(
        modules_named("let x = crate::survey::build::parse(s);", 0, false),
        ["build"]
    );
    assert_eq!(
        modules_named("use super::super::answers::parse;", 1, false),
        ["answers"]
    );
    assert!(modules_named("use super::Fields;", 1, false).is_empty());
}

#[test]
fn a_file_that_imports_a_higher_layer_is_caught() {
    // `definition` ranks below `build`; naming it from `definition` would close a circle.
    let line = "        super::build::parse(toml_source)";
    let used = modules_named(line, 0, false);
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    assert!(used
        .iter()
        .any(|u| rank(u) >= rank("definition") && u != "definition"));
}
