//! Label shipments, fulfillments and `markasshipped` (§4).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::dispatch::Ctx;
use super::model::{num, Address, Dimensions, InsuranceOptions, OrderItem, Weight};
use super::reply::Reply;
use super::{actions, time};

/// A label shipment, shaped like `GET /shipments` rows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    pub shipment_id: i64,
    pub order_id: i64,
    pub order_key: Option<String>,
    pub user_id: Option<String>,
    pub customer_email: Option<String>,
    pub order_number: Option<String>,
    pub create_date: String,
    pub ship_date: String,
    #[serde(serialize_with = "num::plain")]
    pub shipment_cost: f64,
    #[serde(serialize_with = "num::plain")]
    pub insurance_cost: f64,
    pub tracking_number: String,
    pub is_return_label: bool,
    pub batch_number: Option<String>,
    pub carrier_code: String,
    pub service_code: Option<String>,
    pub package_code: Option<String>,
    pub confirmation: Option<String>,
    pub warehouse_id: Option<i64>,
    pub voided: bool,
    pub void_date: Option<String>,
    pub marketplace_notified: bool,
    pub notify_error_message: Option<String>,
    pub ship_to: Option<Address>,
    pub weight: Option<Weight>,
    pub dimensions: Option<Dimensions>,
    pub insurance_options: Option<InsuranceOptions>,
    pub advanced_options: Option<Value>,
    pub shipment_items: Option<Vec<OrderItem>>,
    pub label_data: Option<String>,
    pub form_data: Option<String>,
    /// Internal: creation time (Pacific).
    #[serde(skip)]
    pub created: NaiveDateTime,
    /// Internal: ship date.
    #[serde(skip)]
    pub shipped_on: NaiveDate,
    /// Internal: void time.
    #[serde(skip)]
    pub voided_at: Option<NaiveDateTime>,
    /// Internal: store of the order.
    #[serde(skip)]
    pub store_id: i64,
    /// Internal: label batch (`batchId` filter).
    #[serde(skip)]
    pub batch_id: i64,
}

/// A fulfillment (order marked shipped without a ShipStation label).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fulfillment {
    pub fulfillment_id: i64,
    pub order_id: i64,
    pub order_number: Option<String>,
    pub user_id: Option<String>,
    pub customer_email: Option<String>,
    pub tracking_number: Option<String>,
    pub create_date: String,
    pub ship_date: String,
    pub void_date: Option<String>,
    pub delivery_date: Option<String>,
    pub carrier_code: Option<String>,
    pub fulfillment_provider_code: Option<String>,
    pub fulfillment_service_code: Option<String>,
    #[serde(serialize_with = "num::plain")]
    pub fulfillment_fee: f64,
    pub void_requested: bool,
    pub voided: bool,
    pub marketplace_notified: bool,
    pub notify_error_message: Option<String>,
    pub ship_to: Option<Address>,
    /// Internal: creation time (Pacific).
    #[serde(skip)]
    pub created: NaiveDateTime,
    /// Internal: ship date.
    #[serde(skip)]
    pub shipped_on: NaiveDate,
}

fn contains(hay: &Option<String>, needle: Option<&str>) -> bool {
    needle.is_none_or(|n| {
        hay.as_deref()
            .is_some_and(|h| h.to_lowercase().contains(&n.to_lowercase()))
    })
}

fn eq(hay: Option<&str>, needle: Option<&str>) -> bool {
    needle.is_none_or(|n| hay.is_some_and(|h| h.eq_ignore_ascii_case(n)))
}

fn day(d: NaiveDate) -> Option<NaiveDateTime> {
    d.and_hms_opt(0, 0, 0)
}

/// `GET /shipments` with the §4.1 filters (plus `batchId`) → `{shipments, total, page, pages}`.
/// Only label shipments; voided rows included.
pub fn list(ctx: &Ctx<'_>) -> Reply {
    let q = &ctx.query;
    let parsed = (|| {
        Ok::<_, Reply>((
            q.get_i64("orderId")?,
            q.get_i64("storeId")?,
            q.get_i64("batchId")?,
            q.range("createDate")?,
            q.range("shipDate")?,
            q.range("voidDate")?,
            q.get_bool("includeShipmentItems")?.unwrap_or(false),
            q.paging()?,
        ))
    })();
    let (order_id, store_id, batch_id, created, shipped, voided, with_items, paging) = match parsed
    {
        Ok(p) => p,
        Err(r) => return r,
    };
    let sort_ship = q
        .get("sortBy")
        .is_some_and(|s| s.eq_ignore_ascii_case("ShipDate"));
    let desc = q.descending();
    ctx.with_account(|acc, _| {
        let mut rows: Vec<&Shipment> = acc
            .shipments
            .iter()
            .filter(|s| order_id.is_none_or(|id| s.order_id == id))
            .filter(|s| store_id.is_none_or(|id| s.store_id == id))
            .filter(|s| batch_id.is_none_or(|id| s.batch_id == id))
            .filter(|s| eq(s.order_number.as_deref(), q.get("orderNumber")))
            .filter(|s| eq(Some(&s.tracking_number), q.get("trackingNumber")))
            .filter(|s| eq(Some(&s.carrier_code), q.get("carrierCode")))
            .filter(|s| eq(s.service_code.as_deref(), q.get("serviceCode")))
            .filter(|s| {
                contains(
                    &s.ship_to.as_ref().and_then(|a| a.name.clone()),
                    q.get("recipientName"),
                )
            })
            .filter(|s| {
                eq(
                    s.ship_to.as_ref().and_then(|a| a.country.as_deref()),
                    q.get("recipientCountryCode"),
                )
            })
            .filter(|s| created.contains(Some(s.created)))
            .filter(|s| shipped.contains(day(s.shipped_on)))
            .filter(|s| voided.contains(s.voided_at))
            .collect();
        if sort_ship {
            rows.sort_by_key(|s| (s.shipped_on, s.created, s.shipment_id));
        } else {
            rows.sort_by_key(|s| (s.created, s.shipment_id));
        }
        if desc {
            rows.reverse();
        }
        let json = rows
            .into_iter()
            .map(|s| {
                let mut s = s.clone();
                if !with_items {
                    s.shipment_items = None;
                }
                serde_json::to_value(s).unwrap_or(Value::Null)
            })
            .collect();
        Reply::ok(paging.envelope("shipments", json))
    })
}

