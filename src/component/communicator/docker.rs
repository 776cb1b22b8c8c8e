//! The docker communicator: runs commands in the `docker` builder's container with the Engine
//! API's exec calls (output streamed line by line, exit codes), and copies files and folders
//! through the container's archive endpoint as tar streams built and unpacked while they are
//! sent (modes kept, Packer's trailing-slash rules, `fix_upload_owner`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use http::Method;
use http_body_util::BodyExt;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::component::communicator::docker_shell::{MAX_INLINE_INPUT, Shell};
use crate::component::communicator::ssh_client::LineBuffer;
use crate::component::docker_api::{self, Demux, Docker, query, segment};
use crate::component::runtime::{BoxFuture, Communicator, RunError, Ui};

/// The docker communicator has no settings of its own: the builder's `exec_user` and
/// `fix_upload_owner` drive it.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Config {}

impl crate::component::registry::Config for Config {}

/// A connection to one running container.
#[derive(Clone)]
pub struct DockerComm {
    docker: Docker,
    container: String,
    exec_user: Option<String>,
    fix_upload_owner: bool,
    /// The container's working folder: relative remote paths are relative to it.
    workdir: String,
    /// The shell commands are sent to, started at the first command (`None` again after it
    /// went away; `Err` when the daemon cannot attach one: each command is then an exec).
    shell: Arc<tokio::sync::Mutex<Option<Result<Shell, String>>>>,
}

impl DockerComm {
    /// Connects to a started container (one inspect call, for its working folder).
    pub async fn connect(
        docker: Docker,
        container: String,
        exec_user: Option<String>,
        fix_upload_owner: bool,
    ) -> Result<DockerComm, RunError> {
        let info = docker.json(Method::GET, &format!("/containers/{}/json", segment(&container)), None).await?;
        let workdir = info["Config"]["WorkingDir"].as_str().filter(|w| !w.is_empty()).unwrap_or("/").to_string();
        Ok(DockerComm { docker, container, exec_user, fix_upload_owner, workdir, shell: Arc::default() })
    }

    /// A remote path made absolute against the container's working folder.
    fn absolute(&self, remote: &str) -> String {
        if remote.starts_with('/') {
            remote.to_string()
        } else {
            format!("{}/{remote}", self.workdir.trim_end_matches('/'))
        }
    }

    /// Runs `command` (with `input`) in the container's shell, started at the first command;
    /// `None` when no shell can be attached.
    async fn in_shell(
        &self,
        command: &str,
        input: Option<&[u8]>,
        ui: &Arc<dyn Ui>,
        cancel: &CancellationToken,
    ) -> Option<Result<Option<i32>, RunError>> {
        let mut slot = self.shell.lock().await;
        if slot.is_none() {
            let started = Shell::start(&self.docker, &self.container, self.exec_user.as_deref()).await;
            *slot = Some(started.map_err(|e| e.to_string()));
        }
        let shell = match slot.as_mut() {
            Some(Ok(shell)) => shell,
            Some(Err(e)) => {
                tracing::debug!(error = %e, "no attached shell: one exec per command");
                return None;
            }
            None => return None,
        };
        let result = shell.run(command, input, ui, cancel).await;
        if !matches!(result, Ok(Some(_))) {
            // Gone or cancelled: its state is unknown, the next command starts another.
            *slot = None;
        }
        Some(result)
    }

