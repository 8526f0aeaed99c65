//! routelint: a static linter for Azure network infrastructure-as-code.
//!
//! Data flows one way:
//! `discover -> frontend (terraform | arm) -> ir -> analysis -> rules -> report`.
//! See `ARCHITECTURE.md` for the map and the invariants of each module.
//!
//! ```
//! use std::path::PathBuf;
//! // Seed case 3: the spoke's reply to on-prem skips the hub firewall.
//! let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/onprem-return-propagation-on/terraform");
//! let out = routelint::check(&[dir], &routelint::Options::default());
//! let codes: Vec<&str> = out.diagnostics.iter().filter(|d| routelint::is_finding(d)).map(|d| d.code.as_str()).collect();
//! assert_eq!(codes, ["RL001"]);
//! ```

pub mod analysis;
pub mod baseline;
pub mod cache;
pub mod config;
pub mod diag;
pub mod discover;
pub mod fixes;
pub mod frontend;
#[doc(hidden)]
pub mod fuzz;
pub mod ir;
pub mod lsp;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;

use config::Config;
use diag::{codes, Diagnostic, Severity};
// The engine's hash maps use foldhash: seeded per process, and several times faster than
// SipHash on the short string keys the front ends and the linker look up.
use foldhash::HashMap;
use frontend::terraform::{self, ModuleCache, TfOptions};
use ir::Model;
use rayon::prelude::*;
use source::SourceMap;
use std::path::{Path, PathBuf};

/// What the user asked for, independent of the output format.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub terraform: TfOptions,
    /// `--config FILE`; otherwise `routelint.toml` is searched upwards from each root.
    pub config: Option<PathBuf>,
    /// `--parameters FILE` for ARM templates (else `<name>.parameters.json` beside each).
    pub arm_parameters: Option<PathBuf>,
    /// Texts to read instead of files on disk (the LSP's open buffers).
    pub overlay: Vec<(PathBuf, String)>,
    /// `--select`: only these rules (codes or names), replacing the configuration's.
    pub select: Option<Vec<String>>,
    /// `--ignore`: these rules too.
    pub ignore: Vec<String>,
    /// `--read-outside`: read module sources and variable files outside the repository.
    pub read_outside: bool,
    /// `--max-*`: limits given on the command line (they win over `[limits]`).
    pub limits: LimitOptions,
    /// `--no-bicep-build`: do not run the Bicep compiler on `.bicep` files without a
    /// compiled template.
    pub no_bicep_build: bool,
    /// What a long-running process (the language server) keeps between lints.
    pub cache: Option<std::sync::Arc<cache::Cache>>,
}

/// Limits given on the command line; `None` leaves the configuration's or the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct LimitOptions {
    /// `--max-file-size` (in bytes here).
    pub file_bytes: Option<u64>,
    /// `--max-instances`.
    pub instances: Option<usize>,
    /// `--max-eval-steps`.
    pub eval_steps: Option<u64>,
}

impl LimitOptions {
    /// The limits for a unit governed by `cfg`.
    fn resolve(&self, cfg: &Config) -> frontend::value::Limits {
        let d = frontend::value::Limits::default();
        frontend::value::Limits {
            instances: self
                .instances
                .or(cfg.limits.instances)
                .unwrap_or(d.instances),
            eval_steps: self
                .eval_steps
                .or(cfg.limits.eval_steps)
                .unwrap_or(d.eval_steps),
        }
    }
}

/// A unit of analysis.
enum Unit {
    Terraform(PathBuf),
    Arm(PathBuf),
}

impl Unit {
    fn path(&self) -> &Path {
        match self {
            Unit::Terraform(p) | Unit::Arm(p) => p,
        }
    }
}

/// One unit of analysis: a Terraform root module or an ARM template, with its config and
/// what its front end keeps of the syntax to write fixes.
pub struct Project {
    pub model: Model,
    pub config: Config,
    pub syntax: frontend::Syntax,
}

