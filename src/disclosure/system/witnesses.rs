//! What audits of one system have found so far, kept for the next audit of the same system.

use std::ops::Range;

use super::{value_of, Sum, System, SLACK};

/// What audits of one system have found so far: feasible points, and sums with no upper bound.
///
/// Valid for as long as the system only loosens — the same atoms, empty atoms and earlier
/// releases, with published numbers only ever taken away (hidden). Taking a constraint away
/// keeps every feasible point feasible and every unbounded sum unbounded, so what was proven
/// wide stays proven.
#[derive(Debug, Clone, Default)]
pub(in crate::disclosure) struct Witnesses {
    pub(super) points: Vec<Vec<f64>>,
    pub(super) unbounded: Vec<Sum>,
    /// Set by [`Witnesses::meeting_floors_moving`]: the atoms its points may be moved in, once
    /// the system they are used in is complete.
    movable: Option<Range<usize>>,
}

impl Witnesses {
    /// Keeps the points that meet every lower bound of `system` ([`System::at_least`]): for
    /// memory from the same system before more such bounds were added, and nothing else. A
    /// point that meets them is feasible again; a sum with no upper end still has none, as a
    /// lower bound never bounds a sum from above.
    pub(in crate::disclosure) fn meeting_floors(&mut self, system: &System) {
        self.points.retain(|point| system.meets_floors(point));
    }

    /// [`Witnesses::meeting_floors`], except that a point that misses a bound may be moved
    /// instead of dropped: in the atoms `movable` alone (the latest release's, on which the
    /// added bounds lie), every other atom held where it is. So every number the point gives an
    /// earlier release stays what it was, and so does what it proved of them. Done by the next
    /// audit ([`System::narrowest_needing`]), when every published number is in the system.
    pub(in crate::disclosure) fn meeting_floors_moving(&mut self, movable: Range<usize>) {
        self.movable = Some(movable);
    }

    /// See [`Witnesses::meeting_floors_moving`]. Which earlier numbers a moved point proves
    /// wide is known before it is moved (it keeps their values), and each move is a programme
    /// of its own: only the points that complete such a proof are moved (for each such number,
    /// the missing point with its lowest value and the one with its highest). A moved point is
    /// kept only if the system admits it.
    pub(super) fn settle(&mut self, system: &System, targets: &[Sum], needs: &[f64]) {
        let Some(movable) = self.movable.take() else {
            return;
        };
        let (kept, missing): (Vec<_>, Vec<_>) = std::mem::take(&mut self.points)
            .into_iter()
            .partition(|point| system.meets_floors(point));
        let extremes = |points: &[Vec<f64>], sum: &Sum| {
            let values = points.iter().map(|p| value_of(p, sum)).enumerate();
            let low = values.clone().min_by(|a, b| a.1.total_cmp(&b.1));
            (low, values.max_by(|a, b| a.1.total_cmp(&b.1)))
        };
        let mut chosen = vec![false; missing.len()];
        for (sum, need) in targets.iter().zip(needs) {
            if sum.iter().any(|a| movable.contains(a)) {
                continue;
            }
            let (Some(low), Some(high)) = extremes(&missing, sum) else {
                continue;
            };
            let (kept_low, kept_high) = match extremes(&kept, sum) {
                (Some(l), Some(h)) => (l.1, h.1),
                _ => (f64::INFINITY, f64::NEG_INFINITY),
            };
            let proven = kept_high - kept_low + SLACK >= *need;
            let provable = high.1.max(kept_high) - low.1.min(kept_low) + SLACK >= *need;
            if proven || !provable {
                continue;
            }
            chosen[low.0] |= low.1 < kept_low;
            chosen[high.0] |= high.1 > kept_high;
        }
        self.points = kept;
        for (point, _) in missing.iter().zip(&chosen).filter(|(_, &c)| c) {
            let moved = system.moved(point, &movable);
            if let Some(moved) = moved.filter(|m| system.misses(m).is_none()) {
                self.points.push(moved);
            }
        }
    }
}
