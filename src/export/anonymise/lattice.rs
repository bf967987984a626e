//! The lattice search (as ARX/OLA). A node is one generalisation level per quasi-identifier.
//! A node *passes* when, after dropping every record whose class (records sharing all
//! quasi-identifier values) has fewer than k records or a sensitive column whose answers there
//! take fewer than ℓ distinct values (non-answers are not answers: a class of 19 "yes" and one
//! "prefer not to say" tells every member's answer), at most `budget` records were dropped.
//!
//! Passing is monotone: generalising merges classes, a merged class is bad only if all its
//! parts were bad, so the dropped records of a node include those of any generalisation of it.
//! The search therefore (1) refuses at once if the top node fails, (2) stops at once if the
//! bottom node passes, (3) binary-searches one chain from bottom to top, where every failing
//! node rules out everything below it, and (4) walks the nodes in order of information loss,
//! skipping ruled-out ones, and stops at the first loss at which some node passes.
//!
//! Information loss = Σ level ÷ top level over quasi-identifiers (each fully generalised one
//! counts 1), kept exact as an integer scaled by the least common multiple of the top levels.
//! Ties go to fewer dropped records, then to the lexicographically smallest levels.

use std::collections::HashMap;

use crate::tally::{parallel_map, threads};

use super::qi::Qi;

/// Searching more nodes than this is refused (e.g. six quasi-identifiers of four levels).
pub(super) const MAX_NODES: usize = 4096;

/// What the search works on.
pub(super) struct Problem<'a> {
    pub(super) qis: &'a [Qi],
    /// Values of each sensitive column, one per record.
    pub(super) sensitive: Vec<&'a [i64]>,
    /// Per sensitive column, its codes that are not answers (don't know, prefer not to say,
    /// not shown, a survey's own): they never count towards ℓ.
    pub(super) missing: Vec<Vec<i64>>,
    pub(super) records: usize,
    pub(super) k: usize,
    pub(super) l: usize,
    pub(super) budget: usize,
}

/// The records' classes under one node.
pub(super) struct Classes {
    pub(super) of: Vec<u32>,
    pub(super) sizes: Vec<u32>,
}

/// The chosen node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Choice {
    pub(super) node: Vec<u8>,
    pub(super) suppressed: usize,
    pub(super) loss: u64,
    pub(super) loss_scale: u64,
    pub(super) evaluated: usize,
    pub(super) lattice: usize,
}

/// Why nothing passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Failure {
    TooManyNodes(usize),
    /// Even the top node fails.
    Unreachable,
}

