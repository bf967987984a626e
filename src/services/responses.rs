//! A peer's actions: answering, checking a code before answering, and getting a code from an
//! open survey's landing page. Never audited — respondents never appear in the audit log — and
//! rate-limited per client at the edge, in memory.

use crate::coupons::{self, Coupon, Placed};
use crate::installation::Chorus;
use crate::store::StoreError;
use crate::submissions::{self, Accepted, SubmitError};
use crate::survey::Mode;
use crate::surveys::{SurveyEntry, SurveyState};
use crate::tokens::{self, code_hash, TokenCode};
use crate::vouchers;

/// What a peer is told after a durable submission.
#[derive(Debug)]
pub struct Submitted {
    /// The survey's `end_if` screened the person out: nothing was stored.
    pub screened_out: bool,
    /// The incentive voucher, when the survey offers one and a response was stored.
    pub voucher: Option<TokenCode>,
    /// Recruitment coupons with their claim stubs (`coupons = N`), when a response was stored
    /// and the person was not screened out.
    pub coupons: Vec<Coupon>,
}

/// Parses, seals and stores one response, spending its code; `Ok` means durable. A survey with
/// an incentive gets a voucher, and a survey with coupons its coupons and their claims, written
/// just before the response, so the flush that makes the response durable makes them durable
/// too; what belongs to a response that was refused (or screened out) is taken back before
/// anyone sees it. A coupon used here has its link forgotten and, when the response is stored,
/// its claim made payable, in the same atomic batch that spends it.
pub async fn submit(
    chorus: &Chorus,
    survey: &str,
    code: &str,
    answers: &serde_json::Map<String, serde_json::Value>,
) -> Result<Submitted, SubmitError> {
    let key = chorus.vault.code_hash_key();
    let open = chorus
        .surveys
        .get(survey)
        .filter(|e| e.state == SurveyState::Open);
    let offers_incentive = open
        .as_ref()
        .is_some_and(|e| e.survey.incentive().is_some());
    let coupon_count = open.as_ref().and_then(|e| e.survey.coupons());
    let placed = match coupon_count {
        Some(_) => {
            let (link, coupon) = coupons::place(&chorus.store, &chorus.vault, survey, code)?;
            Some(Placed { link, coupon })
        }
        None => None,
    };
    let chain = placed.map(|p| p.link);
    let voucher = if offers_incentive {
        Some(vouchers::issue(&chorus.store, key, survey)?)
    } else {
        None
    };
    let issued = match (&chain, coupon_count) {
        (Some(own), Some(n)) => {
            coupons::issue(&chorus.store, &chorus.vault, survey, own, n as usize)?
        }
        _ => Vec::new(),
    };
    let outcome = submissions::accept(
        &chorus.surveys,
        &chorus.store,
        key,
        survey,
        code,
        answers,
        placed,
    )
    .await;
    if let (Some(placed), Ok(Accepted::Stored | Accepted::StoredScreenedOut)) = (&chain, &outcome) {
        chorus.waves.note(survey, placed.wave);
    }
    let stored = matches!(outcome, Ok(Accepted::Stored | Accepted::StoredScreenedOut));
    let recruits = matches!(outcome, Ok(Accepted::Stored));
    if let (Some(v), false) = (&voucher, stored) {
        vouchers::withdraw(&chorus.store, key, v)?;
    }
    if !recruits {
        coupons::withdraw(&chorus.store, &chorus.vault, &issued)?;
    }
    Ok(Submitted {
        screened_out: outcome? == Accepted::ScreenedOut,
        voucher: voucher.filter(|_| stored),
        coupons: if recruits { issued } else { Vec::new() },
    })
}

/// Retires an unused code of `survey` and stores nothing: its person left with Quick exit, or a
/// kiosk reset itself, while they were answering. The pages they left are still in the
/// browser's history with their answers in the forms; sent again by whoever holds the phone or
/// tablet next, they now meet a used code and show "This code can't be used", never the
/// answers. Unknown, used and other surveys' codes change nothing, and the caller answers the
/// same either way, so this tells nobody whether a code was good.
pub async fn retire_code(chorus: &Chorus, survey: &str, typed: &str) -> Result<(), StoreError> {
    let Ok(code) = TokenCode::parse(typed) else {
        return Ok(());
    };
    let key = chorus.vault.code_hash_key();
    if tokens::unused_code(&chorus.store, key, survey, &code)?.is_none() {
        return Ok(());
    }
    chorus
        .store
        .spend(&code_hash(key, &code), survey, None)
        .await?;
    Ok(())
}

/// A code that can be used now on one survey. No `Debug`: a code never reaches a log.
pub struct UsableCode {
    /// The code as printed on cards.
    pub code: String,
    /// The survey as the site the card was handed out at sees it: the per-site variants
    /// (`[variants]`, docs/survey-format.md) that the tags of the code's batch choose. Looked
    /// up on every page from the code the form carries, so no cookie or stored state says which
    /// site a peer came from. `None` when the survey has no variants: the entry as it is.
    pub site: Option<SurveyEntry>,
}

