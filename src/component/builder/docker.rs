//! The `docker` builder's configuration: Packer's keys and its Prepare rules (an image; exactly
//! one of `commit`, `export_path` and `discard`; `run_command` and `changes` checked where
//! Packer leaves them to the docker CLI). Running it is `docker_run`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::builder::docker_run_command;
use crate::component::declared::{GoDuration, string_enum};
use crate::component::prepare::PrepareCtx;
use crate::diag::{Code, Diagnostic};

/// Configuration of the `docker` builder.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Config {
    /// The base image (`busybox`, `registry:5000/team/base:1.2`, `name@sha256:…`).
    pub image: String,
    /// Pull the image before starting it (default true); with `false` it must exist locally.
    pub pull: Option<bool>,
    /// The platform to pull and run (`linux/amd64`).
    pub platform: Option<String>,
    /// `docker run` arguments for the container; `{{.Image}}` is the image.
    #[schemars(default = "default_run_command")]
    pub run_command: Option<Vec<String>>,
    /// Host paths to mount, host path to container path.
    pub volumes: Option<BTreeMap<String, String>>,
    /// Where the shared temporary folder is mounted in the container.
    #[schemars(default = "default_container_dir")]
    pub container_dir: Option<String>,
    /// Run the container privileged.
    pub privileged: Option<bool>,
    /// Linux capabilities to add.
    pub cap_add: Option<Vec<String>>,
    /// Linux capabilities to drop.
    pub cap_drop: Option<Vec<String>>,
    /// Host devices to give the container (`/dev/fuse`, `/dev/sda:/dev/xvda:rwm`).
    pub device: Option<Vec<String>>,
    /// tmpfs mounts (`/run`, `/run:rw,size=64m`).
    pub tmpfs: Option<Vec<String>>,
    /// The OCI runtime (`runc`).
    pub runtime: Option<String>,
    /// Run systemd as the container's init: tmpfs on /run, /run/lock and /tmp, and the host's
    /// cgroups mounted.
    pub systemd: Option<bool>,
    /// The user provisioner commands run as (`user`, `uid:gid`).
    pub exec_user: Option<String>,
    /// Give uploaded files to the container's user (default true).
    pub fix_upload_owner: Option<bool>,
    /// The commit's author.
    pub author: Option<String>,
    /// The commit's message.
    pub message: Option<String>,
    /// Dockerfile instructions applied when committing (`ENV A=b`, `ENTRYPOINT ["x"]`).
    pub changes: Option<Vec<String>>,
    /// Commit the container to an image.
    pub commit: Option<bool>,
    /// Export the container's file system to this tar file.
    pub export_path: Option<String>,
    /// Throw the container away.
    pub discard: Option<bool>,
    /// Credentials to pull the image with.
    #[serde(flatten)]
    pub login: crate::component::docker_api::Login,
    /// Log in to Amazon ECR (not supported).
    #[schemars(extend("x-forge-refused" = "log in to ECR beforehand and pull the image, then set `pull = false`"))]
    pub ecr_login: Option<bool>,
    /// A Windows container on a Windows host (not supported).
    #[schemars(extend("x-forge-refused" = "forge builds Linux containers only"))]
    pub windows_container: Option<bool>,
    /// `docker` (default) or `none`.
    pub communicator: Option<DockerCommunicator>,
    /// How long to wait after the container started before provisioning, e.g. `5s`.
    pub pause_before_connecting: Option<GoDuration>,
}

string_enum! {
    /// How forge reaches the container.
    DockerCommunicator { Docker = "docker", None = "none" }
}

fn default_run_command() -> Vec<String> {
    docker_run_command::DEFAULT.iter().map(|s| (*s).to_string()).collect()
}

fn default_container_dir() -> String {
    "/packer-files".into()
}

/// Instructions `docker commit --change` accepts.
pub const CHANGE_INSTRUCTIONS: &[&str] = &[
    "CMD",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "HEALTHCHECK",
    "LABEL",
    "ONBUILD",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        if self.image.is_empty() && !cx.node.is_deferred("image") {
            cx.diags.push(
                Diagnostic::error(Code::MissingArgument, cx.node.key_span("image"), "Image must be specified")
                    .with_help("set `image` to the base image, e.g. `image = \"debian:bookworm\"`"),
            );
        }
        self.check_artifact_use(cx);
        if let Some(path) = self.export_path.as_deref().filter(|p| !p.is_empty() && !cx.node.is_deferred("export_path"))
        {
            if cx.resolve(path).is_dir() {
                cx.error("export_path", "export_path must be a file, not a directory", "name a tar file to write");
            }
        }
        if self.login.wanted() && self.login.login_server.as_deref().unwrap_or_default().is_empty() {
            cx.error("login", "`login` needs `login_server`", "set `login_server` to the registry to log in to");
        }
        check_changes(cx);
        check_run_command(cx);
    }
}

