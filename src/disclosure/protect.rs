//! From a raw table to what may be shown: perturb every entry by its cell key, suppress, audit.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use crate::tally::{Axis, RawTable};

use super::audit::{Auditor, Finding};
use super::earlier::EarlierRelease;
use super::joint::{self, Narrow};
use super::layout::{entries, Layout};
use super::ptable::{MAX_ADJUSTMENT, PTABLE, PTABLE_VERSION};
use super::suppress::{primary, secondary, widen};

/// The thresholds a survey may use (docs/survey-format.md).
pub const THRESHOLD_RANGE: RangeInclusive<u32> = 5..=50;
pub const DEFAULT_THRESHOLD: u32 = 10;

/// Percentages need a published denominator at least this large.
pub const MIN_PERCENT_DENOMINATOR: u64 = 30;

/// One published number: `count` is `None` exactly when it is hidden. Every hidden number is
/// shown the same way (a "hidden" mark), whatever its size: some are hidden to protect others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedCell {
    pub count: Option<u64>,
    pub suppressed: bool,
}

/// A table as it may be shown. Every count is perturbed; suppressed ones are absent. The same
/// layout as [`RawTable`]: cells (row-major for a two-way table), then the margins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectedTable {
    pub id: String,
    pub rows: Axis,
    pub columns: Option<Axis>,
    pub cells: Vec<PublishedCell>,
    /// Empty for a one-way table.
    pub row_totals: Vec<PublishedCell>,
    /// Empty for a one-way table.
    pub column_totals: Vec<PublishedCell>,
    pub total: PublishedCell,
    pub threshold: u32,
    pub ptable_version: String,
    /// Rows or columns are shown in groups (the definition's coarser level, or small
    /// categories merged) so that fewer cells need hiding.
    #[serde(default)]
    pub redesigned: bool,
}

/// Why a table is not shown. The messages say nothing about any count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    #[error("the threshold must be between 5 and 50")]
    ThresholdOutOfRange,
    #[error("this table has no categories")]
    NoCategories,
    #[error("too few people are in this table to show it")]
    TooFewPeople,
    #[error(
        "no pattern of hidden numbers protects {entry} well enough, so the table is not shown"
    )]
    AuditFailed { entry: String },
    #[error("the protection of this table could not be checked ({detail}), so it is not shown")]
    AuditUnsolved { detail: String },
    #[error("too few responses to show this breakdown safely")]
    TooFewForBreakdown,
}

/// What [`Refusal::AuditFailed`] names for a follow-up question left out of a release because
/// its total would give away a small count of the question it follows (`follow_ups.rs`).
pub(super) const FOLLOWS_A_SMALL_COUNT: &str = "the small counts of a question it follows";

impl Refusal {
    /// What an organiser can do, or wait for, to have the table shown: the words beside the
    /// reason in a release. Empty where nothing they do helps.
    pub fn what_helps(&self, threshold: u32) -> String {
        match self {
            Refusal::ThresholdOutOfRange | Refusal::NoCategories => String::new(),
            Refusal::TooFewPeople => {
                format!("It can be shown once at least {threshold} people have answered it.")
            }
            Refusal::TooFewForBreakdown => "A later release with more responses may show it. \
                A few \"don't know\" or \"prefer not to say\" answers are often the cause \
                (docs/releases.md, \"What non-answers cost\"); answer groups (`groups`) or \
                wider bands (`coarse_bands`) in the survey let a breakdown be shown in groups."
                .to_owned(),
            Refusal::AuditFailed { entry } if entry == FOLLOWS_A_SMALL_COUNT => "It is asked \
                only of some answers of another question, and its total would tell how many \
                gave them: it can be shown once no small count of that question could be worked \
                out from it."
                .to_owned(),
            Refusal::AuditFailed { .. } => "Its numbers, read with this release's other tables \
                or earlier releases, would give a small count away. A later release with more \
                responses may show it."
                .to_owned(),
            Refusal::AuditUnsolved { .. } => {
                "Making the release again later may show it.".to_owned()
            }
        }
    }
}

