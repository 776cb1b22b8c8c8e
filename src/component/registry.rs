//! THE list of built-in components, one line each, and the checks every component gets from
//! its declaration: unknown arguments (with did-you-mean), allowed values, durations and
//! refused arguments (read from the schema), types, required arguments, then the component's
//! own rules.

use schemars::{JsonSchema, Schema};
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::component::decode::{DecodeError, decode};
use crate::component::node::Node;
use crate::component::prepare::PrepareCtx;
use crate::component::runtime::{
    Artifact, BoxFuture, BuilderRun, Built, DataSourceRun, Fetched, PostProcessed, PostProcessorRun, ProvisionerRun,
    RunCx, RunError,
};
use crate::component::{builder, communicator, datasource, declared, post_processor, provisioner, schema};
use crate::diag::{Code, Diagnostic, did_you_mean_help};

/// The kinds of component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentKind {
    /// A `source` block / legacy builder.
    Builder,
    /// A provisioner.
    Provisioner,
    /// A post-processor.
    PostProcessor,
    /// A `data` block.
    DataSource,
    /// How forge talks to the machine being built (its keys sit in the builder's body).
    Communicator,
}

impl ComponentKind {
    /// The noun users read.
    pub fn noun(self) -> &'static str {
        match self {
            ComponentKind::Builder => "builder",
            ComponentKind::Provisioner => "provisioner",
            ComponentKind::PostProcessor => "post-processor",
            ComponentKind::DataSource => "data source",
            ComponentKind::Communicator => "communicator",
        }
    }

    /// The folder name in `grammar/component/`.
    pub fn dir(self) -> &'static str {
        match self {
            ComponentKind::Builder => "builder",
            ComponentKind::Provisioner => "provisioner",
            ComponentKind::PostProcessor => "post-processor",
            ComponentKind::DataSource => "data-source",
            ComponentKind::Communicator => "communicator",
        }
    }

    /// Parses a noun (`builder`, `post-processor`, …).
    pub fn parse(s: &str) -> Option<ComponentKind> {
        [
            ComponentKind::Builder,
            ComponentKind::Provisioner,
            ComponentKind::PostProcessor,
            ComponentKind::DataSource,
            ComponentKind::Communicator,
        ]
        .into_iter()
        .find(|k| k.noun() == s || k.dir() == s)
    }
}

/// A configuration struct and its own rules (Packer's `Prepare`).
pub trait Config: DeserializeOwned + JsonSchema {
    /// Checks that a schema cannot express: exclusive or co-required keys, value formats, files.
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        let _ = cx;
    }
}

/// One built-in component.
pub struct ComponentDef {
    /// Its kind.
    pub kind: ComponentKind,
    /// Its type name, as in templates (`amazon-ebs`, `shell-local`).
    pub name: &'static str,
    /// One line about it.
    pub summary: &'static str,
    /// Its configuration's JSON Schema.
    pub schema: fn() -> Schema,
    /// Decodes and checks a body.
    pub check: fn(&mut PrepareCtx<'_>),
    /// How it runs, if forge can run it.
    pub run: Run,
}

/// A component's entry point when a build runs: decodes the evaluated body, then runs.
#[derive(Clone, Copy)]
pub enum Run {
    /// Validated only (the `null` data source, evaluated with the template; communicators,
    /// used by builders).
    None,
    /// A builder.
    Builder(fn(&Node, RunCx) -> BoxFuture<'static, Result<Built, RunError>>),
    /// A provisioner.
    Provisioner(fn(&Node, RunCx) -> BoxFuture<'static, Result<(), RunError>>),
    /// A post-processor.
    PostProcessor(fn(&Node, RunCx, Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>>),
    /// A data source fetched when the build runs.
    DataSource(fn(&Node) -> BoxFuture<'static, Result<Fetched, String>>),
}

/// Decodes the evaluated body into `C` and starts `run` with it; a body that does not decode
/// fails the step (`wrap` turns the decoding error into the step's error).
fn decoded<C: Config, T: 'static, E: Send + 'static>(
    node: &Node,
    wrap: fn(DecodeError) -> E,
    run: impl FnOnce(C) -> BoxFuture<'static, Result<T, E>>,
) -> BoxFuture<'static, Result<T, E>> {
    match decode::<C>(node) {
        Ok(c) => run(c),
        Err(e) => Box::pin(async move { Err(wrap(e)) }),
    }
}

fn failed(e: DecodeError) -> RunError {
    RunError::failed(format!("invalid configuration: {e}"))
}

fn run_builder<C: Config + BuilderRun>(node: &Node, cx: RunCx) -> BoxFuture<'static, Result<Built, RunError>> {
    decoded(node, failed, |c: C| c.run(cx))
}

fn run_provisioner<C: Config + ProvisionerRun>(node: &Node, cx: RunCx) -> BoxFuture<'static, Result<(), RunError>> {
    decoded(node, failed, |c: C| c.run(cx))
}

fn run_post_processor<C: Config + PostProcessorRun>(
    node: &Node,
    cx: RunCx,
    input: Artifact,
) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
    decoded(node, failed, |c: C| c.run(cx, input))
}

fn run_data_source<C: Config + DataSourceRun>(node: &Node) -> BoxFuture<'static, Result<Fetched, String>> {
    decoded(node, |e| e.message, |c: C| c.fetch())
}

