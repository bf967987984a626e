//! Byte layouts of what the store keeps about codes. Deliberately small: a code record holds its
//! survey, its batch and whether it is spent — never a time, a device or a response id.

/// The state of one issued code, stored under the keyed hash of the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub survey: String,
    pub batch: u32,
    pub spent: bool,
}

impl CodeRecord {
    /// `spent (1) ‖ batch (4, big-endian) ‖ survey id (utf-8)`
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(5 + self.survey.len());
        out.push(u8::from(self.spent));
        out.extend_from_slice(&self.batch.to_be_bytes());
        out.extend_from_slice(self.survey.as_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Option<CodeRecord> {
        let (&spent, rest) = bytes.split_first()?;
        if rest.len() < 4 || spent > 1 {
            return None;
        }
        let (batch, survey) = rest.split_at(4);
        Some(CodeRecord {
            spent: spent == 1,
            batch: u32::from_be_bytes(batch.try_into().ok()?),
            survey: String::from_utf8(survey.to_vec()).ok()?,
        })
    }
}

/// How many codes a batch holds and how many of them were used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchCounts {
    pub batch: u32,
    pub issued: u64,
    pub used: u64,
}

/// Keys of per-survey records: `survey ‖ 0x00 ‖ rest`. Survey ids never contain 0x00, so a
/// prefix scan over `survey ‖ 0x00` sees exactly one survey.
pub(super) fn scoped_key(survey: &str, rest: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(survey.len() + 1 + rest.len());
    key.extend_from_slice(survey.as_bytes());
    key.push(0);
    key.extend_from_slice(rest);
    key
}

/// Key of a code record in the `redeem` tree: `c` ‖ keyed hash.
pub(super) fn code_key(hash: &[u8; 32]) -> [u8; 33] {
    let mut key = [0u8; 33];
    key[0] = CODE_TAG;
    key[1..].copy_from_slice(hash);
    key
}

/// Key of a sealed response in the `redeem` tree: `r` ‖ survey ‖ 0x00 ‖ record id.
pub(super) fn response_key(survey: &str, record_id: &[u8]) -> Vec<u8> {
    let mut key = vec![RESPONSE_TAG];
    key.extend_from_slice(&scoped_key(survey, record_id));
    key
}

/// Key of a free-text answer stored apart from its response: `t` ‖ survey ‖ 0x00 ‖ its own
/// random id. Nothing in it or in its sealed value names the response it came with.
pub(super) fn text_key(survey: &str, text_id: &[u8]) -> Vec<u8> {
    let mut key = vec![TEXT_TAG];
    key.extend_from_slice(&scoped_key(survey, text_id));
    key
}

/// Key of a free-text answer in a release's snapshot: `s` ‖ survey ‖ 0 ‖ release number (4
/// bytes, big-endian) ‖ the copy's own random id. Like a text's key, it names no response.
pub(super) fn snapshot_key(survey: &str, release: u32, copy_id: &[u8]) -> Vec<u8> {
    let mut key = vec![SNAPSHOT_TAG];
    key.extend_from_slice(&scoped_key(survey, &release.to_be_bytes()));
    key.extend_from_slice(copy_id);
    key
}

/// Key of a voucher record in the `redeem` tree: `v` ‖ keyed hash of the voucher code.
pub(super) fn voucher_key(hash: &[u8; 32]) -> [u8; 33] {
    let mut key = code_key(hash);
    key[0] = VOUCHER_TAG;
    key
}

/// Key of a coupon's sealed link to its recruiter in the `redeem` tree: `k` ‖ keyed hash of
/// the coupon (the same digest as its code record). Removed once the coupon is used.
pub(super) fn coupon_link_key(hash: &[u8; 32]) -> [u8; 33] {
    let mut key = code_key(hash);
    key[0] = COUPON_LINK_TAG;
    key
}

/// The state of one incentive voucher, stored under the keyed hash of its code: its survey and
/// whether it was paid — never a time, a response id or anything that orders it with responses.
/// A recruitment reward's claim is a voucher too, payable only once its coupon was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherRecord {
    pub survey: String,
    pub paid: bool,
    /// `None` for an incentive voucher; for a recruitment reward's claim, whether its coupon
    /// was used (only then is it payable).
    pub reward: Option<bool>,
}

impl VoucherRecord {
    /// `state (1) ‖ survey id (utf-8)`, the state being `paid` (bit 0) and the reward (bits
    /// 1–2: 0 a voucher, 1 a claim whose coupon is unused, 2 a claim whose coupon was used).
    pub(super) fn encode(&self) -> Vec<u8> {
        let reward = match self.reward {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        };
        let mut out = Vec::with_capacity(1 + self.survey.len());
        out.push(u8::from(self.paid) | (reward << 1));
        out.extend_from_slice(self.survey.as_bytes());
        out
    }

    pub(super) fn decode(bytes: &[u8]) -> Option<VoucherRecord> {
        let (&state, survey) = bytes.split_first()?;
        let reward = match state >> 1 {
            0 => None,
            1 => Some(false),
            2 => Some(true),
            _ => return None,
        };
        Some(VoucherRecord {
            paid: state & 1 == 1,
            reward,
            survey: String::from_utf8(survey.to_vec()).ok()?,
        })
    }

    /// Whether staff may pay it now: a voucher, or a claim whose coupon was used.
    pub fn payable(&self) -> bool {
        !self.paid && self.reward != Some(false)
    }
}

/// `c` sorts before `r`: a rewrite in key order writes every code record before any response,
/// so no spent code lands next to the response it paid for.
pub(super) const CODE_TAG: u8 = b'c';
pub(super) const RESPONSE_TAG: u8 = b'r';
/// Free-text answers sort after responses and apart from them: a rewrite writes every response
/// before any text, so no text lands next to the response it came with.
pub(super) const TEXT_TAG: u8 = b't';
/// Snapshots of free text, taken when a release is published, sort after every response and
/// apart from the texts they copy.
pub(super) const SNAPSHOT_TAG: u8 = b's';
/// Coupon links sort between codes and responses: a rewrite writes them apart from both.
pub(super) const COUPON_LINK_TAG: u8 = b'k';
/// Vouchers sort after responses, so a rewrite writes them apart from the responses too.
pub(super) const VOUCHER_TAG: u8 = b'v';

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_record_round_trips_through_its_encoding() {
        let rec = CodeRecord {
            survey: "naloxone-2027".into(),
            batch: 7,
            spent: true,
        };
        assert_eq!(CodeRecord::decode(&rec.encode()), Some(rec));
    }

    #[test]
    fn voucher_and_claim_records_round_trip_and_an_unused_claim_is_not_payable() {
        for (paid, reward) in [
            (false, None),
            (true, None),
            (false, Some(false)),
            (false, Some(true)),
            (true, Some(true)),
        ] {
            let rec = VoucherRecord {
                survey: "rds".into(),
                paid,
                reward,
            };
            assert_eq!(VoucherRecord::decode(&rec.encode()), Some(rec.clone()));
            assert_eq!(rec.payable(), !paid && reward != Some(false));
        }
        assert_eq!(VoucherRecord::decode(&[6]), None);
    }

    #[test]
    fn garbage_does_not_decode_as_a_code_record() {
        assert_eq!(CodeRecord::decode(&[]), None);
        assert_eq!(CodeRecord::decode(&[2, 0, 0, 0, 1]), None);
        assert_eq!(CodeRecord::decode(&[0, 0, 0]), None);
    }
}
