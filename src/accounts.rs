//! Organiser and researcher accounts: names, roles, password hashes, API-key digests and a
//! session epoch (bumped on logout, password change and removal, which end every session).
//! A removed account keeps its name, so a later account of that name never inherits what was
//! made for the old one (its export requests, sessions signed for that name). Nothing here is
//! about respondents, who never have accounts.

use crate::store::{Store, StoreError};
use crate::vault::{digest, random_array, PasswordHash};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

pub const MIN_PASSWORD_CHARS: usize = 10;
const API_KEY_PREFIX: &str = "chorus_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Organiser,
    Researcher,
    /// Pays incentive vouchers, and can do nothing else.
    Staff,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "organiser" | "organizer" => Some(Role::Organiser),
            "researcher" => Some(Role::Researcher),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organiser => "organiser",
            Role::Researcher => "researcher",
            Role::Staff => "staff",
        }
    }
}

/// An account name: 1–32 of lower-case letters, digits, `.`, `_`, `-`, starting with a letter
/// or digit. Parsed once at the edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(input: &str) -> Result<AccountName, AccountError> {
        let name = input.trim().to_lowercase();
        let ok = !name.is_empty()
            && name.len() <= 32
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if ok {
            Ok(AccountName(name))
        } else {
            Err(AccountError::BadName)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AccountName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("an account name is 1–32 lower-case letters, digits, '.', '_' or '-'")]
    BadName,
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    #[error("there is already an account called '{0}'")]
    Exists(String),
    #[error("there is no account called '{0}'")]
    NotFound(String),
    #[error("the name '{0}' belonged to an account that was removed; choose another name")]
    NameRetired(String),
    #[error("'{0}' is the only organiser; add another organiser before removing this one")]
    LastOrganiser(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub role: Role,
    password: String,
    /// Sessions carry the epoch they were made in; raising it ends them all.
    pub session_epoch: u32,
    api_key_digest: Option<String>,
    /// Removed: no password, no API key, no session; only the name is kept.
    #[serde(default)]
    removed: bool,
}

impl Account {
    pub fn password_matches(&self, password: &str) -> bool {
        !self.removed && PasswordHash::from_stored(self.password.clone()).verify(password)
    }

    /// Whether the account can still be used (it was not removed).
    pub fn active(&self) -> bool {
        !self.removed
    }

    /// Whether it has an API key.
    pub fn has_api_key(&self) -> bool {
        self.api_key_digest.is_some()
    }
}

fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword);
    }
    Ok(())
}

pub fn add(
    store: &Store,
    name: &AccountName,
    role: Role,
    password: &str,
) -> Result<Account, AccountError> {
    check_password(password)?;
    let account = Account {
        name: name.to_string(),
        role,
        password: PasswordHash::new(password).as_str().to_owned(),
        session_epoch: 0,
        api_key_digest: None,
        removed: false,
    };
    if !store.account_insert(name.as_str(), &encode(&account)?)? {
        return Err(match get_any(store, name.as_str())? {
            Some(old) if old.removed => AccountError::NameRetired(name.to_string()),
            _ => AccountError::Exists(name.to_string()),
        });
    }
    store.durable_blocking()?;
    Ok(account)
}

/// The account of that name, if there is one that was not removed.
pub fn get(store: &Store, name: &str) -> Result<Option<Account>, AccountError> {
    Ok(get_any(store, name)?.filter(Account::active))
}

/// The record of that name, removed or not.
fn get_any(store: &Store, name: &str) -> Result<Option<Account>, AccountError> {
    match store.account_get(name)? {
        Some(bytes) => Ok(Some(
            serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt)?,
        )),
        None => Ok(None),
    }
}

/// Every account that was not removed, by name.
pub fn list(store: &Store) -> Result<Vec<Account>, AccountError> {
    let mut out = Vec::new();
    for (_, bytes) in store.accounts()? {
        let account: Account = serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt)?;
        if account.active() {
            out.push(account);
        }
    }
    Ok(out)
}

/// A new password for the account; every session of it ends (its API key stays).
pub fn set_password(store: &Store, name: &str, password: &str) -> Result<(), AccountError> {
    check_password(password)?;
    change(store, name, |account| {
        account.password = PasswordHash::new(password).as_str().to_owned();
        account.session_epoch = account.session_epoch.wrapping_add(1);
        Ok(())
    })
}

