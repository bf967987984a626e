//! The export bundle: a zip of the data files, `manifest.json` (what was exported and how, with
//! the SHA-256 of every file) and `manifest.sig` (Ed25519 over the manifest's exact bytes), plus
//! the public key as PEM so standard tools can check it too. `verify` is what
//! `chorus verify-export` runs: it needs no key and no data directory.

use crate::vault::{digest, fingerprint, hex, verify_ed25519, SigningKey};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::io::{Read, Write};

pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.sig";
pub const PUBLIC_KEY: &str = "public-key.pem";
pub const FORMAT: &str = "chorus-export-1";

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("could not build the bundle: {0}")]
    Build(String),
    #[error("this is not a readable zip file: {0}")]
    NotZip(String),
    #[error("the bundle has no {0}")]
    Missing(&'static str),
    #[error("manifest.json is not a Chorus export manifest")]
    BadManifest,
    #[error(
        "the signature does not match the manifest: the bundle was changed or not made by this key"
    )]
    BadSignature,
    #[error("{0} does not match the SHA-256 in the manifest: it was changed")]
    Tampered(String),
    #[error("{0} is listed in the manifest but missing from the bundle")]
    FileMissing(String),
    #[error("{0} is in the bundle but not in the manifest")]
    Unlisted(String),
    #[error("the zip is not laid out as Chorus writes bundles (it was packed again, or holds repeated or hidden entries), so a tool could read other bytes than the signed ones: check the file exactly as it was downloaded")]
    Repacked,
}

/// Builds the zip. `manifest` holds what describes the export (survey, k, ℓ, levels…); the
/// format, file hashes and public key are added here, then the manifest is signed.
pub fn build(
    mut manifest: serde_json::Map<String, serde_json::Value>,
    files: &[(String, Vec<u8>)],
    key: &SigningKey,
) -> Result<Vec<u8>, BundleError> {
    let public_key = key.public_key();
    let pem = public_key_pem(&public_key);
    let mut all: Vec<(String, Vec<u8>)> = files.to_vec();
    all.push((PUBLIC_KEY.to_owned(), pem.into_bytes()));
    let hashes: serde_json::Map<String, serde_json::Value> = all
        .iter()
        .map(|(name, bytes)| (name.clone(), serde_json::Value::String(hex(&digest(bytes)))))
        .collect();
    manifest.insert("format".into(), FORMAT.into());
    manifest.insert("files".into(), serde_json::Value::Object(hashes));
    manifest.insert("public_key".into(), STANDARD.encode(public_key).into());
    manifest.insert(
        "public_key_fingerprint".into(),
        fingerprint(&public_key).into(),
    );
    let manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BundleError::Build(e.to_string()))?;
    let signature = key.sign(&manifest_bytes);

    all.push((MANIFEST.to_owned(), manifest_bytes));
    all.push((SIGNATURE.to_owned(), signature));
    pack(&all)
}

/// The zip of `entries`, in order, exactly as Chorus lays out every bundle: stored (not
/// compressed), a fixed date on every entry, nothing else. The layout is fixed so that
/// [`verify`] can refuse any other: a zip with a second `data.csv` before the signed one passes
/// every hash check, yet R's `unz()` reads the first.
fn pack(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>, BundleError> {
    let err = |e: &dyn std::fmt::Display| BundleError::Build(e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        // No time of day in the bundle: a fixed date on every entry.
        .last_modified_time(zip::DateTime::default());
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options)
            .map_err(|e| err(&e))?;
        zip.write_all(bytes).map_err(|e| err(&e))?;
    }
    Ok(zip.finish().map_err(|e| err(&e))?.into_inner())
}

/// What a successful check found.
#[derive(Debug)]
pub struct Verified {
    pub fingerprint: String,
    pub manifest: serde_json::Value,
    pub files: Vec<String>,
}

/// Checks the signature over the manifest and every file's hash; refuses extra files.
pub fn verify(zip_bytes: &[u8]) -> Result<Verified, BundleError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes))
        .map_err(|e| BundleError::NotZip(e.to_string()))?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| BundleError::NotZip(e.to_string()))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| BundleError::NotZip(e.to_string()))?;
        let name = file
            .name()
            .map_err(|e| BundleError::NotZip(e.to_string()))?
            .into_owned();
        entries.push((name, bytes));
    }
    let find = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    };
    let manifest_bytes = find(MANIFEST).ok_or(BundleError::Missing(MANIFEST))?;
    let signature = find(SIGNATURE).ok_or(BundleError::Missing(SIGNATURE))?;
    let manifest: serde_json::Value =
        serde_json::from_slice(manifest_bytes).map_err(|_| BundleError::BadManifest)?;
    if manifest["format"] != FORMAT {
        return Err(BundleError::BadManifest);
    }
    let public_key = manifest["public_key"]
        .as_str()
        .and_then(|k| STANDARD.decode(k).ok())
        .ok_or(BundleError::BadManifest)?;
    if !verify_ed25519(&public_key, manifest_bytes, signature) {
        return Err(BundleError::BadSignature);
    }
    let listed = manifest["files"]
        .as_object()
        .ok_or(BundleError::BadManifest)?;
    for (name, hash) in listed {
        let bytes = find(name).ok_or_else(|| BundleError::FileMissing(name.clone()))?;
        if hash.as_str() != Some(hex(&digest(bytes)).as_str()) {
            return Err(BundleError::Tampered(name.clone()));
        }
    }
    for (name, _) in &entries {
        if name != MANIFEST && name != SIGNATURE && !listed.contains_key(name) {
            return Err(BundleError::Unlisted(name.clone()));
        }
    }
    let key32: [u8; 32] = public_key
        .as_slice()
        .try_into()
        .map_err(|_| BundleError::BadManifest)?;
    if find(PUBLIC_KEY) != Some(public_key_pem(&key32).as_bytes()) {
        return Err(BundleError::Tampered(PUBLIC_KEY.to_owned()));
    }
    let names: std::collections::HashSet<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    if names.len() != entries.len() || pack(&entries).ok().as_deref() != Some(zip_bytes) {
        return Err(BundleError::Repacked);
    }
    Ok(Verified {
        fingerprint: fingerprint(&public_key),
        manifest,
        files: entries.into_iter().map(|(n, _)| n).collect(),
    })
}

