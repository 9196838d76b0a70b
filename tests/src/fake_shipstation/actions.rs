//! Test-side actions that have no V1 endpoint: buy a label (ship), void it, change a status.

use anyhow::{anyhow, bail};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::dispatch::with_account;
use super::model::ORDER_STATUSES;
use super::shipments::Shipment;
use super::state::{Account, Shared, StoredOrder};
use super::time;
use super::webhooks;

/// What label(s) to "buy" for an order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ShipSpec {
    /// Tracking number of the first package; `None` = generated. Further packages get
    /// `<tracking>-2`, `<tracking>-3`, … (or generated numbers).
    pub tracking_number: Option<String>,
    /// Carrier code (default `stamps_com`).
    pub carrier_code: String,
    /// Service code (default `usps_priority_mail`).
    pub service_code: Option<String>,
    /// Postage of each label.
    pub shipment_cost: f64,
    /// Insurance cost of each label.
    pub insurance_cost: f64,
    /// Ship date (default: today, Pacific).
    pub ship_date: Option<NaiveDate>,
    /// Number of labels (packages), at least 1.
    pub packages: usize,
    /// Fire `SHIP_NOTIFY` webhooks (default true).
    pub notify: bool,
    /// Seconds added to the labels' `createDate` (negative: earlier), for labels dated by a
    /// clock that disagrees or listed late.
    pub create_date_offset_secs: i64,
}

impl Default for ShipSpec {
    fn default() -> Self {
        Self {
            tracking_number: None,
            carrier_code: "stamps_com".into(),
            service_code: Some("usps_priority_mail".into()),
            shipment_cost: 0.0,
            insurance_cost: 0.0,
            ship_date: None,
            packages: 1,
            notify: true,
            create_date_offset_secs: 0,
        }
    }
}

/// Finds an order by `orderKey`, or by `orderId` when `reference` is numeric.
pub fn find_order<'a>(acc: &'a mut Account, reference: &str) -> Option<&'a mut StoredOrder> {
    let by_key = acc
        .orders
        .iter()
        .position(|o| o.order.order_key.as_deref() == Some(reference));
    let idx = by_key.or_else(|| {
        let id: i64 = reference.parse().ok()?;
        acc.orders.iter().position(|o| o.id == id)
    })?;
    acc.orders.get_mut(idx)
}

/// Sets the status and moves `modifyDate`.
pub fn set_status(order: &mut StoredOrder, status: &str) {
    let now = time::now_pacific();
    order.order.order_status = Some(status.to_owned());
    order.modified = now;
    order.order.modify_date = Some(time::fmt7(now));
}

/// Changes an order as staff would in ShipStation's UI: `patch`'s top-level fields (camelCase,
/// as the API names them) replace the order's.
pub fn edit_order(
    shared: &Shared,
    key: &str,
    reference: &str,
    patch: &serde_json::Value,
) -> anyhow::Result<()> {
    let Some(fields) = patch.as_object() else {
        bail!("the patch must be a JSON object");
    };
    with_account(shared, key, |acc, _| {
        let order = find_order(acc, reference).ok_or_else(|| anyhow!("no order '{reference}'"))?;
        let mut value = serde_json::to_value(&order.order)?;
        if let Some(obj) = value.as_object_mut() {
            obj.extend(fields.clone());
        }
        order.order = serde_json::from_value(value)?;
        let now = time::now_pacific();
        order.modified = now;
        order.order.modify_date = Some(time::fmt7(now));
        Ok(())
    })
    .ok_or_else(|| anyhow!("no account '{key}'"))?
}

