//! `hclwrite.Format` (what `packer fmt` does), reimplemented on [`lexer`]'s tokens: indentation
//! by bracket nesting, spaces between tokens by Packer's rules, and vertical alignment of `=`
//! and trailing comments across consecutive lines. Only whitespace changes.

use crate::fmt::lexer::{Kind, Token, lex};

/// Formats HCL source exactly as `hclwrite.Format` does (the caller checks that it parses).
pub fn format(src: &str) -> String {
    format_tokens(src.len(), lex(src))
}

/// Formats the lexer's tokens of a source of `len` bytes.
pub(crate) fn format_tokens(len: usize, mut tokens: Vec<Token<'_>>) -> String {
    let mut lines = split_lines(&tokens);
    indent(&mut tokens, &lines);
    spaces(&mut tokens, &lines);
    cells(&mut tokens, &mut lines);
    let mut out = String::with_capacity(len + len / 8);
    for t in &tokens {
        for _ in 0..t.spaces_before {
            out.push(' ');
        }
        out.push_str(t.text);
    }
    out
}

/// One line in three cells (token index ranges): `lead`, `assign` (from `=`), `comment`.
#[derive(Debug, Clone, Default)]
struct Line {
    lead: (usize, usize),
    assign: Option<(usize, usize)>,
    comment: Option<(usize, usize)>,
}

fn is_newline(t: &Token) -> bool {
    t.kind == Kind::Newline || (t.kind == Kind::Comment && t.text.ends_with('\n'))
}

fn bracket_change(t: &Token) -> i32 {
    match t.kind {
        Kind::OBrace | Kind::OBrack | Kind::OParen | Kind::TemplateControl | Kind::TemplateInterp => 1,
        Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => -1,
        _ => 0,
    }
}

fn split_lines(tokens: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind == Kind::Eof {
            lines.push(Line { lead: (start, i), ..Line::default() });
            start = tokens.len();
            break;
        }
        if is_newline(t) {
            lines.push(Line { lead: (start, i + 1), ..Line::default() });
            start = i + 1;
        }
    }
    if start < tokens.len() {
        lines.push(Line { lead: (start, tokens.len()), ..Line::default() });
    }
    for line in &mut lines {
        let (s, mut e) = line.lead;
        if e == s {
            continue;
        }
        if e - s > 1 && tokens[e - 1].kind == Kind::Comment {
            line.comment = Some((e - 1, e));
            e -= 1;
            line.lead = (s, e);
        }
        for i in s + 1..e {
            if tokens[i].kind == Kind::Equal {
                let net: i32 = tokens[i..e].iter().map(bracket_change).sum();
                if net == 0 {
                    line.assign = Some((i, e));
                    line.lead = (s, i);
                }
                break;
            }
        }
    }
    lines
}

fn indent(tokens: &mut [Token], lines: &[Line]) {
    let mut stack: Vec<i32> = Vec::with_capacity(10);
    for line in lines {
        let (s, e) = line.lead;
        if s == e {
            continue;
        }
        if tokens[s].kind == Kind::Newline {
            tokens[s].spaces_before = 0;
            continue;
        }
        let mut net = 0;
        for t in &tokens[s..e] {
            net += bracket_change(t);
            if t.kind == Kind::OHeredoc {
                break;
            }
        }
        if let Some((a, b)) = line.assign {
            net += tokens[a..b].iter().map(bracket_change).sum::<i32>();
        }
        if net > 0 {
            tokens[s].spaces_before = 2 * stack.len();
            stack.push(net);
        } else {
            let mut closed = -net;
            while closed > 0 {
                let Some(top) = stack.last_mut() else { break };
                if closed > *top {
                    closed -= *top;
                    stack.pop();
                } else if closed < *top {
                    *top -= closed;
                    closed = 0;
                } else {
                    stack.pop();
                    closed = 0;
                }
            }
            tokens[s].spaces_before = 2 * stack.len();
        }
    }
}

fn spaces(tokens: &mut [Token], lines: &[Line]) {
    for line in lines {
        let cells = [Some(line.lead), line.assign];
        for (ci, cell) in cells.iter().enumerate() {
            let Some((s, e)) = *cell else { continue };
            if ci == 1 && s < e {
                // The first token of "assign" (`=`) always has one space before it.
                tokens[s].spaces_before = 1;
            }
            for i in s..e {
                if i + 1 >= e {
                    continue;
                }
                let before = if i > s { Some(i - 1) } else { None };
                let space = space_after(tokens, i, before, i + 1);
                tokens[i + 1].spaces_before = usize::from(space);
            }
        }
    }
}

