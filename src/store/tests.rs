use super::*;

pub(super) fn open() -> (tempfile::TempDir, Store) {
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
    let batch = store.batch_create("demo", 2, b"").expect("batch");
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
    assert_eq!(store.batch_create("demo", 5, b"").expect("batch"), 2);
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
fn a_reopen_waits_for_a_closing_handle_on_the_same_generation() {
    // sled lets go of its files a moment after the last handle is dropped (its background
    // writes still hold them); a reopen in that moment must wait, not fail as locked.
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        issue(&store, [7; 32], "demo");
        store.durable_blocking().expect("durable");
    }
    let generation = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(generation::DIR_PREFIX))
        })
        .expect("a generation directory");
    // The store just dropped may itself still hold the files for a moment: the same wait.
    let started = std::time::Instant::now();
    let lingering = loop {
        match sled::Config::new().path(&generation).open() {
            Ok(db) => break db,
            Err(_) if started.elapsed() < std::time::Duration::from_secs(5) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("a second handle: {e}"),
        }
    };
    let closer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(lingering);
    });
    let store = Store::open(dir.path(), 8 << 20).expect("reopen waits for the handle to close");
    closer.join().expect("closer");
    assert_eq!(store.used_in_batch("demo", 1), 0);
}

#[test]
fn reopening_counts_each_surveys_responses_and_used_codes_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        for (i, survey) in ["demo", "demo", "demo", "other"].iter().enumerate() {
            let hash = [i as u8 + 1; 32];
            issue(&store, hash, survey);
            let id = [b'r', i as u8];
            store
                .redeem_blocking(&hash, survey, &id, b"x")
                .expect("redeem");
        }
        issue(&store, [40; 32], "demo"); // issued, never used
        store.durable_blocking().expect("durable");
    }
    let store = Store::open(dir.path(), 8 << 20).expect("reopen");
    assert_eq!(store.response_count("demo"), 3);
    assert_eq!(store.response_count("other"), 1);
    assert_eq!(store.used_in_batch("demo", 1), 3);
    assert_eq!(store.used_in_batch("other", 1), 1);
}

#[test]
fn a_record_of_an_unknown_kind_in_the_redeem_tree_is_refused_as_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sled::Config::new()
        .path(dir.path())
        .temporary(true)
        .open()
        .expect("sled");
    let redeem = db.open_tree("redeem").expect("tree");
    let spent = CodeRecord {
        survey: "demo".into(),
        batch: 1,
        spent: true,
    };
    redeem
        .insert(code_key(&[1; 32]), spent.encode())
        .expect("code");
    redeem
        .insert(response_key("demo", b"r1"), &b"x"[..])
        .expect("response");
    let counters = count_from_tree(&redeem).expect("counts");
    assert_eq!(
        (counters.responses("demo"), counters.used("demo", 1)),
        (1, 1)
    );
    for unknown in [&b"a"[..], b"e", b"q", b"zzz"] {
        redeem.insert(unknown, &b"?"[..]).expect("insert");
        assert!(
            matches!(count_from_tree(&redeem), Err(StoreError::Corrupt)),
            "{unknown:?}"
        );
        redeem.remove(unknown).expect("remove");
    }
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
        .map(|id| store.redeem(&[10; 32], "demo", id, b"x", Vec::new(), None))
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

/// Every byte of every file under `dir`.
pub(super) fn all_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("dir") {
                stack.push(entry.expect("entry").path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.extend(bytes);
        }
    }
    out
}

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn after_a_shred_no_file_holds_the_key_or_a_response_of_that_survey() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = Store::open(&data, 8 << 20).expect("open");
    store
        .data_key_init("demo", b"WRAPPED-KEY-OF-DEMO")
        .expect("key");
    for i in 0..20u8 {
        issue(&store, [i + 100; 32], "demo");
        store
            .redeem_blocking(&[i + 100; 32], "demo", &[i; 16], b"SEALED-ANSWER-OF-DEMO")
            .expect("redeem");
    }
    store.shred("demo").expect("shred");
    let bytes = all_bytes(&data);
    assert!(!contains(&bytes, b"WRAPPED-KEY-OF-DEMO"));
    assert!(!contains(&bytes, b"SEALED-ANSWER-OF-DEMO"));
    drop(store);
    let bytes = all_bytes(&data);
    assert!(!contains(&bytes, b"SEALED-ANSWER-OF-DEMO"));
}

