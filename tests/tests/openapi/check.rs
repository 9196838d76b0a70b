//! A small checker of real answers against the OpenAPI 3.1 document: the subset of JSON Schema
//! that utoipa emits (`$ref`, `allOf`, `oneOf`/`anyOf`, `type` as a name or a list, `required`,
//! `properties`, `items`, `enum`, `format: uuid/date/date-time`).
//!
//! Objects are checked both ways: every `required` property must be present, and every property
//! present must be documented, unless the schema says `additionalProperties: true` (an answer
//! with an undocumented field is an answer that differs from its documentation).

use serde_json::{Map, Value};

/// The operation object of `method path` in `doc`.
pub fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> Option<&'a Value> {
    doc["paths"].get(path)?.get(method.to_lowercase())
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/components/schemas/");
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => schema,
    }
}

fn type_ok(ty: &str, v: &Value) -> bool {
    match ty {
        "null" => v.is_null(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn format_ok(format: &str, s: &str) -> bool {
    match format {
        "uuid" => uuid::Uuid::parse_str(s).is_ok(),
        "date" => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        _ => true,
    }
}

/// The properties an object schema documents, through `allOf`.
fn documented(doc: &Value, schema: &Value, into: &mut Map<String, Value>) -> bool {
    let schema = resolve(doc, schema);
    let mut open = schema.get("additionalProperties") == Some(&Value::Bool(true));
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        into.extend(props.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        open |= documented(doc, part, into);
    }
    open
}

/// Problems of `value` against `schema`, each naming where (`at`).
pub fn check(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(doc, schema);
    let mut errors = Vec::new();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        errors.extend(check_inner(doc, part, value, at));
    }
    errors.extend(check_inner(doc, schema, value, at));
    if value.is_object() && (schema.get("properties").is_some() || schema.get("allOf").is_some()) {
        let mut props = Map::new();
        if !documented(doc, schema, &mut props) {
            for key in value.as_object().into_iter().flat_map(|o| o.keys()) {
                if !props.contains_key(key) {
                    errors.push(format!("{at}.{key}: present in the answer, not documented"));
                }
            }
        }
    }
    errors
}

fn check_inner(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(doc, schema);
    let mut errors = Vec::new();
    if let Some(alts) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        if !alts.iter().any(|alt| check(doc, alt, value, at).is_empty()) {
            errors.push(format!(
                "{at}: {value} matches none of the documented alternatives"
            ));
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| type_ok(t, value)) {
        errors.push(format!("{at}: {value} is not of type {types:?}"));
        return errors;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let (Some(f), Some(s)) = (schema["format"].as_str(), value.as_str()) {
        if !format_ok(f, s) {
            errors.push(format!("{at}: {s:?} is not a {f}"));
        }
    }
    if let Some(obj) = value.as_object() {
        for req in schema["required"].as_array().into_iter().flatten() {
            let key = req.as_str().unwrap_or_default();
            if !obj.contains_key(key) {
                errors.push(format!("{at}.{key}: required, missing"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (key, sub) in props {
                if let Some(v) = obj.get(key) {
                    errors.extend(check(doc, sub, v, &format!("{at}.{key}")));
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            errors.extend(check(doc, items, v, &format!("{at}[{i}]")));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Pet": {"type": "object", "required": ["id", "tag"], "properties": {
                "id": {"type": "string", "format": "uuid"},
                "tag": {"type": ["string", "null"]},
                "kind": {"type": "string", "enum": ["cat", "dog"]}
            }},
            "Named": {"allOf": [{"$ref": "#/components/schemas/Pet"},
                {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}]}
        }}})
    }

    #[test]
    fn required_types_enums_and_undocumented_fields_are_caught() {
        let d = doc();
        let pet = json!({"$ref": "#/components/schemas/Pet"});
        let id = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";
        assert!(check(&d, &pet, &json!({"id": id, "tag": null}), "$").is_empty());
        assert_eq!(check(&d, &pet, &json!({"id": id}), "$").len(), 1);
        assert_eq!(check(&d, &pet, &json!({"id": "x", "tag": 1}), "$").len(), 2);
        assert_eq!(
            check(&d, &pet, &json!({"id": id, "tag": "a", "kind": "cow"}), "$").len(),
            1
        );
        assert_eq!(
            check(&d, &pet, &json!({"id": id, "tag": "a", "extra": 1}), "$").len(),
            1
        );
        let named = json!({"$ref": "#/components/schemas/Named"});
        assert!(check(
            &d,
            &named,
            &json!({"id": id, "tag": "a", "name": "Rex"}),
            "$"
        )
        .is_empty());
        assert_eq!(
            check(&d, &named, &json!({"id": id, "tag": "a"}), "$").len(),
            1
        );
    }
}
