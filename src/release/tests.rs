use super::*;
use crate::installation::Chorus;
use crate::tokens;

const SURVEY: &str = r#"
id = "small"
title = "Small"
threshold = 5
min_responses = 10
[[pages]]
title = "P"
  [[pages.questions]]
  id = "carry"
  type = "single"
  role = "sensitive"
  text = "Do you carry naloxone?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
  [[pages.questions]]
  id = "area"
  type = "single"
  role = "quasi"
  text = "Area?"
  options = [ { id = "north", text = "North" }, { id = "south", text = "South" } ]
"#;

fn open() -> (tempfile::TempDir, Chorus) {
    let (dir, chorus) = crate::installation::temporary_with(SURVEY);
    chorus
        .surveys
        .set_state(&chorus.store, "small", crate::surveys::SurveyState::Open)
        .expect("open survey");
    (dir, chorus)
}

fn answer(chorus: &Chorus, n: usize) {
    let (_, codes) = tokens::issue_batch(&chorus.store, chorus.vault.code_hash_key(), "small", n)
        .expect("codes");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(submit_all(chorus, &codes));
}

async fn submit_all(chorus: &Chorus, codes: &[tokens::TokenCode]) {
    for (i, code) in codes.iter().enumerate() {
        let answers = serde_json::json!({"carry": if i % 3 == 0 { "no" } else { "yes" }, "area": if i % 2 == 0 { "north" } else { "south" }});
        crate::submissions::accept(
            &chorus.surveys,
            &chorus.store,
            chorus.vault.code_hash_key(),
            "small",
            &code.display(),
            answers.as_object().expect("object"),
            None,
        )
        .await
        .expect("accepted");
    }
}

fn publish_off_runtime(chorus: &Chorus, closing: bool) -> Result<u32, PublishError> {
    publish(&chorus.store, &chorus.surveys, "small", closing)
}

#[test]
fn nothing_is_published_before_min_responses() {
    let (_d, chorus) = open();
    answer(&chorus, 9);
    assert!(matches!(
        publish_off_runtime(&chorus, false),
        Err(PublishError::BelowMinimum(10))
    ));
}

#[test]
fn a_new_release_needs_a_fifth_of_the_last_as_new_responses_and_old_ones_never_change() {
    let (_d, chorus) = open();
    answer(&chorus, 40);
    assert_eq!(publish_off_runtime(&chorus, false).expect("first"), 1);
    let first = body(
        &chorus.store,
        &chorus.surveys.get("small").expect("survey"),
        1,
    )
    .expect("read")
    .expect("exists");
    // max(T = 5, 20% of 40) = 8.
    answer(&chorus, 7);
    assert!(matches!(
        publish_off_runtime(&chorus, false),
        Err(PublishError::TooFewNew(rule::NewNeeded { .. }))
    ));
    assert_eq!(
        body(
            &chorus.store,
            &chorus.surveys.get("small").expect("survey"),
            1
        )
        .expect("read")
        .expect("exists"),
        first
    );
    answer(&chorus, 1);
    assert_eq!(publish_off_runtime(&chorus, false).expect("second"), 2);
    assert_eq!(
        body(
            &chorus.store,
            &chorus.surveys.get("small").expect("survey"),
            1
        )
        .expect("read")
        .expect("exists"),
        first
    );
    assert_eq!(
        latest_number(&chorus.store, "small").expect("latest"),
        Some(2)
    );
}

#[test]
fn a_publish_beside_another_waits_for_it_and_then_meets_the_release_rule() {
    let (_d, chorus) = open();
    answer(&chorus, 40);
    // Stands for a first publish still computing: the lock it holds.
    let lock = chorus.surveys.publishing("small");
    let computing = lock.lock().expect("lock");
    std::thread::scope(|scope| {
        let second = scope.spawn(|| publish_off_runtime(&chorus, false));
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(!second.is_finished(), "a second publish must wait");
        assert_eq!(latest_number(&chorus.store, "small").expect("latest"), None);
        drop(computing);
        assert_eq!(second.join().expect("joined").expect("published"), 1);
    });
    // And one after it finds no new responses.
    assert!(matches!(
        publish_off_runtime(&chorus, false),
        Err(PublishError::TooFewNew(rule::NewNeeded { .. }))
    ));
}

