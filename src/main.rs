//! The `routelint` command line.

use clap::{Parser, Subcommand, ValueEnum};
use routelint::analysis::Analysis;
use routelint::diag::{Diagnostic, Severity};
use routelint::frontend::terraform::TfOptions;
use routelint::report;
use routelint::{is_finding, Options, Outcome};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: building the model allocates many small
/// values, and glibc's malloc/free were a fifth of a 1,000-spoke check's profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes (documented in the README).
const EXIT_CLEAN: u8 = 0;
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

#[derive(Parser)]
#[command(
    name = "routelint",
    version,
    about = "Static linter for Azure network IaC: every flow must come back the way it went"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What `model` prints: text for people, or JSON.
#[derive(Clone, Copy, ValueEnum)]
enum ModelFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutFormat {
    Human,
    Concise,
    /// The concise line, then the flow and the fix, indented (pre-commit's default)
    Short,
    Json,
    Sarif,
    Github,
    Checkstyle,
    /// GitLab Code Quality JSON
    Gitlab,
    /// JUnit XML
    Junit,
    /// reviewdog's Diagnostic Format
    Rdjson,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFmt {
    Dot,
    Mermaid,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Clone)]
struct Input {
    /// Terraform variable file (after terraform.tfvars and *.auto.tfvars)
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// Terraform variable, NAME=VALUE (applied last)
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Configuration file (default: routelint.toml found upwards from each path, up to the
    /// repository root)
    #[arg(long)]
    config: Option<PathBuf>,
    /// Read module sources and variable files outside the repository being linted (by
    /// default they are not read)
    #[arg(long)]
    read_outside: bool,
    /// ARM parameters file (default: <template>.parameters.json beside each template)
    #[arg(long, value_name = "FILE")]
    parameters: Option<PathBuf>,
    /// Only these rules (codes or names, comma-separated); overrides the configuration
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Option<Vec<String>>,
    /// Also ignore these rules (codes or names, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// Do not compile .bicep files that have no compiled template (with the Bicep CLI on
    /// PATH); they are reported as not checked
    #[arg(long)]
    no_bicep_build: bool,
    /// Largest file read, in MiB (default 32)
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=4096))]
    max_file_size: Option<u64>,
    /// Most instances of one count/for_each/copy, and most module instances in one root
    /// (default 10000; overrides `instances` in [limits] of routelint.toml)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    max_instances: Option<u64>,
    /// Most expressions evaluated for one root module or template (default 20000000;
    /// overrides `eval-steps` in [limits] of routelint.toml)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_eval_steps: Option<u64>,
}

