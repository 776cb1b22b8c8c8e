//! POSIX shell quoting, for commands forge writes for `sh` (remote scripts, environment
//! variables, paths in remote commands).

/// `s` as one single-quoted shell word: `it's` → `'it'"'"'s'`.
pub fn quote(s: &str) -> String {
    format!("'{}'", escape_in_single_quotes(s))
}

/// `s` ready to go between single quotes: each `'` closes the quote, adds a double-quoted
/// `'` and opens it again (Packer's `'"'"'`).
pub fn escape_in_single_quotes(s: &str) -> String {
    s.replace('\'', "'\"'\"'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_inside_survives_the_shell() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\"'\"'s'");
        let out =
            std::process::Command::new("sh").arg("-c").arg(format!("printf %s {}", quote("x'y $HOME \"z\""))).output();
        assert_eq!(String::from_utf8_lossy(&out.expect("sh runs").stdout), "x'y $HOME \"z\"");
    }
}
