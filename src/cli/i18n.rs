//! `chorus i18n export LANG [--survey ID]` and `chorus i18n import FILE [--survey ID]`: the
//! translator's sheet (see `src/services/translations.rs`). A sheet goes to standard output,
//! nothing else there. The interface's sheets touch only `i18n_dir`; a survey's sheet acts on
//! the data directory, so it goes to the running server when there is one, like every command.

use super::commands::Command;
use crate::config::Settings;
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
        /// A survey's own texts instead of the interface (works while serving)
        #[arg(long)]
        survey: Option<String>,
    },
    /// Take a filled-in sheet back: interface texts into the installation's i18n_dir (used at
    /// next start), or with --survey a survey's texts into its stored definition (at once)
    Import {
        file: PathBuf,
        /// The survey whose texts the sheet holds
        #[arg(long)]
        survey: Option<String>,
        /// Also write the translated definition (TOML) to this file, for your own folder
        #[arg(long, requires = "survey")]
        write: Option<PathBuf>,
    },
}

/// What to do: done here already, or a command on the data directory.
pub enum Plan {
    Done(ExitCode),
    Run {
        command: Command,
        /// Where to write the command's standard output instead of printing it.
        write: Option<PathBuf>,
    },
}

pub fn plan(command: I18nCommand, settings: &Settings) -> Plan {
    match command {
        I18nCommand::Export {
            lang,
            survey: Some(survey),
        } => Plan::Run {
            command: Command::I18nExportSurvey { survey, lang },
            write: None,
        },
        I18nCommand::Import {
            file,
            survey,
            write,
        } => {
            let sheet = match std::fs::read_to_string(&file) {
                Ok(c) => c,
                Err(e) => return fail(&format!("could not read {}: {e}", file.display())),
            };
            match survey {
                Some(survey) => Plan::Run {
                    command: Command::I18nImportSurvey {
                        survey,
                        sheet,
                        definition: write.is_some(),
                    },
                    write,
                },
                None if holds_survey_texts(&sheet) => fail(
                    "this sheet holds a survey's texts: name the survey, chorus i18n import FILE --survey ID",
                ),
                None => Plan::Done(import_interface(settings, &sheet)),
            }
        }
        I18nCommand::Export { lang, survey: None } => {
            let texts = match InterfaceTexts::load(settings.i18n_dir.as_deref()) {
                Ok(t) => t,
                Err(e) => return fail(&e.to_string()),
            };
            Plan::Done(match translations::export_interface(&texts, &lang) {
                Ok(csv) => {
                    print!("{csv}");
                    ExitCode::SUCCESS
                }
                Err(e) => exit(&e.to_string()),
            })
        }
    }
}

/// Survey keys have dots (`question.age.text`); interface keys never do.
fn holds_survey_texts(sheet: &str) -> bool {
    crate::services::translation_sheet::Sheet::from_csv(sheet)
        .is_ok_and(|s| s.rows.iter().any(|r| r.key.contains('.')))
}

fn import_interface(settings: &Settings, sheet: &str) -> ExitCode {
    let texts = match InterfaceTexts::load(settings.i18n_dir.as_deref()) {
        Ok(t) => t,
        Err(e) => return exit(&e.to_string()),
    };
    match translations::import_interface(&texts, sheet, settings.i18n_dir.as_deref()) {
        Ok(done) => {
            eprintln!(
                "{} translated interface texts for '{}' written to {}; restart the server to use them",
                done.texts,
                done.lang,
                done.file.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => exit(&e.to_string()),
    }
}

fn fail(message: &str) -> Plan {
    Plan::Done(exit(message))
}

fn exit(message: &str) -> ExitCode {
    eprintln!("chorus: i18n: {message}");
    ExitCode::FAILURE
}
