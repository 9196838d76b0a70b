//! A small, namespace-aware XML element tree used by the SOAP and qbXML parsers.
//!
//! Both inputs come from the public internet (the Web Connector endpoint is public), so the
//! builder refuses any `<!DOCTYPE>` (no DTD, hence no entity-expansion bombs), caps nesting
//! depth, and accepts only the five predefined entities and character references (quick-xml
//! does not expand anything else).

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Deepest element nesting accepted; real qbXML is under 10 levels, SOAP adds 3.
const MAX_DEPTH: usize = 64;

/// Why a document could not be turned into a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// The document declares a DTD (`<!DOCTYPE ...>`), which we never accept.
    #[error("documents with a DOCTYPE/DTD are not accepted")]
    Doctype,
    /// Elements are nested deeper than [`MAX_DEPTH`].
    #[error("elements are nested more than {MAX_DEPTH} levels deep")]
    TooDeep,
    /// The document has no root element.
    #[error("the document has no root element")]
    NoRoot,
    /// The document is not well-formed XML (message from the parser).
    #[error("not well-formed XML: {0}")]
    Syntax(String),
}

/// One element: resolved namespace, local name, attributes, children and direct text. Names
/// and text borrow from the document where they can (no entity to expand), so a large
/// response costs few allocations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlElement<'a> {
    /// Namespace URI the element's prefix (or default namespace) resolves to.
    pub namespace: Option<String>,
    /// Local name (prefix stripped).
    pub name: Cow<'a, str>,
    /// Attributes by local name, values unescaped; `xmlns` declarations are left out.
    pub attrs: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<XmlElement<'a>>,
    /// Concatenated, unescaped text and CDATA directly inside this element. Whitespace between
    /// child elements (indentation) is not kept.
    pub text: Cow<'a, str>,
}

impl<'a> XmlElement<'a> {
    /// The first child element with this local name.
    pub fn child(&self, name: &str) -> Option<&XmlElement<'a>> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All child elements with this local name.
    pub fn children_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s XmlElement<'a>> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child with this local name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_ref())
    }

    /// The value of the attribute with this local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the element is in `namespace` and called `name`.
    pub fn is(&self, namespace: &str, name: &str) -> bool {
        self.name == name && self.namespace.as_deref() == Some(namespace)
    }
}

fn syntax(e: impl std::fmt::Display) -> TreeError {
    TreeError::Syntax(e.to_string())
}

fn utf8(bytes: &[u8]) -> Result<String, TreeError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| TreeError::Syntax("name is not valid UTF-8".into()))
}

/// `bytes` as a slice of `doc` when it lies inside it (a reader over a `&str` hands out
/// slices of its input), else an owned copy.
fn in_document<'a>(doc: &'a str, bytes: &[u8]) -> Result<Cow<'a, str>, TreeError> {
    let start = (bytes.as_ptr() as usize).wrapping_sub(doc.as_ptr() as usize);
    match doc.get(start..start.saturating_add(bytes.len())) {
        Some(s) if s.as_bytes().as_ptr() == bytes.as_ptr() => Ok(Cow::Borrowed(s)),
        _ => utf8(bytes).map(Cow::Owned),
    }
}

fn open_element<'a>(
    doc: &'a str,
    resolved: ResolveResult<'_>,
    start: &BytesStart<'_>,
) -> Result<XmlElement<'a>, TreeError> {
    let namespace = match resolved {
        ResolveResult::Bound(ns) => Some(utf8(ns.as_ref())?),
        ResolveResult::Unbound => None,
        ResolveResult::Unknown(prefix) => {
            return Err(TreeError::Syntax(format!(
                "undeclared namespace prefix `{}`",
                String::from_utf8_lossy(&prefix)
            )))
        }
    };
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(syntax)?;
        let key = attr.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let value = attr.unescape_value().map_err(syntax)?;
        attrs.push((utf8(key.local_name().as_ref())?, value.into_owned()));
    }
    Ok(XmlElement {
        namespace,
        name: in_document(doc, start.local_name().into_inner())?,
        attrs,
        children: Vec::new(),
        text: Cow::Borrowed(""),
    })
}

/// Adds text to an element's text, borrowing when it is the first piece.
fn append<'a>(to: &mut Cow<'a, str>, text: Cow<'a, str>) {
    if to.is_empty() {
        *to = text;
    } else {
        to.to_mut().push_str(&text);
    }
}