/// Everything a run produced.
pub struct Outcome {
    pub sources: SourceMap,
    pub projects: Vec<Project>,
    pub diagnostics: Vec<Diagnostic>,
    /// Some input could not be read or parsed (exit code 2).
    pub input_error: bool,
    /// The traced flows findings are about: (project index, traces); a finding points at
    /// its entry with `Diagnostic::traced`.
    pub traced: Vec<(usize, rules::Traced)>,
    /// How many intended flows could not be checked (a deciding value is not known); the
    /// `not-checked` notes say which and why.
    pub not_checked: usize,
    /// The configuration files used (explicit `--config`, or found for the units), in order.
    pub config_files: Vec<PathBuf>,
    /// `.bicep` files not checked: no compiled template, and no compiler run.
    pub bicep_unchecked: Vec<PathBuf>,
}

impl Outcome {
    pub fn count(&self, min: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity >= min && is_finding(d))
            .count()
    }
}

/// Findings are rule diagnostics (and unused suppressions); parse/eval/unknown notes are not.
pub fn is_finding(d: &Diagnostic) -> bool {
    d.code.starts_with("RL") || d.code == suppress::UNUSED
}

/// `ROUTELINT_TIMINGS=1`: each phase's wall time on standard error (a developer's aid for
/// profiling an estate; not a stable output).
pub(crate) fn timed<T>(phase: &str, f: impl FnOnce() -> T) -> T {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*ON.get_or_init(|| std::env::var_os("ROUTELINT_TIMINGS").is_some_and(|v| v != "0")) {
        return f();
    }
    let t = std::time::Instant::now();
    let v = f();
    eprintln!(
        "routelint timing: {phase}: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    v
}

/// The worker threads loading and checking run on: large stacks, so the evaluators' depth
/// limit (200 nested references) is reached long before a stack is, whatever thread called.
fn pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(64 << 20)
            .thread_name(|i| format!("routelint-{i}"))
            .build()
            .expect("a thread pool")
    })
}

/// Runs the front ends: discovers units and builds one model per unit.
pub fn load(paths: &[PathBuf], opts: &Options) -> Outcome {
    pool().install(|| load_in_pool(paths, opts))
}

