//! Snapshots of free text: a survey's free-text answers as they were when a release was
//! published, kept as sealed copies under that release's number in the `redeem` tree
//! (`s` ‖ survey ‖ 0 ‖ release ‖ copy id), beside the texts they copy. Organisers read only
//! the latest release's snapshot (see `src/release/snapshot.rs`). A shred drops them and a
//! rekey reseals them, like the texts (`src/store/rewrite.rs`); a backup carries them.

use super::records::snapshot_key;
use super::{Store, StoreError};

/// Copies per `apply_batch`: modest, because sled's memory grows with a batch.
const CHUNK: usize = 1_000;

impl Store {
    /// Stores release `release`'s snapshot as (copy id, sealed copy) pairs, after removing
    /// whatever an earlier attempt at the same release left under its number (a publish that
    /// stopped before its release was stored). Durable with the next flush: the caller stores
    /// the release after this and then flushes, and sled's log keeps that order.
    ///
    /// The copies are taken from `copies` a chunk at a time, so a large survey's snapshot is
    /// never held in memory whole; the first error stops the writing (the copies already
    /// written are replaced by the next attempt).
    pub fn snapshot_put(
        &self,
        survey: &str,
        release: u32,
        copies: impl IntoIterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>>,
    ) -> Result<(), StoreError> {
        self.snapshot_remove(survey, |number| number == release)?;
        let live = self.live();
        let mut copies = copies.into_iter().peekable();
        while copies.peek().is_some() {
            let mut batch = sled::Batch::default();
            for copy in copies.by_ref().take(CHUNK) {
                let (id, sealed) = copy?;
                batch.insert(snapshot_key(survey, release, &id), sealed);
            }
            live.redeem.apply_batch(batch)?;
        }
        Ok(())
    }

    /// Every sealed copy of release `release`'s snapshot, as (snapshot id, sealed bytes), the
    /// snapshot id being the release number (4 bytes, big-endian) ‖ the copy id: what the copy
    /// is sealed under. In the order of the random copy ids.
    pub fn snapshot(
        &self,
        survey: &str,
        release: u32,
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + '_ {
        self.sealed_under(snapshot_key(survey, release, b""))
            .map(move |row| {
                let (copy_id, sealed) = row?;
                Ok(([&release.to_be_bytes()[..], &copy_id].concat(), sealed))
            })
    }

    /// Removes every snapshot of the survey except release `keep`'s: only the latest is ever
    /// read. (sled keeps the removed bytes, sealed, until the next rewrite.)
    pub fn snapshot_forget_others(&self, survey: &str, keep: u32) -> Result<(), StoreError> {
        self.snapshot_remove(survey, |number| number != keep)
    }

    fn snapshot_remove(
        &self,
        survey: &str,
        remove: impl Fn(u32) -> bool,
    ) -> Result<(), StoreError> {
        let prefix = snapshot_key(survey, 0, b"");
        let number_at = prefix.len() - 4;
        let live = self.live();
        let mut batch = sled::Batch::default();
        let mut pending = 0;
        for key in live.redeem.scan_prefix(&prefix[..number_at]).keys() {
            let key = key?;
            let number = key
                .get(number_at..number_at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_be_bytes)
                .ok_or(StoreError::Corrupt)?;
            if remove(number) {
                batch.remove(key);
                pending += 1;
            }
            if pending == CHUNK {
                live.redeem.apply_batch(std::mem::take(&mut batch))?;
                pending = 0;
            }
        }
        if pending > 0 {
            live.redeem.apply_batch(batch)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{all_bytes, contains, open};
    use super::*;

    /// Copy `i` has the id `[i; 16]` and the bytes of `words[i]`.
    fn copies<'a>(
        words: &'a [&'a [u8]],
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + 'a {
        words
            .iter()
            .enumerate()
            .map(|(i, w)| Ok((vec![i as u8; 16], w.to_vec())))
    }

    fn read(store: &Store, survey: &str, release: u32) -> Vec<(Vec<u8>, Vec<u8>)> {
        store
            .snapshot(survey, release)
            .map(|r| r.expect("row"))
            .collect()
    }

    #[test]
    fn a_snapshot_is_read_back_under_its_release_and_survey_only() {
        let (_d, store) = open();
        store
            .snapshot_put("demo", 1, copies(&[b"ONE", b"TWO"]))
            .expect("put");
        store
            .snapshot_put("demo-2", 1, copies(&[b"ELSEWHERE"]))
            .expect("put");
        let got = read(&store, "demo", 1);
        assert_eq!(got.len(), 2);
        let mut id = 1u32.to_be_bytes().to_vec();
        id.extend_from_slice(&[0; 16]);
        assert_eq!(got[0], (id, b"ONE".to_vec()), "the id it was sealed under");
        assert!(read(&store, "demo", 2).is_empty());
        assert_eq!(read(&store, "demo-2", 1).len(), 1);
    }

