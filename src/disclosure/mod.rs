//! Disclosure control of released tables: cell-key perturbation with a public p-table,
//! primary and secondary suppression, table redesign, and a joint LP audit of every hidden
//! number. Pure: no I/O, deterministic (the same raw tables always give byte-identical output).
//!
//! One-way tables come first: a one-way count is hidden only to protect a count of its own
//! table. A two-way table never hides its margins (they are one-way counts, or sums of them);
//! it is redesigned along the definition's hierarchies or with small categories merged, has
//! inner cells hidden, or is withheld. The audit solves, as an attacker would, one system over
//! a two-way table, its two one-way tables and every earlier release of the survey.

mod as_before;
mod audit;
mod catalogue;
mod earlier;
mod family;
mod follow_ups;
mod grouping;
mod inner;
mod joint;
mod layout;
mod margins;
mod nested;
mod protect;
mod ptable;
mod read_back;
mod suppress;
mod system;
mod told;
mod two_way;
mod widths;

#[cfg(test)]
mod family_tests;
#[cfg(test)]
mod joint_proptests;
#[cfg(test)]
mod later_releases_tests;
#[cfg(test)]
mod order_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod survey_proptests;
#[cfg(test)]
mod tests;

pub use catalogue::protect_catalogue;
pub use earlier::{EarlierRelease, EarlierTable};
pub use protect::{
    percent, protect, ProtectedTable, PublishedCell, Refusal, Released, Withheld,
    DEFAULT_THRESHOLD, MIN_PERCENT_DENOMINATOR, THRESHOLD_RANGE,
};
pub use ptable::{perturb, PRow, PTable, DENOMINATOR, MAX_ADJUSTMENT, PTABLE, PTABLE_VERSION};
