//! One-time codes: their format, keyed hashing and issuance in batches. Codes are stored only as
//! HMAC-SHA256 digests under a key derived from the root secret, so a copy of the data directory
//! cannot tell whether a code found on a card was ever issued or used.

mod code;

pub use code::{CodeError, TokenCode};

use crate::store::{CodeRecord, Store, StoreError};
use crate::survey::BatchTags;
use ring::hmac;

/// The key codes are hashed under (derived from the root secret in `vault`).
pub type CodeHashKey = hmac::Key;

/// Codes are written in chunks: sled's memory grows with the size of one batch of writes.
const CHUNK: usize = 1_000;
/// Batch number used for codes handed out one by one on an open survey's landing page.
pub const OPEN_BATCH: u32 = 0;
/// Batch number of recruitment coupons (`coupons = N`): every coupon of a survey is in this one
/// batch, which has no batch record — its number says nothing about who or when.
pub const COUPON_BATCH: u32 = u32::MAX;

/// The keyed digest under which a code is stored.
pub fn code_hash(key: &hmac::Key, code: &TokenCode) -> [u8; 32] {
    let tag = hmac::sign(key, code.normalised());
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// The keyed digest under which an incentive voucher is stored. Domain-separated from card
/// codes, so a voucher's digest never equals the digest its text would have as a card code.
pub fn voucher_hash(key: &hmac::Key, voucher: &TokenCode) -> [u8; 32] {
    let mut context = hmac::Context::with_key(key);
    context.update(b"chorus voucher\0");
    context.update(voucher.normalised());
    let mut out = [0u8; 32];
    out.copy_from_slice(context.sign().as_ref());
    out
}

/// The claim stub of a recruitment coupon: worked out from the coupon under the code-hashing
/// key, so nothing stored has to say which claim belongs to which coupon, and a stub found on
/// someone leads nowhere (the function cannot be run backwards from a claim to its coupon).
pub fn claim_of(key: &hmac::Key, coupon: &TokenCode) -> TokenCode {
    let mut attempt: u32 = 0;
    loop {
        let mut context = hmac::Context::with_key(key);
        context.update(b"chorus coupon claim\0");
        context.update(coupon.normalised());
        context.update(&attempt.to_be_bytes());
        let tag = context.sign();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&tag.as_ref()[..16]);
        if let Some(claim) = TokenCode::from_bytes(bytes) {
            return claim;
        }
        attempt += 1;
    }
}

/// Issues `count` fresh codes for a survey as a new batch, durably, and returns them. This is the
/// only moment the codes exist in plain form: they are not kept anywhere.
pub fn issue_batch(
    store: &Store,
    key: &hmac::Key,
    survey: &str,
    count: usize,
) -> Result<(u32, Vec<TokenCode>), StoreError> {
    issue_tagged_batch(store, key, survey, count, &BatchTags::new())
}

/// Like `issue_batch`, for a batch with context tags (`--tag site=north`, already checked
/// against the survey): every response given with one of its codes answers the survey's
/// `from_batch` questions with them.
pub fn issue_tagged_batch(
    store: &Store,
    key: &hmac::Key,
    survey: &str,
    count: usize,
    tags: &BatchTags,
) -> Result<(u32, Vec<TokenCode>), StoreError> {
    let encoded = if tags.is_empty() {
        Vec::new()
    } else {
        serde_json::to_vec(tags).map_err(|_| StoreError::Corrupt)?
    };
    let batch = store.batch_create(survey, count as u64, &encoded)?;
    let mut issued = Vec::with_capacity(count);
    while issued.len() < count {
        let want = (count - issued.len()).min(CHUNK);
        issued.extend(insert_new(store, key, survey, batch, want)?);
    }
    store.durable_blocking()?;
    Ok((batch, issued))
}

/// An issued, unused code of one survey, as found by [`unused_code`]: the only way to its
/// batch's tags, so no caller can read the batch of a code that can't be used.
pub struct UnusedCode {
    survey: String,
    batch: u32,
}

/// `Some` for an issued, unused code of `survey`; `None` for every code that can't be used —
/// never issued, spent, or another survey's — and then no batch is read at all: a card that
/// can't be used must not say where it was handed out, nor answer differently from one that
/// never existed. Spending it later checks again, atomically.
pub fn unused_code(
    store: &Store,
    key: &hmac::Key,
    survey: &str,
    code: &TokenCode,
) -> Result<Option<UnusedCode>, StoreError> {
    Ok(store
        .code_get(&code_hash(key, code))?
        .filter(|record| !record.spent && record.survey == survey)
        .map(|record| UnusedCode {
            survey: record.survey,
            batch: record.batch,
        }))
}

impl UnusedCode {
    /// The tags of the code's batch (empty for an untagged batch).
    pub fn tags(&self, store: &Store) -> Result<BatchTags, StoreError> {
        let raw = store.batch_tags(&self.survey, self.batch)?;
        if raw.is_empty() {
            return Ok(BatchTags::new());
        }
        serde_json::from_slice(&raw).map_err(|_| StoreError::Corrupt)
    }
}

/// One code for one visitor of an open survey; the caller rate-limits and awaits durability.
pub fn issue_open_code(
    store: &Store,
    key: &hmac::Key,
    survey: &str,
) -> Result<TokenCode, StoreError> {
    let mut codes = insert_new(store, key, survey, OPEN_BATCH, 1)?;
    codes.pop().ok_or(StoreError::Corrupt)
}

