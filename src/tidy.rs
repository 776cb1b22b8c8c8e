//! Tidy checks run by `cargo test`: the module layering of `ARCHITECTURE.md` and a `//!`
//! summary at the top of every source file.

use std::path::{Path, PathBuf};

/// Layer of each top-level module; a module may import only from lower layers.
const LAYERS: &[(&str, u8)] = &[
    ("source", 0),
    ("gocompat", 0),
    ("secrets", 0),
    ("diag", 1),
    ("ir", 2),
    ("syntax", 3),
    ("eval", 4),
    ("fmt", 4),
    ("component", 5),
    ("validate", 6),
    ("plan", 6),
    ("exec", 7),
    ("pipeline", 7),
    ("convert", 7),
    ("driver", 8),
    // The language server formats and validates through `driver`, and `cli` starts it.
    ("lsp", 9),
    ("cli", 10),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`src/syntax/hcl.rs` → `syntax`).
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
    Some(first.trim_end_matches(".rs").to_string())
}

#[test]
fn every_file_starts_with_a_module_summary() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let missing: Vec<_> =
        files.iter().filter(|f| !std::fs::read_to_string(f).unwrap_or_default().starts_with("//!")).collect();
    assert!(missing.is_empty(), "files without a `//!` summary: {missing:?}");
}

#[test]
fn imports_point_only_down_the_layers() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else { continue };
        let Some(own) = layer(&module) else { continue };
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(i) = rest.find("crate::") {
                let after = &rest[i + "crate::".len()..];
                let target: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if let Some(theirs) = layer(&target) {
                    if target != module && theirs >= own {
                        violations.push(format!(
                            "{}:{}: `{module}` (layer {own}) uses `{target}` (layer {theirs})",
                            file.display(),
                            n + 1
                        ));
                    }
                }
                rest = after;
            }
        }
    }
    assert!(violations.is_empty(), "imports that point up or sideways:\n{}", violations.join("\n"));
}

#[test]
fn every_module_has_a_layer() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in &files {
        let Some(module) = module_of(file) else { continue };
        if matches!(module.as_str(), "lib" | "main" | "tidy") {
            continue;
        }
        assert!(layer(&module).is_some(), "module `{module}` has no layer in tidy.rs and ARCHITECTURE.md");
    }
}

/// Lines of `src/` files outside the `allowed` top-level modules that contain any of `needles`.
fn uses_outside(allowed: &[&str], needles: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut found = Vec::new();
    for file in &files {
        let module = module_of(file).unwrap_or_default();
        if allowed.contains(&module.as_str()) || module == "tidy" {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if needles.iter().any(|needle| line.contains(needle)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn only_the_cli_touches_the_terminal() {
    // The engine draws progress bars only when the CLI says standard error is a terminal, and
    // reads answers through the line reader the CLI hands it.
    let needles = [
        "is_terminal",
        "IsTerminal",
        "stdin()",
        "io::stdout()",
        "io::stderr()",
        "println!",
        "eprintln!",
        "print!(",
        "eprint!(",
    ];
    let found = uses_outside(&["cli", "main"], &needles);
    assert!(found.is_empty(), "terminal use outside `cli`:\n{}", found.join("\n"));
}

#[test]
fn evaluation_gets_the_environment_as_data() {
    let mut files = Vec::new();
    rust_files(&src().join("eval"), &mut files);
    let found: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.contains("std::env::var") || l.contains("env::var_os") || l.contains("env::vars()"))
                .map(|(n, l)| format!("{}:{}: {}", f.display(), n + 1, l.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(found.is_empty(), "`eval` reads the process environment (use `Inputs::env`):\n{}", found.join("\n"));
}
