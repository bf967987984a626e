//! Kiosks: one shared outreach tablet that hands each person a fresh one-time code. A kiosk is
//! opened by an organiser for one survey; its link (`/k/{token}`) is the kiosk's random id with
//! an HMAC tag under the session key (`vault::SessionKey`: a link cannot be made up or altered,
//! and a rekey, which replaces that key, ends every link made before), and carries no account.
//! Each kiosk is a batch of its survey, so its batch tags fill the survey's `from_batch`
//! questions (the outreach site) like a batch of printed cards. The record says which survey and
//! batch, until when the link works and whether it was closed: nothing about any person.

use crate::store::{Store, StoreError};
use crate::vault::{random_array, SessionKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Keeps a kiosk's tag apart from every other use of the session key (sessions, CSRF tokens).
const DOMAIN: &[u8] = b"chorus kiosk link\0";

/// A kiosk's name: 16 random bytes, shown as hex. Not a secret — the link's tag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KioskId([u8; 16]);

impl KioskId {
    pub fn hex(&self) -> String {
        crate::vault::hex(&self.0)
    }

    /// A kiosk named by its hex id, or by its whole link (or token) as an organiser pastes it.
    pub fn parse(key: &SessionKey, text: &str) -> Option<KioskId> {
        let text = text.trim();
        if text.len() == 32 {
            let mut id = [0u8; 16];
            for (i, byte) in id.iter_mut().enumerate() {
                *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
            }
            return Some(KioskId(id));
        }
        KioskToken::parse(key, text).map(|t| t.id)
    }

    pub fn bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

/// A kiosk link's token whose tag checks out: made by this installation, unaltered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KioskToken {
    id: KioskId,
}

impl KioskToken {
    /// Checks a token (or a whole link ending in `/k/{token}`): `None` for anything not made
    /// here, so an altered link is simply unknown.
    pub fn parse(key: &SessionKey, text: &str) -> Option<KioskToken> {
        let token = text.trim().rsplit("/k/").next()?.trim_end_matches('/');
        let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
        if raw.len() != 48 {
            return None;
        }
        let id: [u8; 16] = raw[..16].try_into().ok()?;
        key.verify(&message(&id), &raw[16..])
            .then_some(KioskToken { id: KioskId(id) })
    }

    pub fn id(&self) -> KioskId {
        self.id
    }

    /// The token as it appears in the link: id ‖ tag, base64url.
    pub fn encode(&self, key: &SessionKey) -> String {
        let mut raw = self.id.0.to_vec();
        raw.extend_from_slice(&key.sign(&message(&self.id.0)));
        URL_SAFE_NO_PAD.encode(raw)
    }
}

fn message(id: &[u8; 16]) -> Vec<u8> {
    let mut m = DOMAIN.to_vec();
    m.extend_from_slice(id);
    m
}

/// What is kept about one kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kiosk {
    pub id: KioskId,
    pub survey: String,
    pub batch: u32,
    /// Seconds since 1970 after which the link stops working.
    pub expires: u64,
    pub closed: bool,
}

impl Kiosk {
    /// `closed (1) ‖ batch (4) ‖ expires (8) ‖ survey id (utf-8)`
    fn encode(&self) -> Vec<u8> {
        let mut out = vec![u8::from(self.closed)];
        out.extend_from_slice(&self.batch.to_be_bytes());
        out.extend_from_slice(&self.expires.to_be_bytes());
        out.extend_from_slice(self.survey.as_bytes());
        out
    }

    fn decode(id: KioskId, bytes: &[u8]) -> Option<Kiosk> {
        let (&closed, rest) = bytes.split_first()?;
        if closed > 1 || rest.len() < 12 {
            return None;
        }
        Some(Kiosk {
            id,
            closed: closed == 1,
            batch: u32::from_be_bytes(rest[..4].try_into().ok()?),
            expires: u64::from_be_bytes(rest[4..12].try_into().ok()?),
            survey: String::from_utf8(rest[12..].to_vec()).ok()?,
        })
    }

    /// Whether the link still works at `now`.
    pub fn working(&self, now: u64) -> bool {
        !self.closed && now < self.expires
    }
}

