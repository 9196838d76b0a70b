//! The `.qwc` file a customer adds to the Web Connector (QBWC programmer's guide ch. 4).

use uuid::Uuid;

use crate::qbxml::text::escape;

/// Which QuickBooks product the application talks to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QbType {
    /// QuickBooks financial software (Pro/Premier/Enterprise): `QBFS`.
    #[default]
    Qbfs,
    /// QuickBooks Point of Sale: `QBPOS`.
    Qbpos,
}

impl QbType {
    /// The `<QBType>` value.
    pub fn as_str(self) -> &'static str {
        match self {
            QbType::Qbfs => "QBFS",
            QbType::Qbpos => "QBPOS",
        }
    }
}

/// Everything that varies between the `.qwc` files we hand out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QwcParams {
    /// `AppName`: shown in QBWC and in QuickBooks' authorisation dialog; unique per tenant.
    pub app_name: String,
    /// `AppID`: passed to QuickBooks but unused; usually empty.
    pub app_id: String,
    /// `AppURL`: the SOAP endpoint (`https://` host name, or `http://localhost`).
    pub app_url: String,
    /// `AppSupport`: a page on the same domain that answers GET with 200.
    pub app_support_url: String,
    /// `AppDescription` (keep under ~80 characters).
    pub app_description: String,
    /// `UserName`: the tenant's QBWC user; the password is typed into QBWC, never in the file.
    pub username: String,
    /// `OwnerID`: one GUID for the whole application.
    pub owner_id: Uuid,
    /// `FileID`: a GUID per tenant/company file (QBWC stamps it into the file).
    pub file_id: Uuid,
    /// `QBType`.
    pub qb_type: QbType,
    /// `Scheduler/RunEveryNMinutes`; 0 leaves the schedule out (manual updates only).
    pub scheduler_minutes: u32,
}

/// A GUID the way QBWC writes them: braced and upper-case.
pub fn braced_guid(id: &Uuid) -> String {
    format!("{{{}}}", id.hyphenated().to_string().to_uppercase())
}

/// Renders the `.qwc` XML. `IsReadOnly` is `false` (we write tracking back), `Style` is
/// `Document`, `AuthFlags` is left at its default `0x0` (every QuickBooks edition).
pub fn render_qwc(p: &QwcParams) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<QBWCXML>\n");
    let mut push = |name: &str, value: &str| {
        out.push_str(&format!("  <{name}>{}</{name}>\n", escape(value)));
    };
    push("AppName", &p.app_name);
    push("AppID", &p.app_id);
    push("AppURL", &p.app_url);
    push("AppDescription", &p.app_description);
    push("AppSupport", &p.app_support_url);
    push("UserName", &p.username);
    push("OwnerID", &braced_guid(&p.owner_id));
    push("FileID", &braced_guid(&p.file_id));
    push("QBType", p.qb_type.as_str());
    push("Style", "Document");
    push("IsReadOnly", "false");
    push("UnattendedModePref", "umpOptional");
    push("PersonalDataPref", "pdpNotNeeded");
    if p.scheduler_minutes > 0 {
        out.push_str(&format!(
            "  <Scheduler>\n    <RunEveryNMinutes>{}</RunEveryNMinutes>\n  </Scheduler>\n",
            p.scheduler_minutes
        ));
    }
    out.push_str("</QBWCXML>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qbxml::golden::assert_golden;
    use crate::qbxml::tree::parse_document;

    fn params() -> QwcParams {
        QwcParams {
            app_name: "Quayside - Acme & Sons".into(),
            app_id: String::new(),
            app_url: "https://qbwc.example.com/qbwc".into(),
            app_support_url: "https://qbwc.example.com/support?c=1&d=2".into(),
            app_description: "Sync QuickBooks sales to ShipStation <and back>".into(),
            username: "acme-7f3c2a".into(),
            owner_id: Uuid::parse_str("8c9e3a51-2b7d-4f0a-9e61-5d2c4b8a1f07").expect("uuid"),
            file_id: Uuid::parse_str("1e4b7c90-6a2d-4c3f-8b15-9f0e2d7a6c34").expect("uuid"),
            qb_type: QbType::Qbfs,
            scheduler_minutes: 15,
        }
    }

    #[test]
    fn qwc_parses_and_has_every_element() {
        let xml = render_qwc(&params());
        let root = parse_document(&xml).expect("well-formed");
        assert_eq!(root.name, "QBWCXML");
        let expect = [
            ("AppName", "Quayside - Acme & Sons"),
            ("AppID", ""),
            ("AppURL", "https://qbwc.example.com/qbwc"),
            (
                "AppDescription",
                "Sync QuickBooks sales to ShipStation <and back>",
            ),
            ("AppSupport", "https://qbwc.example.com/support?c=1&d=2"),
            ("UserName", "acme-7f3c2a"),
            ("OwnerID", "{8C9E3A51-2B7D-4F0A-9E61-5D2C4B8A1F07}"),
            ("FileID", "{1E4B7C90-6A2D-4C3F-8B15-9F0E2D7A6C34}"),
            ("QBType", "QBFS"),
            ("Style", "Document"),
            ("IsReadOnly", "false"),
        ];
        for (name, value) in expect {
            assert_eq!(root.child_text(name), Some(value), "{name}");
        }
        let minutes = root
            .child("Scheduler")
            .and_then(|s| s.child_text("RunEveryNMinutes"));
        assert_eq!(minutes, Some("15"));
        assert_golden("qwc/acme.qwc", &xml);
    }

    #[test]
    fn zero_minutes_leaves_the_scheduler_out_and_pos_is_supported() {
        let xml = render_qwc(&QwcParams {
            scheduler_minutes: 0,
            qb_type: QbType::Qbpos,
            ..params()
        });
        let root = parse_document(&xml).expect("well-formed");
        assert!(root.child("Scheduler").is_none());
        assert_eq!(root.child_text("QBType"), Some("QBPOS"));
    }
}