/// A table of the catalogue that is not shown, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    pub id: String,
    pub rows: Axis,
    pub columns: Option<Axis>,
    pub reason: Refusal,
}

/// Perturbs, suppresses and audits one table with threshold `threshold` (5–50).
///
/// Every entry, margins included, is perturbed by its own cell key. A table whose published
/// total is below the threshold is refused. Primary suppression hides published counts in
/// `1..T` and counts whose complement in a row, column or margin is in `1..T`; secondary
/// suppression makes sure no line has exactly one hidden entry; the LP audit then bounds each
/// hidden entry as an attacker would and, while one is bounded narrower than `T`, hides one
/// more entry beside it. If that would take the grand total, the table is refused.
///
/// This protects one table on its own. A release uses [`protect_catalogue`], which protects
/// one-way tables first and audits linked tables and earlier releases jointly.
///
/// [`protect_catalogue`]: super::protect_catalogue
pub fn protect(table: &RawTable, threshold: u32) -> Result<ProtectedTable, Refusal> {
    protect_with(table, threshold, &[])
}

/// [`protect`], with the audit also assuming the reader has every `earlier` release.
pub(super) fn protect_with(
    table: &RawTable,
    threshold: u32,
    earlier: &[EarlierRelease],
) -> Result<ProtectedTable, Refusal> {
    protect_forcing(table, threshold, earlier, &[])
}

/// [`protect_with`], hiding at least the entries marked in `forced` (layout order; missing
/// entries are not forced): cells the joint audit of linked tables needs hidden.
pub(super) fn protect_forcing(
    table: &RawTable,
    threshold: u32,
    earlier: &[EarlierRelease],
    forced: &[bool],
) -> Result<ProtectedTable, Refusal> {
    protect_sparing(table, threshold, earlier, forced, &[])
}

/// [`protect_forcing`], choosing the cells `told` (counts a reader has anyway, as a follow-up
/// question's total: `follow_ups::told_elsewhere`) as partners only when nothing else will do.
pub(super) fn protect_sparing(
    table: &RawTable,
    threshold: u32,
    earlier: &[EarlierRelease],
    forced: &[bool],
    told: &[usize],
) -> Result<ProtectedTable, Refusal> {
    if !THRESHOLD_RANGE.contains(&threshold) {
        return Err(Refusal::ThresholdOutOfRange);
    }
    if table.rows().is_empty() || table.columns().is_some_and(Axis::is_empty) {
        return Err(Refusal::NoCategories);
    }
    let layout = Layout::of(table).sparing(told);
    let raw = entries(table);
    let truth: Vec<u64> = raw.iter().map(|c| c.count).collect();
    let t = u64::from(threshold);
    let published: Vec<u64> = raw.iter().map(|c| shown_value(c.count, c.key, t)).collect();
    if truth[layout.grand_total()] < t {
        return Err(Refusal::TooFewPeople);
    }
    let forced: Vec<bool> = (0..published.len())
        .map(|e| forced.get(e).copied().unwrap_or(false))
        .collect();
    let linked = |hidden: &[bool]| -> Result<Option<Narrow>, String> {
        // A first release's table, with its number of responses unknown, has nothing to be
        // audited with beyond itself (`Auditor`).
        if (earlier.is_empty() && table.responses().is_none()) || table.columns().is_some() {
            return Ok(None);
        }
        joint::one_way(table, (&published, hidden), earlier, &[], t)
    };
    let suppressed = suppression(&truth, &published, &layout, t, &forced, &linked)?;
    let mut out = published
        .iter()
        .zip(&suppressed)
        .map(|(&p, &s)| PublishedCell {
            count: (!s).then_some(p),
            suppressed: s,
        });
    let cells = out.by_ref().take(table.cells().len()).collect();
    let row_totals = out.by_ref().take(table.row_totals().len()).collect();
    let column_totals = out.by_ref().take(table.column_totals().len()).collect();
    let total = out.next().ok_or(Refusal::NoCategories)?;
    Ok(ProtectedTable {
        id: table.id().to_owned(),
        rows: table.rows().clone(),
        columns: table.columns().cloned(),
        cells,
        row_totals,
        column_totals,
        total,
        threshold,
        ptable_version: PTABLE_VERSION.to_owned(),
        redesigned: false,
    })
}

