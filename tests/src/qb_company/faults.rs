//! Fault injection: make QuickBooks' request processor throw, or make a request fail with a
//! chosen qbXML status, so tests can drive the server's error paths.

use serde::{Deserialize, Serialize};

/// A request-processor error as QBWC reports it (`hresult` + `message` in
/// `receiveResponseXML`, `connectionError`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hresult {
    /// Hex code, e.g. `0x80040400`.
    pub code: String,
    pub message: String,
}

impl Hresult {
    /// `0x80040400`: what QuickBooks answers to malformed or out-of-order qbXML.
    pub fn parse_error() -> Hresult {
        Hresult {
            code: "0x80040400".into(),
            message: "QuickBooks found an error when parsing the provided XML text stream.".into(),
        }
    }

    /// `0x80040402`: "Unexpected error".
    pub fn unexpected() -> Hresult {
        Hresult {
            code: "0x80040402".into(),
            message: "Unexpected error. Check the qbsdklog.txt file for possible, additional information.".into(),
        }
    }

    /// `0x80040408`: QuickBooks could not be started (used with `connectionError`).
    pub fn could_not_start() -> Hresult {
        Hresult {
            code: "0x80040408".into(),
            message: "Could not start QuickBooks.".into(),
        }
    }
}

impl std::fmt::Display for Hresult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Hresult {}

/// Make matching requests answer with this status instead of being processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusFault {
    /// The request element name to hit (`InvoiceModRq`); `None` hits any request.
    pub request: Option<String>,
    pub code: i32,
    /// `Info`, `Warn` or `Error`.
    pub severity: String,
    pub message: String,
    /// How many matching requests still fail.
    pub times: usize,
}

impl StatusFault {
    /// A one-shot `Error` fault on `request` (e.g. `InvoiceModRq`).
    pub fn error(request: &str, code: i32, message: &str) -> StatusFault {
        StatusFault {
            request: Some(request.to_string()),
            code,
            severity: "Error".into(),
            message: message.to_string(),
            times: 1,
        }
    }
}

/// The pending faults of a company.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub hresults: std::collections::VecDeque<Hresult>,
    pub statuses: Vec<StatusFault>,
}

impl Faults {
    /// The next request-level fault, if any (consumed).
    pub fn take_hresult(&mut self) -> Option<Hresult> {
        self.hresults.pop_front()
    }

    /// A status fault for request `name`, if one matches (one use consumed).
    pub fn take_status(&mut self, name: &str) -> Option<StatusFault> {
        let idx = self
            .statuses
            .iter()
            .position(|f| f.times > 0 && f.request.as_deref().is_none_or(|r| r == name))?;
        let fault = &mut self.statuses[idx];
        fault.times -= 1;
        let out = fault.clone();
        if fault.times == 0 {
            self.statuses.remove(idx);
        }
        Some(out)
    }
}