#[test]
fn of_two_publishes_asked_together_one_publishes_and_the_other_names_that_release() {
    let (_d, chorus) = open();
    answer(&chorus, 40);
    let lock = chorus.surveys.publishing("small");
    let computing = lock.lock().expect("lock");
    let outcomes = std::thread::scope(|scope| {
        let first = scope.spawn(|| publish_off_runtime(&chorus, false));
        let second = scope.spawn(|| publish_off_runtime(&chorus, false));
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(computing);
        [first, second].map(|h| h.join().expect("joined"))
    });
    let published: Vec<u32> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .copied()
        .collect();
    assert_eq!(published, [1]);
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Err(PublishError::PublishedMeanwhile(1)))),
        "{outcomes:?}"
    );
    // Later, with no publish beside it, the same rule reads as the rule.
    assert!(matches!(
        publish_off_runtime(&chorus, false),
        Err(PublishError::TooFewNew(rule::NewNeeded { .. }))
    ));
}

#[test]
fn closing_one_response_after_a_release_publishes_nothing_and_makes_the_last_final() {
    let (_d, chorus) = open();
    answer(&chorus, 40);
    publish_off_runtime(&chorus, false).expect("first");
    answer(&chorus, 1);
    let closed = close_survey(&chorus.store, &chorus.surveys, "small").expect("closed");
    assert_eq!(
        closed,
        Closed::LastIsFinal {
            release: 1,
            needed: rule::NewNeeded {
                threshold: 5,
                percent: 20
            }
        }
    );
    assert_eq!(
        latest_number(&chorus.store, "small").expect("latest"),
        Some(1)
    );
    assert!(is_final(&chorus.store, &chorus.surveys, "small", 1).expect("read"));
}

#[test]
fn closing_after_enough_new_responses_publishes_a_final_release() {
    let (_d, chorus) = open();
    answer(&chorus, 40);
    publish_off_runtime(&chorus, false).expect("first");
    answer(&chorus, 8);
    assert_eq!(
        close_survey(&chorus.store, &chorus.surveys, "small").expect("closed"),
        Closed::Published(2)
    );
    let doc: ReleaseDocument = serde_json::from_str(
        &body(
            &chorus.store,
            &chorus.surveys.get("small").expect("survey"),
            2,
        )
        .expect("read")
        .expect("exists"),
    )
    .expect("json");
    assert!(doc.is_final);
    assert!(!is_final(&chorus.store, &chorus.surveys, "small", 1).expect("read"));
}

#[test]
fn closing_below_min_responses_publishes_no_release() {
    let (_d, chorus) = open();
    answer(&chorus, 9);
    assert_eq!(
        close_survey(&chorus.store, &chorus.surveys, "small").expect("closed"),
        Closed::NoRelease { needed: 10 }
    );
    assert_eq!(latest_number(&chorus.store, "small").expect("latest"), None);
}

#[test]
fn a_release_has_one_and_two_way_tables_with_margins() {
    let (_d, chorus) = open();
    answer(&chorus, 60);
    publish_off_runtime(&chorus, false).expect("publish");
    let doc: ReleaseDocument = serde_json::from_str(
        &body(
            &chorus.store,
            &chorus.surveys.get("small").expect("survey"),
            1,
        )
        .expect("read")
        .expect("exists"),
    )
    .expect("json");
    let carry = doc
        .tables
        .iter()
        .find(|t| t.id == "carry")
        .expect("one-way table");
    assert_eq!(carry.rows.last().map(|l| l.id.as_str()), Some("total"));
    assert_eq!(carry.cells.len(), carry.rows.len());
    let two = doc.two_way("carry", "area").expect("two-way table");
    assert_eq!(two.cells.len(), two.rows.len());
    assert!(two.cells.iter().all(|row| row.len() == two.columns.len()));
    let turned = doc
        .two_way("area", "carry")
        .expect("the same table, turned round");
    assert_eq!(
        turned.variables,
        vec!["area".to_string(), "carry".to_string()]
    );
    assert_eq!(turned.cells.len(), two.columns.len());
    assert_eq!(
        turned.cells.last().and_then(|r| r.last()),
        two.cells.last().and_then(|r| r.last())
    );
    let grand = two.cells.last().and_then(|r| r.last()).expect("corner");
    assert!(
        grand.count.is_some_and(|n| (58..=62).contains(&n)),
        "{grand:?}"
    );
    for row in doc.tables.iter().flat_map(|t| t.cells.iter().flatten()) {
        if let Some(n) = row.count {
            assert!(n == 0 || n >= 5, "no published count below the threshold");
        }
    }
}

