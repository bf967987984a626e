//! Choosing the peer's language. The interface texts themselves, with their per-string
//! fallback, live in `src/services/interface_texts.rs`.

pub use crate::services::interface_texts::{is_rtl, InterfaceTexts, Strings, FALLBACK};

/// The language to show: an explicit choice if the survey offers it, else the first of the
/// browser's `Accept-Language` preferences that the survey offers, else the survey's default.
pub fn negotiate(
    offered: &[String],
    chosen: Option<&str>,
    accept_language: Option<&str>,
) -> String {
    let default = offered
        .first()
        .cloned()
        .unwrap_or_else(|| FALLBACK.to_owned());
    if let Some(chosen) = chosen.filter(|c| offered.iter().any(|o| o == c)) {
        return chosen.to_owned();
    }
    let mut preferences: Vec<(f32, String)> = accept_language
        .unwrap_or("")
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (!tag.is_empty() && q > 0.0).then_some((q, tag))
        })
        .collect();
    preferences.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, tag) in preferences {
        let primary = tag.split('-').next().unwrap_or("");
        if let Some(hit) = offered.iter().find(|o| **o == tag).or_else(|| {
            offered
                .iter()
                .find(|o| o.split('-').next() == Some(primary))
        }) {
            return hit.clone();
        }
    }
    default
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered() -> Vec<String> {
        vec!["en".into(), "es".into()]
    }

    #[test]
    fn an_explicit_choice_wins_when_offered() {
        assert_eq!(negotiate(&offered(), Some("es"), Some("en")), "es");
        assert_eq!(negotiate(&offered(), Some("fr"), None), "en");
    }

    #[test]
    fn the_browser_preference_is_used_by_weight_and_primary_tag() {
        assert_eq!(
            negotiate(&offered(), None, Some("fr;q=0.9, es-MX;q=0.8, en;q=0.5")),
            "es"
        );
        assert_eq!(negotiate(&offered(), None, Some("de")), "en");
        assert_eq!(negotiate(&offered(), None, Some("es;q=0")), "en");
    }
}
