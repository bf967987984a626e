//! TEMPORARY stand-in, replaced by the real survey engine.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SurveyId(String);
#[derive(Debug, thiserror::Error)]
#[error("bad id")]
pub struct IdError;
impl SurveyId {
    pub fn parse(s: &str) -> Result<SurveyId, IdError> {
        if !s.is_empty() && s.len() <= 63 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            Ok(SurveyId(s.into()))
        } else {
            Err(IdError)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl std::fmt::Display for SurveyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Invite,
    Open,
}
pub struct Text(String);
impl Text {
    pub fn get(&self, _l: &str) -> &str {
        &self.0
    }
    pub fn default_text(&self) -> &str {
        &self.0
    }
}
pub struct Survey {
    id: SurveyId,
    title: Text,
    mode: Mode,
    source: String,
}
#[derive(Debug)]
pub struct DefinitionError {
    pub line: Option<usize>,
    pub message: String,
}
#[derive(Debug)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);
impl std::fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for e in &self.0 {
            writeln!(f, "line {:?}: {}", e.line, e.message)?;
        }
        Ok(())
    }
}
impl std::error::Error for DefinitionErrors {}
#[derive(Deserialize)]
struct Raw {
    id: String,
    title: String,
    mode: Option<Mode>,
}
impl Survey {
    pub fn parse(src: &str) -> Result<Survey, DefinitionErrors> {
        let raw: Raw = toml::from_str(src).map_err(|e| DefinitionErrors(vec![DefinitionError { line: None, message: e.to_string() }]))?;
        Ok(Survey {
            id: SurveyId::parse(&raw.id).map_err(|_| DefinitionErrors(vec![]))?,
            title: Text(raw.title),
            mode: raw.mode.unwrap_or(Mode::Invite),
            source: src.into(),
        })
    }
    pub fn id(&self) -> &SurveyId {
        &self.id
    }
    pub fn title(&self) -> &Text {
        &self.title
    }
    pub fn mode(&self) -> Mode {
        self.mode
    }
    pub fn threshold(&self) -> u32 {
        10
    }
    pub fn source(&self) -> &str {
        &self.source
    }
    pub fn languages(&self) -> &[String] {
        &[]
    }
    pub fn public_json(&self) -> serde_json::Value {
        serde_json::json!({"id": self.id.0, "title": self.title.0})
    }
}
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    answers: BTreeMap<String, serde_json::Value>,
}
#[derive(Debug, Serialize)]
pub struct AnswerError {
    pub question: Option<String>,
    pub message: String,
}
pub mod answers {
    pub fn parse(
        _s: &super::Survey,
        a: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<super::Response, Vec<super::AnswerError>> {
        if a.contains_key("bad") {
            return Err(vec![super::AnswerError { question: Some("bad".into()), message: "bad".into() }]);
        }
        Ok(super::Response { answers: a.clone().into_iter().collect() })
    }
}