#[test]
fn a_rekey_replaces_every_key_and_reseals_every_response() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = Store::open(&data, 8 << 20).expect("open");
    store
        .meta_put("root_secret", b"OLD-ROOT-WRAPPING")
        .expect("meta");
    store.meta_put("kdf_salt", b"salt").expect("meta");
    store.data_key_init("demo", b"OLD-DATA-KEY").expect("key");
    issue(&store, [40; 32], "demo");
    store
        .redeem_blocking(&[40; 32], "demo", b"id", b"OLD-SEALED")
        .expect("redeem");
    store
        .rekey(
            vec![
                ("root_secret".into(), Some(b"new-root".to_vec())),
                ("kdf_salt".into(), None),
            ],
            vec![("demo".into(), b"new-key".to_vec())],
            Box::new(|_, survey, id, sealed| {
                (survey == "demo" && id == b"id" && sealed == b"OLD-SEALED")
                    .then(|| b"NEW-SEALED".to_vec())
            }),
            Vec::new(),
        )
        .expect("rekey");
    assert_eq!(
        store.meta_get("root_secret").expect("meta"),
        Some(b"new-root".to_vec())
    );
    assert_eq!(store.meta_get("kdf_salt").expect("meta"), None);
    assert_eq!(
        store.data_key_get("demo").expect("key"),
        Some(b"new-key".to_vec())
    );
    let stored: Vec<_> = store.responses("demo").map(|r| r.expect("row")).collect();
    assert_eq!(stored, vec![(b"id".to_vec(), b"NEW-SEALED".to_vec())]);
    let bytes = all_bytes(&data);
    for old in [&b"OLD-ROOT-WRAPPING"[..], b"OLD-DATA-KEY", b"OLD-SEALED"] {
        assert!(!contains(&bytes, old));
    }
}

#[test]
fn a_rekey_whose_reseal_fails_changes_nothing() {
    let (_d, store) = open();
    store.data_key_init("demo", b"old").expect("key");
    issue(&store, [41; 32], "demo");
    store
        .redeem_blocking(&[41; 32], "demo", b"id", b"sealed")
        .expect("redeem");
    let outcome = store.rekey(
        vec![("root_secret".into(), Some(b"new".to_vec()))],
        vec![("demo".into(), b"new".to_vec())],
        Box::new(|_, _, _, _| None),
        Vec::new(),
    );
    assert!(matches!(outcome, Err(StoreError::Reseal)));
    assert_eq!(
        store.data_key_get("demo").expect("key"),
        Some(b"old".to_vec())
    );
    assert_eq!(store.meta_get("root_secret").expect("meta"), None);
    assert_eq!(store.response_count("demo"), 1);
}

#[test]
fn a_rewrite_keeps_every_record_and_leaves_one_store_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = Store::open(&data, 8 << 20).expect("open");
    store.survey_put("demo", b"definition").expect("survey");
    for i in 0..50u8 {
        issue(&store, [i; 32], "demo");
        store
            .redeem_blocking(&[i; 32], "demo", &[i; 16], b"sealed")
            .expect("redeem");
    }
    let before: Vec<_> = std::fs::read_dir(&data)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    let report = store.rewrite().expect("rewrite");
    assert_eq!(report.responses, 50);
    assert_eq!(store.response_count("demo"), 50);
    assert!(
        store
            .code_get(&[7; 32])
            .expect("code")
            .expect("known")
            .spent
    );
    assert_eq!(
        store.survey_get("demo").expect("survey"),
        Some(b"definition".to_vec())
    );
    let stores = |names: Vec<std::ffi::OsString>| {
        names
            .into_iter()
            .filter(|n| n.to_string_lossy().starts_with("store-"))
            .collect::<Vec<_>>()
    };
    let after: Vec<_> = std::fs::read_dir(&data)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(stores(after.clone()).len(), 1);
    assert_ne!(stores(before), stores(after));
    drop(store);
    let again = Store::open(&data, 8 << 20).expect("reopen");
    assert_eq!(again.response_count("demo"), 50);
}

#[test]
fn redemptions_during_rewrites_are_all_kept() {
    let (_d, store) = open();
    for i in 0..200u8 {
        issue(&store, [i; 32], "demo");
    }
    let store = std::sync::Arc::new(store);
    let rewriter = {
        let store = std::sync::Arc::clone(&store);
        std::thread::spawn(move || {
            for _ in 0..5 {
                store.rewrite().expect("rewrite");
            }
        })
    };
    let submitters: Vec<_> = (0..4u8)
        .map(|t| {
            let store = std::sync::Arc::clone(&store);
            std::thread::spawn(move || {
                for i in (0..200u8).filter(|i| i % 4 == t) {
                    assert_eq!(
                        store
                            .redeem_blocking(&[i; 32], "demo", &[i; 16], b"x")
                            .expect("redeem"),
                        Redemption::Redeemed
                    );
                }
            })
        })
        .collect();
    for handle in submitters {
        handle.join().expect("submitter");
    }
    rewriter.join().expect("rewriter");
    assert_eq!(store.response_count("demo"), 200);
}

