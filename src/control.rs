//! CLI commands while the server runs. sled lets one process open the data directory, so the
//! server listens on a Unix socket inside it (`control.sock`, mode 0600 in a 0700 directory:
//! only the account that runs Chorus can connect) and runs commands on the CLI's behalf.
//! One JSON request per connection, one JSON reply.

use crate::app::Chorus;
use crate::cli::{execute, Command, Outcome};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const SOCKET_NAME: &str = "control.sock";
/// A survey definition is the largest request; this is far above any real one.
const MAX_REQUEST: u64 = 4 * 1024 * 1024;

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Whether a server is listening on this data directory's control socket.
pub fn server_running(data_dir: &Path) -> bool {
    UnixStream::connect(socket_path(data_dir)).is_ok()
}

/// Sends a command to a running server. `None` when no server is listening (then the caller
/// opens the store itself).
pub fn try_remote(data_dir: &Path, command: &Command) -> Option<Outcome> {
    let mut stream = UnixStream::connect(socket_path(data_dir)).ok()?;
    let reply = (|| -> std::io::Result<Outcome> {
        let mut request = serde_json::to_vec(command)?;
        request.push(b'\n');
        stream.write_all(&request)?;
        stream.shutdown(std::net::Shutdown::Write)?;
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply)?;
        Ok(serde_json::from_slice(&reply)?)
    })();
    Some(reply.unwrap_or_else(|e| {
        Outcome::failed(format!(
            "the running server did not answer the command: {e}\n"
        ))
    }))
}

/// Binds the socket (replacing a stale one left by a crash) and serves commands on a thread.
pub fn listen(chorus: Arc<Chorus>, data_dir: &Path) -> std::io::Result<()> {
    let path = socket_path(data_dir);
    if path.exists() {
        // Only a socket left by a dead process can be here: a live one holds the store lock.
        std::fs::remove_file(&path)?;
    }
    let listener = UnixListener::bind(&path)?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    std::thread::Builder::new()
        .name("chorus-control".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let outcome = serve_one(&chorus, &stream);
                let mut stream = stream;
                if let Ok(bytes) = serde_json::to_vec(&outcome) {
                    let _ = stream.write_all(&bytes);
                }
            }
        })?;
    Ok(())
}

fn serve_one(chorus: &Chorus, stream: &UnixStream) -> Outcome {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.take(MAX_REQUEST));
    if reader.read_line(&mut line).is_err() {
        return Outcome::failed("could not read the command\n".into());
    }
    match serde_json::from_str::<Command>(&line) {
        Ok(command) => {
            tracing::info!(command = command_name(&command), "control command");
            execute(chorus, command)
        }
        Err(_) => Outcome::failed("unknown command\n".into()),
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::SurveyImport { .. } => "survey import",
        Command::SurveyList => "survey list",
        Command::SurveyOpen { .. } => "survey open",
        Command::SurveyClose { .. } => "survey close",
        Command::CodesIssue { .. } => "codes issue",
        Command::UserAdd { .. } => "user add",
        Command::UserApiKey { .. } => "user api-key",
        Command::ReleasePublish { .. } => "release publish",
        Command::SurveyShred { .. } => "survey shred",
        Command::SurveyRetention { .. } => "survey retention",
        Command::Backup { .. } => "backup",
        Command::StoreRewrite => "store rewrite",
        Command::Export { .. } => "export",
    }
}
