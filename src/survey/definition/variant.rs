//! Per-site variants (`[variants.<field>.<option>]`): the same questionnaire adapted to the
//! site a card was issued for, without copying the file.

use std::collections::BTreeMap;

use super::super::text::Text;

/// One site's adaptation: applies to a peer whose code's batch was issued with the tag
/// `field = option` (`codes issue … --tag site=van`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The `from_batch` question whose tag selects this variant (`site`).
    pub field: String,
    /// One of that question's options (`van`).
    pub option: String,
    /// Question id → what changes for it at this site.
    pub questions: BTreeMap<String, QuestionVariant>,
}

/// What one question looks like at one site. `None` keeps the base definition's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionVariant {
    /// The option ids offered at this site, in this order: some of the question's declared
    /// options and options that exist only at this site (added to the base definition's list,
    /// so every release and export sees one variable with every option).
    pub options: Option<Vec<String>>,
    pub text: Option<Text>,
    pub help: Option<Text>,
}
