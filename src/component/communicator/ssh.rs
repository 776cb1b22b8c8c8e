//! The SSH communicator's arguments (Packer SDK `communicator.SSH`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::component::declared::{GoDuration, string_enum};
use crate::component::prepare::PrepareCtx;

string_enum! {
    /// How forge reaches the machine.
    Communicator { Ssh = "ssh", None = "none", Winrm = "winrm", Docker = "docker", DockerWindowsContainer = "dockerWindowsContainer" }
}

string_enum! {
    /// How files are copied over SSH.
    FileTransfer { Scp = "scp", Sftp = "sftp" }
}

string_enum! {
    /// The kind of a temporary key pair.
    KeyPairType { Rsa = "rsa", Ed25519 = "ed25519" }
}

string_enum! {
    /// Which address of a cloud instance to connect to (empty: the builder's choice).
    SshInterface { PublicIp = "public_ip", PrivateIp = "private_ip", PublicDns = "public_dns", PrivateDns = "private_dns", Default = "" }
}

/// Connection settings for the SSH communicator.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Config {
    /// `ssh` (default), `none`, `winrm`, `docker`: how to reach the machine.
    pub communicator: Option<Communicator>,
    /// How long to wait after the machine is up before connecting, e.g. `30s`.
    pub pause_before_connecting: Option<GoDuration>,
    /// The address to connect to; builders provide one, this overrides it.
    pub ssh_host: Option<String>,
    /// The port to connect to.
    #[schemars(default = "default_port")]
    #[serde(default, deserialize_with = "crate::component::weak::u16")]
    pub ssh_port: Option<u16>,
    /// The user to log in as.
    pub ssh_username: Option<String>,
    /// A password to log in with.
    #[schemars(extend("writeOnly" = true))]
    pub ssh_password: Option<String>,
    /// A private key file (OpenSSH or PEM; `~` is expanded).
    pub ssh_private_key_file: Option<String>,
    /// An OpenSSH certificate signed for the private key (`id_ed25519-cert.pub`), offered
    /// instead of the bare key (ed25519, ECDSA, and RSA with SHA-2 signatures).
    pub ssh_certificate_file: Option<String>,
    /// An existing cloud key pair to use instead of a temporary one.
    pub ssh_keypair_name: Option<String>,
    /// The name of the temporary key pair.
    pub temporary_key_pair_name: Option<String>,
    /// `rsa` or `ed25519`.
    pub temporary_key_pair_type: Option<KeyPairType>,
    /// The size of a temporary RSA key.
    #[serde(default, deserialize_with = "crate::component::weak::u32")]
    pub temporary_key_pair_bits: Option<u32>,
    /// Authenticate with the local SSH agent.
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub ssh_agent_auth: Option<bool>,
    /// Do not forward the SSH agent.
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub ssh_disable_agent_forwarding: Option<bool>,
    /// How long to keep trying to connect.
    #[schemars(extend("default" = "5m"))]
    pub ssh_timeout: Option<GoDuration>,
    /// Legacy name of `ssh_timeout`.
    pub ssh_wait_timeout: Option<GoDuration>,
    /// How many times a server that answers but fails the handshake or refuses the
    /// credentials is tried (default 1: a refused key fails at once; `amazon-ebs`: 10, for
    /// keys cloud-init installs after sshd is up).
    #[serde(default, deserialize_with = "crate::component::weak::u32")]
    pub ssh_handshake_attempts: Option<u32>,
    /// Ask for a pseudo-terminal.
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub ssh_pty: Option<bool>,
    /// Interval between keep-alive messages (`5s`).
    pub ssh_keep_alive_interval: Option<GoDuration>,
    /// Fail a read or write that takes longer than this.
    pub ssh_read_write_timeout: Option<GoDuration>,
    /// `scp` (default) or `sftp`.
    pub ssh_file_transfer_method: Option<FileTransfer>,
    /// A bastion host to connect through.
    pub ssh_bastion_host: Option<String>,
    /// The bastion's port.
    #[serde(default, deserialize_with = "crate::component::weak::u16")]
    pub ssh_bastion_port: Option<u16>,
    /// The bastion user.
    pub ssh_bastion_username: Option<String>,
    /// The bastion password.
    #[schemars(extend("writeOnly" = true))]
    pub ssh_bastion_password: Option<String>,
    /// The bastion private key file (defaults to `ssh_private_key_file`).
    pub ssh_bastion_private_key_file: Option<String>,
    /// The bastion certificate file.
    pub ssh_bastion_certificate_file: Option<String>,
    /// Authenticate to the bastion with the SSH agent.
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub ssh_bastion_agent_auth: Option<bool>,
    /// Keyboard-interactive authentication on the bastion.
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub ssh_bastion_interactive: Option<bool>,
    /// A SOCKS proxy to connect through.
    pub ssh_proxy_host: Option<String>,
    /// The proxy's port.
    #[serde(default, deserialize_with = "crate::component::weak::u16")]
    pub ssh_proxy_port: Option<u16>,
    /// The proxy user.
    pub ssh_proxy_username: Option<String>,
    /// The proxy password.
    #[schemars(extend("writeOnly" = true))]
    pub ssh_proxy_password: Option<String>,
    /// Allowed ciphers.
    pub ssh_ciphers: Option<Vec<String>>,
    /// Allowed key exchange algorithms.
    pub ssh_key_exchange_algorithms: Option<Vec<String>>,
    /// Remove the temporary key from `authorized_keys` at the end.
    #[serde(default, deserialize_with = "crate::component::weak::bool")]
    pub ssh_clear_authorized_keys: Option<bool>,
    /// Local port forwards, `port:host:hostport`.
    pub ssh_local_tunnels: Option<Vec<String>>,
    /// Remote port forwards.
    pub ssh_remote_tunnels: Option<Vec<String>>,
    /// Which address of a cloud instance to use: `public_ip`, `private_ip`, `public_dns`, `private_dns`.
    pub ssh_interface: Option<SshInterface>,
    /// `ipv4` or `ipv6`.
    pub ssh_ip_version: Option<String>,
    /// WinRM user (accepted; forge has no WinRM communicator).
    pub winrm_username: Option<String>,
    /// WinRM password.
    #[schemars(extend("writeOnly" = true))]
    pub winrm_password: Option<String>,
}

