//! The command-line surface (DESIGN §10) and the commands that act on surveys and codes. A
//! command runs the same way whether it is executed here or by a running server on the CLI's
//! behalf (see `control`), so its output is built as data first and printed by `main`.

use crate::accounts::{self, AccountName, Role};
use crate::app::Chorus;
use crate::audit;
use crate::clock::{Clock, SystemClock};
use crate::release;
use crate::surveys::{progress_band, SurveyState};
use crate::tokens;
use clap::{Parser, Subcommand};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "chorus", version, about = "Private, peer-led surveys")]
pub struct Cli {
    /// Settings file (default: ./chorus.toml when it exists)
    #[arg(long, global = true, env = "CHORUS_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Subcommand, Debug)]
pub enum CliCommand {
    /// Run the web server (the default)
    Serve,
    /// Import, list, open and close surveys
    #[command(subcommand)]
    Survey(SurveyCommand),
    /// Issue one-time codes
    #[command(subcommand)]
    Codes(CodesCommand),
    /// Organiser and researcher accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Disclosure-controlled releases of a survey's tables
    #[command(subcommand)]
    Release(ReleaseCommand),
    /// Write an anonymised, signed export of a closed survey (the operator's copy; no approval)
    Export {
        survey: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an export bundle's signature and file hashes, and print the signing key's fingerprint
    VerifyExport { file: PathBuf },
    /// Write a consistent backup of the whole data directory to FILE (works while serving)
    Backup { file: PathBuf },
    /// Restore a backup into a new, empty data directory (the server must be stopped)
    Restore { file: PathBuf },
    /// Move to a new master key: a new key file, or a passphrase (sealed mode). Server stopped.
    Rekey {
        /// Create this new key file and use it
        #[arg(long, conflicts_with = "to_passphrase")]
        to_key_file: Option<PathBuf>,
        /// Use a passphrase (read from CHORUS_NEW_PASSPHRASE, or typed twice at a terminal).
        /// Without either flag, a set CHORUS_NEW_PASSPHRASE chooses this.
        #[arg(long)]
        to_passphrase: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReleaseCommand {
    /// Compute and freeze the next release (needs min_responses, and threshold new responses since the last)
    Publish { survey: String },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add an account; the password is read from standard input (one line)
    Add {
        name: String,
        #[arg(long, value_parser = ["organiser", "researcher"])]
        role: String,
    },
    /// Print a new API key for the account (alone on stdout), replacing its old one
    ApiKey { name: String },
}

#[derive(Subcommand, Debug)]
pub enum SurveyCommand {
    /// Import a survey definition (TOML); replaces a definition that has no responses yet
    Import { file: PathBuf },
    /// List surveys with their state and banded progress
    List,
    /// Start taking answers
    Open { id: String },
    /// Stop taking answers, for good (and publish the final release)
    Close { id: String },
    /// Destroy a closed survey's key and answers for good; published releases stay
    Shred { id: String },
    /// Shred a closed survey automatically DAYS days after it closed (0: never)
    Retention { id: String, days: u32 },
}

#[derive(Subcommand, Debug)]
pub enum CodesCommand {
    /// Issue a batch of codes: one per line on stdout, nothing else there
    Issue {
        survey: String,
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        count: u32,
    },
}

/// A command as it travels to a running server: the file is already read.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    SurveyImport {
        source: String,
    },
    SurveyList,
    SurveyOpen {
        id: String,
    },
    SurveyClose {
        id: String,
    },
    CodesIssue {
        survey: String,
        count: u32,
    },
    UserAdd {
        name: String,
        role: String,
        password: String,
    },
    UserApiKey {
        name: String,
    },
    ReleasePublish {
        survey: String,
    },
    SurveyShred {
        id: String,
    },
    SurveyRetention {
        id: String,
        days: u32,
    },
    Backup {
        path: PathBuf,
    },
    Export {
        survey: String,
        out: PathBuf,
    },
}

/// What a command printed: `stdout` is the command's product (e.g. codes, one per line);
/// `stderr` is for people. `ok == false` means exit status 1.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    fn ok(stdout: String, stderr: String) -> Outcome {
        Outcome {
            ok: true,
            stdout,
            stderr,
        }
    }

