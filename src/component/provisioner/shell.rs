//! The `shell` provisioner: uploads scripts to the machine and runs them.

use std::collections::BTreeMap;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::prepare::PrepareCtx;
use crate::component::retry::Backoff;
use crate::component::runtime::{BoxFuture, RunCx, RunError};
use crate::gocompat::shell::{escape_in_single_quotes, quote};

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
    pub start_retry_timeout: Option<crate::component::declared::GoDuration>,
    /// Leave the uploaded script on the machine.
    pub skip_clean: Option<bool>,
    /// Wait this long after the scripts ran.
    pub pause_after: Option<crate::component::declared::GoDuration>,
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

impl crate::component::runtime::ProvisionerRun for Config {
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<(), RunError>> {
        Box::pin(async move {
            let comm = cx.communicator()?;
            let mut scripts: Vec<(String, Vec<u8>)> = Vec::new();
            if let Some(lines) = &self.inline {
                let shebang = self.inline_shebang.clone().unwrap_or_else(default_shebang);
                let mut body = format!("#!{shebang}\n");
                for l in lines {
                    body.push_str(l);
                    body.push('\n');
                }
                scripts.push(("inline script".into(), body.into_bytes()));
            }
            for s in self.script.iter().chain(self.scripts.iter().flatten()) {
                let path = cx.path(s);
                let mut bytes =
                    tokio::fs::read(&path).await.map_err(|e| RunError::failed(format!("Bad script '{s}': {e}")))?;
                if !self.binary.unwrap_or(false) {
                    bytes = String::from_utf8_lossy(&bytes).replace("\r\n", "\n").into_bytes();
                }
                scripts.push((path.to_string_lossy().into_owned(), bytes));
            }
            let use_file = self.use_env_var_file.unwrap_or(false);
            let vars = if use_file { String::new() } else { self.vars(&cx, "%s='%s' ") };
            let env_file = if use_file {
                let folder = self.remote_folder.clone().unwrap_or_else(|| "/tmp".into());
                let path =
                    format!("{}/varfile_{}.sh", folder.trim_end_matches('/'), uuid::Uuid::new_v4().as_u128() % 10_000);
                comm.upload_bytes(self.vars(&cx, "export %s='%s'\n").into_bytes(), path.clone(), 0o600).await?;
                path
            } else {
                String::new()
            };
            let default_command = if use_file {
                "chmod +x {{.Path}}; . {{.EnvVarFile}} && {{.Path}}".to_string()
            } else {
                default_execute_command()
            };
            let valid = self.valid_exit_codes.clone().unwrap_or_else(|| vec![0]);
            for (what, bytes) in scripts {
                let remote = self.remote_path();
                cx.ui.say(&format!("Provisioning with shell script: {what}"));
                let command = crate::component::runtime::render_component_template(
                    &self.execute_command.clone().unwrap_or_else(|| default_command.clone()),
                    &[("Path", &remote), ("Vars", &vars), ("EnvVarFile", &env_file)],
                );
                let clean = !self.skip_clean.unwrap_or(false);
                // One remote command writes the script from its input, runs it and removes it:
                // each command costs the server a process (~0.1 s), and Packer spends three.
                let q = quote(&remote);
                let all_in_one = format!(
                    "cat > {q} || {{ echo \"cannot write the script to {q}\" >&2; exit 1; }}; chmod 0755 {q}; {{ {command}\n}}{}",
                    if clean { format!("; rc=$?; rm -f {q}; exit $rc") } else { String::new() }
                );
                // A script that cannot be started (the machine is rebooting and the connection
                // cannot be made again yet) is tried again until `start_retry_timeout`.
                let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(5), self.start_retry());
                let (code, cleaned) = loop {
                    let attempt =
                        match comm.exec_with_input(all_in_one.clone(), bytes.clone(), cx.ui.clone(), cx.cancel.clone())
                        {
                            Some(run) => run.await.map(|c| (c, true)),
                            None => match comm.upload_bytes(bytes.clone(), remote.clone(), 0o755).await {
                                Ok(()) => comm
                                    .exec(command.clone(), cx.ui.clone(), cx.cancel.clone())
                                    .await
                                    .map(|c| (c, false)),
                                Err(e) => Err(e),
                            },
                        };
                    match attempt {
                        Ok(done) => break done,
                        Err(RunError::Cancelled) => return Err(RunError::Cancelled),
                        Err(e) => {
                            let Some(delay) = backoff.next_delay() else { return Err(e) };
                            cx.ui.say(&format!("Retrying the start of the script: {e}"));
                            tokio::select! {
                                () = tokio::time::sleep(delay) => {}
                                () = cx.cancel.cancelled() => return Err(RunError::Cancelled),
                            }
                        }
                    }
                };
                match code {
                    None if self.expect_disconnect.unwrap_or(false) => {
                        cx.ui.say("Remote end disconnected, as expected")
                    }
                    None => {
                        return Err(RunError::failed(
                            "the connection closed before the script finished; set `expect_disconnect = true` if the script reboots",
                        ));
                    }
                    Some(c) if !valid.contains(&i64::from(c)) => {
                        return Err(RunError::failed(format!(
                            "Script exited with non-zero exit status: {c}. Allowed exit codes are: {valid:?}"
                        )));
                    }
                    Some(_) => {}
                }
                if clean && !cleaned {
                    let _ = comm.exec(format!("rm -f {q}"), cx.ui.clone(), cx.cancel.clone()).await;
                }
            }
            if use_file && !self.skip_clean.unwrap_or(false) {
                let _ = comm.exec(format!("rm -f '{env_file}'"), cx.ui.clone(), cx.cancel.clone()).await;
            }
            if let Some(d) = self.pause_after.map(|d| d.0) {
                tokio::time::sleep(d).await;
            }
            Ok(())
        })
    }
}

impl Config {
    /// `start_retry_timeout`, Packer's 5 minutes by default.
    fn start_retry(&self) -> Duration {
        self.start_retry_timeout.map_or(Duration::from_secs(300), |d| d.0)
    }

    /// Where a script goes on the machine.
    fn remote_path(&self) -> String {
        if let Some(p) = &self.remote_path {
            return p.clone();
        }
        let folder = self.remote_folder.clone().unwrap_or_else(|| "/tmp".into());
        let file = self
            .remote_file
            .clone()
            .unwrap_or_else(|| format!("script_{}.sh", uuid::Uuid::new_v4().as_u128() % 10_000));
        format!("{}/{file}", folder.trim_end_matches('/'))
    }

    /// `{{.Vars}}`: `NAME='value' ` pairs, with Packer's variables, single quotes escaped.
    fn vars(&self, cx: &RunCx, default_format: &str) -> String {
        let mut pairs: Vec<(String, String)> = self
            .environment_vars
            .iter()
            .flatten()
            .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        for (k, v) in self.env.iter().flatten() {
            pairs.retain(|(x, _)| x != k);
            pairs.push((k.clone(), v.clone()));
        }
        pairs.extend(cx.packer_env());
        let format = self.env_var_format.clone().unwrap_or_else(|| default_format.into());
        pairs.iter().map(|(k, v)| format.replacen("%s", k, 1).replacen("%s", &escape_in_single_quotes(v), 1)).collect()
    }
}
