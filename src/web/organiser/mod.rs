//! The organiser workspace (`/org`): log in, manage surveys, issue code cards, publish and read
//! disclosure-controlled releases, read the audit log. Organisers never see an individual
//! response: every number here is a band, a count of codes, or a released table.

pub(super) mod access;
mod audit_log;
pub(super) mod background;
mod cards;
mod exports;
mod free_text;
mod kiosks;
mod login;
mod pickup;
pub(crate) mod results;
mod surveys;
mod upload;
mod vouchers;

pub(crate) use cards::short_address;
pub(crate) use upload::UploadError;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

/// The page for a workspace address opened with a method it does not take (a form's target
/// opened as a link, say).
pub(super) fn method_not_allowed(state: &crate::web::State) -> HttpResponse {
    access::OrgPage::bare(state).message(
        StatusCode::METHOD_NOT_ALLOWED,
        "This page can't be opened directly",
        "This address is reached by sending one of the workspace's forms, not by opening it. Go back to the surveys and try again from there.",
    )
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    // One resource per address with all its methods, so that another method gets 405 with
    // `Allow` (methods.rs) instead of falling through to 404.
    cfg.service(web::resource("/org").get(surveys::show_list));
    cfg.service(
        web::resource("/org/login")
            .get(login::show_login)
            .post(login::log_in),
    );
    cfg.service(web::resource("/org/logout").post(login::log_out));
    cfg.service(
        web::resource("/org/setup/{token}")
            .get(login::show_setup)
            .post(login::set_up),
    );
    cfg.service(
        web::resource("/org/import")
            .get(surveys::show_import)
            .post(surveys::import),
    );
    cfg.service(web::resource("/org/s/{survey}").get(surveys::show_survey));
    cfg.service(web::resource("/org/s/{survey}/state").post(surveys::change_state));
    cfg.service(web::resource("/org/s/{survey}/codes").post(cards::issue));
    cfg.service(web::resource("/org/s/{survey}/cards/{ticket}").get(cards::show));
    cfg.service(web::resource("/org/s/{survey}/kiosks").post(kiosks::open));
    cfg.service(web::resource("/org/s/{survey}/kiosks/opened/{ticket}").get(kiosks::show_opened));
    cfg.service(web::resource("/org/s/{survey}/kiosks/{kiosk}/close").post(kiosks::close));
    cfg.service(web::resource("/org/s/{survey}/shred").post(surveys::shred));
    cfg.service(web::resource("/org/s/{survey}/retention").post(surveys::set_retention));
    cfg.service(web::resource("/org/s/{survey}/releases").post(results::publish));
    cfg.service(web::resource("/org/s/{survey}/working").get(background::show));
    cfg.service(web::resource("/org/s/{survey}/releases/{number}").get(results::show));
    cfg.service(web::resource("/org/s/{survey}/releases/{number}/{format}").get(results::download));
    cfg.service(web::resource("/org/s/{survey}/free-text/{question}").get(free_text::show));
    cfg.service(web::resource("/org/s/{survey}/quotes").post(free_text::quote));
    cfg.service(web::resource("/org/s/{survey}/public").post(free_text::set_public));
    cfg.service(web::resource("/org/audit").get(audit_log::show));
    cfg.service(web::resource("/org/vouchers").get(vouchers::show));
    cfg.service(web::resource("/org/vouchers/check").post(vouchers::check));
    cfg.service(web::resource("/org/vouchers/pay").post(vouchers::pay));
    cfg.service(web::resource("/org/exports").get(exports::show_requests));
    cfg.service(web::resource("/org/exports/{id}/decide").post(exports::decide));
    cfg.service(web::resource("/org/research").get(exports::show_research));
    cfg.service(web::resource("/org/research/requests").post(exports::request_export));
    cfg.service(web::resource("/org/research/exports/{id}/download").get(exports::download));
}
