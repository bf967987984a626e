//! Per-site variants: `[variants.<field>.<option>]` option lists and texts, the merged
//! variable the base definition keeps, and answers checked against the peer's site.

use serde_json::json;

use super::answers;
use super::tests::{assert_error_at, errors, one_page, parses};
use super::{Answer, BatchTags};

const SITE_AND_SERVICE: &str = r#"
  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  from_batch = true
  text = "Site"
  options = [{ id = "van", text = "Van" }, { id = "dropin", text = "Drop-in" }]

  [[pages.questions]]
  id = "service"
  type = "single"
  role = "plain"
  text = "What did you come for?"
  options = [{ id = "needles", text = "Needles" }, { id = "naloxone", text = "Naloxone" }, { id = "advice", text = "Advice" }]

  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 16
  max = 99
  bands = [[16, 29], [30, 99]]
  text = "Age?"
"#;

fn with_variants(variants: &str) -> String {
    format!("{}\n{variants}", one_page(SITE_AND_SERVICE))
}

const VAN: &str = r#"
[variants.site.van]
service = { options = ["naloxone", { id = "wounds", text = { en = "Wound care", es = "Curas" } }], text = { en = "What did the van give you?", es = "¿Qué te dio la furgoneta?" } }
"#;

fn tags(site: &str) -> BatchTags {
    [("site".to_owned(), site.to_owned())].into_iter().collect()
}

fn option_ids(s: &super::Survey, q: &str) -> Vec<String> {
    s.question(q)
        .expect("question")
        .kind
        .options()
        .iter()
        .map(|o| o.id.clone())
        .collect()
}

#[test]
fn the_base_definition_holds_every_sites_options_as_one_variable() {
    let s = parses(&with_variants(VAN));
    assert_eq!(
        option_ids(&s, "service"),
        ["needles", "naloxone", "advice", "wounds"]
    );
    assert_eq!(s.variants().len(), 1);
}

#[test]
fn a_tagged_card_sees_its_sites_options_and_texts_and_an_untagged_one_the_declared_ones() {
    let s = parses(&with_variants(VAN));
    let van = s.for_site(&tags("van"));
    assert_eq!(option_ids(&van, "service"), ["naloxone", "wounds"]);
    let q = van.question("service").expect("question");
    assert_eq!(q.text.get("es"), "¿Qué te dio la furgoneta?");
    let dropin = s.for_site(&tags("dropin"));
    assert_eq!(
        option_ids(&dropin, "service"),
        ["needles", "naloxone", "advice"]
    );
    assert_eq!(
        dropin.question("service").expect("question").text.get("en"),
        "What did you come for?"
    );
    let untagged = s.for_site(&BatchTags::new());
    assert_eq!(
        option_ids(&untagged, "service"),
        ["needles", "naloxone", "advice"]
    );
}

#[test]
fn an_option_not_offered_at_the_peers_site_is_refused() {
    let s = parses(&with_variants(VAN));
    let needles = json!({"service": "needles"});
    let errs = answers::parse_with_context(&s, needles.as_object().expect("object"), &tags("van"))
        .expect_err("the van does not offer needles");
    assert!(errs
        .iter()
        .any(|e| e.question.as_deref() == Some("service")));
    let wounds = json!({"service": "wounds"});
    let errs =
        answers::parse_with_context(&s, wounds.as_object().expect("object"), &tags("dropin"))
            .expect_err("wound care is the van's own");
    assert!(errs
        .iter()
        .any(|e| e.question.as_deref() == Some("service")));
    let ok = answers::parse_with_context(&s, wounds.as_object().expect("object"), &tags("van"))
        .expect("the van offers wound care");
    assert_eq!(ok.get("service"), Some(&Answer::Choice("wounds".into())));
}