/// Whether the token at `subject` is followed by a space (hclwrite's `spaceAfterToken`).
fn space_after(tokens: &[Token], subject: usize, before: Option<usize>, after: usize) -> bool {
    let sub = &tokens[subject];
    let aft = &tokens[after];
    let bef = before.map_or(Kind::Nil, |b| tokens[b].kind);
    let (s, a) = (sub.kind, aft.kind);
    match () {
        () if a == Kind::Newline || a == Kind::Nil || a == Kind::Eof => false,
        () if s == Kind::Ident && a == Kind::OParen => false,
        () if (s == Kind::Ident && a == Kind::DoubleColon) || (s == Kind::DoubleColon && a == Kind::Ident) => false,
        () if s == Kind::Dot || a == Kind::Dot => false,
        () if a == Kind::Comma || a == Kind::Ellipsis => false,
        () if s == Kind::Comma => true,
        () if matches!(s, Kind::QuotedLit | Kind::StringLit | Kind::OQuote | Kind::OHeredoc)
            || matches!(a, Kind::QuotedLit | Kind::StringLit | Kind::CQuote | Kind::CHeredoc) =>
        {
            false
        }
        () if s == Kind::Ident && sub.text == "in" && bef == Kind::Ident => true,
        () if a == Kind::OBrack && (s == Kind::Ident || s == Kind::NumberLit || bracket_change(sub) < 0) => false,
        () if s == Kind::Bang => false,
        () if s == Kind::Minus => !matches!(
            bef,
            Kind::Nil
                | Kind::OParen
                | Kind::OBrace
                | Kind::OBrack
                | Kind::Equal
                | Kind::Colon
                | Kind::Comma
                | Kind::Question
                | Kind::Plus
                | Kind::Star
                | Kind::Slash
                | Kind::Percent
                | Kind::Minus
                | Kind::EqualOp
                | Kind::NotEqual
                | Kind::GreaterThan
                | Kind::GreaterThanEq
                | Kind::LessThan
                | Kind::LessThanEq
                | Kind::And
                | Kind::Or
                | Kind::Bang
        ),
        () if s == Kind::OBrace || a == Kind::CBrace => !(s == Kind::OBrace && a == Kind::CBrace),
        () if matches!(s, Kind::TemplateInterp | Kind::TemplateControl) && a == Kind::OBrace => true,
        () if s == Kind::CBrace && a == Kind::TemplateSeqEnd => true,
        () if s == Kind::TemplateSeqEnd && matches!(a, Kind::TemplateInterp | Kind::TemplateControl) => false,
        () if bracket_change(sub) > 0 => false,
        () if bracket_change(aft) < 0 => false,
        () => true,
    }
}

/// Columns a token range occupies (spaces plus characters).
fn columns(tokens: &[Token], range: Option<(usize, usize)>) -> usize {
    range.map_or(0, |(s, e)| tokens[s..e].iter().map(|t| t.spaces_before + t.text.chars().count()).sum())
}

fn cells(tokens: &mut [Token], lines: &mut [Line]) {
    // `=` of consecutive assignment lines line up.
    let mut chain: Option<usize> = None;
    let mut max = 0;
    let close_assign = |tokens: &mut [Token], lines: &[Line], from: usize, to: usize, max: usize| {
        for line in &lines[from..to] {
            let cols = columns(tokens, Some(line.lead));
            if let Some((a, _)) = line.assign {
                tokens[a].spaces_before = max - cols + 1;
            }
        }
    };
    for i in 0..lines.len() {
        if lines[i].assign.is_none() {
            if let Some(start) = chain.take() {
                close_assign(tokens, lines, start, i, max);
                max = 0;
            }
        } else {
            chain.get_or_insert(i);
            max = max.max(columns(tokens, Some(lines[i].lead)));
        }
    }
    if let Some(start) = chain.take() {
        close_assign(tokens, lines, start, lines.len(), max);
    }
    // Then trailing comments of consecutive lines line up.
    max = 0;
    let close_comment = |tokens: &mut [Token], lines: &[Line], from: usize, to: usize, max: usize| {
        for line in &lines[from..to] {
            let cols = columns(tokens, Some(line.lead)) + columns(tokens, line.assign);
            if let Some((c, _)) = line.comment {
                tokens[c].spaces_before = max - cols + 1;
            }
        }
    };
    for i in 0..lines.len() {
        if lines[i].comment.is_none() {
            if let Some(start) = chain.take() {
                close_comment(tokens, lines, start, i, max);
                max = 0;
            }
        } else {
            chain.get_or_insert(i);
            max = max.max(columns(tokens, Some(lines[i].lead)) + columns(tokens, lines[i].assign));
        }
    }
    if let Some(start) = chain.take() {
        close_comment(tokens, lines, start, lines.len(), max);
    }
}