    /// Runs `argv` in the container; streams its output to `ui`; its exit code.
    async fn run(&self, argv: Vec<String>, ui: Arc<dyn Ui>, cancel: CancellationToken) -> Result<i32, RunError> {
        let mut create = json!({ "AttachStdout": true, "AttachStderr": true, "Tty": false, "Cmd": argv });
        if let Some(u) = self.exec_user.as_deref().filter(|u| !u.is_empty()) {
            create["User"] = json!(u);
        }
        let path = format!("/containers/{}/exec", segment(&self.container));
        let created = self.docker.json(Method::POST, &path, Some(&create)).await?;
        let id = created["Id"].as_str().unwrap_or_default().to_string();
        let start = json!({ "Detach": false, "Tty": false });
        let headers = [("content-type", "application/json".to_string())];
        let response = self
            .docker
            .send(Method::POST, &format!("/exec/{id}/start"), &headers, docker_api::full(start.to_string()))
            .await?;
        let mut body = response.into_body();
        let (mut out, mut err, mut demux) = (LineBuffer::default(), LineBuffer::default(), Demux::default());
        loop {
            let frame = tokio::select! {
                f = body.frame() => f,
                // The builder's cleanup removes the container, which ends the command.
                () = cancel.cancelled() => return Err(RunError::Cancelled),
            };
            let Some(frame) = frame else { break };
            let frame = frame.map_err(|e| RunError::failed(format!("the command's output broke off: {e}")))?;
            if let Ok(data) = frame.into_data() {
                demux.push(&data, |stream, bytes| {
                    if stream == 2 {
                        err.push(bytes, |l| ui.error(l));
                    } else {
                        out.push(bytes, |l| ui.message(l));
                    }
                });
            }
        }
        out.flush(|l| ui.message(l));
        err.flush(|l| ui.error(l));
        let state = self.docker.json(Method::GET, &format!("/exec/{id}/json"), None).await?;
        let code = state["ExitCode"].as_i64().unwrap_or(-1);
        Ok(i32::try_from(code).unwrap_or(-1))
    }

    /// Sends a tar archive, written by `fill` on a blocking thread, to be unpacked at `/`.
    async fn put_archive(
        &self,
        fill: impl FnOnce(&mut tar::Builder<docker_api::BodyWriter>) -> std::io::Result<()> + Send + 'static,
    ) -> Result<(), RunError> {
        let (writer, body) = docker_api::body_channel();
        let producer = tokio::task::spawn_blocking(move || {
            let mut builder = tar::Builder::new(writer);
            let result = fill(&mut builder).and_then(|()| builder.finish());
            let writer = builder.into_inner();
            match (result, writer) {
                (Ok(()), Ok(mut w)) => std::io::Write::flush(&mut w),
                (Err(e), Ok(w)) => {
                    let text = e.to_string();
                    w.fail(e);
                    Err(std::io::Error::other(text))
                }
                (_, Err(e)) => Err(e),
            }
        });
        let mut pairs = vec![("path", "/"), ("noOverwriteDirNonDir", "true")];
        if self.fix_upload_owner {
            pairs.push(("copyUIDGID", "true"));
        }
        let path = format!("/containers/{}/archive?{}", segment(&self.container), query(&pairs));
        let headers = [("content-type", "application/x-tar".to_string())];
        let sent = self.docker.send(Method::PUT, &path, &headers, body).await;
        let produced = producer.await.map_err(|e| RunError::failed(e.to_string()))?;
        let response = sent?;
        produced.map_err(|e| RunError::failed(format!("cannot read the files to upload: {e}")))?;
        docker_api::read_all(response).await.map(|_| ())
    }

    async fn upload_path(&self, local: PathBuf, remote: String) -> Result<(), RunError> {
        let remote = self.absolute(&remote);
        let meta =
            std::fs::metadata(&local).map_err(|e| RunError::failed(format!("cannot read {}: {e}", local.display())))?;
        let name = local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !meta.is_dir() {
            let target = if remote.ends_with('/') { format!("{remote}{name}") } else { remote };
            return self.put_archive(move |b| append_file(b, &local, &entry_name(&target))).await;
        }
        // `dir/` copies the folder's contents, `dir` the folder itself (Packer's rule).
        let contents_only = local.to_string_lossy().ends_with('/');
        let base = if contents_only {
            remote.trim_end_matches('/').to_string()
        } else {
            format!("{}/{name}", remote.trim_end_matches('/'))
        };
        self.put_archive(move |b| append_tree(b, &local, &entry_name(&base), !contents_only)).await
    }