    #[test]
    fn a_snapshot_put_again_replaces_what_an_unfinished_attempt_left() {
        let (_d, store) = open();
        store
            .snapshot_put("demo", 3, copies(&[b"A", b"B", b"C"]))
            .expect("put");
        store.snapshot_put("demo", 3, copies(&[b"D"])).expect("put");
        assert_eq!(
            read(&store, "demo", 3),
            vec![([&3u32.to_be_bytes()[..], &[0; 16]].concat(), b"D".to_vec())]
        );
    }

    #[test]
    fn a_copy_that_fails_stops_the_snapshot_and_the_next_attempt_replaces_what_was_written() {
        let (_d, store) = open();
        let failing = copies(&[b"A", b"B"]).chain([Err(StoreError::Corrupt)]);
        assert!(matches!(
            store.snapshot_put("demo", 1, failing),
            Err(StoreError::Corrupt)
        ));
        store.snapshot_put("demo", 1, copies(&[b"C"])).expect("put");
        assert_eq!(read(&store, "demo", 1).len(), 1);
    }

    #[test]
    fn older_snapshots_are_forgotten_and_a_rewrite_leaves_nothing_of_them() {
        let (dir, store) = open();
        store
            .snapshot_put("demo", 1, copies(&[b"SNAPSHOT-ONE"]))
            .expect("put");
        store
            .snapshot_put("demo", 2, copies(&[b"SNAPSHOT-TWO"]))
            .expect("put");
        store
            .snapshot_put("other", 1, copies(&[b"SNAPSHOT-OTHER"]))
            .expect("put");
        store.snapshot_forget_others("demo", 2).expect("forget");
        assert!(read(&store, "demo", 1).is_empty());
        assert_eq!(read(&store, "demo", 2).len(), 1);
        assert_eq!(read(&store, "other", 1).len(), 1, "another survey's stays");
        store.rewrite().expect("rewrite");
        store.close().expect("close");
        let bytes = all_bytes(dir.path());
        assert!(
            !contains(&bytes, b"SNAPSHOT-ONE"),
            "removed, then rewritten"
        );
        assert!(contains(&bytes, b"SNAPSHOT-TWO"));
    }

    #[test]
    fn a_shred_drops_the_surveys_snapshots_a_rekey_reseals_them_and_a_backup_keeps_them() {
        let (dir, store) = open();
        store.data_key_init("demo", b"key-demo").expect("key");
        store.data_key_init("other", b"key-other").expect("key");
        store
            .snapshot_put("demo", 1, copies(&[b"OLD-SNAPSHOT-DEMO"]))
            .expect("put");
        store
            .snapshot_put("other", 4, copies(&[b"OLD-SNAPSHOT-OTHER"]))
            .expect("put");

        let elsewhere = tempfile::tempdir().expect("tempdir");
        let file = elsewhere.path().join("backup.chorus");
        store.backup_to(&file).expect("backup");
        let target = elsewhere.path().join("restored");
        super::super::restore(&file, &target, 8 << 20).expect("restore");
        let restored = Store::open(&target, 8 << 20).expect("open restored");
        assert_eq!(read(&restored, "demo", 1), read(&store, "demo", 1));
        restored.close().expect("close");

        store
            .rekey(
                Vec::new(),
                vec![
                    ("demo".into(), b"new-demo".to_vec()),
                    ("other".into(), b"new-other".to_vec()),
                ],
                Box::new(|kind, survey, id, sealed| {
                    let expected_id = match survey {
                        "demo" => [&1u32.to_be_bytes()[..], &[0; 16]].concat(),
                        _ => [&4u32.to_be_bytes()[..], &[0; 16]].concat(),
                    };
                    (kind == crate::store::SealedKind::Snapshot && id == expected_id).then(|| {
                        String::from_utf8_lossy(sealed)
                            .replace("OLD", "NEW")
                            .into_bytes()
                    })
                }),
                Vec::new(),
            )
            .expect("rekey");
        assert_eq!(read(&store, "demo", 1)[0].1, b"NEW-SNAPSHOT-DEMO");
        store.shred("demo").expect("shred");
        assert!(read(&store, "demo", 1).is_empty());
        assert_eq!(read(&store, "other", 4)[0].1, b"NEW-SNAPSHOT-OTHER");
        store.close().expect("close");
        let bytes = all_bytes(dir.path());
        for gone in [
            &b"OLD-SNAPSHOT-DEMO"[..],
            b"NEW-SNAPSHOT-DEMO",
            b"OLD-SNAPSHOT-OTHER",
        ] {
            assert!(!contains(&bytes, gone), "{}", String::from_utf8_lossy(gone));
        }
        assert!(contains(&bytes, b"NEW-SNAPSHOT-OTHER"));
        drop(store);
        // The store opens again with snapshots in it (its count at start-up knows the kind).
        let reopened = Store::open(&dir.path().join("data"), 8 << 20).expect("reopen");
        assert_eq!(read(&reopened, "other", 4).len(), 1);
    }
}
