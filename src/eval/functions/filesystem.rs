//! File-system functions. Relative paths resolve against `path.root` (the context's
//! `base_dir`, except `abspath`, which uses the working directory) and files are read only
//! through the context's `Vfs`. Path text follows Go's `path/filepath` on Unix.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::eval::functions::{Context, FnError, string_arg};
use crate::eval::value::Value;

type R = Result<Value, FnError>;

/// Go's `filepath.Clean`.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

/// `basename(path)`.
pub fn basename(_: &Context<'_>, args: &[Value]) -> R {
    let p = string_arg(args, 0)?;
    if p.is_empty() {
        return Ok(Value::string("."));
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::string("/"));
    }
    Ok(Value::string(trimmed.rsplit('/').next().unwrap_or(trimmed)))
}

/// `dirname(path)`.
pub fn dirname(_: &Context<'_>, args: &[Value]) -> R {
    let p = string_arg(args, 0)?;
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    Ok(Value::string(clean(dir)))
}

/// `abspath(path)`: relative to the working directory, cleaned, with forward slashes.
pub fn abspath(ctx: &Context<'_>, args: &[Value]) -> R {
    let p = string_arg(args, 0)?;
    let joined = if p.starts_with('/') { p } else { format!("{}/{p}", ctx.cwd.to_string_lossy()) };
    Ok(Value::string(clean(&joined)))
}

/// `pathexpand(path)`: a leading `~` becomes the home folder.
pub fn pathexpand(ctx: &Context<'_>, args: &[Value]) -> R {
    expand_home(ctx, &string_arg(args, 0)?).map(Value::string).map_err(|e| FnError::arg(0, e))
}

fn expand_home(ctx: &Context<'_>, p: &str) -> Result<String, String> {
    let Some(rest) = p.strip_prefix('~') else { return Ok(p.to_string()) };
    if !rest.is_empty() && !rest.starts_with('/') {
        return Err("cannot expand user-specific home dir".to_string());
    }
    let home = ctx.home.ok_or_else(|| "cannot find the home folder: HOME is not set".to_string())?;
    Ok(format!("{home}{rest}"))
}

/// A path argument resolved against the base folder, after `~` expansion.
fn resolve(ctx: &Context<'_>, args: &[Value], i: usize) -> Result<(String, PathBuf), FnError> {
    let p = string_arg(args, i)?;
    let expanded = expand_home(ctx, &p).map_err(|e| FnError::arg(i, e))?;
    let path = Path::new(&expanded);
    let full = crate::source::resolve_path(ctx.base_dir, path);
    Ok((p, full))
}

fn read(ctx: &Context<'_>, args: &[Value]) -> Result<(String, Vec<u8>), FnError> {
    let (p, full) = resolve(ctx, args, 0)?;
    if !ctx.vfs.exists(&full) || ctx.vfs.is_dir(&full) {
        return Err(FnError::arg(0, format!("no file exists at {p}")));
    }
    let bytes = ctx.vfs.read_bytes(&full).map_err(|e| FnError::arg(0, format!("failed to read {p}: {e}")))?;
    Ok((p, bytes))
}

/// `file(path)`: the file's text, which must be UTF-8.
pub fn file(ctx: &Context<'_>, args: &[Value]) -> R {
    let (p, bytes) = read(ctx, args)?;
    String::from_utf8(bytes).map(Value::string).map_err(|_| {
        FnError::arg(
            0,
            format!(
                "contents of {p} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents"
            ),
        )
    })
}

/// `filebase64(path)`: the file's bytes as Base64.
pub fn filebase64(ctx: &Context<'_>, args: &[Value]) -> R {
    let (_, bytes) = read(ctx, args)?;
    Ok(Value::string(STANDARD.encode(bytes)))
}