/// Reads the account, lets `alter` change it, and writes it back, durably.
fn change<T>(
    store: &Store,
    name: &str,
    alter: impl FnOnce(&mut Account) -> Result<T, AccountError>,
) -> Result<T, AccountError> {
    let mut account = get(store, name)?.ok_or_else(|| AccountError::NotFound(name.to_owned()))?;
    let out = alter(&mut account)?;
    store.account_put(name, &encode(&account)?)?;
    store.durable_blocking()?;
    Ok(out)
}

/// Removes the account: its password and API key stop working at once and its sessions end.
/// The name stays taken. Refused for the only organiser left.
pub fn remove(store: &Store, name: &str) -> Result<Role, AccountError> {
    let others = list(store)?;
    change(store, name, |account| {
        if account.role == Role::Organiser
            && !others
                .iter()
                .any(|a| a.role == Role::Organiser && a.name != account.name)
        {
            return Err(AccountError::LastOrganiser(account.name.clone()));
        }
        forget_api_key(store, account)?;
        account.api_key_digest = None;
        account.password = String::new();
        account.session_epoch = account.session_epoch.wrapping_add(1);
        account.removed = true;
        Ok(account.role)
    })
}

/// Stops the account's API key, if it has one, from finding the account.
fn forget_api_key(store: &Store, account: &Account) -> Result<(), AccountError> {
    if let Some(old) = account
        .api_key_digest
        .as_ref()
        .and_then(|d| URL_SAFE_NO_PAD.decode(d).ok())
    {
        if let Ok(old) = <[u8; 32]>::try_from(old.as_slice()) {
            store.api_key_remove(&old)?;
        }
    }
    Ok(())
}

/// Checks a login. An unknown name costs the same time as a wrong password.
pub fn verify_login(
    store: &Store,
    name: &str,
    password: &str,
) -> Result<Option<Account>, AccountError> {
    let Ok(name) = AccountName::parse(name) else {
        PasswordHash::verify_nothing(password);
        return Ok(None);
    };
    match get(store, name.as_str())? {
        Some(account) if account.password_matches(password) => Ok(Some(account)),
        Some(_) => Ok(None),
        None => {
            PasswordHash::verify_nothing(password);
            Ok(None)
        }
    }
}

/// Ends every session of the account (logout everywhere).
pub fn end_sessions(store: &Store, name: &str) -> Result<(), AccountError> {
    change(store, name, |account| {
        account.session_epoch = account.session_epoch.wrapping_add(1);
        Ok(())
    })
}

/// A fresh API key for the account, replacing any earlier one. Only its digest is stored; the
/// key itself is returned once.
pub fn new_api_key(store: &Store, name: &str) -> Result<String, AccountError> {
    change(store, name, |account| {
        let key = format!(
            "{API_KEY_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(random_array::<32>())
        );
        let key_digest = digest(key.as_bytes());
        forget_api_key(store, account)?;
        account.api_key_digest = Some(URL_SAFE_NO_PAD.encode(key_digest));
        store.api_key_put(&key_digest, name)?;
        Ok(key)
    })
}

/// The account an API key belongs to, if any.
pub fn by_api_key(store: &Store, key: &str) -> Result<Option<Account>, AccountError> {
    if !key.starts_with(API_KEY_PREFIX) || key.len() > 100 {
        return Ok(None);
    }
    match store.api_key_owner(&digest(key.as_bytes()))? {
        Some(name) => get(store, &name),
        None => Ok(None),
    }
}

