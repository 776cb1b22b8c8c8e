//! Checks of a whole template that need more than one block: duplicates across files, build
//! references, `only`/`except`/`override` targets, build names.
//!
//! Architecture Invariant: validation reads the [`Template`] and returns diagnostics; it does no
//! I/O and never changes the template.

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic, did_you_mean_help};
use crate::ir::{Build, PostProcessor, Provisioner, Spanned, Template};
use crate::source::Span;

pub mod exprs;

/// Every structural problem of a template.
pub fn check(t: &Template) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    empty_files(t, &mut diags);
    duplicates(t, &mut diags);
    if t.builds.is_empty() && !t.files.is_empty() && !t.files.iter().all(|f| f.empty) {
        let span = Span::new(t.files[0].file, 0..0);
        let help = if t.is_legacy() {
            "add a `builders` list, for example `\"builders\": [{\"type\": \"null\", \"communicator\": \"none\"}]`"
        } else {
            "add a build, for example `build { sources = [\"source.TYPE.NAME\"] }`"
        };
        diags.push(Diagnostic::error(Code::MissingBuild, span, "the template defines no build").with_help(help));
    }
    let mut names: HashMap<String, Span> = HashMap::new();
    for build in &t.builds {
        check_build(t, build, &mut names, &mut diags);
    }
    diags
}

fn empty_files(t: &Template, diags: &mut Vec<Diagnostic>) {
    for f in t.files.iter().filter(|f| f.empty) {
        diags.push(
            Diagnostic::error(Code::EmptyTemplate, Span::new(f.file, 0..0), "the template file is empty")
                .with_help("Packer builds nothing from an empty file without a word; add a build, or remove the file"),
        );
    }
}

fn duplicates(t: &Template, diags: &mut Vec<Diagnostic>) {
    let first_seen = |diags: &mut Vec<Diagnostic>, items: Vec<(String, Span)>, code: Code, what: &str| {
        let mut seen: HashMap<String, Span> = HashMap::new();
        for (name, span) in items {
            if let Some(first) = seen.get(&name) {
                diags.push(
                    Diagnostic::error(code, span, format!("duplicate {what} `{name}`"))
                        .with_label(*first, "first defined here")
                        .with_help(format!("each {what} needs a unique name; rename or remove one")),
                );
            } else {
                seen.insert(name, span);
            }
        }
    };
    first_seen(
        diags,
        t.variables.iter().map(|v| (v.name.value.clone(), v.name.span)).collect(),
        Code::DuplicateVariable,
        "variable",
    );
    first_seen(
        diags,
        t.locals.iter().map(|l| (l.name.value.clone(), l.name.span)).collect(),
        Code::DuplicateLocal,
        "local",
    );
    first_seen(
        diags,
        // Legacy builders are named by `name` alone; HCL2 sources by type and name.
        t.sources
            .iter()
            .map(|s| {
                if t.is_legacy() {
                    (s.name.value.clone(), s.name.span)
                } else {
                    (format!("{}.{}", s.kind.value, s.name.value), s.name.span)
                }
            })
            .collect(),
        if t.is_legacy() { Code::DuplicateBuild } else { Code::DuplicateSource },
        if t.is_legacy() { "builder" } else { "source" },
    );
    first_seen(
        diags,
        t.data.iter().map(|d| (format!("{}.{}", d.kind.value, d.name.value), d.name.span)).collect(),
        Code::DuplicateDataSource,
        "data source",
    );
}

/// The names a provisioner's `only`/`except` can match in one build: Packer matches source
/// names `TYPE.NAME` in HCL2 and builder names in JSON.
struct BuildSources {
    names: Vec<String>,
}

