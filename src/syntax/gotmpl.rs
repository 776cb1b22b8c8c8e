//! Go-template actions (`{{user `x`}}`, `{{isotime | clean_resource_name}}`, `{{ .Path }}`)
//! parsed into the shared expression language.
//!
//! Functions with an HCL2 counterpart of the same meaning lower to it (`user` → `var.x`,
//! `template_dir` → `path.root`, `build` → `build.X`); the rest stay Go-template calls, whose
//! evaluation follows Packer's Go-template semantics.

use crate::diag::{Code, Diagnostic};
use crate::ir::{CallFlavor, Expr, ExprKind, Ident, Spanned, TemplatePart};
use crate::syntax::spanmap::SpanMap;

/// Whether `text` contains a Go-template action at all.
pub fn has_action(text: &str) -> bool {
    text.contains("{{")
}

/// Splits `text` into literal text and Go-template actions.
///
/// # Errors
/// A malformed action, as a diagnostic at its exact position.
pub fn parse(text: &str, map: &SpanMap) -> Result<Vec<TemplatePart>, Diagnostic> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut pos = 0;
    while let Some(found) = text[pos..].find("{{") {
        let open = pos + found;
        literal.push_str(&text[pos..open]);
        let Some(close_rel) = text[open + 2..].find("}}") else {
            return Err(Diagnostic::error(
                Code::InvalidTemplate,
                map.span(open, text.len()),
                "unclosed Go template action",
            )
            .with_label_message("this `{{` has no matching `}}`")
            .with_help("close the action with `}}`"));
        };
        let close = open + 2 + close_rel;
        let mut inner_start = open + 2;
        let mut inner_end = close;
        let inner = &text[inner_start..inner_end];
        if inner.starts_with('-') && inner[1..].starts_with(char::is_whitespace) {
            trim_end_whitespace(&mut literal);
            inner_start += 1;
        }
        let mut trim_after = false;
        if text[..inner_end].ends_with('-') && text[inner_start..inner_end - 1].ends_with(char::is_whitespace) {
            inner_end -= 1;
            trim_after = true;
        }
        let mut p = Parser { text, pos: inner_start, end: inner_end, map };
        let expr = p.pipeline()?;
        p.skip_ws();
        if p.pos < p.end {
            return Err(p.error(p.pos, "unexpected text in Go template action"));
        }
        if !literal.is_empty() {
            parts.push(TemplatePart::Literal(std::mem::take(&mut literal)));
        }
        parts.push(TemplatePart::Interpolation(expr));
        pos = close + 2;
        if trim_after {
            pos += text[pos..].len() - text[pos..].trim_start().len();
        }
    }
    literal.push_str(&text[pos..]);
    if !literal.is_empty() {
        parts.push(TemplatePart::Literal(literal));
    }
    Ok(parts)
}

fn trim_end_whitespace(s: &mut String) {
    let keep = s.trim_end().len();
    s.truncate(keep);
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    end: usize,
    map: &'a SpanMap,
}

