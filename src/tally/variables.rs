//! The variables of a survey: which closed questions (or parts of them) get tables, their
//! categories, and how an answer maps to a category.

use crate::survey::{
    Answer, Band, Choice, Decimal, DecimalBand, GridCell, NonAnswer, Question, QuestionKind, Survey,
};

use super::labels::{band_words, Axis, Category, Label, Translations};

/// A category code; `NONE` means the record is not in this variable's tables (not shown,
/// skipped, or, for a grid row, that row left out).
pub(super) type Code = u16;
pub(super) const NONE: Code = Code::MAX;

/// Dates are coded by year first (year − 1000), and recoded once every year is known.
const YEAR_BASE: u16 = 1000;
const YEAR_SPAN: u16 = 9000;

/// How an answer becomes a category code.
#[derive(Debug)]
pub(super) enum Coder {
    /// Single or Likert: the option's position.
    Choice(Lookup),
    /// A grid row: the chosen option's position.
    GridRow { row: String, options: Lookup },
    /// A multi-select option: 0 selected, 1 not selected.
    MultiOption { option: String },
    /// A banded number: the band's position, or the "outside the bands" category.
    Bands {
        bands: Vec<Band>,
        outside: Option<Code>,
    },
    /// A banded decimal number: the band's position, or the "outside the bands" category.
    DecimalBands {
        bands: Vec<DecimalBand>,
        outside: Option<Code>,
    },
    /// A numeric scale: the point's offset from `min`.
    Points { min: i64, max: i64 },
    /// A date whose definition declares both ends: its year's offset from the first year.
    /// Known before any answer is read, so a date on a repeating page gets its tables too.
    DeclaredYears { first: u16, last: u16 },
    /// A date, by year; coded as year − 1000 until [`Variable::finish_years`].
    Years,
    /// A question of a repeating page, merged over its instances: 0 when some instance's
    /// answer is in `category` of the first instance's variable, 1 when an instance was
    /// answered but none in it. The smallest code over the instances wins.
    AnyInstance {
        inner: Box<Variable>,
        category: Code,
    },
}

/// Option ids sorted for binary search, with each option's position.
#[derive(Debug)]
pub(super) struct Lookup(Vec<(String, Code)>);

impl Lookup {
    fn new(options: &[Choice]) -> Lookup {
        let mut v: Vec<(String, Code)> = options
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), code(i)))
            .collect();
        v.sort();
        Lookup(v)
    }

    fn find(&self, id: &str) -> Code {
        self.0
            .binary_search_by(|(o, _)| o.as_str().cmp(id))
            .ok()
            .and_then(|i| self.0.get(i))
            .map_or(NONE, |(_, c)| *c)
    }
}

/// A year's offset from `first`, or `NONE` outside the declared years.
fn declared_year(year: u16, first: u16, last: u16) -> Code {
    if (first..=last).contains(&year) {
        year - first
    } else {
        NONE
    }
}

fn code(i: usize) -> Code {
    Code::try_from(i).unwrap_or(NONE)
}

/// One variable: an axis (id, labels, categories) and its coder.
#[derive(Debug)]
pub(super) struct Variable {
    pub(super) axis: Axis,
    pub(super) coder: Coder,
    /// Non-answers offered, in order; their categories follow the substantive ones.
    non_answers: Vec<NonAnswer>,
    /// Position of the first non-answer category (for dates, known after the scan).
    non_answer_base: Code,
    /// Whether the variable takes one category per record (everything but multi options),
    /// and so enters two-way tables.
    pub(super) single_valued: bool,
    /// The declared year range of a date question.
    years: (Option<u16>, Option<u16>),
}

