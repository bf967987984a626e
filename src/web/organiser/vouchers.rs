//! The vouchers desk (`/org/vouchers`), for staff and organisers: type a voucher, see whether it
//! is payable, already paid or not valid, and mark it paid. The voucher travels in form bodies
//! only, never in a URL, so it is in no history and no log line.

use super::access::{act, field, Org};
use crate::accounts::Role;
use crate::services::vouchers as voucher_actions;
use crate::store::Payment;
use crate::vouchers::Standing;
use crate::web::State;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

const DESK: &[Role] = &[Role::Staff, Role::Organiser];

/// What the desk shows after a look-up or a payment.
#[derive(serde::Serialize)]
struct Outcome {
    /// `payable`, `paid_now`, `already_paid` or `not_valid` (picks the wording and colour).
    state: &'static str,
    survey: Option<String>,
    incentive: Option<String>,
    /// A recruitment reward (a coupon's stub) rather than an incentive voucher.
    reward: bool,
}

pub async fn show(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    let org = match Org::require_one_of(&state, &req, DESK) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    let page = org.page();
    let c = page.context("Vouchers");
    page.render(StatusCode::OK, "org/vouchers.html", &c)
}

pub async fn check(
    state: web::Data<State>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (org, fields) = match Org::posted_by(&state, &req, payload, DESK).await {
        Ok(x) => x,
        Err(r) => return r.respond(&state),
    };
    let typed = field(&fields, "voucher").unwrap_or_default().to_owned();
    let looked = act(&state, move |chorus| {
        Ok((
            voucher_actions::voucher_standing(chorus, &typed)?,
            voucher_actions::voucher_is_reward(chorus, &typed)?,
        ))
    })
    .await;
    let outcome = match looked {
        Ok((Standing::Payable { survey }, reward)) => described(&state, "payable", survey, reward),
        Ok((Standing::AlreadyPaid { survey }, reward)) => {
            described(&state, "already_paid", survey, reward)
        }
        Ok((Standing::NotValid, _)) => not_valid(),
        Err(e) => return org.page().failure(&e),
    };
    let voucher = field(&fields, "voucher").unwrap_or_default();
    render(&org, &outcome, voucher)
}

pub async fn pay(state: web::Data<State>, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let (org, fields) = match Org::posted_by(&state, &req, payload, DESK).await {
        Ok(x) => x,
        Err(r) => return r.respond(&state),
    };
    let typed = field(&fields, "voucher").unwrap_or_default().to_owned();
    let actor = org.actor();
    let paid = act(&state, move |chorus| {
        Ok((
            voucher_actions::pay_voucher(chorus, &actor, &typed)?,
            voucher_actions::voucher_is_reward(chorus, &typed)?,
        ))
    })
    .await;
    let outcome = match paid {
        Ok((Payment::Paid(survey), reward)) => described(&state, "paid_now", survey, reward),
        Ok((Payment::AlreadyPaid(survey), reward)) => {
            described(&state, "already_paid", survey, reward)
        }
        Ok((Payment::NotValid, _)) => not_valid(),
        Err(e) => return org.page().failure(&e),
    };
    render(&org, &outcome, "")
}

fn described(state: &State, label: &'static str, survey: String, reward: bool) -> Outcome {
    let entry = state.chorus.surveys.get(&survey);
    Outcome {
        state: label,
        reward,
        // A reward stub pays the survey's coupon reward, not its incentive.
        incentive: entry.as_ref().and_then(|e| {
            let pays = if reward {
                e.survey.coupon_reward()
            } else {
                e.survey.incentive()
            };
            pays.map(|t| t.default_text().to_owned())
        }),
        survey: Some(
            entry
                .as_ref()
                .map_or(survey, |e| e.survey.title().default_text().to_owned()),
        ),
    }
}

fn not_valid() -> Outcome {
    Outcome {
        state: "not_valid",
        survey: None,
        incentive: None,
        reward: false,
    }
}

fn render(org: &Org<'_>, outcome: &Outcome, voucher: &str) -> HttpResponse {
    let page = org.page();
    let mut c = page.context("Vouchers");
    c.insert("outcome", outcome);
    c.insert("voucher", voucher);
    page.render(StatusCode::OK, "org/vouchers.html", &c)
}
