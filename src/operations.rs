//! What an operator does to an installation as a whole: back it up, restore it, move it to a
//! new master key (`rekey`: key file ↔ passphrase), shred surveys whose retention has ended.

use crate::app::{
    Chorus, StartError, META_ITERATIONS, META_MODE, META_ROOT, META_SALT, META_SIGNING,
};
use crate::config::Settings;
use crate::store::{self, BackupError, StoreError};
use crate::vault::{random_array, MasterKey, Passphrase, VaultError};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("{0}")]
    Refused(String),
}

/// Where `rekey` moves the installation to.
pub enum RekeyTarget {
    /// A new key file (which must not exist yet), outside the data directory.
    KeyFile(PathBuf),
    /// Sealed mode: nothing on disk but a salt.
    Passphrase(Passphrase),
}

/// Wraps the root secret and the signing key under a new master key, gives every survey a fresh
/// data key and reseals its responses under it, in one store rewrite (see `Store::rekey`).
pub fn rekey(
    chorus: &Chorus,
    settings: &Settings,
    target: RekeyTarget,
) -> Result<String, OperationError> {
    let (master, meta_mode, salt_and_iterations, message) = match &target {
        RekeyTarget::KeyFile(path) => {
            if path.exists() {
                return Err(OperationError::Refused(format!(
                    "{} already exists; name a new file for the new key",
                    path.display()
                )));
            }
            if path.starts_with(&settings.data_dir) {
                return Err(OperationError::Refused(
                    "the new key file must be outside the data directory".into(),
                ));
            }
            let master = MasterKey::create_key_file(path).map_err(StartError::from)?;
            let message = format!(
                "the data directory now opens with the key file {} (set CHORUS_KEY_FILE to it if it is not the default). The old key no longer opens it: destroy the old key file and its copies",
                path.display()
            );
            (master, &b"file"[..], None, message)
        }
        RekeyTarget::Passphrase(passphrase) => {
            let salt = random_array::<16>().to_vec();
            let master = MasterKey::from_passphrase(passphrase, &salt, settings.kdf_iterations)
                .map_err(StartError::from)?;
            let message = "the data directory is now sealed: start it with CHORUS_PASSPHRASE, or from a terminal to type the passphrase. The old key file no longer opens it: destroy it and its copies".to_owned();
            (
                master,
                &b"passphrase"[..],
                Some((salt, settings.kdf_iterations)),
                message,
            )
        }
    };
    let vault = &chorus.vault;
    // Fresh data keys: whoever kept an old data key (or the old master key and an old backup)
    // opens nothing in the rekeyed directory, old answers or new.
    let mut data_keys = Vec::new();
    let mut resealers = std::collections::HashMap::new();
    for (survey, wrapped) in chorus.store.data_keys()? {
        let old = vault.unwrap_data_key(&survey, &wrapped)?;
        let (new, new_wrapped) = crate::vault::Vault::new_data_key_under(&master, &survey);
        data_keys.push((survey.clone(), new_wrapped));
        resealers.insert(survey, (old, new));
    }
    let reseal = Box::new(move |survey: &str, id: &[u8], sealed: &[u8]| {
        let (old, new) = resealers.get(survey)?;
        let plain = zeroize::Zeroizing::new(old.open_response(survey, id, sealed).ok()?);
        Some(new.seal_response(survey, id, &plain))
    });
    let mut ledger: Vec<(String, Option<Vec<u8>>)> = vec![
        (META_ROOT.into(), Some(vault.rewrap_root(&master))),
        (META_MODE.into(), Some(meta_mode.to_vec())),
    ];
    if let Some(sealed) = chorus.store.meta_get(META_SIGNING)? {
        ledger.push((
            META_SIGNING.into(),
            Some(vault.reseal_signing_key(&sealed, &master)?),
        ));
    }
    match salt_and_iterations {
        Some((salt, iterations)) => {
            ledger.push((META_SALT.into(), Some(salt)));
            ledger.push((
                META_ITERATIONS.into(),
                Some(iterations.to_be_bytes().to_vec()),
            ));
        }
        None => {
            ledger.push((META_SALT.into(), None));
            ledger.push((META_ITERATIONS.into(), None));
        }
    }
    if let Err(e) = chorus.store.rekey(ledger, data_keys, reseal) {
        if let RekeyTarget::KeyFile(path) = &target {
            // The new key never took effect; do not leave a key that opens nothing.
            let _ = std::fs::remove_file(path);
        }
        return Err(e.into());
    }
    Ok(message)
}

