//! Recruitment coupons for respondent-driven sampling (`coupons = N`). A peer whose response is
//! stored gets N coupons to hand to peers; each works exactly like a card code. Beside each
//! coupon is a claim stub the recruiter keeps: once the coupon is used, the claim is payable at
//! the vouchers desk, like a voucher, without saying which recruit used it.
//!
//! What is stored (docs/fieldwork.md, "What the recruitment chain says about people"):
//! - each response seals its own chain link: a random id, its recruiter's id (none for a seed)
//!   and its wave;
//! - an unused coupon has a code record (coupon batch) and a link sealed under a key derived
//!   from the root secret: its recruiter's id and the wave its recruit will be in. The link is
//!   removed when the coupon is used;
//! - a claim is a voucher record that is payable once its coupon was used, and says nothing else.
//!   The claim code is worked out from the coupon's code (`tokens::claim_of`), so no record
//!   names the claim of a coupon, and a claim stub cannot be traced to its coupon or recruiter.

use crate::store::{CouponSettle, Store, StoreError};
use crate::tokens::{self, claim_of, code_hash, voucher_hash, TokenCode};
use crate::vault::{random_array, Vault};
use serde::{Deserialize, Serialize};

/// Where a response sits in the recruitment tree; sealed inside the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    /// The response's own random id, which its coupons carry.
    #[serde(rename = "i")]
    pub id: [u8; 16],
    /// The id of the response whose coupon this person used; `None` for a seed (a card).
    #[serde(rename = "r")]
    pub recruiter: Option<[u8; 16]>,
    /// 0 for a seed, the recruiter's wave + 1 otherwise.
    #[serde(rename = "w")]
    pub wave: u32,
}

/// How many people of each survey's recruitment chain stand at each wave. In memory only — a
/// stored value would leave in sled's log a series that dates submissions — found once when the
/// data directory is opened, then moved by each stored response.
#[derive(Debug, Default)]
pub struct WavesReached(std::sync::Mutex<std::collections::HashMap<String, Vec<u64>>>);

impl WavesReached {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Vec<u64>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A response of `survey` at `wave` was stored.
    pub fn note(&self, survey: &str, wave: u32) {
        let mut waves = self.lock();
        let people = waves.entry(survey.to_owned()).or_default();
        let at = wave as usize;
        if people.len() <= at {
            people.resize(at + 1, 0);
        }
        people[at] += 1;
    }

    /// The furthest wave at least `people` people reached (someone at wave 5 reached waves 1 to
    /// 4 as well); 0 when none did. The furthest wave anyone reached would move when one person
    /// answered (an outside review saw "1–2" turn "3–5" as the first wave-3 recruit's answers
    /// were saved): counted over `people`, one answer moves it only at that edge, as a
    /// progress band's.
    pub fn reached_by(&self, survey: &str, people: u64) -> u32 {
        let waves = self.lock();
        let Some(at) = waves.get(survey) else {
            return 0;
        };
        let mut so_far = 0;
        for (wave, n) in at.iter().enumerate().rev() {
            so_far += n;
            if so_far >= people.max(1) {
                return u32::try_from(wave).unwrap_or(u32::MAX);
            }
        }
        0
    }
}

/// A coupon to hand on, with the claim stub its recruiter keeps.
#[derive(Debug)]
pub struct Coupon {
    pub code: TokenCode,
    pub claim: TokenCode,
}

/// Where a new response sits in its survey's recruitment tree, and the coupon it came with.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub link: ChainLink,
    /// `None` for a seed's card.
    pub coupon: Option<InUse>,
}

/// A coupon being used: what to settle once the submission's outcome is known.
#[derive(Debug, Clone, Copy)]
pub struct InUse {
    coupon_hash: [u8; 32],
    claim_hash: [u8; 32],
}

/// What an unused coupon's sealed link says.
struct Link {
    recruiter: [u8; 16],
    wave: u32,
    survey: String,
}