#[test]
fn a_variant_must_name_a_batch_field_one_of_its_options_and_a_question() {
    let src = with_variants("[variants.age.van]\nservice = { text = \"x\" }\n");
    assert_error_at(&src, "[variants.age.van]", "not filled from the batch");
    let src = with_variants("[variants.where.van]\nservice = { text = \"x\" }\n");
    assert_error_at(&src, "[variants.where.van]", "there is no question 'where'");
    let src = with_variants("[variants.site.bus]\nservice = { text = \"x\" }\n");
    assert_error_at(
        &src,
        "[variants.site.bus]",
        "'bus' is not one of the options of 'site'",
    );
    let src = with_variants("[variants.site.van]\nservise = { text = \"x\" }\n");
    assert_error_at(
        &src,
        "servise = ",
        "question 'servise': there is no such question",
    );
}

#[test]
fn a_variants_option_list_is_checked_and_named_in_the_error() {
    let src = with_variants("[variants.site.van]\nage = { options = [\"a\"] }\n");
    assert_error_at(
        &src,
        "age = { options",
        "'options' is for single and multi questions",
    );
    let src = with_variants("[variants.site.van]\nservice = { options = [] }\n");
    assert_error_at(&src, "service = { options", "'options' is empty");
    let src = with_variants("[variants.site.van]\nservice = { options = [\"showers\"] }\n");
    assert_error_at(
        &src,
        "service = { options",
        "'showers' is not one of the question's options",
    );
    let src =
        with_variants("[variants.site.van]\nservice = { options = [\"advice\", \"advice\"] }\n");
    assert_error_at(&src, "service = { options", "listed twice");
    let src = with_variants(
        "[variants.site.van]\nservice = { options = [{ id = \"advice\", text = \"Talk\" }] }\n",
    );
    assert_error_at(
        &src,
        "service = { options",
        "already one of the question's options",
    );
    let src = with_variants("[variants.site.van]\nservice = { colour = \"red\" }\n");
    assert_error_at(&src, "service = { colour", "unknown key 'colour'");
}

#[test]
fn a_site_only_option_shared_by_two_sites_has_one_text() {
    let same = with_variants(
        "[variants.site.van]\nservice = { options = [{ id = \"wounds\", text = \"Wound care\" }] }\n[variants.site.dropin]\nservice = { options = [{ id = \"wounds\", text = \"Wound care\" }] }\n",
    );
    assert_eq!(
        option_ids(&parses(&same), "service"),
        ["needles", "naloxone", "advice", "wounds"]
    );
    let differ = with_variants(
        "[variants.site.van]\nservice = { options = [{ id = \"wounds\", text = \"Wound care\" }] }\n[variants.site.dropin]\nservice = { options = [{ id = \"wounds\", text = \"Dressings\" }] }\n",
    );
    assert!(errors(&differ).iter().any(|e| e
        .message
        .contains("'wounds' is given another text, 'exclusive' or 'show_if' at another site")));
}

/// The site and a yes/no on the first page; what the site offers on the second.
const TWO_PAGES_SITE: (&str, &str) = (
    r#"
  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  from_batch = true
  text = "Site"
  options = [{ id = "van", text = "Van" }, { id = "dropin", text = "Drop-in" }]

  [[pages.questions]]
  id = "injects"
  type = "single"
  role = "sensitive"
  text = "Do you inject?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]
"#,
    r#"
  [[pages.questions]]
  id = "took"
  type = "multi"
  role = "plain"
  text = "What did you take with you?"
  options = [{ id = "needles", text = "Needles" }, { id = "naloxone", text = "Naloxone" }]
"#,
);

fn site_only_logic(variant: &str) -> String {
    format!(
        "{}
{variant}",
        super::tests::two_pages(TWO_PAGES_SITE.0, TWO_PAGES_SITE.1)
    )
}

const VAN_LOGIC: &str = r#"
[variants.site.van]
took = { options = ["needles", "naloxone", { id = "filters", text = "Filters", show_if = "injects == 'yes'" }, { id = "nothing", text = "Nothing today", exclusive = true }] }
"#;

