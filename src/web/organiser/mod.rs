//! The organiser workspace (`/org`): log in, manage surveys, issue code cards, publish and read
//! disclosure-controlled releases, read the audit log. Organisers never see an individual
//! response: every number here is a band, a count of codes, or a released table.

pub(super) mod access;
mod audit_log;
mod cards;
mod exports;
mod free_text;
mod kiosks;
mod login;
mod pickup;
pub(crate) mod results;
mod surveys;
mod vouchers;

pub(crate) use cards::short_address;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/org", web::get().to(surveys::show_list))
        .route("/org/login", web::get().to(login::show_login))
        .route("/org/login", web::post().to(login::log_in))
        .route("/org/logout", web::post().to(login::log_out))
        .route("/org/setup/{token}", web::get().to(login::show_setup))
        .route("/org/setup/{token}", web::post().to(login::set_up))
        .route("/org/import", web::get().to(surveys::show_import))
        .route("/org/import", web::post().to(surveys::import))
        .route("/org/s/{survey}", web::get().to(surveys::show_survey))
        .route(
            "/org/s/{survey}/state",
            web::post().to(surveys::change_state),
        )
        .route("/org/s/{survey}/codes", web::post().to(cards::issue))
        .route("/org/s/{survey}/cards/{ticket}", web::get().to(cards::show))
        .route("/org/s/{survey}/kiosks", web::post().to(kiosks::open))
        .route(
            "/org/s/{survey}/kiosks/opened/{ticket}",
            web::get().to(kiosks::show_opened),
        )
        .route(
            "/org/s/{survey}/kiosks/{kiosk}/close",
            web::post().to(kiosks::close),
        )
        .route("/org/s/{survey}/shred", web::post().to(surveys::shred))
        .route(
            "/org/s/{survey}/retention",
            web::post().to(surveys::set_retention),
        )
        .route("/org/s/{survey}/releases", web::post().to(results::publish))
        .route(
            "/org/s/{survey}/releases/{number}",
            web::get().to(results::show),
        )
        .route(
            "/org/s/{survey}/releases/{number}/{format}",
            web::get().to(results::download),
        )
        .route(
            "/org/s/{survey}/free-text/{question}",
            web::get().to(free_text::show),
        )
        .route("/org/s/{survey}/quotes", web::post().to(free_text::quote))
        .route(
            "/org/s/{survey}/public",
            web::post().to(free_text::set_public),
        )
        .route("/org/audit", web::get().to(audit_log::show))
        .route("/org/vouchers", web::get().to(vouchers::show))
        .route("/org/vouchers/check", web::post().to(vouchers::check))
        .route("/org/vouchers/pay", web::post().to(vouchers::pay))
        .route("/org/exports", web::get().to(exports::show_requests))
        .route("/org/exports/{id}/decide", web::post().to(exports::decide))
        .route("/org/research", web::get().to(exports::show_research))
        .route(
            "/org/research/requests",
            web::post().to(exports::request_export),
        )
        .route(
            "/org/research/exports/{id}/download",
            web::get().to(exports::download),
        );
}
