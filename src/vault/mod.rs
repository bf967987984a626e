//! The key hierarchy (docs/storage.md). Everything secret passes through here: the master key unlocks a
//! random root secret (from which HKDF derives the code-hashing and coupon-link keys), a random
//! session secret (from which HKDF derives the key that signs sessions, CSRF tokens and kiosk
//! links; replaced by every rekey), the export-signing key pair, and each survey's random data
//! key, which seals that survey's responses. Nothing here knows about sled or HTTP; callers
//! persist the wrapped blobs this module hands them.

mod master;
mod password;
mod seal;
mod session;
mod signing;

pub use master::{
    MasterKey, MasterKeyError, Passphrase, MIN_KDF_ITERATIONS, MIN_NEW_PASSPHRASE_CHARS,
};
pub use password::PasswordHash;
pub use seal::{
    hex, padded_len, random_array, random_hex, random_u32, record_size, sealed_lengths, DataKey,
    SEAL_OVERHEAD, TEXT_SIZE,
};
pub use session::SessionKey;
pub use signing::{fingerprint, verify_ed25519, SigningKey};

/// Streaming SHA-256 (backup checksums, digests of audit systems).
#[derive(Clone)]
pub struct Sha256(ring::digest::Context);

impl Default for Sha256 {
    fn default() -> Self {
        Sha256::new()
    }
}

impl Sha256 {
    pub fn new() -> Sha256 {
        Sha256(ring::digest::Context::new(&ring::digest::SHA256))
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.0.finish().as_ref());
        out
    }
}

/// SHA-256 of high-entropy secrets (API keys, one-time setup tokens): enough to store them
/// without storing them.
pub fn digest(secret: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, secret);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

use ring::{hkdf, hmac};
use seal::SealingKey;
use zeroize::{Zeroize, Zeroizing};

/// Labels keep every derived key and every sealed blob in its own domain.
const ROOT_AAD: &[u8] = b"chorus/root-secret/v1";
const DATA_KEY_AAD: &[u8] = b"chorus/data-key/v1";
const HKDF_SALT: &[u8] = b"chorus/hkdf/v1";
const CODE_HASH_LABEL: &[u8] = b"chorus/code-hash/v1";
const COUPON_LINK_LABEL: &[u8] = b"chorus/coupon-link/v1";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The wrapped root secret did not open: this is a different key or passphrase than the one the
    /// data directory was created with (or the blob was tampered with).
    #[error("the key does not unlock this data directory (wrong key file or passphrase)")]
    WrongKey,
    #[error("a survey's data key is damaged or was wrapped by another key")]
    DataKeyDamaged,
    #[error("the export signing key is damaged or was sealed by another key")]
    SigningKeyDamaged,
    #[error("the session secret is damaged or was wrapped by another key")]
    SessionKeyDamaged,
}

/// An unlocked vault: the master key plus the keys derived from the root secret. The root is
/// wiped when the vault is dropped (ring keeps its own key schedules, which it does not wipe).
///
/// The root secret is never replaced: the code-hashing key derived from it must keep matching
/// the codes on cards and coupons already handed out, whose plaintext is stored nowhere. So
/// nothing that must stop working after a rekey (sessions, kiosk links) is derived from it; see
/// `SessionKey`.
pub struct Vault {
    master: SealingKey,
    /// Kept so `rekey` can wrap it under a new master key; never leaves the process otherwise.
    root: [u8; 32],
    code_hash_key: hmac::Key,
    /// Seals what an unused recruitment coupon says about its recruiter. Derived from the root
    /// secret (not a survey's data key) so a rekey, which keeps the root, leaves coupons usable.
    coupon_link_key: SealingKey,
}

impl Drop for Vault {
    fn drop(&mut self) {
        self.root.zeroize();
    }
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(<unlocked, redacted>)")
    }
}

impl Vault {
    /// First run: makes a fresh root secret and returns it wrapped by the master key, to be stored.
    pub fn create(master: &MasterKey) -> (Vault, Vec<u8>) {
        let root = Zeroizing::new(random_array::<32>());
        let sealing = SealingKey::new(master.bytes());
        let wrapped = sealing.seal(&[ROOT_AAD], root.as_slice());
        (Vault::from_root(sealing, &root), wrapped)
    }

