//! What share of the safe counts a release publishes: the measure of the utility example and
//! of the release-series example (one copy, included by path from each).

use chorus::disclosure::{Released, DEFAULT_THRESHOLD};
use chorus::tally::Catalogue;

/// Safe counts of the releases measured, and how many of them were published.
#[derive(Default)]
pub struct Tally {
    pub one_safe: u64,
    pub one_published: u64,
    pub two_safe: u64,
    pub two_shown: u64,
    pub two_exact: u64,
    pub tables_as_is: u64,
    pub tables_redesigned: u64,
    pub tables_withheld: u64,
}

/// Adds what `released` publishes of `catalogue`'s safe counts to `into` (`SHOW_LOST=1`: each
/// safe one-way count not published, on standard error).
pub fn measure(catalogue: &Catalogue, released: &[Released], into: &mut Tally) {
    let t = u64::from(DEFAULT_THRESHOLD);
    for (raw, out) in catalogue.tables.iter().zip(released) {
        let shown = out.shown();
        match raw.columns() {
            None => {
                let total = raw.total().count;
                for (i, c) in raw.cells().iter().enumerate() {
                    if c.count >= t && total - c.count >= t {
                        into.one_safe += 1;
                        if shown.is_some_and(|p| !p.cells[i].suppressed) {
                            into.one_published += 1;
                        } else if std::env::var_os("SHOW_LOST").is_some() {
                            let counts: Vec<u64> = raw.cells().iter().map(|c| c.count).collect();
                            eprintln!(
                                "lost: {} {} in {counts:?}",
                                raw.id(),
                                raw.rows().categories[i].id
                            );
                        }
                    }
                }
            }
            Some(columns) => {
                match shown {
                    None => into.tables_withheld += 1,
                    Some(p) if p.redesigned => into.tables_redesigned += 1,
                    Some(_) => into.tables_as_is += 1,
                }
                for (e, c) in raw.cells().iter().enumerate() {
                    if c.count < t {
                        continue;
                    }
                    into.two_safe += 1;
                    let Some(p) = shown else { continue };
                    let (row, col) = (e / columns.len(), e % columns.len());
                    let row_id = &raw.rows().categories[row].id;
                    let col_id = &columns.categories[col].id;
                    // The shown line holding a category: itself, or a group or merged line
                    // whose parts name it.
                    let holding = |axis: &chorus::tally::Axis, id: &String| {
                        let alone = axis.categories.iter().position(|x| &x.id == id);
                        alone.map(|i| (i, true)).or_else(|| {
                            let in_group = |x: &chorus::tally::Category| x.parts.contains(id);
                            axis.categories
                                .iter()
                                .position(in_group)
                                .map(|i| (i, false))
                        })
                    };
                    let r = holding(&p.rows, row_id);
                    let k = p.columns.as_ref().and_then(|a| holding(a, col_id));
                    // Exact: its own cell is shown. Shown redesigned: the cell that holds it
                    // with others is shown (a reader sees the count inside a larger one), not
                    // hidden.
                    let (exact, seen) = match (r, k, &p.columns) {
                        (Some((r, r_alone)), Some((k, k_alone)), Some(a)) => {
                            let open = !p.cells[r * a.len() + k].suppressed;
                            (open && r_alone && k_alone, open)
                        }
                        _ => (false, false),
                    };
                    if exact {
                        into.two_exact += 1;
                    }
                    if seen {
                        into.two_shown += 1;
                    }
                }
            }
        }
    }
}

/// `part` of `whole` as a percentage with one decimal.
pub fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".into();
    }
    format!("{:.1}%", 100.0 * part as f64 / whole as f64)
}