impl Variable {
    /// The category of `answer`, or `NONE`.
    pub(super) fn code(&self, answer: &Answer) -> Code {
        if let Coder::AnyInstance { inner, category } = &self.coder {
            return match inner.code(answer) {
                NONE => NONE,
                c if c == *category => 0,
                _ => 1,
            };
        }
        if let Answer::NonAnswer(n) = answer {
            return self.non_answer(*n);
        }
        match (&self.coder, answer) {
            (Coder::Choice(options), Answer::Choice(id)) => options.find(id),
            (Coder::GridRow { row, options }, Answer::Grid(cells)) => match cells.get(row) {
                Some(GridCell::Choice(id)) => options.find(id),
                Some(GridCell::NonAnswer(n)) => self.non_answer(*n),
                None => NONE,
            },
            (Coder::MultiOption { option }, Answer::Choices(chosen)) => {
                if chosen.iter().any(|c| c == option) {
                    0
                } else {
                    1
                }
            }
            (Coder::Bands { bands, outside }, Answer::Number(n)) => bands
                .iter()
                .position(|b| b.contains(*n))
                .map_or(outside.unwrap_or(NONE), code),
            (Coder::DecimalBands { bands, outside }, Answer::Decimal(d)) => bands
                .iter()
                .position(|b| b.contains(*d))
                .map_or(outside.unwrap_or(NONE), code),
            (Coder::DeclaredYears { first, last }, Answer::Month(m)) => {
                declared_year(m.year(), *first, *last)
            }
            (Coder::DeclaredYears { first, last }, Answer::Day(d)) => {
                declared_year(d.year(), *first, *last)
            }
            (Coder::Points { min, max }, Answer::Number(n)) if (*min..=*max).contains(n) => {
                Code::try_from(n - min).unwrap_or(NONE)
            }
            (Coder::Years, Answer::Month(m)) => m.year().checked_sub(YEAR_BASE).unwrap_or(NONE),
            (Coder::Years, Answer::Day(d)) => d.year().checked_sub(YEAR_BASE).unwrap_or(NONE),
            _ => NONE,
        }
    }

    /// For a single-choice or Likert question's variable, the answer each category stands for
    /// (an option, then each non-answer); `None` for any other variable.
    pub(super) fn choice_answers(&self) -> Option<Vec<Answer>> {
        if !matches!(self.coder, Coder::Choice(_)) {
            return None;
        }
        let base = usize::from(self.non_answer_base);
        let options = self
            .axis
            .categories
            .iter()
            .take(base)
            .map(|c| Answer::Choice(c.id.clone()));
        let non_answers = self.non_answers.iter().map(|n| Answer::NonAnswer(*n));
        Some(options.chain(non_answers).collect())
    }

    fn non_answer(&self, n: NonAnswer) -> Code {
        let base = match self.coder {
            Coder::Years => YEAR_SPAN,
            _ => self.non_answer_base,
        };
        self.non_answers
            .iter()
            .position(|x| *x == n)
            .map_or(NONE, |i| base.saturating_add(code(i)))
    }

    /// For a date: fixes the year categories (the declared range, widened to the years seen
    /// when a bound is not declared) and recodes `codes` from years to categories.
    pub(super) fn finish_years(&mut self, codes: &mut [Code]) {
        if !matches!(self.coder, Coder::Years) {
            return;
        }
        let seen = codes
            .iter()
            .filter(|c| **c < YEAR_SPAN)
            .map(|c| c + YEAR_BASE);
        let (lo_seen, hi_seen) =
            seen.fold((None, None), |(lo, hi): (Option<u16>, Option<u16>), y| {
                (
                    Some(lo.map_or(y, |l| l.min(y))),
                    Some(hi.map_or(y, |h| h.max(y))),
                )
            });
        let lo = self.years.0.or(lo_seen);
        let hi = self.years.1.or(hi_seen).or(lo);
        let years: Vec<u16> = match (lo, hi) {
            (Some(lo), Some(hi)) if lo <= hi => (lo..=hi).collect(),
            _ => Vec::new(),
        };
        let first = years.first().copied().unwrap_or(0);
        let count = code(years.len());
        for c in codes.iter_mut() {
            *c = if *c < YEAR_SPAN {
                let y = *c + YEAR_BASE;
                if (first..first.saturating_add(count)).contains(&y) {
                    y - first
                } else {
                    NONE
                }
            } else if *c == NONE {
                NONE
            } else {
                count.saturating_add(*c - YEAR_SPAN)
            };
        }
        let mut categories: Vec<Category> = years
            .iter()
            .map(|y| Category {
                id: y.to_string(),
                label: Label::Year { year: *y },
                parts: Vec::new(),
            })
            .collect();
        categories.extend(non_answer_categories(&self.non_answers));
        self.axis.categories = categories;
        self.non_answer_base = count;
    }
}

fn non_answer_categories(non_answers: &[NonAnswer]) -> impl Iterator<Item = Category> + '_ {
    non_answers.iter().map(|n| Category {
        id: n.as_str().to_owned(),
        label: Label::NonAnswer { non_answer: *n },
        parts: Vec::new(),
    })
}

fn option_categories(options: &[Choice]) -> Vec<Category> {
    options
        .iter()
        .map(|o| Category {
            id: o.id.clone(),
            label: Label::Option {
                text: Translations::from(&o.text),
            },
            parts: Vec::new(),
        })
        .collect()
}

