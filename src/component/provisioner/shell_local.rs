//! The `shell-local` provisioner: runs commands on the machine running forge.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;
use crate::component::runtime::{Artifact, BoxFuture, PostProcessed, RunCx, RunError};

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

impl Config {
    /// Runs every script or command; shared by the provisioner and the post-processor.
    pub async fn run_scripts(&self, cx: &RunCx) -> Result<(), RunError> {
        if let Some(only_on) = &self.only_on {
            if !only_on.iter().any(|os| os == std::env::consts::OS) {
                cx.ui.say(&format!("Skipping shell-local: it runs only on {}", only_on.join(", ")));
                return Ok(());
            }
        }
        let vars = self.vars(cx);
        let execute = self.execute_command.clone().unwrap_or_else(default_execute_command);
        let valid = self.valid_exit_codes.clone().unwrap_or_else(|| vec![0]);
        let mut temps = Vec::new();
        let mut scripts: Vec<String> = Vec::new();
        if let Some(lines) = &self.inline {
            let shebang = self.inline_shebang.clone().unwrap_or_else(default_shebang);
            let mut body = format!("#!{shebang}\n");
            for l in lines {
                body.push_str(l);
                body.push('\n');
            }
            let path = temp_script(&body).await?;
            scripts.push(path.clone());
            temps.push(path);
        }
        if let Some(s) = &self.script {
            scripts.push(cx.path(s).to_string_lossy().into_owned());
        }
        for s in self.scripts.iter().flatten() {
            scripts.push(cx.path(s).to_string_lossy().into_owned());
        }
        let result = async {
            if let Some(command) = &self.command {
                cx.ui.say(&format!("Running local command: {command}"));
                self.run_one(cx, &execute, &vars, "", command, &valid).await?;
            }
            for script in &scripts {
                cx.ui.say(&format!("Running local shell script: {script}"));
                self.run_one(cx, &execute, &vars, script, "", &valid).await?;
            }
            Ok(())
        }
        .await;
        for t in temps {
            let _ = tokio::fs::remove_file(t).await;
        }
        result
    }

    async fn run_one(
        &self,
        cx: &RunCx,
        execute: &[String],
        vars: &str,
        script: &str,
        command: &str,
        valid: &[i64],
    ) -> Result<(), RunError> {
        let argv: Vec<String> = execute
            .iter()
            .map(|a| {
                crate::component::runtime::render_component_template(
                    a,
                    &[("Vars", vars), ("Script", script), ("Command", command)],
                )
            })
            .collect();
        let Some((program, args)) = argv.split_first() else {
            return Err(RunError::failed("`execute_command` is empty"));
        };
        let env = self.env_pairs(cx);
        let code = crate::component::runtime::run_local(cx, program, args, &env).await?;
        if valid.contains(&i64::from(code)) {
            Ok(())
        } else {
            let what = if script.is_empty() { command } else { script };
            Err(RunError::failed(format!(
                "Erroneous exit code {code} while executing script: {what}\n\nPlease see output above for more information."
            )))
        }
    }

    /// `NAME=VALUE` pairs: the user's, then Packer's.
    fn env_pairs(&self, cx: &RunCx) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for kv in self.environment_vars.iter().flatten() {
            if let Some((k, v)) = kv.split_once('=') {
                out.push((k.to_string(), v.to_string()));
            }
        }
        for (k, v) in self.env.iter().flatten() {
            out.retain(|(x, _)| x != k);
            out.push((k.clone(), v.clone()));
        }
        out.extend(cx.packer_env());
        out
    }

    /// `{{.Vars}}`: each pair in `env_var_format` (`NAME='value' `), single quotes escaped.
    fn vars(&self, cx: &RunCx) -> String {
        let format = self.env_var_format.clone().unwrap_or_else(|| "%s='%s' ".into());
        self.env_pairs(cx)
            .iter()
            .map(|(k, v)| {
                format.replacen("%s", k, 1).replacen("%s", &crate::gocompat::shell::escape_in_single_quotes(v), 1)
            })
            .collect::<String>()
    }
}

/// Writes an inline script to `/tmp/packer-shell<digits>`, executable.
async fn temp_script(body: &str) -> Result<String, RunError> {
    let dir = std::env::temp_dir();
    let name = format!("packer-shell{}", uuid::Uuid::new_v4().as_u128() % 10_000_000_000);
    let path = dir.join(name);
    tokio::fs::write(&path, body)
        .await
        .map_err(|e| RunError::failed(format!("cannot write a temporary script: {e}")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tokio::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).await;
    }
    Ok(path.to_string_lossy().into_owned())
}

impl crate::component::runtime::ProvisionerRun for Config {
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<(), RunError>> {
        Box::pin(async move { self.run_scripts(&cx).await })
    }
}

impl crate::component::runtime::PostProcessorRun for Config {
    fn run(self, cx: RunCx, input: Artifact) -> BoxFuture<'static, Result<PostProcessed, RunError>> {
        Box::pin(async move {
            self.run_scripts(&cx).await?;
            Ok(PostProcessed { artifact: input, keep: true, force_keep: true })
        })
    }
}
