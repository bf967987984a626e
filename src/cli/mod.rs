//! The command-line edge: the `chorus` commands (see the README's command list), turned into
//! calls on the services. A command that acts on a data directory goes to the running server
//! through its control socket when there is one, and otherwise opens the directory itself.

pub mod commands;
pub mod control;
pub mod i18n;

use crate::config::Settings;
use crate::installation::{installed, server_running, Chorus};
use crate::services::operations::{self, RekeyTarget};
use crate::services::ServiceError;
use crate::vault::Passphrase;
use clap::{Parser, Subcommand};
use commands::{execute, Command, Outcome};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    /// Kiosks for a shared outreach tablet
    #[command(subcommand)]
    Kiosk(KioskCommand),
    /// Organiser, researcher and staff accounts
    #[command(subcommand)]
    User(UserCommand),
    /// The store itself
    #[command(subcommand)]
    Store(StoreCommand),
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
    /// Translators' sheets (CSV) of the interface texts and of a survey's texts
    #[command(subcommand)]
    I18n(i18n::I18nCommand),
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
pub enum StoreCommand {
    /// Rewrite the store in key order into fresh files now, forgetting arrival order (works while serving)
    Rewrite,
}

#[derive(Subcommand, Debug)]
pub enum ReleaseCommand {
    /// Compute and freeze the next release (needs min_responses; after the first, at least max(threshold, release_percent of the last release's responses) new ones)
    Publish { survey: String },
    /// Show the survey's latest release to the community at /r/SURVEY (off by default)
    Public {
        survey: String,
        /// Stop showing it: /r/SURVEY answers like an unknown survey again
        #[arg(long)]
        off: bool,
        /// Show only this table (repeatable; a table id as in the release's JSON). Default: all
        #[arg(long = "table", value_name = "ID", conflicts_with = "off")]
        tables: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add an account; the password is read from standard input (one line)
    Add {
        name: String,
        #[arg(long, value_parser = ["organiser", "researcher", "staff"])]
        role: String,
    },
    /// Print a new API key for the account (alone on stdout), replacing its old one
    ApiKey { name: String },
    /// List the accounts in use: name, role, and whether it has an API key
    List,
    /// Give the account a new password, read from standard input (one line); every session of
    /// it ends
    Password { name: String },
    /// Remove the account: its password, API key and sessions stop working at once; the name
    /// cannot be used again
    Remove { name: String },
}

#[derive(Subcommand, Debug)]
pub enum SurveyCommand {
    /// Import a survey definition (TOML), or a new version of one: once a survey has
    /// responses, only wording, translations and stricter anonymity settings may change
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
        /// Context for every response given with these codes, as KEY=VALUE (repeatable): KEY is
        /// a question with `from_batch = true`, VALUE one of its options (e.g. --tag site=north)
        #[arg(long = "tag", value_parser = parse_tag)]
        tags: Vec<(String, String)>,
    },
}

#[derive(Subcommand, Debug)]
pub enum KioskCommand {
    /// Open a kiosk for an open survey: its link alone on stdout
    Open {
        survey: String,
        /// Context for every response given at this kiosk, as KEY=VALUE (repeatable), like
        /// `codes issue --tag` (e.g. --tag site=north)
        #[arg(long = "tag", value_parser = parse_tag)]
        tags: Vec<(String, String)>,
        /// How long the link works (default: the `kiosk_hours` setting, 12)
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=168))]
        hours: Option<u32>,
    },
    /// Close a kiosk, named by its id or its link: the link stops working at once
    Close { kiosk: String },
}

fn parse_tag(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_owned(), v.trim().to_owned()))
        }
        _ => Err(format!("'{s}' is not KEY=VALUE (for example site=north)")),
    }
}

/// Why a command that opens the store itself must not run as this account: files it writes (a
/// store rewritten, a rekey) would belong to it, and the service's own account could then no
/// longer open them — root running `chorus store rewrite` takes the service down. `None` when
/// this process runs as the data directory's owner (or it cannot tell).
pub fn not_the_owner(data_dir: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user.
    let me = std::fs::metadata("/proc/self").ok()?.uid();
    let owner = std::fs::metadata(data_dir).ok()?.uid();
    (me != owner).then(|| {
        format!(
            "chorus: the data directory {} belongs to another account (uid {owner}); run this as that account (for example `sudo -u chorus …`), or files written now would belong to this one and the service could no longer open them\n",
            data_dir.display()
        )
    })
}

