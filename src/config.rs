//! `routelint.toml`: one loader for every setting.
//!
//! Found by walking up from the linted path (or given with `--config`). Unknown keys are an
//! error with their position.
//!
//! ```toml
//! [onprem]
//! prefixes = ["192.168.0.0/16", "172.20.0.0/14"]   # what on-premises announces
//!
//! [internet]
//! clients = ["203.0.113.0/24"]                    # who reaches public frontends
//!
//! [appliances]
//! stateless = ["10.0.2.4"]                         # NVAs that keep no session state
//!
//! [terraform]
//! var_files = ["env/prod.tfvars"]
//!
//! [rules]
//! select = ["RL001", "RL002", "RL003"]   # default: all
//! ignore = ["RL003"]
//! exclude = ["legacy/**"]               # paths not linted (relative to this file)
//!
//! [rules.severity]
//! RL002 = "warning"
//!
//! [rules.per-path-ignores]
//! "sandbox/**" = ["RL001"]
//! ```

use crate::diag::{codes, Diagnostic, Severity};
use crate::source::{Origin, SourceMap};
use ipnet::Ipv4Net;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "routelint.toml";

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnPrem {
    #[serde(default)]
    pub prefixes: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Internet {
    #[serde(default)]
    pub clients: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appliances {
    /// IP addresses or names of appliances that do not track sessions.
    #[serde(default)]
    pub stateless: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerraformCfg {
    #[serde(default)]
    pub var_files: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Rules to run (codes or names); `None` = all.
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-rule severity: `error`, `warning` or `info`.
    #[serde(default)]
    pub severity: std::collections::BTreeMap<String, String>,
    /// Globs (relative to the config file) of paths not to lint.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Glob -> rule codes ignored in files it matches.
    #[serde(default, rename = "per-path-ignores")]
    pub per_path_ignores: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: Rules,
    #[serde(default)]
    pub onprem: OnPrem,
    #[serde(default)]
    pub internet: Internet,
    #[serde(default)]
    pub appliances: Appliances,
    #[serde(default)]
    pub terraform: TerraformCfg,
    /// Where the file was found (for relative paths).
    #[serde(skip)]
    pub dir: Option<PathBuf>,
}

impl Config {
    pub fn onprem_prefixes(&self) -> Vec<Ipv4Net> {
        self.onprem
            .prefixes
            .iter()
            .filter_map(|p| p.trim().parse().ok())
            .collect()
    }
    pub fn internet_clients(&self) -> Vec<Ipv4Net> {
        self.internet
            .clients
            .iter()
            .filter_map(|p| p.trim().parse().ok())
            .collect()
    }
}

/// Finds `routelint.toml` in `start` or a parent directory.
pub fn find(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if abs.is_file() {
        abs.parent()?.to_path_buf()
    } else {
        abs
    };
    loop {
        let c = dir.join(FILE_NAME);
        if c.is_file() {
            return Some(c);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// Loads a config file; problems are diagnostics with the position in the file.
/// Reads a configuration file. `known_rule` says whether a code or name is a rule (the
/// caller knows the rules; the configuration does not import them).
pub fn load(
    path: &Path,
    sources: &SourceMap,
    known_rule: &dyn Fn(&str) -> bool,
) -> Result<Config, Box<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Box::new(Diagnostic::new(
            codes::CONFIG_ERROR,
            Severity::Error,
            format!("cannot read {}: {e}", path.display()),
        ))
    })?;
    let id = sources.add(path, text.clone());
    let mut cfg: Config = toml::from_str(&text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Box::new(
            Diagnostic::new(
                codes::CONFIG_ERROR,
                Severity::Error,
                format!("invalid {}: {}", FILE_NAME, e.message()),
            )
            .primary(Origin::new(id, span), e.message().to_string())
            .in_file(id),
        )
    })?;
    for (list, what) in [
        (&cfg.onprem.prefixes, "onprem.prefixes"),
        (&cfg.internet.clients, "internet.clients"),
    ] {
        for p in list {
            if p.trim().parse::<Ipv4Net>().is_err() {
                let start = text.find(&format!("\"{p}\"")).unwrap_or(0);
                return Err(Box::new(
                    Diagnostic::new(
                        codes::CONFIG_ERROR,
                        Severity::Error,
                        format!("`{p}` in {what} is not an IPv4 prefix"),
                    )
                    .primary(
                        Origin::new(id, start..start + p.len() + 2),
                        "not a CIDR prefix",
                    )
                    .in_file(id),
                ));
            }
        }
    }
    // Rule codes and severities must exist.
    let known = |c: &str| c.eq_ignore_ascii_case("ALL") || known_rule(c);
    let mut named: Vec<String> = cfg.rules.select.clone().unwrap_or_default();
    named.extend(cfg.rules.ignore.iter().cloned());
    named.extend(cfg.rules.severity.keys().cloned());
    named.extend(cfg.rules.per_path_ignores.values().flatten().cloned());
    for c in named {
        if !known(&c) {
            let start = text.find(&c).unwrap_or(0);
            return Err(Box::new(
                Diagnostic::new(
                    codes::CONFIG_ERROR,
                    Severity::Error,
                    format!("unknown rule `{c}` in {FILE_NAME}"),
                )
                .primary(
                    Origin::new(id, start..start + c.len()),
                    "no rule has this code or name",
                )
                .in_file(id),
            ));
        }
    }
    for (c, sev) in &cfg.rules.severity {
        if Severity::parse(sev).is_none() {
            let start = text.find(sev.as_str()).unwrap_or(0);
            return Err(Box::new(
                Diagnostic::new(
                    codes::CONFIG_ERROR,
                    Severity::Error,
                    format!("severity of `{c}` must be error, warning or info"),
                )
                .primary(Origin::new(id, start..start + sev.len()), "not a severity")
                .in_file(id),
            ));
        }
    }
    cfg.dir = path.parent().map(Path::to_path_buf);
    Ok(cfg)
}

fn code_matches(list: &[String], code: &str, name: &str) -> bool {
    list.iter()
        .any(|c| c.eq_ignore_ascii_case("ALL") || c.eq_ignore_ascii_case(code) || c == name)
}

fn relative(cfg: &Config, path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let base = cfg
        .dir
        .as_ref()
        .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.clone()));
    let rel = match &base {
        Some(b) => abs
            .strip_prefix(b)
            .map(Path::to_path_buf)
            .unwrap_or(abs.clone()),
        None => path.to_path_buf(),
    };
    rel.to_string_lossy().replace('\\', "/")
}

