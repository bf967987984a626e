//! Which pages and questions are shown, given the answers so far.
//!
//! Evaluated in definition order: a page is shown if the survey has not ended and its `show_if`
//! holds; a question is shown if its page is, the survey has not ended, and its `show_if` holds.
//! Conditions only ever see answers to questions that were themselves shown. After a shown
//! question's `end_if` holds, nothing later is shown.

use std::collections::BTreeMap;

use super::condition::Condition;
use super::definition::{Check, Choice, Question, Survey};
use super::expr::{Expr, Literal, Op, Target, Val};
use super::ids::QuestionId;
use super::response::{Answer, Response};

/// The result of walking the survey once.
pub(super) struct Flow {
    pub(super) pages: Vec<bool>,
    /// One entry per question, in definition order.
    pub(super) questions: Vec<bool>,
    pub(super) ended_after: Option<QuestionId>,
}

fn holds(c: &Condition, seen: &BTreeMap<&str, &Answer>) -> bool {
    c.expr.eval(&|t: &Target| {
        seen.get(t.question.as_str())
            .and_then(|a| Val::of(a, t.row.as_deref()))
    })
}

impl Survey {
    pub(super) fn flow(&self, answers: &Response) -> Flow {
        let mut seen: BTreeMap<&str, &Answer> = BTreeMap::new();
        let mut flow = Flow {
            pages: Vec::with_capacity(self.pages.len()),
            questions: Vec::new(),
            ended_after: None,
        };
        for page in &self.pages {
            let page_shown =
                flow.ended_after.is_none() && page.show_if.as_ref().is_none_or(|c| holds(c, &seen));
            flow.pages.push(page_shown);
            for q in &page.questions {
                let shown = page_shown
                    && flow.ended_after.is_none()
                    && q.show_if.as_ref().is_none_or(|c| holds(c, &seen));
                flow.questions.push(shown);
                if !shown {
                    continue;
                }
                if let Some(a) = answers.get(q.id.as_str()) {
                    seen.insert(q.id.as_str(), a);
                }
                if q.end_if.as_ref().is_some_and(|c| holds(c, &seen)) {
                    flow.ended_after = Some(q.id.clone());
                }
            }
        }
        flow
    }

    /// Whether page `page_index` is shown given `answers` (false for an unknown index).
    pub fn page_visible(&self, page_index: usize, answers: &Response) -> bool {
        self.flow(answers)
            .pages
            .get(page_index)
            .copied()
            .unwrap_or(false)
    }

    /// Page `show_if` and question `show_if` hold, and no earlier `end_if` fired.
    pub fn question_visible(&self, q: &Question, answers: &Response) -> bool {
        let Some(i) = self.questions().position(|x| x.id == q.id) else {
            return false;
        };
        self.flow(answers)
            .questions
            .get(i)
            .copied()
            .unwrap_or(false)
    }

    /// The question whose `end_if` fired, if any.
    pub fn ended_after(&self, answers: &Response) -> Option<QuestionId> {
        self.flow(answers).ended_after
    }

    /// `answers` without the answers to questions that are not shown, and without options
    /// whose own `show_if` does not hold (a multi-select left with none is dropped).
    pub fn visible_answers(&self, answers: &Response) -> Response {
        self.visible_answers_in(answers, &self.flow(answers))
    }

    /// [`Survey::visible_answers`] for a `flow` already worked out from the same `answers`
    /// (a submission needs both, and need not walk the survey twice).
    pub(super) fn visible_answers_in(&self, answers: &Response, flow: &Flow) -> Response {
        let shown: Vec<(&Question, &Answer)> = self
            .questions()
            .zip(flow.questions.iter().copied())
            .filter(|(_, shown)| *shown)
            .filter_map(|(q, _)| answers.get(q.id.as_str()).map(|a| (q, a)))
            .collect();
        // Option conditions refer to earlier pages only, so the answers shown decide them all:
        // one map for every option, not a flow per option (this runs on every submission).
        let seen: BTreeMap<&str, &Answer> =
            shown.iter().map(|(q, a)| (q.id.as_str(), *a)).collect();
        let offered = |q: &Question, o: &str| {
            q.option(o)
                .and_then(|o| o.show_if.as_ref())
                .is_none_or(|c| holds(c, &seen))
        };
        let mut kept = Response::default();
        for (q, a) in shown {
            let a = match a {
                Answer::Choice(c) if !offered(q, c) => None,
                Answer::Choices(cs) => {
                    let left: Vec<String> = cs.iter().filter(|c| offered(q, c)).cloned().collect();
                    (!left.is_empty()).then_some(Answer::Choices(left))
                }
                other => Some(other.clone()),
            };
            if let Some(a) = a {
                kept.insert(q.id.clone(), a);
            }
        }
        kept
    }

