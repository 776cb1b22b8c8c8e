//! The `docker` builder's `run_command`: Packer hands it to `docker run`; forge reads the
//! `docker run` options it names into the Engine API's container configuration, and refuses an
//! option it does not know rather than ignoring it.

use serde_json::{Value, json};

/// Packer's default: a shell kept waiting on a terminal.
pub const DEFAULT: &[&str] = &["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "{{.Image}}"];

/// A container configuration read from `docker run` arguments.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunSpec {
    /// The image.
    pub image: String,
    /// The command after the image.
    pub cmd: Vec<String>,
    /// `--entrypoint` (an empty string clears the image's).
    pub entrypoint: Option<String>,
    /// `-t`.
    pub tty: bool,
    /// `-i`.
    pub stdin: bool,
    /// `-e`.
    pub env: Vec<String>,
    /// `-v` (`host:container[:opts]`).
    pub binds: Vec<String>,
    /// `-u`.
    pub user: Option<String>,
    /// `-w`.
    pub workdir: Option<String>,
    /// `-h`.
    pub hostname: Option<String>,
    /// `-l` (`key=value`).
    pub labels: Vec<String>,
    /// `--network`.
    pub network: Option<String>,
    /// `--privileged`.
    pub privileged: bool,
    /// `--cap-add`.
    pub cap_add: Vec<String>,
    /// `--cap-drop`.
    pub cap_drop: Vec<String>,
    /// `--device`.
    pub devices: Vec<String>,
    /// `--tmpfs`.
    pub tmpfs: Vec<String>,
    /// `--runtime`.
    pub runtime: Option<String>,
    /// `--platform`.
    pub platform: Option<String>,
    /// `--init`.
    pub init: bool,
    /// `--add-host`.
    pub extra_hosts: Vec<String>,
    /// `--security-opt`.
    pub security_opt: Vec<String>,
    /// `--cgroupns`.
    pub cgroupns: Option<String>,
    /// `--stop-signal`.
    pub stop_signal: Option<String>,
}

/// Why `run_command` cannot be read, and at which argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// The argument's index.
    pub index: Option<usize>,
}

/// Options without a value.
const FLAGS: &[(&str, &str)] = &[
    ("-d", "detach"),
    ("--detach", "detach"),
    ("-i", "interactive"),
    ("--interactive", "interactive"),
    ("-t", "tty"),
    ("--tty", "tty"),
    ("--privileged", "privileged"),
    ("--rm", "rm"),
    ("--init", "init"),
];

/// Options with a value.
const VALUED: &[(&str, &str)] = &[
    ("-e", "env"),
    ("--env", "env"),
    ("-v", "volume"),
    ("--volume", "volume"),
    ("-u", "user"),
    ("--user", "user"),
    ("-w", "workdir"),
    ("--workdir", "workdir"),
    ("-h", "hostname"),
    ("--hostname", "hostname"),
    ("-l", "label"),
    ("--label", "label"),
    ("--network", "network"),
    ("--net", "network"),
    ("--entrypoint", "entrypoint"),
    ("--cap-add", "cap-add"),
    ("--cap-drop", "cap-drop"),
    ("--device", "device"),
    ("--tmpfs", "tmpfs"),
    ("--runtime", "runtime"),
    ("--platform", "platform"),
    ("--name", "name"),
    ("--add-host", "add-host"),
    ("--security-opt", "security-opt"),
    ("--cgroupns", "cgroupns"),
    ("--stop-signal", "stop-signal"),
];

fn known() -> String {
    FLAGS.iter().chain(VALUED).map(|(f, _)| *f).filter(|f| f.starts_with("--")).collect::<Vec<_>>().join(", ")
}

/// Reads `docker run` arguments (after `{{.Image}}` was rendered). `image` is the configured
/// image, used only in messages.
pub fn parse(args: &[String], image: &str) -> Result<RunSpec, ParseError> {
    let mut spec = RunSpec::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            i += 1;
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            break;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") || n.len() == 2 => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if let Some((_, what)) = FLAGS.iter().find(|(f, _)| *f == name) {
            set_flag(&mut spec, what, inline.as_deref() != Some("false"));
            i += 1;
            continue;
        }
        if let Some((_, what)) = VALUED.iter().find(|(f, _)| *f == name) {
            let value = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    args.get(i).cloned().ok_or_else(|| ParseError {
                        message: format!("`run_command`: `{name}` needs a value"),
                        help: format!("write `{name}=VALUE` or put the value after it"),
                        index: Some(i - 1),
                    })?
                }
            };
            set_value(&mut spec, what, value);
            i += 1;
            continue;
        }
        // Grouped short flags: `-dit`.
        if !arg.starts_with("--") && arg.len() > 2 && inline.is_none() {
            let letters: Vec<String> = arg[1..].chars().map(|c| format!("-{c}")).collect();
            if let Some(what) =
                letters.iter().map(|l| FLAGS.iter().find(|(f, _)| f == l).map(|(_, w)| *w)).collect::<Option<Vec<_>>>()
            {
                for w in what {
                    set_flag(&mut spec, w, true);
                }
                i += 1;
                continue;
            }
        }
        return Err(ParseError {
            message: format!("`run_command`: forge does not know the `docker run` option `{name}`"),
            help: format!(
                "forge turns these options into the container's configuration: -d, -i, -t, -e, -v, -u, -w, -h, -l, {}",
                known()
            ),
            index: Some(i),
        });
    }
    let Some(first) = args.get(i) else {
        return Err(ParseError {
            message: "`run_command` names no image".into(),
            help: format!("end it with `\"--\", \"{{{{.Image}}}}\"` (the image is {image:?})"),
            index: None,
        });
    };
    spec.image = first.clone();
    spec.cmd = args[i + 1..].to_vec();
    Ok(spec)
}

