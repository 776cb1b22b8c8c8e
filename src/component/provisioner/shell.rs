//! The `shell` provisioner: uploads scripts to the machine and runs them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;

/// Configuration of the `shell` provisioner.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// Commands to run, one per line of a generated script.
    pub inline: Option<Vec<String>>,
    /// A local script to upload and run.
    pub script: Option<String>,
    /// Local scripts to upload and run, in order.
    pub scripts: Option<Vec<String>>,
    /// `NAME=VALUE` pairs for the scripts' environment.
    pub environment_vars: Option<Vec<String>>,
    /// Environment variables as a map (wins over `environment_vars`).
    pub env: Option<BTreeMap<String, String>>,
    /// The command that runs each script; `{{.Path}}`, `{{.Vars}}`, `{{.EnvVarFile}}`.
    #[schemars(default = "default_execute_command")]
    pub execute_command: Option<String>,
    /// How each variable is written, `%s='%s' ` by default.
    pub env_var_format: Option<String>,
    /// Write the variables to a file that `execute_command` sources.
    pub use_env_var_file: Option<bool>,
    /// The interpreter of inline scripts.
    #[schemars(default = "default_shebang")]
    pub inline_shebang: Option<String>,
    /// The remote folder scripts are uploaded to.
    pub remote_folder: Option<String>,
    /// The remote script's file name.
    pub remote_file: Option<String>,
    /// The full remote path (overrides folder and file).
    pub remote_path: Option<String>,
    /// Exit codes that count as success.
    pub valid_exit_codes: Option<Vec<i64>>,
    /// A disconnect (e.g. a reboot) does not fail the step.
    pub expect_disconnect: Option<bool>,
    /// How long to keep retrying to start the script.
    pub start_retry_timeout: Option<String>,
    /// Leave the uploaded script on the machine.
    pub skip_clean: Option<bool>,
    /// Wait this long after the scripts ran.
    pub pause_after: Option<String>,
    /// Upload the scripts as they are (no CRLF to LF conversion).
    pub binary: Option<bool>,
}

fn default_execute_command() -> String {
    "chmod +x {{.Path}}; {{.Vars}} {{.Path}}".into()
}

fn default_shebang() -> String {
    "/bin/sh -e".into()
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        check_script_sources(cx, &["inline", "script", "scripts"]);
        cx.file_exists("script");
        cx.file_exists("scripts");
        for key in ["start_retry_timeout", "pause_after"] {
            cx.duration(key);
        }
        super::check_environment_vars(cx);
    }
}

/// Exactly one way to give the commands (Packer's messages, forge's spans).
pub fn check_script_sources(cx: &mut PrepareCtx<'_>, keys: &[&str]) {
    let set: Vec<&&str> = keys.iter().filter(|k| cx.node.has(k)).collect();
    if set.is_empty() {
        cx.diags.push(
            crate::diag::Diagnostic::error(
                crate::diag::Code::MissingArgument,
                cx.header,
                "either a script file or an inline script must be specified",
            )
            .with_help(format!("set one of {}", keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))),
        );
    } else {
        cx.at_most_one(keys);
    }
}
