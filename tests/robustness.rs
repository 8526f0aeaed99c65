//! Never crash on anyone's files: every fixture file cut short at many points, or with bytes
//! flipped, still gives a result (diagnostics, exit code 2 for unparsable input), no panic.

mod common;
use common::{files_under, root, tempdir};

#[test]
fn truncated_and_corrupted_inputs_do_not_panic() {
    let fixtures = root().join("fixtures");
    let scenarios = [
        "onprem-return-propagation-on",
        "modules-foreach-tfvars",
        "public-lb-behind-firewall-route",
    ];
    let mut runs = 0;
    for s in scenarios {
        for form in ["terraform", "arm"] {
            let src = fixtures.join(s).join(form);
            let all = files_under(&src);
            for victim in &all {
                let text = std::fs::read(victim).unwrap();
                for k in 1..=6 {
                    let tmp = tempdir(&format!("robust-{runs}"));
                    for f in &all {
                        let rel = f.strip_prefix(&src).unwrap();
                        let to = tmp.join(rel);
                        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                        if f == victim {
                            let mut t = text[..text.len() * k / 7].to_vec();
                            if k % 2 == 0 && !t.is_empty() {
                                let i = t.len() / 2;
                                t[i] = b"{}[]\"'=$("[k % 9];
                            }
                            std::fs::write(&to, t).unwrap();
                        } else {
                            std::fs::copy(f, &to).unwrap();
                        }
                    }
                    let out = routelint::check(
                        std::slice::from_ref(&tmp),
                        &routelint::Options::default(),
                    );
                    // Every diagnostic has a position in a file that was read (or none).
                    for d in &out.diagnostics {
                        if let Some(o) = d.primary_origin() {
                            let f = out.sources.get(o.file);
                            assert!(
                                o.start <= f.text.len(),
                                "{}: label beyond the end of {}",
                                d.code,
                                f.display
                            );
                        }
                    }
                    let _ = routelint::report::human::render(
                        &out.diagnostics,
                        &out.sources,
                        false,
                        Some(100),
                    );
                    let _ = routelint::report::sarif::render(&out.diagnostics, &out.sources);
                    let _ = std::fs::remove_dir_all(&tmp);
                    runs += 1;
                }
            }
        }
    }
    assert!(runs > 100, "{runs}");
}