impl Parser<'_> {
    fn error(&self, at: usize, msg: &str) -> Diagnostic {
        let end = (at + 1).min(self.end.max(at));
        Diagnostic::error(Code::InvalidTemplate, self.map.span(at, end), msg)
            .with_help("Go template actions look like {{user `name`}}, {{timestamp}}, {{ .Path }} or {{isotime | clean_resource_name}}")
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..self.end].chars().next()
    }

    /// Moves past the next character, however many bytes it takes.
    fn bump(&mut self) {
        self.pos += self.peek().map_or(1, char::len_utf8);
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// `command ('|' command)*`: each stage gets the previous value as its last argument.
    fn pipeline(&mut self) -> Result<Expr, Diagnostic> {
        let mut value = self.command(None)?;
        loop {
            self.skip_ws();
            if self.peek() != Some('|') {
                return Ok(value);
            }
            self.bump();
            value = self.command(Some(value))?;
        }
    }

    fn command(&mut self, piped: Option<Expr>) -> Result<Expr, Diagnostic> {
        self.skip_ws();
        let start = self.pos;
        let mut operands = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some('|' | ')') => break,
                _ => operands.push(self.operand()?),
            }
        }
        let Some(first) = operands.first() else {
            return Err(self.error(start, "empty Go template action"));
        };
        let is_func = matches!(&first.kind, ExprKind::Variable(_));
        if !is_func {
            if operands.len() > 1 || piped.is_some() {
                return Err(self.error(start, "only a function can take arguments in a Go template"));
            }
            return Ok(operands.remove(0));
        }
        let ExprKind::Variable(name) = operands.remove(0).kind else { unreachable!("checked above") };
        // A bare name in argument position is a call without arguments: `{{split build_name "-" 1}}`.
        let mut args: Vec<Expr> = operands
            .into_iter()
            .map(|op| match op.kind {
                ExprKind::Variable(inner) => {
                    let span = inner.span;
                    lower_call(inner, Vec::new(), span)
                }
                _ => op,
            })
            .collect();
        args.extend(piped);
        let span = name.span.join(args.last().map_or(name.span, |a| a.span));
        Ok(lower_call(name, args, span))
    }

    fn operand(&mut self) -> Result<Expr, Diagnostic> {
        let start = self.pos;
        let c = self.peek().unwrap_or(' ');
        match c {
            '`' => {
                let Some(len) = self.text[self.pos + 1..self.end].find('`') else {
                    return Err(self.error(start, "unclosed raw string in Go template"));
                };
                let s = self.text[self.pos + 1..self.pos + 1 + len].to_string();
                self.pos += len + 2;
                Ok(Expr::new(ExprKind::String(s), self.map.span(start, self.pos)))
            }
            '"' => self.quoted(start),
            '(' => {
                self.bump();
                let inner = self.pipeline()?;
                self.skip_ws();
                if self.peek() != Some(')') {
                    return Err(self.error(self.pos, "expected `)` in Go template"));
                }
                self.bump();
                Ok(inner)
            }
            '.' => {
                self.bump();
                let name_start = self.pos;
                self.ident_chars();
                // A field chain (`{{ .SourceAMITags.Name }}`) names one value of the component's
                // data by its dotted path.
                while self.peek() == Some('.')
                    && self.text[self.pos + 1..self.end].starts_with(|c: char| c.is_alphabetic() || c == '_')
                {
                    self.bump();
                    self.ident_chars();
                }
                let name = &self.text[name_start..self.pos];
                let ident = Spanned::new(name.to_string(), self.map.span(start, self.pos));
                Ok(Expr::new(ExprKind::ComponentVar(ident), self.map.span(start, self.pos)))
            }
            c if c.is_ascii_digit() || c == '-' => {
                self.bump();
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                    self.bump();
                }
                let text = &self.text[start..self.pos];
                let n = text.parse::<f64>().map_err(|_| self.error(start, "malformed number in Go template"))?;
                Ok(Expr::new(ExprKind::Number(n), self.map.span(start, self.pos)))
            }
            c if c.is_alphabetic() || c == '_' => {
                self.ident_chars();
                let word = &self.text[start..self.pos];
                let span = self.map.span(start, self.pos);
                Ok(match word {
                    "true" => Expr::new(ExprKind::Bool(true), span),
                    "false" => Expr::new(ExprKind::Bool(false), span),
                    _ => Expr::new(ExprKind::Variable(Spanned::new(word.to_string(), span)), span),
                })
            }
            _ => Err(self.error(start, &format!("unexpected `{c}` in Go template action"))),
        }
    }

    fn quoted(&mut self, start: usize) -> Result<Expr, Diagnostic> {
        let mut out = String::new();
        let mut chars = self.text[self.pos + 1..self.end].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 2;
                    return Ok(Expr::new(ExprKind::String(out), self.map.span(start, self.pos)));
                }
                '\\' => match chars.next().map(|(_, c)| c) {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(self.error(start, "unclosed string in Go template"))
    }

    fn ident_chars(&mut self) {
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.bump();
        }
    }
}

/// Lowers a Go-template function call, mapping the functions HCL2 spells differently.
fn lower_call(name: Ident, args: Vec<Expr>, span: crate::source::Span) -> Expr {
    let traversal = |root: &str, attr: &str, attr_span| {
        let root = Expr::new(ExprKind::Variable(Spanned::new(root.to_string(), name.span)), name.span);
        Expr::new(ExprKind::GetAttr(Box::new(root), Spanned::new(attr.to_string(), attr_span)), span)
    };
    let single_string = args.len() == 1 && args[0].as_str().is_some();
    match name.value.as_str() {
        "user" if single_string => traversal("var", args[0].as_str().unwrap_or_default(), args[0].span),
        "build" if single_string => traversal("build", args[0].as_str().unwrap_or_default(), args[0].span),
        "template_dir" if args.is_empty() => traversal("path", "root", name.span),
        "pwd" if args.is_empty() => traversal("path", "cwd", name.span),
        "packer_version" if args.is_empty() => traversal("packer", "version", name.span),
        "env" => Expr::new(ExprKind::Call { name, args, expand_final: false, flavor: CallFlavor::Hcl }, span),
        _ => Expr::new(ExprKind::Call { name, args, expand_final: false, flavor: CallFlavor::GoTemplate }, span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::dump;
    use crate::source::FileId;

    fn render(text: &str) -> String {
        let map = SpanMap::identity(FileId(0), 0);
        let parts = parse(text, &map).expect("parses");
        dump::expr(&Expr::new(ExprKind::Template(parts), map.span(0, text.len())))
    }

    #[test]
    fn lowers_user_and_pipelines() {
        assert_eq!(render("a-{{user `region`}}"), "\"a-${var.region}\"");
        assert_eq!(render("{{isotime | clean_resource_name}}"), "\"${go::clean_resource_name(go::isotime())}\"");
        assert_eq!(render("{{ .Vars }} {{.Path}}"), "\"${{{ .Vars }}} ${{{ .Path }}}\"");
        assert_eq!(render("{{ split `a-b` `-` 1 }}"), "\"${go::split(\"a-b\", \"-\", 1)}\"");
        assert_eq!(render("{{ .SourceAMITags.TagName }}"), render("{{ .SourceAMITags.TagName}}"));
        assert!(render("x {{ .SourceAMITags.TagName }}").contains("SourceAMITags.TagName"));
        assert_eq!(render("{{env `HOME`}}"), "\"${env(\"HOME\")}\"");
    }

    #[test]
    fn malformed_action_points_at_its_column() {
        let map = SpanMap::identity(FileId(0), 100);
        let err = parse("ab {{user `x}}", &map).expect_err("unclosed raw string");
        assert_eq!(err.span().start, 100 + 10);
        let err = parse("ab {{user", &map).expect_err("unclosed action");
        assert_eq!(err.span().start, 103);
    }
}
