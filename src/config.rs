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
pub struct Config {
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
pub fn load(path: &Path, sources: &SourceMap) -> Result<Config, Box<Diagnostic>> {
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
    cfg.dir = path.parent().map(Path::to_path_buf);
    Ok(cfg)
}
