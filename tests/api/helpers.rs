//! Starts the real `chorus` binary on port 0 with a temporary data directory and drives it over
//! HTTP and its CLI, the way an operator and a peer's phone would.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_chorus");

pub struct TestApp {
    pub address: String,
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    /// Everything the server wrote to stderr: its logs.
    logs: Arc<Mutex<String>>,
    /// What it printed on stdout: the start-up banner for the operator.
    console: Arc<Mutex<String>>,
    extra_env: Vec<(String, String)>,
}

impl TestApp {
    /// A server with the demo survey imported and open (first run).
    pub fn spawn() -> TestApp {
        TestApp::spawn_with(&[])
    }

    pub fn spawn_with(env: &[(&str, &str)]) -> TestApp {
        TestApp::spawn_configured(env, None)
    }

    /// With a `chorus.toml` in the working directory.
    pub fn spawn_configured(env: &[(&str, &str)], config: Option<&str>) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        if let Some(config) = config {
            std::fs::write(dir.path().join("chorus.toml"), config).expect("write chorus.toml");
        }
        let mut app = TestApp {
            address: String::new(),
            dir,
            child: None,
            logs: Arc::new(Mutex::new(String::new())),
            console: Arc::new(Mutex::new(String::new())),
            extra_env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        app.start();
        app
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn key_file(&self) -> PathBuf {
        self.dir.path().join("chorus.key")
    }

    /// Adds an account with `chorus user add` (the password on stdin, as a person types it).
    pub fn add_account(&self, name: &str, role: &str, password: &str) {
        let (ok, _, stderr) = self.cli_with_input(
            &["user", "add", name, "--role", role],
            &format!("{password}\n"),
        );
        assert!(ok, "{stderr}");
    }

    /// Runs a CLI command with `input` on its standard input; returns (success, stdout, stderr).
    pub fn cli_with_input(&self, args: &[&str], input: &str) -> (bool, String, String) {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run chorus");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input.as_bytes())
            .expect("write the input");
        let out = child.wait_with_output().expect("wait");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// A `chorus` command with this installation's settings.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(self.dir.path())
            .env_remove("CHORUS_CONFIG")
            .env_remove("CHORUS_PASSPHRASE")
            .env("CHORUS_DATA_DIR", self.data_dir())
            .env("CHORUS_BIND", "127.0.0.1:0")
            .env("CHORUS_LOG", "info");
        if !self.extra_env.iter().any(|(k, _)| k == "CHORUS_PASSPHRASE") {
            cmd.env("CHORUS_KEY_FILE", self.key_file());
        }
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    fn start(&mut self) {
        let mut child = self
            .command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chorus");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let logs = Arc::clone(&self.logs);
        std::thread::spawn(move || {
            let mut stderr = stderr;
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                logs.lock()
                    .expect("logs")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let console = Arc::clone(&self.console);
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                console
                    .lock()
                    .expect("console")
                    .push_str(&format!("{line}\n"));
                if !sent {
                    if let Some(addr) = line.strip_prefix("Chorus is listening on ") {
                        let _ = tx.send(addr.trim().to_owned());
                        sent = true;
                    }
                }
            }
        });
        self.child = Some(child);
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(address) => self.address = address,
            Err(_) => panic!(
                "chorus did not start; output:\n{}{}",
                self.console(),
                self.logs()
            ),
        }
    }

    pub fn logs(&self) -> String {
        self.logs.lock().expect("logs").clone()
    }

    pub fn console(&self) -> String {
        self.console.lock().expect("console").clone()
    }

    /// Waits (a little) for a line the server prints on stdout.
    pub fn console_line_starting(&self, prefix: &str) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(line) = self.console().lines().find(|l| l.starts_with(prefix)) {
                return Some(line.to_owned());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// `kill -9`: no shutdown hook runs, nothing is flushed on the way out.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait for the graceful shutdown.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn restart(&mut self) {
        self.kill9();
        self.start();
    }

    /// Runs a CLI command against this installation; returns (success, stdout, stderr).
    pub fn cli(&self, args: &[&str]) -> (bool, String, String) {
        let out = self.command().args(args).output().expect("run chorus");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn issue_codes(&self, survey: &str, count: usize) -> Vec<String> {
        let (ok, stdout, stderr) =
            self.cli(&["codes", "issue", survey, "--count", &count.to_string()]);
        assert!(ok, "codes issue failed: {stderr}");
        stdout.lines().map(str::to_owned).collect()
    }

    pub fn import(&self, toml: &str) {
        let path = self.dir.path().join("import.toml");
        std::fs::write(&path, toml).expect("write definition");
        let (ok, _, stderr) = self.cli(&["survey", "import", path.to_str().expect("utf-8 path")]);
        assert!(ok, "import failed: {stderr}");
    }

    pub fn open_survey(&self, id: &str) {
        let (ok, _, stderr) = self.cli(&["survey", "open", id]);
        assert!(ok, "open failed: {stderr}");
    }

    pub fn post_response(&self, survey: &str, body: &str) -> (u16, String) {
        post(
            &self.url(&format!("/api/v1/surveys/{survey}/responses")),
            body,
            &[],
        )
    }

    pub fn submit(&self, survey: &str, code: &str, answers: &serde_json::Value) -> (u16, String) {
        let body = serde_json::json!({ "code": code, "answers": answers });
        self.post_response(survey, &body.to_string())
    }

    /// Answers survey `survey` as `people` say: each set of answers, that many times, each
    /// with a fresh code.
    pub fn answer_each(&self, survey: &str, people: &[(serde_json::Value, usize)]) {
        let n: usize = people.iter().map(|p| p.1).sum();
        let mut codes = self.issue_codes(survey, n).into_iter();
        for (answers, count) in people {
            for _ in 0..*count {
                let code = codes.next().expect("a code");
                let (status, body) = self.submit(survey, &code, answers);
                assert_eq!(status, 201, "{body}");
            }
        }
    }

    /// Number of responses as the CLI reports it, via banded progress (only 0 is exact).
    pub fn survey_list(&self) -> String {
        self.cli(&["survey", "list"]).1
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.kill9();
    }
}

pub fn post(url: &str, body: &str, headers: &[(&str, &str)]) -> (u16, String) {
    post_bytes(url, body.as_bytes(), headers)
}

pub fn post_bytes(url: &str, body: &[u8], headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = ureq::post(url).set("Content-Type", "application/json");
    for (k, v) in headers {
        req = req.set(k, v);
    }
    into_pair(req.send_bytes(body))
}

pub fn get(url: &str) -> (u16, String) {
    into_pair(ureq::get(url).call())
}

fn into_pair(result: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match result {
        Ok(resp) => (resp.status(), resp.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_string().unwrap_or_default()),
        Err(e) => panic!("transport error: {e}"),
    }
}

/// Every file under a directory, recursively.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let path = entry.path();
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                out.push(path);
            }
        }
    }
    out
}

/// A GET with an API key (`Authorization: Bearer …` already formatted).
pub fn api_get(app: &TestApp, path: &str, key: &str) -> (u16, String) {
    into_pair(ureq::get(&app.url(path)).set("Authorization", key).call())
}
