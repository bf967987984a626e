//! Authenticated encryption (ChaCha20-Poly1305 from ring) with associated data that binds a
//! ciphertext to where it belongs, so it cannot be moved to another survey or record.
//! Blob layout: version (1 byte) ‖ random nonce (12 bytes) ‖ ciphertext ‖ tag.
//!
//! Responses are padded before sealing (version 2): their length would otherwise tell which
//! answers were given. Padded plaintext: length (4 bytes, big-endian) ‖ plaintext ‖ zeros, to
//! the survey's record size — one size for every response of a survey, large enough for the
//! longest response its definition allows (see `padded_len`). Free-text answers are sealed
//! apart from the response they came with, padded the same way to their own sizes.

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

const VERSION: u8 = 1;
/// Responses padded to a bucket; the version is bound as associated data so a padded blob
/// cannot be passed off as an unpadded one.
const PADDED_VERSION: u8 = 2;
const RESPONSE_AAD: &[u8] = b"chorus/response/v1";
/// A free-text answer sealed apart from its response: its own domain, so neither can be passed
/// off as the other.
const TEXT_AAD: &[u8] = b"chorus/free-text/v1";
/// A free-text answer in a release's snapshot (the words organisers read): a domain of its own,
/// so a snapshot's copy cannot be passed off as an answer as it arrived, nor the other way round.
const SNAPSHOT_AAD: &[u8] = b"chorus/free-text-snapshot/v1";
/// Bytes a sealed blob adds to its padded plaintext: version, nonce and tag.
pub const SEAL_OVERHEAD: usize = 1 + NONCE_LEN + 16;
/// Sizes are whole multiples of this.
const SIZE_STEP: usize = 256;
/// The smallest size a free-text answer is padded to.
pub const TEXT_SIZE: usize = 512;

/// The record size for plaintexts of at most `bound` bytes: `bound` plus the length prefix,
/// rounded up to a multiple of 256.
pub fn record_size(bound: usize) -> usize {
    (bound + 4).div_ceil(SIZE_STEP).max(1) * SIZE_STEP
}

/// What a plaintext of `len` bytes is padded to when its kind's size is `size` (from
/// [`record_size`]): `size` itself whenever it fits — which the size is chosen to make always
/// true — or else the next power of two, so a size that was too small still gives few lengths.
pub fn padded_len(len: usize, size: usize) -> usize {
    if len + 4 <= size {
        size
    } else {
        (len + 4).next_power_of_two()
    }
}

/// Every length a sealed blob of record size `size` may have on disk, up to `max` bytes.
pub fn sealed_lengths(size: usize, max: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut bucket = size;
    while bucket + SEAL_OVERHEAD <= max {
        out.push(bucket + SEAL_OVERHEAD);
        bucket = (bucket + 1).next_power_of_two();
    }
    out
}

/// Length prefix ‖ plaintext ‖ zeros, `padded_len` bytes in all.
fn pad(plaintext: &[u8], size: usize) -> Vec<u8> {
    let len = padded_len(plaintext.len(), size);
    let mut padded = Vec::with_capacity(len);
    padded.extend_from_slice(&(plaintext.len() as u32).to_be_bytes());
    padded.extend_from_slice(plaintext);
    padded.resize(len, 0);
    padded
}

fn unpad(padded: &[u8]) -> Result<Vec<u8>, OpenError> {
    let (len, rest) = padded.split_first_chunk::<4>().ok_or(OpenError)?;
    let len = u32::from_be_bytes(*len) as usize;
    rest.get(..len).map(<[u8]>::to_vec).ok_or(OpenError)
}

#[derive(Debug, thiserror::Error)]
#[error("sealed data did not authenticate")]
pub struct OpenError;

/// Fills an array from the operating system's random source.
pub fn random_array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // SystemRandom only fails if the OS cannot provide randomness; nothing is safe to do then.
    if SystemRandom::new().fill(&mut out).is_err() {
        panic!("the operating system's random source failed");
    }
    out
}

