//! The page-by-page flow without server-side state: everything answered so far travels in the
//! form as hidden fields; each request re-parses it against the definition and decides which
//! page comes next. Answers to questions that a changed answer hides keep travelling (so
//! changing the answer back restores them) but are never sent, and the review says so.

use crate::survey::answers::parse_partial;
use crate::survey::{form, QuestionId, QuestionKind, Response, Survey};
use std::collections::BTreeMap;

/// Names of the flow's own fields. Question ids start with a letter, so `_` cannot clash.
pub const CODE: &str = "_code";
pub const LANG: &str = "_lang";
pub const PAGE: &str = "_page";
pub const GO: &str = "_go";
/// Set on a page reached by "Change" on the review: its main button returns to the review.
pub const RETURN: &str = "_ret";
/// A kiosk's link token, on every form of a survey answered on a shared tablet.
pub const KIOSK: &str = "_kiosk";
/// The page was showing problems when this form was sent (so a language switch keeps them).
pub const PROBLEMS: &str = "_problems";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Go {
    /// From the landing page to the first page.
    Start,
    Next,
    Back,
    /// Straight to the review step (from a page reached by "Change").
    Review,
    /// "Change" on the review step.
    Page(usize),
}

/// A posted form, split into the flow's fields and the answer fields.
pub struct Posted {
    pub code: String,
    pub lang: Option<String>,
    pub page: Option<usize>,
    pub go: Go,
    /// A language button on the landing page.
    pub switch_language: Option<String>,
    /// The page was reached by "Change" on the review step.
    pub from_review: bool,
    /// Answered on a kiosk's tablet: its link's token, as posted (not yet checked).
    pub kiosk: Option<String>,
    /// The page was showing its problems: shown again in the language switched to.
    pub showing_problems: bool,
    pub answer_fields: Vec<(String, String)>,
}

impl Posted {
    pub fn from_fields(fields: Vec<(String, String)>) -> Posted {
        let mut posted = Posted {
            code: String::new(),
            lang: None,
            page: None,
            go: Go::Next,
            switch_language: None,
            from_review: false,
            kiosk: None,
            showing_problems: false,
            answer_fields: Vec::new(),
        };
        for (name, value) in fields {
            match name.as_str() {
                CODE => posted.code = value,
                LANG => posted.lang = Some(value),
                PAGE => posted.page = value.parse().ok(),
                RETURN => posted.from_review = value == "review",
                KIOSK => posted.kiosk = Some(value),
                PROBLEMS => posted.showing_problems = value == "1",
                GO if value.starts_with("lang-") => {
                    posted.switch_language = Some(value["lang-".len()..].to_owned());
                }
                GO => {
                    posted.go = match value.as_str() {
                        "start" => Go::Start,
                        "back" => Go::Back,
                        "review" => Go::Review,
                        other => other
                            .strip_prefix("page-")
                            .and_then(|n| n.parse().ok())
                            .map_or(Go::Next, Go::Page),
                    }
                }
                _ if name.starts_with('_') => {}
                _ => posted.answer_fields.push((name, value)),
            }
        }
        posted
    }
}

/// What the posted answers amount to.
pub struct Answers {
    /// Raw fields of questions that are shown (values kept as typed, even invalid ones): what
    /// "Send" sends.
    pub fields: Vec<(String, String)>,
    /// Raw fields of every question, shown or not: what travels from page to page.
    pub carried: Vec<(String, String)>,
    /// The valid answers of shown questions.
    pub response: Response,
    /// Questions whose answer did not parse.
    pub invalid: BTreeMap<QuestionId, Vec<String>>,
}

impl Answers {
    pub fn parse(survey: &Survey, fields: Vec<(String, String)>) -> Answers {
        let carried: Vec<(String, String)> = fields
            .into_iter()
            .filter(|(name, _)| {
                survey
                    .question(question_of(name))
                    .is_some_and(|q| !q.is_note())
            })
            .collect();
        let json = form::to_json(survey, &carried);
        let (response, invalid) = parse_partial(survey, &json);
        let fields = carried
            .iter()
            .filter(|(name, _)| {
                survey
                    .question(question_of(name))
                    .is_some_and(|q| survey.question_visible(q, &response))
            })
            .cloned()
            .collect();
        Answers {
            fields,
            carried,
            response,
            invalid,
        }
    }