/// A child element starts inside `parent`: text so far that is only whitespace was
/// indentation, not content.
fn drop_indentation(stack: &mut [XmlElement<'_>]) {
    if let Some(parent) = stack.last_mut() {
        if !parent.text.is_empty() && parent.text.trim_ascii().is_empty() {
            parent.text = Cow::Borrowed("");
        }
    }
}

/// Parses a whole document into its root element.
pub fn parse_document(xml: &str) -> Result<XmlElement<'_>, TreeError> {
    let mut reader = NsReader::from_str(xml);
    let mut stack: Vec<XmlElement> = Vec::new();
    let mut root: Option<XmlElement> = None;
    loop {
        let (resolved, event) = reader.read_resolved_event().map_err(syntax)?;
        match event {
            Event::DocType(_) => return Err(TreeError::Doctype),
            Event::Start(_) | Event::Empty(_) if root.is_some() && stack.is_empty() => {
                return Err(TreeError::Syntax("more than one root element".into()));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(TreeError::TooDeep);
                }
                drop_indentation(&mut stack);
                let element = open_element(xml, resolved, &start)?;
                stack.push(element);
            }
            Event::Empty(start) => {
                drop_indentation(&mut stack);
                let element = open_element(xml, resolved, &start)?;
                attach(&mut stack, &mut root, element);
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| TreeError::Syntax("unexpected closing tag".into()))?;
                attach(&mut stack, &mut root, element);
            }
            Event::Text(text) => {
                if let Some(top) = stack.last_mut() {
                    let text = text.unescape().map_err(syntax)?;
                    // Whitespace after a child element is indentation.
                    if top.children.is_empty() || !text.trim_ascii().is_empty() {
                        append(&mut top.text, text);
                    }
                } else if !text.iter().all(u8::is_ascii_whitespace) {
                    return Err(TreeError::Syntax("text outside the root element".into()));
                }
            }
            Event::CData(cdata) => {
                if let Some(top) = stack.last_mut() {
                    append(&mut top.text, cdata.decode().map_err(syntax)?);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(TreeError::Syntax("unexpected end of document".into()));
    }
    root.ok_or(TreeError::NoRoot)
}

fn attach<'a>(
    stack: &mut [XmlElement<'a>],
    root: &mut Option<XmlElement<'a>>,
    element: XmlElement<'a>,
) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_namespaced_tree_with_unescaped_text_and_attributes() {
        let doc = r#"<?xml version="1.0"?><a:root xmlns:a="urn:x" k="1 &amp; 2"><b>x &lt; y</b><c/><b><![CDATA[<raw>]]></b></a:root>"#;
        let root = parse_document(doc).expect("parses");
        assert!(root.is("urn:x", "root"));
        assert_eq!(root.attr("k"), Some("1 & 2"));
        assert_eq!(root.child_text("b"), Some("x < y"));
        assert_eq!(
            root.children_named("b").nth(1).map(|b| b.text.as_ref()),
            Some("<raw>")
        );
        assert_eq!(root.child("b").and_then(|b| b.namespace.clone()), None);
        assert!(root.child("c").is_some());
    }

    #[test]
    fn indentation_is_dropped_and_leaf_text_kept_exactly() {
        let doc = "<r>\n  <a>  padded  </a>\n  <b> </b>\n  <c>x &amp; y</c>\n</r>";
        let root = parse_document(doc).expect("parses");
        assert_eq!(root.text, "");
        assert_eq!(root.child_text("a"), Some("  padded  "));
        assert_eq!(root.child_text("b"), Some(" "));
        assert_eq!(root.child_text("c"), Some("x & y"));
        assert!(matches!(
            root.child("a").map(|a| &a.text),
            Some(Cow::Borrowed(_))
        ));
        assert!(matches!(
            root.child("a").map(|a| &a.name),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn refuses_a_doctype() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><r>&lol2;</r>"#;
        assert_eq!(parse_document(bomb), Err(TreeError::Doctype));
    }

    #[test]
    fn refuses_unknown_entities_unclosed_documents_and_deep_nesting() {
        assert!(matches!(
            parse_document("<r>&foo;</r>"),
            Err(TreeError::Syntax(_))
        ));
        assert!(matches!(
            parse_document("<r><s></s>"),
            Err(TreeError::Syntax(_))
        ));
        assert!(matches!(
            parse_document("<r/><r/>"),
            Err(TreeError::Syntax(_))
        ));
        assert!(matches!(
            parse_document("<p:r/>"),
            Err(TreeError::Syntax(_))
        ));
        assert_eq!(parse_document("  "), Err(TreeError::NoRoot));
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse_document(&deep), Err(TreeError::TooDeep));
    }
}