/// Resource bombs are capped with a positioned diagnostic, never an abort: `count = 1e300`,
/// an ARM copy of a billion, huge string functions, functions called with no arguments.
#[test]
fn huge_counts_and_empty_calls_are_diagnostics_not_crashes() {
    let dir = tempdir("bombs-tf");
    std::fs::write(
        dir.join("main.tf"),
        "resource \"azurerm_route_table\" \"t\" {\n  count = 1e300\n  name  = upper()\n}\nlocals {\n  a = startswith(\"a\")\n  b = parseint(\"10\", 99)\n  c = cidrsubnet(\"10.0.0.0/8\", 4294967295, 0)\n}\nmodule \"m\" {\n  source = \"./m\"\n  count  = 1e19\n}\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(
        dir.join("m/main.tf"),
        "variable \"x\" {\n  default = 1\n}\n",
    )
    .unwrap();
    let out = routelint::check(std::slice::from_ref(&dir), &routelint::Options::default());
    let msgs: Vec<&str> = out.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("more than routelint's limit of 10000")),
        "{msgs:#?}"
    );
    assert!(out.projects[0].model.route_tables.is_empty());
    let _ = std::fs::remove_dir_all(&dir);

    let dir = tempdir("bombs-arm");
    std::fs::write(
        dir.join("main.json"),
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "variables": {
    "pad": "[padLeft('a', 10000000000000000000)]",
    "sub": "[substring('abc', 1, 18446744073709551615)]",
    "t": "[tryGet()]",
    "copy": [{ "name": "many", "count": 1000000000, "input": "[copyIndex('many')]" }]
  },
  "resources": [
    {
      "type": "Microsoft.Network/routeTables",
      "apiVersion": "2024-05-01",
      "name": "[format('rt-{0}', copyIndex())]",
      "copy": { "name": "rts", "count": 1000000000 },
      "properties": { "routes": "[variables('copy')]", "disableBgpRoutePropagation": "[empty(variables('pad'))]" }
    }
  ]
}"#,
    )
    .unwrap();
    let out = routelint::check(std::slice::from_ref(&dir), &routelint::Options::default());
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("more than routelint's limit of 800")),
        "{:#?}",
        out.diagnostics
            .iter()
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Only the tree it is given: a `.tf` that links out of the tree is not read (its text never
/// reaches a snippet), and a pipe named like a variables file does not block the run.
#[cfg(unix)]
#[test]
fn links_out_of_the_tree_and_pipes_are_not_read() {
    let dir = tempdir("outside-links");
    std::fs::write(dir.join("main.tf"), "locals {\n  a = 1\n}\n").unwrap();
    let secret = std::env::temp_dir().join(format!("routelint-secret-{}.txt", std::process::id()));
    std::fs::write(&secret, "TOKEN=do-not-print-me\n{{{\n").unwrap();
    std::os::unix::fs::symlink(&secret, dir.join("env.tf")).unwrap();
    let fifo = dir.join("x.auto.tfvars");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let out = routelint::check(std::slice::from_ref(&dir), &routelint::Options::default());
    let all: String = out
        .diagnostics
        .iter()
        .map(|d| format!("{}\n", d.message))
        .collect();
    let shown = routelint::report::human::render(&out.diagnostics, &out.sources, false, Some(100));
    assert!(!shown.contains("do-not-print-me"), "{shown}");
    assert!(all.contains("outside the linted tree"), "{all}");
    if made.is_ok_and(|s| s.success()) {
        assert!(all.contains("not a regular file"), "{all}");
    }
    let _ = std::fs::remove_file(&secret);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A chain of 5,000 locals (and one of 3,000 ARM variables) is an evaluation error at its
/// position, not a stack overflow; the binary exits with a documented code.
#[test]
fn deep_reference_chains_are_diagnostics_not_stack_overflows() {
    let dir = tempdir("deep-locals");
    let mut tf = String::from("locals {\n  l0 = \"10.0.0.0/16\"\n");
    for i in 1..5000 {
        tf.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    tf.push_str("}\nresource \"azurerm_virtual_network\" \"a\" {\n  name          = \"x\"\n  address_space = [local.l4999]\n}\n");
    std::fs::write(dir.join("main.tf"), tf).unwrap();
    let (code, out, err) =
        common::routelint(&["check", dir.to_str().unwrap(), "--format", "concise"]);
    assert!(matches!(code, 0..=2), "exit {code}: {err}");
    assert!(out.contains("nested more than 200 deep"), "{out}\n{err}");
    let _ = std::fs::remove_dir_all(&dir);

    let dir = tempdir("deep-variables");
    let mut vars = String::from("\"v0\": \"10.0.0.0/16\"");
    for i in 1..3000 {
        vars.push_str(&format!(", \"v{i}\": \"[variables('v{}')]\"", i - 1));
    }
    let tpl = format!(
        "{{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", \"contentVersion\": \"1.0.0.0\", \"variables\": {{{vars}}}, \"resources\": [{{\"type\": \"Microsoft.Network/virtualNetworks\", \"apiVersion\": \"2024-05-01\", \"name\": \"x\", \"properties\": {{\"addressSpace\": {{\"addressPrefixes\": [\"[variables('v2999')]\"]}}}}}}]}}"
    );
    std::fs::write(dir.join("main.json"), tpl).unwrap();
    let (code, _, err) =
        common::routelint(&["check", dir.to_str().unwrap(), "--format", "concise"]);
    assert!(matches!(code, 0..=2), "exit {code}: {err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Set operations are linear (`distinct`, `toset`, `setunion` of hundreds of thousands of
/// items finish at once; they were quadratic) and a `format` width over the string limit is
/// an error, not a gigabyte of padding.
#[test]
fn set_operations_are_linear_and_format_widths_capped() {
    let dir = tempdir("set-ops");
    std::fs::write(
        dir.join("main.tf"),
        r#"locals {
  a = distinct(range(200000))
  b = toset([for i in range(100000) : "s${i}"])
  c = setunion(range(100000), range(100000))
  d = format("%0999999999d", 1)
}
resource "azurerm_virtual_network" "v" {
  name                = "v"
  resource_group_name = local.d
  address_space       = [length(local.a) + length(local.b) + length(local.c) == 400000 ? "10.0.0.0/16" : "10.9.0.0/16"]
}
"#,
    )
    .unwrap();
    let out = routelint::load(std::slice::from_ref(&dir), &routelint::Options::default());
    let m = &out.projects[0].model;
    assert_eq!(
        m.vnets[0].address_space[0].value,
        routelint::ir::Prefix::parse("10.0.0.0/16")
    );
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("a width of 999999999 is more than")),
        "{:?}",
        out.diagnostics
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The mutations a file goes through mid-edit, over every fixture file and (when present)
/// the third-party corpus read in place: a line deleted, a line duplicated, a call's
/// arguments emptied, the file ending in a multibyte character. The binary exits 0, 1 or 2,
/// never panics or aborts.
#[test]
fn edits_in_progress_exit_0_1_or_2() {
    let mut files: Vec<std::path::PathBuf> = files_under(&root().join("fixtures"))
        .into_iter()
        .filter(|f| {
            let n = f.to_string_lossy();
            n.ends_with(".tf") || n.ends_with(".json") || n.ends_with(".bicep")
        })
        .collect();
    let shared = root().join("../shared/corpus");
    if shared.is_dir() {
        files.extend(files_under(&shared).into_iter().filter(|f| {
            let n = f.to_string_lossy();
            (n.ends_with(".tf") || n.ends_with(".bicep") || n.ends_with("main.json"))
                && !n.contains("/.terraform/")
        }));
    }
    files.sort();
    // A sample, evenly spread, keeps the run short.
    let step = (files.len() / 60).max(1);
    let mut runs = 0;
    for (n, f) in files.iter().step_by(step).enumerate() {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).to_string();
        let lines: Vec<&str> = text.lines().collect();
        if lines.is_empty() {
            continue;
        }
        let mid = lines.len() / 2;
        let mut deleted = lines.clone();
        deleted.remove(mid);
        let mut duplicated = lines.clone();
        duplicated.insert(mid, lines[mid]);
        let emptied = match text.find('(') {
            Some(i) => match text[i..].find(')') {
                Some(j) => format!("{}(){}", &text[..i], &text[i + j + 1..]),
                None => text.clone(),
            },
            None => text.clone(),
        };
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let mut cut = text.len() / 2;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        for (k, mutated) in [
            deleted.join("\n"),
            duplicated.join("\n"),
            emptied,
            format!("{}é", &text[..cut]),
        ]
        .into_iter()
        .enumerate()
        {
            let dir = tempdir(&format!("edit-{n}-{k}"));
            std::fs::write(dir.join(&name), mutated).unwrap();
            let (code, _, err) =
                common::routelint(&["check", dir.to_str().unwrap(), "--format", "concise"]);
            assert!(
                matches!(code, 0..=2),
                "{} mutation {k}: exit {code}\n{err}",
                f.display()
            );
            let _ = std::fs::remove_dir_all(&dir);
            runs += 1;
        }
    }
    assert!(runs >= 40, "{runs}");
}

/// A module source outside the repository is not read (its text never reaches a message)
/// unless `--read-outside` says so.
#[test]
fn module_sources_outside_the_repository_are_not_read() {
    let outer = tempdir("confine");
    let repo = outer.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(outer.join("outside")).unwrap();
    std::fs::write(
        outer.join("outside/main.tf"),
        "resource \"azurerm_virtual_network\" \"secret\" {\n  name          = \"token-123\"\n  address_space = [\"10.0.0.0/33\"]\n}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("main.tf"),
        "module \"m\" {\n  source = \"../outside\"\n}\n",
    )
    .unwrap();
    let (code, out, err) = common::routelint_in(&repo, &["check", ".", "--format", "concise"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("outside the repository being linted"), "{out}");
    assert!(!out.contains("token-123"), "{out}");
    let (code, out, _) = common::routelint_in(
        &repo,
        &["check", ".", "--format", "concise", "--read-outside"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("RL024"), "{out}");
    let _ = std::fs::remove_dir_all(&outer);
}

/// The limits are positioned diagnostics and configurable: a module `count` inside a module
/// `count` cannot multiply past the module-instance cap; an evaluation that runs too long
/// stops with one warning where it stopped; `[limits]` and `--max-*` change them, the
/// command line winning; a file over `--max-file-size` is reported, not read.
#[test]
fn limits_are_positioned_and_configurable() {
    use common::routelint_in;
    let dir = tempdir("limits");
    std::fs::create_dir_all(dir.join("fan/m1")).unwrap();
    std::fs::create_dir_all(dir.join("fan/m2")).unwrap();
    std::fs::write(
        dir.join("fan/main.tf"),
        "module \"a\" {\n  source = \"./m1\"\n  count  = 150\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("fan/m1/main.tf"),
        "module \"b\" {\n  source = \"../m2\"\n  count  = 150\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("fan/m2/main.tf"),
        "resource \"azurerm_route_table\" \"t\" {\n  name                = \"rt\"\n  location            = \"x\"\n  resource_group_name = \"r\"\n}\n",
    )
    .unwrap();
    let (code, out, err) = routelint_in(&dir, &["check", "fan", "--format", "concise"]);
    assert_eq!(code, 0, "{out}{err}");
    let hits: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("module instances would make more than 10000"))
        .collect();
    assert!(
        !hits.is_empty()
            && hits
                .iter()
                .all(|l| l.starts_with("fan/m1/main.tf:3:12: eval-error")),
        "{out}"
    );
    // Raised on the command line: everything expands (150 + 150 x 150 module instances).
    let out = routelint::load(
        &[dir.join("fan")],
        &routelint::Options {
            limits: routelint::LimitOptions {
                instances: Some(30_000),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    assert_eq!(out.projects[0].model.route_tables.len(), 150 * 150);

    // An evaluation that would take 10^8 steps stops at the budget, with one warning.
    std::fs::create_dir_all(dir.join("hot")).unwrap();
    std::fs::write(
        dir.join("hot/main.tf"),
        "locals {\n  a = [for i in range(10000) : [for j in range(10000) : i + j]]\n}\nresource \"azurerm_route_table\" \"t\" {\n  name                = \"rt-${length(local.a)}\"\n  location            = \"x\"\n  resource_group_name = \"r\"\n}\n",
    )
    .unwrap();
    let (code, out, err) = routelint_in(
        &dir,
        &[
            "check",
            "hot",
            "--format",
            "concise",
            "--max-eval-steps",
            "5000",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let stops: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("evaluation stopped after 5000 expressions"))
        .collect();
    assert_eq!(stops.len(), 1, "{out}");
    assert!(stops[0].starts_with("hot/main.tf:2:"), "{out}");
    assert!(stops[0].contains("eval-error [warning]"), "{out}");
    assert!(!out.contains("cannot evaluate expression"), "{out}");
    // The same limit from routelint.toml; the command line wins over it.
    std::fs::write(
        dir.join("hot/routelint.toml"),
        "[limits]\neval-steps = 7000\n",
    )
    .unwrap();
    let (_, out, _) = routelint_in(&dir, &["check", "hot", "--format", "concise"]);
    assert!(
        out.contains("evaluation stopped after 7000 expressions"),
        "{out}"
    );
    let (_, out, _) = routelint_in(
        &dir,
        &[
            "check",
            "hot",
            "--format",
            "concise",
            "--max-eval-steps",
            "6000",
        ],
    );
    assert!(
        out.contains("evaluation stopped after 6000 expressions"),
        "{out}"
    );
    std::fs::write(
        dir.join("hot/routelint.toml"),
        "[limits]\neval-step = 7000\n",
    )
    .unwrap();
    let (code, out, _) = routelint_in(&dir, &["check", "hot", "--format", "concise"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("config-error"), "{out}");

    // ARM: the same budget, one warning at the expression where it ran out.
    std::fs::create_dir_all(dir.join("arm")).unwrap();
    let mut vars = String::new();
    for i in 0..50 {
        vars.push_str(&format!(
            "    \"v{i}\": \"[concat(string({i}), '-', string(add({i}, 1)))]\",\n"
        ));
    }
    std::fs::write(
        dir.join("arm/main.json"),
        format!(
            "{{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"variables\": {{\n{vars}    \"last\": 1\n  }},\n  \"resources\": [\n    {{\n      \"type\": \"Microsoft.Network/routeTables\",\n      \"apiVersion\": \"2024-05-01\",\n      \"name\": \"[concat(variables('v0'), variables('v49'))]\",\n      \"location\": \"x\",\n      \"properties\": {{}}\n    }}\n  ]\n}}\n"
        ),
    )
    .unwrap();
    let (_, out, _) = routelint_in(
        &dir,
        &[
            "check",
            "arm",
            "--format",
            "concise",
            "--max-eval-steps",
            "20",
        ],
    );
    let stops: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("evaluation stopped after 20 expressions"))
        .collect();
    assert_eq!(stops.len(), 1, "{out}");
    assert!(stops[0].starts_with("arm/main.json:"), "{out}");
    let (_, out, _) = routelint_in(&dir, &["check", "arm", "--format", "concise"]);
    assert!(!out.contains("evaluation stopped"), "{out}");

    // A file over --max-file-size is reported at its path and not read.
    std::fs::create_dir_all(dir.join("big")).unwrap();
    let mut big = String::from("locals {\n");
    while big.len() < (1 << 20) + 10 {
        big.push_str("  # padding padding padding padding padding padding padding padding\n");
    }
    big.push_str("}\n");
    std::fs::write(dir.join("big/main.tf"), big).unwrap();
    let (code, out, _) = routelint_in(
        &dir,
        &[
            "check",
            "big",
            "--format",
            "concise",
            "--max-file-size",
            "1",
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("big/main.tf"), "{out}");
    assert!(out.contains("larger than 1 MiB"), "{out}");
    let (code, out, _) = routelint_in(&dir, &["check", "big", "--format", "concise"]);
    assert_eq!(code, 0, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A directory that cannot be read (here a path longer than the system allows, which root
/// cannot read either) is a warning naming it; the files beside it are still linted.
#[cfg(unix)]
#[test]
fn unreadable_directories_are_warnings_and_the_rest_is_linted() {
    use common::routelint_in;
    let dir = tempdir("unreadable");
    common::copy_tree(
        &root().join("fixtures/onprem-return-propagation-on/terraform"),
        &dir.join("net"),
    );
    // Directories nested past PATH_MAX, made one `cd` at a time.
    let name = "d".repeat(250);
    let script = format!("cd '{}' && for i in $(seq 1 18); do mkdir {name}$i 2>/dev/null && cd {name}$i 2>/dev/null || exit 0; done", dir.display());
    std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .status()
        .unwrap();
    let (code, out, err) = routelint_in(&dir, &["check", ".", "--format", "concise"]);
    let warn: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("unreadable [warning]"))
        .collect();
    assert!(!warn.is_empty(), "{out}{err}");
    assert!(warn[0].contains("cannot be read"), "{out}");
    assert!(warn[0].contains(&name), "{out}");
    // The fixture's finding is still there, and the exit code is the findings'.
    assert!(out.contains("net/") && out.contains("RL001"), "{out}");
    assert_eq!(code, 1, "{out}");
    let _ = std::process::Command::new("rm")
        .arg("-rf")
        .arg(&dir)
        .status();
}

/// A byte-order mark is not a column: `.tf.json`, `.tf` and ARM errors on the first line are
/// at the column an editor shows.
#[test]
fn a_byte_order_mark_does_not_shift_columns() {
    use common::routelint_in;
    let dir = tempdir("bom");
    for (sub, name, text) in [
        ("tfjson", "main.tf.json", "{\"a\": [1,, 2]}"),
        ("hcl", "main.tf", "resource \"x\" \"y\" { a = [1,,2] }"),
    ] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(dir.join(sub).join(name), text).unwrap();
        let (_, plain, _) = routelint_in(&dir, &["check", sub, "--format", "concise"]);
        std::fs::write(dir.join(sub).join(name), format!("\u{feff}{text}")).unwrap();
        let (_, bom, _) = routelint_in(&dir, &["check", sub, "--format", "concise"]);
        let pos = |s: &str| {
            s.lines()
                .find(|l| l.contains("parse-error"))
                .map(|l| l.split(": ").next().unwrap_or("").to_string())
        };
        assert!(pos(&plain).is_some(), "{plain}");
        assert_eq!(pos(&plain), pos(&bom), "{plain}\n{bom}");
    }
    let (_, out, _) = routelint_in(&dir, &["check", "tfjson", "--format", "concise"]);
    assert!(
        out.starts_with("tfjson/main.tf.json:1:10: parse-error"),
        "{out}"
    );
    let (_, out, _) = routelint_in(&dir, &["check", "hcl", "--format", "concise"]);
    assert!(out.starts_with("hcl/main.tf:1:27: parse-error"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Lists built by functions and `for` are capped too: a flatten of many ranges and a
/// doubling concat chain are positioned errors, not gigabytes.
#[test]
fn built_lists_are_capped() {
    let dir = tempdir("list-caps");
    let mut locals = String::from(
        "locals {\n  big = flatten([for i in range(3000) : range(3000)])\n  c0 = [\"a\", \"b\"]\n",
    );
    for i in 1..=21 {
        locals.push_str(&format!(
            "  c{i} = concat(local.c{}, local.c{})\n",
            i - 1,
            i - 1
        ));
    }
    locals.push_str("}\nresource \"azurerm_route_table\" \"t\" {\n  name                = \"rt-${length(local.big)}\"\n  location            = \"x\"\n  resource_group_name = \"r\"\n}\nresource \"azurerm_route_table\" \"u\" {\n  name                = \"rt-${length(local.c21)}\"\n  location            = \"x\"\n  resource_group_name = \"r\"\n}\n");
    std::fs::write(dir.join("main.tf"), locals).unwrap();
    let out = routelint::check(std::slice::from_ref(&dir), &routelint::Options::default());
    let msgs: Vec<(String, usize)> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "eval-error")
        .map(|d| {
            (
                d.message.clone(),
                out.sources.line_col(d.primary_origin().unwrap()).line,
            )
        })
        .collect();
    assert!(
        msgs.iter().any(|(m, l)| *l == 2
            && m.contains("flatten(): more than routelint's limit of 1000000 elements")),
        "{msgs:#?}"
    );
    // 2 x 2^19 = 1,048,576 elements at c19 (line 22).
    assert!(
        msgs.iter().any(|(m, l)| *l == 22
            && m.contains("a collection of 1048576 elements is more than routelint's limit")),
        "{msgs:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
