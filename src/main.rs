//! `chorus`: parse the command line, start logging, hand over — to the server for `serve` (the
//! default), to the command-line edge for everything else.

use chorus::cli::{self, Cli, CliCommand};
use chorus::config::Settings;
use chorus::{serve, telemetry};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    match cli.command.unwrap_or(CliCommand::Serve) {
        CliCommand::Serve => {
            let started = Settings::load(cli.config.as_deref())
                .map_err(|e| format!("settings: {e}"))
                .and_then(|settings| serve::run(&settings).map_err(|e| e.to_string()));
            match started {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("chorus: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        command => cli::run(command, cli.config.as_deref()),
    }
}
