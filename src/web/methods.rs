//! A request with a method its address does not take (`GET` on a form's target, `PUT` on the
//! API): actix's router answers 405 with an `Allow` header naming the methods the address does
//! take, but with an empty body. This gives that answer words, in the shape of the rest of the
//! address space — the API's JSON error, a workspace page, or a peer page with its language and
//! Quick exit — rather than a 404 that would wrongly say the survey does not exist.
//!
//! For the router to know an address's methods, each address is registered once with all its
//! methods (`web::resource(path).get(…).post(…)`), never one route per method.

use super::error::ApiError;
use super::State;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

pub async fn explain_refused_method(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let res = next.call(req).await?;
    if res.status() != StatusCode::METHOD_NOT_ALLOWED {
        return Ok(res.map_into_left_body());
    }
    let allow = res
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (req, _) = res.into_parts();
    let response = refused(&req, allow);
    Ok(ServiceResponse::new(req, response).map_into_right_body())
}

fn refused(req: &HttpRequest, allow: String) -> HttpResponse {
    let path = req.path();
    let state = req.app_data::<web::Data<State>>();
    let mut response = match state {
        Some(state) if !path.starts_with("/api/") => {
            if path == "/org" || path.starts_with("/org/") {
                super::organiser::method_not_allowed(state)
            } else {
                super::peer::method_not_allowed(state, req)
            }
        }
        _ => return ApiError::MethodNotAllowed { allow }.error_response(),
    };
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}
