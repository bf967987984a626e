//! The installation's Ed25519 key pair for signing researcher exports. The private key (PKCS#8)
//! is stored sealed by the master key; the public key is shown to researchers and printed by the
//! CLI so they can check where a bundle came from. A rekey makes a new pair (`Vault::
//! new_signing_key_under` says why) and prints its fingerprint.

use super::seal::SealingKey;
use super::VaultError;
use ring::signature::{self, Ed25519KeyPair, KeyPair};

const SIGNING_AAD: &[u8] = b"chorus/signing-key/v1";

pub struct SigningKey(Ed25519KeyPair);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

impl SigningKey {
    /// A new key pair, and its private half sealed for storage.
    pub(super) fn generate(master: &SealingKey) -> Result<(SigningKey, Vec<u8>), VaultError> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 =
            Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| VaultError::SigningKeyDamaged)?;
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
            .map_err(|_| VaultError::SigningKeyDamaged)?;
        Ok((
            SigningKey(pair),
            master.seal(&[SIGNING_AAD], pkcs8.as_ref()),
        ))
    }

    pub(super) fn unseal(master: &SealingKey, sealed: &[u8]) -> Result<SigningKey, VaultError> {
        let pkcs8 = zeroize::Zeroizing::new(
            master
                .open(&[SIGNING_AAD], sealed)
                .map_err(|_| VaultError::SigningKeyDamaged)?,
        );
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| VaultError::SigningKeyDamaged)?;
        Ok(SigningKey(pair))
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.0.sign(message).as_ref().to_vec()
    }

    pub fn public_key(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.0.public_key().as_ref());
        out
    }
}

/// Checks an Ed25519 signature against a public key (no private key needed: `verify-export`).
pub fn verify_ed25519(public_key: &[u8], message: &[u8], signature_bytes: &[u8]) -> bool {
    signature::UnparsedPublicKey::new(&signature::ED25519, public_key)
        .verify(message, signature_bytes)
        .is_ok()
}

/// A short, readable fingerprint of a public key: the first 16 bytes of its SHA-256, in hex
/// groups of four (`a1b2 c3d4 …`), to compare by eye or over the phone.
pub fn fingerprint(public_key: &[u8]) -> String {
    let digest = super::digest(public_key);
    digest[..16]
        .chunks(2)
        .map(super::hex)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_the_public_key_and_fails_when_anything_changes() {
        let master = SealingKey::new(&[3; 32]);
        let (key, sealed) = SigningKey::generate(&master).expect("generate");
        let signature = key.sign(b"manifest");
        assert!(verify_ed25519(&key.public_key(), b"manifest", &signature));
        assert!(!verify_ed25519(&key.public_key(), b"manifesT", &signature));
        let mut bad = signature.clone();
        bad[0] ^= 1;
        assert!(!verify_ed25519(&key.public_key(), b"manifest", &bad));
        let again = SigningKey::unseal(&master, &sealed).expect("unseal");
        assert_eq!(again.public_key(), key.public_key());
    }

    #[test]
    fn the_sealed_private_key_needs_the_master_key() {
        let (_, sealed) = SigningKey::generate(&SealingKey::new(&[3; 32])).expect("generate");
        assert!(SigningKey::unseal(&SealingKey::new(&[4; 32]), &sealed).is_err());
    }

    #[test]
    fn a_fingerprint_is_eight_groups_of_four_hex_digits() {
        let f = fingerprint(&[7; 32]);
        assert_eq!(f.split(' ').count(), 8);
        assert!(f.split(' ').all(|g| g.len() == 4));
    }
}