/// Creates label shipment(s) for an order, marks it shipped and fires `SHIP_NOTIFY`.
pub async fn ship_order(
    shared: &Shared,
    key: &str,
    reference: &str,
    spec: &ShipSpec,
) -> anyhow::Result<Vec<i64>> {
    let (ids, store_id, batch) = with_account(shared, key, |acc, env| {
        let now = time::now_pacific();
        let order = find_order(acc, reference)
            .filter(|o| o.active)
            .ok_or_else(|| anyhow!("no order '{reference}' on account '{key}'"))?;
        let batch = env.ids.next("batch");
        let ship_on = spec.ship_date.unwrap_or(now.date());
        let o = order.order.clone();
        let items: Vec<_> = o
            .items
            .clone()
            .unwrap_or_default()
            .into_iter()
            .filter(|i| i.adjustment != Some(true))
            .collect();
        let mut made = Vec::new();
        for n in 0..spec.packages.max(1) {
            let shipment_id = env.ids.next("shipment");
            let tracking = match (&spec.tracking_number, n) {
                (Some(t), 0) => t.clone(),
                (Some(t), n) => format!("{t}-{}", n + 1),
                (None, _) => format!("9400111899561{shipment_id:09}"),
            };
            made.push(Shipment {
                shipment_id,
                order_id: order.id,
                order_key: o.order_key.clone(),
                user_id: None,
                customer_email: o.customer_email.clone(),
                order_number: o.order_number.clone(),
                create_date: time::fmt7(
                    now + chrono::Duration::seconds(spec.create_date_offset_secs),
                ),
                ship_date: time::fmt_date(ship_on),
                shipment_cost: spec.shipment_cost,
                insurance_cost: spec.insurance_cost,
                tracking_number: tracking,
                is_return_label: false,
                batch_number: Some(batch.to_string()),
                carrier_code: spec.carrier_code.clone(),
                service_code: spec.service_code.clone(),
                package_code: Some("package".into()),
                confirmation: o.confirmation.clone().or(Some("none".into())),
                warehouse_id: None,
                voided: false,
                void_date: None,
                marketplace_notified: false,
                notify_error_message: None,
                ship_to: o.ship_to.clone(),
                weight: o.weight.clone(),
                dimensions: o.dimensions.clone(),
                insurance_options: o.insurance_options.clone(),
                advanced_options: Some(json!({
                    "billToParty": null, "billToAccount": null, "billToPostalCode": null,
                    "billToCountryCode": null, "storeId": order.store_id
                })),
                shipment_items: Some(if n == 0 { items.clone() } else { Vec::new() }),
                label_data: None,
                form_data: None,
                created: now,
                shipped_on: ship_on,
                voided_at: None,
                store_id: order.store_id,
                batch_id: batch,
            });
        }
        set_status(order, "shipped");
        order.order.ship_date = Some(time::fmt_date(ship_on));
        let store_id = order.store_id;
        let ids = made.iter().map(|s| s.shipment_id).collect::<Vec<_>>();
        acc.shipments.extend(made);
        Ok::<_, anyhow::Error>((ids, store_id, batch))
    })
    .ok_or_else(|| anyhow!("no account '{key}'"))??;
    if spec.notify {
        let url = format!(
            "{}/shipments?batchId={batch}&includeShipmentItems=False",
            shared.public_url
        );
        webhooks::deliver(shared, key, "SHIP_NOTIFY", Some(store_id), &url).await;
    }
    Ok(ids)
}

/// Voids a label. When no unvoided label is left, a shipped order returns to
/// `awaiting_shipment` (as voiding does in the ShipStation UI).
pub fn void_shipment(shared: &Shared, key: &str, shipment_id: i64) -> anyhow::Result<()> {
    with_account(shared, key, |acc, _| {
        let now = time::now_pacific();
        let s = acc
            .shipments
            .iter_mut()
            .find(|s| s.shipment_id == shipment_id)
            .ok_or_else(|| anyhow!("no shipment {shipment_id}"))?;
        if s.voided {
            bail!("shipment {shipment_id} is already voided");
        }
        s.voided = true;
        s.voided_at = Some(now);
        s.void_date = Some(time::fmt7(now));
        let order_id = s.order_id;
        let live = acc
            .shipments
            .iter()
            .any(|s| s.order_id == order_id && !s.voided);
        if let Some(order) = acc.orders.iter_mut().find(|o| o.id == order_id) {
            if !live && order.order.order_status.as_deref() == Some("shipped") {
                set_status(order, "awaiting_shipment");
            }
        }
        Ok(())
    })
    .ok_or_else(|| anyhow!("no account '{key}'"))?
}

/// Sets an order's status directly (e.g. `cancelled`, `on_hold`).
pub fn set_order_status(
    shared: &Shared,
    key: &str,
    reference: &str,
    status: &str,
) -> anyhow::Result<()> {
    if !ORDER_STATUSES.contains(&status) {
        bail!("invalid order status '{status}'");
    }
    with_account(shared, key, |acc, _| {
        let order = find_order(acc, reference).ok_or_else(|| anyhow!("no order '{reference}'"))?;
        set_status(order, status);
        Ok(())
    })
    .ok_or_else(|| anyhow!("no account '{key}'"))?
}