macro_rules! component {
    ($kind:ident, $name:literal, $config:ty, $summary:literal) => {
        component!(@def $kind, $name, $config, $summary, Run::None)
    };
    ($kind:ident, $name:literal, $config:ty, $summary:literal, builder) => {
        component!(@def $kind, $name, $config, $summary, Run::Builder(run_builder::<$config>))
    };
    ($kind:ident, $name:literal, $config:ty, $summary:literal, provisioner) => {
        component!(@def $kind, $name, $config, $summary, Run::Provisioner(run_provisioner::<$config>))
    };
    ($kind:ident, $name:literal, $config:ty, $summary:literal, post_processor) => {
        component!(@def $kind, $name, $config, $summary, Run::PostProcessor(run_post_processor::<$config>))
    };
    ($kind:ident, $name:literal, $config:ty, $summary:literal, data_source) => {
        component!(@def $kind, $name, $config, $summary, Run::DataSource(run_data_source::<$config>))
    };
    (@def $kind:ident, $name:literal, $config:ty, $summary:literal, $run:expr) => {
        ComponentDef {
            kind: ComponentKind::$kind,
            name: $name,
            summary: $summary,
            schema: schema::of::<$config>,
            check: check::<$config>,
            run: $run,
        }
    };
}

/// Every built-in component.
#[rustfmt::skip]
pub static REGISTRY: &[ComponentDef] = &[
    component!(Builder, "null", builder::null::Config, "Runs provisioners on an existing machine (or none) and creates no image.", builder),
    component!(Builder, "file", builder::file::Config, "Creates a file from `content` or a `source` file; for tests and examples.", builder),
    component!(Builder, "amazon-ebs", builder::amazon_ebs::Config, "Creates an EBS-backed AMI from a source AMI, on aws-sdk-ec2.", builder),
    component!(Builder, "docker", builder::docker::Config, "Provisions a container through the Docker Engine API, then commits, exports or discards it.", builder),
    component!(Communicator, "ssh", communicator::ssh::Config, "Connects to the machine over SSH."),
    component!(Communicator, "docker", communicator::docker::Config, "Runs commands and copies files in the docker builder's container through the Docker API."),
    component!(Communicator, "none", communicator::none::Config, "No connection: for builders that need no machine."),
    component!(Provisioner, "shell", provisioner::shell::Config, "Runs shell scripts on the machine over the communicator.", provisioner),
    component!(Provisioner, "file", provisioner::file::Config, "Uploads files to the machine, or downloads them from it.", provisioner),
    component!(Provisioner, "shell-local", provisioner::shell_local::Config, "Runs shell commands on the machine running forge.", provisioner),
    component!(Provisioner, "breakpoint", provisioner::breakpoint::Config, "Pauses the build until Enter is pressed.", provisioner),
    component!(PostProcessor, "manifest", post_processor::manifest::Config, "Writes a JSON manifest of the artifacts.", post_processor),
    component!(PostProcessor, "checksum", post_processor::checksum::Config, "Writes checksums of the artifact's files.", post_processor),
    component!(PostProcessor, "compress", post_processor::compress::Config, "Compresses the artifact's files into an archive.", post_processor),
    component!(PostProcessor, "docker-tag", post_processor::docker_tag::Config, "Tags the image a docker build committed.", post_processor),
    component!(PostProcessor, "docker-save", post_processor::docker_save::Config, "Saves a docker image to a tar file.", post_processor),
    component!(PostProcessor, "docker-import", post_processor::docker_import::Config, "Imports an exported container tarball as a docker image.", post_processor),
    component!(PostProcessor, "docker-push", post_processor::docker_push::Config, "Pushes a docker image and its tags to a registry.", post_processor),
    component!(PostProcessor, "shell-local", post_processor::shell_local::Config, "Runs shell commands on the machine running forge, with the artifact.", post_processor),
    component!(PostProcessor, "artifice", post_processor::artifice::Config, "Replaces the artifact with a list of files.", post_processor),
    component!(DataSource, "null", datasource::null::Config, "Returns its input as output."),
    component!(DataSource, "http", datasource::http::Config, "Fetches a URL when the build runs.", data_source),
    component!(DataSource, "amazon-ami", datasource::amazon_ami::Config, "Finds an AMI by filters and owners when the build runs.", data_source),
];

