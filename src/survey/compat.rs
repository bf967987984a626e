//! Settings only tighten: once a survey has responses, a new version of its
//! definition may fix wording and raise most anonymity settings, but may not lower any,
//! change the threshold at all (see below),
//! re-tag a question to a weaker disclosure role, or change what the stored answers mean
//! (question ids, types, options, ranges, bands, logic).

use super::definition::{Choice, QuestionKind, Role, Survey};

/// Every reason `new` cannot replace `old` once responses exist; empty when it can.
pub fn replacement_problems(old: &Survey, new: &Survey) -> Vec<String> {
    let mut problems = Vec::new();
    let lowered = |what: &str, before: u32, after: u32| {
        format!("{what} can only be raised once there are responses (was {before}, now {after})")
    };
    // Progress is shown in bands the threshold wide. Redrawn at each new width, they narrowed
    // an open survey's count to the exact number in a dozen re-imports, and then showed one
    // answer (an outside review): the width cannot move once anyone has answered.
    if new.threshold != old.threshold {
        problems.push(format!(
            "threshold cannot change once there are responses (was {}, now {}): progress is shown in bands that wide, and bands drawn again at another width would give away the exact number of responses",
            old.threshold, new.threshold
        ));
    }
    if new.min_responses < old.min_responses {
        problems.push(lowered(
            "min_responses",
            old.min_responses,
            new.min_responses,
        ));
    }
    if new.k_anonymity < old.k_anonymity {
        problems.push(lowered("k_anonymity", old.k_anonymity, new.k_anonymity));
    }
    if new.release_percent < old.release_percent {
        problems.push(lowered(
            "release_percent",
            old.release_percent,
            new.release_percent,
        ));
    }
    if new.mode != old.mode {
        problems.push("mode cannot change once there are responses".into());
    }
    problems.extend(coupon_problems(old.coupons, new.coupons));
    let old_questions: Vec<_> = old.questions().collect();
    let new_questions: Vec<_> = new.questions().collect();
    if old_questions.len() != new_questions.len()
        || old_questions
            .iter()
            .zip(&new_questions)
            .any(|(a, b)| a.id != b.id)
    {
        problems.push(
            "questions cannot be added, removed or reordered once there are responses".into(),
        );
        return problems;
    }
    for (a, b) in old_questions.iter().zip(&new_questions) {
        let id = &a.id;
        if shape(&a.kind) != shape(&b.kind) {
            problems.push(format!("question '{id}': its type, options, range or bands cannot change once there are responses"));
        }
        if a.show_if.as_ref().map(|c| c.source()) != b.show_if.as_ref().map(|c| c.source())
            || a.end_if.as_ref().map(|c| c.source()) != b.end_if.as_ref().map(|c| c.source())
        {
            problems.push(format!(
                "question '{id}': its show_if/end_if cannot change once there are responses"
            ));
        }
        if a.network_size != b.network_size {
            problems.push(format!(
                "question '{id}': it cannot become or stop being the network_size question once there are responses"
            ));
        }
        if a.non_answers() != b.non_answers() {
            problems.push(format!(
                "question '{id}': its non-answer options cannot change once there are responses"
            ));
        }
        if let (Some(before), Some(after)) = (a.role, b.role) {
            if !role_at_least(before, after) {
                problems.push(format!(
                    "question '{id}': role '{}' cannot become '{}' (a weaker disclosure role) once there are responses",
                    before.as_str(),
                    after.as_str()
                ));
            }
        }
    }
    let old_pages: Vec<_> = old
        .pages()
        .iter()
        .map(|p| p.show_if.as_ref().map(|c| c.source().to_owned()))
        .collect();
    let new_pages: Vec<_> = new
        .pages()
        .iter()
        .map(|p| p.show_if.as_ref().map(|c| c.source().to_owned()))
        .collect();
    if old_pages != new_pages {
        problems.push("pages and their show_if cannot change once there are responses".into());
    }
    problems
}

/// Every reason `new` cannot replace `old` once the survey's data has been exported. The
/// settings that decide how an export generalises — k, every question's role, option groups
/// and coarse bands — stay as they were: an export is rebuilt from the current definition, and
/// two exports of the same people under different generalisations, matched row by row on their
/// other answers, split each other's groups into groups of one (an outside review did so).
pub fn export_problems(old: &Survey, new: &Survey) -> Vec<String> {
    let mut problems = Vec::new();
    if new.k_anonymity != old.k_anonymity {
        problems.push(format!(
            "k_anonymity cannot change once the survey has been exported (was {}, now {})",
            old.k_anonymity, new.k_anonymity
        ));
    }
    for (a, b) in old.questions().zip(new.questions()) {
        let id = &a.id;
        if a.role != b.role {
            problems.push(format!(
                "question '{id}': its role cannot change once the survey has been exported"
            ));
        }
        let groups = |q: &super::definition::Question| {
            q.groups
                .iter()
                .map(|g| (g.id.clone(), g.options.clone()))
                .collect::<Vec<_>>()
        };
        if groups(a) != groups(b) || a.coarse_bands != b.coarse_bands {
            problems.push(format!(
                "question '{id}': its groups and coarse_bands cannot change once the survey has been exported"
            ));
        }
    }
    problems
}

