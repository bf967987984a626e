//! Templates, embedded in the binary so it runs from any directory. Only `.html` templates:
//! tera autoescapes exactly those, and nothing a person typed is ever marked `safe`.

use tera::{Context, Tera};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    (
        "questions.html",
        include_str!("../../templates/questions.html"),
    ),
    ("home.html", include_str!("../../templates/home.html")),
    ("landing.html", include_str!("../../templates/landing.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("review.html", include_str!("../../templates/review.html")),
    ("thanks.html", include_str!("../../templates/thanks.html")),
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
        "org/audit.html",
        include_str!("../../templates/org/audit.html"),
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
