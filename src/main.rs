//! `chorus`: parse the command line, load settings, start logging, hand over. No logic here.

use chorus::cli::{execute, Cli, CliCommand, CodesCommand, Command, Outcome, SurveyCommand};
use chorus::config::Settings;
use chorus::{app, control, telemetry};
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(&format!("chorus: settings: {e}")),
    };
    let command = match cli.command.unwrap_or(CliCommand::Serve) {
        CliCommand::Serve => {
            return match app::serve(&settings) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&format!("chorus: {e}")),
            }
        }
        CliCommand::Survey(SurveyCommand::Import { file }) => {
            match std::fs::read_to_string(&file) {
                Ok(source) => Command::SurveyImport { source },
                Err(e) => return fail(&format!("chorus: could not read {}: {e}", file.display())),
            }
        }
        CliCommand::Survey(SurveyCommand::List) => Command::SurveyList,
        CliCommand::Survey(SurveyCommand::Open { id }) => Command::SurveyOpen { id },
        CliCommand::Survey(SurveyCommand::Close { id }) => Command::SurveyClose { id },
        CliCommand::Codes(CodesCommand::Issue { survey, count }) => {
            Command::CodesIssue { survey, count }
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
