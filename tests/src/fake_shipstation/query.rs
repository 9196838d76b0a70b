//! Query-string parsing (names matched without regard to case, like ASP.NET) and paging.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::{json, Value};

use super::reply::Reply;
use super::time;

/// Default and maximum `pageSize` (§3.3).
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// Largest page the fake returns; larger requests are clamped.
pub const MAX_PAGE_SIZE: usize = 500;

/// Parsed query parameters, keyed by lower-cased name.
#[derive(Debug, Clone, Default)]
pub struct Query {
    params: HashMap<String, String>,
}

impl Query {
    /// Parses a raw query string.
    pub fn parse(raw: &str) -> Self {
        let params = url::form_urlencoded::parse(raw.as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        Self { params }
    }

    /// A non-empty parameter value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// An integer parameter; a malformed value is a `400` like ASP.NET's model binder gives.
    pub fn get_i64(&self, name: &str) -> Result<Option<i64>, Reply> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| invalid(name, v)),
        }
    }

    /// A boolean parameter (`true`/`false`, any case).
    pub fn get_bool(&self, name: &str) -> Result<Option<bool>, Reply> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(invalid(name, v)),
        }
    }

    /// A datetime parameter (Pacific time, see [`time::parse_datetime`]).
    pub fn get_datetime(&self, name: &str) -> Result<Option<NaiveDateTime>, Reply> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => time::parse_datetime(v)
                .map(Some)
                .ok_or_else(|| invalid(name, v)),
        }
    }

    /// An inclusive `[start, end]` range from `<prefix>Start`/`<prefix>End`.
    pub fn range(&self, prefix: &str) -> Result<DateRange, Reply> {
        Ok(DateRange {
            start: self.get_datetime(&format!("{prefix}Start"))?,
            end: self.get_datetime(&format!("{prefix}End"))?,
        })
    }

    /// `page` and `pageSize` with defaults and the 500 cap.
    pub fn paging(&self) -> Result<Paging, Reply> {
        let page = self.get_i64("page")?.unwrap_or(1).max(1) as usize;
        let size = self
            .get_i64("pageSize")?
            .unwrap_or(DEFAULT_PAGE_SIZE as i64)
            .clamp(1, MAX_PAGE_SIZE as i64) as usize;
        Ok(Paging { page, size })
    }

    /// `sortDir=DESC`?
    pub fn descending(&self) -> bool {
        self.get("sortDir")
            .is_some_and(|d| d.eq_ignore_ascii_case("desc"))
    }
}

fn invalid(name: &str, value: &str) -> Reply {
    Reply::model_state(
        name,
        &format!("The value '{value}' is not valid for {name}."),
    )
}

/// An optional inclusive date range.
#[derive(Debug, Clone, Copy, Default)]
pub struct DateRange {
    /// Inclusive start.
    pub start: Option<NaiveDateTime>,
    /// Inclusive end.
    pub end: Option<NaiveDateTime>,
}

impl DateRange {
    /// True when no bound is set.
    pub fn is_open(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }

    /// Does `t` fall inside? A missing `t` matches only an open range.
    pub fn contains(&self, t: Option<NaiveDateTime>) -> bool {
        if self.is_open() {
            return true;
        }
        let Some(t) = t else { return false };
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t <= e)
    }
}

/// Requested page.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// 1-based page number.
    pub page: usize,
    /// Page size (≤ 500).
    pub size: usize,
}

impl Paging {
    /// Cuts one page out of `rows` and wraps it in `{<name>: [...], total, page, pages}`.
    pub fn envelope(&self, name: &str, rows: Vec<Value>) -> Value {
        let total = rows.len();
        let pages = total.div_ceil(self.size);
        let page_rows: Vec<Value> = rows
            .into_iter()
            .skip((self.page - 1) * self.size)
            .take(self.size)
            .collect();
        json!({ name: page_rows, "total": total, "page": self.page, "pages": pages })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_empty_means_absent() {
        let q = Query::parse("storeID=5&orderStatus=&includeShipmentItems=False");
        assert_eq!(q.get_i64("storeId").ok().flatten(), Some(5));
        assert_eq!(q.get("orderStatus"), None);
        assert_eq!(
            q.get_bool("includeShipmentItems").ok().flatten(),
            Some(false)
        );
        assert!(q.get_i64("page").ok().flatten().is_none());
        assert!(Query::parse("page=x").paging().is_err());
    }

    #[test]
    fn paging_clamps_and_counts_pages() {
        let p = Query::parse("page=2&pageSize=2").paging().expect("valid");
        let rows = (0..5).map(|i| json!(i)).collect();
        let env = p.envelope("orders", rows);
        assert_eq!(
            env,
            json!({"orders": [2, 3], "total": 5, "page": 2, "pages": 3})
        );
        let big = Query::parse("pageSize=1000").paging().expect("valid");
        assert_eq!(big.size, MAX_PAGE_SIZE);
    }
}