/// `fileexists(path)`: whether a file exists; a folder is an error.
pub fn fileexists(ctx: &Context<'_>, args: &[Value]) -> R {
    let (p, full) = resolve(ctx, args, 0)?;
    if ctx.vfs.is_dir(&full) {
        return Err(FnError::arg(0, format!("{p} is not a regular file, but a directory")));
    }
    Ok(Value::bool(ctx.vfs.exists(&full)))
}

/// `fileset(path, pattern)`: the files under `path` whose paths relative to it match the glob
/// (`*`, `**`, `?`, `[…]`, `{a,b}`), sorted.
pub fn fileset(ctx: &Context<'_>, args: &[Value]) -> R {
    let (_, root) = resolve(ctx, args, 0)?;
    let pattern = string_arg(args, 1)?;
    let pattern = clean(&pattern);
    let segments: Vec<&str> = pattern.split('/').collect();
    for s in &segments {
        check_pattern(s).map_err(|e| FnError::arg(1, format!("failed to glob pattern ({pattern}): {e}")))?;
    }
    let mut files = Vec::new();
    walk(ctx, &root, String::new(), &mut files);
    let mut out: Vec<String> = files
        .into_iter()
        .filter(|f| {
            let parts: Vec<&str> = f.split('/').collect();
            match_segments(&segments, &parts)
        })
        .collect();
    out.sort();
    Ok(Value::list(out.into_iter().map(Value::string).collect()))
}

fn walk(ctx: &Context<'_>, dir: &Path, prefix: String, out: &mut Vec<String>) {
    let Ok(entries) = ctx.vfs.read_dir(dir) else { return };
    for entry in entries {
        let Some(name) = entry.file_name().map(|n| n.to_string_lossy().into_owned()) else { continue };
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        if ctx.vfs.is_dir(&entry) {
            walk(ctx, &entry, rel, out);
        } else {
            out.push(rel);
        }
    }
}

fn check_pattern(seg: &str) -> Result<(), String> {
    let open = seg.matches('[').count();
    let close = seg.matches(']').count();
    if open != close || seg.matches('{').count() != seg.matches('}').count() {
        return Err("syntax error in pattern".to_string());
    }
    Ok(())
}

fn match_segments(pat: &[&str], path: &[&str]) -> bool {
    match pat.first() {
        None => path.is_empty(),
        Some(&"**") => (0..=path.len()).any(|k| match_segments(&pat[1..], &path[k..])),
        Some(p) => !path.is_empty() && glob(p, path[0]) && match_segments(&pat[1..], &path[1..]),
    }
}

/// Whether one path segment matches a glob segment.
pub fn glob(pattern: &str, name: &str) -> bool {
    if let Some(open) = pattern.find('{') {
        let Some(close) = pattern[open..].find('}').map(|c| c + open) else { return false };
        let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
        return pattern[open + 1..close].split(',').any(|alt| glob(&format!("{head}{alt}{tail}"), name));
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob_chars(&p, &n)
}

fn glob_chars(p: &[char], n: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => (0..=n.len()).any(|k| glob_chars(&p[1..], &n[k..])),
        Some('?') => !n.is_empty() && glob_chars(&p[1..], &n[1..]),
        Some('[') => {
            let Some(end) = p.iter().position(|c| *c == ']') else { return false };
            !n.is_empty() && class_matches(&p[1..end], n[0]) && glob_chars(&p[end + 1..], &n[1..])
        }
        Some('\\') if p.len() > 1 => n.first() == Some(&p[1]) && glob_chars(&p[2..], &n[1..]),
        Some(c) => n.first() == Some(c) && glob_chars(&p[1..], &n[1..]),
    }
}

fn class_matches(class: &[char], c: char) -> bool {
    let (negate, class) = match class.first() {
        Some('^' | '!') => (true, &class[1..]),
        _ => (false, class),
    };
    let mut i = 0;
    let mut hit = false;
    while i < class.len() {
        if i + 2 < class.len() && class[i + 1] == '-' {
            hit |= class[i] <= c && c <= class[i + 2];
            i += 3;
        } else {
            hit |= class[i] == c;
            i += 1;
        }
    }
    hit != negate
}
