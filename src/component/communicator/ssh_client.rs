//! The SSH communicator on libssh2 (the `ssh2` crate): connect with a fast retry until the
//! machine answers, run commands with their output streamed line by line, and copy files.
//!
//! libssh2 is blocking, so every operation runs on a blocking thread of tokio's pool and the
//! engine never stalls; one session per build is shared by all its steps.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::component::communicator::scp;
use crate::component::communicator::socks;
use crate::component::communicator::ssh;
use crate::component::retry::Backoff;
use crate::component::runtime::{BoxFuture, Communicator, RunCx, RunError, Ui};
use crate::gocompat::shell::quote;

/// How to authenticate.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A password.
    Password(String),
    /// A private key file, and the OpenSSH certificate signed for it (`ssh_certificate_file`),
    /// which is offered instead of the bare public key.
    KeyFile(PathBuf, Option<PathBuf>),
    /// The SSH agent.
    Agent,
}

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// User.
    pub username: String,
    /// Authentication.
    pub auth: Auth,
    /// Give up after this long.
    pub timeout: Duration,
    /// Copy with SFTP instead of SCP.
    pub sftp: bool,
    /// Seconds between keep-alive messages; `None` disables them.
    pub keep_alive: Option<u32>,
    /// Fail a read or write that takes longer.
    pub read_write_timeout: Option<Duration>,
    /// Ask for a pseudo-terminal for commands.
    pub pty: bool,
    /// Wait this long before the first attempt.
    pub pause_before_connecting: Duration,
    /// A bastion host the connection goes through.
    pub bastion: Option<Box<ConnectOptions>>,
    /// A SOCKS5 proxy the connection goes through (never with a bastion).
    pub proxy: Option<socks::Proxy>,
    /// How many times a server that answers but fails the handshake or refuses the
    /// credentials is tried before giving up (`ssh_handshake_attempts`). A server that is not
    /// up yet is retried until `timeout` whatever this says.
    pub handshake_attempts: u32,
}

impl ConnectOptions {
    /// Options from the communicator's configuration (`~` expanded in key paths).
    ///
    /// # Errors
    /// No host, user or authentication method.
    pub fn from_config(c: &ssh::Config, base_dir: &Path) -> Result<ConnectOptions, RunError> {
        let nonempty = |o: &Option<String>| o.clone().filter(|s| !s.is_empty());
        let host = nonempty(&c.ssh_host).ok_or_else(|| RunError::failed("no `ssh_host` to connect to"))?;
        let username = nonempty(&c.ssh_username).ok_or_else(|| RunError::failed("no `ssh_username`"))?;
        let auth = match (&nonempty(&c.ssh_password), &nonempty(&c.ssh_private_key_file), c.ssh_agent_auth) {
            (Some(p), _, _) => Auth::Password(p.clone()),
            (_, Some(k), _) => {
                Auth::KeyFile(expand(k, base_dir), nonempty(&c.ssh_certificate_file).map(|f| expand(&f, base_dir)))
            }
            (_, _, Some(true)) => Auth::Agent,
            _ => {
                return Err(RunError::failed(
                    "no SSH authentication method: set `ssh_password`, `ssh_private_key_file` or `ssh_agent_auth`",
                ));
            }
        };
        let timeout = c.ssh_timeout.or(c.ssh_wait_timeout).map_or(Duration::from_secs(300), |d| d.0);
        // Keep-alives every 5 s by default.
        let keep_alive =
            Some(c.ssh_keep_alive_interval.map_or(5, |d| u32::try_from(d.0.as_secs().max(1)).unwrap_or(u32::MAX)));
        Ok(ConnectOptions {
            host,
            port: c.ssh_port.unwrap_or(22),
            username,
            auth,
            timeout,
            sftp: c.ssh_file_transfer_method == Some(ssh::FileTransfer::Sftp),
            keep_alive,
            read_write_timeout: c.ssh_read_write_timeout.map(|d| d.0),
            pty: c.ssh_pty.unwrap_or(false),
            pause_before_connecting: c.pause_before_connecting.map(|d| d.0).unwrap_or_default(),
            bastion: bastion(c, base_dir, timeout)?,
            proxy: nonempty(&c.ssh_proxy_host).map(|host| socks::Proxy {
                host,
                port: c.ssh_proxy_port.unwrap_or(1080),
                credentials: nonempty(&c.ssh_proxy_username)
                    .map(|user| (user, c.ssh_proxy_password.clone().unwrap_or_default())),
            }),
            // A machine that is already there (the null builder) either takes the credentials
            // or not: by default a refusal is final at once. Cloud builders, whose keys arrive
            // with cloud-init, raise this to Packer's 10.
            handshake_attempts: c.ssh_handshake_attempts.unwrap_or(1).max(1),
        })
    }
}

