//! `chorus`: parse the command line, load settings, start logging, hand over. No logic here.

use chorus::cli::{
    execute, Cli, CliCommand, CodesCommand, Command, Outcome, ReleaseCommand, StoreCommand,
    SurveyCommand, UserCommand,
};
use chorus::config::Settings;
use chorus::operations::{self, OperationError, RekeyTarget};
use chorus::{app, control, telemetry};
use clap::Parser;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let command = cli.command.unwrap_or(CliCommand::Serve);
    // Checking a bundle needs no settings, store or key: a researcher runs it anywhere.
    if let CliCommand::VerifyExport { file } = &command {
        return match operations::verify_export_file(file) {
            Ok(summary) => {
                print!("{summary}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("chorus: verify-export: {e}")),
        };
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(&format!("chorus: settings: {e}")),
    };
    let command = match command {
        CliCommand::Serve => {
            return match app::serve(&settings) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&format!("chorus: {e}")),
            }
        }
        CliCommand::VerifyExport { .. } => return ExitCode::SUCCESS,
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
            if control::server_running(&settings.data_dir) {
                return fail(
                    "chorus: stop the server first: a rekey needs the data directory to itself",
                );
            }
            let target = match to_key_file {
                Some(path) => Ok(RekeyTarget::KeyFile(absolute(&path))),
                None => operations::new_passphrase().map(RekeyTarget::Passphrase),
            };
            return report(target.and_then(|t| operations::rekey_installation(&settings, t)));
        }
        CliCommand::Store(StoreCommand::Rewrite) => Command::StoreRewrite,
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
        CliCommand::Codes(CodesCommand::Issue { survey, count }) => {
            Command::CodesIssue { survey, count }
        }
        CliCommand::User(UserCommand::Add { name, role }) => match read_password() {
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
        },
        CliCommand::User(UserCommand::ApiKey { name }) => Command::UserApiKey { name },
        CliCommand::Release(ReleaseCommand::Publish { survey }) => {
            Command::ReleasePublish { survey }
        }
    };
    // A running server owns the data directory: ask it. Otherwise open the store here.
    let outcome =
        control::try_remote(&settings.data_dir, &command).unwrap_or_else(
            || match app::Chorus::open(&settings) {
                Ok((chorus, _)) => {
                    let outcome = execute(&chorus, command);
                    if let Err(e) = chorus.store.close() {
                        return Outcome::failed(format!("{e}\n"));
                    }
                    outcome
                }
                Err(e) => Outcome::failed(format!("{e}\n")),
            },
        );
    print!("{}", outcome.stdout);
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

fn report(result: Result<String, OperationError>) -> ExitCode {
    match result {
        Ok(message) => {
            eprintln!("{}", message.trim_end());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&format!("chorus: {e}")),
    }
}

/// One line from standard input (a prompt goes to stderr when a person is typing).
fn read_password() -> std::io::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Password for the new account: ");
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
