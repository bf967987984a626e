//! The recruitment tree in exports of a survey with coupons (respondent-driven sampling). The
//! tree enters the anonymisation as six added questions, so the same k-anonymity, ℓ-diversity
//! and row rules apply to it as to everything else:
//!
//! - `rds_id`, `rds_recruiter_id`: fresh random numbers for every export (a permutation of
//!   1..n), never the stored chain ids; seeds have recruiter 0, the RDS package's convention
//!   of one shared placeholder. A recruit whose recruiter's row is left out for anonymity gets
//!   recruiter 0 too (a seed of the exported data, as the RDS package does when subsetting);
//! - `rds_seed`: 1 for a seed, else 0;
//! - `rds_wave` and `rds_coupons_used` (how many of the person's coupons were used) are
//!   quasi-identifiers: a long chain or a busy recruiter stands out, so they are generalised
//!   (exact → bands → coarse bands → hidden) like age, to reach k;
//! - `rds_network_size`: the network-size answer, with that question's role and bands.

use rand::seq::SliceRandom;
use rand::Rng;
use std::collections::{HashMap, HashSet};

use super::anonymise::{Anonymised, Refusal, Value};
use crate::submissions::SealedRecord;
use crate::survey::{Answer, QuestionId, QuestionKind, Response, Role, Survey};

/// The added questions' ids, in column order.
pub const COLUMNS: [&str; 6] = [
    "rds_id",
    "rds_recruiter_id",
    "rds_seed",
    "rds_wave",
    "rds_coupons_used",
    "rds_network_size",
];

