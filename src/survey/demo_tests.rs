//! The demo survey shipped in `surveys/demo.toml`.

use serde_json::{json, Map, Value};

use super::{answers, Answer, Mode, Role, Survey};

const DEMO: &str = include_str!("../../surveys/demo.toml");

fn demo() -> Survey {
    match Survey::parse(DEMO) {
        Ok(s) => s,
        Err(e) => panic!("demo survey is invalid:\n{e}"),
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

#[test]
fn the_demo_survey_parses() {
    let s = demo();
    assert_eq!(s.id().as_str(), "demo");
    assert_eq!(s.mode(), Mode::Invite);
    assert_eq!(s.threshold(), 10);
    assert_eq!(s.languages().len(), 2);
    assert!(s.questions().count() >= 20);
}

#[test]
fn the_demo_survey_uses_every_question_type() {
    let s = demo();
    let mut types: Vec<&str> = s.questions().map(|q| q.type_name()).collect();
    types.sort_unstable();
    types.dedup();
    assert_eq!(
        types,
        vec!["date", "grid", "multi", "note", "number", "scale", "single", "text"]
    );
}

#[test]
fn every_demo_text_is_translated_into_spanish() {
    let s = demo();
    let mut texts = vec![s.title()];
    for p in s.pages() {
        texts.push(&p.title);
        for q in &p.questions {
            texts.push(&q.text);
            texts.extend(q.help.iter());
            for c in q.kind.options() {
                texts.push(&c.text);
            }
            if let super::QuestionKind::Grid { rows, .. } = &q.kind {
                texts.extend(rows.iter().map(|r| &r.text));
            }
        }
    }
    for t in texts {
        assert!(t.has("es"), "missing Spanish for {:?}", t.default_text());
    }
}

#[test]
fn demo_roles_keep_identifying_questions_quasi_and_free_text_apart() {
    let s = demo();
    let role = |id: &str| s.question(id).and_then(|q| q.role);
    assert_eq!(role("age"), Some(Role::Quasi));
    assert_eq!(role("gender"), Some(Role::Quasi));
    assert_eq!(role("area"), Some(Role::Quasi));
    assert_eq!(role("injected_3m"), Some(Role::Sensitive));
    assert_eq!(role("anything_else"), Some(Role::FreeText));
}

pub(super) fn complete_demo_answers() -> Map<String, Value> {
    obj(json!({
        "consent": "yes",
        "age": 34,
        "gender": "woman",
        "area": "harbour",
        "housing": "prefer_not_to_say",
        "drugs_3m": ["heroin", "crack", "benzos"],
        "injected_3m": "yes",
        "overdose_witnessed": "yes",
        "overdose_self": "no",
        "naloxone_carry": "sometimes",
        "ost": "current",
        "equipment_source": ["nsp", "peers"],
        "reused_equipment": "sometimes",
        "shared_equipment": "no",
        "naloxone_trained": "yes",
        "naloxone_barriers": ["police"],
        "ost_started": "2021-06",
        "service_rating": {"needle_exchange": "good", "drop_in": "very_good", "ost_clinic": "poor", "hospital": "dont_know"},
        "respect": "sometimes",
        "safety": 4,
        "police_contact": "yes",
        "police_what": ["searched", "equipment_taken", "near_service"],
        "anything_else": "  More naloxone at the drop-in please.  "
    }))
}

#[test]
fn a_complete_valid_answer_set_for_the_demo_parses() {
    let s = demo();
    let r = match answers::parse(&s, &complete_demo_answers()) {
        Ok(r) => r,
        Err(e) => panic!("{e:?}"),
    };
    assert_eq!(r.len(), 23);
    assert_eq!(r.get("age"), Some(&Answer::Number(34)));
    assert_eq!(
        r.get("anything_else"),
        Some(&Answer::Text("More naloxone at the drop-in please.".into()))
    );
    assert_eq!(s.ended_after(&r), None);
}

#[test]
fn declining_consent_ends_the_demo_and_later_answers_are_rejected() {
    let s = demo();
    let r = answers::parse(&s, &obj(json!({"consent": "no"}))).expect("valid");
    assert_eq!(
        s.ended_after(&r).map(|q| q.to_string()),
        Some("consent".into())
    );
    assert!(!s.page_visible(1, &r));
    let errs = answers::parse(&s, &obj(json!({"consent": "no", "age": 30}))).expect_err("hidden");
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].question.as_deref(), Some("age"));
}

#[test]
fn the_injecting_page_is_only_shown_to_people_who_inject() {
    let s = demo();
    let mut a = complete_demo_answers();
    a.insert("injected_3m".into(), json!("no"));
    let errs = answers::parse(&s, &a).expect_err("injecting answers are hidden");
    let ids: Vec<_> = errs.iter().filter_map(|e| e.question.as_deref()).collect();
    assert_eq!(
        ids,
        vec!["equipment_source", "reused_equipment", "shared_equipment"]
    );
    for id in ids {
        a.remove(id);
    }
    assert!(answers::parse(&s, &a).is_ok());
}

#[test]
fn the_demo_public_definition_carries_logic_as_source_text() {
    let s = demo();
    let j = s.public_json();
    assert_eq!(j["id"], "demo");
    assert_eq!(j["pages"][3]["show_if"], "injected_3m == 'yes'");
    assert_eq!(j["pages"][0]["questions"][1]["end_if"], "consent != 'yes'");
    assert_eq!(j["pages"][1]["questions"][0]["bands"][0], json!([16, 24]));
    assert_eq!(j["pages"][1]["questions"][2]["display"], "select");
    assert_eq!(s.source(), DEMO);
}
