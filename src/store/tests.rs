use super::*;

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("data"), 8 << 20).expect("open");
    (dir, store)
}

fn issue(store: &Store, hash: [u8; 32], survey: &str) {
    let rec = CodeRecord {
        survey: survey.into(),
        batch: 1,
        spent: false,
    };
    assert!(store
        .codes_insert(&[(hash, rec)])
        .expect("insert")
        .is_empty());
}

#[test]
fn a_code_is_redeemed_once_and_then_is_unusable() {
    let (_d, store) = open();
    issue(&store, [1; 32], "demo");
    assert_eq!(
        store
            .redeem_blocking(&[1; 32], "demo", b"r1", b"sealed")
            .expect("redeem"),
        Redemption::Redeemed
    );
    assert_eq!(
        store
            .redeem_blocking(&[1; 32], "demo", b"r2", b"sealed")
            .expect("redeem"),
        Redemption::Unusable
    );
    assert_eq!(store.response_count("demo"), 1);
}

#[test]
fn an_unknown_code_and_another_surveys_code_are_unusable_and_store_nothing() {
    let (_d, store) = open();
    issue(&store, [1; 32], "other");
    assert_eq!(
        store
            .redeem_blocking(&[2; 32], "demo", b"r1", b"x")
            .expect("redeem"),
        Redemption::Unusable
    );
    assert_eq!(
        store
            .redeem_blocking(&[1; 32], "demo", b"r1", b"x")
            .expect("redeem"),
        Redemption::Unusable
    );
    assert_eq!(store.response_count("demo"), 0);
    assert!(
        !store
            .code_get(&[1; 32])
            .expect("get")
            .expect("exists")
            .spent
    );
}

#[test]
fn racing_threads_spend_a_code_exactly_once() {
    let (_d, store) = open();
    issue(&store, [3; 32], "demo");
    let store = std::sync::Arc::new(store);
    let winners: usize = (0..16u8)
        .map(|i| {
            let store = std::sync::Arc::clone(&store);
            std::thread::spawn(move || store.redeem_blocking(&[3; 32], "demo", &[i], b"x"))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().expect("thread").expect("redeem"))
        .filter(|r| *r == Redemption::Redeemed)
        .count();
    assert_eq!(winners, 1);
    assert_eq!(store.response_count("demo"), 1);
}

#[test]
fn an_existing_code_hash_is_never_overwritten() {
    let (_d, store) = open();
    issue(&store, [4; 32], "demo");
    store
        .redeem_blocking(&[4; 32], "demo", b"r", b"x")
        .expect("redeem");
    let again = CodeRecord {
        survey: "demo".into(),
        batch: 2,
        spent: false,
    };
    assert_eq!(
        store.codes_insert(&[([4; 32], again)]).expect("insert"),
        vec![0]
    );
    assert!(
        store
            .code_get(&[4; 32])
            .expect("get")
            .expect("exists")
            .spent
    );
}

#[test]
fn batch_counts_report_issued_and_used_codes() {
    let (_d, store) = open();
    let batch = store.batch_create("demo", 2).expect("batch");
    assert_eq!(batch, 1);
    for h in [[5; 32], [6; 32]] {
        let rec = CodeRecord {
            survey: "demo".into(),
            batch,
            spent: false,
        };
        store.codes_insert(&[(h, rec)]).expect("insert");
    }
    store
        .redeem_blocking(&[5; 32], "demo", b"r", b"x")
        .expect("redeem");
    assert_eq!(store.batch_create("demo", 5).expect("batch"), 2);
    let counts = store.batch_counts("demo").expect("counts");
    assert_eq!(
        counts[0],
        BatchCounts {
            batch: 1,
            issued: 2,
            used: 1
        }
    );
    assert_eq!(
        counts[1],
        BatchCounts {
            batch: 2,
            issued: 5,
            used: 0
        }
    );
}

#[test]
fn responses_of_one_survey_never_include_another_surveys() {
    let (_d, store) = open();
    issue(&store, [7; 32], "demo");
    issue(&store, [8; 32], "demo-2");
    store
        .redeem_blocking(&[7; 32], "demo", b"a", b"one")
        .expect("redeem");
    store
        .redeem_blocking(&[8; 32], "demo-2", b"b", b"two")
        .expect("redeem");
    let demo: Vec<_> = store.responses("demo").map(|r| r.expect("row")).collect();
    assert_eq!(demo, vec![(b"a".to_vec(), b"one".to_vec())]);
}

#[test]
fn a_survey_keeps_its_first_data_key() {
    let (_d, store) = open();
    assert_eq!(
        store.data_key_init("demo", b"first").expect("init"),
        b"first"
    );
    assert_eq!(
        store.data_key_init("demo", b"second").expect("init"),
        b"first"
    );
}

#[test]
fn durable_writes_survive_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        issue(&store, [9; 32], "demo");
        store
            .redeem_blocking(&[9; 32], "demo", b"r", b"x")
            .expect("redeem");
        store.durable_blocking().expect("durable");
    }
    let store = Store::open(dir.path(), 8 << 20).expect("reopen");
    assert_eq!(store.response_count("demo"), 1);
}

#[test]
fn a_second_process_style_open_reports_the_lock() {
    let (dir, _store) = open();
    match Store::open(&dir.path().join("data"), 8 << 20) {
        Err(StoreError::Locked(_)) => {}
        other => panic!("expected Locked, got {:?}", other.err()),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn one_code_submitted_many_times_in_one_batch_is_spent_once() {
    let (_d, store) = open();
    issue(&store, [10; 32], "demo");
    let ids: Vec<[u8; 1]> = (0..40u8).map(|i| [i]).collect();
    let attempts: Vec<_> = ids
        .iter()
        .map(|id| store.redeem(&[10; 32], "demo", id, b"x"))
        .collect();
    let outcomes = futures_util::future::join_all(attempts).await;
    let redeemed = outcomes
        .into_iter()
        .filter(|o| matches!(o, Ok(Redemption::Redeemed)))
        .count();
    assert_eq!(redeemed, 1);
    assert_eq!(store.response_count("demo"), 1);
}
