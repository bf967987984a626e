//! Kiosk records in the `meta` tree (`kiosk\0` ‖ kiosk id): opaque bytes that `kiosks` gives a
//! meaning to (which survey and batch a shared tablet hands codes from, and whether it was
//! closed, and until when it works). The link itself carries only the kiosk's id and a tag.

use super::records::scoped_key;
use super::{Store, StoreError};

const PREFIX: &[u8] = b"kiosk\0";

/// A kiosk's id and its record's bytes.
pub type KioskEntry = ([u8; 16], Vec<u8>);

fn kiosk_key(id: &[u8; 16]) -> Vec<u8> {
    let mut key = PREFIX.to_vec();
    key.extend_from_slice(id);
    key
}

impl Store {
    pub fn kiosk_put(&self, id: &[u8; 16], record: &[u8]) -> Result<(), StoreError> {
        self.live().meta.insert(kiosk_key(id), record)?;
        Ok(())
    }

    pub fn kiosk_get(&self, id: &[u8; 16]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.live().meta.get(kiosk_key(id))?.map(|v| v.to_vec()))
    }

    /// Every kiosk record, by id (for the workspace's list of a survey's kiosks).
    pub fn kiosks(&self) -> Result<Vec<KioskEntry>, StoreError> {
        let mut out = Vec::new();
        for item in self.live().meta.scan_prefix(PREFIX) {
            let (k, v) = item?;
            if let Ok(id) = <[u8; 16]>::try_from(&k[PREFIX.len()..]) {
                out.push((id, v.to_vec()));
            }
        }
        Ok(out)
    }

    /// Counts `n` more codes as issued in a batch (a kiosk's batch grows one code per person).
    pub fn batch_add_issued(&self, survey: &str, batch: u32, n: u64) -> Result<(), StoreError> {
        self.live()
            .batches
            .update_and_fetch(scoped_key(survey, &batch.to_be_bytes()), |old| {
                let old = old?;
                let issued = <[u8; 8]>::try_from(old.get(..8)?).ok()?;
                let mut record = (u64::from_be_bytes(issued) + n).to_be_bytes().to_vec();
                record.extend_from_slice(&old[8..]);
                Some(record)
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kiosk_record_reads_back_and_is_listed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        store.kiosk_put(&[1; 16], b"one").expect("put");
        store.kiosk_put(&[2; 16], b"two").expect("put");
        assert_eq!(
            store.kiosk_get(&[1; 16]).expect("get"),
            Some(b"one".to_vec())
        );
        assert_eq!(store.kiosk_get(&[3; 16]).expect("get"), None);
        assert_eq!(store.kiosks().expect("list").len(), 2);
    }

    #[test]
    fn a_batch_grows_by_the_codes_added_and_keeps_its_tags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let batch = store.batch_create("demo", 0, b"tags").expect("batch");
        store.batch_add_issued("demo", batch, 2).expect("grow");
        assert_eq!(store.batch_counts("demo").expect("counts")[0].issued, 2);
        assert_eq!(store.batch_tags("demo", batch).expect("tags"), b"tags");
    }
}
