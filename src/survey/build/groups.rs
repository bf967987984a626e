//! Filling in `group:id` in conditions (`area in group:north`) with the options of that group
//! of the question, once every question is read. An unknown group stays empty, never matches,
//! and is reported by the condition check.

use super::super::condition::Condition;
use super::super::definition::Survey;
use super::super::expr::Literal;

pub(super) fn fill_in(survey: &mut Survey) {
    let groups: Vec<(String, String, Vec<String>)> = survey
        .questions()
        .flat_map(|q| {
            q.groups
                .iter()
                .map(|g| (q.id.to_string(), g.id.clone(), g.options.clone()))
        })
        .collect();
    let fill = |c: &mut Condition| {
        for cmp in c.expr.comparisons_mut() {
            let question = cmp.target.question.clone();
            for lit in &mut cmp.values {
                if let Literal::Group { id, options } = lit {
                    if let Some((.., members)) =
                        groups.iter().find(|(q, g, _)| *q == question && g == id)
                    {
                        options.clone_from(members);
                    }
                }
            }
        }
    };
    for page in &mut survey.pages {
        page.show_if.iter_mut().for_each(fill);
        for q in &mut page.questions {
            q.show_if.iter_mut().for_each(fill);
            q.end_if.iter_mut().for_each(fill);
            for (when, _) in &mut q.implied {
                fill(when);
            }
            for c in &mut q.checks {
                fill(&mut c.holds);
            }
            if let Some(super::super::definition::Compute::Classify(rules)) = &mut q.compute {
                for (_, when) in rules {
                    fill(when);
                }
            }
            for o in kind_options_mut(&mut q.kind) {
                o.show_if.iter_mut().for_each(fill);
            }
        }
    }
}

fn kind_options_mut(
    kind: &mut super::super::definition::QuestionKind,
) -> &mut [super::super::definition::Choice] {
    use super::super::definition::QuestionKind;
    match kind {
        QuestionKind::Single { options, .. }
        | QuestionKind::Multi { options, .. }
        | QuestionKind::Likert { options } => options,
        _ => &mut [],
    }
}