/// Finds a built-in component.
pub fn lookup(kind: ComponentKind, name: &str) -> Option<&'static ComponentDef> {
    REGISTRY.iter().find(|c| c.kind == kind && c.name == name)
}

/// Whether data sources of type `name` are fetched when the build runs (their registry line
/// says how); `null` is known from the template alone.
pub fn is_fetched(name: &str) -> bool {
    lookup(ComponentKind::DataSource, name).is_some_and(|d| matches!(d.run, Run::DataSource(_)))
}

/// Fetches a data source of type `name` from its evaluated arguments. When an argument is
/// sensitive (a token in a header), so is the whole output.
///
/// # Errors
/// Arguments that do not decode, or the service's answer when it failed.
pub async fn fetch_data(name: &str, node: &Node) -> Result<Fetched, String> {
    let Some(Run::DataSource(fetch)) = lookup(ComponentKind::DataSource, name).map(|d| d.run) else {
        return Err(format!("a `{name}` data source is not fetched"));
    };
    let mut fetched = fetch(node).await?;
    fetched.value = fetched.value.mark(node.value.is_sensitive());
    Ok(fetched)
}

/// The arguments of a component that hold secrets (passwords, keys, tokens): declared
/// `writeOnly` in its schema, and shown masked wherever its configuration is printed.
pub fn secret_arguments(kind: ComponentKind, name: &str) -> Vec<String> {
    let Some(def) = lookup(kind, name) else { return Vec::new() };
    let schema = (def.schema)();
    let Some(properties) = schema.get("properties").and_then(|p| p.as_object()) else { return Vec::new() };
    properties
        .iter()
        .filter(|(_, p)| p.get("writeOnly").and_then(serde_json::Value::as_bool) == Some(true))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Component types that Packer provides through plugins and forge does not build in.
pub const PLUGIN_TYPES: &[(ComponentKind, &str)] = &[
    (ComponentKind::Builder, "amazon-chroot"),
    (ComponentKind::Builder, "amazon-ebssurrogate"),
    (ComponentKind::Builder, "amazon-ebsvolume"),
    (ComponentKind::Builder, "amazon-instance"),
    (ComponentKind::Builder, "azure-arm"),
    (ComponentKind::Builder, "azure-chroot"),
    (ComponentKind::Builder, "digitalocean"),
    (ComponentKind::Builder, "googlecompute"),
    (ComponentKind::Builder, "hyperv-iso"),
    (ComponentKind::Builder, "hyperv-vmcx"),
    (ComponentKind::Builder, "lxd"),
    (ComponentKind::Builder, "openstack"),
    (ComponentKind::Builder, "oracle-oci"),
    (ComponentKind::Builder, "parallels-iso"),
    (ComponentKind::Builder, "parallels-pvm"),
    (ComponentKind::Builder, "proxmox"),
    (ComponentKind::Builder, "proxmox-clone"),
    (ComponentKind::Builder, "proxmox-iso"),
    (ComponentKind::Builder, "qemu"),
    (ComponentKind::Builder, "vagrant"),
    (ComponentKind::Builder, "virtualbox-iso"),
    (ComponentKind::Builder, "virtualbox-ovf"),
    (ComponentKind::Builder, "virtualbox-vm"),
    (ComponentKind::Builder, "vmware-iso"),
    (ComponentKind::Builder, "vmware-vmx"),
    (ComponentKind::Builder, "vsphere-clone"),
    (ComponentKind::Builder, "vsphere-iso"),
    (ComponentKind::Provisioner, "ansible"),
    (ComponentKind::Provisioner, "ansible-local"),
    (ComponentKind::Provisioner, "chef-client"),
    (ComponentKind::Provisioner, "chef-solo"),
    (ComponentKind::Provisioner, "converge"),
    (ComponentKind::Provisioner, "hcp-sbom"),
    (ComponentKind::Provisioner, "inspec"),
    (ComponentKind::Provisioner, "powershell"),
    (ComponentKind::Provisioner, "puppet-masterless"),
    (ComponentKind::Provisioner, "puppet-server"),
    (ComponentKind::Provisioner, "salt-masterless"),
    (ComponentKind::Provisioner, "sleep"),
    (ComponentKind::Provisioner, "windows-restart"),
    (ComponentKind::Provisioner, "windows-shell"),
    (ComponentKind::PostProcessor, "amazon-import"),
    (ComponentKind::PostProcessor, "googlecompute-export"),
    (ComponentKind::PostProcessor, "googlecompute-import"),
    (ComponentKind::PostProcessor, "provenance"),
    (ComponentKind::PostProcessor, "vagrant"),
    (ComponentKind::PostProcessor, "vagrant-cloud"),
    (ComponentKind::PostProcessor, "vsphere"),
    (ComponentKind::PostProcessor, "vsphere-template"),
    (ComponentKind::DataSource, "amazon-parameterstore"),
    (ComponentKind::DataSource, "amazon-secretsmanager"),
    (ComponentKind::DataSource, "hcp-packer-artifact"),
    (ComponentKind::DataSource, "hcp-packer-image"),
    (ComponentKind::DataSource, "hcp-packer-iteration"),
    (ComponentKind::DataSource, "hcp-packer-version"),
];

/// The diagnostic for a type that is not built in: a plugin forge lacks, or a typo.
pub fn unknown_type(kind: ComponentKind, name: &str, span: crate::source::Span) -> Diagnostic {
    if PLUGIN_TYPES.contains(&(kind, name)) {
        return Diagnostic::error(
            Code::PluginComponent,
            span,
            format!("the {} `{name}` is a Packer plugin that forge does not build in", kind.noun()),
        )
        .with_help(format!(
            "forge's built-in {}s are: {}",
            kind.noun(),
            REGISTRY.iter().filter(|c| c.kind == kind).map(|c| c.name).collect::<Vec<_>>().join(", ")
        ));
    }
    let names = REGISTRY.iter().filter(|c| c.kind == kind).map(|c| c.name);
    Diagnostic::error(Code::UnknownComponentType, span, format!("unknown {} type `{name}`", kind.noun())).with_help(
        did_you_mean_help(name, names.clone())
            .unwrap_or_else(|| format!("forge's {}s are: {}", kind.noun(), names.collect::<Vec<_>>().join(", "))),
    )
}

/// What `C` declares, computed once per type (schemas are costly to generate and a large
/// template checks thousands of bodies).
struct Declaration {
    schema: Schema,
    /// Every argument name, sorted.
    names: Vec<String>,
    /// The top-level properties with their schemas.
    properties: Vec<(String, Json)>,
}

fn declaration<C: Config>() -> std::sync::Arc<Declaration> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Cache = Mutex<HashMap<&'static str, Arc<Declaration>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let key = std::any::type_name::<C>();
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(key).cloned()) {
        return hit;
    }
    let schema = schema::of::<C>();
    let names = schema::property_names(&schema);
    let properties = schema::properties_of(schema.as_value(), schema.as_value());
    let found = Arc::new(Declaration { schema, names, properties });
    if let Ok(mut c) = cache.lock() {
        c.insert(key, found.clone());
    }
    found
}

