//! The sending side of the scp protocol (what a remote `scp -t` reads), over one SSH channel:
//! a file, or a whole folder with its subfolders, modes and empty folders, costs the server
//! one process. (libssh2's own scp sends one file per channel, and every channel costs a
//! process on the server: about 0.1 s each here.)

use std::io::{Read, Write};
use std::path::Path;

/// Reads the remote side's answer to the last message: 0 is fine, 1 and 2 carry a message.
fn ack(ch: &mut ssh2::Channel) -> Result<(), String> {
    let mut byte = [0u8; 1];
    ch.read_exact(&mut byte).map_err(|e| format!("scp: no answer from the remote side: {e}"))?;
    if byte[0] == 0 {
        return Ok(());
    }
    let mut message = Vec::new();
    while ch.read_exact(&mut byte).is_ok() && byte[0] != b'\n' {
        message.push(byte[0]);
    }
    Err(format!("scp: {}", String::from_utf8_lossy(&message).trim()))
}

/// Waits for the remote `scp -t` to be ready.
pub(crate) fn start(ch: &mut ssh2::Channel) -> Result<(), String> {
    ack(ch)
}

/// Sends one file's header and contents; `advance` counts the bytes sent.
pub(crate) fn send_file(
    ch: &mut ssh2::Channel,
    reader: &mut dyn Read,
    size: u64,
    mode: u32,
    name: &str,
    buf: &mut [u8],
    advance: &dyn Fn(usize),
) -> Result<(), String> {
    ch.write_all(format!("C{:04o} {size} {name}\n", mode & 0o7777).as_bytes()).map_err(|e| e.to_string())?;
    ack(ch)?;
    let mut left = size;
    while left > 0 {
        let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        let n = reader.read(&mut buf[..want]).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(format!("{name} got shorter while it was sent"));
        }
        ch.write_all(&buf[..n]).map_err(|e| e.to_string())?;
        advance(n);
        left -= n as u64;
    }
    ch.write_all(&[0]).map_err(|e| e.to_string())?;
    ack(ch)
}

/// Sends the entries of `dir` (files and folders, recursively; symlinks followed, as Packer
/// does).
pub(crate) fn send_contents(ch: &mut ssh2::Channel, dir: &Path, buf: &mut [u8]) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            send_dir(ch, &path, &name, buf)?;
        } else {
            let meta = std::fs::metadata(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let mut file = std::fs::File::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            send_file(ch, &mut file, meta.len(), mode_of(&meta), &name, buf, &|_| {})?;
        }
    }
    Ok(())
}

/// Sends folder `dir` as `name`, with everything in it.
pub(crate) fn send_dir(ch: &mut ssh2::Channel, dir: &Path, name: &str, buf: &mut [u8]) -> Result<(), String> {
    let meta = std::fs::metadata(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    ch.write_all(format!("D{:04o} 0 {name}\n", mode_of(&meta) & 0o7777).as_bytes()).map_err(|e| e.to_string())?;
    ack(ch)?;
    send_contents(ch, dir, buf)?;
    ch.write_all(b"E\n").map_err(|e| e.to_string())?;
    ack(ch)
}

/// Ends the transfer and waits for the remote side to finish writing.
pub(crate) fn finish(mut ch: ssh2::Channel) -> Result<(), String> {
    ch.send_eof().map_err(|e| e.to_string())?;
    ch.wait_eof().map_err(|e| e.to_string())?;
    ch.wait_close().map_err(|e| e.to_string())?;
    match ch.exit_status() {
        Ok(0) => Ok(()),
        Ok(code) => Err(format!("scp exited with status {code}")),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode()
}

#[cfg(not(unix))]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    if meta.is_dir() { 0o755 } else { 0o644 }
}
