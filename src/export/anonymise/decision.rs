//! The allow-list: what the export does with every question type under every role, decided in
//! one place. The match has no wildcard arm, so a new type or role does not compile until its
//! export is decided here (as crates.io's dump-db.toml classifies every column).

use crate::survey::{QuestionKind, Role};

/// How a quasi-identifier is generalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generalisation {
    /// Number: bands → coarse bands (if declared) → suppressed.
    Bands,
    /// Single or Likert: option → group (if declared) → suppressed.
    Options,
    /// Date: year → five-year span → suppressed.
    Years,
    /// Multi-select: one 0/1 column per option → one per group (or the number ticked, banded,
    /// without groups) → suppressed. Its columns are quasi-identifiers together.
    Selections,
}

/// How a non-identifying question is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Single or Likert: one column of option codes.
    Choice,
    /// Multi-select: one 0/1 column per option.
    Selected,
    /// Grid: one column of option codes per row.
    GridRows,
    /// Number or numeric scale: the number.
    Number,
    /// Decimal number: the number with its decimals.
    Decimal,
    /// Date: the year only (no dates in exports).
    Year,
}

/// The export decision for one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// `quasi`: a generalised quasi-identifier column.
    Generalise(Generalisation),
    /// `sensitive` (ℓ-diversity enforced) or `plain`: exported as answered.
    Export(Shape),
    /// Free text, or a question without a role: never exported.
    Never,
    /// A note: nothing to export.
    Nothing,
    /// A quasi-identifier the export cannot generalise (validation rejects these): refuse.
    Unsupported,
}

/// The decision for a question of `kind` with `role` (`None` only for notes).
pub fn decide(kind: &QuestionKind, role: Option<Role>) -> Decision {
    use QuestionKind as K;
    use Role::{FreeText, Plain, Quasi, Sensitive};
    match (role, kind) {
        // A decimal number can't be generalised (the definition refuses it as a
        // quasi-identifier); as answered, it keeps its digits.
        (Some(Quasi), K::Decimal { .. }) => Decision::Unsupported,
        (None | Some(FreeText), K::Decimal { .. }) => Decision::Never,
        (Some(Sensitive | Plain), K::Decimal { .. }) => Decision::Export(Shape::Decimal),
        (None | Some(Quasi | Sensitive | Plain | FreeText), K::Note) => Decision::Nothing,
        (None | Some(Quasi | Sensitive | Plain | FreeText), K::Text { .. }) => Decision::Never,
        (
            None | Some(FreeText),
            K::Single { .. }
            | K::Multi { .. }
            | K::Number { .. }
            | K::Scale { .. }
            | K::Likert { .. }
            | K::Grid { .. }
            | K::Date { .. }
            | K::Day { .. },
        ) => Decision::Never,
        (Some(Quasi), K::Single { .. } | K::Likert { .. }) => {
            Decision::Generalise(Generalisation::Options)
        }
        (Some(Quasi), K::Number { .. }) => Decision::Generalise(Generalisation::Bands),
        // A day leaves as its year, like a month: exports never hold dates.
        (Some(Quasi), K::Date { .. } | K::Day { .. }) => {
            Decision::Generalise(Generalisation::Years)
        }
        (Some(Quasi), K::Multi { .. }) => Decision::Generalise(Generalisation::Selections),
        (Some(Quasi), K::Grid { .. } | K::Scale { .. }) => Decision::Unsupported,
        (Some(Sensitive | Plain), K::Single { .. } | K::Likert { .. }) => {
            Decision::Export(Shape::Choice)
        }
        (Some(Sensitive | Plain), K::Multi { .. }) => Decision::Export(Shape::Selected),
        (Some(Sensitive | Plain), K::Grid { .. }) => Decision::Export(Shape::GridRows),
        (Some(Sensitive | Plain), K::Number { .. } | K::Scale { .. }) => {
            Decision::Export(Shape::Number)
        }
        (Some(Sensitive | Plain), K::Date { .. } | K::Day { .. }) => Decision::Export(Shape::Year),
    }
}