#[derive(Subcommand)]
enum Command {
    /// Lint the Terraform root modules and ARM templates (Bicep through their compiled JSON) under the paths
    Check {
        /// Files or directories (default: .)
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: OutFormat,
        #[arg(long, value_enum, default_value = "auto")]
        color: Color,
        /// List every value that could not be known statically
        #[arg(long, short)]
        verbose: bool,
        /// Print nothing but findings
        #[arg(long, short)]
        quiet: bool,
        /// Exit 0 even when there are findings
        #[arg(long)]
        exit_zero: bool,
        /// Lowest severity that makes the exit code 1
        #[arg(long, value_enum, default_value = "error")]
        fail_on: FailOn,
        /// Print the number of diagnostics per rule after the report
        #[arg(long)]
        statistics: bool,
        /// Write the report to this file instead of standard output
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Also write a SARIF report of the same run to this file (one run for annotations
        /// and code scanning)
        #[arg(long, value_name = "FILE")]
        sarif: Option<PathBuf>,
        /// Do not report findings recorded in this baseline file; report its stale entries
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Record every finding in this baseline file, report nothing, and exit 0
        #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
        write_baseline: Option<PathBuf>,
        /// Apply the fixes findings carry (safe ones; with --unsafe-fixes also those that
        /// change routing), then report what is left
        #[arg(long)]
        fix: bool,
        /// Print the fixes as a unified diff instead of applying them (exit 1 if any)
        #[arg(long)]
        diff: bool,
        /// Include fixes that change how the network routes (every fix routelint has today)
        #[arg(long)]
        unsafe_fixes: bool,
        #[command(flatten)]
        input: Input,
    },
    /// Write an example routelint.toml into the current directory
    Init,
    /// Print the JSON Schema of `check --format json`
    Schema,
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions { shell: clap_complete::Shell },
    /// Print the network model routelint built
    Model {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: ModelFormat,
        #[command(flatten)]
        input: Input,
    },
    /// Print a subnet's effective routes
    Routes {
        path: PathBuf,
        /// VNET/SUBNET (Azure names), a subnet name, or its address
        #[arg(long)]
        subnet: String,
        #[command(flatten)]
        input: Input,
    },
    /// Trace a flow hop by hop, forward and back
    Trace {
        path: PathBuf,
        /// ADDR | VNET/SUBNET | onprem | internet
        #[arg(long)]
        from: String,
        /// ADDR | VNET/SUBNET | onprem | internet
        #[arg(long)]
        to: String,
        #[command(flatten)]
        input: Input,
    },
    /// Draw the topology and each problem flow's forward and return paths
    Graph {
        path: PathBuf,
        #[arg(long, value_enum, default_value = "mermaid")]
        format: GraphFmt,
        #[command(flatten)]
        input: Input,
    },
    /// Run the Language Server over stdio (diagnostics and quick fixes in editors)
    Lsp,
    /// Print a rule's documentation
    Explain {
        /// Rule code (RL001) or name
        rule: String,
    },
    /// List the rules
    Rules,
}

/// A code of diagnostics that are not rules, which --select and --ignore accept too.
fn is_meta_code(c: &str) -> bool {
    routelint::diag::codes::ALL
        .iter()
        .any(|m| m.eq_ignore_ascii_case(c))
}

/// --select and --ignore for diagnostics that are not rules: ignored codes are dropped; when
/// --select names some, the other notes are (rules are selected by the engine).
fn filter_meta(diags: &mut Vec<Diagnostic>, input: &Input) {
    let named = |list: &[String], code: &str| list.iter().any(|x| x.eq_ignore_ascii_case(code));
    diags.retain(|d| !(is_meta_code(&d.code) && named(&input.ignore, &d.code)));
    if let Some(sel) = &input.select {
        if sel.iter().any(|x| is_meta_code(x)) {
            diags.retain(|d| !is_meta_code(&d.code) || named(sel, &d.code));
        }
    }
}

fn options(input: &Input) -> Result<Options, String> {
    for r in input.select.iter().flatten().chain(input.ignore.iter()) {
        if routelint::rules::find(r).is_none() && !r.eq_ignore_ascii_case("ALL") && !is_meta_code(r)
        {
            return Err(format!(
                "no rule or diagnostic code `{r}` (see `routelint rules`; notes: {})",
                routelint::diag::codes::ALL.join(", ")
            ));
        }
    }
    let mut vars = Vec::new();
    for v in &input.vars {
        let Some((k, val)) = v.split_once('=') else {
            return Err(format!("--var `{v}`: expected NAME=VALUE"));
        };
        vars.push((k.trim().to_string(), val.to_string()));
    }
    Ok(Options {
        terraform: TfOptions {
            var_files: input.var_files.clone(),
            vars,
            limits: Default::default(),
        },
        limits: routelint::LimitOptions {
            file_bytes: input.max_file_size.map(|m| m << 20),
            instances: input.max_instances.map(|n| n as usize),
            eval_steps: input.max_eval_steps,
        },
        config: input.config.clone(),
        arm_parameters: input.parameters.clone(),
        overlay: Vec::new(),
        select: input.select.clone(),
        ignore: input.ignore.clone(),
        read_outside: input.read_outside,
        no_bicep_build: input.no_bicep_build,
        cache: None,
    })
}

/// The terminal's width: `COLUMNS` when set (shells export it), else 100.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

fn use_color(c: Color) -> bool {
    match c {
        Color::Always => true,
        Color::Never => false,
        // FORCE_COLOR (set and not "0") wins over NO_COLOR and a pipe, as in other tools.
        Color::Auto => match std::env::var("FORCE_COLOR") {
            Ok(v) if !v.is_empty() && v != "0" => true,
            _ => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
        },
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("routelint: {msg}");
    ExitCode::from(EXIT_ERROR)
}

fn single_project(out: &Outcome, path: &std::path::Path) -> Result<usize, String> {
    match out.projects.len() {
        0 => {
            // Say why: only Bicep sources, or nothing routelint reads.
            let bicep_only = !out.bicep_unchecked.is_empty();
            Err(if bicep_only {
                format!(
                    "{} has Bicep files but no compiled template: run `bicep build` and name the JSON it writes",
                    path.display()
                )
            } else {
                format!(
                    "no Terraform module or ARM template found under {}",
                    path.display()
                )
            })
        }
        1 => Ok(0),
        n => {
            let mut roots: Vec<&str> = out.projects.iter().map(|p| p.model.root.as_str()).collect();
            roots.sort_unstable();
            let shown: Vec<&str> = roots.iter().take(8).copied().collect();
            let more = if n > shown.len() {
                format!(", and {} more", n - shown.len())
            } else {
                String::new()
            };
            Err(format!(
                "{} holds {n} root modules and templates; name one of them: {}{more}",
                path.display(),
                shown.join(", ")
            ))
        }
    }
}

/// `print!` that ignores a closed pipe (`routelint model | head`), instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}

/// `println!` that ignores a closed pipe.
macro_rules! outln {
    () => {{
        let _ = writeln!(std::io::stdout());
    }};
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            paths,
            format,
            color,
            verbose,
            quiet,
            exit_zero,
            fail_on,
            statistics,
            output,
            sarif,
            baseline,
            write_baseline,
            fix,
            diff,
            unsafe_fixes,
            input,
        } => {
            let opts = match options(&input) {
                Ok(o) => o,
                Err(e) => return usage_error(&e),
            };
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let baseline_entries = match &baseline {
                Some(b) => match routelint::baseline::read(b) {
                    Ok(e) => Some(e),
                    Err(e) => return usage_error(&e),
                },
                None => None,
            };
            let mut out = routelint::check(&paths, &opts);
            if diff || fix {
                let mut found = out.diagnostics.clone();
                if let Some(entries) = &baseline_entries {
                    routelint::baseline::apply(&mut found, entries, &out.sources, |d| {
                        d.code.starts_with("RL")
                    });
                }
                let plan = routelint::fixes::plan(&found, &out.sources, unsafe_fixes);
                let n: usize = plan.files.iter().map(|f| f.fixes).sum();
                if plan.unsafe_skipped > 0 {
                    eprintln!(
                        "routelint: {} fix(es) change routing and are applied only with --unsafe-fixes",
                        plan.unsafe_skipped
                    );
                }
                if diff {
                    let _ = std::io::stdout().write_all(routelint::fixes::diff(&plan).as_bytes());
                    eprintln!("routelint: {n} fix(es) would be applied");
                    return ExitCode::from(if n > 0 { EXIT_FINDINGS } else { EXIT_CLEAN });
                }
                for f in &plan.files {
                    if let Err(e) = std::fs::write(&f.path, &f.new) {
                        return usage_error(&format!("cannot write {}: {e}", f.display));
                    }
                }
                for f in plan.files.iter().filter(|f| f.display.ends_with(".bicep")) {
                    eprintln!(
                        "routelint: fixed {} in the Bicep source: run `bicep build {}` so the compiled template routelint reads has it too",
                        f.display, f.display
                    );
                }
                if n > 0 {
                    eprintln!(
                        "routelint: applied {n} fix(es) in {} file(s)",
                        plan.files.len()
                    );
                    // What is left, from the files as they are now.
                    out = routelint::check(&paths, &opts);
                }
            }
            let mut diags = out.diagnostics.clone();
            if let Some(f) = &write_baseline {
                let findings: Vec<&routelint::diag::Diagnostic> =
                    diags.iter().filter(|d| d.code.starts_with("RL")).collect();
                let text = routelint::baseline::write(&findings, &out.sources);
                if let Err(e) = std::fs::write(f, text) {
                    return usage_error(&format!("cannot write {}: {e}", f.display()));
                }
                eprintln!(
                    "routelint: wrote {} finding(s) to the baseline {}",
                    findings.len(),
                    f.display()
                );
                return ExitCode::from(if out.input_error {
                    EXIT_ERROR
                } else {
                    EXIT_CLEAN
                });
            }
            if let Some(entries) = &baseline_entries {
                routelint::baseline::apply(&mut diags, entries, &out.sources, |d| {
                    d.code.starts_with("RL")
                });
            }
            // Annotation-style formats (SARIF, GitHub, checkstyle) carry findings and input
            // errors; notes about what could not be known go there only with --verbose.
            let machine = matches!(
                format,
                OutFormat::Sarif
                    | OutFormat::Github
                    | OutFormat::Checkstyle
                    | OutFormat::Gitlab
                    | OutFormat::Junit
                    | OutFormat::Rdjson
            );
            // What annotation-style reports carry without --verbose: findings and errors.
            let annotated = |d: &Diagnostic| is_finding(d) || d.severity == Severity::Error;
            if quiet || (machine && !verbose) {
                diags.retain(annotated);
            } else {
                diags.extend(routelint::unknown_notes(&out, verbose));
                // Which flows were not checked and why: with --verbose; the summary line
                // always gives the count.
                if !verbose {
                    diags.retain(|d| d.code != routelint::diag::codes::NOT_CHECKED);
                }
            }
            filter_meta(&mut diags, &input);
            routelint::diag::sort_and_dedup(&mut diags, &out.sources);
            // Names come from the user's files: no control characters reach a terminal,
            // a CI log or an annotation.
            report::clean_all(&mut diags);
            let to_file = output.is_some();
            let config_names: Vec<String> = out
                .config_files
                .iter()
                .map(|p| routelint::source::display_path(p))
                .collect();
            let mut text = match format {
                OutFormat::Human => {
                    let tty = !to_file && std::io::stdout().is_terminal();
                    let mut t = report::human::render(
                        &diags,
                        &out.sources,
                        !to_file && use_color(color),
                        tty.then(terminal_width),
                    );
                    if !quiet {
                        let e = diags
                            .iter()
                            .filter(|d| is_finding(d) && d.severity == Severity::Error)
                            .count();
                        let w = diags
                            .iter()
                            .filter(|d| is_finding(d) && d.severity == Severity::Warning)
                            .count();
                        let input_errors = diags
                            .iter()
                            .filter(|d| !is_finding(d) && d.severity == Severity::Error)
                            .count();
                        let inputs = match input_errors {
                            0 => String::new(),
                            n => format!(", {n} input error(s)"),
                        };
                        let unchecked = match out.not_checked {
                            0 => String::new(),
                            n => format!(", {n} flow(s) not checked (--verbose says why)"),
                        };
                        t.push_str(&format!(
                            "routelint: {} module(s)/template(s) checked, {e} error(s), {w} warning(s){inputs}{unchecked}\n",
                            out.projects.len()
                        ));
                    }
                    t
                }
                OutFormat::Concise => report::concise(&diags, &out.sources),
                OutFormat::Short => report::short(&diags, &out.sources),
                OutFormat::Json => report::json::render_with(&diags, &out.sources, &config_names),
                OutFormat::Sarif => report::sarif::render_with(&diags, &out.sources, &config_names),
                OutFormat::Github => report::github::render(&diags, &out.sources),
                OutFormat::Checkstyle => report::checkstyle::render(&diags, &out.sources),
                OutFormat::Gitlab => report::ci::gitlab(&diags, &out.sources),
                OutFormat::Junit => report::ci::junit(&diags, &out.sources),
                OutFormat::Rdjson => report::ci::rdjson(&diags, &out.sources),
            };
            if verbose {
                for c in &config_names {
                    eprintln!("routelint: configuration {c}");
                }
            }
            if statistics {
                let stats = report::statistics(&diags);
                match format {
                    OutFormat::Human | OutFormat::Concise | OutFormat::Short => {
                        text.push_str(&stats)
                    }
                    _ => eprint!("{stats}"),
                }
            }
            if let Some(f) = &sarif {
                // The SARIF file carries the same findings as the main report (input errors
                // included), whatever its format.
                let mut sd = diags.clone();
                if !verbose {
                    sd.retain(annotated);
                }
                let s = report::sarif::render_with(&sd, &out.sources, &config_names);
                if let Err(e) = std::fs::write(f, s) {
                    return usage_error(&format!("cannot write {}: {e}", f.display()));
                }
            }
            match &output {
                Some(f) => {
                    if let Err(e) = std::fs::write(f, &text) {
                        return usage_error(&format!("cannot write {}: {e}", f.display()));
                    }
                }
                None => {
                    let _ = std::io::stdout().write_all(text.as_bytes());
                }
            }
            if out.input_error {
                return ExitCode::from(EXIT_ERROR);
            }
            let min = match fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
                FailOn::Info => Severity::Info,
            };
            // --fail-on info is the strict mode: every note shown counts, not only findings.
            let failing = diags
                .iter()
                .filter(|d| {
                    d.severity >= min
                        && (is_finding(d)
                            || (min == Severity::Info
                                && d.code != routelint::diag::codes::BASELINE_STALE))
                })
                .count();
            if !exit_zero && failing > 0 {
                return ExitCode::from(EXIT_FINDINGS);
            }
            ExitCode::from(EXIT_CLEAN)
        }
        Command::Schema => {
            let _ = std::io::stdout().write_all(report::json::SCHEMA.as_bytes());
            ExitCode::from(EXIT_CLEAN)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            let mut buf: Vec<u8> = Vec::new();
            clap_complete::generate(shell, &mut cmd, "routelint", &mut buf);
            let _ = std::io::stdout().write_all(&buf);
            ExitCode::from(EXIT_CLEAN)
        }
        Command::Init => {
            let p = PathBuf::from(routelint::config::FILE_NAME);
            if p.exists() {
                return usage_error(&format!("{} exists already", p.display()));
            }
            match std::fs::write(&p, routelint::config::EXAMPLE) {
                Ok(()) => {
                    outln!("wrote {}", p.display());
                    ExitCode::from(EXIT_CLEAN)
                }
                Err(e) => usage_error(&format!("cannot write {}: {e}", p.display())),
            }
        }
        Command::Model {
            paths,
            format,
            input,
        } => {
            let opts = match options(&input) {
                Ok(o) => o,
                Err(e) => return usage_error(&e),
            };
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let out = routelint::load(&paths, &opts);
            let errors: Vec<Diagnostic> = out
                .diagnostics
                .iter()
                .filter(|d| d.severity >= Severity::Warning)
                .cloned()
                .collect();
            if !errors.is_empty() {
                eprint!(
                    "{}",
                    report::human::render(&errors, &out.sources, false, None)
                );
            }
            match format {
                ModelFormat::Json => {
                    let models: Vec<serde_json::Value> = out
                        .projects
                        .iter()
                        .map(|p| {
                            report::model::json(&Analysis::new(&p.model, &p.config), &out.sources)
                        })
                        .collect();
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&models).unwrap_or_default()
                    );
                }
                ModelFormat::Human => {
                    for p in &out.projects {
                        out!(
                            "{}",
                            report::model::human(&Analysis::new(&p.model, &p.config), &out.sources)
                        );
                        outln!();
                    }
                }
            }
            if out.input_error {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::from(EXIT_CLEAN)
            }
        }
        Command::Routes {
            path,
            subnet,
            input,
        } => cmd_routes(&path, &subnet, &input).unwrap_or_else(|e| usage_error(&e)),
        Command::Trace {
            path,
            from,
            to,
            input,
        } => cmd_trace(&path, &from, &to, &input).unwrap_or_else(|e| usage_error(&e)),
        Command::Graph {
            path,
            format,
            input,
        } => (|| -> Result<ExitCode, String> {
            let opts = options(&input)?;
            let out = routelint::check(std::slice::from_ref(&path), &opts);
            let i = single_project(&out, &path)?;
            let p = &out.projects[i];
            let a = Analysis::new(&p.model, &p.config);
            let drawn: Vec<report::graph::Drawn> = out
                .diagnostics
                .iter()
                .filter_map(|d| {
                    let (pi, t) = &out.traced[d.traced?];
                    (*pi == i).then(|| report::graph::Drawn {
                        label: format!(
                            "{} {}",
                            d.code,
                            d.flow
                                .as_ref()
                                .map(|f| f.flow.as_str())
                                .unwrap_or(&d.subject)
                        ),
                        traced: t,
                    })
                })
                .collect();
            let f = match format {
                GraphFmt::Dot => report::graph::GraphFormat::Dot,
                GraphFmt::Mermaid => report::graph::GraphFormat::Mermaid,
            };
            out!("{}", report::graph::render(&a, &drawn, f));
            Ok(ExitCode::from(EXIT_CLEAN))
        })()
        .unwrap_or_else(|e| usage_error(&e)),
        Command::Lsp => match routelint::lsp::run() {
            Ok(true) => ExitCode::from(EXIT_CLEAN),
            // `exit` without `shutdown`: 1, as the Language Server Protocol says.
            Ok(false) => ExitCode::from(1),
            Err(e) => usage_error(&format!("lsp: {e}")),
        },
        Command::Explain { rule } => match routelint::rules::find(&rule) {
            Some(r) => {
                out!("{}", r.meta.doc);
                ExitCode::from(EXIT_CLEAN)
            }
            None => match routelint::diag::codes::explain(&rule) {
                Some(text) => {
                    outln!("{text}");
                    ExitCode::from(EXIT_CLEAN)
                }
                None => usage_error(&format!("no rule `{rule}` (see `routelint rules`)")),
            },
        },
        Command::Rules => {
            for r in routelint::rules::all() {
                outln!(
                    "{}  {:40} {:8} {}",
                    r.meta.code,
                    r.meta.name,
                    r.meta.severity.as_str(),
                    r.meta.summary
                );
            }
            ExitCode::from(EXIT_CLEAN)
        }
    }
}