/// `chorus restore FILE`: into a new, empty data directory; then checks the configured key
/// opens it.
pub fn restore(settings: &Settings, file: &Path) -> Result<String, OperationError> {
    let records = store::restore(file, &settings.data_dir, settings.cache_bytes)?;
    match Chorus::open(settings) {
        Ok((chorus, _)) => {
            let surveys = chorus.surveys.list(&chorus.store).len();
            chorus.store.close()?;
            Ok(format!("restored {records} records ({surveys} surveys) into {}", settings.data_dir.display()))
        }
        Err(e) => Ok(format!(
            "restored {records} records into {}, but the configured key does not open them ({e}); start Chorus with the key or passphrase the backup was made with",
            settings.data_dir.display()
        )),
    }
}

/// Shreds every closed survey whose retention period has ended; returns their ids.
pub fn shred_due(chorus: &Chorus, today: &str) -> Vec<String> {
    let mut done = Vec::new();
    for id in chorus.surveys.due_for_shredding(today) {
        match chorus.surveys.shred(&chorus.store, &id) {
            Ok(()) => {
                let _ = crate::audit::record(
                    &chorus.store,
                    &crate::clock::FixedDay(today.to_owned()),
                    "(retention)",
                    "shred survey",
                    Some(&id),
                    Some("retention period ended".into()),
                );
                done.push(id);
            }
            Err(e) => tracing::error!(survey = %id, error = %e, "retention shred failed"),
        }
    }
    done
}

/// What `survey shred` tells the operator about backups made earlier.
pub const SHRED_NOTE: &str = "Backups made before now still hold this survey's key, wrapped by the master key. To make them unreadable too, run `chorus rekey` (a new key file or passphrase), destroy the old key, and make a fresh backup.";

/// `chorus rekey`: the server must be stopped (the running one holds the only handle on the
/// store, and its keys would go stale).
pub fn rekey_installation(
    settings: &Settings,
    target: RekeyTarget,
) -> Result<String, OperationError> {
    if crate::control::server_running(&settings.data_dir) {
        return Err(OperationError::Refused(
            "stop the server first: a rekey needs the data directory to itself".into(),
        ));
    }
    let (chorus, _) = Chorus::open(settings)?;
    let outcome = rekey(&chorus, settings, target);
    chorus.store.close()?;
    outcome
}

/// `chorus restore FILE`, refused while a server runs.
pub fn restore_installation(settings: &Settings, file: &Path) -> Result<String, OperationError> {
    if crate::control::server_running(&settings.data_dir) {
        return Err(OperationError::Refused(
            "stop the server first, and restore into a new, empty data directory".into(),
        ));
    }
    restore(settings, file)
}

/// `chorus verify-export FILE`: no settings, no store, no key needed.
pub fn verify_export_file(file: &Path) -> Result<String, OperationError> {
    let bytes = std::fs::read(file)
        .map_err(|e| OperationError::Refused(format!("could not read {}: {e}", file.display())))?;
    let verified = crate::export::bundle::verify(&bytes)
        .map_err(|e| OperationError::Refused(e.to_string()))?;
    let m = &verified.manifest;
    Ok(format!(
        "OK: the signature and every file's SHA-256 match.\nsurvey: {}\nexported on: {}\nk: {} (asked {}), l: {} (asked {}), records: {}, suppressed: {}\nsigned by the key with fingerprint: {}\nCompare this fingerprint with the one the organisation published.\n",
        m["survey"].as_str().unwrap_or("?"),
        m["exported_on"].as_str().unwrap_or("?"),
        m["k_achieved"], m["k_requested"], m["l_achieved"], m["l_requested"], m["records"], m["records_suppressed"],
        verified.fingerprint
    ))
}