#[test]
fn a_rewrite_while_responses_are_being_read_copies_everything_and_the_read_goes_on() {
    // An iteration in flight holds the live generation, so the rewrite cannot close it to read
    // it again with a small cache: it copies through the live handle instead.
    let (dir, store) = open();
    for i in 0..50u8 {
        issue(&store, [i; 32], "demo");
        store
            .redeem_blocking(&[i; 32], "demo", &[i; 16], &[i; 40])
            .expect("redeem");
    }
    let mut reading = store.responses("demo");
    let first = reading.next().expect("a response").expect("readable");
    let report = store.rewrite().expect("rewrite");
    assert_eq!(report.responses, 50);
    let rest: Vec<_> = reading.map(|r| r.expect("readable")).collect();
    assert_eq!(
        rest.len() + 1,
        50,
        "the read in flight sees the generation it began on"
    );
    assert_eq!(first.0, vec![0u8; 16]);
    drop(store);
    let store = Store::open(&dir.path().join("data"), 1 << 20).expect("reopen");
    let stored: Vec<_> = store
        .responses("demo")
        .map(|r| r.expect("readable"))
        .collect();
    assert_eq!(stored.len(), 50);
    assert!(stored.iter().all(|(id, sealed)| sealed == &vec![id[0]; 40]));
}

#[test]
fn rewrites_that_close_and_reopen_the_live_generation_keep_it_usable() {
    let (dir, store) = open();
    for i in 0..30u8 {
        issue(&store, [i; 32], "demo");
    }
    for round in 0..3u8 {
        for i in (round * 10)..(round * 10 + 10) {
            store
                .redeem_blocking(&[i; 32], "demo", &[i; 16], b"x")
                .expect("redeem");
        }
        store.rewrite().expect("rewrite");
        assert_eq!(store.response_count("demo"), usize::from(round + 1) * 10);
        assert_eq!(
            store
                .redeem_blocking(&[0; 32], "demo", &[200; 16], b"y")
                .expect("redeem"),
            Redemption::Unusable,
            "a spent code stays spent across the rewrite"
        );
    }
    let generations = std::fs::read_dir(dir.path().join("data"))
        .expect("data dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("store-"))
        .count();
    assert_eq!(generations, 1, "only the live generation is left");
    assert_eq!(store.responses("demo").count(), 30);
}

#[test]
fn a_store_in_the_layout_before_the_key_ledger_is_migrated_and_its_old_log_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    {
        let old = sled::open(&data).expect("old layout");
        old.open_tree("meta")
            .expect("meta")
            .insert("root_secret", &b"LEGACY-ROOT"[..])
            .expect("insert");
        old.open_tree("data_keys")
            .expect("keys")
            .insert("demo", &b"LEGACY-KEY"[..])
            .expect("insert");
        let rec = CodeRecord {
            survey: "demo".into(),
            batch: 1,
            spent: true,
        };
        old.open_tree("codes")
            .expect("codes")
            .insert([9u8; 32], rec.encode())
            .expect("insert");
        old.open_tree("responses")
            .expect("responses")
            .insert(scoped_key("demo", b"rid"), &b"sealed"[..])
            .expect("insert");
        old.flush().expect("flush");
    }
    let store = Store::open(&data, 8 << 20).expect("open");
    assert_eq!(
        store.meta_get("root_secret").expect("meta"),
        Some(b"LEGACY-ROOT".to_vec())
    );
    assert_eq!(
        store.data_key_get("demo").expect("key"),
        Some(b"LEGACY-KEY".to_vec())
    );
    assert!(
        store
            .code_get(&[9; 32])
            .expect("code")
            .expect("known")
            .spent
    );
    assert_eq!(store.response_count("demo"), 1);
    assert!(!data.join("db").exists() && !data.join("conf").exists());
}