/// A further audit of a pattern against linked tables and earlier releases.
type Linked<'a> = dyn Fn(&[bool]) -> Result<Option<Narrow>, String> + 'a;

/// The value shown for a count: perturbed by its cell key, and never below the threshold for a
/// count that is at least the threshold (a shown number below it would read as a small count).
/// The true count stays within ±`MAX_ADJUSTMENT` of the shown value either way.
pub(super) fn shown_value(count: u64, key: u32, t: u64) -> u64 {
    let p = PTABLE.perturb(count, key);
    if count >= t {
        p.max(t)
    } else {
        p
    }
}

/// A number as a release showed it, with that release's threshold T.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shown {
    pub value: u64,
    pub threshold: u64,
}

impl Shown {
    pub(super) fn new(value: u64, threshold: u64) -> Shown {
        Shown { value, threshold }
    }

    /// Where the true count lies, for a reader who knows the rules: within ±`MAX_ADJUSTMENT` of
    /// the shown value; 0 for a shown 0 (zeros stay zero, and a count from 1 to T − 1 is never
    /// shown); and at least T for any other (primary suppression hides every true count below
    /// T, and [`shown_value`] never shows a count of T or more below T). Without the floor an
    /// audit allows an attacker two values too many at every count shown as T or T + 1, and a
    /// reader who knows the rules could pin a hidden count the audit passed (found by the
    /// property tests in `survey_proptests.rs`: 4 wide with T = 8).
    pub(super) fn range(self) -> (f64, f64) {
        if self.value == 0 {
            return (0.0, 0.0);
        }
        let d = MAX_ADJUSTMENT as f64;
        let p = self.value as f64;
        // A shown number below T cannot come from this engine; it gets no floor rather than a
        // false one.
        let floor = if self.value >= self.threshold {
            self.threshold as f64
        } else {
            0.0
        };
        ((p - d).max(floor), p + d)
    }
}

/// Which entries to hide: primary suppression (a true count in `1..T`, or a published count
/// leaving too few others in its line: `suppress::small_complement`), then partners and the
/// audit on the published values.
fn suppression(
    truth: &[u64],
    published: &[u64],
    layout: &Layout,
    t: u64,
    forced: &[bool],
    linked: &Linked<'_>,
) -> Result<Vec<bool>, Refusal> {
    let mut suppressed = primary(truth, published, layout, t);
    for (s, f) in suppressed.iter_mut().zip(forced) {
        *s |= *f;
    }
    let mut auditor = Auditor::new(published, layout, t);
    loop {
        secondary(published, layout, &mut suppressed);
        let finding = match auditor.audit(&suppressed) {
            Finding::Safe => match linked(&suppressed) {
                Ok(None) => return Ok(suppressed),
                Ok(Some(Narrow::Current(e))) => Finding::TooNarrow(e),
                // A number of an earlier release, bounded too narrowly through what this
                // release shows of the same categories: hide the smallest of those still shown
                // (its partners follow), so that this release says less about those people.
                // When they are all hidden already, the smallest shown count (not a 0) of the
                // table: what the total says of the hidden ones together is then looser.
                Ok(Some(Narrow::Linked(cells))) => {
                    let open = |c: &usize| !suppressed[*c];
                    let rank = |c: &usize| (published[*c], *c);
                    let everywhere = (0..layout.cells()).filter(|&c| published[c] > 0);
                    let more = (cells.iter().copied().filter(open).min_by_key(rank))
                        .or_else(|| everywhere.filter(open).min_by_key(rank));
                    match more {
                        Some(c) => {
                            suppressed[c] = true;
                            continue;
                        }
                        None => {
                            return Err(Refusal::AuditFailed {
                                entry: "a number of an earlier release".into(),
                            });
                        }
                    }
                }
                Ok(Some(_)) => {
                    return Err(Refusal::AuditFailed {
                        entry: "a number of an earlier release".into(),
                    })
                }
                Err(detail) => Finding::Unsolved(detail),
            },
            other => other,
        };
        match finding {
            Finding::Safe => return Ok(suppressed),
            Finding::TooNarrow(e) => match widen(published, layout, &suppressed, e) {
                Some(more) => suppressed[more] = true,
                None => {
                    return Err(Refusal::AuditFailed {
                        entry: layout.describe(e),
                    })
                }
            },
            Finding::Unsolved(detail) => return Err(Refusal::AuditUnsolved { detail }),
        }
    }
}

