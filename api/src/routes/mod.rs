//! HTTP routes, grouped by resource.

pub mod auth;
pub mod connections;
pub mod health;

use actix_web::web;

/// Every `/api/v1` route of the contract.
pub fn api_v1(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
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
            .route("/connections/{id}/stores", web::get().to(connections::stores))
            .default_service(web::to(crate::startup::not_found)),
    );
}
