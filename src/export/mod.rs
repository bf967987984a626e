//! Anonymised microdata for researchers (DESIGN §8): k-anonymous, ℓ-diverse row-level exports.

pub mod anonymise;
