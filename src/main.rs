//! `chorus`: parse the command line, start logging, hand over — to the server for `serve` (the
//! default), to the command-line edge for everything else.

use chorus::cli::{self, Cli, CliCommand};
use chorus::config::Settings;
use chorus::{serve, telemetry};
use clap::Parser;
use std::process::ExitCode;

/// glibc's malloc took about a sixth of the CPU of a durable submission (small values allocated
/// and freed on the actix workers, the commit thread and sled's I/O threads, and its free lists
/// consolidated); jemalloc's per-thread caches do the same work for less, at the same resident
/// memory (mimalloc was cheaper still but held ≈ 70 MB more). Measured in docs/storage.md.
/// Its settings (two arenas, freed pages returned after a second, by a background thread even
/// when the server is idle) are fixed at build time in `.cargo/config.toml`: they keep peak
/// memory under load about 30 MB lower, and hand back what a store rewrite freed.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    match cli.command.unwrap_or(CliCommand::Serve) {
        CliCommand::Serve => {
            let started = Settings::load(cli.config.as_deref())
                .map_err(|e| format!("settings: {e}"))
                .and_then(|settings| {
                    // As for every other command: a server started by another account would
                    // write files the service's own account can no longer open.
                    if let Some(refusal) = cli::not_the_owner(&settings.data_dir) {
                        let refusal = refusal.trim_end().trim_start_matches("chorus: ");
                        return Err(refusal.to_owned());
                    }
                    serve::run(&settings).map_err(|e| e.to_string())
                });
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
