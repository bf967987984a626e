//! `chorus i18n export LANG [--survey ID]` and `chorus i18n import FILE`: the translator's sheet
//! (see `src/services/translations.rs`). The sheet goes to standard output, nothing else there.

use crate::config::Settings;
use crate::installation::Chorus;
use crate::services::interface_texts::InterfaceTexts;
use crate::services::translations;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum I18nCommand {
    /// Print a CSV sheet (key, source text, translation) of the interface texts, or of one
    /// survey's texts, for a translator to fill in LANG
    Export {
        lang: String,
        /// A survey's own texts instead of the interface (the server must be stopped)
        #[arg(long)]
        survey: Option<String>,
    },
    /// Take a filled-in interface sheet into the installation's i18n_dir (used at next start)
    Import { file: PathBuf },
}

pub fn run(command: I18nCommand, settings: &Settings) -> ExitCode {
    let texts = match InterfaceTexts::load(settings.i18n_dir.as_deref()) {
        Ok(t) => t,
        Err(e) => return fail(&e.to_string()),
    };
    match command {
        I18nCommand::Export { lang, survey: None } => {
            print_or_fail(translations::export_interface(&texts, &lang))
        }
        I18nCommand::Export {
            lang,
            survey: Some(id),
        } => {
            let chorus = match Chorus::open(settings) {
                Ok((chorus, _)) => chorus,
                Err(e) => return fail(&e.to_string()),
            };
            let sheet = match chorus.surveys.get(&id) {
                Some(entry) => translations::export_survey(&entry.survey, &lang),
                None => return fail(&format!("there is no survey '{id}'")),
            };
            let _ = chorus.store.close();
            print_or_fail(sheet)
        }
        I18nCommand::Import { file } => {
            let csv = match std::fs::read_to_string(&file) {
                Ok(c) => c,
                Err(e) => return fail(&format!("could not read {}: {e}", file.display())),
            };
            match translations::import_interface(&texts, &csv, settings.i18n_dir.as_deref()) {
                Ok(done) => {
                    eprintln!(
                        "{} translated interface texts for '{}' written to {}; restart the server to use them",
                        done.texts,
                        done.lang,
                        done.file.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            }
        }
    }
}

fn print_or_fail(sheet: Result<String, translations::TranslationError>) -> ExitCode {
    match sheet {
        Ok(csv) => {
            print!("{csv}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("chorus: i18n: {message}");
    ExitCode::FAILURE
}