#[test]
fn free_text_stored_apart_is_kept_by_backups_and_rewrites_and_goes_with_its_survey() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (dir, store) = open();
    issue(&store, [51; 32], "demo");
    issue(&store, [52; 32], "other");
    issue(&store, [53; 32], "demo");
    let text = |id: &[u8], sealed: &[u8]| vec![(id.to_vec(), sealed.to_vec())];
    let stored = runtime
        .block_on(store.redeem(
            &[51; 32],
            "demo",
            b"r1",
            b"resp",
            text(b"t1", b"TEXT-ONE"),
            None,
        ))
        .expect("redeem");
    assert_eq!(stored, Redemption::Redeemed);
    runtime
        .block_on(store.redeem(
            &[52; 32],
            "other",
            b"r2",
            b"resp",
            text(b"t2", b"TEXT-TWO"),
            None,
        ))
        .expect("redeem");
    // A refused redemption stores none of its texts.
    let refused = runtime
        .block_on(store.redeem(
            &[51; 32],
            "demo",
            b"r3",
            b"resp",
            text(b"t3", b"TEXT-NONE"),
            None,
        ))
        .expect("redeem");
    assert_eq!(refused, Redemption::Unusable);
    let texts = |s: &Store, survey: &str| -> Vec<(Vec<u8>, Vec<u8>)> {
        s.texts(survey).map(|r| r.expect("row")).collect()
    };
    assert_eq!(texts(&store, "demo"), text(b"t1", b"TEXT-ONE"));
    // Texts are not responses.
    assert_eq!(store.response_count("demo"), 1);

    let elsewhere = tempfile::tempdir().expect("tempdir");
    let file = elsewhere.path().join("backup.chorus");
    store.backup_to(&file).expect("backup");
    let target = elsewhere.path().join("restored");
    super::restore(&file, &target, 8 << 20).expect("restore");
    let restored = Store::open(&target, 8 << 20).expect("open restored");
    assert_eq!(texts(&restored, "demo"), text(b"t1", b"TEXT-ONE"));
    assert_eq!(restored.response_count("demo"), 1);
    restored.close().expect("close");

    store.rewrite().expect("rewrite");
    assert_eq!(texts(&store, "other"), text(b"t2", b"TEXT-TWO"));
    store.shred("demo").expect("shred");
    assert!(texts(&store, "demo").is_empty());
    assert_eq!(texts(&store, "other"), text(b"t2", b"TEXT-TWO"));
    store.close().expect("close");
    let bytes = all_bytes(dir.path());
    assert!(
        !contains(&bytes, b"TEXT-ONE"),
        "a shredded survey's text is on disk"
    );
    assert!(contains(&bytes, b"TEXT-TWO"));
}

#[test]
fn shredding_drops_the_links_of_that_surveys_unused_coupons_only() {
    let (dir, store) = open();
    issue(&store, [61; 32], "demo");
    issue(&store, [62; 32], "other");
    store
        .coupon_link_put(&[61; 32], b"LINK-OF-DEMO")
        .expect("link");
    store
        .coupon_link_put(&[62; 32], b"LINK-OF-OTHER")
        .expect("link");
    store.shred("demo").expect("shred");
    assert_eq!(store.coupon_link_get(&[61; 32]).expect("get"), None);
    assert_eq!(
        store.coupon_link_get(&[62; 32]).expect("get").as_deref(),
        Some(&b"LINK-OF-OTHER"[..])
    );
    store.close().expect("close");
    let bytes = all_bytes(dir.path());
    assert!(!contains(&bytes, b"LINK-OF-DEMO"));
}

/// The name of the live store directory under `data`.
fn live_generation(data: &std::path::Path) -> String {
    KeyLedger::read(data)
        .expect("ledger")
        .store_dir()
        .expect("a live generation")
}

#[test]
fn closing_a_store_that_took_answers_since_its_last_rewrite_rewrites_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = Store::open(&data, 8 << 20).expect("open");
    issue(&store, [1; 32], "demo");
    let before = live_generation(&data);
    store.close().expect("close");
    drop(store);
    assert_eq!(live_generation(&data), before, "no answer, no rewrite");

    let store = Store::open(&data, 8 << 20).expect("open");
    store
        .redeem_blocking(&[1; 32], "demo", &[1; 16], b"sealed")
        .expect("redeem");
    store.close().expect("close");
    drop(store);
    assert_ne!(
        live_generation(&data),
        before,
        "answers since the last rewrite"
    );
    let again = Store::open(&data, 8 << 20).expect("reopen");
    assert_eq!(again.response_count("demo"), 1);
}

