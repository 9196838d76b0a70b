//! A tiny, strict XML tree for qbXML: our own reader (on quick-xml events) and writer helpers.
//!
//! QuickBooks validates every request against the qbXML schema before it does anything, so
//! the simulator parses the whole message set up front and any structural problem becomes
//! the request processor's parse-error HRESULT.

use quick_xml::events::Event;
use quick_xml::Reader;

/// One element: name, attributes (document order), child elements and text content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

/// A parsed document: its processing instructions (e.g. `qbxml version="13.0"`) and root.
#[derive(Debug, Clone)]
pub struct Document {
    pub pis: Vec<String>,
    pub root: Element,
}

/// The document is not well-formed (or uses a DTD, which QuickBooks refuses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError(pub String);

impl Element {
    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children called `name`, in order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Text of the first child called `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// Parse a whole document strictly: one root, no DTD, no stray text outside the root.
pub fn parse(input: &str) -> Result<Document, XmlError> {
    let mut reader = Reader::from_str(input);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut pis = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| XmlError(format!("at byte {}: {e}", reader.buffer_position())))?;
        match event {
            Event::Start(start) => stack.push(open(&start)?),
            Event::Empty(start) => {
                let el = open(&start)?;
                close(el, &mut stack, &mut root)?;
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| XmlError("unbalanced end tag".into()))?;
                close(el, &mut stack, &mut root)?;
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| XmlError(e.to_string()))?;
                push_text(&mut stack, &text)?;
            }
            Event::CData(c) => {
                let raw = c.into_inner();
                let text = std::str::from_utf8(&raw).map_err(|e| XmlError(e.to_string()))?;
                push_text(&mut stack, text)?;
            }
            Event::PI(pi) => {
                let raw = pi.into_inner();
                pis.push(String::from_utf8_lossy(&raw).into_owned());
            }
            Event::DocType(_) => return Err(XmlError("DTDs are not accepted".into())),
            Event::Decl(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError("unexpected end of document".into()));
    }
    let root = root.ok_or_else(|| XmlError("no root element".into()))?;
    Ok(Document { pis, root })
}

fn open(start: &quick_xml::events::BytesStart<'_>) -> Result<Element, XmlError> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError(e.to_string()))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr
            .unescape_value()
            .map_err(|e| XmlError(e.to_string()))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        ..Element::default()
    })
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) -> Result<(), XmlError> {
    if !el.children.is_empty() && !el.text.trim().is_empty() {
        return Err(XmlError(format!("mixed content in <{}>", el.name)));
    }
    let mut el = el;
    if !el.children.is_empty() {
        el.text.clear();
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err(XmlError("more than one root element".into())),
    }
    Ok(())
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(el) => el.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err(XmlError("text outside the root element".into())),
    }
    Ok(())
}

/// Escape element text the way QuickBooks writes it (`&`, `<`, `>`).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Escape an attribute value (`&`, `<`, `>`, `"`).
pub fn escape_attr(s: &str) -> String {
    escape_text(s).replace('"', "&quot;")
}

/// An output node: the Ret aggregates are built as trees, optionally trimmed with
/// `IncludeRetElement`, then written one element per line like QuickBooks does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Leaf(&'static str, String),
    Agg(&'static str, Vec<Node>),
}

impl Node {
    /// The element name.
    pub fn name(&self) -> &'static str {
        match self {
            Node::Leaf(n, _) | Node::Agg(n, _) => n,
        }
    }

    /// Append this node, QuickBooks style (no indentation, one element per line).
    pub fn write(&self, out: &mut String) {
        match self {
            Node::Leaf(name, value) => {
                out.push('<');
                out.push_str(name);
                out.push('>');
                out.push_str(&escape_text(value));
                out.push_str("</");
                out.push_str(name);
                out.push_str(">\n");
            }
            Node::Agg(name, children) => {
                out.push('<');
                out.push_str(name);
                out.push_str(">\n");
                for c in children {
                    c.write(out);
                }
                out.push_str("</");
                out.push_str(name);
                out.push_str(">\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_elements_attributes_and_entities() {
        let doc = parse(
            "<?xml version=\"1.0\"?><?qbxml version=\"13.0\"?><A x=\"1 &amp; 2\"><B>Tom &amp; Jerry</B>\n<C/></A>",
        )
        .expect("well-formed");
        assert_eq!(doc.pis, vec!["qbxml version=\"13.0\"".to_string()]);
        assert_eq!(doc.root.attr("x"), Some("1 & 2"));
        assert_eq!(doc.root.child_text("B"), Some("Tom & Jerry"));
        assert_eq!(doc.root.child_text("C"), Some(""));
    }

    #[test]
    fn rejects_malformed_and_dtd() {
        assert!(parse("<A><B></A>").is_err());
        assert!(parse("<A>x</A><B/>").is_err());
        assert!(parse("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>").is_err());
        assert!(parse("<A>Tom & Jerry</A>").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn writes_one_element_per_line_escaped() {
        let mut out = String::new();
        Node::Agg("R", vec![Node::Leaf("N", "A & B <C>".into())]).write(&mut out);
        assert_eq!(out, "<R>\n<N>A &amp; B &lt;C&gt;</N>\n</R>\n");
    }
}
