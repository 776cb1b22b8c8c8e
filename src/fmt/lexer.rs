//! An HCL lexer with the token boundaries of HashiCorp's `hclsyntax` scanner, which
//! `hclwrite.Format` (and so `packer fmt`) works on. Only what formatting needs is kept: each
//! token's kind, its bytes, and how many bytes of spaces stood before it.

/// Token kinds that formatting distinguishes (`hclsyntax.TokenType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `{`
    OBrace,
    /// `}` closing a brace.
    CBrace,
    /// `[`
    OBrack,
    /// `]`
    CBrack,
    /// `(`
    OParen,
    /// `)`
    CParen,
    /// `"` opening a string.
    OQuote,
    /// `"` closing a string.
    CQuote,
    /// `<<EOF\n` / `<<-EOF\n`.
    OHeredoc,
    /// The closing heredoc marker line (without its newline).
    CHeredoc,
    /// Literal text inside quotes.
    QuotedLit,
    /// Literal text of a heredoc.
    StringLit,
    /// A number.
    NumberLit,
    /// A name or keyword.
    Ident,
    /// A comment (a line comment includes its newline).
    Comment,
    /// A newline.
    Newline,
    /// `${` or `${~`.
    TemplateInterp,
    /// `%{` or `%{~`.
    TemplateControl,
    /// `}` or `~}` closing an interpolation or directive.
    TemplateSeqEnd,
    /// `.`
    Dot,
    /// `,`
    Comma,
    /// `::`
    DoubleColon,
    /// `...`
    Ellipsis,
    /// `-`
    Minus,
    /// `+`
    Plus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `!`
    Bang,
    /// `=`
    Equal,
    /// `==`
    EqualOp,
    /// `!=`
    NotEqual,
    /// `<`
    LessThan,
    /// `<=`
    LessThanEq,
    /// `>`
    GreaterThan,
    /// `>=`
    GreaterThanEq,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `?`
    Question,
    /// `:`
    Colon,
    /// `=>`
    FatArrow,
    /// Any other single character.
    Other,
    /// End of input.
    Eof,
    /// No token (a placeholder at the start of a line).
    Nil,
}

/// A token: kind, text (borrowed from the source), where it starts, and the spaces before it.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    /// The kind.
    pub kind: Kind,
    /// The bytes of the token.
    pub text: &'a str,
    /// Byte offset of the token in the source.
    pub start: usize,
    /// Spaces (in bytes of space and tab characters) before it.
    pub spaces_before: usize,
}

enum Mode<'a> {
    Main,
    Quoted,
    Heredoc { marker: &'a str, start_of_line: bool },
}

