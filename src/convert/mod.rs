//! Conversion between the template syntaxes (`forge convert`, `forge hcl2_upgrade`): a merged
//! [`Template`] is written out as HCL2, HCL2's JSON syntax or the TOML form.
//!
//! The model is first laid out as a syntax-neutral tree of blocks and attributes ([`Node`]),
//! with legacy JSON's rules made explicit (builder names become `TYPE.NAME`, Go-template calls
//! become HCL2 expressions, variable defaults that HCL2 cannot hold become locals); each writer
//! then prints that tree in its syntax. Formatting is left to `fmt` (the driver runs it), so the
//! output is in `forge fmt`'s canonical layout.
//!
//! Architecture Invariant: conversion never drops a construct silently: what the target cannot
//! say with the same meaning is an `F6001` diagnostic at the construct's own span, and the output
//! keeps it in a form forge reads back with the same meaning (a Go-template action in a string).

mod expr;
mod hcl;
mod json;
mod layout;
mod toml;

use crate::diag::Diagnostic;
use crate::ir::{Expr, Template};
use crate::source::{SourceDb, Span};

/// The syntax to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// HCL2 native syntax (`.pkr.hcl`).
    Hcl,
    /// HCL2 in HCL's JSON syntax (`.pkr.json`).
    HclJson,
    /// forge's TOML form (`.pkr.toml`).
    Toml,
}

impl Target {
    /// The file suffix of a template in this syntax.
    pub fn suffix(self) -> &'static str {
        match self {
            Target::Hcl => ".pkr.hcl",
            Target::HclJson => ".pkr.json",
            Target::Toml => ".pkr.toml",
        }
    }
}

/// How to convert.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The syntax to write.
    pub target: Target,
    /// `hcl2_upgrade`'s layout: variables sorted by name, each typed `string`, as Packer writes them.
    pub upgrade: bool,
    /// `hcl2_upgrade -with-annotations`: Packer's explanatory comments above each section.
    pub annotations: bool,
}

/// The converted text (not yet formatted) and what could not be carried.
#[derive(Debug)]
pub struct Converted {
    /// The template in the target syntax.
    pub text: String,
    /// `F6001` warnings (and any other problem met).
    pub diagnostics: Vec<Diagnostic>,
}

/// Converts a template read from any syntax.
pub fn convert(t: &Template, db: &SourceDb, opts: &Options) -> Converted {
    let mut diagnostics = Vec::new();
    let nodes = layout::template(t, db, opts, &mut diagnostics);
    let text = match opts.target {
        Target::Hcl => hcl::write(&nodes),
        Target::HclJson => json::write(&nodes, &mut diagnostics),
        Target::Toml => toml::write(&nodes, &mut diagnostics),
    };
    Converted { text, diagnostics }
}

/// A syntax-neutral piece of a template body.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// `key = value`.
    Attr(String, Expr),
    /// A block.
    Block(DocBlock),
    /// Comment lines (without the comment marker).
    Comment(Vec<String>),
}

/// A block with its labels and body.
#[derive(Debug, Clone)]
pub(crate) struct DocBlock {
    /// The block type.
    pub kind: String,
    /// Its labels.
    pub labels: Vec<String>,
    /// Its body.
    pub body: Vec<Node>,
    /// Where a nested block of a component body was written (for diagnostics).
    pub span: Option<Span>,
}

impl DocBlock {
    fn new(kind: &str, labels: Vec<String>, body: Vec<Node>) -> DocBlock {
        DocBlock { kind: kind.to_string(), labels, body, span: None }
    }
}

#[cfg(test)]
mod tests;