fn default_port() -> u16 {
    22
}

impl Config {
    /// The communicator type, `ssh` unless set.
    pub fn kind(&self) -> &str {
        self.communicator.map_or("ssh", Communicator::as_str)
    }

    /// The build values a connection gives (`ConnType`, and with SSH `Host`, `Port`, `User`,
    /// `Password`, `SSHPublicKey`, `SSHPrivateKey` read from the key file), as configured; a
    /// builder that makes its own host or key replaces those.
    pub fn connection_values(&self, base_dir: &std::path::Path) -> BTreeMap<String, String> {
        let mut v = BTreeMap::from([("ConnType".to_string(), self.kind().to_string())]);
        if self.kind() != "ssh" {
            return v;
        }
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        v.insert("Host".into(), text(&self.ssh_host));
        v.insert("Port".into(), self.ssh_port.unwrap_or(22).to_string());
        v.insert("User".into(), text(&self.ssh_username));
        v.insert("Password".into(), text(&self.ssh_password));
        if let Some(key) = &self.ssh_private_key_file {
            let path = if std::path::Path::new(key).is_absolute() {
                key.clone()
            } else {
                format!("{}/{key}", base_dir.display())
            };
            v.insert("SSHPrivateKey".into(), std::fs::read_to_string(&path).unwrap_or_default());
            let public = std::fs::read_to_string(format!("{path}.pub")).unwrap_or_default();
            v.insert("SSHPublicKey".into(), public.trim_end().to_string());
        }
        v
    }

    /// Packer's rules for the SSH arguments, given whether the builder supplies the host and a key.
    pub fn check(&self, cx: &mut PrepareCtx<'_>, builder_provides_host: bool, builder_provides_key: bool) {
        // An invalid `communicator` (reported by its declaration) stops the checks, as in Packer.
        match cx.node.str("communicator").unwrap_or(self.kind()) {
            "ssh" => {}
            "docker" => {
                cx.error(
                    "communicator",
                    "the `docker` communicator works with the `docker` builder only",
                    "use `ssh` or `none` with this builder",
                );
                return;
            }
            "winrm" | "dockerWindowsContainer" => {
                let kind = self.kind().to_string();
                cx.error(
                    "communicator",
                    format!("the `{kind}` communicator is not built into forge"),
                    "use `ssh` or `none`",
                );
                return;
            }
            _ => return,
        }
        cx.require(
            "ssh_username",
            "the SSH communicator needs `ssh_username` (some builders used to default it to \"root\")",
        );
        if !builder_provides_host {
            cx.require(
                "ssh_host",
                "this builder does not create a machine: say which one to connect to with `ssh_host`",
            );
        }
        cx.at_most_one(&["ssh_agent_auth", "ssh_password", "ssh_private_key_file"]);
        let has_auth = ["ssh_agent_auth", "ssh_password", "ssh_private_key_file"].iter().any(|k| cx.node.has(k));
        if !builder_provides_key && !has_auth {
            cx.diags.push(
                crate::diag::Diagnostic::error(
                    crate::diag::Code::MissingArgument,
                    cx.header,
                    "no SSH authentication method is set",
                )
                .with_help("set one of `ssh_password`, `ssh_private_key_file` or `ssh_agent_auth = true`"),
            );
        }
        if cx.node.has("ssh_certificate_file") && !cx.node.has("ssh_private_key_file") {
            cx.error(
                "ssh_certificate_file",
                "`ssh_certificate_file` needs `ssh_private_key_file`",
                "set the private key the certificate was signed for",
            );
        }
        if cx.node.has("ssh_bastion_host") {
            cx.at_most_one(&["ssh_bastion_host", "ssh_proxy_host"]);
            let bastion_auth = [
                "ssh_bastion_password",
                "ssh_bastion_private_key_file",
                "ssh_bastion_agent_auth",
                "ssh_private_key_file",
            ]
            .iter()
            .any(|k| cx.node.has(k));
            if !bastion_auth {
                cx.error(
                    "ssh_bastion_host",
                    "the bastion host has no authentication method",
                    "set `ssh_bastion_password`, `ssh_bastion_private_key_file` or `ssh_bastion_agent_auth`",
                );
            }
        }
        for key in ["ssh_private_key_file", "ssh_certificate_file", "ssh_bastion_private_key_file"] {
            if let Some(p) = cx.node.str(key).filter(|p| !p.starts_with('~')) {
                let _ = p;
                cx.file_exists(key);
            }
        }
    }
}

impl crate::component::registry::Config for Config {
    fn prepare(&self, cx: &mut PrepareCtx<'_>) {
        self.check(cx, false, false);
    }
}