/// The bastion's connection options (`ssh_bastion_*`); its key defaults to `ssh_private_key_file`.
fn bastion(c: &ssh::Config, base_dir: &Path, timeout: Duration) -> Result<Option<Box<ConnectOptions>>, RunError> {
    let Some(host) = c.ssh_bastion_host.clone() else { return Ok(None) };
    let auth = match (
        &c.ssh_bastion_password,
        &c.ssh_bastion_private_key_file,
        c.ssh_bastion_agent_auth,
        &c.ssh_private_key_file,
    ) {
        (Some(p), _, _, _) => Auth::Password(p.clone()),
        (_, Some(k), _, _) => {
            Auth::KeyFile(expand(k, base_dir), c.ssh_bastion_certificate_file.as_deref().map(|f| expand(f, base_dir)))
        }
        (_, _, Some(true), _) => Auth::Agent,
        (_, _, _, Some(k)) => Auth::KeyFile(expand(k, base_dir), None),
        _ => return Err(RunError::failed("the bastion host has no authentication method")),
    };
    Ok(Some(Box::new(ConnectOptions {
        host,
        port: c.ssh_bastion_port.unwrap_or(22),
        username: c.ssh_bastion_username.clone().or_else(|| c.ssh_username.clone()).unwrap_or_default(),
        auth,
        timeout,
        sftp: false,
        keep_alive: Some(5),
        read_write_timeout: None,
        pty: false,
        pause_before_connecting: Duration::ZERO,
        bastion: None,
        proxy: None,
        handshake_attempts: 1,
    })))
}

fn expand(p: &str, base_dir: &Path) -> PathBuf {
    if let Some(rest) = p.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    crate::source::resolve_path(base_dir, Path::new(p))
}

/// Whether libssh2's error says the connection itself is gone (socket errors, a disconnect, a
/// timeout), as opposed to a refusal over a live connection.
fn connection_lost(e: &ssh2::Error) -> bool {
    // LIBSSH2_ERROR_SOCKET_SEND, _SOCKET_DISCONNECT, _TIMEOUT, _SOCKET_TIMEOUT, _SOCKET_RECV,
    // _BAD_SOCKET.
    matches!(e.code(), ssh2::ErrorCode::Session(-7 | -13 | -9 | -30 | -43 | -45))
}

/// Creates `dir` and its missing parents over SFTP (errors for folders that exist are moot;
/// a real failure shows when the file is opened).
fn sftp_mkdir_all(sftp: &ssh2::Sftp, dir: &Path) {
    let mut path = PathBuf::new();
    for part in dir.components() {
        path.push(part);
        if sftp.stat(&path).is_err() {
            let _ = sftp.mkdir(&path, 0o755);
        }
    }
}