    /// Whether some answers belong to questions that are no longer shown (and so won't be sent).
    pub fn some_set_aside(&self) -> bool {
        self.carried.len() > self.fields.len()
    }

    /// Problems on one page that stop the person moving on: invalid answers, and required
    /// questions (or grid rows) left empty.
    pub fn problems_on_page(&self, survey: &Survey, page: usize) -> Vec<(QuestionId, Problem)> {
        let Some(p) = survey.pages().get(page) else {
            return Vec::new();
        };
        p.questions
            .iter()
            .filter(|q| survey.question_visible(q, &self.response))
            .filter_map(|q| {
                if self.invalid.contains_key(&q.id) {
                    return Some((q.id.clone(), Problem::Invalid));
                }
                if !q.required {
                    return None;
                }
                let missing = match (self.response.get(q.id.as_str()), &q.kind) {
                    (None, _) => true,
                    (Some(crate::survey::Answer::Grid(cells)), QuestionKind::Grid { rows, .. }) => {
                        rows.iter().any(|r| !cells.contains_key(&r.id))
                    }
                    _ => false,
                };
                missing.then(|| (q.id.clone(), Problem::Required))
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    Invalid,
}

/// The question a field belongs to (`grid.row` fields belong to `grid`).
pub fn question_of(name: &str) -> &str {
    name.split('.').next().unwrap_or("")
}

/// Whether a page shows anything, given the answers.
pub fn has_content(survey: &Survey, page: usize, response: &Response) -> bool {
    survey.page_visible(page, response)
        && survey.pages()[page]
            .questions
            .iter()
            .any(|q| survey.question_visible(q, response))
}

/// The page after `from` (the first page when `None`); `None` means on to the review step,
/// because the survey ended or there is nothing left to show.
pub fn next_page(survey: &Survey, from: Option<usize>, response: &Response) -> Option<usize> {
    let start = from.map_or(0, |p| p + 1);
    if let (Some(from), Some(ended)) = (from, survey.ended_after(response)) {
        if survey.page_of(ended.as_str()).is_some_and(|p| p <= from) {
            return None;
        }
    }
    (start..survey.pages().len()).find(|&p| has_content(survey, p, response))
}

/// The page before `from`, if any.
pub fn previous_page(survey: &Survey, from: usize, response: &Response) -> Option<usize> {
    (0..from.min(survey.pages().len()))
        .rev()
        .find(|&p| has_content(survey, p, response))
}

/// Pages still to come after `current`, as far as the answers so far tell, for the progress
/// indicator and the "Next" / "Check your answers" label. A page counts unless the answers
/// already given rule it out, so the total only shrinks as branches close and never jumps up
/// when a page is skipped in. Unlike `next_page` this ignores an `end_if` not yet fired: a
/// consent question not yet answered should not make the survey look one page long.
pub fn pages_after(survey: &Survey, current: usize, response: &Response) -> usize {
    // Only an answer given ends the survey here ("consent != 'yes'" holds before any answer).
    if survey
        .ended_after(response)
        .is_some_and(|q| response.get(q.as_str()).is_some())
    {
        return 0;
    }
    let may_hold = |c: &Option<crate::survey::Condition>| {
        c.as_ref().is_none_or(|c| {
            c.evaluate(response)
                || c.referenced_questions()
                    .iter()
                    .any(|q| response.get(q).is_none())
        })
    };
    survey
        .pages()
        .iter()
        .skip(current + 1)
        .filter(|p| may_hold(&p.show_if) && p.questions.iter().any(|q| may_hold(&q.show_if)))
        .count()
}

/// The pages the person will see, for "page n of m".
pub fn visible_pages(survey: &Survey, response: &Response) -> Vec<usize> {
    let mut pages = Vec::new();
    let mut at = next_page(survey, None, response);
    while let Some(p) = at {
        pages.push(p);
        at = next_page(survey, Some(p), response);
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Survey {
        Survey::parse(include_str!("../../../surveys/demo.toml")).expect("demo parses")
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn flow_fields_are_separated_from_answers() {
        let posted = Posted::from_fields(fields(&[
            ("_code", "ABC"),
            ("_go", "page-3"),
            ("_page", "2"),
            ("consent", "yes"),
            ("_other", "x"),
        ]));
        assert_eq!(posted.code, "ABC");
        assert_eq!(posted.go, Go::Page(3));
        assert_eq!(posted.page, Some(2));
        assert_eq!(posted.answer_fields, fields(&[("consent", "yes")]));
    }

    #[test]
    fn declining_consent_goes_straight_to_the_review() {
        let survey = demo();
        let answers = Answers::parse(&survey, fields(&[("consent", "no")]));
        assert_eq!(next_page(&survey, Some(0), &answers.response), None);
        let answers = Answers::parse(&survey, fields(&[("consent", "yes")]));
        assert_eq!(next_page(&survey, Some(0), &answers.response), Some(1));
    }

    #[test]
    fn a_page_whose_questions_are_all_hidden_is_skipped_both_ways() {
        let survey = demo();
        let injecting = survey
            .pages()
            .iter()
            .position(|p| p.id == "injecting")
            .expect("page");
        let no = Answers::parse(
            &survey,
            fields(&[("consent", "yes"), ("injected_3m", "no")]),
        );
        assert!(!visible_pages(&survey, &no.response).contains(&injecting));
        assert_eq!(
            next_page(&survey, Some(injecting - 1), &no.response),
            Some(injecting + 1)
        );
        assert_eq!(
            previous_page(&survey, injecting + 1, &no.response),
            Some(injecting - 1)
        );
        let yes = Answers::parse(
            &survey,
            fields(&[("consent", "yes"), ("injected_3m", "yes")]),
        );
        assert_eq!(
            next_page(&survey, Some(injecting - 1), &yes.response),
            Some(injecting)
        );
    }

    #[test]
    fn answers_to_questions_no_longer_shown_are_dropped() {
        let survey = demo();
        let answers = Answers::parse(
            &survey,
            fields(&[
                ("consent", "yes"),
                ("injected_3m", "no"),
                ("equipment_source", "nsp"),
            ]),
        );
        assert!(answers.fields.iter().all(|(n, _)| n != "equipment_source"));
        assert!(answers.response.get("equipment_source").is_none());
        assert!(answers.some_set_aside());
    }

    #[test]
    fn answers_to_hidden_questions_keep_travelling_so_changing_back_restores_them() {
        let survey = demo();
        let hidden = Answers::parse(
            &survey,
            fields(&[("consent", "no"), ("age", "31"), ("gender", "woman")]),
        );
        assert_eq!(hidden.fields, fields(&[("consent", "no")]));
        assert_eq!(hidden.carried.len(), 3);
        let restored = Answers::parse(
            &survey,
            fields(&[("consent", "yes"), ("age", "31"), ("gender", "woman")]),
        );
        assert_eq!(restored.fields.len(), 3);
        assert!(!restored.some_set_aside());
    }

    #[test]
    fn the_page_total_never_grows_as_branches_open() {
        let survey = demo();
        let none = Answers::parse(&survey, fields(&[("consent", "yes")]));
        let before = pages_after(&survey, 0, &none.response);
        let all = Answers::parse(
            &survey,
            fields(&[
                ("consent", "yes"),
                ("injected_3m", "yes"),
                ("police_contact", "yes"),
                ("naloxone_carry", "never"),
                ("ost", "current"),
            ]),
        );
        assert_eq!(pages_after(&survey, 0, &all.response), before);
        let no = Answers::parse(
            &survey,
            fields(&[("consent", "yes"), ("injected_3m", "no")]),
        );
        assert_eq!(pages_after(&survey, 0, &no.response), before - 1);
    }

    #[test]
    fn an_invalid_value_is_kept_as_typed_and_reported_on_its_page() {
        let survey = demo();
        let answers = Answers::parse(&survey, fields(&[("consent", "yes"), ("age", "abc")]));
        assert!(answers
            .fields
            .contains(&("age".to_string(), "abc".to_string())));
        let problems = answers.problems_on_page(&survey, 1);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].1, Problem::Invalid);
    }

    #[test]
    fn a_required_question_left_empty_is_a_problem_only_on_its_page() {
        let survey = demo();
        let answers = Answers::parse(&survey, Vec::new());
        assert_eq!(answers.problems_on_page(&survey, 0).len(), 1);
        assert!(answers.problems_on_page(&survey, 1).is_empty());
    }
}
