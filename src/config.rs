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
//! [limits]
//! instances = 10000        # per count/for_each/copy, and module instances per root
//! eval-steps = 20000000    # expressions evaluated per root module or template
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

/// `[limits]`: what evaluating one unit may cost (command-line `--max-*` flags win).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsCfg {
    /// Most instances of one `count` / `for_each` / `copy` and module instances in a root.
    pub instances: Option<usize>,
    /// Most expressions evaluated for one root module or template.
    #[serde(rename = "eval-steps")]
    pub eval_steps: Option<u64>,
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
    #[serde(default)]
    pub limits: LimitsCfg,
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

/// Finds `routelint.toml` in `start` or a parent directory, up to the repository root
/// (the enclosing git work tree; without one, `start`'s own directory only): a stray
/// configuration above the repository never governs it.
pub fn find(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if abs.is_file() {
        abs.parent()?.to_path_buf()
    } else {
        abs
    };
    let root = crate::source::tree_of(&dir);
    loop {
        let c = dir.join(FILE_NAME);
        if c.is_file() {
            return Some(c);
        }
        if dir == root || !dir.starts_with(&root) || !dir.pop() {
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
    let spans = Spans::of(&text);
    let error = |what: String, at: std::ops::Range<usize>, label: &str| {
        Box::new(
            Diagnostic::new(codes::CONFIG_ERROR, Severity::Error, what)
                .primary(Origin::new(id, at), label.to_string())
                .in_file(id),
        )
    };
    for (list, what) in [
        (&cfg.onprem.prefixes, "onprem.prefixes"),
        (&cfg.internet.clients, "internet.clients"),
    ] {
        for p in list {
            if p.trim().parse::<Ipv4Net>().is_err() {
                return Err(error(
                    format!("`{p}` in {what} is not an IPv4 prefix"),
                    spans.value(what, p),
                    "not a CIDR prefix",
                ));
            }
        }
    }
    // Globs must be valid.
    let globs = cfg
        .rules
        .exclude
        .iter()
        .map(|g| (g, spans.value("rules.exclude", g)))
        .chain(
            cfg.rules
                .per_path_ignores
                .keys()
                .map(|g| (g, spans.key("rules.per-path-ignores", g))),
        );
    for (g, at) in globs {
        if let Err(e) = globset::Glob::new(g) {
            return Err(error(
                format!("`{g}` in {FILE_NAME} is not a valid glob: {}", e.kind()),
                at,
                "not a glob",
            ));
        }
    }
    // Rule codes and severities must exist.
    let known = |c: &str| c.eq_ignore_ascii_case("ALL") || known_rule(c);
    let mut named: Vec<(&String, std::ops::Range<usize>)> = Vec::new();
    for c in cfg.rules.select.iter().flatten() {
        named.push((c, spans.value("rules.select", c)));
    }
    for c in &cfg.rules.ignore {
        named.push((c, spans.value("rules.ignore", c)));
    }
    for c in cfg.rules.severity.keys() {
        named.push((c, spans.key("rules.severity", c)));
    }
    for (g, codes) in &cfg.rules.per_path_ignores {
        for c in codes {
            named.push((c, spans.value(&format!("rules.per-path-ignores.{g}"), c)));
        }
    }
    for (c, at) in named {
        if !known(c) {
            return Err(error(
                format!("unknown rule `{c}` in {FILE_NAME}"),
                at,
                "no rule has this code or name",
            ));
        }
    }
    for (c, sev) in &cfg.rules.severity {
        if Severity::parse(sev).is_none() {
            return Err(error(
                format!("severity of `{c}` must be error, warning or info"),
                spans.value(&format!("rules.severity.{c}"), sev),
                "not a severity",
            ));
        }
    }
    cfg.dir = path.parent().map(Path::to_path_buf);
    Ok(cfg)
}

/// Where each string value and key of a TOML file is: dotted table path, text, byte span
/// (from toml_edit's parse, which keeps spans).
struct Spans {
    values: Vec<(String, String, std::ops::Range<usize>)>,
    keys: Vec<(String, String, std::ops::Range<usize>)>,
}

impl Spans {
    fn of(text: &str) -> Spans {
        let mut s = Spans {
            values: Vec::new(),
            keys: Vec::new(),
        };
        if let Ok(doc) = toml_edit::ImDocument::parse(text) {
            s.table("", doc.as_table());
        }
        s
    }
    fn table(&mut self, path: &str, t: &dyn toml_edit::TableLike) {
        for (k, item) in t.iter() {
            let here = if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            };
            if let Some((key, _)) = t.get_key_value(k) {
                if let Some(sp) = key.span() {
                    self.keys.push((path.to_string(), k.to_string(), sp));
                }
            }
            match item {
                toml_edit::Item::Table(sub) => self.table(&here, sub),
                toml_edit::Item::Value(v) => self.value_of(&here, v),
                _ => {}
            }
        }
    }
    fn value_of(&mut self, path: &str, v: &toml_edit::Value) {
        match v {
            toml_edit::Value::String(s) => {
                if let Some(sp) = s.span() {
                    self.values.push((path.to_string(), s.value().clone(), sp));
                }
            }
            toml_edit::Value::Array(a) => a.iter().for_each(|x| self.value_of(path, x)),
            toml_edit::Value::InlineTable(t) => self.table(path, t),
            _ => {}
        }
    }
    /// The span of string `text` under `path`, else the start of the file.
    fn value(&self, path: &str, text: &str) -> std::ops::Range<usize> {
        self.values
            .iter()
            .find(|(p, t, _)| p == path && t == text)
            .map(|(_, _, sp)| sp.clone())
            .unwrap_or(0..0)
    }
    /// The span of key `text` of the table at `path`.
    fn key(&self, path: &str, text: &str) -> std::ops::Range<usize> {
        self.keys
            .iter()
            .find(|(p, t, _)| p == path && t == text)
            .map(|(_, _, sp)| sp.clone())
            .unwrap_or(0..0)
    }
}

/// Does any of the globs match a `/`-separated relative path? `*` and `?` stay within a
/// segment, `**` spans segments (globset); a pattern also matches everything under the
/// directory it names (`modules` matches `modules/spoke/main.tf`). Patterns that are not
/// valid globs were rejected when the configuration was read.
fn globs_match(patterns: &[String], path: &str) -> bool {
    let path = path.trim_start_matches("./");
    patterns.iter().any(|p| {
        let p = p.trim_start_matches("./");
        let dir = format!("{}/**", p.trim_end_matches('/'));
        [p, dir.as_str()].iter().any(|g| {
            globset::GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .is_ok_and(|g| g.compile_matcher().is_match(path))
        })
    })
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
    /// Is a path excluded from linting? A file is when an `exclude` glob matches it; a
    /// directory (a Terraform module) when a glob matches it or every file in it
    /// (`legacy/**` excludes `legacy/`).
    pub fn excludes(&self, path: &Path) -> bool {
        if self.rules.exclude.is_empty() {
            return false;
        }
        let rel = relative(self, path);
        if globs_match(&self.rules.exclude, &rel) {
            return true;
        }
        if !path.is_dir() {
            return false;
        }
        let files: Vec<String> = std::fs::read_dir(path)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| format!("{rel}/{}", e.file_name().to_string_lossy()))
                    .collect()
            })
            .unwrap_or_default();
        !files.is_empty() && files.iter().all(|f| globs_match(&self.rules.exclude, f))
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
                if globs_match(std::slice::from_ref(glob), &rel)
                    && code_matches(codes, &d.code, &d.name)
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

