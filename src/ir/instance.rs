//! A build instance: one source used by one build, which `forge build` runs as one build.
//! Its names, its merged body, which provisioners and post-processors apply to it and how
//! overrides change them are decided here and nowhere else (validate, plan, the filters,
//! inspect and editor features all ask an [`Instance`]).

use crate::ir::{
    Body, Build, Expr, ExprKind, Override, PostProcessor, Provisioner, Source, SourceUse, Spanned, Template,
};

/// The names of a build instance, as Packer forms them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceNames {
    /// The builder type (`null`).
    pub kind: String,
    /// The source's own name, or the name a nested `source` block gives it (`a`).
    pub local: String,
    /// The name `only`, `except` and `override` use: `TYPE.NAME` (legacy JSON: the builder name).
    pub short: String,
    /// The build's full name: `BUILD.TYPE.NAME` when the build block is named (legacy JSON:
    /// the builder name).
    pub full: String,
}

impl SourceUse {
    /// The names of this use in `build`, when the reference is well formed.
    pub fn names(&self, build: &Build) -> Option<InstanceNames> {
        let (kind, name) = self.target()?;
        let legacy = build.origin.is_legacy();
        let local = self.name.as_ref().map_or(name, |n| n.value.as_str()).to_string();
        let short = if legacy { local.clone() } else { format!("{kind}.{local}") };
        let full = match (&build.name, legacy) {
            (Some(n), false) => format!("{}.{short}", n.value),
            _ => short.clone(),
        };
        Some(InstanceNames { kind: kind.to_string(), local, short, full })
    }
}

/// One build × source.
#[derive(Debug, Clone)]
pub struct Instance<'t> {
    /// The build.
    pub build: &'t Build,
    /// How the build refers to the source.
    pub used: &'t SourceUse,
    /// The top-level source it refers to; `None` when no such source is defined.
    pub source: Option<&'t Source>,
    /// Its names.
    pub names: InstanceNames,
}

impl Template {
    /// Every build instance, in build order then source order (uses whose reference is not
    /// `source.TYPE.NAME` are left out: validation reports them).
    pub fn instances(&self) -> Vec<Instance<'_>> {
        self.builds.iter().flat_map(|b| self.instances_of(b)).collect()
    }

    /// The instances of one build.
    pub fn instances_of<'t>(&'t self, build: &'t Build) -> Vec<Instance<'t>> {
        build
            .sources
            .iter()
            .filter_map(|used| {
                let names = used.names(build)?;
                let (kind, name) = used.target()?;
                let source = self.sources.iter().find(|s| s.kind.value == kind && s.name.value == name);
                Some(Instance { build, used, source, names })
            })
            .collect()
    }
}

impl<'t> Instance<'t> {
    /// The builder's configuration: the top-level source's body with a nested `source` block's
    /// arguments replacing (and its blocks added to) it.
    pub fn body(&self) -> Body {
        let top = self.source.map_or_else(|| Body::empty(self.used.span), |s| s.body.clone());
        merge(&top, &self.used.body)
    }

    /// Whether the build's `source` block adds to the top-level source.
    pub fn has_nested_body(&self) -> bool {
        !self.used.body.attributes.is_empty() || !self.used.body.blocks.is_empty()
    }

    /// Whether a step with these `only`/`except` lists runs for this instance.
    pub fn runs(&self, only: &[Spanned<String>], except: &[Spanned<String>]) -> bool {
        let short = &self.names.short;
        (only.is_empty() || only.iter().any(|o| &o.value == short)) && !except.iter().any(|e| &e.value == short)
    }

    /// Whether an `override` entry is meant for this instance.
    pub fn is_overridden_by(&self, o: &Override) -> bool {
        override_names(&o.target.value, &self.names.short)
    }

    /// The provisioners that run for this instance, in order.
    pub fn provisioners(&self) -> impl Iterator<Item = &'t Provisioner> + '_ {
        self.build.provisioners.iter().filter(|p| self.runs(&p.only, &p.except))
    }

    /// A provisioner's configuration for this instance, its overrides applied.
    pub fn provisioner_body(&self, p: &Provisioner) -> Body {
        p.overrides.iter().filter(|o| self.is_overridden_by(o)).fold(p.body.clone(), |body, o| merge(&body, &o.body))
    }

    /// The post-processor chains that run for this instance: each chain keeps the steps that
    /// apply; a chain left empty is dropped.
    pub fn chains(&self) -> Vec<Vec<&'t PostProcessor>> {
        self.build
            .post_processors
            .iter()
            .map(|c| c.steps.iter().filter(|pp| self.runs(&pp.only, &pp.except)).collect::<Vec<_>>())
            .filter(|c| !c.is_empty())
            .collect()
    }
}

/// Whether an `override` key names the instance called `short`: Packer keys HCL overrides by
/// the source's name, so both `TYPE.NAME` and `NAME` are accepted.
pub fn override_names(target: &str, short: &str) -> bool {
    target == short || short.rsplit_once('.').is_some_and(|(_, n)| n == target)
}

/// `base` with `extra`'s arguments replacing its own and `extra`'s blocks added.
pub fn merge(base: &Body, extra: &Body) -> Body {
    let mut out = base.clone();
    for a in &extra.attributes {
        out.attributes.retain(|x| x.key.value != a.key.value);
        out.attributes.push(a.clone());
    }
    out.blocks.extend(extra.blocks.iter().cloned());
    out
}

/// Whether a body's value can differ between the instances of a build: an expression uses
/// `source.*`, or a legacy template calls `build_name`/`build_type`.
pub fn depends_on_source(body: &Body) -> bool {
    body.attributes.iter().any(|a| expr_depends_on_source(&a.value))
        || body.blocks.iter().any(|b| depends_on_source(&b.body))
}

fn expr_depends_on_source(e: &Expr) -> bool {
    e.any(&mut |e| match &e.kind {
        ExprKind::Variable(root) => root.value == "source",
        ExprKind::Call { name, flavor: crate::ir::CallFlavor::GoTemplate, .. } => {
            matches!(name.value.as_str(), "build_name" | "build_type")
        }
        _ => false,
    })
}