/// Decodes a component's body against `C` and runs its rules: unknown arguments, what the
/// schema declares (allowed values, durations, refused arguments), types, then `prepare`.
fn check<C: Config>(cx: &mut PrepareCtx<'_>) {
    let declaration = declaration::<C>();
    let known = &declaration.names;
    let mut clean = cx.node.clone();
    let mut unknown = Vec::new();
    clean.entries.retain(|(key, span, _)| {
        let ok = known.iter().any(|k| k == key);
        if !ok {
            unknown.push((key.clone(), *span));
        }
        ok
    });
    for (key, span) in unknown {
        cx.diags.push(
            Diagnostic::error(Code::UnknownArgument, span, format!("unknown argument `{key}`")).with_help(
                did_you_mean_help(&key, known.iter().map(String::as_str))
                    .unwrap_or_else(|| "see `forge schema` for the arguments this component takes".into()),
            ),
        );
    }
    if let Some(map) = clean.value.as_map().cloned() {
        let kept: std::collections::BTreeMap<_, _> =
            map.into_iter().filter(|(k, _)| clean.entries.iter().any(|(e, _, _)| e == k)).collect();
        clean.value = crate::eval::value::Value::map(kept);
    }
    // A value the schema's declarations refuse is reported and left out of decoding, so the
    // rest of the body is still decoded and checked.
    let mut decodable = clean.clone();
    let mut declared = Vec::new();
    check_declared(declaration.schema.as_value(), &declaration.properties, &mut decodable, &mut declared);
    match decode::<C>(&decodable) {
        Ok(config) => {
            let mut inner = PrepareCtx {
                node: &clean,
                header: cx.header,
                base_dir: cx.base_dir,
                vfs: cx.vfs,
                diags: std::mem::take(&mut cx.diags),
            };
            config.prepare(&mut inner);
            cx.diags = inner.diags;
            cx.diags.extend(declared);
        }
        Err(e) => {
            let d = match &e.missing {
                Some(field) => {
                    Diagnostic::error(Code::MissingArgument, cx.header, format!("missing required argument `{field}`"))
                        .with_help(format!("set `{field}` in this block"))
                }
                None => Diagnostic::error(Code::TypeMismatch, e.span.unwrap_or(cx.header), e.describe()),
            };
            cx.diags.push(d);
        }
    }
}

