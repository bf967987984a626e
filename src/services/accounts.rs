//! Account actions: adding, listing and removing accounts, new passwords and API keys, the
//! one-time link that sets up the first organiser, and logging out everywhere.

use super::{audit, Actor, ServiceError};
use crate::accounts::{self, Account, AccountName, Role};
use crate::export::requests;
use crate::installation::Chorus;
use crate::vault::random_array;
use std::sync::Mutex;

const META_SETUP: &str = "setup_token_digest";

/// Serialises first-organiser set-ups: two people using the link at once get one account.
static SETTING_UP: Mutex<()> = Mutex::new(());

pub fn add_user(
    chorus: &Chorus,
    actor: &Actor,
    name: &AccountName,
    role: Role,
    password: &str,
) -> Result<Account, ServiceError> {
    let account = accounts::add(&chorus.store, name, role, password)?;
    audit(
        chorus,
        actor,
        "add account",
        None,
        Some(format!("{} ({})", account.name, role.as_str())),
    );
    Ok(account)
}

/// Every account in use (removed ones are not listed).
pub fn list_users(chorus: &Chorus) -> Result<Vec<Account>, ServiceError> {
    Ok(accounts::list(&chorus.store)?)
}

/// A new password for `name` (someone forgot theirs, or it may be known to others): every
/// session of the account ends; its API key stays.
pub fn set_password(
    chorus: &Chorus,
    actor: &Actor,
    name: &str,
    password: &str,
) -> Result<(), ServiceError> {
    let name = name.trim().to_lowercase();
    accounts::set_password(&chorus.store, &name, password)?;
    audit(chorus, actor, "new password", None, Some(name));
    Ok(())
}

/// Removes `name` (someone left, or their account may be in other hands): its password, API
/// key and sessions stop working at once. Returns its role and how many of its export requests
/// were still waiting, now declined.
pub fn remove_user(
    chorus: &Chorus,
    actor: &Actor,
    name: &str,
) -> Result<(Role, usize), ServiceError> {
    let name = name.trim().to_lowercase();
    let role = accounts::remove(&chorus.store, &name)?;
    audit(
        chorus,
        actor,
        "remove account",
        None,
        Some(format!("{name} ({})", role.as_str())),
    );
    // Their open export requests would otherwise wait for an approval nobody could use.
    let declined =
        requests::decline_all_of(&chorus.store, chorus.clock.as_ref(), &name, &actor.account)?;
    for request in &declined {
        audit(
            chorus,
            actor,
            "decline export",
            Some(&request.survey),
            Some(format!("request {} by {name}: account removed", request.id)),
        );
    }
    Ok((role, declined.len()))
}

/// A new API key for `name`, replacing the old one; shown only now.
pub fn new_api_key(chorus: &Chorus, actor: &Actor, name: &str) -> Result<String, ServiceError> {
    let name = name.trim().to_lowercase();
    let key = accounts::new_api_key(&chorus.store, &name)?;
    audit(chorus, actor, "new API key", None, Some(name));
    Ok(key)
}

/// Ends every session of the actor's account.
pub fn log_out_everywhere(chorus: &Chorus, actor: &Actor) -> Result<(), ServiceError> {
    accounts::end_sessions(&chorus.store, &actor.account)?;
    audit(chorus, actor, "logout", None, None);
    Ok(())
}

/// A fresh one-time link token for setting up the first organiser (only while there is no
/// account). Only its digest is stored; a new one replaces the old.
pub fn new_setup_token(chorus: &Chorus) -> Result<Option<String>, ServiceError> {
    if chorus.store.account_count() > 0 {
        return Ok(None);
    }
    let token = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        random_array::<24>(),
    );
    chorus
        .store
        .meta_put(META_SETUP, &crate::vault::digest(token.as_bytes()))?;
    chorus.store.durable_blocking()?;
    Ok(Some(token))
}

pub fn setup_token_valid(chorus: &Chorus, token: &str) -> bool {
    if chorus.store.account_count() > 0 || token.len() > 100 {
        return false;
    }
    match chorus.store.meta_get(META_SETUP) {
        // Comparing digests: timing can only reveal digest bytes, never the token.
        Ok(Some(stored)) => stored.as_slice() == crate::vault::digest(token.as_bytes()).as_slice(),
        _ => false,
    }
}

/// The one-time link's action: creates the first organiser and spends the link. Exactly one
/// first organiser, however many people use the link at once.
pub fn set_up_first_organiser(
    chorus: &Chorus,
    token: &str,
    name: &AccountName,
    password: &str,
) -> Result<Account, ServiceError> {
    let _one_at_a_time = SETTING_UP.lock().unwrap_or_else(|p| p.into_inner());
    if !setup_token_valid(chorus, token) {
        return Err(ServiceError::SetupLinkInvalid);
    }
    let account = accounts::add(&chorus.store, name, Role::Organiser, password)?;
    chorus.store.meta_put(META_SETUP, b"")?;
    chorus.store.durable_blocking()?;
    audit(
        chorus,
        &Actor::workspace(&account.name),
        "set up first organiser",
        None,
        None,
    );
    Ok(account)
}

/// Checks a login; a success is audited. An unknown name costs the same time as a wrong
/// password, and both give `None`.
pub fn log_in(
    chorus: &Chorus,
    name: &str,
    password: &str,
) -> Result<Option<Account>, ServiceError> {
    let account = accounts::verify_login(&chorus.store, name, password)?;
    if let Some(account) = &account {
        audit(
            chorus,
            &Actor::workspace(&account.name),
            "login",
            None,
            None,
        );
    }
    Ok(account)
}
