//! RDS-II (Volz–Heckathorn) estimates for surveys that recruit through coupons: each person's
//! answers weigh 1/degree, the degree being their answer to the network-size question. A
//! category's weighted share is Σ 1/dᵢ over the people in it, divided by Σ 1/dᵢ over everyone in
//! the variable's table (people not shown the question, or who skipped it, are in neither).
//!
//! Degrees that are missing (a non-answer, or not asked) or 0 are imputed with the mean of the
//! known positive degrees, as RDS analyses commonly do (a person who took part knows at least
//! their recruiter); when nobody gave one, everyone weighs the same.

use std::collections::BTreeMap;

use crate::survey::{Answer, Response, Survey};

use super::variables::{variables, Code, NONE};

/// One one-way table's RDS-II shares (0..=1, one per category) and the largest weight one
/// person has in it, as a share of the table's whole weight: a weighted percentage moves by up
/// to that much with one person, however many people the table counts.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedShares {
    pub shares: Vec<f64>,
    pub heaviest: f64,
}

/// Weighted shares of every one-way table, by table id, for a survey with coupons and a
/// network-size question; empty otherwise.
pub fn rds_shares<'a>(
    survey: &Survey,
    records: impl IntoIterator<Item = &'a Response>,
) -> BTreeMap<String, WeightedShares> {
    let (Some(_), Some(degree_question)) = (survey.coupons(), survey.network_size_question())
    else {
        return BTreeMap::new();
    };
    let records: Vec<&Response> = records.into_iter().collect();
    let raw: Vec<Option<i64>> = records
        .iter()
        .map(|r| match r.get(degree_question.id.as_str()) {
            Some(Answer::Number(n)) => Some(*n),
            _ => None,
        })
        .collect();
    let degrees = imputed_degrees(&raw);
    let question_ids: Vec<&str> = survey.questions().map(|q| q.id.as_str()).collect();
    let mut shares = BTreeMap::new();
    for (positions, mut variable) in variables(survey) {
        if variable.axis.is_empty() {
            continue;
        }
        // One question, or every instance of a question on a repeating page: a person counts
        // once, with the smallest code of their instances (as the tally counts them).
        let qids: Vec<&str> = positions
            .iter()
            .filter_map(|&qi| question_ids.get(qi).copied())
            .collect();
        if qids.is_empty() {
            continue;
        }
        let mut codes: Vec<Code> = records
            .iter()
            .map(|r| {
                qids.iter()
                    .map(|q| r.get(q).map_or(NONE, |a| variable.code(a)))
                    .min()
                    .unwrap_or(NONE)
            })
            .collect();
        variable.finish_years(&mut codes);
        shares.insert(
            variable.axis.variable.clone(),
            weighted_shares(&codes, &degrees, variable.axis.len()),
        );
    }
    shares
}

/// Each person's degree, missing and zero degrees replaced by the mean of the positive ones.
pub fn imputed_degrees(raw: &[Option<i64>]) -> Vec<f64> {
    let known: Vec<f64> = raw
        .iter()
        .filter_map(|d| d.filter(|&d| d > 0).map(|d| d as f64))
        .collect();
    let mean = if known.is_empty() {
        1.0
    } else {
        known.iter().sum::<f64>() / known.len() as f64
    };
    raw.iter()
        .map(|d| match d {
            Some(d) if *d > 0 => *d as f64,
            _ => mean,
        })
        .collect()
}

/// RDS-II shares of `categories` categories; records coded `NONE` are left out.
fn weighted_shares(codes: &[Code], degrees: &[f64], categories: usize) -> WeightedShares {
    let mut sums = vec![0.0; categories];
    let mut total = 0.0;
    let mut heaviest: f64 = 0.0;
    for (&c, &d) in codes.iter().zip(degrees) {
        if c == NONE {
            continue;
        }
        if let Some(sum) = sums.get_mut(usize::from(c)) {
            *sum += 1.0 / d;
            total += 1.0 / d;
            heaviest = heaviest.max(1.0 / d);
        }
    }
    if total > 0.0 {
        for sum in &mut sums {
            *sum /= total;
        }
        heaviest /= total;
    }
    WeightedShares {
        shares: sums,
        heaviest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: seven people with degrees 2, 4, 4, 8, missing, 0 and 4. The missing and
    /// the 0 take the mean of the positive ones, 22/5 = 4.4. The seventh skipped the question
    /// tabulated, so weighs nothing in its table. Weights of the six: 1/2, 1/4, 1/4, 1/8, 1/4.4,
    /// 1/4.4; sum 1.579545. Category 0 holds the 1st, 4th and 5th: 0.852273 / 1.579545 =
    /// 53.957%; category 1 the 2nd and 6th: 0.477273 / 1.579545 = 30.216%; category 2 the 3rd:
    /// 0.25 / 1.579545 = 15.827%. (Unweighted they would be 50%, 33% and 17%.)
    #[test]
    fn rds_ii_shares_match_the_hand_worked_example() {
        let degrees =
            imputed_degrees(&[Some(2), Some(4), Some(4), Some(8), None, Some(0), Some(4)]);
        assert_eq!(degrees, vec![2.0, 4.0, 4.0, 8.0, 4.4, 4.4, 4.0]);
        let weighted = weighted_shares(&[0, 1, 2, 0, 0, 1, NONE], &degrees, 3);
        let percent: Vec<f64> = weighted
            .shares
            .iter()
            .map(|s| (s * 1e5).round() / 1e3)
            .collect();
        assert_eq!(percent, vec![53.957, 30.216, 15.827]);
        // The heaviest is the first, with degree 2: 0.5 / 1.579545 = 31.655%.
        assert_eq!((weighted.heaviest * 1e5).round() / 1e3, 31.655);
    }

    #[test]
    fn without_any_known_degree_everyone_weighs_the_same() {
        let degrees = imputed_degrees(&[None, Some(0), None]);
        assert_eq!(degrees, vec![1.0, 1.0, 1.0]);
        let weighted = weighted_shares(&[0, 1, 1], &degrees, 2);
        assert!((weighted.shares[0] - 1.0 / 3.0).abs() < 1e-12);
        assert!((weighted.heaviest - 1.0 / 3.0).abs() < 1e-12);
    }
}