/// Bytes as lowercase hexadecimal, two digits each.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `N` random bytes as hexadecimal: unguessable names for directories, tickets and requests.
pub fn random_hex<const N: usize>() -> String {
    hex(&random_array::<N>())
}

/// A random 32-bit number (record keys for cell-key perturbation).
pub fn random_u32() -> u32 {
    u32::from_le_bytes(random_array())
}

pub(super) struct SealingKey(LessSafeKey);

impl SealingKey {
    pub(super) fn new(raw: &[u8; 32]) -> SealingKey {
        match UnboundKey::new(&CHACHA20_POLY1305, raw) {
            Ok(key) => SealingKey(LessSafeKey::new(key)),
            Err(_) => unreachable!("a 32-byte key is always valid for ChaCha20-Poly1305"),
        }
    }

    pub(super) fn seal(&self, aad_parts: &[&[u8]], plaintext: &[u8]) -> Vec<u8> {
        self.seal_as(VERSION, aad_parts, plaintext)
    }

    fn seal_as(&self, version: u8, aad_parts: &[&[u8]], plaintext: &[u8]) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = random_array();
        let aad = encode_aad(aad_parts);
        let mut in_out = plaintext.to_vec();
        if self
            .0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::from(&aad),
                &mut in_out,
            )
            .is_err()
        {
            unreachable!("sealing only fails for inputs larger than 256 GiB");
        }
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + in_out.len());
        blob.push(version);
        blob.extend_from_slice(&nonce_bytes);
        blob.extend_from_slice(&in_out);
        blob
    }

    pub(super) fn open(&self, aad_parts: &[&[u8]], blob: &[u8]) -> Result<Vec<u8>, OpenError> {
        self.open_as(VERSION, aad_parts, blob)
    }

    /// Opens a sealed 32-byte secret (a root, session or data key), wiped when dropped; `None`
    /// if it does not open or is not 32 bytes.
    pub(super) fn open_secret(
        &self,
        aad_parts: &[&[u8]],
        blob: &[u8],
    ) -> Option<Zeroizing<[u8; 32]>> {
        let raw = Zeroizing::new(self.open(aad_parts, blob).ok()?);
        <[u8; 32]>::try_from(raw.as_slice())
            .ok()
            .map(Zeroizing::new)
    }

    fn open_as(&self, version: u8, aad_parts: &[&[u8]], blob: &[u8]) -> Result<Vec<u8>, OpenError> {
        if blob.len() < 1 + NONCE_LEN + aead::MAX_TAG_LEN || blob[0] != version {
            return Err(OpenError);
        }
        let (nonce_bytes, sealed) = blob[1..].split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce_bytes).map_err(|_| OpenError)?;
        let aad = encode_aad(aad_parts);
        let mut in_out = sealed.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(&aad), &mut in_out)
            .map_err(|_| OpenError)?;
        Ok(plain.to_vec())
    }
}

