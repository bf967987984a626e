//! The survey as one site sees it: the per-site variants (`[variants.<field>.<option>]`) that a
//! code's batch tags choose, applied to the base definition. Pages render and answers are
//! checked against this; releases and exports keep using the base definition, whose option
//! lists hold every site's options.

use std::borrow::Cow;

use super::compute::BatchTags;
use super::definition::{Choice, QuestionKind, Survey, Variant};

impl Survey {
    /// The per-site variants, by field, then by option id.
    pub fn variants(&self) -> &[Variant] {
        &self.variants
    }

    /// The survey for a peer whose code's batch carries `tags`: each question a chosen variant
    /// changes gets that site's options, text and help; without a variant, a question offers
    /// only the options its own definition declares (no site's own options).
    pub fn for_site(&self, tags: &BatchTags) -> Cow<'_, Survey> {
        if self.variants.is_empty() {
            return Cow::Borrowed(self);
        }
        let chosen: Vec<&Variant> = self
            .variants
            .iter()
            .filter(|v| tags.get(&v.field) == Some(&v.option))
            .collect();
        let mut site = self.clone();
        for q in site.pages.iter_mut().flat_map(|p| p.questions.iter_mut()) {
            let mut offered: Option<&[String]> = None;
            for qv in chosen.iter().filter_map(|v| v.questions.get(q.id.as_str())) {
                if let Some(list) = &qv.options {
                    offered = Some(list);
                }
                if let Some(text) = &qv.text {
                    q.text = text.clone();
                }
                if let Some(help) = &qv.help {
                    q.help = Some(help.clone());
                }
            }
            let site_only = self.site_only_options.get(q.id.as_str());
            if offered.is_none() && site_only.is_none() {
                continue;
            }
            if let QuestionKind::Single { options, .. } | QuestionKind::Multi { options, .. } =
                &mut q.kind
            {
                *options = match offered {
                    Some(ids) => ids
                        .iter()
                        .filter_map(|id| options.iter().find(|c| c.id == *id).cloned())
                        .collect::<Vec<Choice>>(),
                    None => options
                        .iter()
                        .filter(|c| !site_only.is_some_and(|s| s.contains(&c.id)))
                        .cloned()
                        .collect(),
                };
            }
        }
        Cow::Owned(site)
    }
}
