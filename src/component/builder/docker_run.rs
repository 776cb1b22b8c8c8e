//! Running the `docker` builder on the Engine API, in Packer's step order and with its
//! messages: shared temporary folder, pull (with `login`), create and start the container,
//! connect the docker communicator; after the provisioners: commit, export or discard. The
//! container is removed by a cleanup registered right after it was created, so a failed start,
//! a failed step and Ctrl-C leave nothing behind.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::Method;
use serde_json::json;

use crate::component::builder::docker::{Config, Outcome};
use crate::component::builder::docker_run_command::{self, RunSpec};
use crate::component::communicator::docker::DockerComm;
use crate::component::docker_api::{self, Docker, query, segment};
use crate::component::runtime::{
    Artifact, BoxFuture, Built, Communicator, Finish, Finished, Produced, RunCx, RunError,
};

/// The builder id of the builder's own artifacts (export, discard).
pub const BUILDER_ID: &str = "packer.docker";
/// The builder id of a committed image (Packer reuses docker-import's).
pub const IMPORT_ID: &str = "packer.post-processor.docker-import";

impl crate::component::runtime::BuilderRun for Config {
    fn run(self, cx: RunCx) -> BoxFuture<'static, Result<Built, RunError>> {
        Box::pin(async move {
            let docker = Docker::from_env();
            docker.ping().await?;
            let run = Arc::new(Run { cfg: self, cx, docker, removed: Arc::default() });
            let (container, communicator) = run.clone().start().await?;
            let id = container.clone();
            let finish: Finish = Box::new(move || Box::pin(async move { run.finish(&id).await }));
            // `build.ID` is the container while provisioning; the artifact comes from `finish`.
            let generated =
                BTreeMap::from([("ID".to_string(), container), ("ConnType".to_string(), "docker".to_string())]);
            Ok(Built { artifact: Produced::Finish(finish), communicator, generated })
        })
    }
}

/// One `docker` build while it runs.
struct Run {
    cfg: Config,
    cx: RunCx,
    docker: Docker,
    /// Set once the container is removed: by `finish` (Packer removes it before the
    /// post-processors run) or by the cleanup, whichever comes first.
    removed: Arc<AtomicBool>,
}

impl Run {
    fn go_on(&self) -> Result<(), RunError> {
        if self.cx.cancel.is_cancelled() { Err(RunError::Cancelled) } else { Ok(()) }
    }

    /// Everything up to a connected container; returns its id and the communicator.
    async fn start(self: Arc<Self>) -> Result<(String, Option<Arc<dyn Communicator>>), RunError> {
        let shared = self.temp_dir()?;
        if self.cfg.pull.unwrap_or(true) {
            self.pull().await?;
        }
        self.go_on()?;
        let container = self.create_and_start(&shared).await?;
        if let Some(d) = self.cfg.pause_before_connecting.map(|d| d.0) {
            tokio::select! {
                () = tokio::time::sleep(d) => {}
                () = self.cx.cancel.cancelled() => return Err(RunError::Cancelled),
            }
        }
        if self.cfg.communicator == Some(crate::component::builder::docker::DockerCommunicator::None) {
            return Ok((container, None));
        }
        self.cx.ui.say("Using docker communicator to connect: ");
        let comm = DockerComm::connect(
            self.docker.clone(),
            container.clone(),
            self.cfg.exec_user.clone(),
            self.cfg.fix_upload_owner.unwrap_or(true),
        )
        .await?;
        let comm: Arc<dyn Communicator> = Arc::new(comm);
        Ok((container, Some(comm)))
    }

