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

#[test]
fn a_backup_restores_every_tree_into_a_new_directory() {
    let (dir, store) = open();
    issue(&store, [11; 32], "demo");
    issue(&store, [12; 32], "demo");
    store
        .redeem_blocking(&[11; 32], "demo", b"r1", b"sealed-1")
        .expect("redeem");
    store.meta_put("root_secret", b"wrapped").expect("meta");
    store.account_put("maria", b"{}").expect("account");
    store.release_insert("demo", 1, b"frozen").expect("release");
    store.audit_append(b"first").expect("audit");
    let file = dir.path().join("backup.chorus");
    store.backup_to(&file).expect("backup");
    store.close().expect("close");

    let target = dir.path().join("restored");
    assert!(super::restore(&file, &target, 8 << 20).expect("restore") >= 6);
    let restored = Store::open(&target, 8 << 20).expect("open restored");
    assert!(
        restored
            .code_get(&[11; 32])
            .expect("get")
            .expect("exists")
            .spent
    );
    assert!(
        !restored
            .code_get(&[12; 32])
            .expect("get")
            .expect("exists")
            .spent
    );
    assert_eq!(
        restored
            .responses("demo")
            .map(|r| r.expect("row"))
            .collect::<Vec<_>>(),
        vec![(b"r1".to_vec(), b"sealed-1".to_vec())]
    );
    assert_eq!(
        restored.meta_get("root_secret").expect("meta"),
        Some(b"wrapped".to_vec())
    );
    assert_eq!(
        restored.account_get("maria").expect("account"),
        Some(b"{}".to_vec())
    );
    assert_eq!(
        restored.release_get("demo", 1).expect("release"),
        Some(b"frozen".to_vec())
    );
    restored.audit_append(b"second").expect("audit");
    assert_eq!(
        restored.audit_latest(2).expect("audit"),
        vec![b"second".to_vec(), b"first".to_vec()]
    );
}

#[test]
fn a_damaged_backup_is_refused_and_nothing_is_created() {
    let (dir, store) = open();
    issue(&store, [13; 32], "demo");
    let file = dir.path().join("backup.chorus");
    store.backup_to(&file).expect("backup");
    let mut bytes = std::fs::read(&file).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&file, &bytes).expect("write");
    let target = dir.path().join("restored");
    assert!(matches!(
        super::restore(&file, &target, 8 << 20),
        Err(super::BackupError::Damaged(_))
    ));
    assert!(!target.exists());
}

#[test]
fn restoring_into_a_directory_with_data_is_refused() {
    let (dir, store) = open();
    let file = dir.path().join("backup.chorus");
    store.backup_to(&file).expect("backup");
    assert!(matches!(
        super::restore(&file, &dir.path().join("data"), 8 << 20),
        Err(super::BackupError::NotEmpty(_))
    ));
}

#[test]
fn shredding_removes_the_key_and_responses_of_one_survey_only() {
    let (_d, store) = open();
    store.data_key_init("demo", b"key-demo").expect("key");
    store.data_key_init("other", b"key-other").expect("key");
    issue(&store, [14; 32], "demo");
    issue(&store, [15; 32], "other");
    store
        .redeem_blocking(&[14; 32], "demo", b"a", b"x")
        .expect("redeem");
    store
        .redeem_blocking(&[15; 32], "other", b"b", b"y")
        .expect("redeem");
    store.release_insert("demo", 1, b"frozen").expect("release");
    store.shred("demo").expect("shred");
    assert_eq!(store.data_key_get("demo").expect("get"), None);
    assert_eq!(store.response_count("demo"), 0);
    assert_eq!(store.response_count("other"), 1);
    assert_eq!(
        store.data_key_get("other").expect("get"),
        Some(b"key-other".to_vec())
    );
    assert_eq!(
        store.release_get("demo", 1).expect("release"),
        Some(b"frozen".to_vec())
    );
}

#[test]
fn swapping_keys_replaces_meta_and_data_keys_together() {
    let (_d, store) = open();
    store.meta_put("kdf_salt", b"salt").expect("meta");
    store.data_key_init("demo", b"old").expect("key");
    store
        .swap_keys(
            &[
                ("root_secret", Some(b"new-root".to_vec())),
                ("kdf_salt", None),
            ],
            &[("demo".into(), b"new".to_vec())],
        )
        .expect("swap");
    assert_eq!(
        store.meta_get("root_secret").expect("meta"),
        Some(b"new-root".to_vec())
    );
    assert_eq!(store.meta_get("kdf_salt").expect("meta"), None);
    assert_eq!(
        store.data_key_get("demo").expect("key"),
        Some(b"new".to_vec())
    );
}
