//! What an attacker holding a copy of the data directory does: read every byte of every file,
//! try keys at every offset, and look at where things sit.

use crate::helpers::{all_files, TestApp};
use chorus::store::KeyLedger;
use chorus::vault::{DataKey, MasterKey, Vault};
use std::path::Path;

/// Every file under the data directory, concatenated in path order (offsets are positions in
/// this image, so "next to" and "before" mean what they mean on disk).
pub fn disk_image(dir: &Path) -> Vec<u8> {
    let mut files = all_files(dir);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        if let Ok(bytes) = std::fs::read(&file) {
            out.extend(bytes);
        }
    }
    out
}

/// Byte length of a wrapped key or root secret: version, nonce, 32 bytes, tag.
const WRAPPED_LEN: usize = 1 + 12 + 32 + 16;

/// Every window of the image that could be a wrapped secret (it starts with the format's
/// version byte), whatever the file structure around it.
fn wrapped_windows(image: &[u8]) -> impl Iterator<Item = &[u8]> {
    image.windows(WRAPPED_LEN).filter(|w| w[0] == 1)
}

/// A vault unlocked by `master` from any wrapped root secret found anywhere in the image.
pub fn carve_vault(image: &[u8], master: &MasterKey) -> Option<Vault> {
    wrapped_windows(image).find_map(|w| Vault::unlock(master, w).ok())
}

/// Any data key of `survey` that `vault` unwraps from anywhere in the image.
pub fn carve_data_key(image: &[u8], vault: &Vault, survey: &str) -> Option<DataKey> {
    wrapped_windows(image).find_map(|w| vault.unwrap_data_key(survey, w).ok())
}

/// The vault the current key file opens, from the ledger (read only: nothing is written).
pub fn current_vault(app: &TestApp, key_file: &Path) -> Vault {
    let master = MasterKey::read_key_file(key_file).expect("key file");
    let ledger = KeyLedger::read(&app.data_dir()).expect("ledger");
    Vault::unlock(&master, ledger.get("root_secret").expect("root")).expect("unlock")
}

/// The survey's data key as the server would load it.
pub fn current_data_key(app: &TestApp, vault: &Vault, survey: &str) -> DataKey {
    let ledger = KeyLedger::read(&app.data_dir()).expect("ledger");
    vault
        .unwrap_data_key(survey, ledger.data_key(survey).expect("data key"))
        .expect("unwrap")
}

/// Every stored response of a survey as (record id, sealed bytes), through the library (the
/// server must be stopped).
pub fn sealed_rows(app: &TestApp, survey: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let store = chorus::store::Store::open(&app.data_dir(), 8 << 20).expect("open store");
    let rows = store.responses(survey).map(|r| r.expect("row")).collect();
    store.close().expect("close");
    rows
}

/// Every free-text answer of a survey stored apart from its response, as (text id, sealed
/// bytes), through the library (the server must be stopped).
pub fn sealed_texts(app: &TestApp, survey: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let store = chorus::store::Store::open(&app.data_dir(), 8 << 20).expect("open store");
    let rows = store.texts(survey).map(|r| r.expect("row")).collect();
    store.close().expect("close");
    rows
}

/// Every copy in release `release`'s snapshot of a survey's free text, as (snapshot id, sealed
/// bytes), through the library (the server must be stopped).
pub fn sealed_snapshot(app: &TestApp, survey: &str, release: u32) -> Vec<(Vec<u8>, Vec<u8>)> {
    let store = chorus::store::Store::open(&app.data_dir(), 8 << 20).expect("open store");
    let rows = store
        .snapshot(survey, release)
        .map(|r| r.expect("row"))
        .collect();
    store.close().expect("close");
    rows
}

/// Where `needle` first occurs in the image.
pub fn offset_of(image: &[u8], needle: &[u8]) -> Option<usize> {
    image.windows(needle.len()).position(|w| w == needle)
}

/// Every place each of `needles` (at least 8 bytes each) occurs in the image, in one pass: the
/// image is read once however many records are looked for.
pub fn places_of(image: &[u8], needles: &[&[u8]]) -> Vec<Vec<usize>> {
    let head = |bytes: &[u8]| -> Option<u64> {
        Some(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?))
    };
    let mut by_head: std::collections::HashMap<u64, Vec<usize>> = std::collections::HashMap::new();
    // A cheap first test for most windows: one bit per value of the head's low 16 bits.
    let mut seen = vec![false; 1 << 16];
    for (k, needle) in needles.iter().enumerate() {
        let h = head(needle).expect("needles are at least 8 bytes");
        by_head.entry(h).or_default().push(k);
        seen[(h & 0xffff) as usize] = true;
    }
    let mut places = vec![Vec::new(); needles.len()];
    for at in 0..image.len().saturating_sub(7) {
        let h = u64::from_le_bytes(image[at..at + 8].try_into().expect("8 bytes"));
        if !seen[(h & 0xffff) as usize] {
            continue;
        }
        for &k in by_head.get(&h).into_iter().flatten() {
            if image[at..].starts_with(needles[k]) {
                places[k].push(at);
            }
        }
    }
    places
}

/// Spearman's rank correlation of two equally long samples without ties.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let ranks = |xs: &[f64]| {
        let mut order: Vec<usize> = (0..xs.len()).collect();
        order.sort_by(|&i, &j| xs[i].total_cmp(&xs[j]));
        let mut r = vec![0.0; xs.len()];
        for (rank, i) in order.into_iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    };
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let d2: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - y).powi(2)).sum();
    1.0 - 6.0 * d2 / (n * (n * n - 1.0))
}