impl Config {
    /// Is a path excluded from linting?
    pub fn excludes(&self, path: &Path) -> bool {
        if self.rules.exclude.is_empty() {
            return false;
        }
        let rel = relative(self, path);
        self.rules
            .exclude
            .iter()
            .any(|g| crate::suppress::glob_match(g, &rel))
    }

    /// Does `select` (if set) take the rule, and `ignore` leave it?
    pub fn rule_enabled(&self, code: &str, name: &str) -> bool {
        let r = &self.rules;
        r.select
            .as_ref()
            .is_none_or(|sel| code_matches(sel, code, name))
            && !code_matches(&r.ignore, code, name)
    }

    /// Applies selection, per-path ignores and the severity override to one finding:
    /// `false` when the configuration leaves it out. Diagnostics that are not findings
    /// pass unchanged.
    pub fn admit(&self, d: &mut Diagnostic, sources: &SourceMap) -> bool {
        let r = &self.rules;
        if !d.code.starts_with("RL") {
            return true;
        }
        if !self.rule_enabled(&d.code, &d.name) {
            return false;
        }
        if let Some(o) = d.primary_origin() {
            let rel = relative(self, &sources.get(o.file).path);
            for (glob, codes) in &r.per_path_ignores {
                if crate::suppress::glob_match(glob, &rel) && code_matches(codes, &d.code, &d.name)
                {
                    return false;
                }
            }
        }
        if let Some((_, sev)) = r
            .severity
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(&d.code) || **c == d.name)
        {
            if let Some(s) = Severity::parse(sev) {
                d.severity = s;
            }
        }
        true
    }
}

/// The example `routelint init` writes.
pub const EXAMPLE: &str = r#"# routelint configuration (https://github.com/routelint/routelint#configuration)

[onprem]
# What on-premises announces over ExpressRoute / BGP VPN (not in the IaC).
prefixes = []

[internet]
# Who reaches public frontends (default: any address).
clients = []

[appliances]
# NVAs (by IP or name) that keep no session state.
stateless = []

[terraform]
var_files = []

[rules]
# select = ["RL001", "RL002", "RL003"]
ignore = []
exclude = []

[rules.severity]
# RL003 = "warning"

[rules.per-path-ignores]
# "sandbox/**" = ["RL001"]
"#;
