//! Response values and the ASP.NET Web API error bodies ShipStation returns (§5.3, §9.14).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Value};

use super::rate_limit::RateDecision;

/// What a route produced, before the common headers are added.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// JSON body, or `None` for an empty body.
    pub body: Option<Value>,
}

impl Reply {
    /// `200` with a JSON body.
    pub fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body: Some(body),
        }
    }

    /// Any status with a JSON body.
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
        }
    }

    /// A status with an empty body.
    pub fn empty(status: u16) -> Self {
        Self { status, body: None }
    }

    /// `400 {"Message":"The request is invalid.","ModelState":{key:[msg]}}`.
    pub fn model_state(key: &str, message: &str) -> Self {
        Self::json(
            400,
            json!({"Message": "The request is invalid.", "ModelState": {key: [message]}}),
        )
    }

    /// `400 {"Message": msg}`.
    pub fn bad_request(message: &str) -> Self {
        Self::json(400, json!({ "Message": message }))
    }

    /// `401` with ASP.NET's default text (the spec's stand-in).
    pub fn unauthorized() -> Self {
        Self::json(
            401,
            json!({"Message": "Authorization has been denied for this request."}),
        )
    }

    /// `404` for a URI no route matches.
    pub fn no_route(uri: &str) -> Self {
        Self::json(
            404,
            json!({"Message": format!("No HTTP resource was found that matches the request URI '{uri}'.")}),
        )
    }

    /// `405` for a known path with the wrong method.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::json(
            405,
            json!({"Message": format!("The requested resource does not support http method '{method}'.")}),
        )
    }

    /// `429` with the documented body (lower-case `message`).
    pub fn too_many_requests() -> Self {
        Self::json(429, json!({"message": "Too Many Requests"}))
    }

    /// `500` in ASP.NET's exception shape.
    pub fn server_error(exception: &str) -> Self {
        Self::json(
            500,
            json!({
                "Message": "An error has occurred.",
                "ExceptionMessage": exception,
                "ExceptionType": "System.Exception",
                "StackTrace": null
            }),
        )
    }

    /// The body a forced status gets (see `force_status`).
    pub fn forced(status: u16) -> Self {
        match status {
            401 => Self::unauthorized(),
            429 => Self::too_many_requests(),
            500 => Self::server_error("Injected fault (fake ShipStation force_status)."),
            400 => Self::bad_request("The request is invalid."),
            s => Self::json(s, json!({"Message": format!("Injected status {s}.")})),
        }
    }

    /// Renders the reply with ShipStation's captured headers and the rate-limit headers.
    pub fn into_response(self, rate: Option<RateDecision>) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut b = HttpResponse::build(status);
        b.insert_header(("cache-control", "no-cache"))
            .insert_header(("pragma", "no-cache"))
            .insert_header(("expires", "-1"))
            .insert_header(("server", "Microsoft-IIS/8.0"))
            .insert_header(("x-aspnet-version", "4.0.30319"))
            .insert_header(("x-powered-by", "ASP.NET"));
        if let Some(r) = rate {
            b.insert_header(("X-Rate-Limit-Limit", r.limit.to_string()))
                .insert_header(("X-Rate-Limit-Remaining", r.remaining.to_string()))
                .insert_header(("X-Rate-Limit-Reset", r.reset_secs.to_string()));
        }
        match self.body {
            Some(v) => b
                .insert_header(("content-type", "application/json; charset=utf-8"))
                .body(v.to_string()),
            None => b.finish(),
        }
    }
}

/// Json.NET's text for an array posted where an object is expected (and the mirror case).
pub fn shape_mismatch(expected_array: bool, path: &str) -> String {
    if expected_array {
        format!(
            "Cannot deserialize the current JSON object (e.g. {{\"name\":\"value\"}}) into type \
             'SS.OpenApi.Models.Orders.Order[]' because the type requires a JSON array (e.g. [1,2,3]) \
             to deserialize correctly. Path '{path}', line 1, position 1."
        )
    } else {
        "Cannot deserialize the current JSON array (e.g. [1,2,3]) into type \
         'SS.OpenApi.Models.Orders.Order' because the type requires a JSON object \
         (e.g. {\"name\":\"value\"}) to deserialize correctly. Path '', line 1, position 1."
            .to_owned()
    }
}