    async fn download_path(&self, remote: String, local: PathBuf) -> Result<(), RunError> {
        let absolute = self.absolute(&remote);
        let trimmed = absolute.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let path = format!("/containers/{}/archive?{}", segment(&self.container), query(&[("path", trimmed)]));
        let response = self.docker.send(Method::GET, &path, &[], docker_api::empty()).await?;
        let is_dir = response
            .headers()
            .get("x-docker-container-path-stat")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.decode(h).ok()
            })
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v["mode"].as_u64())
            .is_some_and(|mode| mode & (1 << 31) != 0);
        let name = Path::new(trimmed).file_name().map(|n| n.to_os_string()).unwrap_or_default();
        let target = if is_dir {
            if remote.ends_with('/') { local.clone() } else { local.join(&name) }
        } else if local.to_string_lossy().ends_with('/') || local.is_dir() {
            local.join(&name)
        } else {
            local.clone()
        };
        let reader = docker_api::body_reader(response);
        let fail = move |e: &dyn std::fmt::Display| RunError::failed(format!("download of {remote} failed: {e}"));
        tokio::task::spawn_blocking(move || unpack(reader, &target, is_dir))
            .await
            .map_err(|e| fail(&e))?
            .map_err(|e| fail(&e))
    }
}

/// A tar entry name for an absolute container path (entries are unpacked at `/`).
fn entry_name(path: &str) -> String {
    path.trim_start_matches('/').to_string()
}

/// A header for `meta` owned by root (`copyUIDGID` gives it to the container's user).
fn header(meta: &std::fs::Metadata) -> tar::Header {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mut h = tar::Header::new_gnu();
    h.set_mode(meta.permissions().mode() & 0o7777);
    h.set_mtime(u64::try_from(meta.mtime()).unwrap_or(0));
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn append_file(b: &mut tar::Builder<docker_api::BodyWriter>, local: &Path, name: &str) -> std::io::Result<()> {
    let file = std::fs::File::open(local)?;
    let meta = file.metadata()?;
    let mut h = header(&meta);
    h.set_size(meta.len());
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, name, file)
}

/// Appends a folder's tree under `base`; the folder's own entry only when `with_root` (its
/// contents go into a folder that may already exist, whose mode must not change) or when it
/// is empty (so the folder is still created).
fn append_tree(
    b: &mut tar::Builder<docker_api::BodyWriter>,
    local: &Path,
    base: &str,
    with_root: bool,
) -> std::io::Result<()> {
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(local)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    if with_root || entries.is_empty() {
        let mut h = header(&std::fs::metadata(local)?);
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        b.append_data(&mut h, format!("{base}/"), std::io::empty())?;
    }
    for e in entries {
        let path = e.path();
        let name = format!("{base}/{}", e.file_name().to_string_lossy());
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_dir() {
            append_tree(b, &path, &name, true)?;
        } else if meta.file_type().is_symlink() {
            let mut h = header(&meta);
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, &name, std::fs::read_link(&path)?)?;
        } else {
            append_file(b, &path, &name)?;
        }
    }
    Ok(())
}

/// Unpacks an archive whose first path component is the downloaded file or folder into
/// `target` (the file itself, or the folder receiving the folder's contents).
fn unpack(reader: docker_api::BodyReader, target: &Path, is_dir: bool) -> std::io::Result<()> {
    let mut archive = tar::Archive::new(std::io::BufReader::with_capacity(256 * 1024, reader));
    archive.set_preserve_permissions(true);
    if is_dir {
        std::fs::create_dir_all(target)?;
    } else if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.into_owned();
        let rest: PathBuf = path.components().skip(1).collect();
        if rest.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return Err(std::io::Error::other(format!(
                "refusing an archive entry outside the folder: {}",
                path.display()
            )));
        }
        let dest = if is_dir { target.join(&rest) } else { target.to_path_buf() };
        if rest.as_os_str().is_empty() && is_dir {
            continue;
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        entry.unpack(&dest)?;
    }
    Ok(())
}