    /// The host folder mounted at `container_dir`, removed at the end.
    fn temp_dir(&self) -> Result<std::path::PathBuf, RunError> {
        self.cx.ui.say("Creating a temporary directory for sharing data...");
        let dir = std::env::temp_dir().join(format!("packer-docker-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| RunError::failed(format!("Error making temporary directory: {e}")))?;
        let d = dir.clone();
        self.cx.on_cleanup(
            "the temporary directory",
            Box::new(move || Box::pin(async move { tokio::fs::remove_dir_all(&d).await.map_err(|e| e.to_string()) })),
        );
        Ok(dir)
    }

    async fn pull(&self) -> Result<(), RunError> {
        let image = &self.cfg.image;
        self.cx.ui.say(&format!("Pulling Docker image: {image}"));
        let login = &self.cfg.login;
        let auth = login
            .auth(&self.docker, self.cx.ui.as_ref())
            .await
            .map_err(|e| RunError::failed(format!("Error logging in: {e}")))?;
        let auth = login.wanted().then_some(auth);
        let result = pull(&self.docker, image, self.cfg.platform.as_deref(), auth, |l| self.cx.ui.message(l)).await;
        if login.wanted() {
            self.cx.ui.message("Logging out...");
        }
        result.map_err(|e| RunError::failed(format!("Error pulling Docker image: {e}")))
    }

    /// The container's configuration: `run_command` with Packer's extra options.
    fn spec(&self, shared: &std::path::Path) -> Result<(RunSpec, Vec<String>), RunError> {
        let template = self
            .cfg
            .run_command
            .clone()
            .unwrap_or_else(|| docker_run_command::DEFAULT.iter().map(|s| (*s).to_string()).collect());
        // Packer puts the builder's own options before `run_command`'s, on one `docker run`
        // line; forge reads that line as one.
        let mut args = self.options(shared);
        args.extend(
            template
                .iter()
                .map(|a| crate::component::runtime::render_component_template(a, &[("Image", &self.cfg.image)])),
        );
        let spec = docker_run_command::parse(&args, &self.cfg.image)
            .map_err(|e| RunError::failed(format!("{} ({})", e.message, e.help)))?;
        Ok((spec, args))
    }

    /// The builder's settings as `docker run` options, in Packer's order.
    fn options(&self, shared: &std::path::Path) -> Vec<String> {
        let c = &self.cfg;
        let mut args: Vec<String> = Vec::new();
        let mut add = |flag: &str, values: &[String]| {
            for v in values {
                args.extend([flag.to_string(), v.clone()]);
            }
        };
        let one = |v: &Option<String>| v.iter().filter(|v| !v.is_empty()).cloned().collect::<Vec<_>>();
        add("--device", c.device.as_deref().unwrap_or_default());
        add("--cap-add", c.cap_add.as_deref().unwrap_or_default());
        add("--cap-drop", c.cap_drop.as_deref().unwrap_or_default());
        add("--runtime", &one(&c.runtime));
        add("--platform", &one(&c.platform));
        let mut tmpfs = c.tmpfs.clone().unwrap_or_default();
        let mut binds = Vec::new();
        if c.systemd == Some(true) {
            tmpfs.extend(["/run".to_string(), "/run/lock".to_string(), "/tmp".to_string()]);
            binds.push("/sys/fs/cgroup:/sys/fs/cgroup:rw".to_string());
            add("--cgroupns", &["host".to_string()]);
            add("--stop-signal", &["SIGRTMIN+3".to_string()]);
        }
        add("--tmpfs", &tmpfs);
        for (host, guest) in c.volumes.iter().flatten() {
            let host = match host.strip_prefix("~/") {
                Some(rest) => std::env::var("HOME").map(|h| format!("{h}/{rest}")).unwrap_or_else(|_| host.clone()),
                None => self.cx.path(host).to_string_lossy().into_owned(),
            };
            binds.push(format!("{host}:{guest}"));
        }
        let container_dir = c.container_dir.clone().unwrap_or_else(|| "/packer-files".into());
        binds.push(format!("{}:{container_dir}", shared.display()));
        add("-v", &binds);
        if c.privileged == Some(true) {
            args.push("--privileged".into());
        }
        args
    }

    /// Creates the container (its removal registered at once) and starts it.
    async fn create_and_start(&self, shared: &std::path::Path) -> Result<String, RunError> {
        let (spec, shown) = self.spec(shared)?;
        self.cx.ui.say("Starting docker container...");
        self.cx.ui.message(&format!("Run command: docker run {}", shown.join(" ")));
        let mut path = "/containers/create".to_string();
        if let Some(p) = &spec.platform {
            path = format!("{path}?{}", query(&[("platform", p)]));
        }
        let created = self.docker.json(Method::POST, &path, Some(&spec.create_body())).await.map_err(|e| {
            let hint = if self.cfg.pull == Some(false) && e.to_string().contains("No such image") {
                " (`pull = false`: the image must already be on the Docker host)"
            } else {
                ""
            };
            RunError::failed(format!("Error running container: {e}{hint}"))
        })?;
        let id = created["Id"].as_str().unwrap_or_default().to_string();
        let (docker, ui, victim, removed) = (self.docker.clone(), self.cx.ui.clone(), id.clone(), self.removed.clone());
        self.cx.on_cleanup(
            format!("container {id}"),
            Box::new(move || Box::pin(async move { remove_container(&docker, ui.as_ref(), &victim, &removed).await })),
        );
        self.docker
            .json(Method::POST, &format!("/containers/{}/start", segment(&id)), None)
            .await
            .map_err(|e| RunError::failed(format!("Error running container: {e}")))?;
        self.cx.ui.message(&format!("Container ID: {id}"));
        Ok(id)
    }

    /// After the provisioners: commit, export or nothing, then the container is removed; the
    /// final artifact.
    async fn finish(&self, container: &str) -> Result<Finished, RunError> {
        self.go_on()?;
        let artifact = self.outcome(container).await?;
        remove_container(&self.docker, self.cx.ui.as_ref(), container, &self.removed)
            .await
            .map_err(RunError::Failed)?;
        let mut done = Finished::from(artifact);
        if self.cfg.outcome() == Outcome::Commit {
            done.generated.insert("ImageSha256".into(), done.artifact.id.clone());
        }
        Ok(done)
    }

    async fn outcome(&self, container: &str) -> Result<Artifact, RunError> {
        match self.cfg.outcome() {
            Outcome::Commit => self.commit(container).await,
            Outcome::Export(path) => self.export(container, &path).await,
            Outcome::Discard => Ok(Artifact {
                builder_id: BUILDER_ID.into(),
                description: "Exported Docker file: ".into(),
                ..Artifact::default()
            }),
        }
    }

    async fn commit(&self, container: &str) -> Result<Artifact, RunError> {
        self.cx.ui.say("Committing the container");
        let mut pairs: Vec<(&str, &str)> = vec![("container", container)];
        if let Some(a) = self.cfg.author.as_deref().filter(|a| !a.is_empty()) {
            pairs.push(("author", a));
        }
        if let Some(m) = self.cfg.message.as_deref().filter(|m| !m.is_empty()) {
            pairs.push(("comment", m));
        }
        for c in self.cfg.changes.iter().flatten() {
            pairs.push(("changes", c));
        }
        let answer = self
            .docker
            .json(Method::POST, &format!("/commit?{}", query(&pairs)), Some(&json!({})))
            .await
            .map_err(|e| RunError::failed(format!("Error committing container: {e}")))?;
        let id = answer["Id"].as_str().unwrap_or_default().to_string();
        self.cx.ui.message(&format!("Image ID: {id}"));
        Ok(Artifact {
            builder_id: IMPORT_ID.into(),
            id: id.clone(),
            description: format!("Imported Docker image: {id}"),
            ..Artifact::default()
        })
    }

    async fn export(&self, container: &str, path: &str) -> Result<Artifact, RunError> {
        self.cx.ui.say("Exporting the container");
        let target = self.cx.path(path);
        let response = self
            .docker
            .send(Method::GET, &format!("/containers/{}/export", segment(container)), &[], docker_api::empty())
            .await
            .map_err(|e| RunError::failed(format!("Error exporting: {e}")))?;
        save_body(response, &target).await.map_err(|e| RunError::failed(format!("Error exporting: {e}")))?;
        Ok(Artifact {
            builder_id: BUILDER_ID.into(),
            id: path.to_string(),
            description: format!("Exported Docker file: {path}"),
            files: vec![path.to_string()],
            ..Artifact::default()
        })
    }
}

/// Kills and removes the container, once (Packer's message).
async fn remove_container(
    docker: &Docker,
    ui: &dyn crate::component::runtime::Ui,
    id: &str,
    removed: &AtomicBool,
) -> Result<(), String> {
    if removed.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    ui.say(&format!("Killing the container: {id}"));
    let path = format!("/containers/{}?{}", segment(id), query(&[("force", "true"), ("v", "true")]));
    docker.json(Method::DELETE, &path, None).await.map(|_| ()).map_err(|e| e.to_string())
}

/// Pulls `image` (with `auth`, an `X-Registry-Auth` value), each progress line to `line`.
pub async fn pull(
    docker: &Docker,
    image: &str,
    platform: Option<&str>,
    auth: Option<String>,
    line: impl FnMut(&str),
) -> Result<(), RunError> {
    let (repo, tag) = docker_api::split_reference(image);
    let mut pairs = vec![("fromImage", repo.as_str()), ("tag", tag.as_str())];
    if let Some(p) = platform.filter(|p| !p.is_empty()) {
        pairs.push(("platform", p));
    }
    let headers: Vec<(&str, String)> = auth.into_iter().map(|a| ("x-registry-auth", a)).collect();
    docker
        .progress(Method::POST, &format!("/images/create?{}", query(&pairs)), &headers, docker_api::empty(), line)
        .await
        .map(|_| ())
}

/// Writes an answer's body to a file as it arrives; a partial file is removed on failure.
pub async fn save_body(
    response: http::Response<hyper::body::Incoming>,
    target: &std::path::Path,
) -> Result<(), String> {
    use http_body_util::BodyExt;
    use tokio::io::AsyncWriteExt;
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(parent).await.map_err(|e| e.to_string())?;
    }
    let mut file = tokio::fs::File::create(target).await.map_err(|e| format!("{}: {e}", target.display()))?;
    let mut body = response.into_body();
    let result: Result<(), String> = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| e.to_string())?;
            if let Ok(data) = frame.into_data() {
                file.write_all(&data).await.map_err(|e| e.to_string())?;
            }
        }
        file.flush().await.map_err(|e| e.to_string())
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(target).await;
    }
    result
}
