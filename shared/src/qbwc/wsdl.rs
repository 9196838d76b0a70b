//! The WSDL of the `QBWebConnectorSvc` service we implement: SOAP 1.1, document/literal
//! (wrapped), target namespace `http://developer.intuit.com/`, the eight QBWC callbacks.
//! Served on `GET <endpoint>?wsdl`; the Web Connector itself never fetches it.

use crate::qbxml::text::escape;

/// The WSDL with `{URL}` where the service endpoint goes; use [`wsdl`] to fill it in.
pub const WSDL: &str = include_str!("QBWebConnectorSvc.wsdl");

/// The placeholder in [`WSDL`] that [`wsdl`] replaces with the endpoint URL.
pub const URL_PLACEHOLDER: &str = "{URL}";

/// The WSDL with its `soap:address location` set to `endpoint_url` (XML-escaped).
pub fn wsdl(endpoint_url: &str) -> String {
    WSDL.replace(URL_PLACEHOLDER, &escape(endpoint_url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qbxml::tree::{parse_document, XmlElement};

    const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
    const WSDL_SOAP_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
    const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
    const METHODS: [&str; 8] = [
        "serverVersion",
        "clientVersion",
        "authenticate",
        "sendRequestXML",
        "receiveResponseXML",
        "connectionError",
        "getLastError",
        "closeConnection",
    ];

    fn named<'a>(
        parent: &'a XmlElement<'a>,
        ns: &'a str,
        local: &'a str,
    ) -> Vec<&'a XmlElement<'a>> {
        parent.children.iter().filter(|c| c.is(ns, local)).collect()
    }

    #[test]
    fn wsdl_is_document_literal_in_the_intuit_namespace_with_all_eight_operations() {
        let xml = wsdl("https://qbwc.example.com/qbwc?a=1&b=2");
        let doc = parse_document(&xml).expect("well-formed");
        assert!(doc.is(WSDL_NS, "definitions"));
        assert_eq!(
            doc.attr("targetNamespace"),
            Some("http://developer.intuit.com/")
        );

        let schema = named(named(&doc, WSDL_NS, "types")[0], XSD_NS, "schema")[0];
        assert_eq!(schema.attr("elementFormDefault"), Some("qualified"));
        let elements: Vec<&str> = named(schema, XSD_NS, "element")
            .iter()
            .filter_map(|e| e.attr("name"))
            .collect();

        let binding = named(&doc, WSDL_NS, "binding")[0];
        let soap_binding = named(binding, WSDL_SOAP_NS, "binding")[0];
        assert_eq!(soap_binding.attr("style"), Some("document"));
        assert_eq!(
            soap_binding.attr("transport"),
            Some("http://schemas.xmlsoap.org/soap/http")
        );
        let operations = named(binding, WSDL_NS, "operation");
        assert_eq!(operations.len(), METHODS.len());
        for method in METHODS {
            assert!(elements.contains(&method), "{method} element");
            assert!(elements.contains(&format!("{method}Response").as_str()));
            let op = operations
                .iter()
                .find(|o| o.attr("name") == Some(method))
                .unwrap_or_else(|| panic!("{method} operation"));
            let soap_op = named(op, WSDL_SOAP_NS, "operation")[0];
            assert_eq!(
                soap_op.attr("soapAction"),
                Some(format!("http://developer.intuit.com/{method}").as_str())
            );
            for dir in ["input", "output"] {
                let body = named(named(op, WSDL_NS, dir)[0], WSDL_SOAP_NS, "body")[0];
                assert_eq!(body.attr("use"), Some("literal"));
            }
        }

        let port = named(named(&doc, WSDL_NS, "service")[0], WSDL_NS, "port")[0];
        let address = named(port, WSDL_SOAP_NS, "address")[0];
        assert_eq!(
            address.attr("location"),
            Some("https://qbwc.example.com/qbwc?a=1&b=2")
        );
    }

    #[test]
    fn the_template_has_exactly_one_placeholder() {
        assert_eq!(WSDL.matches(URL_PLACEHOLDER).count(), 1);
    }
}