/// Copies the entries of local folder `dir` into remote folder `to` (which exists), keeping
/// modes; symlinks are followed, as Packer does.
fn sftp_put_tree(sftp: &ssh2::Sftp, dir: &Path, to: &Path, buf: &mut [u8]) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let target = to.join(entry.file_name());
        let meta = std::fs::metadata(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mode = i32::try_from(meta.permissions().mode() & 0o7777).unwrap_or(0o644);
        if meta.is_dir() {
            if sftp.stat(&target).is_err() {
                sftp.mkdir(&target, mode).map_err(|e| format!("{}: {e}", target.display()))?;
            }
            sftp_put_tree(sftp, &path, &target, buf)?;
            continue;
        }
        let mut file = std::fs::File::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut remote = sftp
            .open_mode(
                &target,
                ssh2::OpenFlags::WRITE | ssh2::OpenFlags::CREATE | ssh2::OpenFlags::TRUNCATE,
                mode,
                ssh2::OpenType::File,
            )
            .map_err(|e| format!("{}: {e}", target.display()))?;
        loop {
            let n = file.read(buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            remote.write_all(&buf[..n]).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// A connected session.
pub struct SshComm {
    session: Mutex<ssh2::Session>,
    /// How it was connected, to connect again when the machine dropped the connection (a
    /// reboot).
    opts: ConnectOptions,
    sftp: bool,
    pty: bool,
    ui: Mutex<Option<Arc<dyn Ui>>>,
}

/// The one SSH-connect path of every builder: connects with `opts`, saying so as Packer does,
/// and returns the session as the build's communicator, its transfers reporting to `cx.ui`.
///
/// # Errors
/// As [`connect`].
pub async fn connect_build(cx: &RunCx, opts: ConnectOptions) -> Result<Arc<dyn Communicator>, RunError> {
    cx.ui.say(&format!("Using SSH communicator to connect: {}", opts.host));
    cx.ui.say("Waiting for SSH to become available...");
    let cancel = cx.cancel.clone();
    let session = tokio::task::spawn_blocking(move || connect(&opts, &cancel))
        .await
        .map_err(|e| RunError::failed(e.to_string()))??;
    cx.ui.say("Connected to SSH!");
    session.set_ui(cx.ui.clone());
    Ok(Arc::new(Arc::new(session)))
}

/// An error no retry can fix: the server answered but refused the credentials.
fn fatal(msg: String) -> (bool, String) {
    (true, msg)
}

/// Connects, retrying quickly (50 ms, doubling to 1 s) until the server answers or `timeout`;
/// a refusal is retried `handshake_attempts` times in all.
///
/// # Errors
/// Timeout, or an authentication failure once the attempts are used up.
fn connect(opts: &ConnectOptions, cancel: &CancellationToken) -> Result<SshComm, RunError> {
    if !opts.pause_before_connecting.is_zero() {
        std::thread::sleep(opts.pause_before_connecting);
    }
    let session = connect_session(opts, cancel)?;
    Ok(SshComm {
        session: Mutex::new(session),
        opts: opts.clone(),
        sftp: opts.sftp,
        pty: opts.pty,
        ui: Mutex::new(None),
    })
}

/// The retry loop of [`connect`], giving the bare session.
fn connect_session(opts: &ConnectOptions, cancel: &CancellationToken) -> Result<ssh2::Session, RunError> {
    let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_secs(1), opts.timeout);
    let mut refusals = 0;
    let mut last: String;
    loop {
        if cancel.is_cancelled() {
            return Err(RunError::Cancelled);
        }
        match try_connect(opts) {
            Ok(session) => return Ok(session),
            Err((true, msg)) => {
                // The server answered and refused: final once the attempts are used up.
                refusals += 1;
                if refusals >= opts.handshake_attempts {
                    let tries = if refusals > 1 { format!(" ({refusals} attempts)") } else { String::new() };
                    return Err(RunError::Failed(format!("{msg}{tries}")));
                }
                // A key cloud-init has not installed yet: wait up to 3 s between tries, so the
                // attempts span a few seconds (up to 1 s while the server is not up).
                backoff.set_cap(Duration::from_secs(3));
                last = msg;
            }
            Err((false, msg)) => last = msg,
        }
        let Some(delay) = backoff.next_delay() else {
            return Err(RunError::failed(format!(
                "timeout waiting for SSH on {}:{} after {:?}: {last}",
                opts.host, opts.port, opts.timeout
            )));
        };
        std::thread::sleep(delay);
    }
}

fn try_connect(opts: &ConnectOptions) -> Result<ssh2::Session, (bool, String)> {
    let addr = format!("{}:{}", opts.host, opts.port);
    let tcp = match (&opts.bastion, &opts.proxy) {
        (Some(b), _) => through_bastion(b, &opts.host, opts.port)?,
        (None, Some(p)) => socks::connect(p, &opts.host, opts.port)?,
        (None, None) => TcpStream::connect(&addr).map_err(|e| (false, format!("cannot reach {addr}: {e}")))?,
    };
    let mut session = ssh2::Session::new().map_err(|e| (false, e.to_string()))?;
    session.set_tcp_stream(tcp);
    session.handshake().map_err(|e| (false, format!("SSH handshake with {addr} failed: {e}")))?;
    let who = format!("{}@{addr}", opts.username);
    let result = match &opts.auth {
        Auth::Password(p) => session
            .userauth_password(&opts.username, p)
            .map_err(|e| fatal(format!("password authentication as {who} failed: {e}"))),
        Auth::KeyFile(k, cert) => session.userauth_pubkey_file(&opts.username, cert.as_deref(), k, None).map_err(|e| {
            let with = match cert {
                Some(c) => format!("{} and the certificate {}", k.display(), c.display()),
                None => k.display().to_string(),
            };
            fatal(format!("key authentication as {who} with {with} failed: {e}"))
        }),
        Auth::Agent => session
            .userauth_agent(&opts.username)
            .map_err(|e| fatal(format!("SSH agent authentication as {who} failed: {e}"))),
    };
    result?;
    if !session.authenticated() {
        return Err(fatal(format!("the server did not accept the credentials for {who}")));
    }
    if let Some(secs) = opts.keep_alive {
        session.set_keepalive(true, secs);
    }
    if let Some(t) = opts.read_write_timeout {
        session.set_timeout(u32::try_from(t.as_millis()).unwrap_or(u32::MAX));
    }
    Ok(session)
}

/// A socket whose bytes travel through a `direct-tcpip` channel of a session with the bastion:
/// libssh2 needs a socket for the target session, so a thread pumps between a loopback pair
/// and the channel for as long as either side is open.
fn through_bastion(bastion: &ConnectOptions, host: &str, port: u16) -> Result<TcpStream, (bool, String)> {
    let session = try_connect(bastion).map_err(|(fatal, msg)| (fatal, format!("bastion {}: {msg}", bastion.host)))?;
    let channel = session
        .channel_direct_tcpip(host, port, None)
        .map_err(|e| (false, format!("the bastion {} cannot reach {host}:{port}: {e}", bastion.host)))?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| (false, e.to_string()))?;
    let local = listener.local_addr().map_err(|e| (false, e.to_string()))?;
    std::thread::spawn(move || {
        let Ok((socket, _)) = listener.accept() else { return };
        pump(&session, channel, socket);
    });
    TcpStream::connect(local).map_err(|e| (false, e.to_string()))
}

fn pump(session: &ssh2::Session, mut channel: ssh2::Channel, mut socket: TcpStream) {
    session.set_blocking(false);
    let _ = socket.set_nonblocking(true);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let mut moved = false;
        match socket.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                moved = true;
                let mut sent = 0;
                while sent < n {
                    match channel.write(&buf[sent..n]) {
                        Ok(k) => sent += k,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(1))
                        }
                        Err(_) => return,
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
        match channel.read(&mut buf) {
            Ok(0) if channel.eof() => break,
            Ok(0) => {}
            Ok(n) => {
                moved = true;
                let _ = socket.set_nonblocking(false);
                if socket.write_all(&buf[..n]).is_err() {
                    break;
                }
                let _ = socket.set_nonblocking(true);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
        if !moved {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let _ = channel.close();
}

const CHUNK: usize = 256 * 1024;

impl SshComm {
    /// Runs `open` (a channel, an SFTP session, an scp receive) on the session; when the
    /// connection is gone (the machine rebooted), connects again, as Packer's communicator
    /// does, and tries once more.
    fn reopen<T>(
        &self,
        session: &mut ssh2::Session,
        open: impl Fn(&ssh2::Session) -> Result<T, ssh2::Error>,
    ) -> Result<T, RunError> {
        match open(session) {
            Ok(t) => Ok(t),
            Err(e) if !connection_lost(&e) => Err(RunError::failed(e.to_string())),
            Err(first) => {
                if let Ok(ui) = self.ui.lock() {
                    if let Some(ui) = ui.as_ref() {
                        ui.say(&format!("The SSH connection was lost ({first}); reconnecting..."));
                    }
                }
                *session = connect_session(&self.opts, &CancellationToken::new())?;
                open(session).map_err(|e| RunError::failed(format!("cannot open an SSH channel: {e}")))
            }
        }
    }

    /// Where transfers show their progress (a bar on a terminal).
    fn set_ui(&self, ui: Arc<dyn Ui>) {
        if let Ok(mut slot) = self.ui.lock() {
            *slot = Some(ui);
        }
    }

    fn progress(&self, what: &str, total: u64) -> Option<Box<dyn crate::component::runtime::Progress>> {
        self.ui.lock().ok().and_then(|u| u.as_ref().and_then(|ui| ui.progress(what, total)))
    }

    fn exec_blocking(
        &self,
        command: &str,
        input: Option<&[u8]>,
        ui: &Arc<dyn Ui>,
        cancel: &CancellationToken,
    ) -> Result<Option<i32>, RunError> {
        let mut session = self.session.lock().map_err(|_| RunError::failed("SSH session poisoned"))?;
        let mut channel = self.reopen(&mut session, ssh2::Session::channel_session)?;
        // The first stderr line names the remote shell's process, which leads its process
        // group: on cancel, the whole group is killed (Packer leaves it running).
        let wrapped = format!("echo FORGE_PID=$$ >&2; {command}");
        if self.pty {
            channel
                .request_pty("xterm", None, None)
                .map_err(|e| RunError::failed(format!("cannot get a pseudo-terminal: {e}")))?;
        }
        channel.exec(&wrapped).map_err(|e| RunError::failed(format!("cannot start `{command}`: {e}")))?;
        if let Some(bytes) = input {
            channel.write_all(bytes).map_err(|e| RunError::failed(format!("cannot send the script: {e}")))?;
            channel.send_eof().map_err(|e| RunError::failed(format!("cannot send the script: {e}")))?;
        }
        // Read the PID line first (it is the first thing the remote shell prints), so that a
        // cancel arriving at once can still kill the command.
        let mut pid: Option<String> = {
            let mut first = Vec::new();
            let mut byte = [0u8; 1];
            loop {
                let n = if self.pty { channel.read(&mut byte) } else { channel.stderr().read(&mut byte) };
                match n {
                    Ok(1) if byte[0] != b'\n' => first.push(byte[0]),
                    _ => break,
                }
            }
            String::from_utf8_lossy(&first).trim().strip_prefix("FORGE_PID=").map(str::to_string)
        };
        session.set_blocking(false);
        let mut out = LineBuffer::default();
        let mut err = LineBuffer::default();
        let mut buf = vec![0u8; 32 * 1024];
        let result = loop {
            if cancel.is_cancelled() {
                session.set_blocking(true);
                if let Some(pid) = &pid {
                    if let Ok(mut kill) = session.channel_session() {
                        let _ = kill.exec(&format!("kill -KILL -- -{pid} 2>/dev/null || kill -KILL {pid}"));
                        let _ = kill.wait_close();
                    }
                }
                let _ = channel.close();
                return Err(RunError::Cancelled);
            }
            let mut progressed = false;
            match channel.read(&mut buf) {
                Ok(0) => {}
                Ok(n) => {
                    progressed = true;
                    // With a pty, stderr (and so the PID line) arrives on stdout.
                    out.push(&buf[..n], |l| {
                        if pid.is_none() {
                            if let Some(p) = l.strip_prefix("FORGE_PID=") {
                                pid = Some(p.trim().to_string());
                                return;
                            }
                        }
                        ui.message(l);
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => break None,
            }
            match channel.stderr().read(&mut buf) {
                Ok(0) => {}
                Ok(n) => {
                    progressed = true;
                    err.push(&buf[..n], |l| {
                        if pid.is_none() {
                            if let Some(p) = l.strip_prefix("FORGE_PID=") {
                                pid = Some(p.trim().to_string());
                                return;
                            }
                        }
                        ui.error(l);
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => break None,
            }
            if channel.eof() && !progressed {
                session.set_blocking(true);
                let _ = channel.wait_close();
                break channel
                    .exit_signal()
                    .ok()
                    .and_then(|s| s.exit_signal)
                    .map_or_else(|| channel.exit_status().ok(), |_| None);
            }
            if !progressed {
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        session.set_blocking(true);
        out.flush(|l| ui.message(l));
        err.flush(|l| ui.error(l));
        Ok(result)
    }

    fn upload_file(&self, local: &Path, remote: &str) -> Result<(), RunError> {
        let meta =
            std::fs::metadata(local).map_err(|e| RunError::failed(format!("cannot read {}: {e}", local.display())))?;
        #[cfg(unix)]
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            i32::try_from(meta.permissions().mode() & 0o777).unwrap_or(0o644)
        };
        #[cfg(not(unix))]
        let mode = 0o644;
        let file = std::fs::File::open(local)
            .map_err(|e| RunError::failed(format!("cannot read {}: {e}", local.display())))?;
        self.write_remote(file, meta.len(), remote, mode)
    }

    fn write_remote(&self, mut reader: impl Read, size: u64, remote: &str, mode: i32) -> Result<(), RunError> {
        let bar = self.progress(&format!("uploading {remote}"), size);
        let result = self.write_remote_with(&mut reader, size, remote, mode, bar.as_deref());
        if let Some(b) = bar {
            b.done();
        }
        result
    }

    fn write_remote_with(
        &self,
        reader: &mut dyn Read,
        size: u64,
        remote: &str,
        mode: i32,
        bar: Option<&dyn crate::component::runtime::Progress>,
    ) -> Result<(), RunError> {
        let advance = |n: usize| {
            if let Some(b) = bar {
                b.advance(n as u64);
            }
        };
        let mut session = self.session.lock().map_err(|_| RunError::failed("SSH session poisoned"))?;
        let fail = |e: &dyn std::fmt::Display| RunError::failed(format!("upload to {remote} failed: {e}"));
        let mut buf = vec![0u8; CHUNK];
        let parent = Path::new(remote).parent().filter(|p| !p.as_os_str().is_empty());
        if self.sftp {
            let sftp = self.reopen(&mut session, ssh2::Session::sftp)?;
            if let Some(p) = parent {
                sftp_mkdir_all(&sftp, p);
            }
            let mut f = sftp
                .open_mode(
                    Path::new(remote),
                    ssh2::OpenFlags::WRITE | ssh2::OpenFlags::CREATE | ssh2::OpenFlags::TRUNCATE,
                    mode,
                    ssh2::OpenType::File,
                )
                .map_err(|e| fail(&e))?;
            loop {
                let n = reader.read(&mut buf).map_err(|e| fail(&e))?;
                if n == 0 {
                    break;
                }
                f.write_all(&buf[..n]).map_err(|e| fail(&e))?;
                advance(n);
            }
            return Ok(());
        }
        // One remote command creates the folder (Packer's scp fails when it is missing) and
        // receives the file.
        let target = quote(remote);
        let command = match parent {
            Some(p) => format!("mkdir -p {} && scp -t {target}", quote(&p.to_string_lossy())),
            None => format!("scp -t {target}"),
        };
        let name =
            Path::new(remote).file_name().map_or_else(|| remote.to_string(), |n| n.to_string_lossy().into_owned());
        let mut ch = self.reopen(&mut session, ssh2::Session::channel_session)?;
        ch.exec(&command).map_err(|e| fail(&e))?;
        scp::start(&mut ch).map_err(|e| fail(&e))?;
        scp::send_file(&mut ch, reader, size, u32::try_from(mode).unwrap_or(0o644), &name, &mut buf, &advance)
            .map_err(|e| fail(&e))?;
        scp::finish(ch).map_err(|e| fail(&e))
    }

    fn upload_path(&self, local: &Path, remote: &str, contents_only: bool) -> Result<(), RunError> {
        if !local.is_dir() {
            let target = if remote.ends_with('/') {
                format!("{remote}{}", local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            } else {
                remote.to_string()
            };
            return self.upload_file(local, &target);
        }
        // `dir/` copies the folder's contents, `dir` the folder itself (Packer's rule).
        let base = if contents_only {
            remote.trim_end_matches('/').to_string()
        } else {
            format!(
                "{}/{}",
                remote.trim_end_matches('/'),
                local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            )
        };
        let fail = |e: &dyn std::fmt::Display| RunError::failed(format!("upload to {base} failed: {e}"));
        let mut session = self.session.lock().map_err(|_| RunError::failed("SSH session poisoned"))?;
        let mut buf = vec![0u8; CHUNK];
        if self.sftp {
            // One SFTP session for the whole tree.
            let sftp = self.reopen(&mut session, ssh2::Session::sftp)?;
            sftp_mkdir_all(&sftp, Path::new(&base));
            return sftp_put_tree(&sftp, local, Path::new(&base), &mut buf).map_err(|e| fail(&e));
        }
        // One remote `scp -t` receives the whole tree.
        let q = quote(&base);
        let mut ch = self.reopen(&mut session, ssh2::Session::channel_session)?;
        ch.exec(&format!("mkdir -p {q} && scp -r -d -t {q}")).map_err(|e| fail(&e))?;
        scp::start(&mut ch).map_err(|e| fail(&e))?;
        scp::send_contents(&mut ch, local, &mut buf).map_err(|e| fail(&e))?;
        scp::finish(ch).map_err(|e| fail(&e))
    }

    /// Whether a remote path is a folder.
    fn remote_is_dir(&self, remote: &str) -> bool {
        let Ok(mut session) = self.session.lock() else { return false };
        let Ok(mut ch) = self.reopen(&mut session, ssh2::Session::channel_session) else { return false };
        if ch.exec(&format!("test -d {}", quote(&remote))).is_err() {
            return false;
        }
        let mut sink = String::new();
        let _ = ch.read_to_string(&mut sink);
        let _ = ch.wait_close();
        ch.exit_status().is_ok_and(|c| c == 0)
    }

    /// Downloads a folder as a tar stream (modes kept, empty folders created); `dir/` copies
    /// its contents into `local`, `dir` the folder itself.
    fn download_dir(&self, remote: &str, local: &Path) -> Result<(), RunError> {
        let fail = |e: &dyn std::fmt::Display| RunError::failed(format!("download of {remote} failed: {e}"));
        let trimmed = remote.trim_end_matches('/');
        let target = if remote.ends_with('/') {
            local.to_path_buf()
        } else {
            local.join(Path::new(trimmed).file_name().unwrap_or_default())
        };
        std::fs::create_dir_all(&target).map_err(|e| fail(&e))?;
        let mut session = self.session.lock().map_err(|_| RunError::failed("SSH session poisoned"))?;
        let mut ch = self.reopen(&mut session, ssh2::Session::channel_session)?;
        ch.exec(&format!("tar -C {} -cf - .", quote(trimmed))).map_err(|e| fail(&e))?;
        tar::Archive::new(std::io::BufReader::with_capacity(CHUNK, &mut ch)).unpack(&target).map_err(|e| fail(&e))?;
        let _ = ch.wait_close();
        Ok(())
    }

    fn download_file(&self, remote: &str, local: &Path) -> Result<(), RunError> {
        // A file is asked for at once; only when that fails is the path checked for a folder
        // (each check costs the server a process).
        if remote.ends_with('/') {
            return self.download_dir(remote, local);
        }
        match self.download_regular(remote, local) {
            Err(e) if self.remote_is_dir(remote) => {
                tracing::debug!(remote, error = %e, "not a regular file: downloading it as a folder");
                self.download_dir(remote, local)
            }
            other => other,
        }
    }

    fn download_regular(&self, remote: &str, local: &Path) -> Result<(), RunError> {
        let mut session = self.session.lock().map_err(|_| RunError::failed("SSH session poisoned"))?;
        let fail = |e: &dyn std::fmt::Display| RunError::failed(format!("download of {remote} failed: {e}"));
        let target = if local.to_string_lossy().ends_with('/') || local.is_dir() {
            local.join(Path::new(remote).file_name().unwrap_or_default())
        } else {
            local.to_path_buf()
        };
        // Asked for before anything local is created, so a folder leaves no empty file behind.
        let (mut ch, _) = self.reopen(&mut session, |s| s.scp_recv(Path::new(remote)))?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| fail(&e))?;
        }
        let out = std::fs::File::create(&target).map_err(|e| fail(&e))?;
        let mut writer = BackgroundWriter::new(out);
        loop {
            let buf = writer.buffer();
            let n = fill(&mut ch, buf).map_err(|e| fail(&e))?;
            if n == 0 {
                break;
            }
            writer.send(n).map_err(|e| fail(&e))?;
            if n < CHUNK {
                break;
            }
        }
        writer.finish().map_err(|e| fail(&e))?;
        let _ = ch.send_eof();
        let _ = ch.wait_eof();
        let _ = ch.wait_close();
        Ok(())
    }
}

/// Reads until `buf` is full or the stream ends; the count read.
fn fill(from: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match from.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Writes a download to its file on a second thread, so decrypting the next chunk (libssh2's
/// ChaCha20 is the slowest part of a download) overlaps writing this one. Buffers go round
/// between the two threads; a write error ends the transfer at the next chunk.
struct BackgroundWriter {
    full: Option<std::sync::mpsc::SyncSender<(Vec<u8>, usize)>>,
    empty: std::sync::mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl BackgroundWriter {
    fn new(mut out: std::fs::File) -> BackgroundWriter {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(2);
        let (empty_tx, empty_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(3);
        for _ in 0..2 {
            let _ = empty_tx.send(vec![0u8; CHUNK]);
        }
        let thread = std::thread::spawn(move || {
            for (buf, n) in full_rx {
                out.write_all(&buf[..n])?;
                let _ = empty_tx.send(buf);
            }
            out.flush()
        });
        BackgroundWriter { full: Some(full_tx), empty: empty_rx, current: vec![0u8; CHUNK], thread: Some(thread) }
    }

    /// The buffer to read the next chunk into.
    fn buffer(&mut self) -> &mut [u8] {
        &mut self.current
    }

    /// Hands the first `n` bytes of the buffer to the writer and takes a free one back.
    fn send(&mut self, n: usize) -> std::io::Result<()> {
        let next = match self.empty.recv() {
            Ok(buf) => buf,
            Err(_) => return self.finish(),
        };
        let buf = std::mem::replace(&mut self.current, next);
        match self.full.as_ref().map(|tx| tx.send((buf, n))) {
            Some(Ok(())) => Ok(()),
            _ => self.finish(),
        }
    }

    /// Waits for every byte to be written; the first write error, if any.
    fn finish(&mut self) -> std::io::Result<()> {
        self.full = None;
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(std::io::Error::other("the writer thread panicked")),
            None => Err(std::io::Error::other("the download was already finished")),
        }
    }
}

/// Splits a byte stream into lines as they complete.
#[derive(Default)]
pub(crate) struct LineBuffer(Vec<u8>);

impl LineBuffer {
    pub(crate) fn push(&mut self, bytes: &[u8], mut line: impl FnMut(&str)) {
        self.0.extend_from_slice(bytes);
        while let Some(i) = self.0.iter().position(|b| *b == b'\n') {
            let text = String::from_utf8_lossy(&self.0[..i]).trim_end_matches('\r').to_string();
            line(&text);
            self.0.drain(..=i);
        }
    }

    pub(crate) fn flush(&mut self, mut line: impl FnMut(&str)) {
        if !self.0.is_empty() {
            line(&String::from_utf8_lossy(&self.0));
            self.0.clear();
        }
    }
}

impl Communicator for Arc<SshComm> {
    fn exec(
        &self,
        command: String,
        ui: Arc<dyn Ui>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, Result<Option<i32>, RunError>> {
        let me = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || me.exec_blocking(&command, None, &ui, &cancel))
                .await
                .map_err(|e| RunError::failed(e.to_string()))?
        })
    }

    fn exec_with_input(
        &self,
        command: String,
        input: Vec<u8>,
        ui: Arc<dyn Ui>,
        cancel: CancellationToken,
    ) -> Option<BoxFuture<'static, Result<Option<i32>, RunError>>> {
        // A pseudo-terminal would echo the input and translate its line endings.
        if self.pty {
            return None;
        }
        let me = self.clone();
        Some(Box::pin(async move {
            tokio::task::spawn_blocking(move || me.exec_blocking(&command, Some(&input), &ui, &cancel))
                .await
                .map_err(|e| RunError::failed(e.to_string()))?
        }))
    }

    fn upload(&self, local: PathBuf, remote: String) -> BoxFuture<'static, Result<(), RunError>> {
        let me = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let contents_only = local.to_string_lossy().ends_with('/');
                me.upload_path(&local, &remote, contents_only)
            })
            .await
            .map_err(|e| RunError::failed(e.to_string()))?
        })
    }

    fn upload_bytes(&self, bytes: Vec<u8>, remote: String, mode: i32) -> BoxFuture<'static, Result<(), RunError>> {
        let me = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                me.write_remote(std::io::Cursor::new(bytes.clone()), bytes.len() as u64, &remote, mode)
            })
            .await
            .map_err(|e| RunError::failed(e.to_string()))?
        })
    }

    fn download(&self, remote: String, local: PathBuf) -> BoxFuture<'static, Result<(), RunError>> {
        let me = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || me.download_file(&remote, &local))
                .await
                .map_err(|e| RunError::failed(e.to_string()))?
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_through(out: std::fs::File, data: &[u8]) -> std::io::Result<()> {
        let mut writer = BackgroundWriter::new(out);
        let mut from = data;
        loop {
            let n = fill(&mut from, writer.buffer())?;
            if n == 0 {
                break;
            }
            writer.send(n)?;
            if n < CHUNK {
                break;
            }
        }
        writer.finish()
    }

    #[test]
    fn the_background_writer_keeps_every_byte_in_order() {
        let path = std::env::temp_dir().join(format!("forge-writer-{}.bin", std::process::id()));
        let data: Vec<u8> = (0..(3 * CHUNK + 1234)).map(|i| (i * 7 % 251) as u8).collect();
        write_through(std::fs::File::create(&path).unwrap(), &data).unwrap();
        let written = std::fs::read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(written, data);
    }

    #[test]
    fn a_failed_write_fails_the_download() {
        // /dev/full refuses every write with ENOSPC: the disk-full case, for real.
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let data = vec![1u8; 5 * CHUNK];
        let e = write_through(full, &data).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(28), "{e}");
    }
}
