//! Organiser and researcher passwords: PBKDF2-HMAC-SHA256 with a random salt and at least
//! 600,000 iterations, verified in constant time by ring. Stored as
//! `pbkdf2-sha256$ITERATIONS$SALT$HASH` (base64url, no padding).

use super::master::MIN_KDF_ITERATIONS;
use super::random_array;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::pbkdf2;
use std::num::NonZeroU32;

const SCHEME: &str = "pbkdf2-sha256";

/// A stored password hash. `Debug` shows nothing.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

impl PasswordHash {
    pub fn new(password: &str) -> PasswordHash {
        let salt: [u8; 16] = random_array();
        let mut out = [0u8; 32];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations(MIN_KDF_ITERATIONS),
            &salt,
            password.as_bytes(),
            &mut out,
        );
        PasswordHash(format!(
            "{SCHEME}${MIN_KDF_ITERATIONS}${}${}",
            URL_SAFE_NO_PAD.encode(salt),
            URL_SAFE_NO_PAD.encode(out)
        ))
    }

    pub fn from_stored(stored: String) -> PasswordHash {
        PasswordHash(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison (ring's `pbkdf2::verify`). A malformed hash never verifies.
    pub fn verify(&self, password: &str) -> bool {
        let mut parts = self.0.split('$');
        let (Some(SCHEME), Some(iter), Some(salt), Some(hash), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return false;
        };
        let (Ok(iter), Ok(salt), Ok(hash)) = (
            iter.parse::<u32>(),
            URL_SAFE_NO_PAD.decode(salt),
            URL_SAFE_NO_PAD.decode(hash),
        ) else {
            return false;
        };
        if iter < MIN_KDF_ITERATIONS {
            return false;
        }
        pbkdf2::verify(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations(iter),
            &salt,
            password.as_bytes(),
            &hash,
        )
        .is_ok()
    }

    /// Burns the same time as a real check, for logins with an unknown name (so timing does not
    /// tell which names exist).
    pub fn verify_nothing(password: &str) {
        let mut out = [0u8; 32];
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations(MIN_KDF_ITERATIONS),
            b"chorus-dummy-salt",
            password.as_bytes(),
            &mut out,
        );
    }
}

fn iterations(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_password_verifies_and_a_wrong_one_does_not() {
        let hash = PasswordHash::new("correct horse battery");
        assert!(hash.verify("correct horse battery"));
        assert!(!hash.verify("correct horse battery "));
        assert!(!hash.verify(""));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(
            PasswordHash::new("same").as_str(),
            PasswordHash::new("same").as_str()
        );
    }

    #[test]
    fn the_stored_form_names_the_scheme_and_at_least_600000_iterations() {
        let hash = PasswordHash::new("x");
        let parts: Vec<&str> = hash.as_str().split('$').collect();
        assert_eq!(parts[0], "pbkdf2-sha256");
        assert!(parts[1].parse::<u32>().expect("number") >= 600_000);
        assert!(!hash.as_str().contains('x') || parts[2..].iter().all(|p| p.len() > 10));
    }

    #[test]
    fn malformed_or_weakened_hashes_never_verify() {
        assert!(!PasswordHash::from_stored("garbage".into()).verify("x"));
        let weak = PasswordHash::new("x")
            .as_str()
            .replace("$600000$", "$1000$");
        assert!(!PasswordHash::from_stored(weak).verify("x"));
    }

    #[test]
    fn debug_output_hides_the_hash() {
        assert_eq!(
            format!("{:?}", PasswordHash::new("x")),
            "PasswordHash(<redacted>)"
        );
    }
}
