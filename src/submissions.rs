//! Taking in one response: answers are parsed against the definition into a typed `Response`,
//! sealed with the survey's data key together with a fresh secret record key, and stored in the
//! same atomic batch that spends the code (`src/store/committer.rs`). It returns once all of
//! that is on disk.
//!
//! Free-text answers are taken out of the response and sealed one by one under ids of their own:
//! they are only ever read detached from every other answer, so they are stored that way, and
//! the response itself stays small and of one size per survey.

use crate::coupons::{ChainLink, Placed};
use crate::store::{Redemption, Store, StoreError};
use crate::survey::{answers, Answer, AnswerError, BatchTags, Response, Survey};
use crate::surveys::{SurveyRegistry, SurveyState};
use crate::tokens::{self, code_hash, CodeHashKey, TokenCode};
use crate::vault::{random_array, random_u32};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("there is no such survey")]
    NoSuchSurvey,
    #[error("this survey is closed")]
    SurveyClosed,
    #[error("some answers are not valid")]
    InvalidAnswers(Vec<AnswerError>),
    /// Unknown, already used, malformed, or another survey's code: one case on purpose.
    #[error("this code can't be used")]
    CodeUnusable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What is sealed per response. The record key feeds cell-key perturbation of released tables;
/// it is secret and never exported.
///
/// Stored compactly ([`SealedRecord::encode`]); records written before that are JSON, and are
/// read as such.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct SealedRecord {
    #[serde(rename = "k")]
    pub record_key: u32,
    #[serde(rename = "a")]
    pub response: Response,
    /// Surveys with coupons: where the response sits in the recruitment tree.
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainLink>,
}

/// The first byte of a compact record. A JSON record starts with `{`.
const COMPACT: u8 = 0xC1;

impl SealedRecord {
    /// The plaintext to seal: [`COMPACT`] ‖ record key (4 bytes) ‖ the chain link (`0`, or `1` ‖
    /// id ‖ `0` or `1` ‖ recruiter id ‖ wave, 4 bytes) ‖ the answers (`Response::to_stored`).
    /// At most `surveys::RECORD_WRAPPER` (+ `surveys::CHAIN_LINK` with a link) bytes more than
    /// the answers. An answer the definition cannot place keeps the JSON form, which is longer
    /// than the survey's record size and so is padded to a size of its own: that never happens
    /// to a response parsed against the same definition, and is logged if it does.
    pub fn encode(&self, survey: &Survey) -> Vec<u8> {
        let Some(answers) = self.response.to_stored(survey) else {
            tracing::error!(
                survey = survey.id().as_str(),
                "a response could not be stored compactly; it was stored in the longer form"
            );
            return serde_json::to_vec(self).unwrap_or_default();
        };
        let mut out = Vec::with_capacity(6 + answers.len());
        out.push(COMPACT);
        out.extend_from_slice(&self.record_key.to_be_bytes());
        match &self.chain {
            None => out.push(0),
            Some(link) => {
                out.push(1);
                out.extend_from_slice(&link.id);
                match &link.recruiter {
                    None => out.push(0),
                    Some(r) => {
                        out.push(1);
                        out.extend_from_slice(r);
                    }
                }
                out.extend_from_slice(&link.wave.to_be_bytes());
            }
        }
        out.extend_from_slice(&answers);
        out
    }

