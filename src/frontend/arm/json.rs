//! JSON with byte spans (jsonc-parser: comments allowed as ARM allows them; other JSON5
//! leniencies off). Keys keep their order.

use std::ops::Range;

/// Arrays and objects share their elements (`Arc`): evaluation keeps resource
/// declarations and nested templates as nodes, and a clone is a reference count.
#[derive(Clone, Debug)]
pub enum J {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(std::sync::Arc<[JNode]>),
    Obj(std::sync::Arc<[(String, JNode)]>),
}

#[derive(Clone, Debug)]
pub struct JNode {
    pub v: J,
    pub span: Range<usize>,
}

impl JNode {
    pub fn get(&self, key: &str) -> Option<&JNode> {
        match &self.v {
            J::Obj(o) => o
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            J::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn entries(&self) -> &[(String, JNode)] {
        match &self.v {
            J::Obj(o) => o,
            _ => &[],
        }
    }
    pub fn items(&self) -> &[JNode] {
        match &self.v {
            J::Arr(a) => a,
            _ => &[],
        }
    }
}

fn convert(v: jsonc_parser::ast::Value, offset: usize) -> JNode {
    use jsonc_parser::ast::Value as V;
    let (v, r) = match v {
        V::StringLit(s) => (J::Str(s.value.into_owned()), s.range),
        V::NumberLit(n) => (J::Num(n.value.parse().unwrap_or(0.0)), n.range),
        V::BooleanLit(b) => (J::Bool(b.value), b.range),
        V::NullKeyword(n) => (J::Null, n.range),
        V::Array(a) => (
            J::Arr(a.elements.into_iter().map(|e| convert(e, offset)).collect()),
            a.range,
        ),
        V::Object(o) => (
            J::Obj(
                o.properties
                    .into_iter()
                    .map(|p| (p.name.into_string(), convert(p.value, offset)))
                    .collect(),
            ),
            o.range,
        ),
    };
    JNode {
        v,
        span: r.start + offset..r.end + offset,
    }
}

/// Parses JSON (with comments); errors carry a byte offset.
pub fn parse(text: &str) -> Result<JNode, (String, usize)> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = text.len() - body.len();
    let opts = jsonc_parser::ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let res = jsonc_parser::parse_to_ast(body, &Default::default(), &opts)
        .map_err(|e| (e.kind().to_string(), e.range().start + offset))?;
    match res.value {
        Some(v) => Ok(convert(v, offset)),
        None => Err(("the file is empty".into(), offset)),
    }
}