/// A new passphrase for `rekey --to-passphrase`: CHORUS_NEW_PASSPHRASE, or typed twice.
pub fn new_passphrase() -> Result<Passphrase, OperationError> {
    use std::io::IsTerminal;
    let typed = match std::env::var("CHORUS_NEW_PASSPHRASE") {
        Ok(p) => p,
        Err(_) if std::io::stdin().is_terminal() => {
            let first = rpassword::prompt_password("New passphrase: ")
                .map_err(|e| OperationError::Refused(e.to_string()))?;
            let second = rpassword::prompt_password("The same passphrase again: ")
                .map_err(|e| OperationError::Refused(e.to_string()))?;
            if first != second {
                return Err(OperationError::Refused(
                    "the two passphrases are not the same".into(),
                ));
            }
            first
        }
        Err(_) => {
            return Err(OperationError::Refused(
                "set CHORUS_NEW_PASSPHRASE, or run this from a terminal to type it".into(),
            ))
        }
    };
    Passphrase::new(typed).map_err(|e| OperationError::Refused(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surveys::SurveyState;

    const SURVEY: &str = "id = \"walk\"\ntitle = \"Walk-in\"\n[[pages]]\ntitle = \"P\"\n  [[pages.questions]]\n  id = \"q\"\n  type = \"single\"\n  role = \"plain\"\n  text = \"Q?\"\n  options = [ { id = \"a\", text = \"A\" }, { id = \"b\", text = \"B\" } ]\n";

    fn open() -> (tempfile::TempDir, Chorus) {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let key = dir.path().join("chorus.key");
        let env = move |name: &str| match name {
            "CHORUS_DATA_DIR" => Some(data.display().to_string()),
            "CHORUS_KEY_FILE" => Some(key.display().to_string()),
            _ => None,
        };
        let settings = Settings::from_sources(None, &env).expect("settings");
        let (chorus, _) = Chorus::open(&settings).expect("open");
        chorus
            .surveys
            .import(&chorus.store, &chorus.vault, SURVEY)
            .expect("import");
        (dir, chorus)
    }

    #[test]
    fn a_closed_survey_is_shredded_once_its_retention_period_has_passed() {
        let (_d, chorus) = open();
        chorus
            .surveys
            .set_state(&chorus.store, "walk", SurveyState::Open)
            .expect("open");
        chorus
            .surveys
            .set_state(&chorus.store, "walk", SurveyState::Closed)
            .expect("close");
        chorus
            .surveys
            .set_retention(&chorus.store, "walk", Some(30))
            .expect("retention");
        let closed = chorus
            .surveys
            .get("walk")
            .and_then(|e| e.closed_on.clone())
            .expect("closing day");
        let day_29 = crate::clock::add_days(&closed, 29).expect("day");
        let day_30 = crate::clock::add_days(&closed, 30).expect("day");
        assert!(shred_due(&chorus, &day_29).is_empty());
        assert_eq!(shred_due(&chorus, &day_30), vec!["walk".to_string()]);
        let entry = chorus.surveys.get("walk").expect("entry");
        assert!(entry.shredded && entry.data_key.is_none());
        assert_eq!(chorus.store.data_key_get("walk").expect("get"), None);
        assert!(shred_due(&chorus, &day_30).is_empty(), "shredded once");
    }

    #[test]
    fn open_surveys_and_surveys_without_retention_are_never_shredded() {
        let (_d, chorus) = open();
        chorus
            .surveys
            .set_state(&chorus.store, "walk", SurveyState::Open)
            .expect("open");
        chorus
            .surveys
            .set_retention(&chorus.store, "walk", Some(1))
            .expect("retention");
        assert!(shred_due(&chorus, "2999-01-01").is_empty(), "still open");
        chorus
            .surveys
            .set_state(&chorus.store, "walk", SurveyState::Closed)
            .expect("close");
        chorus
            .surveys
            .set_retention(&chorus.store, "walk", None)
            .expect("retention");
        assert!(
            shred_due(&chorus, "2999-01-01").is_empty(),
            "no retention period"
        );
    }
}
