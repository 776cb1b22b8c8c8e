//! Command-line arguments, declared once with clap; Packer's single-dash flags are accepted.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// forge: build machine images from Packer templates (JSON, HCL2 or TOML).
#[derive(Debug, Parser)]
#[command(name = "forge", version, disable_help_subcommand = true)]
pub struct Cli {
    /// `-color=false` disables colours.
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", hide = true)]
    pub color: Option<bool>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Whether colours are allowed.
    pub fn color(&self) -> bool {
        self.color.unwrap_or(true)
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that a template is valid.
    Validate(Validate),
    /// Build the images (artifacts) of a template.
    Build(Build),
    /// Rewrite templates in the canonical format (HCL exactly as `packer fmt`, JSON and TOML too).
    Fmt(Fmt),
    /// Show the variables, sources, builds, provisioners and post-processors of a template.
    Inspect(Inspect),
    /// Convert a template (any syntax; a folder is one template) to HCL2, HCL-JSON or TOML.
    Convert(Convert),
    /// Upgrade a legacy JSON template to HCL2, as `packer hcl2_upgrade` does.
    #[command(name = "hcl2_upgrade")]
    Hcl2Upgrade(Hcl2Upgrade),
    /// Evaluate expressions against a template's variables and locals.
    Console(Console),
    /// Show a component's configuration schema (`forge schema --markdown builder amazon-ebs`).
    Schema(Schema),
    /// Run the language server for editors (Language Server Protocol over stdin/stdout).
    Lsp,
    /// Print forge's version.
    Version,
    /// Explain a diagnostic code (`forge explain F3005`).
    Explain {
        /// The code or its name.
        code: String,
    },
    /// Anything else: a Packer command forge does not provide yet, or an unknown command.
    #[command(external_subcommand)]
    Other(Vec<String>),
}

/// Variables given on the command line.
#[derive(Debug, Args, Clone, Default)]
pub struct VarArgs {
    /// Set a variable: `-var NAME=VALUE` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variables from a file (repeatable).
    #[arg(long = "var-file", value_name = "PATH")]
    pub var_files: Vec<String>,
}

/// Output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Diagnostics with code frames on stderr.
    #[default]
    Human,
    /// One JSON document on stdout (see the README).
    Json,
}

/// `forge validate`.
#[derive(Debug, Args)]
pub struct Validate {
    /// Check syntax and block shapes only.
    #[arg(long)]
    pub syntax_only: bool,
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// Validate only these builds (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Validate all builds but these (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub except: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Do not warn about variable-file keys that no variable declares.
    #[arg(long)]
    pub no_warn_undeclared_var: bool,
    /// Run data sources (they may reach the network) instead of treating their values as unknown.
    #[arg(long)]
    pub evaluate_datasources: bool,
    /// Template files or folders.
    #[arg(required = true, value_name = "TEMPLATE")]
    pub templates: Vec<String>,
}

/// `forge build`.
#[derive(Debug, Args)]
pub struct Build {
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// Build only these builds (comma-separated; globs in HCL2).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Build all but these builds, or cut post-processor chains at these names.
    #[arg(long, value_delimiter = ',')]
    pub except: Vec<String>,
    /// How many builds run at once; 0 for no limit.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub parallel_builds: i64,
    /// What to do when a step fails: cleanup, abort, ask or run-cleanup-provisioner.
    #[arg(long, default_value = "cleanup")]
    pub on_error: String,
    /// Overwrite artifacts left by an earlier run.
    #[arg(long)]
    pub force: bool,
    /// Run builds one at a time, pausing before each step.
    #[arg(long)]
    pub debug: bool,
    /// Prefix every output line with the time.
    #[arg(long)]
    pub timestamp_ui: bool,
    /// Print the build plan instead of running it.
    #[arg(long)]
    pub plan: bool,
    /// Output format of `--plan`.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// The template file or folder.
    #[arg(value_name = "TEMPLATE")]
    pub template: String,
}

