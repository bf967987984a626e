//! Incentive vouchers: a survey that offers an incentive gives each peer a voucher code once
//! their response is on disk, and staff pay each voucher exactly once. A voucher is a random
//! code stored only as a keyed digest (like a card code), in a record with its survey and a paid
//! flag: no time, no response id, nothing that orders it with responses.

use crate::store::{Payment, Store, StoreError};
use crate::tokens::{voucher_hash, CodeHashKey, TokenCode};

/// What staff see when they look a voucher up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Payable { survey: String },
    AlreadyPaid { survey: String },
    NotValid,
}

/// A fresh payable voucher for `survey`, written (not yet durable: the caller awaits that).
pub fn issue(store: &Store, key: &CodeHashKey, survey: &str) -> Result<TokenCode, StoreError> {
    loop {
        let voucher = TokenCode::generate();
        if store.voucher_insert(&voucher_hash(key, &voucher), survey)? {
            return Ok(voucher);
        }
    }
}

/// Takes back a voucher nobody was shown (its response was refused).
pub fn withdraw(store: &Store, key: &CodeHashKey, voucher: &TokenCode) -> Result<(), StoreError> {
    store.voucher_remove(&voucher_hash(key, voucher))
}

/// Where a typed voucher stands. A mistyped voucher reads as not valid.
pub fn standing(store: &Store, key: &CodeHashKey, typed: &str) -> Result<Standing, StoreError> {
    let Ok(voucher) = TokenCode::parse(typed) else {
        return Ok(Standing::NotValid);
    };
    Ok(match store.voucher_get(&voucher_hash(key, &voucher))? {
        // A claim whose coupon nobody used yet reads as no voucher at all.
        Some(record) if record.reward == Some(false) => Standing::NotValid,
        Some(record) if record.paid => Standing::AlreadyPaid {
            survey: record.survey,
        },
        Some(record) => Standing::Payable {
            survey: record.survey,
        },
        None => Standing::NotValid,
    })
}

/// Whether a typed voucher is a recruitment reward's claim (a coupon's stub) that its coupon
/// has made payable, rather than an incentive voucher; `false` for anything else — a stub whose
/// coupon nobody used yet too, which must read exactly like a made-up code (an outside review
/// told a real stub from a made-up one by this answer).
pub fn is_reward(store: &Store, key: &CodeHashKey, typed: &str) -> Result<bool, StoreError> {
    let Ok(voucher) = TokenCode::parse(typed) else {
        return Ok(false);
    };
    Ok(store
        .voucher_get(&voucher_hash(key, &voucher))?
        .is_some_and(|r| r.reward == Some(true)))
}

/// Marks a typed voucher paid; exactly one of any number of concurrent callers gets `Paid`.
/// Not yet durable: the caller awaits that before telling anyone to hand over the incentive.
pub fn pay(store: &Store, key: &CodeHashKey, typed: &str) -> Result<Payment, StoreError> {
    match TokenCode::parse(typed) {
        Ok(voucher) => store.voucher_pay(&voucher_hash(key, &voucher)),
        Err(_) => Ok(Payment::NotValid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CodeHashKey {
        ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &[5; 32])
    }

    #[test]
    fn an_issued_voucher_is_payable_then_paid_and_a_typo_is_not_valid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let voucher = issue(&store, &key(), "demo").expect("issue");
        let typed = voucher.display().to_lowercase();
        assert_eq!(
            standing(&store, &key(), &typed).expect("standing"),
            Standing::Payable {
                survey: "demo".into()
            }
        );
        assert_eq!(
            pay(&store, &key(), &typed).expect("pay"),
            Payment::Paid("demo".into())
        );
        assert_eq!(
            standing(&store, &key(), &typed).expect("standing"),
            Standing::AlreadyPaid {
                survey: "demo".into()
            }
        );
        assert_eq!(
            standing(&store, &key(), "not a voucher").expect("typo"),
            Standing::NotValid
        );
    }

    #[test]
    fn a_card_code_is_not_a_voucher_and_a_voucher_is_not_a_card_code() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let (_, cards) = crate::tokens::issue_batch(&store, &key(), "demo", 1).expect("cards");
        assert_eq!(
            standing(&store, &key(), &cards[0].display()).expect("card"),
            Standing::NotValid
        );
        let voucher = issue(&store, &key(), "demo").expect("issue");
        let as_card = crate::tokens::code_hash(&key(), &voucher);
        assert_eq!(store.code_get(&as_card).expect("get"), None);
    }

    #[test]
    fn a_withdrawn_voucher_is_not_valid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let voucher = issue(&store, &key(), "demo").expect("issue");
        withdraw(&store, &key(), &voucher).expect("withdraw");
        assert_eq!(
            pay(&store, &key(), &voucher.display()).expect("pay"),
            Payment::NotValid
        );
    }
}