impl Config {
    /// Packer's rule: exactly one of `commit`, `discard` and `export_path`.
    fn check_artifact_use(&self, cx: &mut PrepareCtx<'_>) {
        if ["commit", "discard", "export_path"].iter().any(|k| cx.node.is_deferred(k)) {
            return;
        }
        let set: Vec<&str> = [
            ("commit", self.commit == Some(true)),
            ("discard", self.discard == Some(true)),
            ("export_path", self.export_path.as_deref().is_some_and(|p| !p.is_empty())),
        ]
        .into_iter()
        .filter_map(|(k, on)| on.then_some(k))
        .collect();
        match set.as_slice() {
            [] => cx.diags.push(
                Diagnostic::error(
                    Code::MissingArgument,
                    cx.header,
                    "No instructions given for handling the artifact; expected commit, discard, or export_path",
                )
                .with_help("set `commit = true`, `discard = true` or `export_path = \"image.tar\"`"),
            ),
            [_] => {}
            [first, second, ..] => cx.diags.push(
                Diagnostic::error(
                    Code::ConflictingArguments,
                    cx.node.key_span(second),
                    "Cannot specify more than one of commit, discard, and export_path",
                )
                .with_label(cx.node.key_span(first), format!("`{first}` is set here"))
                .with_help("keep one way of handling the artifact"),
            ),
        }
    }

    /// Whether the container is committed, exported or thrown away.
    pub fn outcome(&self) -> Outcome {
        if self.commit == Some(true) {
            Outcome::Commit
        } else if let Some(p) = self.export_path.as_deref().filter(|p| !p.is_empty()) {
            Outcome::Export(p.to_string())
        } else {
            Outcome::Discard
        }
    }
}

/// What becomes of the container after provisioning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `docker commit`.
    Commit,
    /// `docker export` to this path.
    Export(String),
    /// Nothing.
    Discard,
}

/// Each change must start with an instruction `docker commit` accepts.
fn check_changes(cx: &mut PrepareCtx<'_>) {
    let Some(n) = cx.node.get("changes") else { return };
    let mut bad = Vec::new();
    for item in &n.items {
        let Some(text) = item.value.as_str() else { continue };
        if item.value.is_deferred() {
            continue;
        }
        let word = text.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        if !CHANGE_INSTRUCTIONS.contains(&word.as_str()) {
            bad.push((text.to_string(), word, item.span));
        }
    }
    for (text, word, span) in bad {
        let help = crate::diag::did_you_mean_help(&word, CHANGE_INSTRUCTIONS.iter().copied())
            .unwrap_or_else(|| format!("a change starts with one of {}", CHANGE_INSTRUCTIONS.join(", ")));
        cx.diags.push(
            Diagnostic::error(
                Code::InvalidComponentValue,
                span,
                format!("{text:?} is not a Dockerfile instruction `docker commit` applies"),
            )
            .with_help(help),
        );
    }
}

/// `run_command` must be `docker run` options forge knows, then the image.
fn check_run_command(cx: &mut PrepareCtx<'_>) {
    let Some(n) = cx.node.get("run_command") else { return };
    // `{{.Image}}` is a run-time value, so the list is too; its items are checked one by one.
    if n.items.is_empty() {
        return;
    }
    // A run-time value stands for one argument that is not an option.
    let args: Vec<String> = n
        .items
        .iter()
        .map(|i| if i.value.is_deferred() { "{{.Image}}".into() } else { i.value.as_str().unwrap_or("").to_string() })
        .collect();
    if let Err(e) = docker_run_command::parse(&args, "image") {
        let span = e.index.and_then(|i| n.items.get(i)).map_or(n.span, |i| i.span);
        cx.diags.push(Diagnostic::error(Code::InvalidComponentValue, span, e.message).with_help(e.help));
    }
}