/// Every variable of `survey`, in definition order. Text questions, notes and numbers without
/// bands have none; a grid has one per row; a multi-select question one per option.
/// Every variable, with the positions of the questions whose answers it counts (one, or every
/// instance of a question on a repeating page).
pub(super) fn variables(survey: &Survey) -> Vec<(Vec<usize>, Variable)> {
    let mut out = Vec::new();
    let questions: Vec<&Question> = survey.questions().collect();
    for (qi, q) in questions.iter().enumerate() {
        if let Some(of) = &q.instance {
            if of.number == 1 {
                let instances = instances_of(&questions, of);
                for v in of_instances(q, &of.group) {
                    out.push((instances.clone(), v));
                }
            }
            continue;
        }
        for mut v in of_question(q) {
            // A grid with typed columns has a variable per cell: crossing each with every
            // other variable would multiply the catalogue (and its audit) by the grid's size.
            v.single_valued &= q.cell.is_none();
            out.push((vec![qi], v));
        }
    }
    out
}

/// A banded number's categories: each band (`id`, label), then "outside the bands" unless the
/// bands cover every value the question allows — with that category's code.
fn band_categories(
    bands: impl Iterator<Item = (String, Label)>,
    covered: bool,
) -> (Vec<Category>, Option<Code>) {
    let mut categories: Vec<Category> = bands
        .map(|(id, label)| Category {
            id,
            label,
            parts: Vec::new(),
        })
        .collect();
    let outside = (!covered).then(|| {
        categories.push(Category {
            id: "outside_bands".into(),
            label: Label::OutsideBands,
            parts: Vec::new(),
        });
        code(categories.len() - 1)
    });
    (categories, outside)
}

/// A date's variable with one category per declared year.
fn declared_years(
    make: impl Fn(String, Option<Translations>, Vec<Category>, Coder, bool) -> Variable,
    id: String,
    first: u16,
    last: u16,
) -> Variable {
    let categories = (first..=last)
        .map(|y| Category {
            id: y.to_string(),
            label: Label::Year { year: y },
            parts: Vec::new(),
        })
        .collect();
    make(
        id,
        None,
        categories,
        Coder::DeclaredYears { first, last },
        true,
    )
}

/// Whether every value a decimal question allows (`min` plus whole steps, up to `max`) falls
/// in one of its bands (ordered and apart, as the definition checks). When unsure, no: an
/// "outside the bands" category that stays empty costs nothing.
fn decimal_bands_cover(bands: &[DecimalBand], min: Decimal, max: Decimal, step: Decimal) -> bool {
    let (Some(first), Some(last)) = (bands.first(), bands.last()) else {
        return false;
    };
    first.lo <= min
        && last.hi >= max
        && bands
            .windows(2)
            .all(|w| w[0].hi.on_step(min, step) && w[1].lo <= w[0].hi.plus(step))
}

/// The positions of every instance of the question `of` is an instance of.
fn instances_of(questions: &[&Question], of: &crate::survey::InstanceOf) -> Vec<usize> {
    questions
        .iter()
        .enumerate()
        .filter(|(_, o)| {
            o.instance
                .as_ref()
                .is_some_and(|i| i.group == of.group && i.question == of.question)
        })
        .map(|(i, _)| i)
        .collect()
}

/// The name of a repeating page's variable merged over its instances: `group.name`, from the
/// first instance's variable `group_1__name`.
fn merged_name(base: &Variable, group: &str) -> String {
    let prefix = format!("{group}_1__");
    let name = base
        .axis
        .variable
        .strip_prefix(&prefix)
        .unwrap_or(&base.axis.variable);
    format!("{group}.{name}")
}

/// Each single-valued question of a repeating page as the rule its "in some instance" tables
/// keep: the tables' question, its categories' variables, and how many instances there are.
/// Everyone those tables count gave at least one of its categories and at most one per
/// instance — with one instance, exactly one, like a multi-select question allowing one option
/// (`choices.rs`).
pub(super) fn instance_choices(survey: &Survey) -> Vec<(String, Vec<String>, usize)> {
    let questions: Vec<&Question> = survey.questions().collect();
    let mut out = Vec::new();
    for q in &questions {
        let Some(of) = q.instance.as_ref().filter(|of| of.number == 1) else {
            continue;
        };
        let instances = instances_of(&questions, of).len();
        for base in of_question(q) {
            if !base.single_valued || matches!(base.coder, Coder::Years) {
                continue;
            }
            let name = merged_name(&base, &of.group);
            let options = base
                .axis
                .categories
                .iter()
                .map(|c| format!("{name}.{}", c.id))
                .collect();
            // The family audit finds the rule by the tables' question (`Axis::question`).
            out.push((base.axis.question.clone(), options, instances));
        }
    }
    out
}

