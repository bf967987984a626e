//! What a rekey revokes, tried the way an attacker would: with the old key file and a backup made
//! before the rekey, derive every signing key they give and try to log in to the rekeyed server.
//! (What it cannot revoke — the code-hashing key — is stated in docs/storage.md, "Rekeying".)

use crate::forms::Page;
use crate::helpers::{get, TestApp};
use crate::org_client::{add_account, OrgClient};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chorus::store::KeyLedger;
use chorus::vault::{MasterKey, SessionKey, Vault};
use ring::{hkdf, hmac};
use std::path::Path;

/// Moves the installation to a new key file (server stopped) and puts it where the old one was;
/// returns what the command printed.
fn rekey_to_new_key_file(app: &mut TestApp) -> String {
    app.stop();
    let new_key = app.dir.path().join("new.key");
    let (ok, stdout, stderr) =
        app.cli(&["rekey", "--to-key-file", new_key.to_str().expect("path")]);
    assert!(ok, "rekey: {stderr}");
    std::fs::rename(&new_key, app.key_file()).expect("the new key in the usual place");
    app.restart();
    format!("{stdout}{stderr}")
}

/// A client holding `cookie` (a `chorus_session=…` pair) on this server.
fn with_cookie(app: &TestApp, cookie: &str) -> OrgClient {
    let mut client = OrgClient::anonymous(app);
    client.cookie = Some(cookie.to_owned());
    client
}

/// Whether the cookie opens the workspace as `name`.
fn logged_in_as(app: &TestApp, cookie: &str, name: &str) -> bool {
    let page = with_cookie(app, cookie).get("/org");
    page.status == 200 && page.html.contains(&format!("Log out {name}"))
}

/// A session cookie for `name` (a new account's session epoch is 0) signed by `sign`, built as
/// the server builds one.
fn forged_cookie(name: &str, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let payload = serde_json::json!({
        "n": name, "r": "organiser", "e": 0, "x": now + 3600,
        "s": URL_SAFE_NO_PAD.encode([7u8; 16]),
    });
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).expect("json"));
    let tag = URL_SAFE_NO_PAD.encode(sign(body.as_bytes()));
    format!("chorus_session={body}.{tag}")
}

/// What the old key file and a backup give: the backup restored into a scratch directory (as
/// anyone can, with the key it was made under), and its ledger opened.
struct OldSecrets {
    root_session_key: hmac::Key,
    session_key: SessionKey,
}

fn from_old_backup(app: &TestApp, backup: &Path, old_key: &Path) -> OldSecrets {
    let scratch = app.dir.path().join("attacker");
    let out = app
        .command()
        .env("CHORUS_DATA_DIR", &scratch)
        .env("CHORUS_KEY_FILE", old_key)
        .args(["restore", backup.to_str().expect("path")])
        .output()
        .expect("restore");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let master = MasterKey::read_key_file(old_key).expect("old key");
    let ledger = KeyLedger::read(&scratch).expect("ledger");
    let root = ledger.get("root_secret").expect("root");
    let vault = Vault::unlock(&master, root).expect("the old key opens the old backup");
    let session_key = vault
        .open_session_key(ledger.get("session_secret").expect("session secret"))
        .expect("the old key opens the old session secret");
    // How sessions were signed before they had a secret of their own: from the root, which a
    // rekey keeps. The attacker rebuilds the root from the wrapped blob with the old key.
    let root = open_root(old_key, root);
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"chorus/hkdf/v1").extract(&root);
    let info = [b"chorus/session/v1".as_slice()];
    let okm = prk.expand(&info, hmac::HMAC_SHA256).expect("hkdf");
    OldSecrets {
        root_session_key: hmac::Key::from(okm),
        session_key,
    }
}

/// The root secret in the clear, opened the way the review did it (without the product's own
/// code): the key file's 32 bytes, ChaCha20-Poly1305 over version ‖ nonce ‖ sealed, with the
/// root's label, length-prefixed, as associated data (src/vault/seal.rs).
fn open_root(old_key: &Path, wrapped: &[u8]) -> [u8; 32] {
    use ring::aead;
    let line = std::fs::read_to_string(old_key).expect("key file");
    let encoded = line
        .trim()
        .strip_prefix("chorus-master-key-v1:")
        .expect("a key file");
    let bytes = URL_SAFE_NO_PAD.decode(encoded).expect("base64");
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::CHACHA20_POLY1305, &bytes).expect("key"),
    );
    let nonce = aead::Nonce::try_assume_unique_for_key(&wrapped[1..13]).expect("nonce");
    let label = b"chorus/root-secret/v1";
    let mut aad = (label.len() as u32).to_be_bytes().to_vec();
    aad.extend_from_slice(label);
    let mut sealed = wrapped[13..].to_vec();
    let plain = key
        .open_in_place(nonce, aead::Aad::from(aad), &mut sealed)
        .expect("the old key opens the old root");
    <[u8; 32]>::try_from(&plain[..]).expect("32 bytes")
}