impl Link {
    /// `recruiter (16) ‖ wave (4, big-endian) ‖ survey id (utf-8)`
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(20 + self.survey.len());
        out.extend_from_slice(&self.recruiter);
        out.extend_from_slice(&self.wave.to_be_bytes());
        out.extend_from_slice(self.survey.as_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Option<Link> {
        let (recruiter, rest) = bytes.split_first_chunk::<16>()?;
        let (wave, survey) = rest.split_first_chunk::<4>()?;
        Some(Link {
            recruiter: *recruiter,
            wave: u32::from_be_bytes(*wave),
            survey: String::from_utf8(survey.to_vec()).ok()?,
        })
    }
}

/// Where a response given with `typed` would sit: a fresh id, and for an unused coupon of this
/// survey its recruiter and wave (with what to settle once it is used); a seed otherwise.
pub fn place(
    store: &Store,
    vault: &Vault,
    survey: &str,
    typed: &str,
) -> Result<(ChainLink, Option<InUse>), StoreError> {
    let seed = ChainLink {
        id: random_array(),
        recruiter: None,
        wave: 0,
    };
    let Ok(code) = TokenCode::parse(typed) else {
        return Ok((seed, None));
    };
    let hash = code_hash(vault.code_hash_key(), &code);
    let Some(sealed) = store.coupon_link_get(&hash)? else {
        return Ok((seed, None));
    };
    let link = vault
        .open_coupon_link(&hash, &sealed)
        .and_then(|plain| Link::decode(&plain))
        .ok_or(StoreError::Corrupt)?;
    if link.survey != survey {
        return Ok((seed, None));
    }
    let placed = ChainLink {
        recruiter: Some(link.recruiter),
        wave: link.wave,
        ..seed
    };
    let in_use = InUse {
        coupon_hash: hash,
        claim_hash: voucher_hash(
            vault.code_hash_key(),
            &claim_of(vault.code_hash_key(), &code),
        ),
    };
    Ok((placed, Some(in_use)))
}

/// `count` coupons for the response placed at `own`, each with its claim stub. Written, not yet
/// durable: the flush that makes the response durable makes them durable too.
pub fn issue(
    store: &Store,
    vault: &Vault,
    survey: &str,
    own: &ChainLink,
    count: usize,
) -> Result<Vec<Coupon>, StoreError> {
    let key = vault.code_hash_key();
    let mut coupons = Vec::with_capacity(count);
    while coupons.len() < count {
        let Some(code) = tokens::issue_coupon_codes(store, key, survey, 1)?.pop() else {
            return Err(StoreError::Corrupt);
        };
        let hash = code_hash(key, &code);
        let claim = claim_of(key, &code);
        if !store.claim_insert(&voucher_hash(key, &claim), survey)? {
            // A claim digest that exists already (astronomically unlikely) is never reset:
            // this coupon is dropped and another drawn.
            store.code_withdraw(&hash)?;
            continue;
        }
        let link = Link {
            recruiter: own.id,
            wave: own.wave.saturating_add(1),
            survey: survey.to_owned(),
        };
        store.coupon_link_put(&hash, &vault.seal_coupon_link(&hash, &link.encode()))?;
        coupons.push(Coupon { code, claim });
    }
    Ok(coupons)
}

/// Takes back coupons nobody was shown (their response was refused or screened out).
pub fn withdraw(store: &Store, vault: &Vault, coupons: &[Coupon]) -> Result<(), StoreError> {
    let key = vault.code_hash_key();
    for coupon in coupons {
        let hash = code_hash(key, &coupon.code);
        store.coupon_link_remove(&hash)?;
        store.code_withdraw(&hash)?;
        store.voucher_remove(&voucher_hash(key, &coupon.claim))?;
    }
    Ok(())
}

impl InUse {
    /// What spending this coupon settles in the same atomic batch: its link is forgotten, and
    /// its claim becomes payable when the recruit's response is stored (`earned`).
    pub fn settle(&self, earned: bool) -> CouponSettle {
        CouponSettle {
            coupon_hash: self.coupon_hash,
            claim_hash: self.claim_hash,
            earn: earned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Payment;
    use crate::vault::MasterKey;

    fn setup() -> (tempfile::TempDir, Store, Vault) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let (vault, _) = Vault::create(&MasterKey::from_bytes([6; 32]));
        (dir, store, vault)
    }

    #[test]
    fn a_card_places_a_seed_and_a_coupon_places_its_recruits_one_wave_further() {
        let (_d, store, vault) = setup();
        let (seed, none) = place(&store, &vault, "rds", "not a code").expect("place");
        assert_eq!((seed.recruiter, seed.wave, none.is_none()), (None, 0, true));
        let coupons = issue(&store, &vault, "rds", &seed, 3).expect("issue");
        assert_eq!(coupons.len(), 3);
        let (recruit, in_use) =
            place(&store, &vault, "rds", &coupons[0].code.display()).expect("place");
        assert_eq!((recruit.recruiter, recruit.wave), (Some(seed.id), 1));
        assert_ne!(recruit.id, seed.id);
        let (elsewhere, _) =
            place(&store, &vault, "other", &coupons[0].code.display()).expect("place");
        assert_eq!(
            elsewhere.recruiter, None,
            "another survey's coupon is a seed's card"
        );
        let claim = coupons[0].claim.display();
        let key = vault.code_hash_key();
        assert_eq!(
            crate::vouchers::pay(&store, key, &claim).expect("early"),
            Payment::NotValid
        );
        // Spending the coupon settles it in the same batch.
        let coupon_hash = code_hash(key, &coupons[0].code);
        let settle = in_use.expect("a coupon").settle(true);
        let spent = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(store.spend(&coupon_hash, "rds", Some(settle)))
            .expect("spend");
        assert_eq!(spent, crate::store::Redemption::Redeemed);
        assert_eq!(
            crate::vouchers::pay(&store, key, &claim).expect("pay"),
            Payment::Paid("rds".into())
        );
        let (after, _) = place(&store, &vault, "rds", &coupons[0].code.display()).expect("place");
        assert_eq!(after.recruiter, None, "a used coupon's link is forgotten");
    }

    #[test]
    fn the_furthest_wave_is_kept_per_survey_and_counted_over_enough_people() {
        let waves = WavesReached::default();
        waves.note("a", 2);
        waves.note("a", 1);
        waves.note("b", 4);
        assert_eq!(
            (
                waves.reached_by("a", 1),
                waves.reached_by("b", 1),
                waves.reached_by("c", 1)
            ),
            (2, 4, 0)
        );
        // Ten people at wave 1 or deeper, one at wave 3: the furthest wave ten reached is 1,
        // and the one person at wave 3 moves nothing.
        let waves = WavesReached::default();
        for _ in 0..9 {
            waves.note("rds", 1);
        }
        waves.note("rds", 2);
        assert_eq!(waves.reached_by("rds", 10), 1);
        waves.note("rds", 3);
        assert_eq!(waves.reached_by("rds", 10), 1);
        assert_eq!(waves.reached_by("rds", 2), 2);
        assert_eq!(waves.reached_by("rds", 1), 3);
    }

    #[test]
    fn withdrawn_coupons_leave_no_code_link_or_claim() {
        let (_d, store, vault) = setup();
        let (seed, _) = place(&store, &vault, "rds", "").expect("place");
        let coupons = issue(&store, &vault, "rds", &seed, 2).expect("issue");
        withdraw(&store, &vault, &coupons).expect("withdraw");
        let key = vault.code_hash_key();
        for c in &coupons {
            let hash = code_hash(key, &c.code);
            assert_eq!(store.code_get(&hash).expect("code"), None);
            assert_eq!(store.coupon_link_get(&hash).expect("link"), None);
            assert_eq!(
                store
                    .voucher_get(&voucher_hash(key, &c.claim))
                    .expect("claim"),
                None
            );
        }
    }
}
