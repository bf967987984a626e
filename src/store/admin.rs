//! The organisation's side of the store: accounts, API-key digests, the audit log and frozen
//! releases. Opaque bytes, like everything here.

use super::records::scoped_key;
use super::{Store, StoreError};

impl Store {
    /// Inserts an account record unless the name is taken; `false` when it is.
    pub fn account_insert(&self, name: &str, record: &[u8]) -> Result<bool, StoreError> {
        Ok(self
            .live()
            .accounts
            .compare_and_swap(name, None as Option<&[u8]>, Some(record))?
            .is_ok())
    }

    pub fn account_put(&self, name: &str, record: &[u8]) -> Result<(), StoreError> {
        self.live().accounts.insert(name, record)?;
        Ok(())
    }

    pub fn account_get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.live().accounts.get(name)?.map(|v| v.to_vec()))
    }

    pub fn account_count(&self) -> usize {
        self.live().accounts.len()
    }

    pub fn accounts(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.live()
            .accounts
            .iter()
            .map(|item| {
                let (k, v) = item?;
                Ok((
                    String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt)?,
                    v.to_vec(),
                ))
            })
            .collect()
    }

    /// Points an API-key digest at an account.
    pub fn api_key_put(&self, digest: &[u8; 32], name: &str) -> Result<(), StoreError> {
        self.live().api_keys.insert(digest, name.as_bytes())?;
        Ok(())
    }

    pub fn api_key_remove(&self, digest: &[u8; 32]) -> Result<(), StoreError> {
        self.live().api_keys.remove(digest)?;
        Ok(())
    }

    pub fn api_key_owner(&self, digest: &[u8; 32]) -> Result<Option<String>, StoreError> {
        match self.live().api_keys.get(digest)? {
            Some(v) => Ok(Some(
                String::from_utf8(v.to_vec()).map_err(|_| StoreError::Corrupt)?,
            )),
            None => Ok(None),
        }
    }

    /// Appends to the audit log (organiser and researcher actions only), in order. Keys follow
    /// the last entry (not sled's id generator), so a restored log keeps growing in order.
    pub fn audit_append(&self, entry: &[u8]) -> Result<(), StoreError> {
        loop {
            let next = match self.live().audit.last()? {
                Some((k, _)) => {
                    <[u8; 8]>::try_from(k.as_ref())
                        .map(u64::from_be_bytes)
                        .map_err(|_| StoreError::Corrupt)?
                        + 1
                }
                None => 0,
            };
            let placed = self.live().audit.compare_and_swap(
                next.to_be_bytes(),
                None as Option<&[u8]>,
                Some(entry),
            )?;
            if placed.is_ok() {
                return Ok(());
            }
        }
    }

    /// The newest `limit` audit entries, newest first.
    pub fn audit_latest(&self, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        self.live()
            .audit
            .iter()
            .rev()
            .take(limit)
            .map(|item| Ok(item?.1.to_vec()))
            .collect()
    }

    /// Researcher export requests, by id.
    pub fn export_put(&self, id: &str, record: &[u8]) -> Result<(), StoreError> {
        self.live().exports.insert(id, record)?;
        Ok(())
    }

    pub fn export_get(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.live().exports.get(id)?.map(|v| v.to_vec()))
    }

    pub fn exports(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        self.live()
            .exports
            .iter()
            .map(|item| Ok(item?.1.to_vec()))
            .collect()
    }

    /// Stores release `number` of a survey. Releases are frozen: an existing one is never
    /// replaced (`false` then).
    pub fn release_insert(
        &self,
        survey: &str,
        number: u32,
        release: &[u8],
    ) -> Result<bool, StoreError> {
        Ok(self
            .live()
            .releases
            .compare_and_swap(
                scoped_key(survey, &number.to_be_bytes()),
                None as Option<&[u8]>,
                Some(release),
            )?
            .is_ok())
    }

    /// Overwrites a stored release: only to take its quotes out on a shred, or reseal them on a
    /// rekey — what is served of its tables never changes.
    pub fn release_replace(
        &self,
        survey: &str,
        number: u32,
        release: &[u8],
    ) -> Result<(), StoreError> {
        self.live()
            .releases
            .insert(scoped_key(survey, &number.to_be_bytes()), release)?;
        Ok(())
    }

    pub fn release_get(&self, survey: &str, number: u32) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .live()
            .releases
            .get(scoped_key(survey, &number.to_be_bytes()))?
            .map(|v| v.to_vec()))
    }

    /// Release numbers of a survey, ascending.
    pub fn release_numbers(&self, survey: &str) -> Result<Vec<u32>, StoreError> {
        let skip = survey.len() + 1;
        self.live()
            .releases
            .scan_prefix(scoped_key(survey, b""))
            .keys()
            .map(|k| {
                let k = k?;
                <[u8; 4]>::try_from(&k[skip..])
                    .map(u32::from_be_bytes)
                    .map_err(|_| StoreError::Corrupt)
            })
            .collect()
    }
}