fn set_flag(spec: &mut RunSpec, what: &str, on: bool) {
    match what {
        "interactive" => spec.stdin = on,
        "tty" => spec.tty = on,
        "privileged" => spec.privileged = on,
        "init" => spec.init = on,
        // The container always runs detached, and forge removes it itself.
        _ => {}
    }
}

fn set_value(spec: &mut RunSpec, what: &str, v: String) {
    match what {
        "env" => spec.env.push(v),
        "volume" => spec.binds.push(v),
        "user" => spec.user = Some(v),
        "workdir" => spec.workdir = Some(v),
        "hostname" => spec.hostname = Some(v),
        "label" => spec.labels.push(v),
        "network" => spec.network = Some(v),
        "entrypoint" => spec.entrypoint = Some(v),
        "cap-add" => spec.cap_add.push(v),
        "cap-drop" => spec.cap_drop.push(v),
        "device" => spec.devices.push(v),
        "tmpfs" => spec.tmpfs.push(v),
        "runtime" => spec.runtime = Some(v),
        "platform" => spec.platform = Some(v),
        "add-host" => spec.extra_hosts.push(v),
        "security-opt" => spec.security_opt.push(v),
        "cgroupns" => spec.cgroupns = Some(v),
        "stop-signal" => spec.stop_signal = Some(v),
        // A name would make two builds of one template collide; forge lets the daemon name it.
        _ => {}
    }
}

/// `--device /dev/a[:/dev/b][:rwm]` as the API's device mapping.
fn device(d: &str) -> Value {
    let parts: Vec<&str> = d.split(':').collect();
    let (host, container, perms) = match parts.as_slice() {
        [h] => (*h, *h, "rwm"),
        [h, p] if p.chars().all(|c| "rwm".contains(c)) => (*h, *h, *p),
        [h, c] => (*h, *c, "rwm"),
        [h, c, p, ..] => (*h, *c, *p),
        [] => ("", "", "rwm"),
    };
    json!({ "PathOnHost": host, "PathInContainer": container, "CgroupPermissions": perms })
}

/// `--tmpfs /path[:options]` as the API's map entry.
fn tmpfs_map(list: &[String]) -> serde_json::Map<String, Value> {
    list.iter()
        .map(|t| match t.split_once(':') {
            Some((p, o)) => (p.to_string(), Value::String(o.to_string())),
            None => (t.clone(), Value::String(String::new())),
        })
        .collect()
}

impl RunSpec {
    /// The body of `POST /containers/create`.
    pub fn create_body(&self) -> Value {
        let labels: serde_json::Map<String, Value> = self
            .labels
            .iter()
            .map(|l| match l.split_once('=') {
                Some((k, v)) => (k.to_string(), Value::String(v.to_string())),
                None => (l.clone(), Value::String(String::new())),
            })
            .collect();
        let mut host = json!({
            "Binds": self.binds,
            "Privileged": self.privileged,
            "CapAdd": self.cap_add,
            "CapDrop": self.cap_drop,
            "Devices": self.devices.iter().map(|d| device(d)).collect::<Vec<_>>(),
            "Tmpfs": tmpfs_map(&self.tmpfs),
            "ExtraHosts": self.extra_hosts,
            "SecurityOpt": self.security_opt,
            "Init": self.init,
        });
        let optional = [("Runtime", &self.runtime), ("NetworkMode", &self.network), ("CgroupnsMode", &self.cgroupns)];
        for (key, v) in optional {
            if let Some(v) = v {
                host[key] = Value::String(v.clone());
            }
        }
        let mut body = json!({
            "Image": self.image,
            "Tty": self.tty,
            "OpenStdin": self.stdin,
            "AttachStdin": false,
            "Env": self.env,
            "Labels": labels,
            "HostConfig": host,
        });
        if !self.cmd.is_empty() {
            body["Cmd"] = json!(self.cmd);
        }
        if let Some(e) = &self.entrypoint {
            body["Entrypoint"] = if e.is_empty() { json!([""]) } else { json!([e]) };
        }
        for (key, v) in [
            ("User", &self.user),
            ("WorkingDir", &self.workdir),
            ("Hostname", &self.hostname),
            ("StopSignal", &self.stop_signal),
        ] {
            if let Some(v) = v {
                body[key] = Value::String(v.clone());
            }
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn packers_default_is_a_shell_on_a_terminal() {
        let s = parse(&args(&["-d", "-i", "-t", "--entrypoint=/bin/sh", "--", "busybox"]), "busybox").unwrap();
        assert_eq!(
            (s.image.as_str(), s.tty, s.stdin, s.entrypoint.as_deref()),
            ("busybox", true, true, Some("/bin/sh"))
        );
        assert!(s.cmd.is_empty());
    }

    #[test]
    fn grouped_flags_values_and_a_command() {
        let s =
            parse(&args(&["-dit", "-e", "A=b", "--volume=/h:/c", "-u", "1000", "img", "sleep", "9"]), "img").unwrap();
        assert!(s.tty && s.stdin);
        assert_eq!((s.env, s.binds, s.user), (vec!["A=b".to_string()], vec!["/h:/c".to_string()], Some("1000".into())));
        assert_eq!(s.cmd, vec!["sleep".to_string(), "9".to_string()]);
    }

    #[test]
    fn an_unknown_option_is_refused_at_its_index() {
        let e = parse(&args(&["-d", "--memory", "1g", "img"]), "img").unwrap_err();
        assert_eq!(e.index, Some(1));
        assert!(e.message.contains("--memory"), "{}", e.message);
        assert!(parse(&args(&["-d"]), "img").unwrap_err().message.contains("no image"));
    }
}