/// The variables of a question on a repeating page, over all its instances. One person may
/// answer several instances, which are not independent: each table counts *people* — those
/// with at least one instance in the category ("selected") against those who answered an
/// instance but never in it ("not selected") — so that a person is counted once per table and
/// the threshold and noise protect people, as everywhere else. Like multi-select options,
/// these are one-way tables only.
fn of_instances(q: &Question, group: &str) -> Vec<Variable> {
    let mut out = Vec::new();
    for (bi, base) in of_question(q).iter().enumerate() {
        if matches!(base.coder, Coder::Years) {
            // Years are only known after the scan; a date on a repeating page has no table yet.
            continue;
        }
        let name = merged_name(base, group);
        // A multi-select option is already yes/no: only "selected in some instance" counts.
        let taken = if base.single_valued { usize::MAX } else { 1 };
        for (i, category) in base.axis.categories.iter().take(taken).enumerate() {
            // Each merged variable codes answers with its own copy of the first instance's.
            let Some(inner) = of_question(q).into_iter().nth(bi) else {
                continue;
            };
            let (variable, part) = if base.single_valued {
                (
                    format!("{name}.{}", category.id),
                    Some(label_words(&category.label)),
                )
            } else {
                (name.clone(), base.axis.part.clone())
            };
            out.push(Variable {
                axis: Axis {
                    variable,
                    question: base.axis.question.clone(),
                    title: base.axis.title.clone(),
                    part,
                    categories: vec![
                        Category::new("selected", Label::Selected),
                        Category::new("not_selected", Label::NotSelected),
                    ],
                    coarser: Vec::new(),
                },
                coder: Coder::AnyInstance {
                    inner: Box::new(inner),
                    category: code(i),
                },
                non_answers: Vec::new(),
                non_answer_base: 2,
                single_valued: false,
                years: (None, None),
            });
        }
    }
    out
}

/// A category's label as words for a variable's `part` (options keep their translations).
fn label_words(label: &Label) -> Translations {
    let plain = |s: String| Translations {
        default: s,
        by_lang: Default::default(),
    };
    match label {
        Label::Option { text } | Label::Group { text } => text.clone(),
        Label::Band { lo, hi } => plain(band_words(lo, hi)),
        Label::DecimalBand { lo, hi } => plain(band_words(lo, hi)),
        Label::Point { value } => plain(value.to_string()),
        Label::Year { year } => plain(year.to_string()),
        Label::NonAnswer { non_answer } => plain(non_answer.as_str().to_owned()),
        Label::OutsideBands => plain("outside the bands".to_owned()),
        Label::Selected => plain("selected".to_owned()),
        Label::NotSelected => plain("not selected".to_owned()),
        Label::Merged { .. } => plain(String::new()),
    }
}

/// The definition's next level up for `q`'s categories: option `groups` (single, Likert) or
/// `coarse_bands` (a number), each with the ids of the categories it covers.
fn coarser(q: &Question) -> Vec<Category> {
    // A multi-select's groups generalise it in exports only: its table variables are one
    // option each (selected / not selected), which no option group can merge.
    if !q.groups.is_empty() && !matches!(q.kind, QuestionKind::Multi { .. }) {
        return q
            .groups
            .iter()
            .map(|g| Category {
                id: g.id.clone(),
                label: Label::Group {
                    text: Translations::from(&g.text),
                },
                parts: g.options.clone(),
            })
            .collect();
    }
    let QuestionKind::Number { bands, .. } = &q.kind else {
        return Vec::new();
    };
    q.coarse_bands
        .iter()
        .map(|c| Category {
            id: format!("{}-{}", c.lo, c.hi),
            label: Label::Band { lo: c.lo, hi: c.hi },
            parts: bands
                .iter()
                .filter(|b| b.lo >= c.lo && b.hi <= c.hi)
                .map(|b| format!("{}-{}", b.lo, b.hi))
                .collect(),
        })
        .collect()
}

