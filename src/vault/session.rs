//! The key that signs organiser and researcher sessions, CSRF tokens and kiosk links.
//!
//! It is derived (HKDF-SHA256, its own label) from a random secret of its own, wrapped by the
//! master key and replaced by every rekey — not from the root secret. The root cannot be replaced
//! by a rekey: the code-hashing key derived from it must keep matching the codes on cards and
//! coupons already handed out, whose plaintext is stored nowhere. A session key derived from the
//! root would therefore be given, after any number of rekeys, by an old master key plus a backup
//! made before them; one from this secret is not, and a rekey logs everyone out.

use super::seal::SealingKey;
use super::VaultError;
use ring::{hkdf, hmac};
use zeroize::Zeroizing;

/// Binds the wrapped secret to its purpose, so no other wrapped blob can stand in for it.
const SESSION_SECRET_AAD: &[u8] = b"chorus/session-secret/v1";
/// `v2`: `chorus/session/v1` was the same purpose derived from the root secret.
const SESSION_LABEL: &[u8] = b"chorus/session/v2";

pub struct SessionKey(hmac::Key);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(<redacted>)")
    }
}

impl SessionKey {
    /// A fresh random secret, and its wrapped form to store.
    pub(super) fn generate(master: &SealingKey) -> (SessionKey, Vec<u8>) {
        let secret = Zeroizing::new(super::random_array::<32>());
        let wrapped = master.seal(&[SESSION_SECRET_AAD], secret.as_slice());
        (SessionKey::from_secret(&secret), wrapped)
    }

    /// The stored secret, unwrapped.
    pub(super) fn unseal(master: &SealingKey, wrapped: &[u8]) -> Result<SessionKey, VaultError> {
        let secret = master
            .open_secret(&[SESSION_SECRET_AAD], wrapped)
            .ok_or(VaultError::SessionKeyDamaged)?;
        Ok(SessionKey::from_secret(&secret))
    }

    fn from_secret(secret: &[u8; 32]) -> SessionKey {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, super::HKDF_SALT).extract(secret);
        SessionKey(super::derive_hmac_key(&prk, SESSION_LABEL))
    }

    /// HMAC-SHA256 tag of `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 32] {
        let tag = hmac::sign(&self.0, message);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Constant-time check of a tag made by `sign`.
    pub fn verify(&self, message: &[u8], tag: &[u8]) -> bool {
        hmac::verify(&self.0, message, tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_verifies_under_the_same_secret_only() {
        let master = SealingKey::new(&[1; 32]);
        let (key, wrapped) = SessionKey::generate(&master);
        let tag = key.sign(b"session");
        assert!(key.verify(b"session", &tag));
        assert!(!key.verify(b"sessioN", &tag));
        let again = SessionKey::unseal(&master, &wrapped).expect("unseal");
        assert!(again.verify(b"session", &tag));
        let (other, _) = SessionKey::generate(&master);
        assert!(
            !other.verify(b"session", &tag),
            "a fresh secret signs apart"
        );
    }

    #[test]
    fn the_wrapped_secret_needs_the_master_key() {
        let (_, wrapped) = SessionKey::generate(&SealingKey::new(&[1; 32]));
        assert!(matches!(
            SessionKey::unseal(&SealingKey::new(&[2; 32]), &wrapped),
            Err(VaultError::SessionKeyDamaged)
        ));
    }

    #[test]
    fn debug_output_never_shows_key_material() {
        let (key, _) = SessionKey::generate(&SealingKey::new(&[1; 32]));
        assert_eq!(format!("{key:?}"), "SessionKey(<redacted>)");
    }
}
