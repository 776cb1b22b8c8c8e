//! `ssh_proxy_host`: a TCP connection to the machine through a SOCKS5 proxy (RFC 1928), with
//! username/password authentication (RFC 1929) when `ssh_proxy_username` is set, as Packer's
//! communicator does. The connected stream is handed to libssh2 like a direct one.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream};
use std::time::Duration;

/// A SOCKS5 proxy and its credentials.
#[derive(Debug, Clone)]
pub struct Proxy {
    /// Host.
    pub host: String,
    /// Port (Packer's default 1080).
    pub port: u16,
    /// Username and password, when the proxy asks for them.
    pub credentials: Option<(String, String)>,
}

/// How long the proxy may take to answer each step of the exchange.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0;
const USER_PASSWORD: u8 = 2;
const NO_ACCEPTABLE_METHOD: u8 = 0xFF;

/// A connection to `host:port` through the proxy. The error says whether retrying cannot help
/// (`true`: the proxy refused the credentials or the request), as the communicator's other
/// connection errors do.
///
/// # Errors
/// The proxy cannot be reached or refuses, or cannot reach the machine.
pub fn connect(proxy: &Proxy, host: &str, port: u16) -> Result<TcpStream, (bool, String)> {
    let at = format!("{}:{}", proxy.host, proxy.port);
    let mut tcp = TcpStream::connect(&at).map_err(|e| (false, format!("cannot reach the SOCKS proxy {at}: {e}")))?;
    let io = |e: std::io::Error| (false, format!("the SOCKS proxy {at} broke off: {e}"));
    tcp.set_read_timeout(Some(ANSWER_TIMEOUT)).map_err(io)?;
    authenticate(&mut tcp, proxy).map_err(|(fatal, msg)| (fatal, format!("SOCKS proxy {at}: {msg}")))?;
    tcp.write_all(&connect_request(host, port)).map_err(io)?;
    read_connect_reply(&mut tcp).map_err(|(fatal, msg)| (fatal, format!("SOCKS proxy {at}: {msg} ({host}:{port})")))?;
    tcp.set_read_timeout(None).map_err(io)?;
    Ok(tcp)
}

fn authenticate(tcp: &mut TcpStream, proxy: &Proxy) -> Result<(), (bool, String)> {
    let offered: &[u8] = if proxy.credentials.is_some() { &[NO_AUTH, USER_PASSWORD] } else { &[NO_AUTH] };
    let mut greeting = vec![VERSION, u8::try_from(offered.len()).unwrap_or(1)];
    greeting.extend_from_slice(offered);
    tcp.write_all(&greeting).map_err(broke)?;
    let mut chosen = [0u8; 2];
    tcp.read_exact(&mut chosen).map_err(broke)?;
    match chosen {
        [VERSION, NO_AUTH] => Ok(()),
        [VERSION, USER_PASSWORD] => match &proxy.credentials {
            Some((user, password)) => user_password(tcp, user, password),
            None => Err((
                true,
                "asks for a username and password: set `ssh_proxy_username` and `ssh_proxy_password`".into(),
            )),
        },
        [VERSION, NO_ACCEPTABLE_METHOD] if proxy.credentials.is_none() => {
            Err((true, "asks for a username and password: set `ssh_proxy_username` and `ssh_proxy_password`".into()))
        }
        [VERSION, NO_ACCEPTABLE_METHOD] => {
            Err((true, "accepts none of the authentication methods forge offers".into()))
        }
        [v, _] => Err((true, format!("does not speak SOCKS5 (it answered version {v})"))),
    }
}

/// RFC 1929: version 1, then the username and password with their lengths.
fn user_password(tcp: &mut TcpStream, user: &str, password: &str) -> Result<(), (bool, String)> {
    let too_long = |what: &str| (true, format!("the proxy {what} is longer than SOCKS allows (255 bytes)"));
    let mut request = vec![1, u8::try_from(user.len()).map_err(|_| too_long("username"))?];
    request.extend_from_slice(user.as_bytes());
    request.push(u8::try_from(password.len()).map_err(|_| too_long("password"))?);
    request.extend_from_slice(password.as_bytes());
    tcp.write_all(&request).map_err(broke)?;
    let mut status = [0u8; 2];
    tcp.read_exact(&mut status).map_err(broke)?;
    if status[1] == 0 { Ok(()) } else { Err((true, format!("refused the username and password of {user:?}"))) }
}

/// CONNECT to an address given as an IP when it is one, else as a name the proxy resolves.
fn connect_request(host: &str, port: u16) -> Vec<u8> {
    let mut request = vec![VERSION, 1, 0];
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            request.push(1);
            request.extend_from_slice(&ip.octets());
        }
        Ok(IpAddr::V6(ip)) => {
            request.push(4);
            request.extend_from_slice(&ip.octets());
        }
        Err(_) => {
            let name = &host.as_bytes()[..host.len().min(255)];
            request.push(3);
            request.push(u8::try_from(name.len()).unwrap_or(255));
            request.extend_from_slice(name);
        }
    }
    request.extend_from_slice(&port.to_be_bytes());
    request
}

/// Reads the reply to CONNECT, with the bound address it carries.
fn read_connect_reply(tcp: &mut TcpStream) -> Result<(), (bool, String)> {
    let mut head = [0u8; 4];
    tcp.read_exact(&mut head).map_err(broke)?;
    if head[1] != 0 {
        return Err(reply_error(head[1]));
    }
    let address_len = match head[3] {
        1 => 4,
        4 => 16,
        3 => {
            let mut len = [0u8; 1];
            tcp.read_exact(&mut len).map_err(broke)?;
            usize::from(len[0])
        }
        other => return Err((true, format!("answered with an unknown address type {other}"))),
    };
    let mut rest = vec![0u8; address_len + 2];
    tcp.read_exact(&mut rest).map_err(broke)
}

/// The reply codes of RFC 1928 §6. The machine being unreachable or refusing may pass (it is
/// still booting), so those are retried; a refusal by the proxy's rules is final.
fn reply_error(code: u8) -> (bool, String) {
    match code {
        1 => (false, "general failure".into()),
        2 => (true, "its rules do not allow this connection".into()),
        3 => (false, "network unreachable".into()),
        4 => (false, "host unreachable".into()),
        5 => (false, "connection refused by the machine".into()),
        6 => (false, "TTL expired".into()),
        7 => (true, "does not support CONNECT".into()),
        8 => (true, "does not support this address type".into()),
        other => (false, format!("failed with code {other}")),
    }
}

fn broke(e: std::io::Error) -> (bool, String) {
    (false, format!("broke off: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_requests_name_the_address_as_rfc_1928_says() {
        assert_eq!(connect_request("10.0.0.7", 22), vec![5, 1, 0, 1, 10, 0, 0, 7, 0, 22]);
        assert_eq!(connect_request("db", 2222), vec![5, 1, 0, 3, 2, b'd', b'b', 0x08, 0xAE]);
        assert_eq!(connect_request("::1", 22)[3], 4);
    }
}