/// Length-prefixes each part so that ("ab","c") and ("a","bc") give different associated data.
fn encode_aad(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// A survey's data key: seals and opens that survey's responses.
pub struct DataKey(SealingKey);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    pub(super) fn new(raw: &[u8; 32]) -> DataKey {
        DataKey(SealingKey::new(raw))
    }

    /// Seals a response padded to the survey's record `size`; survey and record id are bound as
    /// associated data.
    pub fn seal_response(
        &self,
        survey: &str,
        record_id: &[u8],
        plaintext: &[u8],
        size: usize,
    ) -> Vec<u8> {
        self.0.seal_as(
            PADDED_VERSION,
            &[
                RESPONSE_AAD,
                survey.as_bytes(),
                record_id,
                &[PADDED_VERSION],
            ],
            &pad(plaintext, size),
        )
    }

    /// Seals one free-text answer, stored apart from its response, padded to [`TEXT_SIZE`] or
    /// the next power of two.
    pub fn seal_text(&self, survey: &str, text_id: &[u8], plaintext: &[u8]) -> Vec<u8> {
        self.seal_words(TEXT_AAD, survey, text_id, plaintext)
    }

    pub fn open_text(
        &self,
        survey: &str,
        text_id: &[u8],
        blob: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        self.open_words(TEXT_AAD, survey, text_id, blob)
    }

    /// Seals one free-text answer of a release's snapshot, padded like [`DataKey::seal_text`];
    /// `snapshot_id` is the release's number and the copy's own random id.
    pub fn seal_snapshot_text(
        &self,
        survey: &str,
        snapshot_id: &[u8],
        plaintext: &[u8],
    ) -> Vec<u8> {
        self.seal_words(SNAPSHOT_AAD, survey, snapshot_id, plaintext)
    }

    pub fn open_snapshot_text(
        &self,
        survey: &str,
        snapshot_id: &[u8],
        blob: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        self.open_words(SNAPSHOT_AAD, survey, snapshot_id, blob)
    }

    /// Free text sealed padded, bound to what it is (`tag`), its survey and its own id.
    fn seal_words(&self, tag: &[u8], survey: &str, id: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let aad = [tag, survey.as_bytes(), id];
        self.0
            .seal_as(PADDED_VERSION, &aad, &pad(plaintext, TEXT_SIZE))
    }

    fn open_words(
        &self,
        tag: &[u8],
        survey: &str,
        id: &[u8],
        blob: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        let aad = [tag, survey.as_bytes(), id];
        unpad(&self.0.open_as(PADDED_VERSION, &aad, blob)?)
    }

    /// Opens a response, padded or (sealed before padding existed) not.
    pub fn open_response(
        &self,
        survey: &str,
        record_id: &[u8],
        blob: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        if blob.first() == Some(&PADDED_VERSION) {
            let padded = self.0.open_as(
                PADDED_VERSION,
                &[
                    RESPONSE_AAD,
                    survey.as_bytes(),
                    record_id,
                    &[PADDED_VERSION],
                ],
                blob,
            )?;
            return unpad(&padded);
        }
        self.0
            .open(&[RESPONSE_AAD, survey.as_bytes(), record_id], blob)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_writes_two_lowercase_digits_per_byte_and_random_names_differ() {
        assert_eq!(hex(&[0x00, 0x0a, 0xff, 0x5c]), "000aff5c");
        assert_eq!(hex(&[]), "");
        let (a, b) = (random_hex::<8>(), random_hex::<8>());
        assert_eq!(a.len(), 16);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_ne!(a, b);
    }

    const SIZE: usize = 1024;

    fn key() -> DataKey {
        DataKey::new(&[9u8; 32])
    }

    #[test]
    fn a_sealed_response_opens_with_the_same_survey_and_record() {
        let blob = key().seal_response("demo", b"rec1", b"hello", SIZE);
        assert_eq!(
            key().open_response("demo", b"rec1", &blob).expect("opens"),
            b"hello"
        );
    }

    #[test]
    fn the_plaintext_does_not_appear_in_the_sealed_blob() {
        let blob = key().seal_response("demo", b"rec1", b"CANARY-PLAINTEXT", SIZE);
        assert!(!blob.windows(b"CANARY".len()).any(|w| w == b"CANARY"));
    }

    #[test]
    fn a_response_moved_to_another_record_does_not_open() {
        let blob = key().seal_response("demo", b"rec1", b"hello", SIZE);
        assert!(key().open_response("demo", b"rec2", &blob).is_err());
    }

    #[test]
    fn a_response_moved_to_another_survey_does_not_open() {
        let blob = key().seal_response("demo", b"rec1", b"hello", SIZE);
        assert!(key().open_response("other", b"rec1", &blob).is_err());
    }

    #[test]
    fn flipping_any_byte_of_a_sealed_response_is_detected() {
        let blob = key().seal_response("demo", b"rec1", b"hello world", SIZE);
        for i in 0..blob.len() {
            let mut tampered = blob.clone();
            tampered[i] ^= 0x40;
            assert!(
                key().open_response("demo", b"rec1", &tampered).is_err(),
                "byte {i} flipped but still opened"
            );
        }
    }

    #[test]
    fn a_truncated_blob_is_rejected() {
        let blob = key().seal_response("demo", b"rec1", b"hello", SIZE);
        assert!(key().open_response("demo", b"rec1", &blob[..10]).is_err());
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let a = key().seal_response("demo", b"rec1", b"hello", SIZE);
        let b = key().seal_response("demo", b"rec1", b"hello", SIZE);
        assert_ne!(a, b);
    }

    #[test]
    fn sealed_responses_of_different_lengths_have_the_record_size() {
        let short = key().seal_response("demo", b"rec1", b"no", SIZE);
        let long = key().seal_response("demo", b"rec1", &[b'x'; SIZE - 4], SIZE);
        assert_eq!(short.len(), SIZE + SEAL_OVERHEAD);
        assert_eq!(short.len(), long.len());
        assert_eq!(sealed_lengths(SIZE, 1 << 20)[0], short.len());
    }

    #[test]
    fn a_response_larger_than_its_record_size_goes_to_the_next_power_of_two() {
        let blob = key().seal_response("demo", b"rec1", &[b'x'; 3000], SIZE);
        assert_eq!(blob.len(), 4096 + SEAL_OVERHEAD);
        assert!(sealed_lengths(SIZE, 1 << 20).contains(&blob.len()));
        let opened = key().open_response("demo", b"rec1", &blob).expect("opens");
        assert_eq!(opened, vec![b'x'; 3000]);
    }

    #[test]
    fn record_sizes_are_multiples_of_256_that_hold_the_bound_and_its_prefix() {
        assert_eq!(record_size(0), 256);
        assert_eq!(record_size(252), 256);
        assert_eq!(record_size(253), 512);
        assert_eq!(padded_len(252, record_size(252)), 256);
    }

    #[test]
    fn a_free_text_opens_only_as_free_text_of_its_own_id() {
        let blob = key().seal_text("demo", b"t1", b"a long night");
        assert_eq!(blob.len(), TEXT_SIZE + SEAL_OVERHEAD);
        assert_eq!(
            key().open_text("demo", b"t1", &blob).expect("opens"),
            b"a long night"
        );
        assert!(key().open_text("demo", b"t2", &blob).is_err());
        assert!(key().open_response("demo", b"t1", &blob).is_err());
        let response = key().seal_response("demo", b"t1", b"x", SIZE);
        assert!(key().open_text("demo", b"t1", &response).is_err());
    }

    #[test]
    fn a_snapshot_text_opens_only_as_a_snapshot_text_of_its_own_release_and_id() {
        let blob = key().seal_snapshot_text("demo", b"\0\0\0\x01k1", b"a long night");
        assert_eq!(blob.len(), TEXT_SIZE + SEAL_OVERHEAD, "padded like a text");
        assert_eq!(
            key()
                .open_snapshot_text("demo", b"\0\0\0\x01k1", &blob)
                .expect("opens"),
            b"a long night"
        );
        assert!(key()
            .open_snapshot_text("demo", b"\0\0\0\x02k1", &blob)
            .is_err());
        assert!(key()
            .open_snapshot_text("other", b"\0\0\0\x01k1", &blob)
            .is_err());
        assert!(key().open_text("demo", b"\0\0\0\x01k1", &blob).is_err());
        let text = key().seal_text("demo", b"k1", b"x");
        assert!(key().open_snapshot_text("demo", b"k1", &text).is_err());
    }

    #[test]
    fn a_response_sealed_before_padding_still_opens() {
        let old = key().0.seal(&[RESPONSE_AAD, b"demo", b"rec1"], b"hello");
        assert_eq!(
            key().open_response("demo", b"rec1", &old).expect("opens"),
            b"hello"
        );
    }

    #[test]
    fn associated_data_parts_are_unambiguous() {
        assert_ne!(encode_aad(&[b"ab", b"c"]), encode_aad(&[b"a", b"bc"]));
    }
}
