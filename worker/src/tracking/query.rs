//! ShipStation's side of a pull: the `GET /shipments` query strings (dates in Pacific time
//! without an offset, as ShipStation expects) and turning its dates back into instants.

use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;
use shared::db::tracking::StoredShipment;
use shared::shipstation::model::{Fulfillment, Shipment};

/// Rows per page (ShipStation's maximum).
pub const PAGE_SIZE: u32 = 500;

/// How far before the watermark each pull starts reading again, for labels ShipStation
/// indexes late and for clocks that disagree.
pub const OVERLAP: ChronoDuration = ChronoDuration::minutes(10);

/// Which date a query filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Labels created since (new shipments).
    Created,
    /// Labels voided since (reconciliation of voids).
    Voided,
}

impl Filter {
    fn param(self) -> &'static str {
        match self {
            Filter::Created => "createDateStart",
            Filter::Voided => "voidDateStart",
        }
    }
}

/// `t` as ShipStation's Pacific wall-clock text `yyyy-MM-dd HH:mm:ss`.
pub fn pacific_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&Los_Angeles)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Where a pull starts: the watermark (or the connection's creation) minus [`OVERLAP`].
pub fn start_from(watermark: Option<DateTime<Utc>>, created: DateTime<Utc>) -> DateTime<Utc> {
    watermark.unwrap_or(created) - OVERLAP
}

/// The furthest back a catch-up pass reads.
pub const CATCH_UP_MAX: ChronoDuration = ChronoDuration::days(30);

/// What a pull's catch-up pass does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// The last one is recent enough.
    NotDue,
    /// Due, but the regular pass already reads everything it would: just record it as done.
    Nothing,
    /// Re-read the labels created since this time.
    From(DateTime<Utc>),
}

/// Whether a catch-up pass is due (none yet, or the last one `interval` ago) and where it
/// starts: when the oldest order still waiting to ship reached Quayside, minus [`OVERLAP`],
/// at most [`CATCH_UP_MAX`] back.
pub fn catch_up(
    now: DateTime<Utc>,
    caught_up_at: Option<DateTime<Utc>>,
    oldest_waiting: Option<DateTime<Utc>>,
    regular_start: DateTime<Utc>,
    interval: std::time::Duration,
) -> CatchUp {
    let interval = ChronoDuration::from_std(interval).unwrap_or(ChronoDuration::days(1));
    if caught_up_at.is_some_and(|t| now - t < interval) {
        return CatchUp::NotDue;
    }
    match oldest_waiting {
        Some(oldest) => {
            let start = (oldest - OVERLAP).max(now - CATCH_UP_MAX);
            if start < regular_start {
                CatchUp::From(start)
            } else {
                CatchUp::Nothing
            }
        }
        None => CatchUp::Nothing,
    }
}

/// The query string of page `page` of shipments since `start`.
pub fn shipments_query(filter: Filter, start: DateTime<Utc>, page: u32) -> String {
    let start = pacific_text(start).replace(' ', "%20");
    format!(
        "{}={start}&includeShipmentItems=false&pageSize={PAGE_SIZE}&page={page}\
         &sortBy=CreateDate&sortDir=ASC",
        filter.param()
    )
}