/// `typed` when it is an issued, unused code of `entry`'s survey. Unknown, used, mistyped and
/// other surveys' codes are all `None`, decided before the code's batch is read: one answer,
/// so a card found on someone tells nobody whether it was used, nor where it was handed out.
pub fn usable_code(
    chorus: &Chorus,
    entry: &SurveyEntry,
    typed: &str,
) -> Result<Option<UsableCode>, StoreError> {
    let Ok(code) = TokenCode::parse(typed) else {
        return Ok(None);
    };
    let survey = entry.survey.id().as_str();
    let key = chorus.vault.code_hash_key();
    let Some(unused) = tokens::unused_code(&chorus.store, key, survey, &code)? else {
        return Ok(None);
    };
    let site = if entry.survey.variants().is_empty() {
        None
    } else {
        let tags = unused.tags(&chorus.store)?;
        Some(SurveyEntry {
            survey: std::sync::Arc::new(entry.survey.for_site(&tags).into_owned()),
            ..entry.clone()
        })
    };
    Ok(Some(UsableCode {
        code: code.display(),
        site,
    }))
}

/// The survey an issued, unused code belongs to, and the code as displayed. Unknown, used and
/// mistyped codes are all `None`: one answer, so nobody learns whether a card was used.
pub fn unused_code(chorus: &Chorus, typed: &str) -> Result<Option<(String, String)>, StoreError> {
    let Ok(code) = TokenCode::parse(typed) else {
        return Ok(None);
    };
    Ok(chorus
        .store
        .code_get(&code_hash(chorus.vault.code_hash_key(), &code))?
        .filter(|rec| !rec.spent)
        .map(|rec| (code.display(), rec.survey)))
}

/// Why an open survey's landing page gives no code.
#[derive(Debug, thiserror::Error)]
pub enum OpenCodeError {
    #[error("there is no such survey")]
    NoSuchSurvey,
    #[error("this survey is closed")]
    Closed,
    #[error("This survey is by invitation: codes are handed out by the organisers.")]
    ByInvitation,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A fresh code for one visitor of an open survey, durable before it is shown.
pub async fn open_code(chorus: &Chorus, survey: &str) -> Result<TokenCode, OpenCodeError> {
    let entry = chorus
        .surveys
        .get(survey)
        .ok_or(OpenCodeError::NoSuchSurvey)?;
    match entry.state {
        SurveyState::Draft => return Err(OpenCodeError::NoSuchSurvey),
        SurveyState::Closed => return Err(OpenCodeError::Closed),
        SurveyState::Open => {}
    }
    if entry.survey.mode() != Mode::Open {
        return Err(OpenCodeError::ByInvitation);
    }
    let code = tokens::issue_open_code(&chorus.store, chorus.vault.code_hash_key(), survey)?;
    chorus.store.durable().await?;
    Ok(code)
}

/// Whether `survey` may give out open codes now (checked before the rate limit is spent).
pub fn offers_open_codes(chorus: &Chorus, survey: &str) -> Result<(), OpenCodeError> {
    let entry = chorus
        .surveys
        .get(survey)
        .ok_or(OpenCodeError::NoSuchSurvey)?;
    match (entry.state, entry.survey.mode()) {
        (SurveyState::Draft, _) => Err(OpenCodeError::NoSuchSurvey),
        (SurveyState::Closed, _) => Err(OpenCodeError::Closed),
        (SurveyState::Open, Mode::Open) => Ok(()),
        (SurveyState::Open, _) => Err(OpenCodeError::ByInvitation),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RDS: &str = "id = \"chain\"\ntitle = \"Chain\"\ncoupons = 2\n[[pages]]\ntitle = \"P\"\n  [[pages.questions]]\n  id = \"known\"\n  type = \"network_size\"\n  role = \"plain\"\n  text = \"How many?\"\n";

    fn submitted(chorus: &Chorus, code: &str) -> Submitted {
        let answers = serde_json::json!({"known": 4});
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime
            .block_on(submit(
                chorus,
                "chain",
                code,
                answers.as_object().expect("object"),
            ))
            .expect("stored")
    }

    #[test]
    fn sealed_responses_record_the_recruitment_tree_and_nothing_else_links_them() {
        let (_d, chorus) = crate::installation::temporary_with(RDS);
        chorus
            .surveys
            .set_state(&chorus.store, "chain", SurveyState::Open)
            .expect("open");
        let (_, seeds) =
            tokens::issue_batch(&chorus.store, chorus.vault.code_hash_key(), "chain", 1)
                .expect("seed card");
        let seed = submitted(&chorus, &seeds[0].display());
        assert_eq!(seed.coupons.len(), 2);
        let recruit = submitted(&chorus, &seed.coupons[0].code.display());
        submitted(&chorus, &recruit.coupons[1].code.display());
        let entry = chorus.surveys.get("chain").expect("entry");
        let mut chain: Vec<_> = submissions::open_all(&chorus.store, &entry)
            .expect("open")
            .into_iter()
            .map(|r| r.chain.expect("every response has its place"))
            .collect();
        chain.sort_by_key(|c| c.wave);
        let waves: Vec<u32> = chain.iter().map(|c| c.wave).collect();
        assert_eq!(waves, vec![0, 1, 2]);
        assert_eq!(chain[0].recruiter, None, "a seed");
        assert_eq!(chain[1].recruiter, Some(chain[0].id));
        assert_eq!(chain[2].recruiter, Some(chain[1].id));
        // A used coupon's link is gone; an unused one still has its own.
        let key = chorus.vault.code_hash_key();
        let used = code_hash(key, &seed.coupons[0].code);
        let unused = code_hash(key, &seed.coupons[1].code);
        assert_eq!(chorus.store.coupon_link_get(&used).expect("get"), None);
        assert!(chorus
            .store
            .coupon_link_get(&unused)
            .expect("get")
            .is_some());
    }
}