    /// Reads either form; `None` for anything else.
    pub fn decode(survey: &Survey, plain: &[u8]) -> Option<SealedRecord> {
        let Some((&COMPACT, rest)) = plain.split_first() else {
            return serde_json::from_slice(plain).ok();
        };
        let (key, rest) = rest.split_first_chunk::<4>()?;
        let (chain, rest) = match rest.split_first()? {
            (0, rest) => (None, rest),
            (1, rest) => {
                let (&id, rest) = rest.split_first_chunk::<16>()?;
                let (recruiter, rest) = match rest.split_first()? {
                    (0, rest) => (None, rest),
                    (1, rest) => {
                        let (&r, rest) = rest.split_first_chunk::<16>()?;
                        (Some(r), rest)
                    }
                    _ => return None,
                };
                let (wave, rest) = rest.split_first_chunk::<4>()?;
                let wave = u32::from_be_bytes(*wave);
                (
                    Some(ChainLink {
                        id,
                        recruiter,
                        wave,
                    }),
                    rest,
                )
            }
            _ => return None,
        };
        Some(SealedRecord {
            record_key: u32::from_be_bytes(*key),
            response: Response::from_stored(survey, rest)?,
            chain,
        })
    }
}

/// A free-text answer as it is sealed, apart from the response it came with: the question and
/// the text, nothing else.
#[derive(Serialize, Deserialize, PartialEq)]
pub struct StoredText {
    #[serde(rename = "q")]
    pub question: String,
    #[serde(rename = "t")]
    pub text: String,
}

/// A peer's words never reach a log through `{:?}`.
impl std::fmt::Debug for StoredText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredText")
            .field("question", &self.question)
            .field("text", &"[redacted]")
            .finish()
    }
}

/// Takes the free-text answers out of a response.
fn detach_texts(mut response: Response) -> (Response, Vec<StoredText>) {
    let ids: Vec<_> = response
        .answers()
        .iter()
        .filter(|(_, a)| matches!(a, Answer::Text(_)))
        .map(|(id, _)| id.clone())
        .collect();
    let texts = ids
        .into_iter()
        .filter_map(|id| match response.remove(id.as_str()) {
            Some(Answer::Text(text)) => Some(StoredText {
                question: id.as_str().to_owned(),
                text,
            }),
            _ => None,
        })
        .collect();
    (response, texts)
}

/// What became of an accepted submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// The response is stored.
    Stored,
    /// The survey's `end_if` screened the person out and the definition records such answers
    /// (`record_screened_out`): the response is stored.
    StoredScreenedOut,
    /// The survey's `end_if` screened the person out: the code is spent, nothing is stored.
    ScreenedOut,
}

