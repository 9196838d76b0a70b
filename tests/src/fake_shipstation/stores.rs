//! `GET /stores`, `GET /stores/{id}` and the carrier lists (§5.1, §5.2).

use serde::Serialize;
use serde_json::{json, Value};

use super::dispatch::Ctx;
use super::reply::Reply;
use super::state::Ids;
use super::time;

/// A store, shaped like the `GET /stores` capture.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Store {
    pub store_id: i64,
    pub store_name: String,
    pub marketplace_id: i64,
    pub marketplace_name: String,
    pub account_name: Option<String>,
    pub email: Option<String>,
    pub integration_url: Option<String>,
    pub active: bool,
    pub company_name: Option<String>,
    pub phone: Option<String>,
    pub public_email: Option<String>,
    pub website: Option<String>,
    pub refresh_date: Option<String>,
    pub last_refresh_attempt: Option<String>,
    pub create_date: String,
    pub modify_date: String,
    pub auto_refresh: bool,
    pub status_mappings: Option<Value>,
}

/// Seeds "Manual Orders" (the default manual store), "Target Store" and "MyDemoStore".
pub fn seed(ids: &mut Ids) -> Vec<Store> {
    let now = time::fmt_ms(time::now_pacific());
    let mk =
        |id: i64, name: &str, mp_id: i64, mp_name: &str, company: Option<&str>, auto: bool| Store {
            store_id: id,
            store_name: name.to_owned(),
            marketplace_id: mp_id,
            marketplace_name: mp_name.to_owned(),
            account_name: None,
            email: None,
            integration_url: None,
            active: true,
            company_name: company.map(str::to_owned),
            phone: None,
            public_email: None,
            website: None,
            refresh_date: None,
            last_refresh_attempt: None,
            create_date: now.clone(),
            modify_date: now.clone(),
            auto_refresh: auto,
            status_mappings: None,
        };
    vec![
        mk(
            ids.next("store"),
            "Manual Orders",
            0,
            "ShipStation",
            Some(""),
            false,
        ),
        mk(ids.next("store"), "Target Store", 74, "Target", None, true),
        mk(
            ids.next("store"),
            "MyDemoStore",
            0,
            "ShipStation",
            None,
            true,
        ),
    ]
}

/// `GET /stores?showInactive=&marketplaceId=` → bare array.
pub fn list(ctx: &Ctx<'_>) -> Reply {
    let show_inactive = match ctx.query.get_bool("showInactive") {
        Ok(v) => v.unwrap_or(false),
        Err(r) => return r,
    };
    let marketplace = match ctx.query.get_i64("marketplaceId") {
        Ok(v) => v,
        Err(r) => return r,
    };
    ctx.with_account(|acc, _| {
        let rows: Vec<Value> = acc
            .stores
            .iter()
            .filter(|s| show_inactive || s.active)
            .filter(|s| marketplace.is_none_or(|m| s.marketplace_id == m))
            .map(|s| serde_json::to_value(s).unwrap_or(Value::Null))
            .collect();
        Reply::ok(Value::Array(rows))
    })
}

/// `GET /stores/{id}` → the store with `statusMappings` filled in.
pub fn get(ctx: &Ctx<'_>, id: &str) -> Reply {
    let Ok(id) = id.parse::<i64>() else {
        return ctx.no_route();
    };
    ctx.with_account(
        |acc, _| match acc.stores.iter().find(|s| s.store_id == id) {
            None => Reply::json(
                404,
                json!({"Message": format!("Store {id} was not found.")}),
            ),
            Some(s) => {
                let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
                v["statusMappings"] = json!([
                    {"orderStatus": "awaiting_payment", "statusKey": "unpaid"},
                    {"orderStatus": "awaiting_shipment", "statusKey": "paid"},
                    {"orderStatus": "shipped", "statusKey": "shipped"},
                    {"orderStatus": "cancelled", "statusKey": "cancelled"},
                    {"orderStatus": "on_hold", "statusKey": "on_hold"}
                ]);
                Reply::ok(v)
            }
        },
    )
}

const CARRIERS: [(&str, &str); 3] = [
    ("stamps_com", "Stamps.com"),
    ("fedex", "FedEx"),
    ("ups", "UPS"),
];

const SERVICES: [(&str, &str, &str); 7] = [
    (
        "stamps_com",
        "usps_first_class_mail",
        "USPS First Class Mail",
    ),
    ("stamps_com", "usps_priority_mail", "USPS Priority Mail"),
    (
        "stamps_com",
        "usps_priority_mail_international",
        "USPS Priority Mail Intl",
    ),
    ("fedex", "fedex_ground", "FedEx Ground®"),
    ("fedex", "fedex_home_delivery", "FedEx Home Delivery®"),
    ("fedex", "fedex_2day", "FedEx 2Day®"),
    ("ups", "ups_ground", "UPS® Ground"),
];

/// Is `service` a seeded service of `carrier`?
pub fn service_matches(carrier: &str, service: &str) -> bool {
    SERVICES
        .iter()
        .any(|(c, s, _)| *c == carrier && *s == service)
}

/// `GET /carriers`.
pub fn carriers() -> Reply {
    let rows: Vec<Value> = CARRIERS
        .iter()
        .enumerate()
        .map(|(i, (code, name))| {
            json!({"name": name, "code": code, "accountNumber": null,
                   "requiresFundedAccount": *code == "stamps_com", "balance": 100.0,
                   "nickname": null, "shippingProviderId": 10000 + i, "primary": true})
        })
        .collect();
    Reply::ok(Value::Array(rows))
}

/// `GET /carriers/listservices?carrierCode=` and `/carriers/listpackages?carrierCode=`.
pub fn carrier_list(ctx: &Ctx<'_>, packages: bool) -> Reply {
    let Some(code) = ctx.query.get("carrierCode") else {
        return Reply::model_state("carrierCode", "The carrierCode field is required.");
    };
    if !CARRIERS.iter().any(|(c, _)| *c == code) {
        return Reply::bad_request("Invalid carrierCode");
    }
    let rows: Vec<Value> = if packages {
        vec![
            json!({"carrierCode": code, "code": "package", "name": "Package",
                    "domestic": true, "international": true}),
        ]
    } else {
        SERVICES
            .iter()
            .filter(|(c, _, _)| *c == code)
            .map(|(c, s, n)| {
                json!({"carrierCode": c, "code": s, "name": n, "domestic": true,
                       "international": s.ends_with("international")})
            })
            .collect()
    };
    Reply::ok(Value::Array(rows))
}