    /// Later runs: opening the stored root secret is also the wrong-key check.
    pub fn unlock(master: &MasterKey, wrapped_root: &[u8]) -> Result<Vault, VaultError> {
        let sealing = SealingKey::new(master.bytes());
        let root = sealing
            .open_secret(&[ROOT_AAD], wrapped_root)
            .ok_or(VaultError::WrongKey)?;
        Ok(Vault::from_root(sealing, &root))
    }

    fn from_root(master: SealingKey, root: &[u8; 32]) -> Vault {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(root);
        Vault {
            master,
            root: *root,
            code_hash_key: derive_hmac_key(&prk, CODE_HASH_LABEL),
            coupon_link_key: derive_sealing_key(&prk, COUPON_LINK_LABEL),
        }
    }

    /// A new random data key for a survey, and its wrapped form to store.
    pub fn new_data_key(&self, survey: &str) -> (DataKey, Vec<u8>) {
        let raw = Zeroizing::new(random_array::<32>());
        let wrapped = self
            .master
            .seal(&[DATA_KEY_AAD, survey.as_bytes()], raw.as_slice());
        (DataKey::new(&raw), wrapped)
    }

    /// Rekey: a new random data key for a survey, wrapped by the new master key. Responses are
    /// resealed under it, so nothing the old keys opened is left.
    pub fn new_data_key_under(new_master: &MasterKey, survey: &str) -> (DataKey, Vec<u8>) {
        let raw = Zeroizing::new(random_array::<32>());
        let wrapped = SealingKey::new(new_master.bytes())
            .seal(&[DATA_KEY_AAD, survey.as_bytes()], raw.as_slice());
        (DataKey::new(&raw), wrapped)
    }

    /// Unwraps a stored data key. The survey id is bound in, so a key cannot be moved to another survey.
    pub fn unwrap_data_key(&self, survey: &str, wrapped: &[u8]) -> Result<DataKey, VaultError> {
        let raw = self
            .master
            .open_secret(&[DATA_KEY_AAD, survey.as_bytes()], wrapped)
            .ok_or(VaultError::DataKeyDamaged)?;
        Ok(DataKey::new(&raw))
    }

    /// Key for HMAC-SHA256 of normalised codes: codes are only ever stored as these digests.
    pub fn code_hash_key(&self) -> &hmac::Key {
        &self.code_hash_key
    }

    /// Rekey: the root secret wrapped under a new master key. The root itself does not change, so
    /// code hashes and coupon links stay valid (whoever holds an old master key and a backup from
    /// before the rekey holds this root too: docs/storage.md, "Rekeying").
    pub fn rewrap_root(&self, new_master: &MasterKey) -> Vec<u8> {
        SealingKey::new(new_master.bytes()).seal(&[ROOT_AAD], &self.root)
    }

    /// Rekey: a survey's data key moved from this master key to a new one, without ever touching
    /// the responses it seals.
    pub fn rewrap_data_key(
        &self,
        survey: &str,
        wrapped: &[u8],
        new_master: &MasterKey,
    ) -> Result<Vec<u8>, VaultError> {
        let aad: [&[u8]; 2] = [DATA_KEY_AAD, survey.as_bytes()];
        let raw = Zeroizing::new(
            self.master
                .open(&aad, wrapped)
                .map_err(|_| VaultError::DataKeyDamaged)?,
        );
        Ok(SealingKey::new(new_master.bytes()).seal(&aad, &raw))
    }

    /// A new export signing key pair; the sealed private key is for the caller to store.
    pub fn new_signing_key(&self) -> Result<(SigningKey, Vec<u8>), VaultError> {
        SigningKey::generate(&self.master)
    }

    /// Rekey: a new export signing key pair, its private key sealed by the new master key. A
    /// new pair rather than the old one resealed: an old master key plus an old backup opens the
    /// old private key, which could then sign bundles that verify as this installation's.
    pub fn new_signing_key_under(
        new_master: &MasterKey,
    ) -> Result<(SigningKey, Vec<u8>), VaultError> {
        SigningKey::generate(&SealingKey::new(new_master.bytes()))
    }

