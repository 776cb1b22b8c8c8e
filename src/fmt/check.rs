//! The parse gate of `fmt`: HCL native syntax recognised on [`lexer`](super::lexer)'s tokens
//! by the rules of HashiCorp's `hclsyntax` parser (HCL v2), stopping at the first error.
//!
//! `packer fmt` formats a file only when `hclsyntax.ParseConfig` accepts it, so this gate
//! follows that parser rule by rule (the same peeking of newlines and comments, the same
//! summaries) instead of hcl-edit's, which differs at the edges and builds a whole tree that
//! formatting never reads, at about ten times the cost. Nothing is built here: each rule only
//! consumes tokens or reports where the file stops being HCL.

use std::collections::HashMap;
use std::ops::Range;

use crate::fmt::lexer::{Kind, Token};

/// Where a file stops being HCL, with `hclsyntax`'s summary and a sentence on how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte range of the offending token.
    pub at: Range<usize>,
    /// `hclsyntax`'s summary ("Unclosed configuration block").
    pub summary: &'static str,
    /// What is wrong and how to fix it.
    pub detail: String,
    /// A second place that explains the error (the first definition of a redefined argument).
    pub related: Option<(Range<usize>, &'static str)>,
}

type Checked = Result<(), SyntaxError>;

/// Deeper nesting than this is refused rather than risking the stack (hclsyntax has no limit;
/// no real template comes near it).
const MAX_DEPTH: usize = 256;