fn encode(account: &Account) -> Result<Vec<u8>, AccountError> {
    serde_json::to_vec(account).map_err(|_| AccountError::Store(StoreError::Corrupt))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        (dir, store)
    }

    #[test]
    fn names_are_normalised_and_checked() {
        assert_eq!(AccountName::parse(" Maria ").expect("ok").as_str(), "maria");
        assert!(AccountName::parse("").is_err());
        assert!(AccountName::parse("-x").is_err());
        assert!(AccountName::parse("a b").is_err());
        assert!(AccountName::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn an_account_logs_in_with_its_password_only() {
        let (_d, store) = store();
        let name = AccountName::parse("maria").expect("name");
        add(&store, &name, Role::Organiser, "a long enough password").expect("add");
        assert!(verify_login(&store, "maria", "a long enough password")
            .expect("ok")
            .is_some());
        assert!(verify_login(&store, "MARIA", "a long enough password")
            .expect("ok")
            .is_some());
        assert!(verify_login(&store, "maria", "wrong password!!")
            .expect("ok")
            .is_none());
        assert!(verify_login(&store, "nobody", "a long enough password")
            .expect("ok")
            .is_none());
    }

    #[test]
    fn short_passwords_and_taken_names_are_refused() {
        let (_d, store) = store();
        let name = AccountName::parse("maria").expect("name");
        assert!(matches!(
            add(&store, &name, Role::Organiser, "short"),
            Err(AccountError::WeakPassword)
        ));
        add(&store, &name, Role::Organiser, "long enough password").expect("add");
        assert!(matches!(
            add(&store, &name, Role::Researcher, "long enough password"),
            Err(AccountError::Exists(_))
        ));
    }

    #[test]
    fn a_new_api_key_replaces_the_old_one() {
        let (_d, store) = store();
        let name = AccountName::parse("ana").expect("name");
        add(&store, &name, Role::Researcher, "long enough password").expect("add");
        let first = new_api_key(&store, "ana").expect("key");
        assert_eq!(
            by_api_key(&store, &first).expect("ok").map(|a| a.name),
            Some("ana".into())
        );
        let second = new_api_key(&store, "ana").expect("key");
        assert!(by_api_key(&store, &first).expect("ok").is_none());
        assert!(by_api_key(&store, &second).expect("ok").is_some());
        assert!(by_api_key(&store, "chorus_made-up").expect("ok").is_none());
    }

    #[test]
    fn ending_sessions_raises_the_epoch() {
        let (_d, store) = store();
        let name = AccountName::parse("ana").expect("name");
        add(&store, &name, Role::Organiser, "long enough password").expect("add");
        end_sessions(&store, "ana").expect("end");
        assert_eq!(
            get(&store, "ana")
                .expect("ok")
                .expect("exists")
                .session_epoch,
            1
        );
    }

    #[test]
    fn a_new_password_replaces_the_old_one_and_ends_every_session() {
        let (_d, store) = store();
        let name = AccountName::parse("ana").expect("name");
        add(&store, &name, Role::Staff, "the first password").expect("add");
        assert!(matches!(
            set_password(&store, "ana", "short"),
            Err(AccountError::WeakPassword)
        ));
        set_password(&store, "ana", "the second password").expect("set");
        assert!(verify_login(&store, "ana", "the first password")
            .expect("ok")
            .is_none());
        let account = verify_login(&store, "ana", "the second password")
            .expect("ok")
            .expect("logs in");
        assert_eq!(account.session_epoch, 1);
    }

    #[test]
    fn a_removed_account_has_no_password_key_or_session_and_its_name_stays_taken() {
        let (_d, store) = store();
        for (name, role) in [("maria", Role::Organiser), ("ana", Role::Researcher)] {
            let name = AccountName::parse(name).expect("name");
            add(&store, &name, role, "long enough password").expect("add");
        }
        let key = new_api_key(&store, "ana").expect("key");
        assert_eq!(remove(&store, "ana").expect("removed"), Role::Researcher);
        assert!(get(&store, "ana").expect("ok").is_none());
        assert!(verify_login(&store, "ana", "long enough password")
            .expect("ok")
            .is_none());
        assert!(by_api_key(&store, &key).expect("ok").is_none());
        assert_eq!(
            list(&store)
                .expect("ok")
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>(),
            vec!["maria"]
        );
        let again = AccountName::parse("ana").expect("name");
        assert!(matches!(
            add(&store, &again, Role::Researcher, "long enough password"),
            Err(AccountError::NameRetired(_))
        ));
        assert!(matches!(
            remove(&store, "ana"),
            Err(AccountError::NotFound(_))
        ));
        // The only organiser stays: nobody could run the workspace otherwise.
        assert!(matches!(
            remove(&store, "maria"),
            Err(AccountError::LastOrganiser(_))
        ));
    }
}
