//! The audit log page: what organisers and researchers did, by account and day.

use super::access::Org;
use crate::web::State;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn show(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    let entries = crate::audit::latest(&state.chorus.store, 500).unwrap_or_default();
    let page = org.page();
    let mut c = page.context("Audit log");
    c.insert("entries", &entries);
    page.render(StatusCode::OK, "org/audit.html", &c)
}