/// Recruitment may hand out fewer coupons once responses exist, never more: more coupons make a
/// bigger tree of links. Turning coupons on would start a tree the earlier peers never joined;
/// turning them off would record people who come with a coupon as seeds, so neither is allowed.
fn coupon_problems(old: Option<u32>, new: Option<u32>) -> Option<String> {
    match (old, new) {
        (Some(before), Some(after)) if after > before => Some(format!(
            "coupons can only be lowered once there are responses (was {before}, now {after})"
        )),
        (None, Some(_)) => Some("coupons cannot be turned on once there are responses".into()),
        (Some(_), None) => Some(
            "coupons cannot be turned off once there are responses (lower them to 1, or close the survey)"
                .into(),
        ),
        _ => None,
    }
}

/// `plain` is the weakest role; `quasi` and `sensitive` are protected in different ways, so one
/// may not become the other; `free_text` is never exported and may not become anything else.
fn role_at_least(before: Role, after: Role) -> bool {
    match (before, after) {
        (a, b) if a == b => true,
        (Role::Plain, _) => true,
        _ => false,
    }
}

/// What a question's answers mean, without its wording.
fn shape(kind: &QuestionKind) -> String {
    let ids = |choices: &[Choice]| {
        choices
            .iter()
            .map(|c| {
                format!(
                    "{}{}{}",
                    c.id,
                    if c.exclusive { "!" } else { "" },
                    c.show_if.as_ref().map_or("", |s| s.source())
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    match kind {
        QuestionKind::Single { options, .. } => format!("single[{}]", ids(options)),
        QuestionKind::Multi {
            options,
            min_choices,
            max_choices,
        } => format!("multi[{}]{min_choices:?}{max_choices:?}", ids(options)),
        QuestionKind::Number {
            min, max, bands, ..
        } => format!("number{min}..{max}{bands:?}"),
        QuestionKind::Scale { min, max, .. } => format!("scale{min}..{max}"),
        QuestionKind::Likert { options } => format!("likert[{}]", ids(options)),
        QuestionKind::Grid { rows, options } => format!("grid[{}][{}]", ids(rows), ids(options)),
        QuestionKind::Date { min, max } => format!("date{min:?}{max:?}"),
        QuestionKind::Decimal {
            min,
            max,
            step,
            bands,
            ..
        } => format!("decimal{min}..{max}/{step}{bands:?}"),
        QuestionKind::Day { min, max } => format!("day{min}..{max}"),
        QuestionKind::Text { max_length } => format!("text{max_length}"),
        QuestionKind::Note => "note".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
id = "s"
title = "S"
threshold = 10
[[pages]]
title = "P"
  [[pages.questions]]
  id = "q"
  type = "single"
  role = "plain"
  text = "Question?"
  options = [ { id = "a", text = "A" }, { id = "b", text = "B" } ]
"#;

    fn parse(s: &str) -> Survey {
        Survey::parse(s).expect("parses")
    }

    #[test]
    fn wording_changes_are_allowed_and_a_threshold_change_either_way_is_not() {
        let new = BASE.replace("Question?", "A clearer question?");
        assert!(replacement_problems(&parse(BASE), &parse(&new)).is_empty());
        let raised = new.replace("threshold = 10", "threshold = 15");
        let problems = replacement_problems(&parse(BASE), &parse(&raised));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("threshold cannot change once there are responses")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_lower_release_percent_is_refused_and_a_higher_one_allowed() {
        let raised = BASE.replace("threshold = 10", "threshold = 10\nrelease_percent = 30");
        assert!(replacement_problems(&parse(BASE), &parse(&raised)).is_empty());
        let problems = replacement_problems(&parse(&raised), &parse(BASE));
        assert!(
            problems.iter().any(|p| p.contains("release_percent")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_lower_threshold_is_refused() {
        let old = BASE.replace("threshold = 10", "threshold = 15");
        let problems = replacement_problems(&parse(&old), &parse(BASE));
        assert!(
            problems.iter().any(|p| p.contains("threshold")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_weaker_role_is_refused_and_a_stronger_one_allowed() {
        let sensitive = BASE.replace("role = \"plain\"", "role = \"sensitive\"");
        assert!(replacement_problems(&parse(BASE), &parse(&sensitive)).is_empty());
        let problems = replacement_problems(&parse(&sensitive), &parse(BASE));
        assert!(
            problems.iter().any(|p| p.contains("weaker")),
            "{problems:?}"
        );
    }

    const RDS: &str = r#"
id = "s"
title = "S"
coupons = 3
[[pages]]
title = "P"
  [[pages.questions]]
  id = "known"
  type = "network_size"
  role = "plain"
  text = "How many people do you know?"
"#;

    #[test]
    fn coupons_may_be_lowered_but_not_raised_turned_on_or_turned_off() {
        let fewer = RDS.replace("coupons = 3", "coupons = 2");
        assert!(replacement_problems(&parse(RDS), &parse(&fewer)).is_empty());
        let none = RDS.replace("coupons = 3\n", "");
        for (old, new) in [
            (fewer.as_str(), RDS),
            (none.as_str(), RDS),
            (RDS, none.as_str()),
        ] {
            let problems = replacement_problems(&parse(old), &parse(new));
            assert!(
                problems.iter().any(|p| p.contains("coupons")),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn changed_options_are_refused() {
        let new = BASE.replace(
            "{ id = \"b\", text = \"B\" }",
            "{ id = \"c\", text = \"C\" }",
        );
        assert!(!replacement_problems(&parse(BASE), &parse(&new)).is_empty());
    }
}