/// Checks that `tokens` (the lexer's output for one file) form an HCL body.
///
/// # Errors
/// The first syntax error, in file order for invalid characters, then in parse order.
pub fn check(tokens: &[Token<'_>]) -> Checked {
    invalid_tokens(tokens)?;
    let mut parser = Parser { tokens, pos: 0, newlines: vec![true], depth: 0 };
    parser.body(Kind::Eof)
}

fn error(token: &Token<'_>, summary: &'static str, detail: impl Into<String>) -> SyntaxError {
    let end = token.start + token.text.chars().next().map_or(0, char::len_utf8);
    SyntaxError { at: token.start..end, summary, detail: detail.into(), related: None }
}

/// `hclsyntax.checkInvalidTokens`: characters the language never uses, wherever they are.
fn invalid_tokens(tokens: &[Token<'_>]) -> Checked {
    for t in tokens {
        match t.kind {
            Kind::Other => return Err(invalid_character(t)),
            Kind::Comment if t.text.starts_with("/*") && (t.text.len() < 4 || !t.text.ends_with("*/")) => {
                return Err(error(t, "Unterminated comment", "This `/*` comment has no closing `*/`."));
            }
            _ => {}
        }
    }
    Ok(())
}

fn invalid_character(t: &Token<'_>) -> SyntaxError {
    let (summary, detail) = match t.text.chars().next().unwrap_or(' ') {
        '&' => ("Unsupported operator", "Bitwise operators are not supported. Did you mean boolean AND (\"&&\")?"),
        '|' => ("Unsupported operator", "Bitwise operators are not supported. Did you mean boolean OR (\"||\")?"),
        '~' => ("Unsupported operator", "Bitwise operators are not supported. Did you mean boolean NOT (\"!\")?"),
        '^' => ("Unsupported operator", "Bitwise operators are not supported."),
        '`' => (
            "Invalid character",
            "The \"`\" character is not valid. To create a multi-line string, use the \"heredoc\" syntax, like \"<<EOT\".",
        ),
        '\'' => ("Invalid character", "Single quotes are not valid. Use double quotes (\") to enclose strings."),
        ';' => (
            "Invalid character",
            "The \";\" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.",
        ),
        '\n' | '\r' => (
            "Invalid multi-line string",
            "Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.",
        ),
        '\u{201c}' | '\u{201d}' => (
            "Invalid character",
            "\"Curly quotes\" are not valid here. These can sometimes be inadvertently introduced when sharing code via documents or discussion forums. It might help to replace the character with a \"straight quote\".",
        ),
        _ => ("Invalid character", "This character is not used within the language."),
    };
    error(t, summary, detail)
}

struct Parser<'t, 's> {
    tokens: &'t [Token<'s>],
    /// Index of the next token to consider.
    pos: usize,
    /// Whether newlines are significant here: in bodies and object constructors, not inside
    /// parentheses, brackets, calls, `for` expressions or template sequences.
    newlines: Vec<bool>,
    depth: usize,
}

impl<'t, 's> Parser<'t, 's> {
    /// The next significant token (comments skipped; a line comment counts as the newline it
    /// ends with where newlines matter), as its index and its kind, and the index after it.
    fn next(&self) -> (usize, Kind, usize) {
        let newlines = self.newlines.last().copied().unwrap_or(true);
        let mut i = self.pos;
        while let Some(t) = self.tokens.get(i) {
            match t.kind {
                Kind::Comment if newlines && t.text.ends_with('\n') => return (i, Kind::Newline, i + 1),
                Kind::Comment => {}
                Kind::Newline if !newlines => {}
                kind => return (i, kind, i + 1),
            }
            i += 1;
        }
        let last = self.tokens.len().saturating_sub(1);
        (last, Kind::Eof, last)
    }

    fn peek(&self) -> Kind {
        self.next().1
    }

    fn peek_keyword(&self, word: &str) -> bool {
        let (i, kind, _) = self.next();
        kind == Kind::Ident && self.tokens[i].text == word
    }

    fn read(&mut self) -> (usize, Kind) {
        let (i, kind, after) = self.next();
        self.pos = after;
        (i, kind)
    }

    fn fail<T>(&self, summary: &'static str, detail: impl Into<String>) -> Result<T, SyntaxError> {
        Err(error(&self.tokens[self.next().0], summary, detail))
    }

    fn fail_at<T>(&self, index: usize, summary: &'static str, detail: impl Into<String>) -> Result<T, SyntaxError> {
        Err(error(&self.tokens[index], summary, detail))
    }

    /// Runs `rule` with newlines significant or not, as hclsyntax's `PushIncludeNewlines`.
    fn with_newlines(&mut self, significant: bool, rule: impl FnOnce(&mut Self) -> Checked) -> Checked {
        self.newlines.push(significant);
        let result = rule(self);
        self.newlines.pop();
        result
    }

    fn nested(&mut self, rule: impl FnOnce(&mut Self) -> Checked) -> Checked {
        if self.depth >= MAX_DEPTH {
            return self.fail(
                "Nesting too deep",
                format!("forge reads at most {MAX_DEPTH} nested levels of blocks and expressions."),
            );
        }
        self.depth += 1;
        let result = rule(self);
        self.depth -= 1;
        result
    }

    // ---- bodies -------------------------------------------------------------------------

    /// Attributes and blocks up to `end` (`Eof` for the file, `CBrace` for a block).
    fn body(&mut self, end: Kind) -> Checked {
        // Argument names set in this body, with the token that first set each.
        let mut names: HashMap<&'s str, usize> = HashMap::new();
        loop {
            let (i, kind, _) = self.next();
            if kind == end {
                self.read();
                return Ok(());
            }
            match kind {
                Kind::Newline => {
                    self.read();
                }
                Kind::Ident => {
                    if self.body_item()? {
                        if let Some(&first) = names.get(self.tokens[i].text) {
                            return Err(self.redefined(i, first));
                        }
                        names.insert(self.tokens[i].text, i);
                    }
                }
                Kind::OQuote => return self.fail("Invalid argument name", "Argument names must not be quoted."),
                Kind::Eof if end == Kind::CBrace => {
                    return self.fail(
                        "Unclosed configuration block",
                        "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                    );
                }
                Kind::Eof => {
                    return self.fail("Unclosed configuration body", "Found end of file before the end of this body.");
                }
                _ => {
                    return self.fail(
                        "Argument or block definition required",
                        "An argument or block definition is required here.",
                    );
                }
            }
        }
    }

    fn redefined(&self, again: usize, first: usize) -> SyntaxError {
        let name = self.tokens[again].text;
        let t = &self.tokens[first];
        let mut e = error(
            &self.tokens[again],
            "Attribute redefined",
            format!(
                "The argument `{name}` was already set; each argument may be set only once. Remove one of the two."
            ),
        );
        e.at = self.tokens[again].start..self.tokens[again].start + name.len();
        e.related = Some((t.start..t.start + t.text.len(), "first set here"));
        e
    }

    /// One attribute or block; `true` for an attribute (its name must be unique in the body).
    fn body_item(&mut self) -> Result<bool, SyntaxError> {
        let (name, _) = self.read();
        match self.peek() {
            Kind::Equal => self.attribute(false).map(|()| true),
            Kind::OQuote | Kind::OBrace | Kind::Ident => self.nested(Self::block).map(|()| false),
            _ => self.fail_at(
                name,
                "Argument or block definition required",
                "An argument or block definition is required here. To set an argument, use the equals sign \"=\" to introduce the argument value.",
            ),
        }
    }

    /// `= expression`, then (unless inside a one-line block) the end of the line.
    fn attribute(&mut self, single_line: bool) -> Checked {
        self.read();
        self.expression()?;
        if single_line {
            return Ok(());
        }
        match self.peek() {
            Kind::Newline | Kind::Eof => {
                self.read();
                Ok(())
            }
            Kind::Comma => self.fail(
                "Unexpected comma after argument",
                "Argument definitions must be separated by newlines, not commas. An argument definition must end with a newline.",
            ),
            _ => self.fail("Missing newline after argument", "An argument definition must end with a newline."),
        }
    }

    /// Labels, then `{` body `}` (or a one-line `{ name = value }`), then the end of the line.
    fn block(&mut self) -> Checked {
        loop {
            match self.peek() {
                Kind::OBrace => {
                    self.read();
                    break;
                }
                Kind::OQuote => self.quoted_label()?,
                Kind::Ident => {
                    self.read();
                }
                Kind::Equal => {
                    return self.fail(
                        "Invalid block definition",
                        "The equals sign \"=\" indicates an argument definition, and must not be used when defining a block.",
                    );
                }
                Kind::Newline => {
                    return self.fail(
                        "Invalid block definition",
                        "A block definition must have block content delimited by \"{\" and \"}\", starting on the same line as the block header.",
                    );
                }
                _ => {
                    return self.fail(
                        "Invalid block definition",
                        "Either a quoted string block label or an opening brace (\"{\") is expected here.",
                    );
                }
            }
        }
        match self.peek() {
            Kind::Newline | Kind::Eof | Kind::CBrace => self.body(Kind::CBrace)?,
            _ => self.single_attribute_body()?,
        }
        match self.peek() {
            Kind::Newline | Kind::Eof => {
                self.read();
                Ok(())
            }
            _ => self.fail("Missing newline after block definition", "A block definition must end with a newline."),
        }
    }

    fn single_attribute_body(&mut self) -> Checked {
        if self.peek() != Kind::Ident {
            return self
                .fail("Argument or block definition required", "An argument or block definition is required here.");
        }
        self.read();
        match self.peek() {
            Kind::Equal => self.attribute(true)?,
            Kind::OQuote | Kind::OBrace | Kind::Ident => {
                return self.fail(
                    "Argument definition required",
                    "A single-line block definition can contain only a single argument. To define a nested block, place it on a line of its own within its parent block.",
                );
            }
            _ => {
                return self.fail(
                    "Argument or block definition required",
                    "An argument or block definition is required here.",
                );
            }
        }
        match self.peek() {
            Kind::CBrace => {
                self.read();
                Ok(())
            }
            Kind::Comma => self.fail(
                "Invalid single-argument block definition",
                "Single-line block syntax can include only one argument definition. To define multiple arguments, use the multi-line block syntax with one argument definition per line.",
            ),
            Kind::Newline => self.fail(
                "Invalid single-argument block definition",
                "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition.",
            ),
            Kind::Eof => self.fail(
                "Unclosed configuration block",
                "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.",
            ),
            _ => self.fail(
                "Invalid single-argument block definition",
                "A single-line block definition must end with a closing brace immediately after its single argument definition.",
            ),
        }
    }

    /// A block label in quotes: literal text only.
    fn quoted_label(&mut self) -> Checked {
        self.read();
        loop {
            let (i, kind) = self.read();
            match kind {
                Kind::CQuote => return Ok(()),
                Kind::QuotedLit => self.escapes(i)?,
                Kind::TemplateInterp | Kind::TemplateControl => {
                    let which = &self.tokens[i].text[..1];
                    return self.fail_at(
                        i,
                        "Invalid string literal",
                        format!(
                            "Template sequences are not allowed in this string. To include a literal \"{which}\", double it (as \"{which}{which}\") to escape it."
                        ),
                    );
                }
                Kind::Eof => {
                    return self.fail_at(
                        i,
                        "Unterminated string literal",
                        "Unable to find the closing quote mark before the end of the file.",
                    );
                }
                _ => {
                    return self.fail_at(
                        i,
                        "Invalid string literal",
                        "Expected the closing quote mark of this string.",
                    );
                }
            }
        }
    }

    /// Escape sequences of a quoted literal: `\n \r \t \" \\ \uNNNN \UNNNNNNNN` only.
    fn escapes(&self, index: usize) -> Checked {
        let token = &self.tokens[index];
        let bytes = token.text.as_bytes();
        let mut i = 0;
        while let Some(found) = bytes[i..].iter().position(|&b| b == b'\\') {
            let at = i + found;
            let width = match bytes.get(at + 1) {
                Some(b'n' | b'r' | b't' | b'"' | b'\\') => Some(2),
                Some(&u @ (b'u' | b'U')) => {
                    let want = if u == b'u' { 4 } else { 8 };
                    let hex = bytes[at + 2..].iter().take(want).take_while(|b| b.is_ascii_hexdigit()).count();
                    let digits = &token.text[at + 2..at + 2 + hex];
                    let scalar = u32::from_str_radix(digits, 16).ok().and_then(char::from_u32);
                    (hex == want && scalar.is_some()).then_some(2 + hex)
                }
                _ => None,
            };
            let Some(width) = width else {
                let start = token.start + at;
                let len = token.text[at..].chars().take(2).map(char::len_utf8).sum::<usize>();
                return Err(SyntaxError {
                    at: start..start + len,
                    summary: "Invalid escape sequence",
                    detail: "The only escapes in a quoted string are \\n, \\r, \\t, \\\", \\\\, \\uNNNN and \\UNNNNNNNN; write \\\\ for a literal backslash.".into(),
                    related: None,
                });
            };
            i = at + width;
        }
        Ok(())
    }

    // ---- expressions --------------------------------------------------------------------

    fn expression(&mut self) -> Checked {
        self.nested(|p| {
            p.binary()?;
            if p.peek() != Kind::Question {
                return Ok(());
            }
            p.read();
            p.expression()?;
            if p.peek() != Kind::Colon {
                return p.fail(
                    "Missing false expression in conditional",
                    "The conditional operator (...?...:...) requires a false expression, delimited by a colon.",
                );
            }
            p.read();
            p.expression()
        })
    }

    /// Operands joined by binary operators (precedence does not change what is accepted).
    fn binary(&mut self) -> Checked {
        self.operand()?;
        while is_binary_operator(self.peek()) {
            self.read();
            self.operand()?;
        }
        Ok(())
    }

    fn operand(&mut self) -> Checked {
        self.term()?;
        self.traversals()
    }

    fn term(&mut self) -> Checked {
        let (i, kind, _) = self.next();
        match kind {
            Kind::OParen => {
                self.read();
                self.with_newlines(false, |p| {
                    p.expression()?;
                    if p.peek() != Kind::CParen {
                        return p.fail(
                            "Unbalanced parentheses",
                            "Expected a closing parenthesis to terminate the expression.",
                        );
                    }
                    p.read();
                    Ok(())
                })
            }
            Kind::NumberLit => {
                self.read();
                self.number(i)
            }
            Kind::Ident => {
                self.read();
                if self.peek() == Kind::OParen { self.call() } else { Ok(()) }
            }
            Kind::OQuote => {
                self.read();
                self.template(Kind::CQuote)
            }
            Kind::OHeredoc => {
                self.read();
                self.template(Kind::CHeredoc)
            }
            Kind::Minus | Kind::Bang => {
                self.read();
                self.nested(Self::operand)
            }
            Kind::OBrack => {
                self.read();
                self.nested(Self::tuple)
            }
            Kind::OBrace => {
                self.read();
                self.nested(Self::object)
            }
            Kind::Eof => {
                self.fail("Missing expression", "Expected the start of an expression, but found the end of the file.")
            }
            _ => self.fail(
                "Invalid expression",
                "Expected the start of an expression, but found an invalid expression token.",
            ),
        }
    }

    /// A number literal must be `digits(.digits)?(e[+-]?digits)?` (the lexer allows more).
    fn number(&self, index: usize) -> Checked {
        if is_number(self.tokens[index].text) {
            Ok(())
        } else {
            self.fail_at(index, "Invalid number literal", "Failed to recognize the value of this number literal.")
        }
    }

    /// `.name`, `.0`, `.*`, `[*]` and `[key]` after a term.
    fn traversals(&mut self) -> Checked {
        loop {
            match self.peek() {
                Kind::Dot => {
                    self.read();
                    let (i, kind) = self.read();
                    match kind {
                        Kind::Ident => {}
                        Kind::NumberLit => self.legacy_index(i)?,
                        Kind::Star => self.attribute_splat()?,
                        _ => {
                            return self.fail_at(
                                i,
                                "Invalid attribute name",
                                "An attribute name is required after a dot.",
                            );
                        }
                    }
                }
                Kind::OBrack => {
                    self.read();
                    if self.peek() == Kind::Star {
                        self.read();
                        let (i, kind) = self.read();
                        if kind != Kind::CBrack {
                            return self.fail_at(
                                i,
                                "Missing close bracket on splat index",
                                "The star for a full splat operator must be immediately followed by a closing bracket (\"]\").",
                            );
                        }
                    } else {
                        self.with_newlines(false, |p| {
                            p.expression()?;
                            let (i, kind) = p.read();
                            if kind == Kind::CBrack {
                                Ok(())
                            } else {
                                p.fail_at(
                                    i,
                                    "Missing close bracket on index",
                                    "The index operator must end with a closing bracket (\"]\").",
                                )
                            }
                        })?;
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// After `.*`: only `.name` and `.0` steps belong to the splat.
    fn attribute_splat(&mut self) -> Checked {
        while self.peek() == Kind::Dot {
            self.read();
            let (i, kind, _) = self.next();
            match kind {
                Kind::NumberLit => {
                    self.read();
                    self.legacy_index(i)?;
                }
                Kind::Ident => {
                    self.read();
                }
                Kind::Star => {
                    return self.fail(
                        "Nested splat expression not allowed",
                        "A splat expression (*) cannot be used inside another attribute-only splat expression.",
                    );
                }
                _ => return self.fail("Invalid attribute name", "An attribute name is required after a dot."),
            }
        }
        Ok(())
    }

    fn legacy_index(&self, index: usize) -> Checked {
        if self.tokens[index].text.contains('.') {
            return self.fail_at(
                index,
                "Invalid legacy index syntax",
                "When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [1] or [\"x\"].",
            );
        }
        self.number(index)
    }

    /// `name(` args `)`: comma-separated, an optional trailing comma, a final `...` expands.
    fn call(&mut self) -> Checked {
        self.read();
        self.with_newlines(false, |p| {
            if p.peek() == Kind::CParen {
                p.read();
                return Ok(());
            }
            loop {
                p.expression()?;
                let (i, kind) = p.read();
                match kind {
                    Kind::CParen => return Ok(()),
                    Kind::Ellipsis if p.peek() == Kind::CParen => {
                        p.read();
                        return Ok(());
                    }
                    Kind::Ellipsis => {
                        return p.fail(
                            "Missing closing parenthesis",
                            "An expanded function argument (with \"...\") must be immediately followed by closing parentheses.",
                        );
                    }
                    Kind::Comma if p.peek() == Kind::CParen => {
                        p.read();
                        return Ok(());
                    }
                    Kind::Comma => {}
                    Kind::Eof => {
                        return p.fail_at(
                            i,
                            "Unterminated function call",
                            "There is no closing parenthesis for this function call before the end of the file. This may be caused by incorrect parenthesis nesting elsewhere in this file.",
                        );
                    }
                    _ => {
                        return p.fail_at(
                            i,
                            "Missing argument separator",
                            "A comma is required to separate each function argument from the next.",
                        );
                    }
                }
            }
        })
    }

    /// `[` items `]` or a `[for …]` expression (the `[` is read).
    fn tuple(&mut self) -> Checked {
        self.with_newlines(false, |p| {
            if p.peek_keyword("for") {
                return p.for_expression(Kind::CBrack);
            }
            loop {
                if p.peek() == Kind::CBrack {
                    p.read();
                    return Ok(());
                }
                p.expression()?;
                match p.peek() {
                    Kind::CBrack => {
                        p.read();
                        return Ok(());
                    }
                    Kind::Comma => {
                        p.read();
                    }
                    Kind::Eof => {
                        return p.fail(
                            "Unterminated tuple constructor expression",
                            "There is no corresponding closing bracket before the end of the file. This may be caused by incorrect bracket nesting elsewhere in this file.",
                        );
                    }
                    _ => return p.fail("Missing item separator", "Expected a comma to mark the beginning of the next item."),
                }
            }
        })
    }

    /// `{` key = value, … `}` or a `{for …}` expression (the `{` is read).
    fn object(&mut self) -> Checked {
        self.newlines.push(false);
        let is_for = self.peek_keyword("for");
        self.newlines.pop();
        if is_for {
            return self.for_expression(Kind::CBrace);
        }
        self.with_newlines(true, |p| {
            loop {
                match p.peek() {
                    Kind::Newline => {
                        p.read();
                        continue;
                    }
                    Kind::CBrace => {
                        p.read();
                        return Ok(());
                    }
                    _ => {}
                }
                p.expression()?;
                match p.peek() {
                    Kind::Equal | Kind::Colon => {
                        p.read();
                    }
                    Kind::Newline | Kind::Comma => {
                        return p.fail("Missing attribute value", "Expected an attribute value, introduced by an equals sign (\"=\").");
                    }
                    Kind::Eof => return p.fail(UNTERMINATED_OBJECT, UNTERMINATED_OBJECT_DETAIL),
                    _ => {
                        return p.fail(
                            "Missing key/value separator",
                            "Expected an equals sign (\"=\") to mark the beginning of the attribute value. To give an attribute name containing periods or spaces, write the name in quotes.",
                        );
                    }
                }
                p.expression()?;
                match p.peek() {
                    Kind::CBrace => {
                        p.read();
                        return Ok(());
                    }
                    Kind::Comma | Kind::Newline => {
                        p.read();
                    }
                    Kind::Eof => return p.fail(UNTERMINATED_OBJECT, UNTERMINATED_OBJECT_DETAIL),
                    _ => {
                        return p.fail("Missing attribute separator", "Expected a newline or comma to mark the beginning of the next attribute.");
                    }
                }
            }
        })
    }

    /// `for k, v in coll : [key =>] value [...] [if cond]` up to `close`.
    fn for_expression(&mut self, close: Kind) -> Checked {
        const INVALID: &str = "Invalid 'for' expression";
        self.with_newlines(false, |p| {
            p.read();
            if p.peek() != Kind::Ident {
                return p.fail(INVALID, "For expression requires variable name after 'for'.");
            }
            p.read();
            if p.peek() == Kind::Comma {
                p.read();
                if p.peek() != Kind::Ident {
                    return p.fail(INVALID, "For expression requires value variable name after comma.");
                }
                p.read();
            }
            if !p.peek_keyword("in") {
                return p.fail(INVALID, "For expression requires the 'in' keyword after its name declarations.");
            }
            p.read();
            p.expression()?;
            if p.peek() != Kind::Colon {
                return p.fail(INVALID, "For expression requires a colon after the collection expression.");
            }
            p.read();
            p.expression()?;
            let arrow = p.next().0;
            let has_key = p.peek() == Kind::FatArrow;
            if has_key {
                p.read();
                p.expression()?;
            }
            let ellipsis = p.next().0;
            let group = p.peek() == Kind::Ellipsis;
            if group {
                p.read();
            }
            if p.peek_keyword("if") {
                p.read();
                p.expression()?;
            }
            if p.peek() != close {
                return p.fail(INVALID, "Extra characters after the end of the 'for' expression.");
            }
            p.read();
            match (close, has_key, group) {
                (Kind::CBrack, true, _) => {
                    p.fail_at(arrow, INVALID, "Key expression is not valid when building a tuple.")
                }
                (Kind::CBrack, _, true) => {
                    p.fail_at(ellipsis, INVALID, "Grouping ellipsis (...) cannot be used when building a tuple.")
                }
                (Kind::CBrace, false, _) => {
                    p.fail_at(arrow, INVALID, "Key expression is required when building an object.")
                }
                _ => Ok(()),
            }
        })
    }

    // ---- templates ----------------------------------------------------------------------

    /// A quoted string or heredoc up to `end`: literals, `${…}` and balanced `%{…}` directives.
    fn template(&mut self, end: Kind) -> Checked {
        let mut open: Vec<Directive> = Vec::new();
        loop {
            let (i, kind) = self.read();
            if kind == end {
                break;
            }
            match kind {
                Kind::QuotedLit => self.escapes(i)?,
                Kind::StringLit => {}
                Kind::TemplateInterp => self.with_newlines(false, |p| p.interpolation(end))?,
                Kind::TemplateControl => self.with_newlines(false, |p| p.directive(i, &mut open))?,
                _ => {
                    return self.fail_at(
                        i,
                        "Unterminated template string",
                        "No closing marker was found for the string.",
                    );
                }
            }
        }
        match open.last() {
            None => Ok(()),
            Some(d) => {
                let (word, closer) = if d.is_for { ("for", "endfor") } else { ("if", "endif") };
                let mut e = error(
                    &self.tokens[d.at],
                    "Unexpected end of template",
                    format!("The {word} directive here is missing its corresponding {closer} directive."),
                );
                e.at = self.tokens[d.at].start..self.tokens[d.at].start + self.tokens[d.at].text.len();
                Err(e)
            }
        }
    }

    fn interpolation(&mut self, end: Kind) -> Checked {
        self.expression()?;
        match self.peek() {
            Kind::TemplateSeqEnd => {
                self.read();
                Ok(())
            }
            Kind::Eof => self.fail(
                "Unclosed template interpolation sequence",
                "There is no closing brace for this interpolation sequence before the end of the file. This might be caused by incorrect nesting inside the given expression.",
            ),
            Kind::CQuote | Kind::OQuote if end == Kind::CQuote => self.fail(
                "Unclosed template interpolation sequence",
                "There is no closing brace for this interpolation sequence before the end of the quoted template. This might be caused by incorrect nesting inside the given expression.",
            ),
            _ => self.fail(
                "Extra characters after interpolation expression",
                "Expected a closing brace to end the interpolation expression. If this is a sequence for another language, such as shell, escape it by writing \"$${\" instead of \"${\".",
            ),
        }
    }

    /// `%{if c}`, `%{else}`, `%{endif}`, `%{for k, v in c}`, `%{endfor}`; `open` holds the
    /// directives still waiting for their end.
    fn directive(&mut self, at: usize, open: &mut Vec<Directive>) -> Checked {
        let (k, kind, _) = self.next();
        if kind != Kind::Ident {
            return self.fail(
                "Invalid template directive",
                "A template directive keyword (\"if\", \"for\", etc) is expected at the beginning of a %{ sequence.",
            );
        }
        self.read();
        let word = self.tokens[k].text;
        match word {
            "if" => {
                self.expression()?;
                open.push(Directive { at, is_for: false, in_else: false });
            }
            "for" => {
                self.for_directive_header()?;
                open.push(Directive { at, is_for: true, in_else: false });
            }
            "else" => match open.last_mut() {
                Some(d) if !d.is_for && !d.in_else => d.in_else = true,
                _ => {
                    return self.fail_at(
                        k,
                        "Unexpected else directive",
                        "An else directive belongs inside an if directive, once.",
                    );
                }
            },
            "endif" => match open.last() {
                Some(d) if !d.is_for => {
                    open.pop();
                }
                _ => {
                    return self.fail_at(
                        k,
                        "Unexpected endif directive",
                        "There is no open if directive for this endif.",
                    );
                }
            },
            "endfor" => match open.last() {
                Some(d) if d.is_for => {
                    open.pop();
                }
                _ => {
                    return self.fail_at(
                        k,
                        "Unexpected endfor directive",
                        "There is no open for directive for this endfor.",
                    );
                }
            },
            _ => {
                let hint = crate::diag::did_you_mean(word, ["if", "for", "else", "endif", "endfor"])
                    .map(|s| format!(" Did you mean \"{s}\"?"))
                    .unwrap_or_default();
                return self.fail_at(
                    k,
                    "Invalid template control keyword",
                    format!("\"{word}\" is not a valid template control keyword.{hint}"),
                );
            }
        }
        if self.peek() != Kind::TemplateSeqEnd {
            return self.fail(
                "Extra characters in directive",
                format!("Expected a closing brace to end the {word} directive."),
            );
        }
        self.read();
        Ok(())
    }

    fn for_directive_header(&mut self) -> Checked {
        const INVALID: &str = "Invalid 'for' directive";
        if self.peek() != Kind::Ident {
            return self.fail(INVALID, "For directive requires variable name after 'for'.");
        }
        self.read();
        if self.peek() == Kind::Comma {
            self.read();
            if self.peek() != Kind::Ident {
                return self.fail(INVALID, "For directive requires value variable name after comma.");
            }
            self.read();
        }
        if !self.peek_keyword("in") {
            return self.fail(INVALID, "For directive requires 'in' keyword after names.");
        }
        self.read();
        self.expression()
    }
}

const UNTERMINATED_OBJECT: &str = "Unterminated object constructor expression";
const UNTERMINATED_OBJECT_DETAIL: &str = "There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.";

/// An `%{if}` or `%{for}` waiting for its end.
struct Directive {
    /// Token index of its `%{`.
    at: usize,
    is_for: bool,
    in_else: bool,
}

fn is_binary_operator(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Or
            | Kind::And
            | Kind::EqualOp
            | Kind::NotEqual
            | Kind::GreaterThan
            | Kind::GreaterThanEq
            | Kind::LessThan
            | Kind::LessThanEq
            | Kind::Plus
            | Kind::Minus
            | Kind::Star
            | Kind::Slash
            | Kind::Percent
    )
}

/// What Go's `big.ParseFloat` (base 10) accepts of the lexer's number tokens.
fn is_number(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = digits(0);
    if i == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1 + digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fmt::lexer::lex;

    fn verdict(src: &str) -> Result<(), &'static str> {
        check(&lex(src)).map_err(|e| e.summary)
    }

    #[test]
    fn accepts_what_hclsyntax_accepts() {
        for src in [
            "",
            "a = 1\n",
            "a = 1",
            "b \"x\" y { c = [1, 2,] }\n",
            "b {\n  c = { k = v, \"q\" : 2\n  m = 3 }\n}\n",
            "a = x ? -y.z[0].w : !f(1, 2, xs...)\n",
            "a = [for k, v in m : v if k != \"\"]\n",
            "a = {for k, v in m : k => v... }\n",
            "a = \"${x}%{if c}y%{else}z%{endif}%{for i in l}${i}%{endfor}\\u00e9\"\n",
            "a = <<EOT\n  ${x}\n  EOT\n",
            "a = x.*.y[*].z # comment\n/* block */ b = 1e5\n",
            "a = xs[0].1\n",
        ] {
            assert_eq!(verdict(src), Ok(()), "{src:?}");
        }
    }

    #[test]
    fn refuses_what_hclsyntax_refuses() {
        for (src, summary) in [
            ("b {\n", "Unclosed configuration block"),
            ("a = 1, b = 2\n", "Unexpected comma after argument"),
            ("a = 1\na = 2\n", "Attribute redefined"),
            ("\"a\" = 1\n", "Invalid argument name"),
            ("b \"${x}\" {}\n", "Invalid string literal"),
            ("b\n{}\n", "Argument or block definition required"),
            ("b \"x\"\n{}\n", "Invalid block definition"),
            ("b { a = 1, c = 2 }\n", "Invalid single-argument block definition"),
            ("a = 1 ; b = 2\n", "Invalid character"),
            ("a = 1 & 2\n", "Unsupported operator"),
            ("a = 1..2\n", "Invalid number literal"),
            ("a = x.1.2\n", "Invalid legacy index syntax"),
            ("a = \"\\q\"\n", "Invalid escape sequence"),
            ("a = \"x\n", "Invalid multi-line string"),
            ("a = f(1 2)\n", "Missing argument separator"),
            ("a = [for x in xs : k => x]\n", "Invalid 'for' expression"),
            ("a = {for x in xs : x}\n", "Invalid 'for' expression"),
            ("a = \"%{if c}x\"\n", "Unexpected end of template"),
            ("a = \"%{endfor}\"\n", "Unexpected endfor directive"),
            ("a = \"%{fi c}\"\n", "Invalid template control keyword"),
            ("a = { b c }\n", "Missing key/value separator"),
            ("a =\n", "Invalid expression"),
            ("a = ", "Missing expression"),
            ("a = 1 /* open\n", "Unterminated comment"),
            ("a = x.*.*\n", "Nested splat expression not allowed"),
        ] {
            assert_eq!(verdict(src), Err(summary), "{src:?}");
        }
    }

    #[test]
    fn a_redefined_argument_points_at_both_definitions() {
        let src = "a = 1\nb = 2\na = 3\n";
        let e = check(&lex(src)).unwrap_err();
        assert_eq!(&src[e.at.clone()], "a");
        assert_eq!(e.at.start, 12);
        assert_eq!(e.related.map(|r| r.0), Some(0..1));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let src = format!("a = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(verdict(&src), Err("Nesting too deep"));
    }
}
