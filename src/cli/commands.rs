//! The commands that act on a data directory, run the same way whether here or by a running
//! server on the CLI's behalf (see `control`): each is one call to a service, and its output is
//! built as data first and printed by the caller.

use crate::accounts::{AccountName, Role};
use crate::installation::Chorus;
use crate::services::{
    self, accounts, codes, exports, kiosks, operations, public_results, releases, surveys,
    translations, Actor,
};
use crate::surveys::SurveyState;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

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
        #[serde(default)]
        tags: crate::survey::BatchTags,
    },
    KioskOpen {
        survey: String,
        #[serde(default)]
        tags: crate::survey::BatchTags,
        hours: u32,
        /// The address peers use (`public_url`, else the bound address), for the printed link.
        base_url: String,
    },
    KioskClose {
        kiosk: String,
    },
    UserAdd {
        name: String,
        role: String,
        password: String,
    },
    UserApiKey {
        name: String,
    },
    UserList,
    UserPassword {
        name: String,
        password: String,
    },
    UserRemove {
        name: String,
    },
    ReleasePublish {
        survey: String,
    },
    ReleasePublic {
        survey: String,
        public: bool,
        /// `None`: every table of the release.
        tables: Option<Vec<String>>,
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
    StoreRewrite,
    Export {
        survey: String,
        out: PathBuf,
    },
    I18nExportSurvey {
        survey: String,
        lang: String,
    },
    I18nImportSurvey {
        survey: String,
        sheet: String,
        /// Print the translated definition on standard output.
        definition: bool,
    },
}

