//! The problems found in a definition, each with its line.

use std::fmt;

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DefinitionError {}

/// Every problem in a definition, ordered by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DefinitionErrors {}

/// Something a definition probably gets wrong without being invalid; reported at import, never
/// a reason to refuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionWarning {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for DefinitionWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: warning: {}", self.message),
            None => write!(f, "warning: {}", self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_error_shows_its_line_first() {
        let e = DefinitionError {
            line: Some(12),
            message: "question 'age': max (10) is below min (16)".into(),
        };
        assert_eq!(
            e.to_string(),
            "line 12: question 'age': max (10) is below min (16)"
        );
    }
}
