//! Authenticated encryption (ChaCha20-Poly1305 from ring) with associated data that binds a
//! ciphertext to where it belongs, so it cannot be moved to another survey or record.
//! Blob layout: version (1 byte) ‖ random nonce (12 bytes) ‖ ciphertext ‖ tag.

use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

const VERSION: u8 = 1;
const RESPONSE_AAD: &[u8] = b"chorus/response/v1";

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
        blob.push(VERSION);
        blob.extend_from_slice(&nonce_bytes);
        blob.extend_from_slice(&in_out);
        blob
    }

    pub(super) fn open(&self, aad_parts: &[&[u8]], blob: &[u8]) -> Result<Vec<u8>, OpenError> {
        if blob.len() < 1 + NONCE_LEN + aead::MAX_TAG_LEN || blob[0] != VERSION {
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

    /// Seals a response; survey and record id are bound as associated data.
    pub fn seal_response(&self, survey: &str, record_id: &[u8], plaintext: &[u8]) -> Vec<u8> {
        self.0
            .seal(&[RESPONSE_AAD, survey.as_bytes(), record_id], plaintext)
    }

    pub fn open_response(
        &self,
        survey: &str,
        record_id: &[u8],
        blob: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        self.0
            .open(&[RESPONSE_AAD, survey.as_bytes(), record_id], blob)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DataKey {
        DataKey::new(&[9u8; 32])
    }

    #[test]
    fn a_sealed_response_opens_with_the_same_survey_and_record() {
        let blob = key().seal_response("demo", b"rec1", b"hello");
        assert_eq!(
            key().open_response("demo", b"rec1", &blob).expect("opens"),
            b"hello"
        );
    }

    #[test]
    fn the_plaintext_does_not_appear_in_the_sealed_blob() {
        let blob = key().seal_response("demo", b"rec1", b"CANARY-PLAINTEXT");
        assert!(!blob.windows(b"CANARY".len()).any(|w| w == b"CANARY"));
    }

    #[test]
    fn a_response_moved_to_another_record_does_not_open() {
        let blob = key().seal_response("demo", b"rec1", b"hello");
        assert!(key().open_response("demo", b"rec2", &blob).is_err());
    }

    #[test]
    fn a_response_moved_to_another_survey_does_not_open() {
        let blob = key().seal_response("demo", b"rec1", b"hello");
        assert!(key().open_response("other", b"rec1", &blob).is_err());
    }

    #[test]
    fn flipping_any_byte_of_a_sealed_response_is_detected() {
        let blob = key().seal_response("demo", b"rec1", b"hello world");
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
        let blob = key().seal_response("demo", b"rec1", b"hello");
        assert!(key().open_response("demo", b"rec1", &blob[..10]).is_err());
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let a = key().seal_response("demo", b"rec1", b"hello");
        let b = key().seal_response("demo", b"rec1", b"hello");
        assert_ne!(a, b);
    }

    #[test]
    fn associated_data_parts_are_unambiguous() {
        assert_ne!(encode_aad(&[b"ab", b"c"]), encode_aad(&[b"a", b"bc"]));
    }
}