    /// A new session secret (first start, or an installation from before it existed); its
    /// wrapped form is for the caller to store.
    pub fn new_session_key(&self) -> (SessionKey, Vec<u8>) {
        SessionKey::generate(&self.master)
    }

    /// Rekey: a new session secret wrapped by the new master key. Every session, CSRF token and
    /// kiosk link signed before stops verifying.
    pub fn new_session_key_under(new_master: &MasterKey) -> (SessionKey, Vec<u8>) {
        SessionKey::generate(&SealingKey::new(new_master.bytes()))
    }

    /// The stored session secret, unwrapped.
    pub fn open_session_key(&self, wrapped: &[u8]) -> Result<SessionKey, VaultError> {
        SessionKey::unseal(&self.master, wrapped)
    }

    /// The stored signing key, unsealed.
    pub fn open_signing_key(&self, sealed: &[u8]) -> Result<SigningKey, VaultError> {
        SigningKey::unseal(&self.master, sealed)
    }

    /// Seals a coupon's link to its recruiter; bound to the coupon's digest, so it cannot be
    /// moved to another coupon.
    pub fn seal_coupon_link(&self, coupon_hash: &[u8; 32], plaintext: &[u8]) -> Vec<u8> {
        self.coupon_link_key
            .seal(&[COUPON_LINK_LABEL, coupon_hash], plaintext)
    }

    /// Opens what `seal_coupon_link` sealed for the same coupon digest.
    pub fn open_coupon_link(&self, coupon_hash: &[u8; 32], sealed: &[u8]) -> Option<Vec<u8>> {
        self.coupon_link_key
            .open(&[COUPON_LINK_LABEL, coupon_hash], sealed)
            .ok()
    }
}

fn derive_hmac_key(prk: &hkdf::Prk, label: &[u8]) -> hmac::Key {
    let info = [label];
    // HKDF-Expand to 32 bytes cannot fail: the length is far below 255 × hash length.
    match prk.expand(&info, hmac::HMAC_SHA256) {
        Ok(okm) => hmac::Key::from(okm),
        Err(_) => unreachable!("HKDF output length is fixed and valid"),
    }
}

/// A sealing key expanded from the root secret under its own label.
fn derive_sealing_key(prk: &hkdf::Prk, label: &[u8]) -> SealingKey {
    let info = [label];
    let mut raw = Zeroizing::new([0u8; 32]);
    // HKDF-Expand to 32 bytes cannot fail: the length is far below 255 × hash length.
    match prk.expand(&info, SealingKeyLen) {
        Ok(okm) => {
            if okm.fill(raw.as_mut_slice()).is_err() {
                unreachable!("HKDF output length is fixed and valid");
            }
        }
        Err(_) => unreachable!("HKDF output length is fixed and valid"),
    }
    SealingKey::new(&raw)
}

/// HKDF output length of a sealing key (32 bytes).
struct SealingKeyLen;

