//! Logging in and out, and the first organiser's one-time set-up link.

use super::access::{act, field, home_of, read_form, see_other, OrgPage};
use crate::accounts::{self, AccountName};
use crate::services::{accounts as account_actions, Actor, ServiceError};
use crate::web::error::{page_message_of, status_of};
use crate::web::State;
use crate::web::{auth, device, login_guard};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// `?ended=1`: the browser's session was no longer good when it last asked for a page.
#[derive(serde::Deserialize)]
pub struct LoginQuery {
    ended: Option<String>,
}

/// What an organiser whose session ended is told, so that a form sent then is not lost unseen.
const SESSION_ENDED: &str = "Your session has ended, so anything you were just sending was not saved: log in, then send it again. A session lasts 12 hours, and logging out on one device ends it on every device.";

pub async fn show_login(
    state: web::Data<State>,
    req: HttpRequest,
    query: web::Query<LoginQuery>,
) -> HttpResponse {
    let ended = query.ended.is_some().then_some(SESSION_ENDED);
    login_page(&state, &req, StatusCode::OK, ended)
}

/// The login form, with a fresh token in its cookie and its form.
fn login_page(
    state: &State,
    req: &HttpRequest,
    status: StatusCode,
    error: Option<&str>,
) -> HttpResponse {
    let cookie = auth::login_token_cookie(auth::is_secure(state, req));
    let page = OrgPage::bare(state);
    let mut c = page.context("Log in");
    c.insert("error", &error);
    c.insert("login_token", cookie.value());
    let mut response = page.render(status, "org/login.html", &c);
    let _ = response.add_cookie(&cookie);
    response
}

pub async fn log_in(
    state: web::Data<State>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let Some(fields) = read_form(payload).await else {
        return login_page(
            &state,
            &req,
            StatusCode::BAD_REQUEST,
            Some("The form could not be read."),
        );
    };
    let name = field(&fields, "name").unwrap_or("").trim().to_lowercase();
    let password = field(&fields, "password").unwrap_or("");
    // A browser that has logged in to this account before skips what strangers share — the
    // per-client rate and lockout (one "client" for everyone behind Tor) and the account's
    // back-off — and is held to its own failures instead.
    let device = device::device_of(&state, &req, &name);
    if device.is_none() && state.limit(&state.logins, &req).is_err() {
        return login_page(
            &state,
            &req,
            StatusCode::TOO_MANY_REQUESTS,
            Some("Too many attempts from here. Wait a minute and try again."),
        );
    }
    if !auth::login_token_ok(&req, field(&fields, "_csrf")) {
        return login_page(
            &state,
            &req,
            StatusCode::FORBIDDEN,
            Some("For your safety this form can only be sent from this page. Please try again."),
        );
    }
    // One password check at a time, taken before the attempt is counted: a login turned away
    // here counts for nothing.
    let Some(turn) = state.password_checks.turn().await else {
        return login_page(
            &state,
            &req,
            StatusCode::SERVICE_UNAVAILABLE,
            Some("Many logins are being tried at once. Wait a moment and try again."),
        );
    };
    let client = state.client(&req);
    let verdict = match &device {
        Some(device) => state.login_guard.check_device(device),
        None => state.login_guard.begin(&name, client),
    };
    match verdict {
        login_guard::Verdict::Allowed => {}
        login_guard::Verdict::Locked => {
            return login_page(
                &state,
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                Some("This account is locked here for 15 minutes after too many wrong passwords."),
            )
        }
        login_guard::Verdict::Wait(seconds) => {
            return login_page(
                &state,
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                Some(&format!(
                    "Someone has been guessing this account's password. Wait {} and try again.",
                    if seconds == 1 {
                        "a second".to_owned()
                    } else {
                        format!("{seconds} seconds")
                    }
                )),
            )
        }
    }
    // Checked after the lock, so a locked device is told it is locked. Five a minute is plenty
    // for a person; a thief with a copied cookie cannot send fifty guesses at once, all checked
    // before the fifth failure locks the device.
    if let Some(device) = device {
        if state.device_logins.check(device).is_err() {
            return login_page(
                &state,
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                Some("Too many attempts from this browser. Wait a minute and try again."),
            );
        }
    }
    let (who, secret) = (name.clone(), password.to_owned());
    let checked = act(&state, move |chorus| {
        account_actions::log_in(chorus, &who, &secret)
    })
    .await;
    drop(turn);
    match checked {
        Ok(Some(account)) => {
            match &device {
                Some(device) => state.login_guard.device_succeeded(device),
                None => state.login_guard.succeeded(&name, client),
            }
            logged_in(&state, &req, &account, home_of(account.role))
        }
        Ok(None) => {
            // Without a device, the failure was counted when the attempt began.
            if let Some(device) = &device {
                state.login_guard.device_failed(device);
            }
            login_page(
                &state,
                &req,
                StatusCode::UNAUTHORIZED,
                Some("That name and password do not match."),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "login failed");
            login_page(
                &state,
                &req,
                StatusCode::SERVICE_UNAVAILABLE,
                Some("Something went wrong on our side. Try again."),
            )
        }
    }
}