/// The query of a SHIP_NOTIFY `resource_url`, to be read from the connection's own `base_url`
/// with its credentials: ShipStation names varying hosts (`ssapi`, `ssapi11`, ...), so only the
/// path (`.../shipments`) and the filters are taken from it, and the credentials never go to
/// the host the notification named. Paging parameters are dropped (the pull adds its own).
pub fn resource_query(resource_url: &str) -> Option<String> {
    let resource = url::Url::parse(resource_url.trim()).ok()?;
    if !matches!(resource.scheme(), "http" | "https")
        || !resource
            .path()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .is_some_and(|last| last.eq_ignore_ascii_case("shipments"))
    {
        return None;
    }
    let kept: Vec<(String, String)> = resource
        .query_pairs()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("page") && !k.eq_ignore_ascii_case("pageSize"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // A list only by store, or only with display options, is a store's whole label history:
    // the watermark pass that follows every notification reads what is new in it.
    if !kept.iter().any(|(k, _)| narrows(k)) {
        return None;
    }
    Some(
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish(),
    )
}

/// Whether a `/shipments` filter names a bounded set of labels (a batch, an order, a tracking
/// number, a date range) rather than only a store or what each row includes.
fn narrows(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    matches!(
        key.as_str(),
        "batchid" | "orderid" | "ordernumber" | "trackingnumber" | "shipmentid"
    ) || key.ends_with("datestart")
        || key.ends_with("dateend")
}

/// The query string of page `page` of fulfillments (orders marked shipped without a label)
/// created since `start`.
pub fn fulfillments_query(start: DateTime<Utc>, page: u32) -> String {
    let start = pacific_text(start).replace(' ', "%20");
    format!(
        "createDateStart={start}&pageSize={PAGE_SIZE}&page={page}&sortBy=CreateDate&sortDir=ASC"
    )
}

/// A fulfillment in the shape of a label, for matching and recording: its id, order, tracking
/// and dates; no postage cost (`fulfillmentFee` is not postage).
pub fn fulfillment_as_shipment(f: &Fulfillment) -> Shipment {
    Shipment {
        shipment_id: f.fulfillment_id,
        order_id: f.order_id,
        order_number: f.order_number.clone(),
        create_date: f.create_date.clone(),
        ship_date: f.ship_date.clone(),
        tracking_number: f.tracking_number.clone(),
        carrier_code: f.carrier_code.clone(),
        voided: f.voided,
        void_date: f.void_date.clone(),
        ..Shipment::default()
    }
}

/// A ShipStation date-time (Pacific, no offset; `T` or space; optional fraction) as an
/// instant. A value with an offset is taken as given.
pub fn parse_pacific(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d"]
        .iter()
        .find_map(|f| {
            NaiveDateTime::parse_from_str(text, f).ok().or_else(|| {
                NaiveDate::parse_from_str(text, f)
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })
        })?;
    // The earliest reading of an ambiguous hour only widens the overlap; a time inside the
    // spring-forward gap is read an hour later.
    Los_Angeles
        .from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            Los_Angeles
                .from_local_datetime(&(naive + ChronoDuration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// The date part of ShipStation's `shipDate` (`2024-01-05` or a date-time).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").ok()
}

/// A shipment as the row Quayside records.
pub fn to_stored(s: &Shipment) -> StoredShipment {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    StoredShipment {
        shipstation_shipment_id: s.shipment_id,
        fulfillment: false,
        tracking_number: text(&s.tracking_number),
        carrier_code: text(&s.carrier_code),
        service_code: text(&s.service_code),
        ship_date: s.ship_date.as_deref().and_then(parse_date),
        cost: Some(s.total_cost().round_dp(2)),
        voided: s.voided,
        void_date: s.void_date.as_deref().and_then(parse_pacific),
    }
}

/// A readable carrier name for events (`ups` → `UPS`); unknown codes are shown as given.
pub fn carrier_name(code: Option<&str>) -> String {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return "an unknown carrier".to_owned();
    };
    let known = match code.to_ascii_lowercase().as_str() {
        "ups" | "ups_walleted" => "UPS",
        "fedex" | "fedex_walleted" => "FedEx",
        "usps" | "stamps_com" | "endicia" => "USPS",
        "dhl_express" | "dhl_express_worldwide" => "DHL Express",
        "dhl_ecommerce" | "dhl_global_mail" => "DHL eCommerce",
        "canada_post" => "Canada Post",
        "ontrac" => "OnTrac",
        "amazon_shipping" | "amazon_buy_shipping" => "Amazon Shipping",
        _ => return code.to_owned(),
    };
    known.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_notified_resource_keeps_its_filters_but_not_its_host() {
        for url in [
            "https://ssapi.shipstation.com/shipments?batchId=12345678&includeShipmentItems=False&page=3",
            "https://ssapi11.shipstation.com/shipments?batchId=12345678&includeShipmentItems=False",
            "http://127.0.0.1:9000/fake/shipments/?batchId=12345678&includeShipmentItems=False&pageSize=5",
        ] {
            assert_eq!(
                resource_query(url).as_deref(),
                Some("batchId=12345678&includeShipmentItems=False"),
                "{url}"
            );
        }
        assert_eq!(
            resource_query(
                "https://ssapi.shipstation.com/shipments?storeID=171654&shipDateStart=2026-12-01"
            )
            .as_deref(),
            Some("storeID=171654&shipDateStart=2026-12-01")
        );
        for bad in [
            "https://ssapi.shipstation.com/orders?orderId=1",
            "https://ssapi.shipstation.com/shipments",
            "https://ssapi.shipstation.com/shipments?page=2",
            // A whole store's (or account's) history: the watermark pass covers it.
            "https://ssapi11.shipstation.com/shipments?storeID=171654&includeShipmentItems=False",
            "https://ssapi.shipstation.com/shipments?includeShipmentItems=False",
            "ftp://ssapi.shipstation.com/shipments?batchId=1",
            "not a url",
        ] {
            assert_eq!(resource_query(bad), None, "{bad}");
        }
    }

    #[test]
    fn queries_use_pacific_wall_clock_and_page_by_create_date() {
        // 17:09:08Z in January is 09:09:08 PST; the overlap goes back 10 minutes.
        let start = start_from(
            Some(utc("2021-01-23T17:09:08Z")),
            utc("2020-01-01T00:00:00Z"),
        );
        assert_eq!(
            shipments_query(Filter::Created, start, 2),
            "createDateStart=2021-01-23%2008:59:08&includeShipmentItems=false&pageSize=500\
             &page=2&sortBy=CreateDate&sortDir=ASC"
        );
        // Summer: PDT is UTC-7.
        assert_eq!(
            pacific_text(utc("2021-07-01T12:00:00Z")),
            "2021-07-01 05:00:00"
        );
        assert!(shipments_query(Filter::Voided, start, 1).starts_with("voidDateStart="));
    }

    #[test]
    fn a_catch_up_is_due_daily_from_the_oldest_waiting_order_within_thirty_days() {
        let now = utc("2026-12-03T12:00:00Z");
        let day = std::time::Duration::from_secs(86_400);
        let regular = utc("2026-12-03T11:50:00Z");
        let oldest = Some(utc("2026-12-01T08:00:00Z"));
        let from = CatchUp::From(utc("2026-12-01T07:50:00Z"));
        assert_eq!(catch_up(now, None, oldest, regular, day), from);
        let recent = Some(utc("2026-12-03T00:00:00Z"));
        assert_eq!(catch_up(now, recent, oldest, regular, day), CatchUp::NotDue);
        let yesterday = Some(utc("2026-12-02T12:00:00Z"));
        assert_eq!(catch_up(now, yesterday, oldest, regular, day), from);
        // Nothing waiting, or nothing older than what the regular pass reads.
        assert_eq!(catch_up(now, None, None, regular, day), CatchUp::Nothing);
        let fresh = Some(utc("2026-12-03T12:00:00Z"));
        assert_eq!(catch_up(now, None, fresh, regular, day), CatchUp::Nothing);
        // An order waiting since the spring: thirty days back at most.
        let spring = Some(utc("2026-04-01T00:00:00Z"));
        assert_eq!(
            catch_up(now, None, spring, regular, day),
            CatchUp::From(utc("2026-11-03T12:00:00Z"))
        );
    }

    #[test]
    fn without_a_watermark_the_connection_start_is_used() {
        let created = utc("2026-03-01T08:00:00Z");
        assert_eq!(start_from(None, created), created - OVERLAP);
    }

    #[test]
    fn shipstation_dates_round_trip() {
        let t = parse_pacific("2021-01-23T09:09:08.4000000").expect("parsed");
        assert_eq!(t, utc("2021-01-23T17:09:08.4Z"));
        assert_eq!(
            parse_pacific("2021-07-01 05:00:00"),
            Some(utc("2021-07-01T12:00:00Z"))
        );
        assert_eq!(
            parse_pacific("2021-01-23T17:09:08Z"),
            Some(utc("2021-01-23T17:09:08Z"))
        );
        // 02:30 on the spring-forward day does not exist in Pacific time.
        assert!(parse_pacific("2021-03-14T02:30:00").is_some());
        assert_eq!(parse_pacific("soon"), None);
        assert_eq!(
            parse_date("2024-01-05"),
            NaiveDate::from_ymd_opt(2024, 1, 5)
        );
        assert_eq!(
            parse_date("2024-01-05T00:00:00.0000000"),
            NaiveDate::from_ymd_opt(2024, 1, 5)
        );
    }

    #[test]
    fn a_shipment_is_recorded_with_cost_including_insurance() {
        let s: Shipment = serde_json::from_value(serde_json::json!({
            "shipmentId": 7, "orderId": 3, "orderKey": "qb-1", "trackingNumber": " 1Z999 ",
            "carrierCode": "ups", "serviceCode": "ups_ground", "shipDate": "2024-01-05",
            "shipmentCost": 8.5, "insuranceCost": 1.25, "voided": false, "voidDate": null,
            "createDate": "2024-01-05T10:00:00.0000000"
        }))
        .expect("shipment");
        let r = to_stored(&s);
        assert_eq!(r.tracking_number.as_deref(), Some("1Z999"));
        assert_eq!(r.cost, Some("9.75".parse().expect("decimal")));
        assert_eq!(r.ship_date, NaiveDate::from_ymd_opt(2024, 1, 5));
        assert!(!r.voided);
    }

    #[test]
    fn carriers_read_well() {
        assert_eq!(carrier_name(Some("ups")), "UPS");
        assert_eq!(carrier_name(Some("stamps_com")), "USPS");
        assert_eq!(carrier_name(Some("globalpost")), "globalpost");
        assert_eq!(carrier_name(None), "an unknown carrier");
    }
}
