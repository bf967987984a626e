//! Scripts that load `data.csv` into statistics packages with the codebook's labels, and with
//! every non-answer code (and `*`) declared missing so no statistic counts it as an answer:
//! `load.R`, `load.do` (Stata), `load.sps` (SPSS). Labels are text an organiser typed, so each
//! generator quotes them for its own language and the tests feed them hostile ones.

pub mod names;
pub mod r;
pub mod spss;
pub mod stata;

#[cfg(test)]
pub(crate) mod test_data;
