//! Recruitment coupons' links in the `redeem` tree (`k` ‖ keyed hash of the coupon). A link is
//! an opaque sealed blob (sealed in `vault`, read in `coupons`): the store only keeps it while
//! the coupon is unused, and removes it when the coupon is used or taken back.

use super::records::{code_key, coupon_link_key, CodeRecord};
use super::{Store, StoreError};

impl Store {
    /// Stores an unused coupon's sealed link.
    pub fn coupon_link_put(&self, hash: &[u8; 32], sealed: &[u8]) -> Result<(), StoreError> {
        self.live().redeem.insert(coupon_link_key(hash), sealed)?;
        Ok(())
    }

    /// The sealed link of an unused coupon (`None` for a card, or a coupon already used).
    pub fn coupon_link_get(&self, hash: &[u8; 32]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .live()
            .redeem
            .get(coupon_link_key(hash))?
            .map(|v| v.to_vec()))
    }

    /// Forgets a coupon's link: after its use nothing stored points from it to its recruiter.
    pub fn coupon_link_remove(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
        self.live().redeem.remove(coupon_link_key(hash))?;
        Ok(())
    }

    /// Takes back an unused code nobody was shown (coupons of a refused response). A spent
    /// code is left alone.
    pub fn code_withdraw(&self, hash: &[u8; 32]) -> Result<(), StoreError> {
        let key = code_key(hash);
        let live = self.live();
        if let Some(raw) = live.redeem.get(key)? {
            if CodeRecord::decode(&raw).is_some_and(|r| !r.spent) {
                // Only the exact unused record is removed: a concurrent spend wins.
                let _ = live
                    .redeem
                    .compare_and_swap(key, Some(raw), None as Option<&[u8]>)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_kept_until_removed_and_a_withdrawn_code_is_gone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let hash = [4u8; 32];
        store.coupon_link_put(&hash, b"sealed").expect("put");
        assert_eq!(
            store.coupon_link_get(&hash).expect("get").as_deref(),
            Some(&b"sealed"[..])
        );
        store.coupon_link_remove(&hash).expect("remove");
        assert_eq!(store.coupon_link_get(&hash).expect("get"), None);
        let record = CodeRecord {
            survey: "rds".into(),
            batch: 1,
            spent: false,
        };
        store.codes_insert(&[(hash, record)]).expect("insert");
        store.code_withdraw(&hash).expect("withdraw");
        assert_eq!(store.code_get(&hash).expect("get"), None);
    }
}