/// Checks the arguments of `node` (and of its nested blocks) against what their schemas
/// declare: a value outside the `enum` (`F3019`, with did-you-mean), a string that is not a Go
/// duration (`F3019`), an argument forge refuses set to anything but an empty value (`F3023`,
/// with the way around). Values that cannot decode are removed from `node`.
fn check_declared(root: &Json, props: &[(String, Json)], node: &mut Node, diags: &mut Vec<Diagnostic>) {
    node.entries.retain_mut(|(key, _, n)| {
        let Some((_, prop)) = props.iter().find(|(k, _)| k == key) else { return true };
        if let Some(help) = prop.get(declared::REFUSED).and_then(Json::as_str) {
            if !is_empty_value(&n.value) {
                diags.push(
                    Diagnostic::error(Code::UnsupportedArgument, n.span, format!("forge does not support `{key}` yet"))
                        .with_help(help),
                );
            }
        }
        let text = if n.value.is_deferred() { None } else { n.value.to_string_lossless() };
        if let (Some(allowed), Some(v)) = (schema::allowed_values(root, prop), &text) {
            if !allowed.contains(v) {
                let help = did_you_mean_help(v, allowed.iter().map(String::as_str))
                    .unwrap_or_else(|| format!("allowed: {}", allowed.join(", ")));
                diags.push(
                    Diagnostic::error(Code::InvalidComponentValue, n.span, format!("`{key}` cannot be {v:?}"))
                        .with_help(help),
                );
                return false;
            }
        }
        if let (true, Some(v)) = (schema::format(root, prop) == Some(declared::DURATION_FORMAT), &text) {
            if crate::gocompat::duration::parse_std(v).is_none() {
                diags.push(
                    Diagnostic::error(Code::InvalidComponentValue, n.span, format!("`{key}` is not a duration: {v:?}"))
                        .with_help("write a duration such as `30s`, `5m` or `1h30m`"),
                );
                return false;
            }
        }
        if let Some(block) = schema::block_of(root, prop) {
            let inner = schema::properties_of(root, block);
            if n.value.as_map().is_some() {
                check_declared(root, &inner, n, diags);
            } else {
                for item in &mut n.items {
                    check_declared(root, &inner, item, diags);
                }
            }
        }
        true
    });
}

/// Whether a refused argument is harmlessly empty (`""`, `false`, `[]`, `{}`, null).
fn is_empty_value(v: &crate::eval::value::Value) -> bool {
    use crate::eval::value::Kind;
    match &v.kind {
        Kind::Null => true,
        Kind::Bool(b) => !b,
        Kind::String(s) => s.is_empty(),
        Kind::List(items) => items.is_empty(),
        Kind::Map(items) => items.is_empty(),
        Kind::Number(_) | Kind::Deferred(_) => false,
    }
}

/// Checks a body as a component of `kind` named `name`.
pub fn check_body(
    kind: ComponentKind,
    name: &str,
    name_span: crate::source::Span,
    node: &Node,
    base_dir: &std::path::Path,
    vfs: &dyn crate::source::Vfs,
) -> Vec<Diagnostic> {
    let Some(def) = lookup(kind, name) else { return vec![unknown_type(kind, name, name_span)] };
    let mut cx = PrepareCtx { node, header: name_span, base_dir, vfs, diags: Vec::new() };
    (def.check)(&mut cx);
    cx.diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_kind_and_schemas_have_properties() {
        for (i, a) in REGISTRY.iter().enumerate() {
            assert!(!REGISTRY[..i].iter().any(|b| b.kind == a.kind && b.name == a.name), "{} twice", a.name);
            let schema = (a.schema)();
            assert!(schema.as_value().is_object(), "{} has no schema", a.name);
        }
    }
}