impl Command {
    /// The command's name as typed, for the server's log (never its arguments).
    pub fn name(&self) -> &'static str {
        match self {
            Command::SurveyImport { .. } => "survey import",
            Command::SurveyList => "survey list",
            Command::SurveyOpen { .. } => "survey open",
            Command::SurveyClose { .. } => "survey close",
            Command::CodesIssue { .. } => "codes issue",
            Command::KioskOpen { .. } => "kiosk open",
            Command::KioskClose { .. } => "kiosk close",
            Command::UserAdd { .. } => "user add",
            Command::UserApiKey { .. } => "user api-key",
            Command::UserList => "user list",
            Command::UserPassword { .. } => "user password",
            Command::UserRemove { .. } => "user remove",
            Command::ReleasePublish { .. } => "release publish",
            Command::ReleasePublic { .. } => "release public",
            Command::SurveyShred { .. } => "survey shred",
            Command::SurveyRetention { .. } => "survey retention",
            Command::Backup { .. } => "backup",
            Command::StoreRewrite => "store rewrite",
            Command::Export { .. } => "export",
            Command::I18nExportSurvey { .. } => "i18n export",
            Command::I18nImportSurvey { .. } => "i18n import",
        }
    }
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
    fn said(stderr: String) -> Outcome {
        Outcome {
            ok: true,
            stdout: String::new(),
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

impl From<services::ServiceError> for Outcome {
    fn from(e: services::ServiceError) -> Outcome {
        Outcome::failed(format!("{e}\n"))
    }
}

pub fn execute(chorus: &Chorus, command: Command) -> Outcome {
    run(chorus, command).unwrap_or_else(Outcome::from)
}

fn run(chorus: &Chorus, command: Command) -> Result<Outcome, services::ServiceError> {
    let actor = Actor::command_line();
    Ok(match command {
        Command::SurveyImport { source } => {
            let done = surveys::import_survey(chorus, &actor, &source)?;
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
            let mut said = format!("{verb} survey '{}' ({}){hint}\n", done.id, done.state);
            for warning in &done.warnings {
                said.push_str(&format!("{warning}\n"));
            }
            Outcome::said(said)
        }
        Command::SurveyList => {
            let mut out = String::new();
            for s in surveys::list_surveys(chorus) {
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    s.id,
                    s.state,
                    s.mode,
                    s.progress_words(),
                    s.title
                ));
            }
            let note = if out.is_empty() {
                "no surveys yet\n".to_owned()
            } else {
                String::new()
            };
            Outcome {
                ok: true,
                stdout: out,
                stderr: note,
            }
        }
        Command::SurveyOpen { id } => {
            surveys::open_survey(chorus, &actor, &id)?;
            Outcome::said(format!("survey '{id}' is open\n"))
        }
        Command::SurveyClose { id } => {
            let closed = surveys::close_survey(chorus, &actor, &id)?;
            Outcome::said(format!("survey '{id}' is closed; {closed}\n"))
        }
        Command::SurveyShred { id } => {
            surveys::shred_survey(chorus, &actor, &id)?;
            Outcome::said(format!(
                "survey '{id}' is shredded: its key and answers are gone; its releases remain.\n{}\n",
                surveys::SHRED_NOTE
            ))
        }
        Command::SurveyRetention { id, days } => {
            let detail = surveys::set_retention(chorus, &actor, &id, (days > 0).then_some(days))?;
            Outcome::said(format!("survey '{id}': {detail}\n"))
        }
        Command::CodesIssue {
            survey,
            count,
            tags,
        } => {
            let issued = codes::issue_codes(chorus, &actor, &survey, count as usize, &tags)?;
            let mut out = String::with_capacity(issued.codes.len() * 18);
            for code in &issued.codes {
                out.push_str(&code.display());
                out.push('\n');
            }
            Outcome {
                ok: true,
                stdout: out,
                stderr: format!(
                    "issued batch {} of {count} codes for '{survey}'. They are shown only now: print or hand them out; Chorus keeps no copy.\n",
                    issued.batch
                ),
            }
        }
        Command::KioskOpen {
            survey,
            tags,
            hours,
            base_url,
        } => {
            let opened = kiosks::open_kiosk(chorus, &actor, &survey, &tags, hours)?;
            Outcome {
                ok: true,
                stdout: format!("{base_url}/k/{}\n", opened.token),
                stderr: format!(
                    "opened kiosk {} for '{survey}' (batch {}), working for {hours} hours. Open the link on the tablet; close it with `chorus kiosk close {}`.\n",
                    opened.kiosk.id.hex(),
                    opened.kiosk.batch,
                    opened.kiosk.id.hex()
                ),
            }
        }
        Command::KioskClose { kiosk } => {
            let closed = kiosks::close_kiosk(chorus, &actor, None, &kiosk)?;
            Outcome::said(format!(
                "closed kiosk {} of '{}': its link no longer works.\n",
                closed.id.hex(),
                closed.survey
            ))
        }
        Command::UserAdd {
            name,
            role,
            password,
        } => {
            let (Ok(name), Some(role)) = (AccountName::parse(&name), Role::parse(&role)) else {
                return Ok(Outcome::failed("an account name is 1–32 lower-case letters, digits, '.', '_' or '-', and the role is organiser, researcher or staff\n".into()));
            };
            let account = accounts::add_user(chorus, &actor, &name, role, &password)?;
            Outcome::said(format!(
                "added {} account '{}'\n",
                role.as_str(),
                account.name
            ))
        }
        Command::UserApiKey { name } => {
            let key = accounts::new_api_key(chorus, &actor, &name)?;
            Outcome {
                ok: true,
                stdout: format!("{key}\n"),
                stderr: format!("new API key for '{}' (any earlier key no longer works); it is shown only now\n", name.trim().to_lowercase()),
            }
        }
        Command::UserList => {
            let mut out = String::new();
            for account in accounts::list_users(chorus)? {
                out.push_str(&format!(
                    "{}\t{}\t{}\n",
                    account.name,
                    account.role.as_str(),
                    if account.has_api_key() {
                        "api key"
                    } else {
                        "no api key"
                    }
                ));
            }
            Outcome {
                ok: true,
                stdout: out,
                stderr: String::new(),
            }
        }
        Command::UserPassword { name, password } => {
            accounts::set_password(chorus, &actor, &name, &password)?;
            Outcome::said(format!(
                "new password for '{}'; every session of the account has ended\n",
                name.trim().to_lowercase()
            ))
        }
        Command::UserRemove { name } => {
            let (role, declined) = accounts::remove_user(chorus, &actor, &name)?;
            let requests = match declined {
                0 => String::new(),
                1 => "; its open export request was declined".to_owned(),
                n => format!("; its {n} open export requests were declined"),
            };
            Outcome::said(format!(
                "removed {} account '{}': its password, API key and sessions no longer work{requests}\n",
                role.as_str(),
                name.trim().to_lowercase()
            ))
        }
        Command::ReleasePublish { survey } => {
            let number = releases::publish_release(chorus, &actor, &survey)?;
            Outcome::said(format!("published release {number} of '{survey}'\n"))
        }
        Command::ReleasePublic {
            survey,
            public,
            tables,
        } => {
            public_results::set_public_results(chorus, &actor, &survey, public, tables)?;
            Outcome::said(if public {
                format!("the latest release of '{survey}' is shown at /r/{survey}\n")
            } else {
                format!("/r/{survey} no longer shows '{survey}'\n")
            })
        }
        Command::Backup { path } => {
            let bytes = operations::backup(chorus, &actor, &path)?;
            Outcome::said(format!("wrote a backup of {bytes} bytes to {} (answers stay sealed; keep the key apart from it)\n", path.display()))
        }
        Command::StoreRewrite => {
            let records = operations::rewrite_store(chorus, &actor)?;
            Outcome::said(format!(
                "rewrote the store in key order ({records} records) and deleted the old files\n"
            ))
        }
        Command::Export { survey, out } => {
            exports::operator_export(chorus, &actor, &survey, &out)?;
            Outcome::said(format!(
                "wrote the export of '{survey}' to {}\n",
                out.display()
            ))
        }
        Command::I18nExportSurvey { survey, lang } => Outcome {
            ok: true,
            stdout: translations::export_stored_survey(chorus, &survey, &lang)?,
            stderr: String::new(),
        },
        Command::I18nImportSurvey {
            survey,
            sheet,
            definition,
        } => {
            let done = translations::import_survey_sheet(chorus, &actor, &survey, &sheet)?;
            let said = match &done.import {
                None => format!(
                    "the sheet changes nothing in survey '{survey}' (every translation is empty or already there)\n"
                ),
                Some(import) => {
                    let mut said = format!(
                        "wrote {} translated texts in '{}' into survey '{survey}' ({})\n",
                        done.texts, done.lang, import.state
                    );
                    if done.added_language {
                        said.push_str(&format!(
                            "'{}' is now one of the survey's languages; peers see it at once\n",
                            done.lang
                        ));
                    }
                    for warning in &import.warnings {
                        said.push_str(&format!("{warning}\n"));
                    }
                    said
                }
            };
            Outcome {
                ok: true,
                stdout: if definition {
                    done.source
                } else {
                    String::new()
                },
                stderr: said,
            }
        }
    })
}
