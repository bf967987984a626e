//! The free text organisers read is the latest release's snapshot: it changes only when a
//! release is published, whatever arrives in between.

use super::snapshot::{self, SnapshotError};
use super::*;
use crate::installation::Chorus;
use crate::tokens;

const SURVEY: &str = r#"
id = "said"
title = "Said"
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
  id = "else"
  type = "text"
  role = "free_text"
  text = "Anything else?"
  [[pages.questions]]
  id = "more"
  type = "text"
  role = "free_text"
  text = "And more?"
"#;

fn open() -> (tempfile::TempDir, Chorus) {
    let (dir, chorus) = crate::installation::temporary_with(SURVEY);
    chorus
        .surveys
        .set_state(&chorus.store, "said", crate::surveys::SurveyState::Open)
        .expect("open survey");
    (dir, chorus)
}

/// `n` responses, the `i`-th saying `"{tag}-{i}"` to `else` (and something to `more`).
fn answer(chorus: &Chorus, n: usize, tag: &str) {
    let (_, codes) =
        tokens::issue_batch(&chorus.store, chorus.vault.code_hash_key(), "said", n).expect("codes");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    for (i, code) in codes.iter().enumerate() {
        let answers = serde_json::json!({
            "carry": if i % 2 == 0 { "yes" } else { "no" },
            "else": format!("{tag}-{i}"),
            "more": format!("MORE-{tag}-{i}"),
        });
        runtime
            .block_on(crate::submissions::accept(
                &chorus.surveys,
                &chorus.store,
                chorus.vault.code_hash_key(),
                "said",
                &code.display(),
                answers.as_object().expect("object"),
                None,
            ))
            .expect("accepted");
    }
}

fn read(chorus: &Chorus, question: &str) -> Result<(u32, Vec<String>), SnapshotError> {
    let entry = chorus.surveys.get("said").expect("survey");
    snapshot::read(&chorus.store, &entry, question).map(|r| {
        let mut answers = r.answers;
        answers.sort();
        (r.release, answers)
    })
}

/// How many answers to a question shown to everyone release `number` may hold: as many as its
/// tables say at least were asked (`text_floor`): the largest one-way total, less the largest
/// adjustment, and never below the threshold.
fn allowed(chorus: &Chorus, number: u32) -> usize {
    let body = body(
        &chorus.store,
        &chorus.surveys.get("said").expect("survey"),
        number,
    )
    .expect("read")
    .expect("release");
    let document: ReleaseDocument = serde_json::from_str(&body).expect("document");
    let floor = document
        .tables
        .iter()
        .filter(|t| t.variables.len() == 1)
        .filter_map(|t| {
            let at = t.rows.iter().position(|r| r.id == "total")?;
            t.cells[at][0].count
        })
        .filter(|&c| c > 0)
        .map(|c| c.saturating_sub(crate::disclosure::MAX_ADJUSTMENT).max(5))
        .max()
        .unwrap_or(0);
    usize::try_from(floor).expect("small")
}

fn subset(part: &[String], of: &[String]) -> bool {
    let mut left = of.to_vec();
    part.iter().all(|t| match left.iter().position(|x| x == t) {
        Some(at) => {
            left.swap_remove(at);
            true
        }
        None => false,
    })
}

fn words(tag: &str, n: usize) -> Vec<String> {
    let mut out: Vec<String> = (0..n).map(|i| format!("{tag}-{i}")).collect();
    out.sort();
    out
}

#[test]
fn nothing_is_read_before_a_release_however_many_have_answered() {
    let (_d, chorus) = open();
    answer(&chorus, 9, "EARLY");
    assert!(matches!(
        read(&chorus, "else"),
        Err(SnapshotError::NoRelease)
    ));
    answer(&chorus, 30, "LATER");
    assert!(matches!(
        read(&chorus, "else"),
        Err(SnapshotError::NoRelease)
    ));
}