    pub fn failed(message: String) -> Outcome {
        Outcome {
            ok: false,
            stdout: String::new(),
            stderr: message,
        }
    }
}

pub fn execute(chorus: &Chorus, command: Command) -> Outcome {
    match command {
        Command::SurveyImport { source } => {
            match chorus.surveys.import(&chorus.store, &chorus.vault, &source) {
                Ok(done) => {
                    let verb = if done.replaced {
                        "replaced"
                    } else {
                        "imported"
                    };
                    let hint = if done.state == SurveyState::Draft {
                        format!("; open it with: chorus survey open {}", done.id)
                    } else {
                        String::new()
                    };
                    Outcome::ok(
                        String::new(),
                        format!("{verb} survey '{}' ({}){hint}\n", done.id, done.state),
                    )
                }
                Err(e) => Outcome::failed(format!("{e}\n")),
            }
        }
        Command::SurveyList => {
            let mut out = String::new();
            for s in chorus.surveys.list(&chorus.store) {
                let band = chorus
                    .surveys
                    .get(&s.id)
                    .map_or(10, |e| e.survey.threshold() as usize);
                out.push_str(&format!(
                    "{}\t{}\t{}\t{} responses\t{}\n",
                    s.id,
                    s.state,
                    s.mode,
                    progress_band(s.responses, band),
                    s.title
                ));
            }
            let note = if out.is_empty() {
                "no surveys yet\n".to_owned()
            } else {
                String::new()
            };
            Outcome::ok(out, note)
        }
        Command::UserAdd {
            name,
            role,
            password,
        } => user_add(chorus, &name, &role, &password),
        Command::UserApiKey { name } => user_api_key(chorus, &name),
        Command::SurveyShred { id } => match chorus.surveys.shred(&chorus.store, &id) {
            Ok(()) => {
                let _ = audit::record(
                    &chorus.store,
                    &SystemClock,
                    "(command line)",
                    "shred survey",
                    Some(&id),
                    None,
                );
                Outcome::ok(String::new(), format!("survey '{id}' is shredded: its key and answers are gone; its releases remain.\n{}\n", crate::operations::SHRED_NOTE))
            }
            Err(e) => Outcome::failed(format!("{e}\n")),
        },
        Command::SurveyRetention { id, days } => {
            let days = (days > 0).then_some(days);
            match chorus.surveys.set_retention(&chorus.store, &id, days) {
                Ok(()) => {
                    let detail = days.map_or("keep until shredded by hand".to_owned(), |d| {
                        format!("{d} days after closing")
                    });
                    let _ = audit::record(
                        &chorus.store,
                        &SystemClock,
                        "(command line)",
                        "set retention",
                        Some(&id),
                        Some(detail.clone()),
                    );
                    Outcome::ok(String::new(), format!("survey '{id}': {detail}\n"))
                }
                Err(e) => Outcome::failed(format!("{e}\n")),
            }
        }
        Command::Backup { path } => match chorus.store.backup_to(&path) {
            Ok(bytes) => {
                let _ = audit::record(
                    &chorus.store,
                    &SystemClock,
                    "(command line)",
                    "backup",
                    None,
                    None,
                );
                Outcome::ok(String::new(), format!("wrote a backup of {bytes} bytes to {} (answers stay sealed; keep the key apart from it)\n", path.display()))
            }
            Err(e) => Outcome::failed(format!("{e}\n")),
        },
        Command::Export { survey, out } => {
            let day = SystemClock.today();
            match crate::export::package::build(chorus, &survey, &day) {
                Ok(zip) => match write_private(&out, &zip) {
                    Ok(()) => {
                        let _ = audit::record(
                            &chorus.store,
                            &SystemClock,
                            "(command line)",
                            "export",
                            Some(&survey),
                            None,
                        );
                        Outcome::ok(
                            String::new(),
                            format!("wrote the export of '{survey}' to {}\n", out.display()),
                        )
                    }
                    Err(e) => Outcome::failed(format!("could not write {}: {e}\n", out.display())),
                },
                Err(e) => Outcome::failed(format!("{e}\n")),
            }
        }
        Command::SurveyOpen { id } => set_state(chorus, &id, SurveyState::Open),
        Command::SurveyClose { id } => match release::close_survey(chorus, &id) {
            Ok(closed) => {
                let _ = audit::record(
                    &chorus.store,
                    &SystemClock,
                    "(command line)",
                    "close survey",
                    Some(&id),
                    Some(closed.to_string()),
                );
                Outcome::ok(
                    String::new(),
                    format!("survey '{id}' is closed; {closed}\n"),
                )
            }
            Err(e) => Outcome::failed(format!("{e}\n")),
        },
        Command::ReleasePublish { survey } => match release::publish(chorus, &survey, false) {
            Ok(number) => {
                let _ = audit::record(
                    &chorus.store,
                    &SystemClock,
                    "(command line)",
                    "publish release",
                    Some(&survey),
                    Some(format!("release {number}")),
                );
                Outcome::ok(
                    String::new(),
                    format!("published release {number} of '{survey}'\n"),
                )
            }
            Err(e) => Outcome::failed(format!("{e}\n")),
        },
        Command::CodesIssue { survey, count } => {
            let Some(entry) = chorus.surveys.get(&survey) else {
                return Outcome::failed(format!("there is no survey '{survey}'\n"));
            };
            if entry.state == SurveyState::Closed {
                return Outcome::failed(format!(
                    "survey '{survey}' is closed; no codes can be issued\n"
                ));
            }
            match tokens::issue_batch(
                &chorus.store,
                chorus.vault.code_hash_key(),
                &survey,
                count as usize,
            ) {
                Ok((batch, codes)) => {
                    let mut out = String::with_capacity(codes.len() * 18);
                    for code in &codes {
                        out.push_str(&code.display());
                        out.push('\n');
                    }
                    Outcome::ok(
                        out,
                        format!("issued batch {batch} of {count} codes for '{survey}'. They are shown only now: print or hand them out; Chorus keeps no copy.\n"),
                    )
                }
                Err(e) => Outcome::failed(format!("{e}\n")),
            }
        }
    }
}