#[test]
fn after_start_a_store_holding_answers_is_rewritten_and_an_unanswered_one_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = Store::open(&data, 8 << 20).expect("open");
    issue(&store, [1; 32], "demo");
    assert!(
        !store.rewrite_after_start(Vec::new()),
        "nothing answered yet"
    );
    store
        .redeem_blocking(&[1; 32], "demo", &[1; 16], b"sealed")
        .expect("redeem");
    // A crash: the store is dropped without `close`, so nothing rewrote it.
    let before = live_generation(&data);
    drop(store);
    assert_eq!(live_generation(&data), before);

    let store = Store::open(&data, 8 << 20).expect("open");
    assert!(store.rewrite_after_start(Vec::new()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while live_generation(&data) == before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_ne!(
        live_generation(&data),
        before,
        "rewritten in the background"
    );
    assert_eq!(store.response_count("demo"), 1);
}

#[test]
fn a_shred_removes_that_surveys_codes_used_or_not_from_every_file_and_keeps_its_vouchers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = Store::open(&data, 8 << 20).expect("open");
    // Hashes no other record can contain by chance.
    let used = [0xa1; 32];
    let unused = [0xa2; 32];
    let voucher = [0xa3; 32];
    let kept = [0xb1; 32];
    issue(&store, used, "demo");
    issue(&store, unused, "demo");
    issue(&store, kept, "other");
    store
        .redeem_blocking(&used, "demo", &[1; 16], b"sealed")
        .expect("redeem");
    store.voucher_insert(&voucher, "demo").expect("voucher");
    store.voucher_insert(&[0xb2; 32], "other").expect("voucher");
    store.shred("demo").expect("shred");

    assert_eq!(store.code_get(&used).expect("get"), None);
    assert_eq!(store.code_get(&unused).expect("get"), None);
    assert!(
        store.voucher_get(&voucher).expect("get").is_some(),
        "a voucher stays payable: the organisation may still owe people"
    );
    assert!(store.code_get(&kept).expect("get").is_some());
    assert!(store.voucher_get(&[0xb2; 32]).expect("get").is_some());
    assert_eq!(store.used_in_batch("demo", 1), 0);
    store.close().expect("close");
    drop(store);
    let bytes = all_bytes(&data);
    for hash in [used, unused] {
        assert!(
            !contains(&bytes, &hash),
            "a code record of the shredded survey"
        );
    }
    assert!(contains(&bytes, &kept));
    let again = Store::open(&data, 8 << 20).expect("reopen");
    assert_eq!(again.used_in_batch("demo", 1), 0);
}

/// A shred that a crash stopped after the survey was marked shredded (its data key and answers
/// still there) is finished by the rewrite after the next start, which is told every survey
/// marked shredded.
#[test]
fn after_start_an_interrupted_shred_is_finished() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = Store::open(&data, 8 << 20).expect("open");
    store.data_key_init("gone", b"wrapped").expect("key");
    store.data_key_init("kept", b"wrapped").expect("key");
    for (hash, survey) in [([1; 32], "gone"), ([2; 32], "kept")] {
        issue(&store, hash, survey);
        store
            .redeem_blocking(&hash, survey, &[hash[0]; 16], b"sealed")
            .expect("redeem");
    }
    drop(store);

    let before = live_generation(&data);
    let store = Store::open(&data, 8 << 20).expect("open");
    assert!(store.rewrite_after_start(vec!["gone".to_owned()]));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while live_generation(&data) == before && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_ne!(
        live_generation(&data),
        before,
        "rewritten in the background"
    );
    assert_eq!(store.data_key_get("gone").expect("read"), None);
    assert!(store.data_key_get("kept").expect("read").is_some());
    assert_eq!(store.response_count("gone"), 0);
    assert_eq!(store.response_count("kept"), 1);
    store.close().expect("close");
    drop(store);
    let store = Store::open(&data, 8 << 20).expect("open");
    assert_eq!(
        store.response_count("gone"),
        0,
        "its responses are gone from the files"
    );
    assert_eq!(store.response_count("kept"), 1);
}

/// A snapshot sled was still writing when the disk filled up (or the process died) is left as
/// `snap.<lsn>.generating`; sled would read it as the newest snapshot and refuse the store.
/// The store opens anyway, with everything acknowledged.
#[test]
fn a_snapshot_left_unfinished_does_not_lock_the_store_away() {
    let (dir, store) = open();
    for i in 0..20u8 {
        issue(&store, [i; 32], "demo");
        store
            .redeem_blocking(&[i; 32], "demo", &[i; 16], b"x")
            .expect("redeem");
    }
    drop(store);
    let data = dir.path().join("data");
    let generation = std::fs::read_dir(&data)
        .expect("data dir")
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("store-"))
        .expect("a generation")
        .path();
    std::fs::write(
        generation.join("snap.FFFFFFFFFFFFFFF0.generating"),
        vec![0u8; 8192],
    )
    .expect("write");
    let store = Store::open(&data, 8 << 20).expect("opens despite the unfinished snapshot");
    assert_eq!(store.response_count("demo"), 20);
    assert!(!generation.join("snap.FFFFFFFFFFFFFFF0.generating").exists());
}