fn check_build(t: &Template, build: &Build, names: &mut HashMap<String, Span>, diags: &mut Vec<Diagnostic>) {
    let legacy = build.origin.is_legacy();
    if build.sources.is_empty() && !legacy {
        diags.push(
            Diagnostic::error(Code::MissingSourceReference, build.span, "this build lists no source").with_help(
                "add `sources = [\"source.TYPE.NAME\"]` or a nested `source \"source.TYPE.NAME\" { }` block",
            ),
        );
    }
    let mut local = BuildSources { names: Vec::new() };
    let mut in_build: HashMap<String, Span> = HashMap::new();
    for use_ in &build.sources {
        let Some((kind, name)) = use_.target() else {
            diags.push(
                Diagnostic::error(
                    Code::InvalidSourceReference,
                    use_.reference.span,
                    format!("`{}` is not a source reference", use_.reference.value),
                )
                .with_help("write `source.TYPE.NAME`, for example `source.null.example`"),
            );
            continue;
        };
        if !legacy && !t.sources.iter().any(|s| s.kind.value == kind && s.name.value == name) {
            let known: Vec<String> =
                t.sources.iter().map(|s| format!("source.{}.{}", s.kind.value, s.name.value)).collect();
            let wanted = format!("source.{kind}.{name}");
            let help = did_you_mean_help(&wanted, known.iter().map(String::as_str)).unwrap_or_else(|| {
                if known.is_empty() {
                    "no source is defined: add a `source \"TYPE\" \"NAME\" { }` block".to_string()
                } else {
                    format!("defined sources: {}", known.join(", "))
                }
            });
            diags.push(
                Diagnostic::error(
                    Code::UnknownSource,
                    use_.reference.span,
                    format!("unknown source `{}`", use_.reference.value),
                )
                .with_help(help),
            );
            // Keep the intended name so that `only`/`except` naming it do not report again.
            local.names.push(format!("{kind}.{name}"));
            continue;
        }
        let Some(crate::ir::InstanceNames { short, full, .. }) = use_.names(build) else { continue };
        if let Some(first) = in_build.get(&short).filter(|_| !legacy) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateSourceInBuild,
                    use_.span,
                    format!("source `{short}` is used twice in this build"),
                )
                .with_label(*first, "first used here")
                .with_help(
                    "remove one, or give one a different name with a nested `source` block and `name = \"...\"`",
                ),
            );
            continue;
        }
        in_build.insert(short.clone(), use_.span);
        if let Some(first) = names.get(&full).filter(|_| !legacy) {
            diags.push(
                Diagnostic::error(Code::DuplicateBuild, use_.span, format!("two builds are named `{full}`"))
                    .with_label(*first, "the other one")
                    .with_help("give the builds different `name`s"),
            );
        } else {
            names.insert(full, use_.span);
        }
        local.names.push(short);
    }
    for p in build.provisioners.iter().chain(build.error_cleanup.iter()) {
        check_provisioner(p, &local, legacy, diags);
    }
    for chain in &build.post_processors {
        for pp in &chain.steps {
            check_post_processor(pp, &local, legacy, diags);
        }
    }
}

fn check_filters(
    only: &[Spanned<String>],
    except: &[Spanned<String>],
    what: &str,
    sources: &BuildSources,
    legacy: bool,
    diags: &mut Vec<Diagnostic>,
) {
    if let (Some(o), Some(e)) = (only.first(), except.first()) {
        diags.push(
            Diagnostic::error(Code::OnlyAndExcept, o.span, format!("a {what} may set `only` or `except`, not both"))
                .with_label(e.span, "`except` is set here")
                .with_help("keep one of the two"),
        );
    }
    for name in only.iter().chain(except) {
        if sources.names.iter().any(|n| n == &name.value) {
            continue;
        }
        let noun = if legacy { "builder" } else { "source" };
        let help = did_you_mean_help(&name.value, sources.names.iter().map(String::as_str))
            .unwrap_or_else(|| format!("this build's {noun}s are: {}", sources.names.join(", ")));
        diags.push(
            Diagnostic::error(
                Code::UnknownOnlyExcept,
                name.span,
                format!("`{}` is not a {noun} of this build", name.value),
            )
            .with_help(help),
        );
    }
}

fn check_provisioner(p: &Provisioner, sources: &BuildSources, legacy: bool, diags: &mut Vec<Diagnostic>) {
    check_filters(&p.only, &p.except, "provisioner", sources, legacy, diags);
    for o in &p.overrides {
        // Packer keys HCL overrides by the source's name; accept both `TYPE.NAME` and `NAME`.
        let target = &o.target.value;
        let found = sources.names.iter().any(|n| crate::ir::instance::override_names(target, n));
        if !found {
            let help = did_you_mean_help(target, sources.names.iter().map(String::as_str))
                .unwrap_or_else(|| format!("this build's sources are: {}", sources.names.join(", ")));
            diags.push(
                Diagnostic::error(
                    Code::UnknownOverride,
                    o.target.span,
                    format!("`override` names `{target}`, which this build does not have"),
                )
                .with_help(help),
            );
        }
    }
}

fn check_post_processor(pp: &PostProcessor, sources: &BuildSources, legacy: bool, diags: &mut Vec<Diagnostic>) {
    check_filters(&pp.only, &pp.except, "post-processor", sources, legacy, diags);
}
