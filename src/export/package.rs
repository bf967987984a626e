// TEMPORARY until the anonymiser lands (not committed).
use crate::app::Chorus;
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ExportError(pub String);
pub fn build(_chorus: &Chorus, _survey: &str, _day: &str) -> Result<Vec<u8>, ExportError> {
    Err(ExportError("pending".into()))
}
