//! A system's widths, kept under a digest of every constraint of it (`widths.rs`).

use super::{Sum, System};

impl System {
    /// This system's widths, remembered: a sum asked about again in the same system (every
    /// constraint the same) gets the width found the first time (see `widths.rs`).
    pub(in crate::disclosure) fn remembered(&self) -> Remembered<'_> {
        let mut digest = crate::vault::Sha256::new();
        let mut put = |x: u64| digest.update(&x.to_le_bytes());
        put(self.known_empty.len() as u64);
        self.known_empty.iter().for_each(|&e| put(u64::from(e)));
        put(self.known.len() as u64);
        for ((sum, low, high), shown) in self.known.iter().zip(&self.values) {
            put_sum(&mut put, sum);
            put(low.to_bits());
            put(high.to_bits());
            put(shown.value);
            put(shown.threshold);
        }
        put(self.floors.len() as u64);
        for (sum, low) in &self.floors {
            put_sum(&mut put, sum);
            put(low.to_bits());
        }
        put(self.monotone.len() as u64);
        for &(earlier, later) in &self.monotone {
            put(earlier as u64);
            put(later as u64);
        }
        put(self.equal.len() as u64);
        for (a, b) in &self.equal {
            put_sum(&mut put, a);
            put_sum(&mut put, b);
        }
        put(self.rules.len() as u64);
        for terms in &self.rules {
            put(terms.len() as u64);
            for &(a, c) in terms {
                put(a as u64);
                put(c.to_bits());
            }
        }
        Remembered {
            system: self,
            digest,
        }
    }
}

/// A sum as its length and atoms, for a digest.
fn put_sum(put: &mut dyn FnMut(u64), sum: &Sum) {
    put(sum.len() as u64);
    sum.iter().for_each(|&a| put(a as u64));
}

/// [`System::remembered`]: the system, and a digest of every constraint of it.
pub(in crate::disclosure) struct Remembered<'a> {
    system: &'a System,
    digest: crate::vault::Sha256,
}

impl Remembered<'_> {
    /// The system's and `target`'s digest: two questions with the same digest have the same
    /// answer.
    fn question(&self, target: &Sum) -> crate::disclosure::widths::Question {
        let mut digest = self.digest.clone();
        put_sum(&mut |x| digest.update(&x.to_le_bytes()), target);
        digest.finish()
    }

    /// [`System::width`], worked out only if it was not before.
    pub(in crate::disclosure) fn width(&self, target: &Sum) -> Result<Option<f64>, String> {
        let question = self.question(target);
        if let Some(width) = crate::disclosure::widths::recalled(&question) {
            return Ok(width);
        }
        let width = self.system.width(target)?;
        crate::disclosure::widths::keep(question, width);
        Ok(width)
    }

    /// [`System::width`] if it was worked out before.
    pub(in crate::disclosure) fn recalled(&self, target: &Sum) -> Option<Option<f64>> {
        crate::disclosure::widths::recalled(&self.question(target))
    }
}
