//! A release's quotes on disk. The tables of a release are counts and stay readable, but its
//! quotes are peers' own words: they are sealed with the survey's data key inside the stored
//! release, and put back into the document when it is served — the same bytes as a document
//! holding them, since `quotes` is its last field. A shred, which destroys the key, takes them
//! out of the stored releases (`forget`); a rekey reseals them under the new key (`reseal`).
//! Until 2026-12-06 they were stored as published, readable without the key, and an outside
//! review found them in the data directory and in backups after a shred.

use super::quotes::QUOTES_SIZE;
use super::QuoteGroup;
use crate::vault::DataKey;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// What the sealed quotes of release `number` are bound to.
fn sealed_as(number: u32) -> Vec<u8> {
    format!("release-quotes:{number}").into_bytes()
}

/// The quotes of release `number`, sealed and in base64 (`None` when there are none).
pub(super) fn seal(
    key: &DataKey,
    survey: &str,
    number: u32,
    quotes: &[QuoteGroup],
) -> Option<String> {
    if quotes.is_empty() {
        return None;
    }
    let plain = zeroize::Zeroizing::new(serde_json::to_vec(quotes).ok()?);
    Some(STANDARD.encode(key.seal_response(survey, &sealed_as(number), &plain, QUOTES_SIZE)))
}

/// The JSON of the quotes sealed by [`seal`], if the key opens them.
pub(super) fn open(key: &DataKey, survey: &str, number: u32, sealed: &str) -> Option<String> {
    let blob = STANDARD.decode(sealed).ok()?;
    let plain = key.open_response(survey, &sealed_as(number), &blob).ok()?;
    // Checked, so that only quotes are ever spliced into a document.
    let quotes: Vec<QuoteGroup> = serde_json::from_slice(&plain).ok()?;
    serde_json::to_string(&quotes).ok()
}

/// `body` (a document stored without its quotes) with `quotes` (their JSON) as its last field:
/// byte for byte the document that holds them.
pub(super) fn with_quotes(body: &str, quotes: &str) -> String {
    match body.strip_suffix('}') {
        Some(fields) => format!("{fields},\"quotes\":{quotes}}}"),
        None => body.to_owned(),
    }
}

/// The quotes sealed again under `new`, if `old` opens them.
pub(super) fn reseal(
    old: &DataKey,
    new: &DataKey,
    survey: &str,
    number: u32,
    sealed: &str,
) -> Option<String> {
    let json = zeroize::Zeroizing::new(open(old, survey, number, sealed)?);
    let quotes: Vec<QuoteGroup> = serde_json::from_str(&json).ok()?;
    seal(new, survey, number, &quotes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::ReleaseDocument;
    use crate::vault::{MasterKey, Vault};

    fn data_key(seed: u8) -> DataKey {
        Vault::new_data_key_under(&MasterKey::from_bytes([seed; 32]), "demo").0
    }

    #[test]
    fn a_document_stored_without_its_quotes_is_served_as_the_document_with_them() {
        let key = data_key(1);
        let quotes = vec![QuoteGroup {
            question: "why".into(),
            title: "Why?".into(),
            texts: vec!["my own \"words\"".into()],
        }];
        let survey = crate::survey::Survey::parse(crate::services::surveys::DEMO_SURVEY)
            .expect("the demo parses");
        let mut doc = ReleaseDocument::new(&survey, 1, false, false, &[]);
        doc.quotes = quotes.clone();
        let whole = serde_json::to_string(&doc).expect("json");
        doc.quotes.clear();
        let stored = serde_json::to_string(&doc).expect("json");
        assert!(!stored.contains("my own"), "{stored}");
        let sealed = seal(&key, "demo", 1, &quotes).expect("sealed");
        assert!(!sealed.contains("my own"));
        let opened = open(&key, "demo", 1, &sealed).expect("opens");
        assert_eq!(with_quotes(&stored, &opened), whole);
        // Bound to its release: another release's quotes do not open as these.
        assert!(open(&key, "demo", 2, &sealed).is_none());
        assert!(open(&data_key(2), "demo", 1, &sealed).is_none());
        let new = data_key(3);
        let resealed = reseal(&key, &new, "demo", 1, &sealed).expect("resealed");
        assert_eq!(open(&new, "demo", 1, &resealed), Some(opened));
        assert!(open(&key, "demo", 1, &resealed).is_none());
    }
}
