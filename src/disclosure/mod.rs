//! Disclosure control of released tables (DESIGN §7): cell-key perturbation with a public
//! p-table, primary and secondary suppression, and an LP audit of every hidden number. Pure:
//! no I/O, deterministic (the same raw table always gives byte-identical output).
//!
//! Margins are entries like any cell: perturbed by their own keys, suppressed by the same rules,
//! and able to need secondary suppression themselves. A table whose published total is below
//! the threshold is not shown at all. Across a release, a number hidden in one table is hidden
//! in every other table that holds the same cell.

mod audit;
mod layout;
mod protect;
mod ptable;
mod suppress;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use protect::{
    percent, protect, protect_catalogue, ProtectedTable, PublishedCell, Refusal, Released,
    Withheld, DEFAULT_THRESHOLD, MIN_PERCENT_DENOMINATOR, THRESHOLD_RANGE,
};
pub use ptable::{perturb, PRow, PTable, DENOMINATOR, MAX_ADJUSTMENT, PTABLE, PTABLE_VERSION};
