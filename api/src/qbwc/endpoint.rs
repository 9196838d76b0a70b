//! `POST /qbwc`: the one SOAP 1.1 endpoint every customer's Web Connector calls, and the GETs
//! the Web Connector makes (WSDL, certificate check, AppSupport page).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures::StreamExt;
use shared::qbwc::soap::{
    method_from_soap_action, parse_call, render_fault, render_reply, QbwcCall, QbwcReply,
};
use tracing::Instrument;

use super::calls;
use crate::state::AppState;

const XML: &str = "text/xml; charset=utf-8";

fn fault(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(XML)
        .body(render_fault(message))
}

/// Reads the body up to `limit` bytes; `None` when it is larger.
async fn read_limited(
    mut payload: web::Payload,
    limit: usize,
) -> Result<Option<web::BytesMut>, actix_web::error::PayloadError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

pub async fn soap(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let limit = state.settings.max_soap_bytes;
    let too_large = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > limit);
    let body = if too_large {
        None
    } else {
        match read_limited(payload, limit).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "Web Connector request body could not be read");
                return fault(
                    StatusCode::BAD_REQUEST,
                    "The request body could not be read.",
                );
            }
        }
    };
    let Some(body) = body else {
        state
            .metrics
            .soap_calls
            .with_label_values(&["unknown", "too_large"])
            .inc();
        tracing::warn!(limit, "Web Connector request refused: body too large");
        return fault(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request is larger than Quayside accepts.",
        );
    };
    let call = match parse_call(&body) {
        Ok(c) => c,
        Err(e) => {
            state
                .metrics
                .soap_calls
                .with_label_values(&["unknown", "fault"])
                .inc();
            tracing::warn!(error = %e, bytes = body.len(), "malformed SOAP request refused");
            return fault(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
        }
    };
    let method = call.method_name();
    if let Some(action) = req
        .headers()
        .get("soapaction")
        .and_then(|v| v.to_str().ok())
    {
        if method_from_soap_action(action).is_some_and(|m| m != method) {
            tracing::warn!(
                method,
                "SOAPAction header names another method; following the body"
            );
        }
    }
    let span = tracing::info_span!("qbwc_call", method, connection_id = tracing::field::Empty);
    let (reply, outcome) = dispatch(&state, call).instrument(span).await;
    state
        .metrics
        .soap_calls
        .with_label_values(&[method, outcome])
        .inc();
    HttpResponse::Ok()
        .content_type(XML)
        .body(render_reply(&reply))
}

async fn dispatch(state: &AppState, call: QbwcCall) -> (QbwcReply, &'static str) {
    let result = match &call {
        QbwcCall::ServerVersion => Ok((
            QbwcReply::ServerVersion(format!("Quayside {}", env!("CARGO_PKG_VERSION"))),
            "ok",
        )),
        QbwcCall::ClientVersion { .. } => Ok((QbwcReply::ClientVersion(String::new()), "ok")),
        QbwcCall::Authenticate { username, password } => {
            calls::authenticate(state, username, password).await
        }
        QbwcCall::SendRequestXml {
            ticket,
            hcp_response,
            major_version,
            minor_version,
            ..
        } => {
            let company = calls::CompanyInfo {
                hcp_response,
                major_version: *major_version,
                minor_version: *minor_version,
            };
            calls::send_request(state, ticket, company).await
        }
        QbwcCall::ReceiveResponseXml {
            ticket,
            response,
            hresult,
            message,
        } => calls::receive_response(state, ticket, response, hresult, message).await,
        QbwcCall::ConnectionError {
            ticket,
            hresult,
            message,
        } => calls::connection_error(state, ticket, hresult, message).await,
        QbwcCall::GetLastError { ticket } => calls::get_last_error(state, ticket).await,
        QbwcCall::CloseConnection { ticket } => calls::close_connection(state, ticket).await,
    };
    match result {
        Ok(r) => r,
        Err(e) => {
            // Our own failure (database, Redis): answer in-band so the Web Connector ends the
            // run cleanly and tries again on schedule. Nothing is lost: state moves only on success.
            tracing::error!(error = %format!("{e:#}"), method = call.method_name(), "Web Connector call failed");
            if let QbwcCall::ReceiveResponseXml { ticket, .. }
            | QbwcCall::SendRequestXml { ticket, .. } = &call
            {
                calls::note_internal_failure(state, ticket).await;
            }
            let reply = match call {
                // "Application Busy", not "No data exchange required": the run did not happen.
                QbwcCall::Authenticate { .. } => QbwcReply::Authenticate(vec![String::new(), "busy".into()]),
                QbwcCall::SendRequestXml { .. } => QbwcReply::SendRequestXml(String::new()),
                QbwcCall::ReceiveResponseXml { .. } => QbwcReply::ReceiveResponseXml(-101),
                QbwcCall::GetLastError { .. } => QbwcReply::GetLastError(
                    "Quayside had a temporary problem. The next run will continue where this one stopped.".into(),
                ),
                QbwcCall::ConnectionError { .. } => QbwcReply::ConnectionError("done".into()),
                QbwcCall::CloseConnection { .. } => QbwcReply::CloseConnection("OK".into()),
                QbwcCall::ServerVersion => QbwcReply::ServerVersion(String::new()),
                QbwcCall::ClientVersion { .. } => QbwcReply::ClientVersion(String::new()),
            };
            (reply, "error")
        }
    }
}

/// `GET /qbwc`: the WSDL with `?wsdl`, otherwise a 200 the Web Connector's certificate check
/// accepts.
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    if req.query_string().to_ascii_lowercase().contains("wsdl") {
        let url = format!("{}/qbwc", state.settings.public_base_url);
        return HttpResponse::Ok()
            .content_type(XML)
            .body(shared::qbwc::wsdl::wsdl(&url));
    }
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("Quayside QuickBooks Web Connector endpoint. POST SOAP 1.1 requests here.")
}

/// `GET /qbwc/support`: the AppSupport page named in the .qwc (must answer 200).
pub async fn support() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            "<!doctype html><html><head><title>Quayside support</title></head><body>\
         <h1>Quayside for QuickBooks Web Connector</h1>\
         <p>Quayside sends your QuickBooks sales to ShipStation and writes tracking numbers back. \
         Sync results for each run are shown in your Quayside account under Web Connector runs.</p>\
         </body></html>",
        )
}