    /// The checks of `q` that fail given `answers` (only those whose questions all have an
    /// answer that is not a non-answer, and only when `q` is shown). Pages show each check's
    /// `message` in the peer's language.
    pub fn failed_checks<'s>(&'s self, q: &'s Question, answers: &Response) -> Vec<&'s Check> {
        if q.checks.is_empty() {
            return Vec::new();
        }
        let shown = self.visible_answers(answers);
        let answered = |id: &str| {
            shown
                .get(id)
                .is_some_and(|a| !matches!(a, Answer::NonAnswer(_)))
        };
        if !answered(q.id.as_str()) {
            return Vec::new();
        }
        q.checks
            .iter()
            .filter(|c| {
                let names = c.holds.expr.comparisons().into_iter().flat_map(|cmp| {
                    std::iter::once(cmp.target.question.as_str()).chain(
                        cmp.values.iter().filter_map(|l| match l {
                            Literal::Answer(t) => Some(t.question.as_str()),
                            _ => None,
                        }),
                    )
                });
                let mut names = names.collect::<Vec<_>>().into_iter();
                names.all(answered) && !c.holds.evaluate(&shown)
            })
            .collect()
    }

    /// Whether option `option` of `q` is offered, given `answers` (its own `show_if`).
    pub fn option_visible(&self, q: &Question, option: &str, answers: &Response) -> bool {
        q.option(option)
            .and_then(|o| o.show_if.as_ref())
            .is_none_or(|c| {
                let flow = self.flow(answers);
                let seen: BTreeMap<&str, &Answer> = self
                    .questions()
                    .zip(flow.questions)
                    .filter(|(_, shown)| *shown)
                    .filter_map(|(q, _)| answers.get(q.id.as_str()).map(|a| (q.id.as_str(), a)))
                    .collect();
                holds(c, &seen)
            })
    }

    /// The options of `q` offered given `answers`, in order (all of them for a grid's scale).
    pub fn visible_options<'s>(&'s self, q: &'s Question, answers: &Response) -> Vec<&'s Choice> {
        q.kind
            .options()
            .iter()
            .filter(|o| self.option_visible(q, &o.id, answers))
            .collect()
    }
}

/// How a question whose `show_if` names a question above it on its own page is shown: the
/// page cannot know the answer before it is sent, so it shows the question with a hint, and a
/// script may show and hide it as the peer answers when the condition is simple enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnSamePage {
    /// The question above it that decides.
    pub trigger: QuestionId,
    /// When the condition is only "the trigger's answer is one of these options" (`==`, `in`,
    /// `includes`, a group): those options. `None` for anything else.
    pub options: Option<Vec<String>>,
}

impl Survey {
    /// For a question that depends on an answer given on its own page: which, and how. In
    /// `a and b and …`, the parts about earlier pages are decided before the page is shown (see
    /// `may_show_on_page`), so a single simple part about the page is enough for the script.
    pub fn on_same_page(&self, q: &Question) -> Option<OnSamePage> {
        let cond = q.show_if.as_ref()?;
        let page = self.page_of(q.id.as_str())?;
        let here = |e: &Expr| {
            e.comparisons()
                .iter()
                .any(|c| self.page_of(&c.target.question) == Some(page))
        };
        let trigger = cond
            .referenced_questions()
            .into_iter()
            .find(|id| self.page_of(id) == Some(page))
            .and_then(|id| self.question(id))?
            .id
            .clone();
        let on_page: Vec<&Expr> = match &cond.expr {
            Expr::And(parts) => parts.iter().filter(|p| here(p)).collect(),
            other => vec![other],
        };
        let options = match on_page.as_slice() {
            [Expr::Cmp(cmp)]
                if cmp.target.row.is_none()
                    && cmp.target.question == trigger.as_str()
                    && matches!(cmp.op, Op::Eq | Op::In | Op::Includes) =>
            {
                let mut ids = Vec::new();
                for lit in &cmp.values {
                    match lit {
                        Literal::Str(s) => ids.push(s.clone()),
                        Literal::Group { options, .. } => ids.extend(options.iter().cloned()),
                        _ => {
                            return Some(OnSamePage {
                                trigger,
                                options: None,
                            })
                        }
                    }
                }
                Some(ids)
            }
            _ => None,
        };
        Some(OnSamePage { trigger, options })
    }

    /// Whether a question that depends on its own page may still be shown given the answers
    /// from earlier pages: in `a and b and …`, every part about earlier pages holds.
    pub fn may_show_on_page(&self, q: &Question, answers: &Response) -> bool {
        let (Some(cond), Some(page)) = (q.show_if.as_ref(), self.page_of(q.id.as_str())) else {
            return true;
        };
        let Expr::And(parts) = &cond.expr else {
            return true;
        };
        let shown = self.visible_answers(answers);
        parts
            .iter()
            .filter(|p| {
                p.comparisons()
                    .iter()
                    .all(|c| self.page_of(&c.target.question) != Some(page))
            })
            .all(|p| {
                p.eval(&|t: &Target| {
                    shown
                        .get(t.question.as_str())
                        .and_then(|a| Val::of(a, t.row.as_deref()))
                })
            })
    }
}
