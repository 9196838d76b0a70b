//! Orders endpoints (§3). Work in progress.

use super::dispatch::Ctx;
use super::reply::Reply;

/// `POST /orders/createorder`.
pub fn create_one(ctx: &Ctx<'_>) -> Reply {
    ctx.no_route()
}
/// `POST /orders/createorders`.
pub fn create_many(ctx: &Ctx<'_>) -> Reply {
    ctx.no_route()
}
/// `GET /orders`.
pub fn list(ctx: &Ctx<'_>) -> Reply {
    ctx.no_route()
}
/// `GET /orders/{id}`.
pub fn get(ctx: &Ctx<'_>, _id: &str) -> Reply {
    ctx.no_route()
}
/// `DELETE /orders/{id}`.
pub fn delete(ctx: &Ctx<'_>, _id: &str) -> Reply {
    ctx.no_route()
}