/// Parses, seals and stores one response, spending its code. `Ok` means durable: only then may
/// anyone be told "thank you". For surveys with coupons, `placed` says where the response sits
/// in the recruitment tree (sealed with it) and which coupon it used (settled with its spending).
pub async fn accept(
    registry: &SurveyRegistry,
    store: &Store,
    code_key: &CodeHashKey,
    survey_id: &str,
    code: &str,
    raw_answers: &serde_json::Map<String, serde_json::Value>,
    placed: Option<Placed>,
) -> Result<Accepted, SubmitError> {
    let coupon = placed.and_then(|p| p.coupon);
    let entry = registry.get(survey_id).ok_or(SubmitError::NoSuchSurvey)?;
    match entry.state {
        SurveyState::Open => {}
        SurveyState::Draft => return Err(SubmitError::NoSuchSurvey),
        SurveyState::Closed => return Err(SubmitError::SurveyClosed),
    }
    let code = TokenCode::parse(code).map_err(|_| SubmitError::CodeUnusable)?;
    // Where questions are filled from the batch (`from_batch`, and the site's variant with
    // them), a code that can't be used is refused before its answers are read: checking them
    // against its batch would let a used card answer differently from an unknown one, and tell
    // where it was handed out. Elsewhere the answers are checked the same whatever the card,
    // and the one check that counts is the atomic one when the code is spent below: reading
    // the code's record here too would cost every submission a second lookup.
    let tags = if entry.survey.batch_fields().next().is_some() {
        tokens::unused_code(store, code_key, survey_id, &code)?
            .ok_or(SubmitError::CodeUnusable)?
            .tags(store)?
    } else {
        BatchTags::new()
    };
    let response = answers::parse_with_context(&entry.survey, raw_answers, &tags)
        .map_err(SubmitError::InvalidAnswers)?;
    let screened_out = entry.survey.ended_after(&response).is_some();
    if screened_out && !entry.survey.records_screened_out() {
        // The definition asks that people its `end_if` screens out leave no response.
        let settle = coupon.map(|c| c.settle(false));
        return match store
            .spend(&code_hash(code_key, &code), survey_id, settle)
            .await?
        {
            Redemption::Redeemed => Ok(Accepted::ScreenedOut),
            Redemption::Unusable => Err(SubmitError::CodeUnusable),
        };
    }
    let Some(data_key) = &entry.data_key else {
        return Err(SubmitError::SurveyClosed);
    };
    let (response, texts) = detach_texts(response);
    let texts = texts
        .iter()
        .map(|text| {
            let plain = serde_json::to_vec(text).map_err(|_| StoreError::Corrupt)?;
            let id: [u8; 16] = random_array();
            Ok((id.to_vec(), data_key.seal_text(survey_id, &id, &plain)))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let record = SealedRecord {
        record_key: random_u32(),
        response,
        chain: placed.map(|p| p.link),
    };
    let plaintext = zeroize::Zeroizing::new(record.encode(&entry.survey));
    let record_id: [u8; 16] = random_array();
    let sealed = data_key.seal_response(survey_id, &record_id, &plaintext, entry.record_size);
    let hash = code_hash(code_key, &code);
    // A recruiter earns the coupon's reward only for a recruit who was not screened out.
    let settle = coupon.map(|c| c.settle(!screened_out));
    match store
        .redeem(&hash, survey_id, &record_id, &sealed, texts, settle)
        .await?
    {
        Redemption::Redeemed if screened_out => Ok(Accepted::StoredScreenedOut),
        Redemption::Redeemed => Ok(Accepted::Stored),
        Redemption::Unusable => Err(SubmitError::CodeUnusable),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenAllError {
    #[error("the survey has been shredded")]
    Shredded,
    #[error("a response could not be opened with the survey's key")]
    Unreadable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every response of a survey, opened with its data key (for releases and exports only: the
/// results never leave the process except as protected tables or anonymised rows).
pub fn open_all(
    store: &Store,
    entry: &crate::surveys::SurveyEntry,
) -> Result<Vec<SealedRecord>, OpenAllError> {
    let data_key = entry.data_key.as_ref().ok_or(OpenAllError::Shredded)?;
    let id = entry.survey.id().as_str();
    let mut records = Vec::new();
    for row in store.responses(id) {
        let (record_id, sealed) = row?;
        let plain = data_key
            .open_response(id, &record_id, &sealed)
            .map_err(|_| OpenAllError::Unreadable)?;
        records.push(SealedRecord::decode(&entry.survey, &plain).ok_or(OpenAllError::Unreadable)?);
    }
    Ok(records)
}

/// Every free-text answer of a survey stored apart from its response, opened: the question and
/// the words, nothing else (for a release's snapshot of free text only, which is sealed again at
/// once; see `release::snapshot`).
pub fn stored_texts(
    store: &Store,
    entry: &crate::surveys::SurveyEntry,
) -> Result<Vec<StoredText>, OpenAllError> {
    let data_key = entry.data_key.as_ref().ok_or(OpenAllError::Shredded)?;
    let id = entry.survey.id().as_str();
    let mut texts = Vec::new();
    for row in store.texts(id) {
        let (text_id, sealed) = row?;
        let plain = zeroize::Zeroizing::new(
            data_key
                .open_text(id, &text_id, &sealed)
                .map_err(|_| OpenAllError::Unreadable)?,
        );
        texts.push(serde_json::from_slice(&plain).map_err(|_| OpenAllError::Unreadable)?);
    }
    Ok(texts)
}

/// The free-text answers held inside opened responses: those stored before free text was kept
/// apart still hold theirs.
pub fn texts_inside(records: &[SealedRecord]) -> Vec<StoredText> {
    records
        .iter()
        .flat_map(|record| record.response.answers())
        .filter_map(|(id, answer)| match answer {
            Answer::Text(text) => Some(StoredText {
                question: id.as_str().to_owned(),
                text: text.clone(),
            }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coupons::ChainLink;
    use crate::survey::{Answer, NonAnswer, QuestionId, Survey};

    #[test]
    fn a_recruit_with_every_answer_a_non_answer_fits_its_surveys_record_size() {
        let survey =
            Survey::parse(include_str!("../surveys/rds-injecting-study.toml")).expect("parses");
        let mut response = Response::default();
        for q in survey.questions() {
            let id = QuestionId::parse(q.id.as_str()).expect("id");
            response.insert(id, Answer::NonAnswer(NonAnswer::PreferNotToSay));
        }
        let (response, _) = detach_texts(response);
        let record = SealedRecord {
            record_key: u32::MAX,
            response,
            chain: Some(ChainLink {
                id: [255; 16],
                recruiter: Some([255; 16]),
                wave: u32::MAX,
            }),
        };
        let plain = record.encode(&survey);
        let size = crate::surveys::record_size(&survey);
        assert!(
            plain.len() + 4 <= size,
            "{} bytes do not fit {size}",
            plain.len()
        );
        // The wrapper and the chain's allowance hold their longest forms exactly.
        let answers = record.response.to_stored(&survey).expect("placed").len();
        assert_eq!(
            plain.len() - answers,
            crate::surveys::RECORD_WRAPPER + crate::surveys::CHAIN_LINK
        );
        assert_eq!(SealedRecord::decode(&survey, &plain), Some(record));
    }

    #[test]
    fn records_read_back_in_both_forms_and_anything_else_is_refused() {
        let survey = Survey::parse(include_str!("../surveys/demo.toml")).expect("parses");
        let mut response = Response::default();
        response.insert(QuestionId::parse("age").expect("id"), Answer::Number(31));
        let record = SealedRecord {
            record_key: 7,
            response,
            chain: None,
        };
        let compact = record.encode(&survey);
        assert_eq!(compact.first(), Some(&COMPACT));
        assert_eq!(compact.len(), crate::surveys::RECORD_WRAPPER + 3);
        assert_eq!(
            SealedRecord::decode(&survey, &compact).as_ref(),
            Some(&record)
        );
        // Written before the compact form existed.
        let json = br#"{"k":7,"a":{"age":{"n":31}}}"#;
        assert_eq!(SealedRecord::decode(&survey, json).as_ref(), Some(&record));
        for bad in [
            &compact[..5],
            &[COMPACT, 0, 0, 0, 7, 2][..],
            b"{\"k\":7}",
            b"",
        ] {
            assert_eq!(SealedRecord::decode(&survey, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_response_the_definition_cannot_place_is_stored_in_the_longer_form() {
        let survey = Survey::parse(include_str!("../surveys/demo.toml")).expect("parses");
        let mut response = Response::default();
        response.insert(
            QuestionId::parse("not_in_demo").expect("id"),
            Answer::Number(1),
        );
        let record = SealedRecord {
            record_key: 1,
            response,
            chain: None,
        };
        let plain = record.encode(&survey);
        assert_eq!(plain.first(), Some(&b'{'));
        assert_eq!(SealedRecord::decode(&survey, &plain), Some(record));
    }

    #[test]
    fn free_text_answers_are_taken_out_of_a_response_and_nothing_else() {
        let mut response = Response::default();
        let id = |s: &str| QuestionId::parse(s).expect("id");
        response.insert(id("said"), Answer::Text("hello".into()));
        response.insert(id("age"), Answer::Number(30));
        let (kept, texts) = detach_texts(response);
        assert_eq!(kept.len(), 1);
        assert!(kept.get("age").is_some());
        assert_eq!(
            texts,
            vec![StoredText {
                question: "said".into(),
                text: "hello".into()
            }]
        );
    }
}