/// The export-signing key's fingerprint as the workspace shows it to organisers.
fn shown_fingerprint(org: &OrgClient) -> String {
    let page = org.get("/org/exports");
    assert_eq!(page.status, 200, "{}", page.html);
    let doc = scraper::Html::parse_document(&page.html);
    let sel = scraper::Selector::parse("p code.code").expect("selector");
    doc.select(&sel)
        .next()
        .map(|e| e.text().collect::<String>())
        .expect("the fingerprint on the exports page")
}

#[test]
fn after_a_rekey_a_session_signed_before_it_is_refused_and_exports_have_a_new_printed_key() {
    let mut app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let cookie = org.cookie.clone().expect("cookie");
    assert!(logged_in_as(&app, &cookie, "maria"));
    let old_fingerprint = shown_fingerprint(&org);
    let printed = rekey_to_new_key_file(&mut app);
    assert!(
        printed.contains("logged out"),
        "the rekey says organisers are logged out: {printed}"
    );
    assert!(
        !logged_in_as(&app, &cookie, "maria"),
        "a session signed before the rekey still opens the workspace"
    );
    // Logging in again works, and the workspace shows the signing key the rekey printed.
    let again = OrgClient::log_in_existing(&app, "maria");
    assert!(logged_in_as(
        &app,
        again.cookie.as_deref().expect("cookie"),
        "maria"
    ));
    let new_fingerprint = shown_fingerprint(&again);
    assert_ne!(new_fingerprint, old_fingerprint, "a new export-signing key");
    assert!(
        printed.contains(&format!("Its fingerprint: {new_fingerprint}"))
            && printed.contains(&old_fingerprint),
        "the rekey prints the new fingerprint and the old one: {printed}"
    );
}

#[test]
fn an_old_key_and_a_backup_from_before_a_rekey_sign_no_session_the_rekeyed_server_accepts() {
    let mut app = TestApp::spawn();
    let backup = app.dir.path().join("before-rekey.backup");
    let (ok, _, stderr) = app.cli(&["backup", backup.to_str().expect("path")]);
    assert!(ok, "{stderr}");
    let old_key = app.dir.path().join("old.key");
    std::fs::copy(app.key_file(), &old_key).expect("the attacker keeps the old key");
    let old = from_old_backup(&app, &backup, &old_key);

    // The attack works before the rekey: a session signed with what the backup gives opens the
    // workspace of an account made after the backup.
    add_account(&app, "before", "organiser");
    let cookie = forged_cookie("before", |m| old.session_key.sign(m).to_vec());
    assert!(
        logged_in_as(&app, &cookie, "before"),
        "the forgery is built as the server builds a session"
    );

    rekey_to_new_key_file(&mut app);
    rekey_to_new_key_file(&mut app);
    // An account made after the rekeys, as in the review's attack.
    add_account(&app, "maria", "organiser");
    let real = OrgClient::log_in_existing(&app, "maria");
    assert!(logged_in_as(
        &app,
        real.cookie.as_deref().expect("cookie"),
        "maria"
    ));
    for name in ["maria", "before"] {
        let from_secret = forged_cookie(name, |m| old.session_key.sign(m).to_vec());
        let from_root = forged_cookie(name, |m| {
            hmac::sign(&old.root_session_key, m).as_ref().to_vec()
        });
        for (how, cookie) in [("session secret", from_secret), ("root secret", from_root)] {
            assert!(
                !logged_in_as(&app, &cookie, name),
                "a session signed with the old backup's {how} opens {name}'s workspace"
            );
        }
    }
}

#[test]
fn after_a_rekey_a_kiosk_link_made_before_it_no_longer_works() {
    let mut app = TestApp::spawn();
    let (ok, stdout, stderr) = app.cli(&["kiosk", "open", "demo"]);
    assert!(ok, "{stderr}");
    let link = stdout.trim();
    let path = link[link.find("/k/").expect("a /k/ link")..].to_owned();
    assert_eq!(Page::get(&app.url(&path)).status, 200);
    rekey_to_new_key_file(&mut app);
    let (status, _) = get(&app.url(&path));
    assert_eq!(
        status, 404,
        "a kiosk link made before the rekey still works"
    );
}