/// `GET /fulfillments` with the §4.2 filters → `{fulfillments, total, page, pages}`.
pub fn list_fulfillments(ctx: &Ctx<'_>) -> Reply {
    let q = &ctx.query;
    let parsed = (|| {
        Ok::<_, Reply>((
            q.get_i64("fulfillmentId")?,
            q.get_i64("orderId")?,
            q.range("createDate")?,
            q.range("shipDate")?,
            q.paging()?,
        ))
    })();
    let (fulfillment_id, order_id, created, shipped, paging) = match parsed {
        Ok(p) => p,
        Err(r) => return r,
    };
    let sort_ship = q
        .get("sortBy")
        .is_some_and(|s| s.eq_ignore_ascii_case("ShipDate"));
    let desc = q.descending();
    ctx.with_account(|acc, _| {
        let mut rows: Vec<&Fulfillment> = acc
            .fulfillments
            .iter()
            .filter(|f| fulfillment_id.is_none_or(|id| f.fulfillment_id == id))
            .filter(|f| order_id.is_none_or(|id| f.order_id == id))
            .filter(|f| eq(f.order_number.as_deref(), q.get("orderNumber")))
            .filter(|f| eq(f.tracking_number.as_deref(), q.get("trackingNumber")))
            .filter(|f| {
                contains(
                    &f.ship_to.as_ref().and_then(|a| a.name.clone()),
                    q.get("recipientName"),
                )
            })
            .filter(|f| created.contains(Some(f.created)))
            .filter(|f| shipped.contains(day(f.shipped_on)))
            .collect();
        if sort_ship {
            rows.sort_by_key(|f| (f.shipped_on, f.created, f.fulfillment_id));
        } else {
            rows.sort_by_key(|f| (f.created, f.fulfillment_id));
        }
        if desc {
            rows.reverse();
        }
        let json = rows
            .into_iter()
            .map(|f| serde_json::to_value(f).unwrap_or(Value::Null))
            .collect();
        Reply::ok(paging.envelope("fulfillments", json))
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MarkIn {
    order_id: Option<i64>,
    carrier_code: Option<String>,
    ship_date: Option<String>,
    tracking_number: Option<String>,
    #[allow(dead_code)]
    notify_customer: Option<bool>,
    notify_sales_channel: Option<bool>,
}

/// `POST /orders/markasshipped`: order → `shipped`, a fulfillment (not a shipment) is
/// recorded; answers `{"orderId", "orderNumber"}`.
pub fn mark_as_shipped(ctx: &Ctx<'_>) -> Reply {
    let input: MarkIn = match serde_json::from_slice(ctx.body) {
        Ok(v) => v,
        Err(e) => return Reply::model_state("request", &e.to_string()),
    };
    let Some(order_id) = input.order_id else {
        return Reply::model_state("request.orderId", "The orderId field is required.");
    };
    let Some(carrier) = input.carrier_code.filter(|c| !c.is_empty()) else {
        return Reply::model_state("request.carrierCode", "The carrierCode field is required.");
    };
    let now = time::now_pacific();
    let ship_on = match input.ship_date.as_deref().map(time::parse_date) {
        None => now.date(),
        Some(Some(d)) => d,
        Some(None) => {
            return Reply::model_state("request.shipDate", "The shipDate value is not valid.")
        }
    };
    ctx.with_account(|acc, env| {
        let Some(order) = acc.orders.iter_mut().find(|o| o.id == order_id && o.active) else {
            return Reply::bad_request(&format!("Order {order_id} was not found."));
        };
        actions::set_status(order, "shipped");
        order.order.ship_date = Some(time::fmt_date(ship_on));
        let o = order.order.clone();
        let fulfillment = Fulfillment {
            fulfillment_id: env.ids.next("fulfillment"),
            order_id,
            order_number: o.order_number.clone(),
            user_id: None,
            customer_email: o.customer_email.clone(),
            tracking_number: input.tracking_number,
            create_date: time::fmt7(now),
            ship_date: time::fmt_date(ship_on),
            void_date: None,
            delivery_date: None,
            carrier_code: Some(carrier),
            fulfillment_provider_code: None,
            fulfillment_service_code: None,
            fulfillment_fee: 0.0,
            void_requested: false,
            voided: false,
            marketplace_notified: input.notify_sales_channel.unwrap_or(false),
            notify_error_message: None,
            ship_to: o.ship_to.clone(),
            created: now,
            shipped_on: ship_on,
        };
        acc.fulfillments.push(fulfillment);
        Reply::ok(json!({"orderId": order_id, "orderNumber": o.order_number}))
    })
}