fn user_add(chorus: &Chorus, name: &str, role: &str, password: &str) -> Outcome {
    let (Ok(name), Some(role)) = (AccountName::parse(name), Role::parse(role)) else {
        return Outcome::failed("an account name is 1–32 lower-case letters, digits, '.', '_' or '-', and the role is organiser or researcher\n".into());
    };
    match accounts::add(&chorus.store, &name, role, password) {
        Ok(account) => {
            let _ = audit::record(
                &chorus.store,
                &SystemClock,
                "(command line)",
                "add account",
                None,
                Some(format!("{} ({})", account.name, role.as_str())),
            );
            Outcome::ok(
                String::new(),
                format!("added {} account '{}'\n", role.as_str(), account.name),
            )
        }
        Err(e) => Outcome::failed(format!("{e}\n")),
    }
}

fn user_api_key(chorus: &Chorus, name: &str) -> Outcome {
    let name = name.trim().to_lowercase();
    match accounts::new_api_key(&chorus.store, &name) {
        Ok(key) => {
            let _ = audit::record(
                &chorus.store,
                &SystemClock,
                "(command line)",
                "new API key",
                None,
                Some(name.clone()),
            );
            Outcome::ok(format!("{key}\n"), format!("new API key for '{name}' (any earlier key no longer works); it is shown only now\n"))
        }
        Err(e) => Outcome::failed(format!("{e}\n")),
    }
}

/// Creates or replaces a file readable by its owner only.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn set_state(chorus: &Chorus, id: &str, target: SurveyState) -> Outcome {
    match chorus.surveys.set_state(&chorus.store, id, target) {
        Ok(state) => Outcome::ok(String::new(), format!("survey '{id}' is {state}\n")),
        Err(e) => Outcome::failed(format!("{e}\n")),
    }
}