/// One more code in an existing batch (a kiosk's, for the next person at the tablet), counted
/// as issued; the caller rate-limits and awaits durability.
pub fn issue_code_in_batch(
    store: &Store,
    key: &hmac::Key,
    survey: &str,
    batch: u32,
) -> Result<TokenCode, StoreError> {
    let mut codes = insert_new(store, key, survey, batch, 1)?;
    store.batch_add_issued(survey, batch, 1)?;
    codes.pop().ok_or(StoreError::Corrupt)
}

/// `count` recruitment coupons: codes like any card's, in the coupon batch. Written, not yet
/// durable: the caller's flush (the one that makes the recruiter's response durable) does that.
pub fn issue_coupon_codes(
    store: &Store,
    key: &hmac::Key,
    survey: &str,
    count: usize,
) -> Result<Vec<TokenCode>, StoreError> {
    insert_new(store, key, survey, COUPON_BATCH, count)
}

fn insert_new(
    store: &Store,
    key: &hmac::Key,
    survey: &str,
    batch: u32,
    count: usize,
) -> Result<Vec<TokenCode>, StoreError> {
    let mut done = Vec::with_capacity(count);
    let mut pending: Vec<TokenCode> = (0..count).map(|_| TokenCode::generate()).collect();
    // A clash with an existing digest is astronomically unlikely at 65 bits, but an existing
    // code must never be reset to unused, so clashing codes are simply drawn again.
    while !pending.is_empty() {
        let entries: Vec<_> = pending
            .iter()
            .map(|c| {
                let record = CodeRecord {
                    survey: survey.to_owned(),
                    batch,
                    spent: false,
                };
                (code_hash(key, c), record)
            })
            .collect();
        let clashes = store.codes_insert(&entries)?;
        let mut retry = Vec::with_capacity(clashes.len());
        for (i, code) in pending.into_iter().enumerate() {
            if clashes.contains(&i) {
                retry.push(TokenCode::generate());
            } else {
                done.push(code);
            }
        }
        pending = retry;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &[42; 32])
    }

    #[test]
    fn the_same_code_always_hashes_to_the_same_digest_and_others_do_not() {
        let a = TokenCode::generate();
        let b = TokenCode::generate();
        assert_eq!(code_hash(&key(), &a), code_hash(&key(), &a));
        assert_ne!(code_hash(&key(), &a), code_hash(&key(), &b));
    }

    #[test]
    fn a_coupons_claim_is_always_the_same_and_differs_from_the_coupon_and_other_claims() {
        let coupon = TokenCode::generate();
        let claim = claim_of(&key(), &coupon);
        assert_eq!(claim.display(), claim_of(&key(), &coupon).display());
        assert_ne!(claim.display(), coupon.display());
        assert_ne!(
            claim.display(),
            claim_of(&key(), &TokenCode::generate()).display()
        );
        assert!(TokenCode::parse(&claim.display()).is_ok(), "a valid code");
    }

    #[test]
    fn a_digest_depends_on_the_key() {
        let code = TokenCode::generate();
        let other = hmac::Key::new(hmac::HMAC_SHA256, &[7; 32]);
        assert_ne!(code_hash(&key(), &code), code_hash(&other, &code));
    }

    #[test]
    fn only_an_unused_code_of_the_survey_gives_its_batch_tags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let tags: BatchTags = [("site".to_owned(), "van".to_owned())]
            .into_iter()
            .collect();
        let (_, codes) = issue_tagged_batch(&store, &key(), "sites", 2, &tags).expect("issue");
        let (_, plain) = issue_batch(&store, &key(), "sites", 1).expect("issue");
        let tags_of = |code: &TokenCode, survey: &str| {
            unused_code(&store, &key(), survey, code)
                .expect("read")
                .map(|unused| unused.tags(&store).expect("tags"))
        };
        assert_eq!(tags_of(&codes[0], "sites"), Some(tags.clone()));
        assert_eq!(tags_of(&plain[0], "sites"), Some(BatchTags::new()));
        // Spent, another survey's, never issued: nothing, not even the batch's tags.
        let spent = store
            .redeem_blocking(&code_hash(&key(), &codes[1]), "sites", b"r", b"sealed")
            .expect("redeem");
        assert_eq!(spent, crate::store::Redemption::Redeemed);
        assert_eq!(tags_of(&codes[1], "sites"), None);
        assert_eq!(tags_of(&codes[0], "other"), None);
        assert_eq!(tags_of(&TokenCode::generate(), "sites"), None);
    }

    #[test]
    fn an_issued_batch_is_stored_only_as_unused_digests() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let (batch, codes) = issue_batch(&store, &key(), "demo", 2_500).expect("issue");
        assert_eq!(codes.len(), 2_500);
        let distinct: std::collections::HashSet<_> = codes.iter().map(|c| c.display()).collect();
        assert_eq!(distinct.len(), 2_500);
        for code in &codes {
            let rec = store
                .code_get(&code_hash(&key(), code))
                .expect("get")
                .expect("stored");
            assert_eq!((rec.batch, rec.spent), (batch, false));
        }
        let counts = store.batch_counts("demo").expect("counts");
        assert_eq!((counts[0].issued, counts[0].used), (2_500, 0));
    }
}