#[test]
fn a_threshold_raised_between_releases_leaves_the_earlier_numbers_as_they_were_shown() {
    // Release 1 under T = 5 shows counts of 5 to 9. Raised to T = 10, the next audit must read
    // release 1's numbers as its own rule made them: a count shown as 10 there may be 8 (the
    // rule then was "at least 5"), so each earlier table carries its release's threshold.
    // 21 responses: 7 answer "no" to carry, shown as 5 to 9 whatever the noise. (The threshold
    // can no longer change once a survey has responses, since progress bands are T wide; an
    // installation may still hold releases made before that rule under a lower one. So the
    // survey is at T = 10 from the start, and release 1 is written as such an installation
    // would have it: computed under T = 5.)
    let (_d, chorus) = open();
    let raised = SURVEY
        .replace("threshold = 5", "threshold = 10")
        .replace("min_responses = 10", "min_responses = 20");
    chorus
        .surveys
        .import(&chorus.store, &chorus.vault, &raised)
        .expect("no responses yet");
    answer(&chorus, 21);
    let entry = chorus.surveys.get("small").expect("survey");
    let at_five = crate::survey::Survey::parse(SURVEY).expect("parses");
    let records = submissions::open_all(&chorus.store, &entry).expect("responses");
    let catalogue = tally(
        &at_five,
        records.iter().map(|r| (r.record_key, &r.response)),
    );
    let released = protect_catalogue(&catalogue, 5, &[]);
    let document = ReleaseDocument::new(&at_five, 1, false, true, &released);
    let stored = serde_json::json!({
        "counted": records.len(),
        "body": serde_json::to_string(&document).expect("json"),
    });
    assert!(chorus
        .store
        .release_insert("small", 1, stored.to_string().as_bytes())
        .expect("insert"));
    let read = |n: u32| -> ReleaseDocument {
        let text = body(
            &chorus.store,
            &chorus.surveys.get("small").expect("survey"),
            n,
        )
        .expect("read")
        .expect("exists");
        serde_json::from_str(&text).expect("json")
    };
    let first = read(1);
    let below_ten = first
        .tables
        .iter()
        .flat_map(|t| t.cells.iter().flatten())
        .filter_map(|c| c.count)
        .any(|n| (5..10).contains(&n));
    assert!(below_ten, "release 1 shows a count between 5 and 9");
    answer(&chorus, 10);
    assert_eq!(publish_off_runtime(&chorus, false).expect("second"), 2);
    let second = read(2);
    assert_eq!(second.threshold, 10);
    assert!(first.earlier().iter().all(|t| t.threshold == 5));
    assert!(second.earlier().iter().all(|t| t.threshold == 10));
    let unsolved: Vec<&str> = second
        .withheld
        .iter()
        .filter(|w| w.reason.contains("could not be checked"))
        .map(|w| w.id.as_str())
        .collect();
    assert!(unsolved.is_empty(), "audits that failed: {unsolved:?}");
    assert!(
        ["carry", "area"]
            .iter()
            .all(|id| second.tables.iter().any(|t| t.id == *id)),
        "both one-way tables are shown"
    );
}

/// A non-answer the survey declares is named in its own words in every release, as peers read
/// it on the form — not by its id (`not_applicable`).
#[test]
fn a_survey_s_own_non_answer_is_named_in_its_words() {
    const OWN: &str = r#"
id = "own"
title = "Own"
[non_answers]
not_applicable = { text = "Does not apply to me" }
[[pages]]
title = "P"
  [[pages.questions]]
  id = "treated"
  type = "single"
  role = "sensitive"
  non_answers = ["not_applicable"]
  text = "Were you treated well?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
"#;
    let survey = crate::survey::Survey::parse(OWN).expect("parses");
    let said = ["yes", "no", "not_applicable"];
    let responses: Vec<crate::survey::Response> = (0..90)
        .map(|i| {
            let m = serde_json::json!({ "treated": said[i % 3] });
            crate::survey::answers::parse(&survey, m.as_object().expect("object")).expect("valid")
        })
        .collect();
    let records = (0u32..)
        .zip(&responses)
        .map(|(k, r)| (k.wrapping_mul(0x9e37_79b9_u32), r));
    let catalogue = crate::tally::tally(&survey, records);
    let released = crate::disclosure::protect_catalogue(&catalogue, 10, &[]);
    let doc = ReleaseDocument::new(&survey, 1, false, true, &released);
    let table = doc
        .tables
        .iter()
        .find(|t| t.id == "treated")
        .expect("shown");
    let line = (table.rows.iter())
        .find(|l| l.id == "not_applicable")
        .expect("its row");
    assert_eq!(line.label, "Does not apply to me");
}
