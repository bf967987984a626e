//! What every organiser page shares: the session check (a redirect to the login page for
//! browsers), the CSRF check for every form, and rendering with the workspace layout — including
//! a failed action, whose status comes from the one mapping in `web/error.rs`.

use crate::accounts::Role;
use crate::services::{Actor, ServiceError};
use crate::web::auth::{self, Session};
use crate::web::error::{page_message_of, status_of};
use crate::web::State;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use tera::Context;

/// A request from a logged-in organiser.
pub struct Org<'a> {
    pub state: &'a State,
    pub session: Session,
}

impl<'a> Org<'a> {
    /// The organiser behind the request, or why not (no session, or another role).
    pub fn require(state: &'a web::Data<State>, req: &HttpRequest) -> Result<Org<'a>, Refusal> {
        Org::require_role(state, req, Role::Organiser)
    }

    /// The account behind the request if it has `role` (a researcher's pages use this too).
    pub fn require_role(
        state: &'a web::Data<State>,
        req: &HttpRequest,
        role: Role,
    ) -> Result<Org<'a>, Refusal> {
        Org::require_one_of(state, req, &[role])
    }

    /// The account behind the request if it has one of `roles` (the first names the refusal).
    pub fn require_one_of(
        state: &'a web::Data<State>,
        req: &HttpRequest,
        roles: &[Role],
    ) -> Result<Org<'a>, Refusal> {
        match auth::session(state, req) {
            Some(session) if roles.contains(&session.role) => Ok(Org { state, session }),
            Some(session) => Err(Refusal::WrongRole(roles[0], session)),
            None => Err(Refusal::LogIn {
                ended: req
                    .cookie(auth::COOKIE)
                    .is_some_and(|c| !c.value().is_empty()),
            }),
        }
    }

    /// A form posted by an account with `role`: the session, the fields, and the CSRF check.
    pub async fn posted(
        state: &'a web::Data<State>,
        req: &HttpRequest,
        payload: web::Payload,
        role: Role,
    ) -> Result<(Org<'a>, Vec<(String, String)>), Refusal> {
        Org::posted_by(state, req, payload, &[role]).await
    }

    /// A form posted by an account with one of `roles`, CSRF-checked.
    pub async fn posted_by(
        state: &'a web::Data<State>,
        req: &HttpRequest,
        payload: web::Payload,
        roles: &[Role],
    ) -> Result<(Org<'a>, Vec<(String, String)>), Refusal> {
        let org = Org::require_one_of(state, req, roles)?;
        let fields = read_form(payload).await.unwrap_or_default();
        org.check_csrf(&fields)?;
        Ok((org, fields))
    }

    /// Checks the form's CSRF token.
    pub fn check_csrf(&self, fields: &[(String, String)]) -> Result<(), Refusal> {
        let submitted = fields
            .iter()
            .find(|(n, _)| n == "_csrf")
            .map(|(_, v)| v.as_str());
        if auth::csrf_ok(&self.session, submitted) {
            Ok(())
        } else {
            Err(Refusal::FormExpired)
        }
    }

    /// Who acts, for the services and their audit entries.
    pub fn actor(&self) -> Actor {
        Actor::workspace(&self.session.name)
    }

    pub fn page(&self) -> OrgPage<'a> {
        OrgPage {
            state: self.state,
            session: Some(self.session.clone()),
        }
    }
}

/// Why a workspace request is not served as asked.
#[derive(Debug, Clone)]
pub enum Refusal {
    /// No session: go to the login page — which says the session ended, and that what was
    /// being sent was not saved, when the browser still held a session that is no longer good.
    LogIn { ended: bool },
    /// Logged in with another role than the page is for: the page keeps the account's own
    /// menu and log-out button, so the way on is not a page that refuses again.
    WrongRole(Role, Session),
    /// The form's CSRF token is missing or wrong.
    FormExpired,
}

impl Refusal {
    pub fn respond(self, state: &State) -> HttpResponse {
        let page = OrgPage::bare(state);
        match self {
            Refusal::LogIn { ended: false } => see_other("/org/login"),
            Refusal::LogIn { ended: true } => see_other("/org/login?ended=1"),
            Refusal::WrongRole(role, session) => OrgPage {
                state,
                session: Some(session),
            }
            .message(
                StatusCode::FORBIDDEN,
                "Not for this account",
                &format!(
                    "This page is for {}, and you are logged in with another kind of account.",
                    match role {
                        Role::Organiser => "organisers",
                        Role::Researcher => "researchers",
                        Role::Staff => "staff",
                    }
                ),
            ),
            Refusal::FormExpired => page.message(
                StatusCode::FORBIDDEN,
                "The form expired",
                "For your safety this form can only be sent from the page that showed it. Go back, reload the page and try again.",
            ),
        }
    }
}

pub struct OrgPage<'a> {
    state: &'a State,
    session: Option<Session>,
}

impl<'a> OrgPage<'a> {
    pub fn bare(state: &'a State) -> OrgPage<'a> {
        OrgPage {
            state,
            session: None,
        }
    }

    pub fn context(&self, title: &str) -> Context {
        let mut c = Context::new();
        c.insert("title", title);
        c.insert("lang", "en");
        // Where "back" leads: the page this kind of account starts on.
        c.insert(
            "home",
            self.session.as_ref().map_or("/org", |s| home_of(s.role)),
        );
        if let Some(s) = &self.session {
            c.insert("account", &s.name);
            c.insert("csrf", &s.csrf);
            c.insert("researcher", &(s.role == Role::Researcher));
            c.insert("staff", &(s.role == Role::Staff));
        }
        c
    }

    pub fn render(&self, status: StatusCode, template: &str, context: &Context) -> HttpResponse {
        match self.state.templates.render(template, context) {
            Ok(html) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(html),
            Err(e) => {
                tracing::error!(template, error = %e, "template failed");
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body("Something went wrong on our side.")
            }
        }
    }

    pub fn message(&self, status: StatusCode, title: &str, text: &str) -> HttpResponse {
        let mut c = self.context(title);
        c.insert("text", text);
        self.render(status, "org/message.html", &c)
    }

    /// A page for an action that was refused or failed.
    pub fn failure(&self, e: &ServiceError) -> HttpResponse {
        self.message(
            status_of(e.kind()),
            "That did not work",
            &page_message_of(e),
        )
    }
}

/// The page each kind of account starts on: where logging in leads, and "back" from a page
/// that is not for it.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Organiser => "/org",
        Role::Researcher => "/org/research",
        Role::Staff => "/org/vouchers",
    }
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Reads an urlencoded form (limited in size).
pub async fn read_form(payload: web::Payload) -> Option<Vec<(String, String)>> {
    let body = crate::web::api::read_body(payload, 256 * 1024).await.ok()?;
    serde_urlencoded::from_bytes(&body).ok()
}

pub fn field<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

pub use crate::web::blocking::act;