/// Records a new kiosk for `survey`'s `batch` and returns its link's token.
pub fn open(
    store: &Store,
    survey: &str,
    batch: u32,
    expires: u64,
) -> Result<(Kiosk, KioskToken), StoreError> {
    let kiosk = Kiosk {
        id: KioskId(random_array()),
        survey: survey.to_owned(),
        batch,
        expires,
        closed: false,
    };
    store.kiosk_put(&kiosk.id.0, &kiosk.encode())?;
    Ok((kiosk.clone(), KioskToken { id: kiosk.id }))
}

/// The kiosk a checked link belongs to, whatever its state.
pub fn find(store: &Store, id: KioskId) -> Result<Option<Kiosk>, StoreError> {
    match store.kiosk_get(&id.0)? {
        Some(raw) => Kiosk::decode(id, &raw).map(Some).ok_or(StoreError::Corrupt),
        None => Ok(None),
    }
}

/// Marks a kiosk closed for good (its record stays, so its link says "closed", not "unknown").
pub fn close(store: &Store, kiosk: &Kiosk) -> Result<(), StoreError> {
    let closed = Kiosk {
        closed: true,
        ..kiosk.clone()
    };
    store.kiosk_put(&kiosk.id.0, &closed.encode())
}

/// A survey's kiosks whose links still work at `now`.
pub fn working(store: &Store, survey: &str, now: u64) -> Result<Vec<Kiosk>, StoreError> {
    let mut out = Vec::new();
    for (id, raw) in store.kiosks()? {
        let kiosk = Kiosk::decode(KioskId(id), &raw).ok_or(StoreError::Corrupt)?;
        if kiosk.survey == survey && kiosk.working(now) {
            out.push(kiosk);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{MasterKey, Vault};

    fn vault() -> SessionKey {
        Vault::create(&MasterKey::from_bytes([3; 32]))
            .0
            .new_session_key()
            .0
    }

    #[test]
    fn a_link_made_here_checks_out_and_an_altered_one_does_not() {
        let vault = vault();
        let token = KioskToken {
            id: KioskId([9; 16]),
        };
        let text = token.encode(&vault);
        assert_eq!(KioskToken::parse(&vault, &text), Some(token));
        let link = format!("https://example.org/k/{text}");
        assert_eq!(KioskToken::parse(&vault, &link), Some(token));
        let mut altered = text.clone().into_bytes();
        altered[3] = if altered[3] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).expect("ascii");
        assert_eq!(KioskToken::parse(&vault, &altered), None);
        assert_eq!(KioskToken::parse(&self::vault_other(), &text), None);
        assert_eq!(KioskToken::parse(&vault, "not a token"), None);
    }

    fn vault_other() -> SessionKey {
        Vault::create(&MasterKey::from_bytes([4; 32]))
            .0
            .new_session_key()
            .0
    }

    #[test]
    fn a_kiosk_works_until_it_expires_or_is_closed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let (kiosk, token) = open(&store, "demo", 3, 1_000).expect("open kiosk");
        let found = find(&store, token.id()).expect("find").expect("kept");
        assert_eq!(found, kiosk);
        assert!(found.working(999));
        assert!(!found.working(1_000));
        assert_eq!(working(&store, "demo", 10).expect("list").len(), 1);
        close(&store, &found).expect("close");
        let closed = find(&store, token.id()).expect("find").expect("kept");
        assert!(closed.closed && !closed.working(10));
        assert!(working(&store, "demo", 10).expect("list").is_empty());
    }

    #[test]
    fn a_kiosk_is_named_by_its_hex_id_or_its_link() {
        let vault = vault();
        let token = KioskToken {
            id: KioskId([0xab; 16]),
        };
        let hex = token.id().hex();
        assert_eq!(KioskId::parse(&vault, &hex), Some(token.id()));
        let link = format!("http://x/k/{}", token.encode(&vault));
        assert_eq!(KioskId::parse(&vault, &link), Some(token.id()));
        assert_eq!(KioskId::parse(&vault, "zz"), None);
    }
}