fn load_in_pool(paths: &[PathBuf], opts: &Options) -> Outcome {
    let sources = SourceMap::with_overlay(opts.overlay.clone());
    sources.set_confined(!opts.read_outside);
    if let Some(b) = opts.limits.file_bytes {
        sources.set_max_file_bytes(b);
    }
    for p in paths {
        sources.allow_tree(p);
    }
    // Files named on the command line are read wherever they are.
    for p in opts
        .config
        .iter()
        .chain(opts.arm_parameters.iter())
        .chain(opts.terraform.var_files.iter())
    {
        sources.allow_tree(p);
    }
    let cache = ModuleCache::with_session(opts.cache.clone());
    let units = timed("discover", || discover::discover(paths, &cache, &sources));
    let mut diagnostics = Vec::new();
    let mut input_error = false;
    for m in &units.missing {
        diagnostics.push(Diagnostic::new(
            codes::READ_ERROR,
            Severity::Error,
            format!("{}: no such file or directory", m.display()),
        ));
        input_error = true;
    }
    for (path, why) in &units.unreadable {
        diagnostics.push(Diagnostic::new(
            codes::UNREADABLE,
            Severity::Warning,
            format!(
                "{}: cannot be read ({why}), so what is in it is not linted",
                path.display()
            ),
        ));
    }
    let explicit_config = match &opts.config {
        Some(p) => match config::load(p, &sources, &|c| rules::find(c).is_some()) {
            Ok(c) => Some(c),
            Err(d) => {
                diagnostics.push(*d);
                input_error = true;
                Some(Config::default())
            }
        },
        None => None,
    };
    let mut units = units;
    let bicep_unchecked = compile_bicep(&mut units, opts, &sources, &mut diagnostics);
    let work: Vec<Unit> = units
        .tf_roots
        .iter()
        .cloned()
        .map(Unit::Terraform)
        .chain(units.arm_templates.iter().cloned().map(Unit::Arm))
        .collect();
    // Each unit's `routelint.toml` (searched upwards), each file read once however many
    // units it governs; a file that does not load leaves its units on the defaults.
    let config_of: Vec<Option<PathBuf>> = work
        .iter()
        .map(|u| match explicit_config {
            Some(_) => None,
            None => config::find(u.path()),
        })
        .collect();
    let mut config_files: Vec<PathBuf> = opts.config.iter().cloned().collect();
    for p in config_of.iter().flatten() {
        if !config_files.contains(p) {
            config_files.push(p.clone());
        }
    }
    let mut configs: HashMap<&Path, Config> = HashMap::default();
    for p in config_of.iter().flatten() {
        if !configs.contains_key(p.as_path()) {
            let c = config::load(p, &sources, &|c| rules::find(c).is_some()).unwrap_or_else(|d| {
                diagnostics.push(*d);
                input_error = true;
                Config::default()
            });
            configs.insert(p, c);
        }
    }
    let results: Vec<(Project, Vec<Diagnostic>)> = work
        .par_iter()
        .zip(&config_of)
        .map(|(unit, found)| {
            let path = unit.path();
            let cfg = match (&explicit_config, found) {
                (Some(c), _) => c.clone(),
                (None, Some(p)) => configs[p.as_path()].clone(),
                (None, None) => Config::default(),
            };
            if cfg.excludes(path) {
                return None;
            }
            let (model, syntax, d) = match unit {
                Unit::Terraform(dir) => {
                    let mut tf = opts.terraform.clone();
                    tf.limits = opts.limits.resolve(&cfg);
                    if let Some(d) = &cfg.dir {
                        let mut files: Vec<PathBuf> =
                            cfg.terraform.var_files.iter().map(|f| d.join(f)).collect();
                        files.append(&mut tf.var_files);
                        tf.var_files = files;
                    }
                    timed("terraform load", || {
                        terraform::load_root(&sources, &cache, dir, &tf)
                    })
                }
                Unit::Arm(file) => timed("arm load", || {
                    frontend::arm::load_template(
                        &sources,
                        file,
                        opts.arm_parameters.as_deref(),
                        opts.limits.resolve(&cfg),
                    )
                }),
            };
            Some((
                Project {
                    model,
                    config: cfg,
                    syntax,
                },
                d,
            ))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect();
    let mut projects = Vec::new();
    for (p, d) in results {
        projects.push(p);
        diagnostics.extend(d);
    }
    diagnostics.extend(cache.take_diagnostics());
    if diagnostics
        .iter()
        .any(|d| d.code == codes::PARSE_ERROR || d.code == codes::READ_ERROR)
    {
        input_error = true;
    }
    Outcome {
        sources,
        projects,
        diagnostics,
        input_error,
        traced: Vec::new(),
        not_checked: 0,
        config_files,
        bicep_unchecked,
    }
}

/// Bicep without a compiled template (folders of `.bicep` only, or a `.bicep` file named
/// alone): each entry point (a file no other uses as a `module`) is compiled with the Bicep
/// CLI when one is on `PATH` and linted as the template it writes, with positions in the
/// `.bicep`; a compiler error is a positioned parse error. Without a compiler, or with
/// `--no-bicep-build`, each is a warning: not checked, and how to compile it. Returns the
/// files not checked.
fn compile_bicep(
    units: &mut discover::Units,
    opts: &Options,
    sources: &SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    use frontend::arm::bicep_build;
    let mut files: Vec<PathBuf> = units.bicep_uncompiled.clone();
    for d in &units.bicep_only {
        if let Ok(rd) = std::fs::read_dir(d) {
            let mut here: Vec<PathBuf> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file() && source::FileKind::of(p) == source::FileKind::Bicep)
                .collect();
            here.sort();
            files.extend(here);
        }
    }
    files.sort();
    files.dedup();
    let entries = bicep_build::entry_points(&files, |p| sources.read_file(p).ok());
    let mut unchecked = Vec::new();
    if entries.is_empty() {
        return unchecked;
    }
    let compiler = if opts.no_bicep_build {
        None
    } else {
        bicep_build::find()
    };
    for e in entries {
        let Some(c) = &compiler else {
            let why = if opts.no_bicep_build {
                "--no-bicep-build was given"
            } else {
                "no Bicep compiler (`bicep`, or `az` with Bicep) is on PATH"
            };
            let mut d = Diagnostic::new(
                codes::NOT_ANALYSED,
                Severity::Warning,
                format!(
                    "{}: not checked: it has no compiled template and {why}; run `bicep build {}` and lint the JSON it writes",
                    e.display(),
                    e.display()
                ),
            );
            if let Ok(id) = frontend::read_source(sources, &e) {
                d = d.in_file(id);
            }
            diagnostics.push(d);
            unchecked.push(e);
            continue;
        };
        match bicep_build::build(c, &e) {
            Ok(json) => {
                let virt = e.with_extension("json");
                sources.add_overlay(&virt, json);
                units.arm_templates.push(virt);
            }
            Err(err) => {
                let id = frontend::read_source(sources, &e).ok();
                let msgs = match err {
                    bicep_build::BuildError::Failed(m) => m,
                    bicep_build::BuildError::Timeout(t) => vec![(
                        None,
                        format!(
                            "{} did not finish within {} s and was stopped",
                            c.name(),
                            t.as_secs()
                        ),
                    )],
                    bicep_build::BuildError::Start(m) => vec![(None, m)],
                };
                for (pos, msg) in msgs {
                    let mut d = Diagnostic::new(
                        codes::PARSE_ERROR,
                        Severity::Error,
                        format!("cannot compile {}: {msg}", e.display()),
                    );
                    if let Some(id) = id {
                        let f = sources.get(id);
                        let at = pos.and_then(|(l, col)| {
                            let start = f.line_start(l)?;
                            let line = f.line_text(l);
                            let off: usize = line
                                .chars()
                                .take(col.saturating_sub(1))
                                .map(char::len_utf8)
                                .sum();
                            Some(start + off)
                        });
                        d = match at {
                            Some(a) => {
                                let end = (a + 1).min(f.text.len()).max(a);
                                d.primary(source::Origin::new(id, a..end), msg.clone())
                                    .in_file(id)
                            }
                            None => d.in_file(id),
                        };
                    }
                    diagnostics.push(d);
                }
            }
        }
    }
    unchecked
}

/// Loads, analyses and runs the rules. Diagnostics come out sorted and deduplicated.
pub fn check(paths: &[PathBuf], opts: &Options) -> Outcome {
    pool().install(|| check_in_pool(paths, opts))
}

fn check_in_pool(paths: &[PathBuf], opts: &Options) -> Outcome {
    let mut out = load_in_pool(paths, opts);
    let sources = &out.sources;
    let per_project: Vec<(Vec<Found>, usize)> = out
        .projects
        .par_iter()
        .map(|p| {
            let mut cfg = p.config.clone();
            if let Some(sel) = &opts.select {
                cfg.rules.select = Some(sel.clone());
            }
            cfg.rules.ignore.extend(opts.ignore.iter().cloned());
            check_project(p, &cfg, sources)
        })
        .collect();
    for (pi, (found, unchecked)) in per_project.into_iter().enumerate() {
        out.not_checked += unchecked;
        for (mut d, t) in found {
            if let Some(t) = t {
                d.traced = Some(out.traced.len());
                out.traced.push((pi, t));
            }
            out.diagnostics.push(d);
        }
    }
    // Suppression does not depend on order; one sort at the end covers the notes it adds.
    suppress::apply(&mut out.diagnostics, &out.sources);
    if out.diagnostics.iter().any(|d| d.code == suppress::INVALID) {
        out.input_error = true;
    }
    diag::sort_and_dedup(&mut out.diagnostics, &out.sources);
    out
}

/// A diagnostic and the traced flow it is about (drawn by `graph`).
type Found = (Diagnostic, Option<rules::Traced>);

/// One project's findings after its configuration's selection, per-path ignores and
/// severities, with their traced flows; then its notes.
fn check_project(p: &Project, cfg: &Config, sources: &SourceMap) -> (Vec<Found>, usize) {
    let a = timed("analysis", || analysis::Analysis::new(&p.model, &p.config));
    let mut written = Written::default();
    let ctx = rules::RuleContext::new(&a);
    let mut kept: Vec<Found> = timed("rules", || {
        rules::run(&ctx, |r| cfg.rule_enabled(r.code, r.name))
    })
    .into_iter()
    .map(|(meta, v)| finding(meta, v, p, sources, &mut written))
    .collect();
    if !p.model.downloaded_modules.is_empty() {
        for (d, _) in &mut kept {
            at_calling_module(d, &p.model, sources);
        }
    }
    kept.retain_mut(|(d, _)| cfg.admit(d, sources));
    let mut kept = one_finding_per_cause(kept);
    // A path through a subnet that receives a Route Server's routes may be different.
    for (d, t) in &mut kept {
        let Some(t) = t else { continue };
        // Route Server name -> the subnets on the path its routes reach, in path order.
        let mut names: Vec<(String, Vec<String>)> = Vec::new();
        for (s, _) in t
            .forward
            .routes()
            .chain(t.reply.iter().flat_map(|r| r.routes()))
        {
            for n in a.route_servers_reaching(s) {
                let name = n.meta.display().to_string();
                let subnet = p.model.subnet_label(s);
                match names.iter_mut().find(|(x, _)| *x == name) {
                    Some((_, subnets)) => {
                        if !subnets.contains(&subnet) {
                            subnets.push(subnet);
                        }
                    }
                    None => names.push((name, vec![subnet])),
                }
            }
        }
        if !names.is_empty() {
            let list: Vec<String> = names
                .iter()
                .map(|(n, subnets)| format!("`{n}` (its routes reach {})", subnets.join(", ")))
                .collect();
            d.notes.push(format!(
                "incomplete: Azure Route Server {} announces routes from NVAs that are not in the code; they may change this path",
                list.join(", ")
            ));
        }
    }
    kept.extend(not_analysed_notes(&p.model).into_iter().map(|d| (d, None)));
    let unchecked = ctx.unchecked();
    let count = unchecked.iter().map(|n| n.flows).sum();
    for n in unchecked {
        let mut d = Diagnostic::new(
            codes::NOT_CHECKED,
            Severity::Info,
            format!("{} flow(s) not checked: {}", n.flows, n.why),
        )
        .note(format!("for example {}", n.example))
        .subject(n.example.clone());
        if let Some(o) = n.origin {
            d = d.primary(o, "not known statically");
        }
        kept.push((d, None));
    }
    (kept, count)
}

/// A finding whose place lies inside a module `terraform init` downloaded is reported at
/// the `module` block in the user's code that brings it in (they cannot edit the download:
/// the next `terraform init` overwrites it), with the module's line as related
/// information. A fix that would edit the download is dropped; its help still says what
/// to change, which the user passes through the module's inputs or a newer version.
fn at_calling_module(d: &mut Diagnostic, m: &ir::Model, sources: &SourceMap) {
    let path_of = |f: source::FileId| {
        let p = &sources.get(f).path;
        sources.canonical(p).unwrap_or_else(|_| p.clone())
    };
    let module_of = |p: &std::path::Path| {
        m.downloaded_modules
            .iter()
            .filter(|x| p.starts_with(&x.dir))
            .max_by_key(|x| x.dir.as_os_str().len())
    };
    let Some(i) = d.labels.iter().position(|l| l.primary) else {
        return;
    };
    let Some(module) = module_of(&path_of(d.labels[i].origin.file)) else {
        return;
    };
    let label = &mut d.labels[i];
    label.primary = false;
    label.message = format!(
        "{} (in downloaded module `{}`)",
        label.message, module.address
    );
    d.labels.insert(
        0,
        diag::Label {
            origin: module.call,
            message: format!(
                "the cause lies in `{}`, which `terraform init` downloaded: change it through this `module` block (its inputs, or its version)",
                module.address
            ),
            primary: true,
        },
    );
    let edits_download = d.fix.as_ref().is_some_and(|f| {
        f.edits
            .iter()
            .any(|e| module_of(&path_of(e.origin.file)).is_some())
    });
    if edits_download {
        d.fix = None;
    }
}

/// One root cause, one finding: findings of one rule with the same place to change and
/// the same fix (several on-prem prefixes or subnets behind one route table) become one,
/// which lists the other flows (`also`, and a note).
fn one_finding_per_cause(found: Vec<Found>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::with_capacity(found.len());
    let mut index: HashMap<(String, Option<source::Origin>, Option<String>), usize> =
        HashMap::default();
    for (d, t) in found {
        if !d.code.starts_with("RL") {
            out.push((d, t));
            continue;
        }
        let key = (d.code.clone(), d.primary_origin(), d.help.clone());
        match index.get(&key) {
            Some(&i) if out[i].0.fix == d.fix => {
                let first = &mut out[i].0;
                if first.subject != d.subject && !first.also.contains(&d.subject) {
                    first.also.push(d.subject);
                }
            }
            _ => {
                index.insert(key, out.len());
                out.push((d, t));
            }
        }
    }
    for (d, _) in &mut out {
        if !d.also.is_empty() {
            // The first few by name (all of them in `also`, for JSON and SARIF readers).
            const SHOWN: usize = 10;
            let mut list = d.also[..d.also.len().min(SHOWN)].join(", ");
            if d.also.len() > SHOWN {
                list.push_str(&format!(" and {} more", d.also.len() - SHOWN));
            }
            d.notes.push(format!(
                "the same cause also breaks {} more flow(s): {list}",
                d.also.len(),
            ));
        }
    }
    out
}

/// A rule's violation as a diagnostic: code, name and severity from the rule, help
/// snippets and fix edits written by the project's front end.
/// What the front end wrote for each fix intent, once per project: flows with one cause
/// (a class of spokes broken alike) repeat the same intent many times.
#[derive(Default)]
struct Written {
    snippets: HashMap<ir::fix::FixIntent, String>,
    settings: HashMap<ir::fix::FixIntent, String>,
    edits: HashMap<ir::fix::FixIntent, Option<diag::Fix>>,
}

fn finding(
    meta: &rules::RuleMeta,
    v: rules::Violation,
    p: &Project,
    sources: &SourceMap,
    written: &mut Written,
) -> Found {
    use rules::HelpPart;
    let help = v.help.map(|h| {
        h.0.iter()
            .map(|part| match part {
                HelpPart::Text(t) => t.clone(),
                HelpPart::Snippet { intent, indent } => {
                    let pad = " ".repeat(*indent);
                    written
                        .snippets
                        .entry(intent.clone())
                        .or_insert_with(|| p.syntax.snippet(&p.model, intent))
                        .lines()
                        .map(|l| format!("{pad}{l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
                HelpPart::Setting(intent) => written
                    .settings
                    .entry(intent.clone())
                    .or_insert_with(|| p.syntax.setting(&p.model, intent))
                    .clone(),
            })
            .collect::<String>()
    });
    let fix = v.fix.as_ref().and_then(|i| {
        written
            .edits
            .entry(i.clone())
            .or_insert_with(|| p.syntax.edits(&p.model, sources, i))
            .clone()
    });
    let d = Diagnostic {
        code: meta.code.to_string(),
        name: meta.name.to_string(),
        severity: meta.severity,
        message: v.message,
        notes: v.notes,
        labels: v.labels,
        help,
        fix,
        file: None,
        subject: v.subject,
        flow: v.flow,
        traced: None,
        also: Vec::new(),
    };
    (d, v.traced)
}

/// Info notes on what could not be known statically: one per value (`verbose`, and in
/// editors), else one count per unit.
pub fn unknown_notes(out: &Outcome, verbose: bool) -> Vec<Diagnostic> {
    let mut notes = Vec::new();
    for p in &out.projects {
        let n = p.model.unknowns.len();
        if n == 0 {
            continue;
        }
        if verbose {
            for u in &p.model.unknowns {
                notes.push(
                    Diagnostic::new(
                        codes::UNKNOWN,
                        Severity::Info,
                        format!("{} is not known: {}", u.what, u.reason),
                    )
                    .primary(u.origin, "not known statically"),
                );
            }
        } else {
            notes.push(Diagnostic::new(
                codes::UNKNOWN,
                Severity::Info,
                format!("{}: {n} value(s) could not be known statically and were not guessed (--verbose lists them)", p.model.root),
            ));
        }
    }
    notes
}

/// Info notes: what the model holds and the analysis deliberately does not analyse.
fn not_analysed_notes(m: &Model) -> Vec<Diagnostic> {
    m.not_analysed
        .iter()
        // Virtual WAN is reported by its rule (RL022), which selection and suppression govern.
        .filter(|n| n.construct != ir::Construct::VirtualWan)
        .map(|n| {
            Diagnostic::new(
                codes::NOT_ANALYSED,
                Severity::Info,
                format!("{} `{}` is not analysed", n.what, n.meta.display()),
            )
            .primary(n.meta.label_origin(), n.why.clone())
            .subject(n.meta.key.clone())
        })
        .collect()
}