/// What a command run where there is no installation is told.
fn no_installation(data_dir: &Path) -> String {
    format!(
        "chorus: there is no Chorus installation in {} — run the command where Chorus runs, or name its data directory (CHORUS_DATA_DIR, or data_dir in chorus.toml); `chorus serve` makes a new one",
        std::path::absolute(data_dir)
            .unwrap_or_else(|_| data_dir.to_path_buf())
            .display()
    )
}

/// Runs every command but `serve`. Checking an export bundle needs no settings, store or key:
/// a researcher runs it anywhere.
pub fn run(command: CliCommand, config: Option<&Path>) -> ExitCode {
    if let CliCommand::VerifyExport { file } = &command {
        return match operations::verify_export_file(file) {
            Ok(summary) => {
                print!("{summary}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("chorus: verify-export: {e}")),
        };
    }
    let settings = match Settings::load(config) {
        Ok(s) => s,
        Err(e) => return fail(&format!("chorus: settings: {e}")),
    };
    let mut write_to = None;
    let command = match command {
        CliCommand::Serve | CliCommand::VerifyExport { .. } => return ExitCode::SUCCESS,
        CliCommand::I18n(i18n_command) => match i18n::plan(i18n_command, &settings) {
            i18n::Plan::Done(code) => return code,
            i18n::Plan::Run { command, write } => {
                write_to = write;
                command
            }
        },
        CliCommand::Restore { file } => {
            return report(operations::restore_installation(&settings, &file))
        }
        CliCommand::Rekey {
            to_key_file,
            to_passphrase,
        } => {
            if to_key_file.is_none()
                && !to_passphrase
                && std::env::var_os("CHORUS_NEW_PASSPHRASE").is_none()
            {
                return fail("chorus: rekey to what? `chorus rekey --to-key-file PATH` (a new key file) or `chorus rekey --to-passphrase` (sealed mode)");
            }
            if server_running(&settings.data_dir) {
                return report(Err(ServiceError::ServerRunning));
            }
            if !installed(&settings.data_dir) {
                return fail(&no_installation(&settings.data_dir));
            }
            if let Some(refusal) = not_the_owner(&settings.data_dir) {
                return fail(refusal.trim_end());
            }
            let target = match to_key_file {
                Some(path) => RekeyTarget::KeyFile(absolute(&path)),
                None => match new_passphrase() {
                    Ok(p) => RekeyTarget::Passphrase(p),
                    Err(message) => return fail(&format!("chorus: {message}")),
                },
            };
            return report(operations::rekey_installation(&settings, target));
        }
        CliCommand::Backup { file } => Command::Backup {
            path: absolute(&file),
        },
        CliCommand::Export { survey, out } => Command::Export {
            survey,
            out: absolute(&out),
        },
        CliCommand::Survey(SurveyCommand::Import { file }) => {
            match std::fs::read_to_string(&file) {
                Ok(source) => Command::SurveyImport { source },
                Err(e) => return fail(&format!("chorus: could not read {}: {e}", file.display())),
            }
        }
        CliCommand::Survey(SurveyCommand::List) => Command::SurveyList,
        CliCommand::Survey(SurveyCommand::Open { id }) => Command::SurveyOpen { id },
        CliCommand::Survey(SurveyCommand::Close { id }) => Command::SurveyClose { id },
        CliCommand::Survey(SurveyCommand::Shred { id }) => Command::SurveyShred { id },
        CliCommand::Survey(SurveyCommand::Retention { id, days }) => {
            Command::SurveyRetention { id, days }
        }
        CliCommand::Codes(CodesCommand::Issue {
            survey,
            count,
            tags,
        }) => Command::CodesIssue {
            survey,
            count,
            tags: tags.into_iter().collect(),
        },
        CliCommand::Kiosk(KioskCommand::Open {
            survey,
            tags,
            hours,
        }) => Command::KioskOpen {
            survey,
            tags: tags.into_iter().collect(),
            hours: hours.unwrap_or(settings.kiosk.hours),
            base_url: settings
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", settings.bind)),
        },
        CliCommand::Kiosk(KioskCommand::Close { kiosk }) => Command::KioskClose { kiosk },
        CliCommand::User(UserCommand::Add { name, role }) => {
            match read_password("Password for the new account: ") {
                Ok(password) => Command::UserAdd {
                    name,
                    role,
                    password,
                },
                Err(e) => {
                    return fail(&format!(
                        "chorus: could not read the password from standard input: {e}"
                    ))
                }
            }
        }
        CliCommand::User(UserCommand::ApiKey { name }) => Command::UserApiKey { name },
        CliCommand::User(UserCommand::List) => Command::UserList,
        CliCommand::User(UserCommand::Password { name }) => {
            match read_password(&format!("New password for '{name}': ")) {
                Ok(password) => Command::UserPassword { name, password },
                Err(e) => {
                    return fail(&format!(
                        "chorus: could not read the password from standard input: {e}"
                    ))
                }
            }
        }
        CliCommand::User(UserCommand::Remove { name }) => Command::UserRemove { name },
        CliCommand::Store(StoreCommand::Rewrite) => Command::StoreRewrite,
        CliCommand::Release(ReleaseCommand::Publish { survey }) => {
            Command::ReleasePublish { survey }
        }
        CliCommand::Release(ReleaseCommand::Public {
            survey,
            off,
            tables,
        }) => Command::ReleasePublic {
            survey,
            public: !off,
            tables: (!tables.is_empty()).then_some(tables),
        },
    };
    // A command run from the wrong directory, or with a mistyped CHORUS_DATA_DIR, would make a
    // new, empty installation with a key of its own — and a "backup" of it that says it worked.
    // Only `chorus serve` (the first run) and `chorus restore` make an installation.
    if !installed(&settings.data_dir) && !server_running(&settings.data_dir) {
        return fail(&no_installation(&settings.data_dir));
    }
    // A running server owns the data directory: ask it. Otherwise open the store here.
    let outcome = control::try_remote(&settings.data_dir, &command).unwrap_or_else(|| {
        if let Some(refusal) = not_the_owner(&settings.data_dir) {
            return Outcome::failed(refusal);
        }
        match Chorus::open(&settings) {
            Ok((chorus, _)) => {
                let outcome = execute(&chorus, command);
                if let Err(e) = chorus.store.close() {
                    return Outcome::failed(format!("{e}\n"));
                }
                outcome
            }
            Err(e) => Outcome::failed(format!("{e}\n")),
        }
    });
    let mut outcome = outcome;
    match write_to {
        Some(path) if outcome.ok => {
            if let Err(e) = std::fs::write(&path, &outcome.stdout) {
                outcome.ok = false;
                outcome
                    .stderr
                    .push_str(&format!("could not write {}: {e}\n", path.display()));
            } else {
                outcome.stderr.push_str(&format!(
                    "the translated definition is in {}\n",
                    path.display()
                ));
            }
        }
        _ => print!("{}", outcome.stdout),
    }
    let _ = std::io::stdout().flush();
    if !outcome.stderr.is_empty() {
        eprint!("{}", prefixed(&outcome.stderr, outcome.ok));
    }
    if outcome.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Paths travel to the running server, whose working directory may differ.
fn absolute(path: &Path) -> std::path::PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn report(result: Result<String, ServiceError>) -> ExitCode {
    match result {
        Ok(message) => {
            eprintln!("{}", message.trim_end());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("chorus: {e}")),
    }
}

/// One line from standard input (a prompt goes to stderr when a person is typing).
fn read_password(prompt: &str) -> std::io::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

fn prefixed(message: &str, ok: bool) -> String {
    if ok {
        message.to_owned()
    } else {
        format!("chorus: {message}")
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}

/// A new passphrase for `rekey --to-passphrase`: CHORUS_NEW_PASSPHRASE, or typed twice.
fn new_passphrase() -> Result<Passphrase, String> {
    use std::io::IsTerminal;
    let typed = match std::env::var("CHORUS_NEW_PASSPHRASE") {
        Ok(p) => p,
        Err(_) if std::io::stdin().is_terminal() => {
            let first =
                rpassword::prompt_password("New passphrase: ").map_err(|e| e.to_string())?;
            let second = rpassword::prompt_password("The same passphrase again: ")
                .map_err(|e| e.to_string())?;
            if first != second {
                return Err("the two passphrases are not the same".into());
            }
            first
        }
        Err(_) => {
            return Err("set CHORUS_NEW_PASSPHRASE, or run this from a terminal to type it".into())
        }
    };
    let passphrase = Passphrase::new(typed).map_err(|e| e.to_string())?;
    if !passphrase.long_enough_to_choose() {
        return Err(format!(
            "a new passphrase needs at least {} characters (three or four unrelated words are easy to remember and hard to guess)",
            crate::vault::MIN_NEW_PASSPHRASE_CHARS
        ));
    }
    Ok(passphrase)
}
