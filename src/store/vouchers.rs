//! Incentive vouchers in the `redeem` tree (`v` ‖ keyed hash). A voucher is written on its own,
//! never in the batch that stores a response, and its record says only which survey it pays for
//! and whether it was paid.

use super::records::{voucher_key, VoucherRecord};
use super::{Store, StoreError};

/// What marking a voucher paid did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payment {
    /// It was payable and is now paid (for this survey).
    Paid(String),
    /// Someone marked it paid before.
    AlreadyPaid(String),
    /// No such voucher.
    NotValid,
}

impl Store {
    /// Stores a new, payable voucher unless its digest exists; `false` on such a clash (the
    /// caller draws another code; an existing voucher is never reset).
    pub fn voucher_insert(&self, hash: &[u8; 32], survey: &str) -> Result<bool, StoreError> {
        self.voucher_insert_as(hash, survey, None)
    }

    /// Stores a recruitment reward's claim, not payable until its coupon is used (the commit
    /// thread earns it in the batch that spends the coupon).
    pub fn claim_insert(&self, hash: &[u8; 32], survey: &str) -> Result<bool, StoreError> {
        self.voucher_insert_as(hash, survey, Some(false))
    }

    fn voucher_insert_as(
        &self,
        hash: &[u8; 32],
        survey: &str,
        reward: Option<bool>,
    ) -> Result<bool, StoreError> {
        let record = VoucherRecord {
            survey: survey.to_owned(),
            paid: false,
            reward,
        };
        Ok(self
            .live()
            .redeem
            .compare_and_swap(
                voucher_key(hash),
                None as Option<&[u8]>,
                Some(record.encode()),
            )?
            .is_ok())
    }

    /// Takes back a voucher that was never shown to anyone (its response was refused).
    pub fn voucher_remove(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.live().redeem.remove(voucher_key(hash))?;
        Ok(())
    }

    pub fn voucher_get(&self, hash: &[u8; 32]) -> Result<Option<VoucherRecord>, StoreError> {
        match self.live().redeem.get(voucher_key(hash))? {
            Some(raw) => VoucherRecord::decode(&raw)
                .map(Some)
                .ok_or(StoreError::Corrupt),
            None => Ok(None),
        }
    }

    /// Marks a voucher paid with a compare-and-swap, so of any number of concurrent callers
    /// exactly one is told `Paid`. The caller awaits durability before saying so.
    pub fn voucher_pay(&self, hash: &[u8; 32]) -> Result<Payment, StoreError> {
        let key = voucher_key(hash);
        let live = self.live();
        loop {
            let Some(raw) = live.redeem.get(key)? else {
                return Ok(Payment::NotValid);
            };
            let record = VoucherRecord::decode(&raw).ok_or(StoreError::Corrupt)?;
            if record.paid {
                return Ok(Payment::AlreadyPaid(record.survey));
            }
            if !record.payable() {
                // A claim whose coupon nobody used yet reads as no voucher at all.
                return Ok(Payment::NotValid);
            }
            let paid = VoucherRecord {
                paid: true,
                ..record.clone()
            };
            if live
                .redeem
                .compare_and_swap(key, Some(raw), Some(paid.encode()))?
                .is_ok()
            {
                return Ok(Payment::Paid(record.survey));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voucher_is_payable_once_and_then_reads_as_paid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let hash = [7u8; 32];
        assert!(store.voucher_insert(&hash, "demo").expect("insert"));
        assert!(!store.voucher_insert(&hash, "demo").expect("clash"));
        assert_eq!(
            store.voucher_pay(&hash).expect("pay"),
            Payment::Paid("demo".into())
        );
        assert_eq!(
            store.voucher_pay(&hash).expect("again"),
            Payment::AlreadyPaid("demo".into())
        );
        assert_eq!(
            store.voucher_pay(&[8u8; 32]).expect("unknown"),
            Payment::NotValid
        );
        assert!(store.voucher_get(&hash).expect("get").expect("kept").paid);
    }

    #[test]
    fn a_claim_pays_only_once_its_coupon_was_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let (coupon, claim) = ([2u8; 32], [3u8; 32]);
        let record = crate::store::CodeRecord {
            survey: "rds".into(),
            batch: 0,
            spent: false,
        };
        store
            .codes_insert(&[(coupon, record)])
            .expect("the coupon's code");
        assert!(store.claim_insert(&claim, "rds").expect("insert"));
        assert_eq!(store.voucher_pay(&claim).expect("early"), Payment::NotValid);
        let settle = super::super::CouponSettle {
            coupon_hash: coupon,
            claim_hash: claim,
            earn: true,
        };
        let spent = runtime
            .block_on(store.spend(&coupon, "rds", Some(settle)))
            .expect("spend");
        assert_eq!(spent, super::super::Redemption::Redeemed);
        assert_eq!(
            store.voucher_pay(&claim).expect("pay"),
            Payment::Paid("rds".into())
        );
        // The coupon cannot be used again, and its paid claim stays paid.
        let again = runtime
            .block_on(store.spend(&coupon, "rds", Some(settle)))
            .expect("spend");
        assert_eq!(again, super::super::Redemption::Unusable);
        assert_eq!(
            store.voucher_pay(&claim).expect("again"),
            Payment::AlreadyPaid("rds".into())
        );
    }

    #[test]
    fn of_many_concurrent_payers_exactly_one_pays() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = std::sync::Arc::new(Store::open(dir.path(), 8 << 20).expect("open"));
        let hash = [9u8; 32];
        store.voucher_insert(&hash, "demo").expect("insert");
        let paid: usize = (0..16)
            .map(|_| {
                let store = std::sync::Arc::clone(&store);
                std::thread::spawn(move || store.voucher_pay(&hash).expect("pay"))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().expect("thread"))
            .filter(|p| matches!(p, Payment::Paid(_)))
            .count();
        assert_eq!(paid, 1);
    }
}