/// One table of a release: shown, or withheld with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Released {
    Shown(ProtectedTable),
    Withheld(Withheld),
}

impl Released {
    pub fn id(&self) -> &str {
        match self {
            Released::Shown(t) => &t.id,
            Released::Withheld(w) => &w.id,
        }
    }

    pub fn shown(&self) -> Option<&ProtectedTable> {
        match self {
            Released::Shown(t) => Some(t),
            Released::Withheld(_) => None,
        }
    }
}

impl ProtectedTable {
    /// Every published number in layout order: cells, row totals, column totals, total.
    pub fn entries(&self) -> impl Iterator<Item = &PublishedCell> {
        self.cells
            .iter()
            .chain(&self.row_totals)
            .chain(&self.column_totals)
            .chain(std::iter::once(&self.total))
    }
}

/// A whole-number percentage of two published numbers, or `None` when the denominator is
/// below 30 (or either number is hidden). Noise can make a part exceed its total: capped at 100.
pub fn percent(count: Option<u64>, denominator: Option<u64>) -> Option<u8> {
    let (count, denominator) = (count?, denominator?);
    if denominator < MIN_PERCENT_DENOMINATOR {
        return None;
    }
    let count = u128::from(count.min(denominator));
    let d = u128::from(denominator);
    u8::try_from((200 * count + d) / (2 * d)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_hides_more_when_secondary_suppression_is_not_enough() {
        // Published [10, 1, 13, 0, 1], total 26: the two 1s hide each other, but together they
        // are 26 − 10 − 13 − 0 = 3 ± 8, so each is at most 9: narrower than 10. The smallest
        // non-zero published cell beside them, the 10, is hidden too.
        let layout = Layout::new(5, None);
        let published = [10, 1, 13, 0, 1, 26];
        let mut after_secondary = primary(&published, &published, &layout, 10);
        secondary(&published, &layout, &mut after_secondary);
        assert_eq!(after_secondary, [false, true, false, false, true, false]);
        assert_eq!(
            suppression(&published, &published, &layout, 10, &[false; 6], &|_| Ok(
                None
            )),
            Ok(vec![true, true, false, false, true, false])
        );
    }

    #[test]
    fn hiding_everything_but_the_total_always_passes_the_audit() {
        // So widening ends before it would need the grand total, for any table that is shown
        // (its published total is at least T): each hidden cell can be anything in 0..=total+2.
        let layout = Layout::new(2, None);
        assert_eq!(
            suppression(&[4, 8, 12], &[4, 8, 12], &layout, 12, &[false; 3], &|_| Ok(
                None
            )),
            Ok(vec![true, true, false])
        );
        let layout = Layout::new(2, Some(2));
        let published = [1, 3, 2, 6, 4, 8, 3, 9, 12];
        assert_eq!(
            suppression(&published, &published, &layout, 12, &[false; 9], &|_| Ok(
                None
            )),
            Ok(vec![true, true, true, true, true, true, true, true, false])
        );
    }

    #[test]
    fn percentages_need_a_published_denominator_of_at_least_thirty() {
        assert_eq!(percent(Some(10), Some(29)), None);
        assert_eq!(percent(Some(10), Some(30)), Some(33));
        assert_eq!(percent(Some(1), Some(200)), Some(1));
        assert_eq!(percent(Some(3), Some(600)), Some(1));
        assert_eq!(percent(Some(2), Some(600)), Some(0));
        assert_eq!(percent(None, Some(100)), None);
        assert_eq!(percent(Some(10), None), None);
        assert_eq!(percent(Some(41), Some(40)), Some(100));
    }
}
