//! The JSON report against its JSON Schema (`src/report/routelint-report.schema.json`), for
//! every fixture in both forms: a small validator for the keywords the schema uses (type,
//! enum, required, properties, additionalProperties, items, oneOf, $ref).

mod common;
use common::*;
use serde_json::Value;

fn resolve<'a>(root: &'a Value, r: &str) -> &'a Value {
    let mut cur = root;
    for part in r.trim_start_matches("#/").split('/') {
        cur = &cur[part];
    }
    cur
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_u64() || v.is_i64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => panic!("schema uses type {t}"),
    }
}

fn validate(root: &Value, s: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return validate(root, resolve(root, r), v, path, errors);
    }
    if let Some(alts) = s.get("oneOf").and_then(Value::as_array) {
        let ok = alts
            .iter()
            .filter(|a| {
                let mut e = Vec::new();
                validate(root, a, v, path, &mut e);
                e.is_empty()
            })
            .count();
        if ok != 1 {
            errors.push(format!("{path}: matches {ok} of oneOf"));
        }
        return;
    }
    match s.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => {
            errors.push(format!("{path}: not {t}: {v}"));
            return;
        }
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)) => {
            errors.push(format!("{path}: none of {ts:?}: {v}"));
            return;
        }
        _ => {}
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errors.push(format!("{path}: {v} not in {e:?}"));
        }
    }
    if let Some(o) = v.as_object() {
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !o.contains_key(r.as_str().unwrap()) {
                errors.push(format!("{path}: missing {r}"));
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (k, x) in o {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => validate(root, ps, x, &format!("{path}.{k}"), errors),
                None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{path}: unexpected property {k}"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(a)) = (s.get("items"), v.as_array()) {
        for (i, x) in a.iter().enumerate() {
            validate(root, items, x, &format!("{path}[{i}]"), errors);
        }
    }
}

#[test]
fn every_fixture_report_matches_the_json_schema() {
    let (code, text, _) = routelint(&["schema"]);
    assert_eq!(code, 0);
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    assert_eq!(
        text,
        std::fs::read_to_string(root().join("src/report/routelint-report.schema.json")).unwrap()
    );
    // The validator itself rejects what the schema forbids.
    let mut e = Vec::new();
    validate(
        &schema,
        &schema,
        &serde_json::json!({"version": 2}),
        "$",
        &mut e,
    );
    assert!(
        e.iter().any(|x| x.contains("missing \"tool\"")) && e.iter().any(|x| x.contains("not in")),
        "{e:?}"
    );
    let mut reports = 0;
    let mut with_fix = 0;
    for entry in std::fs::read_dir(root().join("fixtures")).unwrap() {
        let dir = entry.unwrap().path();
        for form in ["terraform", "arm"] {
            if !dir.join(form).is_dir() {
                continue;
            }
            let p = dir.join(form);
            let (_, out, err) = routelint(&[
                "check",
                p.to_str().unwrap(),
                "--format",
                "json",
                "--verbose",
            ]);
            let v: Value = serde_json::from_str(&out)
                .unwrap_or_else(|e| panic!("{}: {e}\n{err}", p.display()));
            let mut errors = Vec::new();
            validate(&schema, &schema, &v, "$", &mut errors);
            assert!(errors.is_empty(), "{}: {errors:#?}", p.display());
            with_fix += v["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| !d["fix"].is_null())
                .count();
            reports += 1;
        }
    }
    assert!(reports >= 80, "{reports}");
    assert!(with_fix > 0);
}