[limits]
# instances = 10000        # per count/for_each/copy, and module instances per root
# eval-steps = 20000000    # expressions evaluated per root module or template

[rules]
# select = ["RL001", "RL002", "RL003"]
ignore = []
exclude = []

[rules.severity]
# RL003 = "warning"

[rules.per-path-ignores]
# "sandbox/**" = ["RL001"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn g(p: &str, path: &str) -> bool {
        globs_match(&[p.to_string()], path)
    }

    #[test]
    fn globs() {
        assert!(g("fixtures/**", "fixtures/a/b.tf"));
        assert!(g("**/legacy/*.tf", "x/y/legacy/main.tf"));
        assert!(g("modules", "modules/spoke/main.tf"));
        assert!(!g("*.tf", "a/b.tf"));
        assert!(g("*.tf", "b.tf"));
        assert!(g("a?c/**", "abc/x"));
        assert!(g("{a,b}/*.tf", "b/main.tf"));
    }

    /// Positions come from the TOML parse, not a text search (a comment mentioning the
    /// same word comes first here).
    #[test]
    fn errors_point_at_the_value() {
        let dir = std::env::temp_dir().join(format!("routelint-cfgspan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(FILE_NAME);
        for (text, bad) in [
            (
                "# RL999 and warn are mentioned here\n[rules]\nignore = [\"RL001\", \"RL999\"]\n",
                "\"RL999\"",
            ),
            (
                "# warn\n[rules.severity]\nRL001 = \"warn\"\nRL002 = \"loud\"\n",
                "\"loud\"",
            ),
            (
                "# 10.0.0.0/33\n[onprem]\nprefixes = [\"10.0.0.0/8\", \"10.0.0.0/33\"]\n",
                "\"10.0.0.0/33\"",
            ),
            ("[rules]\nexclude = [\"a/[b\"]\n", "\"a/[b\""),
        ] {
            std::fs::write(&p, text).unwrap();
            let sources = SourceMap::new();
            let e = load(&p, &sources, &|c| c == "RL001" || c == "RL002").expect_err(text);
            let o = e.primary_origin().expect("positioned");
            assert_eq!(sources.snippet(o), bad, "{text}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_directory_glob_excludes_the_directory() {
        let dir = std::env::temp_dir().join(format!("routelint-exclude-{}", std::process::id()));
        let legacy = dir.join("legacy");
        std::fs::create_dir_all(&legacy).unwrap();
        std::fs::write(legacy.join("main.tf"), "").unwrap();
        std::fs::create_dir_all(dir.join("live")).unwrap();
        std::fs::write(dir.join("live/main.tf"), "").unwrap();
        let mut cfg = Config {
            dir: Some(dir.clone()),
            ..Default::default()
        };
        cfg.rules.exclude = vec!["legacy/**".into()];
        assert!(cfg.excludes(&legacy));
        assert!(!cfg.excludes(&dir.join("live")));
        cfg.rules.exclude = vec!["**/*.tf".into()];
        assert!(
            cfg.excludes(&dir.join("live")),
            "every file of it is excluded"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