impl Problem<'_> {
    fn tops(&self) -> Vec<u8> {
        self.qis.iter().map(Qi::top).collect()
    }

    /// Groups the records by their classes at `node`.
    pub(super) fn classify(&self, node: &[u8]) -> Classes {
        let mut levels = Vec::with_capacity(self.qis.len());
        let mut strides = Vec::with_capacity(self.qis.len());
        let mut stride: u128 = 1;
        for (qi, &lv) in self.qis.iter().zip(node) {
            let level = qi.levels.get(usize::from(lv)).or_else(|| qi.levels.last());
            let count = level.map_or(1, |l| l.classes().max(1));
            levels.push(level);
            strides.push(stride);
            stride = stride.saturating_mul(count as u128);
        }
        let mut ids: HashMap<u128, u32> = HashMap::new();
        let mut of = Vec::with_capacity(self.records);
        let mut sizes: Vec<u32> = Vec::new();
        for r in 0..self.records {
            let mut key: u128 = 0;
            for ((qi, level), s) in self.qis.iter().zip(&levels).zip(&strides) {
                let base = qi.base.get(r).copied().unwrap_or(0);
                let class = level
                    .and_then(|l| l.map.get(usize::from(base)))
                    .copied()
                    .unwrap_or(0);
                key += u128::from(class) * s;
            }
            let next = u32::try_from(sizes.len()).unwrap_or(u32::MAX);
            let id = *ids.entry(key).or_insert(next);
            if id == next {
                sizes.push(0);
            }
            if let Some(size) = sizes.get_mut(id as usize) {
                *size += 1;
            }
            of.push(id);
        }
        Classes { of, sizes }
    }

    /// Which classes must be dropped: too small, or a sensitive column not ℓ-diverse.
    pub(super) fn bad_classes(&self, c: &Classes) -> Vec<bool> {
        let mut bad: Vec<bool> = c.sizes.iter().map(|&s| (s as usize) < self.k).collect();
        let l = self.l.max(1);
        let mut seen: Vec<i64> = vec![0; c.sizes.len() * l];
        let mut counts: Vec<usize> = vec![0; c.sizes.len()];
        for (column, missing) in self.sensitive.iter().zip(&self.missing) {
            counts.iter_mut().for_each(|n| *n = 0);
            for (&class, &v) in c.of.iter().zip(column.iter()) {
                let class = class as usize;
                if bad.get(class).copied().unwrap_or(true) || missing.contains(&v) {
                    continue;
                }
                let (Some(n), Some(slots)) = (
                    counts.get_mut(class),
                    seen.get_mut(class * l..class * l + l),
                ) else {
                    continue;
                };
                if *n < l && !slots[..*n].contains(&v) {
                    slots[*n] = v;
                    *n += 1;
                }
            }
            // A class whose answers (non-answers aside) are all the same tells each member's
            // answer; a class where nobody answered tells none.
            for (b, &n) in bad.iter_mut().zip(&counts) {
                if n > 0 && n < l {
                    *b = true;
                }
            }
        }
        bad
    }

    /// The number of records dropped at `node`, or `None` when more than the budget.
    pub(super) fn evaluate(&self, node: &[u8]) -> Option<usize> {
        let c = self.classify(node);
        let small: usize = c
            .sizes
            .iter()
            .filter(|&&s| (s as usize) < self.k)
            .map(|&s| s as usize)
            .sum();
        if small > self.budget {
            return None;
        }
        let bad = self.bad_classes(&c);
        let dropped: usize = c
            .sizes
            .iter()
            .zip(&bad)
            .filter(|(_, b)| **b)
            .map(|(&s, _)| s as usize)
            .sum();
        (dropped <= self.budget).then_some(dropped)
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Every node, in lexicographic order.
fn all_nodes(tops: &[u8]) -> Result<Vec<Vec<u8>>, Failure> {
    let count = tops
        .iter()
        .try_fold(1usize, |acc, &t| acc.checked_mul(usize::from(t) + 1))
        .filter(|&n| n <= MAX_NODES)
        .ok_or(Failure::TooManyNodes(
            tops.iter()
                .map(|&t| usize::from(t) + 1)
                .fold(1usize, usize::saturating_mul),
        ))?;
    let mut nodes = Vec::with_capacity(count);
    let mut node = vec![0u8; tops.len()];
    loop {
        nodes.push(node.clone());
        let mut i = tops.len();
        loop {
            if i == 0 {
                return Ok(nodes);
            }
            i -= 1;
            if node[i] < tops[i] {
                node[i] += 1;
                break;
            }
            node[i] = 0;
        }
    }
}

fn below_or_equal(a: &[u8], b: &[u8]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
}

/// Finds the passing node of least information loss.
pub(super) fn search(p: &Problem<'_>) -> Result<Choice, Failure> {
    let tops = p.tops();
    let nodes = all_nodes(&tops)?;
    let scale = tops
        .iter()
        .map(|&t| u64::from(t.max(1)))
        .fold(1u64, |acc, t| acc / gcd(acc, t) * t);
    let loss = |node: &[u8]| -> u64 {
        node.iter()
            .zip(&tops)
            .map(|(&l, &t)| u64::from(l) * (scale / u64::from(t.max(1))))
            .sum()
    };
    let mut cache: HashMap<Vec<u8>, Option<usize>> = HashMap::new();
    let mut failing: Vec<Vec<u8>> = Vec::new();
    let choose = |node: Vec<u8>, suppressed: usize, evaluated: usize| Choice {
        loss: loss(&node),
        node,
        suppressed,
        loss_scale: scale,
        evaluated,
        lattice: nodes.len(),
    };

    let top = tops.clone();
    let top_result = p.evaluate(&top);
    cache.insert(top.clone(), top_result);
    if top_result.is_none() {
        return Err(Failure::Unreachable);
    }
    let bottom = vec![0u8; tops.len()];
    if let Some(s) = *cache
        .entry(bottom.clone())
        .or_insert_with(|| p.evaluate(&bottom))
    {
        return Ok(choose(bottom, s, cache.len()));
    }
    failing.push(bottom.clone());

    // One chain from bottom to top, raising the quasi-identifiers in turn.
    let mut chain = vec![bottom];
    let mut current = chain[0].clone();
    while current != top {
        for (i, t) in tops.iter().enumerate() {
            if current[i] < *t {
                current[i] += 1;
                chain.push(current.clone());
            }
        }
    }
    let (mut lo, mut hi) = (0usize, chain.len() - 1);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        let node = &chain[mid];
        let r = *cache
            .entry(node.clone())
            .or_insert_with(|| p.evaluate(node));
        if r.is_some() {
            hi = mid;
        } else {
            failing.push(node.clone());
            lo = mid;
        }
    }

    // Walk the nodes by increasing loss.
    let mut order: Vec<(u64, &Vec<u8>)> = nodes.iter().map(|n| (loss(n), n)).collect();
    order.sort();
    let mut i = 0;
    while i < order.len() {
        let this_loss = order[i].0;
        let end = order[i..]
            .iter()
            .position(|(l, _)| *l != this_loss)
            .map_or(order.len(), |j| i + j);
        let batch: Vec<&Vec<u8>> = order[i..end]
            .iter()
            .map(|(_, n)| *n)
            .filter(|n| !failing.iter().any(|f| below_or_equal(n, f)))
            .collect();
        let todo: Vec<&Vec<u8>> = batch
            .iter()
            .copied()
            .filter(|n| !cache.contains_key(*n))
            .collect();
        let results = parallel_map(&todo, threads(), |n| p.evaluate(n));
        for (n, r) in todo.iter().zip(results) {
            cache.insert((*n).clone(), r);
        }
        let best = batch
            .iter()
            .filter_map(|n| cache.get(*n).copied().flatten().map(|s| (s, *n)))
            .min();
        if let Some((s, n)) = best {
            return Ok(choose(n.clone(), s, cache.len()));
        }
        i = end;
    }
    // Unreachable: the top node passes and is the last in the walk.
    Err(Failure::Unreachable)
}

/// Evaluates every node without pruning (tests compare the search against it).
#[cfg(test)]
pub(super) fn exhaustive(p: &Problem<'_>) -> Option<(u64, usize, Vec<u8>)> {
    let tops = p.tops();
    let nodes = all_nodes(&tops).ok()?;
    let scale = tops
        .iter()
        .map(|&t| u64::from(t.max(1)))
        .fold(1u64, |acc, t| acc / gcd(acc, t) * t);
    nodes
        .into_iter()
        .filter_map(|n| {
            let s = p.evaluate(&n)?;
            let loss = n
                .iter()
                .zip(&tops)
                .map(|(&l, &t)| u64::from(l) * (scale / u64::from(t.max(1))))
                .sum();
            Some((loss, s, n))
        })
        .min()
}
