//! Vouchers over the JSON API, for staff (or organiser) API keys: `POST /api/v1/vouchers/check`
//! and `POST /api/v1/vouchers/pay`, each with `{"voucher": "..."}`. The voucher is in the body,
//! never in the path, so it reaches no access log.

use super::api::{parse_json_body, read_json};
use super::auth::api_account;
use super::blocking::act;
use super::error::ApiError;
use super::State;
use crate::accounts::{Account, Role};
use crate::services::{vouchers as voucher_actions, Actor};
use crate::store::Payment;
use crate::vouchers::Standing;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

const SHAPE: &str = "The body must be {\"voucher\": \"...\"}.";

pub fn routes(cfg: &mut web::ServiceConfig) {
    // One resource per address with all its methods, so that another method gets 405 with
    // `Allow` (methods.rs) instead of falling through to 404.
    cfg.service(web::resource("/api/v1/vouchers/check").post(check));
    cfg.service(web::resource("/api/v1/vouchers/pay").post(pay));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VoucherBody {
    voucher: String,
}

/// A staff or organiser account (staff may do nothing else).
fn desk_account(state: &State, req: &HttpRequest) -> Result<Account, ApiError> {
    match api_account(state, req, Role::Staff) {
        Err(ApiError::Forbidden) => api_account(state, req, Role::Organiser),
        other => other,
    }
}

async fn read_voucher(req: &HttpRequest, payload: web::Payload) -> Result<String, ApiError> {
    let body = read_json(req, payload, 1024).await?;
    let parsed: VoucherBody = parse_json_body(&body, SHAPE)?;
    Ok(parsed.voucher)
}

async fn check(
    state: web::Data<State>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    desk_account(&state, &req)?;
    let typed = read_voucher(&req, payload).await?;
    let (standing, reward) = act(&state, move |chorus| {
        Ok((
            voucher_actions::voucher_standing(chorus, &typed)?,
            voucher_actions::voucher_is_reward(chorus, &typed)?,
        ))
    })
    .await?;
    let (label, survey) = match standing {
        Standing::Payable { survey } => ("payable", Some(survey)),
        Standing::AlreadyPaid { survey } => ("already_paid", Some(survey)),
        Standing::NotValid => ("not_valid", None),
    };
    Ok(HttpResponse::Ok().json(json!({ "state": label, "survey": survey, "reward": reward })))
}

async fn pay(
    state: web::Data<State>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&desk_account(&state, &req)?.name);
    let typed = read_voucher(&req, payload).await?;
    let (payment, reward) = act(&state, move |chorus| {
        Ok((
            voucher_actions::pay_voucher(chorus, &actor, &typed)?,
            voucher_actions::voucher_is_reward(chorus, &typed)?,
        ))
    })
    .await?;
    Ok(match payment {
        Payment::Paid(survey) => HttpResponse::Ok().json(json!({
            "state": "paid",
            "survey": survey,
            "reward": reward,
        })),
        Payment::AlreadyPaid(survey) => HttpResponse::build(StatusCode::CONFLICT).json(json!({
            "error": "already_paid",
            "message": "This voucher was paid before. Do not pay it again.",
            "state": "already_paid",
            "survey": survey,
        })),
        Payment::NotValid => HttpResponse::build(StatusCode::NOT_FOUND).json(json!({
            "error": "not_found",
            "message": "There is no voucher with this code.",
            "state": "not_valid",
        })),
    })
}