fn of_question(q: &Question) -> Vec<Variable> {
    let non_answers = q.non_answers();
    let make = |variable: String,
                part: Option<Translations>,
                mut categories: Vec<Category>,
                coder: Coder,
                single_valued: bool| {
        let non_answer_base = code(categories.len());
        categories.extend(non_answer_categories(&non_answers));
        Variable {
            axis: Axis {
                variable,
                question: q.id.to_string(),
                title: Translations::from(&q.heading()),
                part,
                categories,
                coarser: coarser(q),
            },
            coder,
            non_answers: non_answers.clone(),
            non_answer_base,
            single_valued,
            years: (None, None),
        }
    };
    let id = q.id.to_string();
    match &q.kind {
        QuestionKind::Single { options, .. } | QuestionKind::Likert { options } => vec![make(
            id,
            None,
            option_categories(options),
            Coder::Choice(Lookup::new(options)),
            true,
        )],
        QuestionKind::Grid { rows, options } => rows
            .iter()
            .map(|row| {
                make(
                    format!("{id}.{}", row.id),
                    Some(Translations::from(&row.text)),
                    option_categories(options),
                    Coder::GridRow {
                        row: row.id.clone(),
                        options: Lookup::new(options),
                    },
                    true,
                )
            })
            .collect(),
        // Each option is its own yes/no variable, in one-way tables only: crossing every
        // option with every other variable would multiply the catalogue without bound.
        QuestionKind::Multi { options, .. } => options
            .iter()
            .map(|o| {
                make(
                    format!("{id}.{}", o.id),
                    Some(Translations::from(&o.text)),
                    vec![
                        Category {
                            id: "selected".into(),
                            label: Label::Selected,
                            parts: Vec::new(),
                        },
                        Category {
                            id: "not_selected".into(),
                            label: Label::NotSelected,
                            parts: Vec::new(),
                        },
                    ],
                    Coder::MultiOption {
                        option: o.id.clone(),
                    },
                    false,
                )
            })
            .collect(),
        QuestionKind::Number {
            min, max, bands, ..
        } if !bands.is_empty() => {
            let covered: i128 = bands
                .iter()
                .map(|b| i128::from(b.hi) - i128::from(b.lo) + 1)
                .sum();
            let (categories, outside) = band_categories(
                bands.iter().map(|b| {
                    (
                        format!("{}-{}", b.lo, b.hi),
                        Label::Band { lo: b.lo, hi: b.hi },
                    )
                }),
                covered > i128::from(*max) - i128::from(*min),
            );
            vec![make(
                id,
                None,
                categories,
                Coder::Bands {
                    bands: bands.clone(),
                    outside,
                },
                true,
            )]
        }
        QuestionKind::Scale { min, max, .. } => {
            let categories = (*min..=*max)
                .map(|p| Category {
                    id: p.to_string(),
                    label: Label::Point { value: p },
                    parts: Vec::new(),
                })
                .collect();
            vec![make(
                id,
                None,
                categories,
                Coder::Points {
                    min: *min,
                    max: *max,
                },
                true,
            )]
        }
        QuestionKind::Date {
            min: Some(min),
            max: Some(max),
        } if min.year() <= max.year() => {
            vec![declared_years(make, id, min.year(), max.year())]
        }
        QuestionKind::Day { min, max } if min.year() <= max.year() => {
            vec![declared_years(make, id, min.year(), max.year())]
        }
        // A date with an end left open (definitions from before both were required).
        QuestionKind::Date { min, max } => {
            let mut v = make(id, None, Vec::new(), Coder::Years, true);
            v.years = (min.map(|m| m.year()), max.map(|m| m.year()));
            vec![v]
        }
        QuestionKind::Decimal {
            min,
            max,
            step,
            bands,
            ..
        } if !bands.is_empty() => {
            let (categories, outside) = band_categories(
                bands.iter().map(|b| {
                    (
                        format!("{}-{}", b.lo, b.hi),
                        Label::DecimalBand { lo: b.lo, hi: b.hi },
                    )
                }),
                decimal_bands_cover(bands, *min, *max, *step),
            );
            vec![make(
                id,
                None,
                categories,
                Coder::DecimalBands {
                    bands: bands.clone(),
                    outside,
                },
                true,
            )]
        }
        // Numbers and decimal numbers without bands have no table: every value its own
        // category would single people out.
        QuestionKind::Number { .. }
        | QuestionKind::Decimal { .. }
        | QuestionKind::Day { .. }
        | QuestionKind::Text { .. }
        | QuestionKind::Note => Vec::new(),
    }
}