/// The survey with the tree's questions added, and every response with their answers; `None`
/// for a survey without coupons.
pub fn with_tree<R: Rng + ?Sized>(
    survey: &Survey,
    records: &[SealedRecord],
    rng: &mut R,
) -> Result<Option<(Survey, Vec<Response>)>, Refusal> {
    let (Some(coupons), Some(known)) = (survey.coupons(), survey.network_size_question()) else {
        return Ok(None);
    };
    if let Some(clash) = COLUMNS.iter().find(|c| survey.question(c).is_some()) {
        return Err(Refusal::Settings(format!(
            "question '{clash}' has the name of a recruitment-tree column; rename it to export this survey"
        )));
    }
    let n = records.len();
    let (max, bands) = match &known.kind {
        QuestionKind::Number { max, bands, .. } => (*max, bands.clone()),
        _ => (999, Vec::new()),
    };
    let bands_toml = |b: &[crate::survey::Band]| {
        b.iter()
            .map(|b| format!("[{}, {}]", b.lo, b.hi))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let role = known.role.unwrap_or(Role::Plain).as_str();
    let known_bands = if bands.is_empty() {
        String::new()
    } else {
        format!("  bands = [{}]\n", bands_toml(&bands))
    };
    let top = n.max(1);
    let deepest = records
        .iter()
        .filter_map(|r| r.chain.map(|c| i64::from(c.wave)))
        .max()
        .unwrap_or(0);
    let added = format!(
        r#"
[[pages]]
title = "Recruitment tree (added for the export)"
{q}  id = "rds_id"
  type = "number"
  role = "plain"
  min = 1
  max = {top}
  text = "RDS: respondent id, new for every export"
{q}  id = "rds_recruiter_id"
  type = "number"
  role = "plain"
  min = 0
  max = {top}
  text = "RDS: recruiter's rds_id (0 for a seed, or when the recruiter's row is left out)"
{q}  id = "rds_seed"
  type = "number"
  role = "plain"
  min = 0
  max = 1
  text = "RDS: 1 for a seed (given a card, not a coupon)"
{q}  id = "rds_wave"
  type = "number"
  role = "quasi"
  min = 0
  max = 1000
{wave_bands}  text = "RDS: wave (0 for seeds)"
{q}  id = "rds_coupons_used"
  type = "number"
  role = "quasi"
  min = 0
  max = {coupons}
{used_bands}  text = "RDS: how many of the person's coupons were used"
{q}  id = "rds_network_size"
  type = "number"
  role = "{role}"
  min = 0
  max = {max}
{known_bands}  text = "RDS: network size (degree)"
"#,
        q = "  [[pages.questions]]\n  dont_know = false\n  prefer_not_to_say = false\n",
        wave_bands = exact_bands(deepest, 1000, &[(0, 0), (1, 2), (3, 1000)]),
        used_bands = exact_bands(
            i64::from(coupons),
            i64::from(coupons),
            &[(0, 0), (1, i64::from(coupons))]
        ),
    );
    let extended = Survey::parse(&format!("{}\n{added}", survey.source()))
        .map_err(|e| Refusal::Settings(format!("the recruitment tree could not be added: {e}")))?;

    // Fresh ids for this export, and each response's place in the tree.
    let mut fresh: Vec<i64> = (1..=n as i64).collect();
    fresh.shuffle(rng);
    let own: HashMap<[u8; 16], i64> = records
        .iter()
        .zip(&fresh)
        .filter_map(|(r, &id)| r.chain.map(|c| (c.id, id)))
        .collect();
    let mut used: HashMap<[u8; 16], i64> = HashMap::new();
    for r in records {
        if let Some(recruiter) = r.chain.and_then(|c| c.recruiter) {
            *used.entry(recruiter).or_default() += 1;
        }
    }
    let mut responses = Vec::with_capacity(n);
    for (record, &id) in records.iter().zip(&fresh) {
        let chain = record.chain;
        let recruiter = chain
            .and_then(|c| c.recruiter)
            .and_then(|r| own.get(&r).copied())
            .unwrap_or(0);
        let wave = chain.map_or(0, |c| i64::from(c.wave));
        let coupons_used = chain.and_then(|c| used.get(&c.id).copied()).unwrap_or(0);
        let mut response = record.response.clone();
        let mut put = |name: &str, value: i64| {
            if let Ok(q) = QuestionId::parse(name) {
                response.insert(q, Answer::Number(value));
            }
        };
        put("rds_id", id);
        put("rds_recruiter_id", recruiter);
        put(
            "rds_seed",
            i64::from(chain.is_none_or(|c| c.recruiter.is_none())),
        );
        put("rds_wave", wave);
        put("rds_coupons_used", coupons_used.min(i64::from(coupons)));
        if let Some(Answer::Number(d)) = record.response.get(known.id.as_str()) {
            put("rds_network_size", *d);
        }
        responses.push(response);
    }
    Ok(Some((extended, responses)))
}

/// The bands of a tree quasi-identifier: as answered, every value from 0 to `last` a band of its
/// own (the last one reaching `max`), then the coarser `coarse` bands where each is a union of
/// those. The tree itself tells each row's exact wave (the steps back to a seed) and its exact
/// number of recruits, so nothing coarser than exact is ever shown together with the tree.
fn exact_bands(last: i64, max: i64, coarse: &[(i64, i64)]) -> String {
    let mut bands: Vec<(i64, i64)> = (0..last).map(|v| (v, v)).collect();
    bands.push((last, max));
    let edges: Vec<i64> = bands.iter().map(|b| b.0).collect();
    let unions = coarse
        .iter()
        .all(|&(lo, hi)| edges.contains(&lo) && (hi == max || edges.contains(&(hi + 1))));
    let list = |b: &[(i64, i64)]| {
        b.iter()
            .map(|(lo, hi)| format!("[{lo}, {hi}]"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = format!("  bands = [{}]\n", list(&bands));
    if unions && coarse.len() > 1 && coarse.len() < bands.len() {
        out.push_str(&format!("  coarse_bands = [{}]\n", list(coarse)));
    }
    out
}

/// The tree's link columns, which give back each row's exact wave and number of recruits.
const LINKS: [&str; 3] = ["rds_id", "rds_recruiter_id", "rds_seed"];

/// After anonymisation. The links are kept only where the export shows wave and recruits as
/// they are: where either was generalised to reach k, following recruiter ids back to a seed
/// would rebuild the exact values (an outside review rebuilt the hidden wave of 182 of 194
/// rows), so the link columns are left out and named in the manifest. Where they are kept, a
/// recruit whose recruiter's row was left out gets recruiter 0, so every row is a seed or has
/// its recruiter among the rows (what the RDS package requires). Says whether the links stay.
pub fn close_tree(data: &mut Anonymised) -> bool {
    let at = |name: &str| data.columns.iter().position(|c| c.name == name);
    let exact = |name: &str| {
        at(name)
            .and_then(|i| data.columns.get(i))
            .is_some_and(|c| c.level.as_ref().is_none_or(|l| l.number == 0))
    };
    if !(exact("rds_wave") && exact("rds_coupons_used")) {
        let drop: Vec<usize> = LINKS.iter().filter_map(|n| at(n)).collect();
        for row in &mut data.rows {
            row.values = (row.values.iter().enumerate())
                .filter(|(i, _)| !drop.contains(i))
                .map(|(_, v)| *v)
                .collect();
        }
        data.columns = (data.columns.iter().enumerate())
            .filter(|(i, _)| !drop.contains(i))
            .map(|(_, c)| c.clone())
            .collect();
        data.withheld_columns
            .extend(LINKS.iter().map(|n| (*n).to_owned()));
        return false;
    }
    let (Some(id_at), Some(recruiter_at)) = (at("rds_id"), at("rds_recruiter_id")) else {
        return false;
    };
    let ids: HashSet<Value> = data
        .rows
        .iter()
        .filter_map(|r| r.values.get(id_at).copied())
        .collect();
    for row in &mut data.rows {
        if let Some(v) = row.values.get_mut(recruiter_at) {
            if !ids.contains(v) {
                *v = Value::Code(0);
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coupons::ChainLink;

    const SURVEY: &str = "id = \"chain\"\ntitle = \"Chain\"\ncoupons = 3\n[[pages]]\ntitle = \"P\"\n  [[pages.questions]]\n  id = \"known\"\n  type = \"network_size\"\n  role = \"plain\"\n  text = \"How many?\"\n";

    /// A seed with two recruits, one of whom recruited a third person.
    fn records() -> Vec<SealedRecord> {
        let link = |id: u8, recruiter: Option<u8>, wave: u32| ChainLink {
            id: [id; 16],
            recruiter: recruiter.map(|r| [r; 16]),
            wave,
        };
        [
            link(1, None, 0),
            link(2, Some(1), 1),
            link(3, Some(1), 1),
            link(4, Some(2), 2),
        ]
        .into_iter()
        .map(|chain| {
            let mut response = Response::default();
            response.insert(
                QuestionId::parse("known").expect("id"),
                Answer::Number(i64::from(chain.id[0]) * 2),
            );
            SealedRecord {
                record_key: 0,
                response,
                chain: Some(chain),
            }
        })
        .collect()
    }

    fn number(r: &Response, id: &str) -> i64 {
        match r.get(id) {
            Some(Answer::Number(n)) => *n,
            other => panic!("{id}: {other:?}"),
        }
    }

    #[test]
    fn the_tree_gets_fresh_ids_its_waves_and_how_many_coupons_each_person_saw_used() {
        let survey = Survey::parse(SURVEY).expect("survey");
        let (extended, responses) = with_tree(&survey, &records(), &mut rand::rngs::OsRng)
            .expect("tree")
            .expect("a survey with coupons");
        assert!(extended.question("rds_wave").is_some());
        let id = |i: usize| number(&responses[i], "rds_id");
        assert_eq!(number(&responses[0], "rds_recruiter_id"), 0, "a seed");
        assert_eq!(number(&responses[1], "rds_recruiter_id"), id(0));
        assert_eq!(number(&responses[3], "rds_recruiter_id"), id(1));
        let waves: Vec<i64> = responses.iter().map(|r| number(r, "rds_wave")).collect();
        assert_eq!(waves, vec![0, 1, 1, 2]);
        let used: Vec<i64> = responses
            .iter()
            .map(|r| number(r, "rds_coupons_used"))
            .collect();
        assert_eq!(used, vec![2, 1, 0, 0]);
        let seeds: Vec<i64> = responses.iter().map(|r| number(r, "rds_seed")).collect();
        assert_eq!(seeds, vec![1, 0, 0, 0]);
        assert_eq!(number(&responses[3], "rds_network_size"), 8);
        let mut ids: Vec<i64> = (0..4).map(id).collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![1, 2, 3, 4], "a permutation of 1..n");
    }

    /// Chains of `depth` recruits after each seed: each person's id, recruiter and wave.
    fn chains(seeds: u8, depth: u8, first: u8) -> Vec<ChainLink> {
        let mut links = Vec::new();
        for s in 0..seeds {
            for w in 0..=depth {
                let id = first + s * (depth + 1) + w;
                links.push(ChainLink {
                    id: [id; 16],
                    recruiter: (w > 0).then_some([id - 1; 16]),
                    wave: u32::from(w),
                });
            }
        }
        links
    }

    /// Where wave or recruits must be generalised to reach k, the links that would give them
    /// back exactly (recruiter ids followed back to a seed) are left out and named; where both
    /// can be shown as they are, the links stay.
    #[test]
    fn the_links_leave_only_with_wave_and_recruits_shown_as_they_are() {
        let survey = Survey::parse(SURVEY).expect("survey");
        let export = |links: Vec<ChainLink>| {
            let records: Vec<SealedRecord> = links
                .into_iter()
                .map(|chain| SealedRecord {
                    record_key: 0,
                    response: Response::default(),
                    chain: Some(chain),
                })
                .collect();
            let (extended, responses) = with_tree(&survey, &records, &mut rand::rngs::OsRng)
                .expect("tree")
                .expect("coupons");
            let params = crate::export::anonymise::Params::for_survey(&extended);
            let mut data = crate::export::anonymise::anonymise(
                &extended,
                &responses,
                &params,
                &mut rand::rngs::OsRng,
            )
            .expect("exported");
            let kept = close_tree(&mut data);
            let names: Vec<String> = data.columns.iter().map(|c| c.name.clone()).collect();
            (kept, names, data.withheld_columns)
        };
        // Twelve chains of four recruits: twelve people at each wave, each with one recruit
        // but the last — every wave and number of recruits shared by at least k = 10.
        let (kept, names, withheld) = export(chains(12, 4, 1));
        assert!(kept, "{names:?}");
        assert!(names.iter().any(|n| n == "rds_recruiter_id"));
        assert!(withheld.is_empty(), "{withheld:?}");
        // Three chains run deeper: waves 5 to 7 hold three people each, so the wave is
        // generalised — and the links go with it.
        let mut deeper = chains(12, 4, 1);
        deeper.retain(|l| !(l.id[0] <= 15 && l.wave == 4));
        deeper.extend(chains(3, 7, 100).into_iter().filter(|l| l.wave >= 4));
        let relink: Vec<ChainLink> = deeper
            .into_iter()
            .map(|mut l| {
                if l.id[0] >= 100 && l.wave == 4 {
                    // Hang each deeper chain below the wave-3 person of one of the first chains.
                    let chain = (l.id[0] - 100) / 8;
                    l.recruiter = Some([1 + chain * 5 + 3; 16]);
                }
                l
            })
            .collect();
        let (kept, names, withheld) = export(relink);
        assert!(!kept);
        for link in LINKS {
            assert!(!names.iter().any(|n| n == link), "{link} in {names:?}");
            assert!(withheld.iter().any(|n| n == link), "{link} not named");
        }
    }

    #[test]
    fn a_survey_without_coupons_adds_nothing() {
        let plain = Survey::parse(&SURVEY.replace("coupons = 3\n", "")).expect("survey");
        assert!(with_tree(&plain, &records(), &mut rand::rngs::OsRng)
            .expect("ok")
            .is_none());
    }
}