#[test]
fn words_that_arrive_after_a_release_are_read_only_once_the_next_release_is_published() {
    let (_d, chorus) = open();
    answer(&chorus, 20, "FIRST");
    assert_eq!(
        publish(&chorus.store, &chorus.surveys, "said", false).expect("publish"),
        1
    );
    let (release, first) = read(&chorus, "else").expect("read");
    assert_eq!(release, 1);
    assert!(subset(&first, &words("FIRST", 20)));
    assert_eq!(first.len(), allowed(&chorus, 1).min(20));

    // One more person: nothing changes, however often it is read.
    answer(&chorus, 1, "ONE-MORE");
    for _ in 0..3 {
        assert_eq!(read(&chorus, "else").expect("read"), (1, first.clone()));
    }
    // Enough for the next release (5 more): now they may be read, as at release 2.
    answer(&chorus, 4, "SECOND");
    assert_eq!(read(&chorus, "else").expect("read").1, first);
    assert_eq!(
        publish(&chorus.store, &chorus.surveys, "said", false).expect("publish"),
        2
    );
    let (release, now) = read(&chorus, "else").expect("read");
    assert_eq!(release, 2);
    let mut everything = words("FIRST", 20);
    everything.extend(words("ONE-MORE", 1));
    everything.extend(words("SECOND", 4));
    assert!(subset(&now, &everything));
    // What was read at release 1 is read again: reading both never shows more than release 2
    // allows.
    assert!(subset(&first, &now));
    assert_eq!(now.len(), first.len().max(allowed(&chorus, 2).min(25)));
    // Each question reads its own words only.
    let (_, more) = read(&chorus, "more").expect("read");
    assert_eq!(more.len(), allowed(&chorus, 2).min(25));
    assert!(more.iter().all(|t| t.starts_with("MORE-")));
    // Only the latest snapshot is kept.
    assert_eq!(chorus.store.snapshot("said", 1).count(), 0);
    assert_eq!(
        chorus.store.snapshot("said", 2).count(),
        now.len() + more.len()
    );
}

#[test]
fn a_snapshot_is_sealed_on_disk_and_opens_only_for_its_own_release() {
    let (dir, chorus) = open();
    answer(&chorus, 12, "SEALED-WORDS");
    publish(&chorus.store, &chorus.surveys, "said", false).expect("publish");
    chorus.store.durable_blocking().expect("flush");
    let mut found = false;
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path)
                .unwrap_or_default()
                .windows(b"SEALED-WORDS".len())
                .any(|w| w == b"SEALED-WORDS")
            {
                found = true;
            }
        }
    }
    assert!(!found, "words in the clear on disk");
    let entry = chorus.surveys.get("said").expect("survey");
    let key = entry.data_key.as_ref().expect("key");
    for row in chorus.store.snapshot("said", 1) {
        let (id, sealed) = row.expect("row");
        assert!(key.open_snapshot_text("said", &id, &sealed).is_ok());
        let mut elsewhere = id.clone();
        elsewhere[3] = 2;
        assert!(key.open_snapshot_text("said", &elsewhere, &sealed).is_err());
        assert!(key.open_text("said", &id[4..], &sealed).is_err());
    }
}

#[test]
fn a_release_published_before_snapshots_existed_has_none_to_read() {
    let (_d, chorus) = open();
    answer(&chorus, 12, "OLD");
    // Stored as releases were before snapshots: the counted responses and the served bytes.
    let entry = chorus.surveys.get("said").expect("survey");
    let document = ReleaseDocument::new(&entry.survey, 1, false, false, &[]);
    let body = serde_json::to_string(&document).expect("json");
    let old = serde_json::json!({"counted": 12, "body": body}).to_string();
    assert!(chorus
        .store
        .release_insert("said", 1, old.as_bytes())
        .expect("insert"));
    assert!(matches!(
        read(&chorus, "else"),
        Err(SnapshotError::NotKept(1))
    ));
    // The next release keeps one.
    answer(&chorus, 5, "NEW");
    assert_eq!(
        publish(&chorus.store, &chorus.surveys, "said", false).expect("publish"),
        2
    );
    assert_eq!(
        read(&chorus, "else").expect("read").1.len(),
        allowed(&chorus, 2).min(17)
    );
}
