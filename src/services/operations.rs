//! What an operator does to an installation as a whole: back it up, restore it, move it to a
//! new master key (`rekey`: key file ↔ passphrase), check an export bundle.

use super::{audit, Actor, ServiceError};
use crate::config::Settings;
use crate::installation::{
    server_running, Chorus, StartError, META_ITERATIONS, META_MODE, META_ROOT, META_SALT,
    META_SESSION, META_SIGNING,
};
use crate::store::{self, SealedKind};
use crate::vault::{fingerprint, random_array, MasterKey, Passphrase, Vault};
use std::path::{Path, PathBuf};

/// `chorus backup FILE`: one consistent file of the whole store, taken while serving. Answers
/// stay sealed in it.
pub fn backup(chorus: &Chorus, actor: &Actor, path: &Path) -> Result<u64, ServiceError> {
    let bytes = chorus.store.backup_to(path)?;
    audit(chorus, actor, "backup", None, None);
    Ok(bytes)
}

/// Where `rekey` moves the installation to.
pub enum RekeyTarget {
    /// A new key file (which must not exist yet), outside the data directory.
    KeyFile(PathBuf),
    /// Sealed mode: nothing on disk but a salt.
    Passphrase(Passphrase),
}

/// Wraps the root secret under a new master key, replaces the session secret and the export
/// signing key pair, gives every survey a fresh data key and reseals its responses, free-text
/// answers and free-text snapshots under it, in one store rewrite (see `Store::rekey`).
///
/// The root secret itself stays: the code-hashing key derived from it must keep matching the
/// codes on cards and coupons already handed out (their plaintext is stored nowhere), and unused
/// coupons' links are sealed under a key derived from it. Whoever keeps the old master key and a
/// backup from before the rekey therefore still holds those two keys (docs/storage.md,
/// "Rekeying"); everything else they would need is new.
fn rekey(
    chorus: &Chorus,
    settings: &Settings,
    target: RekeyTarget,
) -> Result<String, ServiceError> {
    let (master, meta_mode, salt_and_iterations, message) = match &target {
        RekeyTarget::KeyFile(path) => {
            if path.exists() {
                return Err(ServiceError::KeyFileExists(path.clone()));
            }
            if crate::config::is_inside(path, &settings.data_dir) {
                return Err(ServiceError::KeyFileInsideData);
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
    // opens no answer in the rekeyed directory, old or new.
    let mut data_keys = Vec::new();
    let mut resealers = std::collections::HashMap::new();
    let shredded = chorus.surveys.shredded();
    for (survey, wrapped) in chorus.store.data_keys()? {
        // A shred a crash interrupted: its key goes with the rewrite, not to a fresh one.
        if shredded.contains(&survey) {
            continue;
        }
        let old = vault.unwrap_data_key(&survey, &wrapped)?;
        let (new, new_wrapped) = crate::vault::Vault::new_data_key_under(&master, &survey);
        // Quotes waiting for the next release go under the new key before the rewrite.
        crate::release::quotes::reseal(&chorus.store, &survey, &old, &new)?;
        crate::release::reseal_quotes(&chorus.store, &survey, &old, &new)?;
        data_keys.push((survey.clone(), new_wrapped));
        resealers.insert(survey, (old, new));
    }
    let sizes: std::collections::HashMap<String, usize> = resealers
        .keys()
        .map(|s| {
            (
                s.clone(),
                chorus.surveys.get(s).map_or(0, |e| e.record_size),
            )
        })
        .collect();
    let reseal = Box::new(
        move |kind: SealedKind, survey: &str, id: &[u8], sealed: &[u8]| {
            let (old, new) = resealers.get(survey)?;
            Some(match kind {
                SealedKind::Response => {
                    let plain =
                        zeroize::Zeroizing::new(old.open_response(survey, id, sealed).ok()?);
                    // A response keeps at least the size it had, so a rekey reveals nothing
                    // the old files did not.
                    let size = sizes
                        .get(survey)
                        .copied()
                        .unwrap_or(0)
                        .max(sealed.len().saturating_sub(crate::vault::SEAL_OVERHEAD));
                    new.seal_response(survey, id, &plain, size)
                }
                SealedKind::Text => {
                    let plain = zeroize::Zeroizing::new(old.open_text(survey, id, sealed).ok()?);
                    new.seal_text(survey, id, &plain)
                }
                SealedKind::Snapshot => {
                    let plain =
                        zeroize::Zeroizing::new(old.open_snapshot_text(survey, id, sealed).ok()?);
                    new.seal_snapshot_text(survey, id, &plain)
                }
            })
        },
    );
    // A new session secret: the old one (or the root, which signed sessions before it existed)
    // from an old backup signs nothing the rekeyed server accepts. Everyone is logged out, and
    // kiosk links made before stop working.
    let (_, session) = Vault::new_session_key_under(&master);
    // A new export-signing pair: the old private key, which an old master key and an old backup
    // open, could otherwise sign bundles that verify as this installation's.
    let (signing, sealed_signing) = Vault::new_signing_key_under(&master)?;
    let mut ledger: Vec<(String, Option<Vec<u8>>)> = vec![
        (META_ROOT.into(), Some(vault.rewrap_root(&master))),
        (META_MODE.into(), Some(meta_mode.to_vec())),
        (META_SESSION.into(), Some(session)),
        (META_SIGNING.into(), Some(sealed_signing)),
    ];
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
    if let Err(e) = chorus.store.rekey(ledger, data_keys, reseal, shredded) {
        if let RekeyTarget::KeyFile(path) = &target {
            // The new key never took effect; do not leave a key that opens nothing.
            let _ = std::fs::remove_file(path);
        }
        return Err(e.into());
    }
    Ok(format!(
        "{message}.\n{}",
        after_rekey(
            &fingerprint(&chorus.signing.public_key()),
            &fingerprint(&signing.public_key())
        )
    ))
}

/// What a rekey changed besides the key, for the operator.
fn after_rekey(old_fingerprint: &str, new_fingerprint: &str) -> String {
    format!(
        "Organisers and researchers are logged out (sessions were signed with a key the rekey replaced), and kiosk links made before no longer work: open new ones.\n\
         Exports are now signed with a new key. Its fingerprint: {new_fingerprint}\n\
         Publish it to researchers in place of the old one ({old_fingerprint}), which exports made before the rekey still show.\n\
         Backups made before the rekey still open with the old key, and give the key that checks codes, which cannot change while cards and coupons are out: whoever has the old key, such a backup and a copy of the current data directory can tell whether a card found on a person was used, and open an unused coupon's link (its recruiter's random chain id and wave; no answer). Destroy every backup made before the rekey, and make a fresh one.\n"
    )
}

/// `chorus restore FILE`: into a new, empty data directory; then checks the configured key
/// opens it.
fn restore(settings: &Settings, file: &Path) -> Result<String, ServiceError> {
    let existed = settings.data_dir.exists();
    let records = store::restore(file, &settings.data_dir, settings.cache_bytes)?;
    match Chorus::open(settings) {
        Ok((chorus, _)) => {
            let surveys = chorus.surveys.list(&chorus.store).len();
            chorus.store.close()?;
            Ok(format!(
                "restored {records} records ({surveys} surveys) into {}",
                settings.data_dir.display()
            ))
        }
        Err(e) => {
            // A restore the key cannot open is no restore: the directory goes back to as it
            // was (empty, or not there), so that the same command with the right key works.
            let _ = std::fs::remove_dir_all(&settings.data_dir);
            if existed {
                let _ = std::fs::create_dir(&settings.data_dir);
            }
            Err(ServiceError::RestoreUnopened(e.to_string()))
        }
    }
}

/// `chorus rekey`: the server must be stopped (the running one holds the only handle on the
/// store, and its keys would go stale).
pub fn rekey_installation(
    settings: &Settings,
    target: RekeyTarget,
) -> Result<String, ServiceError> {
    if server_running(&settings.data_dir) {
        return Err(ServiceError::ServerRunning);
    }
    let (chorus, _) = Chorus::open(settings)?;
    let outcome = rekey(&chorus, settings, target);
    if outcome.is_ok() {
        audit(&chorus, &Actor::command_line(), "rekey", None, None);
    }
    chorus.store.close()?;
    outcome
}

/// `chorus restore FILE`, refused while a server runs.
pub fn restore_installation(settings: &Settings, file: &Path) -> Result<String, ServiceError> {
    if server_running(&settings.data_dir) {
        return Err(ServiceError::ServerRunning);
    }
    restore(settings, file)
}

/// `chorus verify-export FILE`: no settings, no store, no key needed.
pub fn verify_export_file(file: &Path) -> Result<String, ServiceError> {
    let bytes = std::fs::read(file).map_err(|source| ServiceError::ReadFile {
        path: file.to_path_buf(),
        source,
    })?;
    let verified = crate::export::bundle::verify(&bytes)?;
    let m = &verified.manifest;
    Ok(format!(
        "OK: the signature and every file's SHA-256 match.\nsurvey: {}\nexported on: {}\nk: {} (asked {}), l: {} (asked {}), records: {}, suppressed: {}\nsigned by the key with fingerprint: {}\nCompare this fingerprint with the one the organisation published.\n",
        m["survey"].as_str().unwrap_or("?"),
        m["exported_on"].as_str().unwrap_or("?"),
        m["k_achieved"], m["k_requested"], m["l_achieved"], m["l_requested"], m["records"], m["records_suppressed"],
        verified.fingerprint
    ))
}

/// Creates or replaces a file readable by its owner only.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// `chorus store rewrite`: the store rewritten now into fresh files in key order, forgetting the
/// order in which answers arrived (it also happens hourly while answers arrive, and on close).
pub fn rewrite_store(chorus: &Chorus, actor: &Actor) -> Result<u64, ServiceError> {
    let report = chorus.store.rewrite()?;
    audit(chorus, actor, "rewrite store", None, None);
    Ok(report.records)
}