impl hkdf::KeyType for SealingKeyLen {
    fn len(&self) -> usize {
        32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_coupon_link_opens_only_for_its_own_coupon_and_survives_a_rekey() {
        let (vault, _) = Vault::create(&master(3));
        let sealed = vault.seal_coupon_link(&[1; 32], b"link");
        assert_eq!(
            vault.open_coupon_link(&[1; 32], &sealed).as_deref(),
            Some(&b"link"[..])
        );
        assert_eq!(vault.open_coupon_link(&[2; 32], &sealed), None);
        let again = Vault::unlock(&master(4), &vault.rewrap_root(&master(4))).expect("rekeyed");
        assert!(again.open_coupon_link(&[1; 32], &sealed).is_some());
    }

    fn master(byte: u8) -> MasterKey {
        MasterKey::from_bytes([byte; 32])
    }

    #[test]
    fn a_vault_unlocks_with_the_key_that_created_it() {
        let (vault, wrapped) = Vault::create(&master(1));
        let again = Vault::unlock(&master(1), &wrapped).expect("same key unlocks");
        let a = hmac::sign(vault.code_hash_key(), b"CODE");
        let b = hmac::sign(again.code_hash_key(), b"CODE");
        assert_eq!(a.as_ref(), b.as_ref());
    }

    #[test]
    fn a_different_master_key_is_reported_as_the_wrong_key() {
        let (_, wrapped) = Vault::create(&master(1));
        assert!(matches!(
            Vault::unlock(&master(2), &wrapped),
            Err(VaultError::WrongKey)
        ));
    }

    #[test]
    fn a_tampered_root_secret_is_reported_as_the_wrong_key() {
        let (_, mut wrapped) = Vault::create(&master(1));
        let last = wrapped.len() - 1;
        wrapped[last] ^= 1;
        assert!(Vault::unlock(&master(1), &wrapped).is_err());
    }

    #[test]
    fn after_a_rekey_the_new_master_key_opens_everything_and_the_old_one_nothing() {
        let (old, wrapped_root) = Vault::create(&master(8));
        let (_, wrapped_data) = old.new_data_key("demo");
        let new_root = old.rewrap_root(&master(9));
        let new_data = old
            .rewrap_data_key("demo", &wrapped_data, &master(9))
            .expect("rewrap");
        let new = Vault::unlock(&master(9), &new_root).expect("new key opens");
        assert!(new.unwrap_data_key("demo", &new_data).is_ok());
        assert!(Vault::unlock(&master(8), &new_root).is_err());
        assert!(
            Vault::unlock(&master(8), &wrapped_root).is_ok(),
            "the old blobs are the caller's to replace"
        );
        let a = hmac::sign(old.code_hash_key(), b"CODE");
        let b = hmac::sign(new.code_hash_key(), b"CODE");
        assert_eq!(a.as_ref(), b.as_ref(), "code hashes survive a rekey");
    }

    #[test]
    fn the_session_key_is_not_the_one_the_root_secret_used_to_give() {
        // Before the session secret, sessions were signed under HKDF(root, "chorus/session/v1"),
        // which an old master key and an old backup give after any number of rekeys.
        let (vault, _) = Vault::create(&master(3));
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, HKDF_SALT).extract(&vault.root);
        let from_root = derive_hmac_key(&prk, b"chorus/session/v1");
        let (session, _) = vault.new_session_key();
        let forged = hmac::sign(&from_root, b"x");
        assert!(!session.verify(b"x", forged.as_ref()));
        let code = hmac::sign(vault.code_hash_key(), b"x");
        assert!(!session.verify(b"x", code.as_ref()));
    }

    #[test]
    fn after_a_rekey_the_session_and_signing_keys_are_new_and_open_only_under_the_new_key() {
        let (old, _) = Vault::create(&master(8));
        let (old_session, _) = old.new_session_key();
        let (old_signing, _) = old.new_signing_key().expect("signing key");
        let (_, wrapped_session) = Vault::new_session_key_under(&master(9));
        let (signing, sealed_signing) = Vault::new_signing_key_under(&master(9)).expect("new");
        let new = Vault::unlock(&master(9), &old.rewrap_root(&master(9))).expect("new key opens");
        let session = new.open_session_key(&wrapped_session).expect("opens");
        assert!(!session.verify(b"x", &old_session.sign(b"x")));
        assert!(old.open_session_key(&wrapped_session).is_err());
        assert_ne!(signing.public_key(), old_signing.public_key());
        let reopened = new.open_signing_key(&sealed_signing).expect("opens");
        assert_eq!(reopened.public_key(), signing.public_key());
        assert!(old.open_signing_key(&sealed_signing).is_err());
    }

    #[test]
    fn a_data_key_cannot_be_moved_to_another_survey() {
        let (vault, _) = Vault::create(&master(4));
        let (_, wrapped) = vault.new_data_key("alpha");
        assert!(vault.unwrap_data_key("alpha", &wrapped).is_ok());
        assert!(matches!(
            vault.unwrap_data_key("beta", &wrapped),
            Err(VaultError::DataKeyDamaged)
        ));
    }

    #[test]
    fn a_data_key_wrapped_by_another_master_key_does_not_open() {
        let (one, _) = Vault::create(&master(5));
        let (two, _) = Vault::create(&master(6));
        let (_, wrapped) = one.new_data_key("alpha");
        assert!(two.unwrap_data_key("alpha", &wrapped).is_err());
    }

    #[test]
    fn debug_output_never_shows_key_material() {
        let (vault, _) = Vault::create(&master(7));
        assert_eq!(format!("{vault:?}"), "Vault(<unlocked, redacted>)");
    }
}
