//! Widths already worked out, by what they were worked out of.
//!
//! An audit that finds a number of an earlier release too narrowly bounded asks how wide the
//! earlier releases alone leave it (`joint::run`): two programmes solved from scratch. The
//! system of the earlier releases is the same for every design of a two-way table and every
//! pass over it, so the same question comes back many times in a release (measured on the
//! 40-question benchmark survey's third release: 1,540 of 2,389). A width depends on nothing
//! but the system and the sum, so it is kept under a digest of the two.

use std::collections::HashMap;
use std::sync::Mutex;

/// How many widths are kept before the memory starts afresh: a release asks a few thousand;
/// each is a few dozen bytes.
const KEPT: usize = 20_000;

/// A SHA-256 digest of a system's every constraint and one sum of its atoms.
pub(super) type Question = [u8; 32];

static WIDTHS: Mutex<Option<HashMap<Question, Option<f64>>>> = Mutex::new(None);

/// The width found before for `question`, if any (`Some(None)`: no upper end).
pub(super) fn recalled(question: &Question) -> Option<Option<f64>> {
    let widths = WIDTHS.lock().unwrap_or_else(|e| e.into_inner());
    widths.as_ref()?.get(question).copied()
}

/// Keeps `width` as the answer to `question`.
pub(super) fn keep(question: Question, width: Option<f64>) {
    let mut widths = WIDTHS.lock().unwrap_or_else(|e| e.into_inner());
    let widths = widths.get_or_insert_with(HashMap::new);
    if widths.len() >= KEPT {
        widths.clear();
    }
    widths.insert(question, width);
}
