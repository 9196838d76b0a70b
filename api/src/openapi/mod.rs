//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! attributes and the schemas in [`schemas`], served at `GET /api/v1/openapi.json`, with an
//! interactive viewer at `GET /docs`.
//!
//! The errors every operation shares are added here rather than repeated on each handler:
//! 401 on every operation that needs the bearer token, 404 on every operation with an id in
//! its path, 400/413/415/422 on every operation with a JSON body, and 500 everywhere. Then every
//! 4xx/5xx answer gets the contract's error body, `{"error": {code, message}}`.

pub mod schemas;

use std::sync::OnceLock;

use actix_web::HttpResponse;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AdditionalProperties, Schema};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::routes;

/// The security scheme's name in the document.
pub const BEARER: &str = "bearer";
/// Where the document is served.
pub const SPEC_PATH: &str = "/api/v1/openapi.json";

/// The derived document; [`document`] adds the shared parts.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Quayside API",
        description = "QuickBooks Desktop (Web Connector) to ShipStation: the REST API the \
                       frontend uses. Every 4xx/5xx has the body `{\"error\": {\"code\", \
                       \"message\"}}`; validation failures are 422 and name the field.",
        license(name = "UNLICENSED")
    ),
    paths(
        routes::auth::signup,
        routes::auth::login,
        routes::auth::refresh,
        routes::auth::logout,
        routes::auth::me,
        routes::connections::create,
        routes::connections::list,
        routes::connections::get,
        routes::connections::patch,
        routes::connections::delete,
        routes::connections::stores,
        crate::qbwc::pairing::create_credentials,
        crate::qbwc::pairing::qwc_file,
        routes::settings::get_settings,
        routes::settings::put_settings,
        routes::test_sales::create_test_sales,
        routes::rules::list_rules,
        routes::rules::create_rule,
        routes::rules::preview_rules,
        routes::rules::get_rule,
        routes::rules::put_rule,
        routes::rules::delete_rule,
        routes::orders::list_orders,
        routes::orders::get_order,
        routes::orders::resend_order,
        routes::sync_runs::list_sync_runs,
    ),
    components(schemas(schemas::ErrorBody, schemas::ErrorDetail)),
    modifiers(&SharedParts),
    tags(
        (name = "auth", description = "Signup, login, tokens"),
        (name = "connections", description = "ShipStation accounts and their QuickBooks company"),
        (name = "qbwc", description = "Pairing with the QuickBooks Web Connector"),
        (name = "settings", description = "Sync settings and test sales"),
        (name = "rules", description = "Rules that change the ShipStation order"),
        (name = "orders", description = "What was synced, and why not"),
        (name = "sync-runs", description = "Web Connector runs"),
    )
)]
pub struct ApiDoc;

/// Paths that do not take the bearer token.
const PUBLIC: [&str; 4] = [
    "/api/v1/auth/signup",
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
];

/// Adds the bearer scheme and the errors shared by many operations.
struct SharedParts;

fn error_ref() -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description("Error")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

fn add_error(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            let mut r = error_ref();
            if let RefOr::T(resp) = &mut r {
                resp.description = description.to_owned();
            }
            r
        });
}

/// Gives every 4xx/5xx answer without content the error body.
fn error_bodies(op: &mut Operation) {
    for (status, resp) in op.responses.responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let (true, RefOr::T(r)) = (is_error, resp) {
            if r.content.is_empty() {
                r.content.insert(
                    "application/json".into(),
                    RefOr::T(
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    ),
                );
            }
        }
    }
}

impl Modify for SharedParts {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The access_token of signup, login or refresh."))
                    .build(),
            ),
        );
        if let Some(RefOr::T(Schema::Object(order))) =
            components.schemas.get_mut("ShipStationOrder")
        {
            order.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(true)));
        }
        for (path, item) in api.paths.paths.iter_mut() {
            let public = PUBLIC.contains(&path.as_str());
            let with_id = path.contains('{');
            let ops = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.put.as_mut(),
                item.patch.as_mut(),
                item.delete.as_mut(),
            ];
            for op in ops.into_iter().flatten() {
                if !public {
                    op.security =
                        Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
                    add_error(op, "401", "Missing, invalid or expired access token");
                }
                if with_id {
                    add_error(op, "404", "Unknown id, or an id of another tenant");
                }
                if op.request_body.is_some() {
                    add_error(op, "400", "The body is not valid JSON");
                    add_error(op, "413", "The body is too large");
                    add_error(op, "415", "The body is not application/json");
                    add_error(
                        op,
                        "422",
                        "A field is missing or invalid (named in the message)",
                    );
                }
                add_error(op, "500", "Something went wrong on our side");
                error_bodies(op);
            }
        }
    }
}

/// The whole document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

fn document_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        serde_json::to_string(document()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "OpenAPI document does not serialise");
            String::from("{}")
        })
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document_json())
}

/// The viewer page: Scalar's API reference, loaded by the browser from its CDN, reading the
/// document from [`SPEC_PATH`]. Nothing is downloaded at build time.
const DOCS_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Quayside API</title>
</head>
<body>
  <noscript>The interactive reference needs JavaScript. The document itself is at
    <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript>
  <script id="api-reference" data-url="/api/v1/openapi.json"></script>
  <script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@1"></script>
</body>
</html>
"#;

/// `GET /docs`: the interactive viewer.
pub async fn docs() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(DOCS_HTML)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_and_every_error_has_the_error_body() {
        let doc = serde_json::to_value(document()).expect("json");
        assert!(doc["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.1"));
        assert!(doc["components"]["securitySchemes"][BEARER].is_object());
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.len() >= 17, "{}", paths.len());
        for (path, item) in paths {
            for (method, op) in item.as_object().expect("item") {
                let responses = op["responses"].as_object().expect("responses");
                assert!(responses.contains_key("500"), "{method} {path}");
                for (status, r) in responses {
                    if status.starts_with('4') || status.starts_with('5') {
                        assert_eq!(
                            r["content"]["application/json"]["schema"]["$ref"],
                            "#/components/schemas/ErrorBody",
                            "{method} {path} {status}"
                        );
                    }
                }
                let secured = op.get("security").is_some();
                assert_eq!(secured, !PUBLIC.contains(&path.as_str()), "{method} {path}");
            }
        }
    }
}