/// Splits HCL source into tokens.
pub fn lex(src: &str) -> Vec<Token<'_>> {
    let mut lx = Lexer {
        src,
        pos: 0,
        last_end: 0,
        out: Vec::with_capacity(src.len() / 4),
        modes: vec![Mode::Main],
        braces: 0,
        ret_braces: Vec::new(),
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    last_end: usize,
    out: Vec<Token<'a>>,
    modes: Vec<Mode<'a>>,
    braces: usize,
    ret_braces: Vec<usize>,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn emit(&mut self, kind: Kind, len: usize) {
        let start = self.pos;
        let end = (start + len).min(self.src.len());
        self.out.push(Token {
            kind,
            text: &self.src[start..end],
            start,
            spaces_before: start.saturating_sub(self.last_end),
        });
        self.pos = end;
        self.last_end = end;
    }

    fn run(&mut self) {
        while self.pos < self.src.len() {
            let before = self.pos;
            match self.modes.last() {
                Some(Mode::Main) | None => self.main(),
                Some(Mode::Quoted) => self.quoted(),
                Some(Mode::Heredoc { .. }) => self.heredoc(),
            }
            if self.pos == before {
                // Never loop forever on input the rules above do not cover.
                let len = self.rest().chars().next().map_or(1, char::len_utf8);
                self.emit(Kind::Other, len);
            }
        }
        self.out.push(Token {
            kind: Kind::Eof,
            text: "",
            start: self.src.len(),
            spaces_before: self.src.len().saturating_sub(self.last_end),
        });
    }

    fn main(&mut self) {
        let src = self.src;
        let rest = &src[self.pos..];
        let Some(c) = rest.chars().next() else { return };
        if c == ' ' || c == '\t' {
            let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            self.pos += n;
            return;
        }
        if c.is_ascii_digit() {
            let n = number_len(rest);
            return self.emit(Kind::NumberLit, n);
        }
        if is_ident_start(c) {
            let n = rest.char_indices().find(|&(i, ch)| i > 0 && !is_ident_continue(ch)).map_or(rest.len(), |(i, _)| i);
            return self.emit(Kind::Ident, n);
        }
        if rest.starts_with('#') || rest.starts_with("//") {
            let n = rest.find('\n').map_or(rest.len(), |i| i + 1);
            return self.emit(Kind::Comment, n);
        }
        if rest.starts_with("/*") {
            let n = rest[2..].find("*/").map_or(rest.len(), |i| i + 4);
            return self.emit(Kind::Comment, n);
        }
        if rest.starts_with("\r\n") {
            return self.emit(Kind::Newline, 2);
        }
        if rest.starts_with("<<") {
            if let Some(n) = heredoc_header_len(rest) {
                let header = &rest[2..n];
                let marker = header.trim_start_matches('-').trim_end_matches(['\n', '\r']);
                self.emit(Kind::OHeredoc, n);
                self.modes.push(Mode::Heredoc { marker, start_of_line: true });
                return;
            }
        }
        let two: &[(&str, Kind)] = &[
            ("==", Kind::EqualOp),
            ("!=", Kind::NotEqual),
            (">=", Kind::GreaterThanEq),
            ("<=", Kind::LessThanEq),
            ("&&", Kind::And),
            ("||", Kind::Or),
            ("::", Kind::DoubleColon),
            ("=>", Kind::FatArrow),
        ];
        if rest.starts_with("...") {
            return self.emit(Kind::Ellipsis, 3);
        }
        for (op, kind) in two {
            if rest.starts_with(op) {
                return self.emit(*kind, 2);
            }
        }
        if rest.starts_with("~}") {
            self.close_template(2);
            return;
        }
        match c {
            '{' => {
                self.braces += 1;
                self.emit(Kind::OBrace, 1);
            }
            '}' => {
                if self.ret_braces.last() == Some(&self.braces) {
                    self.close_template(1);
                } else {
                    self.braces = self.braces.saturating_sub(1);
                    self.emit(Kind::CBrace, 1);
                }
            }
            '"' => {
                self.emit(Kind::OQuote, 1);
                self.modes.push(Mode::Quoted);
            }
            _ => {
                let kind = match c {
                    '[' => Kind::OBrack,
                    ']' => Kind::CBrack,
                    '(' => Kind::OParen,
                    ')' => Kind::CParen,
                    '.' => Kind::Dot,
                    ',' => Kind::Comma,
                    '*' => Kind::Star,
                    '/' => Kind::Slash,
                    '%' => Kind::Percent,
                    '+' => Kind::Plus,
                    '-' => Kind::Minus,
                    '=' => Kind::Equal,
                    '<' => Kind::LessThan,
                    '>' => Kind::GreaterThan,
                    '!' => Kind::Bang,
                    '?' => Kind::Question,
                    ':' => Kind::Colon,
                    '\n' => Kind::Newline,
                    _ => Kind::Other,
                };
                self.emit(kind, c.len_utf8());
            }
        }
    }

    /// A `}` or `~}` that closes an interpolation returns to the template it came from.
    fn close_template(&mut self, len: usize) {
        let closes = self.ret_braces.last() == Some(&self.braces);
        self.emit(Kind::TemplateSeqEnd, len);
        self.braces = self.braces.saturating_sub(1);
        if closes {
            self.ret_braces.pop();
            self.modes.pop();
        }
    }

    fn open_template(&mut self, kind: Kind, len: usize) {
        self.emit(kind, len);
        self.braces += 1;
        self.ret_braces.push(self.braces);
        if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
            *start_of_line = false;
        }
        self.modes.push(Mode::Main);
    }

    /// Template openers `${`, `${~`, `%{`, `%{~` at the start of `rest`, with their length.
    fn template_opener(rest: &str) -> Option<(Kind, usize)> {
        let kind = if rest.starts_with("${") {
            Kind::TemplateInterp
        } else if rest.starts_with("%{") {
            Kind::TemplateControl
        } else {
            return None;
        };
        Some((kind, if rest[2..].starts_with('~') { 3 } else { 2 }))
    }

    /// Length of literal text up to the next opener, quote, or (in quotes) newline; `$${` and
    /// `%%{` are escapes and stay literal.
    fn literal_len(rest: &str, quoted: bool) -> usize {
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => break,
                b'$' | b'%' if bytes.get(i + 1) == Some(&bytes[i]) && bytes.get(i + 2) == Some(&b'{') => i += 3,
                b'"' if quoted => break,
                b'\\' if quoted => {
                    i += if bytes.get(i + 1).is_some_and(|b| *b != b'\n' && *b != b'\r') { 2 } else { 1 }
                }
                b'\n' | b'\r' => break,
                _ => i += 1,
            }
        }
        // Stay on a character boundary.
        while i < rest.len() && !rest.is_char_boundary(i) {
            i += 1;
        }
        i.min(rest.len())
    }

    fn quoted(&mut self) {
        let src = self.src;
        let rest = &src[self.pos..];
        if let Some((kind, len)) = Self::template_opener(rest) {
            return self.open_template(kind, len);
        }
        if rest.starts_with('"') {
            self.emit(Kind::CQuote, 1);
            self.modes.pop();
            return;
        }
        if rest.starts_with('\n') || rest.starts_with('\r') {
            let n = rest.len() - rest.trim_start_matches(['\n', '\r']).len();
            return self.emit(Kind::Other, n);
        }
        let n = Self::literal_len(rest, true);
        self.emit(Kind::QuotedLit, n);
    }

    fn heredoc(&mut self) {
        let src = self.src;
        let rest = &src[self.pos..];
        let (marker, start_of_line) = match self.modes.last() {
            Some(Mode::Heredoc { marker, start_of_line }) => (*marker, *start_of_line),
            _ => return,
        };
        if let Some((kind, len)) = Self::template_opener(rest) {
            return self.open_template(kind, len);
        }
        let literal = Self::literal_len(rest, false);
        let after = &rest[literal..];
        let newline = if after.starts_with("\r\n") {
            2
        } else if after.starts_with('\n') {
            1
        } else {
            0
        };
        if newline == 0 {
            // Literal text up to an interpolation, or to the end of the input.
            if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
                *start_of_line = false;
            }
            let n = if literal == 0 { after.chars().next().map_or(0, char::len_utf8) } else { literal };
            return self.emit(Kind::StringLit, n);
        }
        if start_of_line && rest[..literal].trim() == marker {
            self.emit(Kind::CHeredoc, literal);
            self.emit(Kind::Newline, newline);
            self.modes.pop();
            return;
        }
        if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
            *start_of_line = true;
        }
        self.emit(Kind::StringLit, literal + newline);
    }
}

/// `digit (digit | '.' | e[+-]?digit)*`, never ending in `.`.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' | b'.' => i += 1,
            b'e' | b'E' => {
                let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
                if b.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
                    i += 2 + sign;
                } else {
                    break;
                }
            }
            _ => break,
        }
    }
    while i > 1 && b[i - 1] == b'.' {
        i -= 1;
    }
    i
}

/// `<<` `-`? Ident Newline, the length including the newline.
fn heredoc_header_len(s: &str) -> Option<usize> {
    let mut i = 2;
    if s[i..].starts_with('-') {
        i += 1;
    }
    let ident = &s[i..];
    let first = ident.chars().next()?;
    if !is_ident_start(first) {
        return None;
    }
    let n = ident.char_indices().find(|&(j, ch)| j > 0 && !is_ident_continue(ch)).map_or(ident.len(), |(j, _)| j);
    i += n;
    if s[i..].starts_with("\r\n") {
        Some(i + 2)
    } else if s[i..].starts_with('\n') {
        Some(i + 1)
    } else {
        None
    }
}