#[test]
fn a_site_only_option_can_be_exclusive_and_offered_only_when_its_condition_holds() {
    let s = parses(&site_only_logic(VAN_LOGIC));
    let parse = |v: serde_json::Value| {
        answers::parse_with_context(&s, v.as_object().expect("object"), &tags("van"))
    };
    let errs = parse(json!({"injects": "yes", "took": ["nothing", "needles"]}))
        .expect_err("'nothing today' goes alone");
    assert!(
        errs.iter().any(|e| e.question.as_deref() == Some("took")),
        "{errs:?}"
    );
    let errs = parse(json!({"injects": "no", "took": ["filters"]}))
        .expect_err("filters are offered to people who inject");
    assert!(
        errs.iter().any(|e| e.question.as_deref() == Some("took")),
        "{errs:?}"
    );
    let ok = parse(json!({"injects": "yes", "took": ["filters", "needles"]})).expect("valid");
    assert_eq!(
        ok.get("took"),
        Some(&Answer::Choices(vec!["needles".into(), "filters".into()]))
    );
    assert!(parse(json!({"injects": "no", "took": ["nothing"]})).is_ok());
    let q = s.question("took").expect("question");
    let nothing = q.option("nothing").expect("the van's own option");
    assert!(nothing.exclusive);
    assert!(q.option("filters").expect("filters").show_if.is_some());
}

#[test]
fn a_site_only_option_s_logic_is_checked_like_a_declared_option_s() {
    let later = VAN_LOGIC.replace("injects == 'yes'", "took == 'needles'");
    let errs = errors(&site_only_logic(&later));
    assert!(
        errs.iter()
            .any(|e| e.message.contains("option 'filters': show_if")),
        "{errs:?}"
    );
    let differ = format!(
        "{VAN_LOGIC}[variants.site.dropin]\ntook = {{ options = [{{ id = \"nothing\", text = \"Nothing today\" }}] }}\n"
    );
    let errs = errors(&site_only_logic(&differ));
    assert!(
        errs.iter().any(|e| e
            .message
            .contains("'nothing' is given another text, 'exclusive' or 'show_if'")),
        "{errs:?}"
    );
}

#[test]
fn the_public_definition_gives_each_sites_variant_and_the_site_only_options() {
    let s = parses(&with_variants(VAN));
    let v = s.public_json();
    assert_eq!(
        v["variants"]["site"]["van"]["service"]["options"],
        json!(["naloxone", "wounds"])
    );
    assert_eq!(
        v["variants"]["site"]["van"]["service"]["text"]["en"],
        json!("What did the van give you?")
    );
    assert_eq!(v["site_only_options"], json!({"service": ["wounds"]}));
    let plain = parses(&one_page(SITE_AND_SERVICE)).public_json();
    assert!(plain.get("variants").is_none());
}

#[test]
fn a_site_only_option_is_refused_where_option_groups_must_hold_every_option() {
    let grouped = r#"
  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  from_batch = true
  text = "Site"
  options = [{ id = "van", text = "Van" }, { id = "dropin", text = "Drop-in" }]

  [[pages.questions]]
  id = "area"
  type = "single"
  role = "quasi"
  text = "Where do you sleep?"
  options = [{ id = "north", text = "North" }, { id = "south", text = "South" }]
  groups = [{ id = "city", text = "City", options = ["north", "south"] }]
"#;
    let src = format!(
        "{}\n[variants.site.van]\narea = {{ options = [\"north\", {{ id = \"harbour\", text = \"Harbour\" }}] }}\n",
        one_page(grouped)
    );
    assert_error_at(&src, "area = { options", "has option groups");
    let src = format!(
        "{}\n[variants.site.van]\narea = {{ options = [\"north\"] }}\n",
        one_page(grouped)
    );
    assert_eq!(
        option_ids(&parses(&src).for_site(&tags("van")), "area"),
        ["north"]
    );
}