impl Communicator for DockerComm {
    fn exec(
        &self,
        command: String,
        ui: Arc<dyn Ui>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, Result<Option<i32>, RunError>> {
        let me = self.clone();
        Box::pin(async move {
            if let Some(done) = me.in_shell(&command, None, &ui, &cancel).await {
                return done;
            }
            me.run(vec!["/bin/sh".into(), "-c".into(), command], ui, cancel).await.map(Some)
        })
    }

    fn exec_with_input(
        &self,
        command: String,
        input: Vec<u8>,
        ui: Arc<dyn Ui>,
        cancel: CancellationToken,
    ) -> Option<BoxFuture<'static, Result<Option<i32>, RunError>>> {
        let me = self.clone();
        if input.len() <= MAX_INLINE_INPUT {
            return Some(Box::pin(async move {
                if let Some(done) = me.in_shell(&command, Some(&input), &ui, &cancel).await {
                    return done;
                }
                me.exec_with_file(command, input, ui, cancel).await
            }));
        }
        // A large input is written to a file in the container, and one exec reads it as its
        // standard input (removed once opened).
        Some(Box::pin(async move { me.exec_with_file(command, input, ui, cancel).await }))
    }

    fn upload(&self, local: PathBuf, remote: String) -> BoxFuture<'static, Result<(), RunError>> {
        let me = self.clone();
        Box::pin(async move { me.upload_path(local, remote).await })
    }

    fn upload_bytes(&self, bytes: Vec<u8>, remote: String, mode: i32) -> BoxFuture<'static, Result<(), RunError>> {
        let me = self.clone();
        let fix = self.fix_upload_owner;
        Box::pin(async move { me.write_bytes(bytes, remote, mode, fix).await })
    }

    fn download(&self, remote: String, local: PathBuf) -> BoxFuture<'static, Result<(), RunError>> {
        let me = self.clone();
        Box::pin(async move { me.download_path(remote, local).await })
    }
}

impl DockerComm {
    /// Runs `command` with `input` written to a file first (two API calls): for inputs too
    /// large for a command line, or without an attached shell.
    async fn exec_with_file(
        &self,
        command: String,
        input: Vec<u8>,
        ui: Arc<dyn Ui>,
        cancel: CancellationToken,
    ) -> Result<Option<i32>, RunError> {
        let file = format!("/tmp/.forge-stdin-{}", uuid::Uuid::new_v4().simple());
        // The file belongs to the container's user; another `exec_user` must be able to read it.
        let other_user = self.exec_user.as_deref().is_some_and(|u| !u.is_empty() && u != "root" && u != "0");
        self.write_bytes(input, file.clone(), if other_user { 0o644 } else { 0o600 }, true).await?;
        let script = "exec 0<\"$1\" && rm -f \"$1\" && eval \"$2\"".to_string();
        let argv = vec!["/bin/sh".into(), "-c".into(), script, "sh".into(), file, command];
        self.run(argv, ui, cancel).await.map(Some)
    }

    /// Writes `bytes` to one file; `owned` gives it to the container's user.
    async fn write_bytes(&self, bytes: Vec<u8>, remote: String, mode: i32, owned: bool) -> Result<(), RunError> {
        let name = entry_name(&self.absolute(&remote));
        let me = DockerComm { fix_upload_owner: owned, ..self.clone() };
        me.put_archive(move |b| {
            let mut h = tar::Header::new_gnu();
            h.set_mode(u32::try_from(mode).unwrap_or(0o644));
            h.set_size(bytes.len() as u64);
            h.set_entry_type(tar::EntryType::Regular);
            h.set_mtime(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()));
            b.append_data(&mut h, name, bytes.as_slice())
        })
        .await
    }
}
