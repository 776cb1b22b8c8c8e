//! The `shell-local` provisioner: runs commands on the machine running forge.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;

/// Configuration of `shell-local` (provisioner and post-processor).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct Config {
    /// One command, run with `execute_command`.
    pub command: Option<String>,
    /// Commands, one per line of a generated script.
    pub inline: Option<Vec<String>>,
    /// A local script to run.
    pub script: Option<String>,
    /// Local scripts to run, in order.
    pub scripts: Option<Vec<String>>,
    /// `NAME=VALUE` pairs for the environment.
    pub environment_vars: Option<Vec<String>>,
    /// Environment variables as a map.
    pub env: Option<BTreeMap<String, String>>,
    /// How each script is run; `{{.Vars}}`, `{{.Script}}`, `{{.Command}}`.
    #[schemars(default = "default_execute_command")]
    pub execute_command: Option<Vec<String>>,
    /// How each variable is written.
    pub env_var_format: Option<String>,
    /// The interpreter of inline scripts.
    #[schemars(default = "default_shebang")]
    pub inline_shebang: Option<String>,
    /// Run only on these operating systems (`linux`, `darwin`, `windows`…).
    pub only_on: Option<Vec<String>>,
    /// Use Linux paths on Windows (WSL).
    pub use_linux_pathing: Option<bool>,
    /// Exit codes that count as success.
    pub valid_exit_codes: Option<Vec<i64>>,
    /// Post-processor only: keep the input artifact (always kept).
    pub keep_input_artifact: Option<bool>,
}

fn default_execute_command() -> Vec<String> {
    vec!["/bin/sh".into(), "-c".into(), "{{.Vars}} {{.Script}}".into()]
}

fn default_shebang() -> String {
    "/bin/sh -e".into()
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        super::shell::check_script_sources(cx, &["command", "inline", "script", "scripts"]);
        cx.file_exists("script");
        cx.file_exists("scripts");
        super::check_environment_vars(cx);
    }
}