/// The answer to a right password: a session cookie, and a fresh device cookie that lets this
/// browser's next logins to the account bypass what strangers share.
fn logged_in(
    state: &State,
    req: &HttpRequest,
    account: &crate::accounts::Account,
    target: &str,
) -> HttpResponse {
    let secure = auth::is_secure(state, req);
    let mut response = see_other(target);
    let _ = response.add_cookie(&auth::session_cookie(state, account, secure));
    let _ = response.add_cookie(&device::device_cookie(state, &account.name, secure));
    response
}

/// Ends every session of the account, on this device and any other. The device cookie stays:
/// it says "this browser has logged in to this account before", not "someone is logged in",
/// and it grants nothing without the password. Clearing it would hand an organiser who logs out
/// back to the shared lockout that strangers can trigger (everyone behind Tor is one client).
pub async fn log_out(
    state: web::Data<State>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let fields = read_form(payload).await.unwrap_or_default();
    if let Some(session) = auth::session(&state, &req) {
        if auth::csrf_ok(&session, field(&fields, "_csrf")) {
            let actor = Actor::workspace(&session.name);
            let ended = act(&state, move |chorus| {
                account_actions::log_out_everywhere(chorus, &actor)
            })
            .await;
            if let Err(e) = ended {
                tracing::error!(error = %e, "logout failed");
            }
        }
    }
    let mut response = see_other("/org/login");
    let _ = response.add_cookie(&auth::cleared_cookie(auth::is_secure(&state, &req)));
    response
}

pub async fn show_setup(state: web::Data<State>, path: web::Path<String>) -> HttpResponse {
    if !account_actions::setup_token_valid(&state.chorus, &path) {
        return OrgPage::bare(&state).message(StatusCode::NOT_FOUND, "This link has been used", "This set-up link works once, and has been used or replaced. Ask whoever runs Chorus for an account (chorus user add).");
    }
    setup_page(&state, StatusCode::OK, None, "")
}

/// The set-up form; `name` is what was typed when it comes back with an error.
fn setup_page(state: &State, status: StatusCode, error: Option<&str>, name: &str) -> HttpResponse {
    let page = OrgPage::bare(state);
    let mut c = page.context("Set up the first organiser");
    c.insert("error", &error);
    c.insert("name", name);
    c.insert("min_chars", &accounts::MIN_PASSWORD_CHARS);
    page.render(status, "org/setup.html", &c)
}

pub async fn set_up(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    if !account_actions::setup_token_valid(&state.chorus, &path) {
        return OrgPage::bare(&state).message(
            StatusCode::NOT_FOUND,
            "This link has been used",
            "This set-up link works once, and has been used or replaced.",
        );
    }
    let Some(fields) = read_form(payload).await else {
        return setup_page(
            &state,
            StatusCode::BAD_REQUEST,
            Some("The form could not be read."),
            "",
        );
    };
    let typed = field(&fields, "name").unwrap_or("").trim();
    // The name first: an empty form is told it needs a name, not that the passwords differ.
    let name = match AccountName::parse(typed) {
        Ok(n) => n,
        Err(e) => {
            return setup_page(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&crate::web::error::as_sentence(&e.to_string())),
                typed,
            )
        }
    };
    let password = field(&fields, "password").unwrap_or("");
    if field(&fields, "password_again") != Some(password) {
        return setup_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("The two passwords are not the same."),
            typed,
        );
    }
    let secret = password.to_owned();
    let name_typed = typed.to_owned();
    let token = path.into_inner();
    let added = act(&state, move |chorus| {
        account_actions::set_up_first_organiser(chorus, &token, &name, &secret)
    })
    .await;
    match added {
        Ok(account) => logged_in(&state, &req, &account, "/org"),
        Err(ServiceError::SetupLinkInvalid) => OrgPage::bare(&state).message(
            StatusCode::NOT_FOUND,
            "This link has been used",
            "This set-up link works once, and has been used or replaced.",
        ),
        Err(e) => setup_page(
            &state,
            status_of(e.kind()),
            Some(&page_message_of(&e)),
            name_typed.as_str(),
        ),
    }
}
