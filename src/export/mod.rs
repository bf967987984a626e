//! Researcher exports: anonymised microdata, a codebook (CSV and DDI XML), scripts that load
//! the data into R, Stata and SPSS with non-answers missing, and a signed manifest in one zip,
//! only for closed surveys and only with the organisation's approval.

pub mod anonymise;
pub mod bundle;
pub mod ddi;
pub mod loaders;
pub mod package;
pub mod rds;
pub mod requests;