/// Loads a path that must hold exactly one root module.
fn load_one(path: &std::path::Path, input: &Input) -> Result<(Outcome, usize), String> {
    let opts = options(input)?;
    let out = routelint::load(&[path.to_path_buf()], &opts);
    let i = single_project(&out, path)?;
    Ok((out, i))
}

fn cmd_routes(path: &std::path::Path, subnet: &str, input: &Input) -> Result<ExitCode, String> {
    let (out, i) = load_one(path, input)?;
    let p = &out.projects[i];
    let a = Analysis::new(&p.model, &p.config);
    let s = a.subnet_named(subnet)?;
    let t = a
        .table(s)
        .ok_or_else(|| format!("the VNet of `{subnet}` is not known"))?;
    out!("{}", report::routes::render(&a, t, &out.sources));
    Ok(ExitCode::from(EXIT_CLEAN))
}

fn cmd_trace(
    path: &std::path::Path,
    from: &str,
    to: &str,
    input: &Input,
) -> Result<ExitCode, String> {
    let (out, i) = load_one(path, input)?;
    let p = &out.projects[i];
    let a = Analysis::new(&p.model, &p.config);
    let tw = a.trace_between(from, to)?;
    out!("{}", report::trace::render(&a, &tw, &out.sources));
    Ok(ExitCode::from(EXIT_CLEAN))
}
