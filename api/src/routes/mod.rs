//! HTTP routes, grouped by resource.

pub mod auth;
pub mod connections;
pub mod health;
pub mod orders;
pub mod rules;
pub mod settings;
pub mod sync_runs;
pub mod test_sales;
pub mod webhooks;

use actix_web::web;

/// The Web Connector's endpoint and the pages it fetches.
pub fn qbwc(cfg: &mut web::ServiceConfig) {
    cfg.route("/qbwc", web::post().to(crate::qbwc::endpoint::soap))
        .route("/qbwc", web::get().to(crate::qbwc::endpoint::get))
        .route(
            "/qbwc/support",
            web::get().to(crate::qbwc::endpoint::support),
        );
}

/// ShipStation's webhook deliveries (outside `/api/v1`: ShipStation has no bearer token).
pub fn webhooks(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/webhooks/shipstation/{connection_id}/{token}")
            .app_data(web::PayloadConfig::new(webhooks::MAX_BODY))
            .route(web::post().to(webhooks::ship_notify)),
    );
}

/// Every `/api/v1` route of the contract.
pub fn api_v1(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/openapi.json", web::get().to(crate::openapi::openapi_json))
            .route("/auth/signup", web::post().to(auth::signup))
            .route("/auth/login", web::post().to(auth::login))
            .route("/auth/refresh", web::post().to(auth::refresh))
            .route("/auth/logout", web::post().to(auth::logout))
            .route("/me", web::get().to(auth::me))
            .route("/connections", web::post().to(connections::create))
            .route("/connections", web::get().to(connections::list))
            .route("/connections/{id}", web::get().to(connections::get))
            .route("/connections/{id}", web::patch().to(connections::patch))
            .route("/connections/{id}", web::delete().to(connections::delete))
            .route(
                "/connections/{id}/stores",
                web::get().to(connections::stores),
            )
            .route(
                "/connections/{id}/qbwc",
                web::post().to(crate::qbwc::pairing::create_credentials),
            )
            .route(
                "/connections/{id}/qbwc/qwc",
                web::get().to(crate::qbwc::pairing::qwc_file),
            )
            .route(
                "/connections/{id}/settings",
                web::get().to(settings::get_settings),
            )
            .route(
                "/connections/{id}/settings",
                web::put().to(settings::put_settings),
            )
            .route(
                "/connections/{id}/test-sales",
                web::post().to(test_sales::create_test_sales),
            )
            .route("/connections/{id}/rules", web::get().to(rules::list_rules))
            .route(
                "/connections/{id}/rules",
                web::post().to(rules::create_rule),
            )
            .route(
                "/connections/{id}/rules/preview",
                web::post().to(rules::preview_rules),
            )
            .route(
                "/connections/{id}/rules/{rule_id}",
                web::get().to(rules::get_rule),
            )
            .route(
                "/connections/{id}/rules/{rule_id}",
                web::put().to(rules::put_rule),
            )
            .route(
                "/connections/{id}/rules/{rule_id}",
                web::delete().to(rules::delete_rule),
            )
            .route(
                "/connections/{id}/orders",
                web::get().to(orders::list_orders),
            )
            .route(
                "/connections/{id}/orders/{order_id}",
                web::get().to(orders::get_order),
            )
            .route(
                "/connections/{id}/orders/{order_id}/resend",
                web::post().to(orders::resend_order),
            )
            .route(
                "/connections/{id}/sync-runs",
                web::get().to(sync_runs::list_sync_runs),
            )
            .default_service(web::to(crate::startup::not_found)),
    );
}
