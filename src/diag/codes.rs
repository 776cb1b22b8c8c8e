//! Every diagnostic code, declared once: its number, its kebab-case name and its explanation.
//!
//! `forge explain CODE` prints the explanation; a test checks that codes and names are unique.
//! Numbering by phase: `F1xxx` syntax, `F2xxx` evaluation, `F3xxx` validation, `F4xxx`
//! planning (build selection), `F5xxx` data sources fetched when the build runs, `F6xxx`
//! conversion between syntaxes (`forge convert`, `forge hcl2_upgrade`).

macro_rules! codes {
    ($( $variant:ident = $id:literal, $name:literal, $doc:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( #[doc = $doc] $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as printed (`F3001`).
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// The kebab-case name (`duplicate-variable`).
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// What the code means and how to fix it.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }

            /// Looks a code up by its id or name.
            pub fn parse(s: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.id().eq_ignore_ascii_case(s) || c.name() == s)
            }
        }
    };
}

codes! {
    SyntaxError = "F1001", "syntax-error",
        "The file is not valid in its syntax (HCL, JSON or TOML). Fix the character the caret points at; forge never rewrites or runs a file that does not parse.";
    DuplicateKey = "F1002", "duplicate-key",
        "A JSON object or TOML table names the same key twice. Packer rejects this too. Keep one of the two.";
    UnknownBlock = "F1003", "unknown-block",
        "A block (or, in JSON and TOML, a key that stands for a block) is not allowed where it is written. Check the spelling against the list in the help, and the nesting.";
    UnexpectedAttribute = "F1004", "unexpected-attribute",
        "An attribute is not allowed where it is written, for example a key at the top level of a template. Remove it or move it into the block it belongs to.";
    WrongLabelCount = "F1005", "wrong-label-count",
        "A block has too many or too few labels: `source` and `data` take a type and a name, `variable` and `local` a name, `provisioner` and `post-processor` a type, `build` and `locals` none.";
    InvalidTemplate = "F1006", "invalid-template",
        "A string template (`${...}`, `%{...}` or a Go template `{{...}}`) is malformed. The caret points at the first character forge could not read.";
    WrongShape = "F1007", "wrong-shape",
        "A structural key has the wrong kind of value, for example `builders` that is not a list of objects, or a label that is not a string.";
    MissingKey = "F1008", "missing-key",
        "A key that the template's structure needs is missing, such as a builder's `type` in a JSON template.";
    UnsupportedValue = "F1009", "unsupported-value",
        "The value cannot be expressed in a template, for example a TOML date-time. Write it as a string.";
    CannotRead = "F1010", "cannot-read",
        "A template file or folder could not be read, or a folder holds no template file. Check the path.";
    UndeclaredVariable = "F2001", "undeclared-variable",
        "A `-var` flag or a variable file sets a variable that no `variable` block declares, or a legacy template's `sensitive-variables` names one that `variables` does not. For `-var` this is an error (as in Packer); for a variable file and `sensitive-variables` a warning (Packer accepts them). Fix the name or declare the variable.";
    UnknownReference = "F2002", "unknown-reference",
        "An expression refers to a variable, local, attribute or name that does not exist (`var.nope`, `local.typo`, `foo.bar`). The help names the closest existing one. Packer renders an undefined `{{user}}` as an empty string; forge reports it.";
    TypeMismatch = "F2003", "type-mismatch",
        "A value of the wrong type is used: a list in a string template, a string where `+` needs a number, a condition that is not a bool, an index out of range.";
    UnknownFunction = "F2004", "unknown-function",
        "A call names a function that does not exist (or `env`, outside a variable default). The help names the closest function.";
    WrongArgumentCount = "F2005", "wrong-argument-count",
        "A function is called with too many or too few arguments.";
    FunctionError = "F2006", "function-error",
        "A function refused its arguments, for example `cidrsubnet` with a prefix that does not fit, or a file that cannot be read. The message says which argument and why.";
    InvalidType = "F2007", "invalid-type",
        "A variable's `type` is not a type expression. Types are string, number, bool, any, list(T), set(T), map(T), tuple([...]) and object({...}) with optional(T, default) attributes.";
    InvalidVariableValue = "F2008", "invalid-variable-value",
        "A variable's default or assigned value cannot be converted to its declared type, such as `\"abc\"` for a number.";
    RequiredVariable = "F2009", "required-variable",
        "A variable has no default and no value was given. Set it with `-var`, a var file, or `PKR_VAR_name`.";
    InvalidDefault = "F2010", "invalid-default",
        "A variable's default refers to something other than a literal or `env(\"NAME\")`. Defaults are read before anything else exists; compute derived values in locals.";
    ValidationFailed = "F2011", "validation-failed",
        "A variable's `validation` condition is false for its value. The message is the block's `error_message`; a label shows where the value came from.";
    InvalidValidation = "F2012", "invalid-validation",
        "A `validation` condition refers to something other than its own variable.";
    LocalCycle = "F2013", "local-cycle",
        "Locals refer to each other in a cycle, so none of them can be computed. The message names the whole cycle.";
    DuplicateVariable = "F3001", "duplicate-variable",
        "Two `variable` declarations (possibly in different files of a folder) have the same name. Rename or remove one.";
    DuplicateLocal = "F3002", "duplicate-local",
        "Two locals have the same name. Rename or remove one.";
    DuplicateSource = "F3003", "duplicate-source",
        "Two `source` blocks have the same type and name. Rename one.";
    DuplicateBuild = "F3004", "duplicate-build",
        "Two builds would get the same name, so `-only`, `-except` and the output could not tell them apart. Name the builds differently.";
    UnknownSource = "F3005", "unknown-source",
        "A build refers to a source that no `source` block defines. Check the spelling; the help lists the closest name.";
    MissingBuild = "F3006", "missing-build",
        "The template defines no build, so there is nothing to validate or run. Add a `build` block (JSON: a `builders` list).";
    UnknownOnlyExcept = "F3007", "unknown-only-except",
        "A provisioner or post-processor `only`/`except` names a source (or, in JSON, a builder) that the build does not have. Packer silently ignores the name; forge reports it because the provisioner would then never run.";
    UnknownOverride = "F3008", "unknown-override",
        "A provisioner `override` names a source (or builder) that does not exist. Fix the name or remove the override.";
    OnlyAndExcept = "F3009", "only-and-except",
        "A provisioner or post-processor sets both `only` and `except`. Keep one.";
    EmptyTemplate = "F3010", "empty-template",
        "The file holds no template at all. Packer accepts an empty file and builds nothing; forge reports it because it is almost always a mistake.";
    DuplicateDataSource = "F3011", "duplicate-data-source",
        "Two `data` blocks have the same type and name. Rename one.";
    DuplicateSourceInBuild = "F3012", "duplicate-source-in-build",
        "One build lists the same source twice, which would run the same build twice under one name. Remove one, or give the second a different `name` in a nested `source` block.";
    MissingSourceReference = "F3013", "missing-source-reference",
        "A `build` block lists no source. Add `sources = [\"source.TYPE.NAME\"]` or a nested `source` block.";
    InvalidSourceReference = "F3014", "invalid-source-reference",
        "A source reference is not of the form `source.TYPE.NAME` (or `TYPE.NAME`).";
    DuplicateBlock = "F3015", "duplicate-block",
        "A block that may appear once appears twice (for example `error-cleanup-provisioner` in one build, or two `packer` blocks with `required_version`).";
    UnknownArgument = "F3016", "unknown-argument",
        "A component's body sets an argument the component does not have. The help names the closest argument; `forge schema KIND TYPE` lists them all.";
    MissingArgument = "F3017", "missing-argument",
        "A component needs an argument that is not set (`target` of the `file` builder, `ami_name` of `amazon-ebs`), or one of two alternatives.";
    ConflictingArguments = "F3018", "conflicting-arguments",
        "Two arguments that exclude each other are both set, such as `source` and `content` of the `file` builder, or `inline` and `script` of `shell`.";
    InvalidComponentValue = "F3019", "invalid-component-value",
        "An argument has a value the component refuses: a malformed duration, an unknown checksum type, an AMI name with forbidden characters.";
    FileNotFound = "F3020", "file-not-found",
        "A local file that a component needs (a `shell` script, a `file` provisioner source) does not exist. Paths are relative to the template's folder; set `generated = true` when an earlier step creates the file.";
    PluginComponent = "F3021", "plugin-component",
        "The component type exists in Packer as a plugin (vsphere-iso, azure-arm, qemu, ansible…) but is not built into forge.";
    UnknownComponentType = "F3022", "unknown-component-type",
        "No builder, provisioner, post-processor or data source of this type exists. The help names the closest one.";
    UnsupportedArgument = "F3023", "unsupported-argument",
        "The component has this argument in Packer, but forge does not carry it out yet (spot instances, Session Manager, Vault credentials…). forge refuses it rather than build something other than the template says; the help names a way around it.";
    DataSourceFailed = "F5001", "data-source-failed",
        "A data source that is evaluated when the build runs (or with `validate -evaluate-datasources`) failed, for example an `amazon-ami` filter that matches no image, or an `http` URL that answers 404 or cannot be reached. The message is the service's answer.";
    DataSourceNotText = "F5002", "data-source-not-text",
        "An `http` data source answered with a Content-Type that is not text (`text/*` or `application/json`, in UTF-8). Its body is kept, as Packer keeps it, but bytes that are not UTF-8 are replaced, so a binary download is better done by a provisioner.";
    UnmatchedFilter = "F4001", "unmatched-filter",
        "An `-only` or `-except` pattern matches no build (and, for `-except`, no post-processor). The help lists the build names; HCL2 names are `[build.]TYPE.NAME` and take globs, legacy JSON names are exact.";
    NoEquivalent = "F6001", "no-equivalent",
        "`forge convert` or `forge hcl2_upgrade` met a construct the target syntax cannot say with the same meaning, for example a Go-template function with no HCL2 counterpart (`sed`, `replace` with a count), or a block the TOML form has no table for. The output keeps the construct as a Go-template action inside a string (forge reads it back with the same meaning; Packer's components render it), and this diagnostic points at the original. Rewrite that value by hand if the output must not depend on Go templates.";
    OutputExists = "F6002", "output-exists",
        "The output file of `forge convert` or `forge hcl2_upgrade` exists already. forge never overwrites a file unless `-force` is given.";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_explained() {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for code in Code::ALL {
            assert!(ids.insert(code.id()), "duplicate id {}", code.id());
            assert!(names.insert(code.name()), "duplicate name {}", code.name());
            assert!(code.explanation().len() > 20, "{} has no explanation", code.id());
            assert_eq!(Code::parse(code.id()), Some(*code));
        }
    }
}
