//! The ARM template expression language: `[func(args).prop[index]]`.
//!
//! Grammar: `expr := primary ( '.' ident | '[' expr ']' )*`;
//! `primary := string ('' escapes) | number | ident '(' args ')' | ident` (a bare identifier is
//! a lambda variable or `true`/`false`/`null`). A JSON string is an expression when it starts
//! with `[` and ends with `]`; `[[` escapes a literal `[`.

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Str(String),
    Num(f64),
    Ident(String),
    Call(String, Vec<Expr>),
    Prop(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
}

/// What a JSON string is: a literal, or an expression to evaluate.
pub enum Parsed {
    Literal(String),
    Expr(Expr),
}

/// Classifies a JSON string value.
pub fn classify(s: &str) -> Result<Parsed, String> {
    match expression_text(s) {
        Some(inner) => parse(inner).map(Parsed::Expr),
        None => Ok(Parsed::Literal(literal(s))),
    }
}

/// The expression a JSON string value is (`"[concat('a', 'b')]"` -> `concat('a', 'b')`), or
/// `None` for a literal (`"[[x]"` is the literal `[x]`).
pub fn expression_text(s: &str) -> Option<&str> {
    let t = s.trim();
    if t.starts_with("[[") || !(t.starts_with('[') && t.ends_with(']') && t.len() >= 2) {
        return None;
    }
    Some(&t[1..t.len() - 1])
}

/// The value of a literal string ([`expression_text`] is `None`): `[[` escapes `[`.
pub fn literal(s: &str) -> String {
    if s.trim().starts_with("[[") {
        s.replacen("[[", "[", 1)
    } else {
        s.to_string()
    }
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
    src: &'a str,
}

pub fn parse(src: &str) -> Result<Expr, String> {
    let mut p = P {
        s: src.as_bytes(),
        i: 0,
        src,
    };
    let e = p.expr(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("unexpected `{}` in expression", &src[p.i..]));
    }
    Ok(e)
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!(
                "expected `{}` at {} in `{}`",
                c as char, self.i, self.src
            ))
        }
    }
    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len() {
            let c = self.s[self.i] as char;
            if c.is_ascii_alphanumeric() || c == '_' || c == '$' {
                self.i += 1;
            } else {
                break;
            }
        }
        (self.i > start).then(|| self.src[start..self.i].to_string())
    }
    fn expr(&mut self, depth: usize) -> Result<Expr, String> {
        if depth > 64 {
            return Err("expression nested too deeply".into());
        }
        let mut e = self.primary(depth)?;
        loop {
            match self.peek() {
                Some(b'.') => {
                    self.i += 1;
                    let name = self.ident().ok_or("expected a property name after `.`")?;
                    e = Expr::Prop(Box::new(e), name);
                }
                Some(b'[') => {
                    self.i += 1;
                    let idx = self.expr(depth + 1)?;
                    self.expect(b']')?;
                    e = Expr::Index(Box::new(e), Box::new(idx));
                }
                _ => return Ok(e),
            }
        }
    }
    fn primary(&mut self, depth: usize) -> Result<Expr, String> {
        match self.peek() {
            Some(b'\'') => {
                self.i += 1;
                let mut out = String::new();
                loop {
                    let Some(&c) = self.s.get(self.i) else {
                        return Err("unterminated string".into());
                    };
                    if c == b'\'' {
                        if self.s.get(self.i + 1) == Some(&b'\'') {
                            out.push('\'');
                            self.i += 2;
                            continue;
                        }
                        self.i += 1;
                        break;
                    }
                    let ch = self.src[self.i..].chars().next().unwrap_or('?');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
                Ok(Expr::Str(out))
            }
            Some(c) if c.is_ascii_digit() || c == b'-' => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit() || self.s[self.i] == b'.')
                {
                    self.i += 1;
                }
                self.src[start..self.i]
                    .parse()
                    .map(Expr::Num)
                    .map_err(|_| format!("bad number `{}`", &self.src[start..self.i]))
            }
            Some(_) => {
                let name = self
                    .ident()
                    .ok_or_else(|| format!("unexpected `{}`", &self.src[self.i..]))?;
                if self.peek() == Some(b'(') {
                    self.i += 1;
                    let mut args = Vec::new();
                    if self.peek() == Some(b')') {
                        self.i += 1;
                        return Ok(Expr::Call(name, args));
                    }
                    loop {
                        args.push(self.expr(depth + 1)?);
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b')') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(format!("expected `,` or `)` in `{}`", self.src)),
                        }
                    }
                    Ok(Expr::Call(name, args))
                } else {
                    Ok(Expr::Ident(name))
                }
            }
            None => Err("unexpected end of expression".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_calls_properties_indexes_and_escapes() {
        let e = parse("reference(resourceId('Microsoft.Network/azureFirewalls', parameters('fw')), '2023-09-01').ipConfigurations[0].properties.privateIPAddress").unwrap();
        match e {
            Expr::Prop(inner, p) => {
                assert_eq!(p, "privateIPAddress");
                assert!(matches!(*inner, Expr::Prop(_, ref q) if q == "properties"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parse("'it''s'").unwrap(), Expr::Str("it's".into()));
        assert_eq!(
            parse("add(1, -2)").unwrap(),
            Expr::Call("add".into(), vec![Expr::Num(1.0), Expr::Num(-2.0)])
        );
        assert!(
            matches!(classify("[[not an expression]").unwrap(), Parsed::Literal(s) if s == "[not an expression]")
        );
        assert!(matches!(classify("plain").unwrap(), Parsed::Literal(_)));
        assert!(parse("concat('a'").is_err());
    }
}
