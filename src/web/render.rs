//! Templates, embedded in the binary so it runs from any directory. Only `.html` templates:
//! tera autoescapes exactly those, and nothing a person typed is ever marked `safe`.

use tera::{Context, Tera};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    (
        "questions.html",
        include_str!("../../templates/questions.html"),
    ),
    ("langs.html", include_str!("../../templates/langs.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("landing.html", include_str!("../../templates/landing.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("review.html", include_str!("../../templates/review.html")),
    ("coupons.html", include_str!("../../templates/coupons.html")),
    ("thanks.html", include_str!("../../templates/thanks.html")),
    ("kiosk.html", include_str!("../../templates/kiosk.html")),
    ("entry.html", include_str!("../../templates/entry.html")),
    (
        "entry_saved.html",
        include_str!("../../templates/entry_saved.html"),
    ),
    ("message.html", include_str!("../../templates/message.html")),
    ("privacy.html", include_str!("../../templates/privacy.html")),
    (
        "org/base.html",
        include_str!("../../templates/org/base.html"),
    ),
    (
        "org/message.html",
        include_str!("../../templates/org/message.html"),
    ),
    (
        "org/working.html",
        include_str!("../../templates/org/working.html"),
    ),
    (
        "org/login.html",
        include_str!("../../templates/org/login.html"),
    ),
    (
        "org/setup.html",
        include_str!("../../templates/org/setup.html"),
    ),
    (
        "org/surveys.html",
        include_str!("../../templates/org/surveys.html"),
    ),
    (
        "org/import.html",
        include_str!("../../templates/org/import.html"),
    ),
    (
        "org/survey.html",
        include_str!("../../templates/org/survey.html"),
    ),
    (
        "org/cards.html",
        include_str!("../../templates/org/cards.html"),
    ),
    (
        "org/cards_shown.html",
        include_str!("../../templates/org/cards_shown.html"),
    ),
    (
        "org/close_confirm.html",
        include_str!("../../templates/org/close_confirm.html"),
    ),
    (
        "org/kiosk_shown.html",
        include_str!("../../templates/org/kiosk_shown.html"),
    ),
    (
        "org/audit.html",
        include_str!("../../templates/org/audit.html"),
    ),
    (
        "org/vouchers.html",
        include_str!("../../templates/org/vouchers.html"),
    ),
    (
        "org/kiosk.html",
        include_str!("../../templates/org/kiosk.html"),
    ),
    (
        "org/free_text.html",
        include_str!("../../templates/org/free_text.html"),
    ),
    ("results.html", include_str!("../../templates/results.html")),
    (
        "org/release.html",
        include_str!("../../templates/org/release.html"),
    ),
    (
        "org/research.html",
        include_str!("../../templates/org/research.html"),
    ),
    (
        "org/exports.html",
        include_str!("../../templates/org/exports.html"),
    ),
];

pub const STYLESHEET: &str = include_str!("../../static/chorus.css");
pub const SCRIPT: &str = include_str!("../../static/chorus.js");
pub const CARDS_STYLESHEET: &str = include_str!("../../static/cards.css");

pub struct Templates(Tera);

impl Templates {
    pub fn load() -> Result<Templates, tera::Error> {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES.iter().copied())?;
        tera.autoescape_on(vec![".html"]);
        Ok(Templates(tera))
    }

    pub fn render(&self, name: &str, context: &Context) -> Result<String, tera::Error> {
        self.0.render(name, context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A template file that is not embedded would fail only when its page is first shown.
    #[test]
    fn every_template_file_is_embedded_and_parses() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut files = Vec::new();
        for dir in [root.clone(), root.join("org")] {
            for entry in std::fs::read_dir(&dir).expect("templates dir").flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "html") {
                    let name = path
                        .strip_prefix(&root)
                        .expect("under templates")
                        .to_string_lossy()
                        .into_owned();
                    files.push(name);
                }
            }
        }
        for name in &files {
            assert!(
                TEMPLATES.iter().any(|(n, _)| n == name),
                "templates/{name} is not embedded"
            );
        }
        assert_eq!(files.len(), TEMPLATES.len());
        Templates::load().expect("all templates parse");
    }
}