/// The Ed25519 public key as an X.509 SubjectPublicKeyInfo PEM (what `openssl` reads).
pub fn public_key_pem(public_key: &[u8; 32]) -> String {
    // DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), followed by the 32 key bytes.
    const SPKI_PREFIX: [u8; 12] = [
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    let mut der = SPKI_PREFIX.to_vec();
    der.extend_from_slice(public_key);
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(der)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        let (vault, _) = crate::vault::Vault::create(&crate::vault::MasterKey::from_bytes([5; 32]));
        vault.new_signing_key().expect("key").0
    }

    fn bundle() -> Vec<u8> {
        let mut manifest = serde_json::Map::new();
        manifest.insert("survey".into(), "demo".into());
        let files = vec![
            ("data.csv".to_owned(), b"row_id,age\nab12,25-34\n".to_vec()),
            ("codebook.csv".to_owned(), b"variable,label\n".to_vec()),
        ];
        build(manifest, &files, &key()).expect("build")
    }

    /// A second `data.csv`, changed, put before the signed one: every listed hash still
    /// matches the entry a by-name lookup may find, and some readers (R's `unz()`) read the
    /// first. Bytes added before or after the zip are refused too.
    #[test]
    fn a_bundle_with_a_repeated_or_extra_entry_or_bytes_is_refused() {
        let original = bundle();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&original)).expect("zip");
        let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read");
            entries.push((f.name().expect("name").into_owned(), bytes));
        }
        // Written under a name of the same length, then renamed in place: the zip crate
        // refuses to write a repeated name, a hand-made zip need not.
        let mut doubled = vec![("data.csx".to_owned(), b"row_id,age\nab12,65+\n".to_vec())];
        doubled.extend(entries);
        let mut repacked = pack(&doubled).expect("pack");
        let mut at = 0;
        while let Some(i) = repacked[at..].windows(8).position(|w| w == b"data.csx") {
            repacked[at + i..at + i + 8].copy_from_slice(b"data.csv");
            at += i + 8;
        }
        assert!(at > 0);
        assert!(verify(&repacked).is_err(), "a repeated entry verifies");
        let mut padded = b"MZ".to_vec();
        padded.extend_from_slice(&original);
        assert!(verify(&padded).is_err(), "bytes before the zip verify");
        let mut trailing = original.clone();
        trailing.extend_from_slice(b"hidden");
        assert!(verify(&trailing).is_err(), "bytes after the zip verify");
    }

    #[test]
    fn a_fresh_bundle_verifies() {
        let verified = verify(&bundle()).expect("verifies");
        assert_eq!(verified.manifest["survey"], "demo");
        assert!(verified.files.contains(&"data.csv".to_owned()));
    }

    #[test]
    fn changing_any_byte_of_the_bundle_fails_verification() {
        let original = bundle();
        let mut failures = 0;
        for i in 0..original.len() {
            let mut tampered = original.clone();
            tampered[i] ^= 0x01;
            if verify(&tampered).is_err() {
                failures += 1;
            }
        }
        // Every byte of every file's content and of the manifest and signature is covered;
        // zip bookkeeping bytes (e.g. the "version made by" field) may change harmlessly.
        let content_bytes: usize = original.len() / 2;
        assert!(
            failures > content_bytes,
            "{failures} of {} flips detected",
            original.len()
        );
    }

    /// Re-zips the bundle with one byte of one file changed (a valid zip, as a person editing
    /// data.csv and zipping it again would make).
    fn rezip_with(original: &[u8], target: &str, position: usize) -> Vec<u8> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(original)).expect("zip");
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).expect("entry");
            let name = file.name().expect("name").into_owned();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).expect("read");
            if name == target {
                bytes[position] ^= 0x01;
            }
            out.start_file(name, options).expect("start");
            out.write_all(&bytes).expect("write");
        }
        out.finish().expect("finish").into_inner()
    }

    #[test]
    fn changing_any_byte_of_any_file_fails_verification() {
        let original = bundle();
        let mut archive =
            zip::ZipArchive::new(std::io::Cursor::new(original.as_slice())).expect("zip");
        let sizes: Vec<(String, usize)> = (0..archive.len())
            .map(|i| {
                let f = archive.by_index(i).expect("entry");
                (f.name().expect("name").into_owned(), f.size() as usize)
            })
            .collect();
        assert!(sizes.len() >= 5);
        for (name, size) in sizes {
            for position in 0..size {
                let tampered = rezip_with(&original, &name, position);
                assert!(
                    verify(&tampered).is_err(),
                    "a change at byte {position} of {name} went unnoticed"
                );
            }
        }
    }

    #[test]
    fn the_public_key_pem_has_the_ed25519_spki_shape() {
        let pem = public_key_pem(&[1; 32]);
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
    }
}