/// `forge fmt`.
#[derive(Debug, Args)]
pub struct Fmt {
    /// Do not write; exit 3 when a file needs formatting.
    #[arg(long)]
    pub check: bool,
    /// Print a unified diff of the changes.
    #[arg(long)]
    pub diff: bool,
    /// Write the formatted files (`-write=false` only lists them).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    pub write: bool,
    /// Also format the files of sub-folders.
    #[arg(long)]
    pub recursive: bool,
    /// Files or folders; `-` reads standard input and writes standard output.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
}

/// The syntax `forge convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Syntax {
    /// HCL2 native syntax (`.pkr.hcl`).
    Hcl,
    /// HCL2 in HCL's JSON syntax (`.pkr.json`).
    HclJson,
    /// forge's TOML form (`.pkr.toml`).
    Toml,
}

/// `forge convert`.
#[derive(Debug, Args)]
pub struct Convert {
    /// The syntax to write.
    #[arg(long, value_enum, value_name = "SYNTAX")]
    pub to: Syntax,
    /// Write here instead of standard output.
    #[arg(long = "output-file", value_name = "PATH")]
    pub output_file: Option<String>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Template files or a folder, read as one template.
    #[arg(required = true, value_name = "TEMPLATE")]
    pub templates: Vec<String>,
}

/// `forge hcl2_upgrade`.
#[derive(Debug, Args)]
pub struct Hcl2Upgrade {
    /// Write here instead of `TEMPLATE.pkr.hcl` (`-` for standard output).
    #[arg(long = "output-file", value_name = "PATH")]
    pub output_file: Option<String>,
    /// Add Packer's explanatory comments above each section.
    #[arg(long = "with-annotations")]
    pub with_annotations: bool,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// The legacy JSON template.
    #[arg(value_name = "TEMPLATE")]
    pub template: String,
}

/// `forge schema`.
#[derive(Debug, Args)]
pub struct Schema {
    /// Print Markdown documentation instead of the JSON Schema.
    #[arg(long)]
    pub markdown: bool,
    /// Write every schema into `grammar/` (run from the repository).
    #[arg(long)]
    pub write: Option<Option<String>>,
    /// builder, provisioner, post-processor, data-source or communicator; lists all without it.
    pub kind: Option<String>,
    /// The component type, such as `amazon-ebs`.
    pub name: Option<String>,
}

/// `forge console`.
#[derive(Debug, Args)]
pub struct Console {
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// The template file or folder (optional).
    #[arg(value_name = "TEMPLATE")]
    pub template: Option<String>,
}

/// `forge inspect`.
#[derive(Debug, Args)]
pub struct Inspect {
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// The template file or folder.
    #[arg(value_name = "TEMPLATE")]
    pub template: String,
}

/// Rewrites Packer-style arguments for clap: `-var-file=x` → `--var-file=x`, and strips the
/// global `-machine-readable` wherever it stands (as Packer's `main.go` does).
pub fn packer_style(args: &[String]) -> (Vec<String>, bool) {
    let mut machine = false;
    let mut out = Vec::with_capacity(args.len());
    let mut after_double_dash = false;
    for (i, a) in args.iter().enumerate() {
        if i == 0 || after_double_dash {
            out.push(a.clone());
            continue;
        }
        if a == "--" {
            after_double_dash = true;
            out.push(a.clone());
            continue;
        }
        let bare = a.trim_start_matches('-');
        if a.starts_with('-') && (bare == "machine-readable") {
            machine = true;
            continue;
        }
        let single_dash_long = a.starts_with('-')
            && !a.starts_with("--")
            && bare.len() > 1
            && bare.starts_with(|c: char| c.is_ascii_alphabetic());
        if single_dash_long {
            out.push(format!("-{a}"));
        } else {
            out.push(a.clone());
        }
    }
    (out, machine)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn single_dash_long_flags_become_double() {
        let (args, machine) = packer_style(&s(&[
            "forge",
            "validate",
            "-var-file=a",
            "-syntax-only",
            "-machine-readable",
            "-h",
            "x.json",
        ]));
        assert_eq!(args, s(&["forge", "validate", "--var-file=a", "--syntax-only", "-h", "x.json"]));
        assert!(machine);
    }
}
