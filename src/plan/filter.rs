//! `-only` / `-except`: globs on full build names for HCL2, exact names for legacy JSON; an
//! `-except` naming a post-processor cuts its chain there.

use crate::diag::Diagnostic;
use crate::plan::{BuildPlan, unmatched};
use crate::source::Span;

/// The build filters of the command line.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// `-only`.
    pub only: Vec<String>,
    /// `-except`.
    pub except: Vec<String>,
}

impl Filters {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.only.is_empty() && self.except.is_empty()
    }

    /// Whether the build named `name` is selected: `-only` names it (or is not given) and
    /// `-except` does not.
    pub fn selects(&self, name: &str, legacy: bool) -> bool {
        (self.only.is_empty() || self.only.iter().any(|p| pattern_matches(p, name, legacy)))
            && !self.except.iter().any(|p| pattern_matches(p, name, legacy))
    }

    /// A warning for each pattern that names none of `names` (nor, for `-except`, a
    /// post-processor `also` accepts).
    pub fn unmatched(
        &self,
        names: &[String],
        legacy: bool,
        span: Option<Span>,
        also: &dyn Fn(&str) -> bool,
    ) -> Vec<Diagnostic> {
        let mut warnings = Vec::new();
        for (kind, list) in [("only", &self.only), ("except", &self.except)] {
            for p in list {
                let hit = names.iter().any(|n| pattern_matches(p, n, legacy)) || (kind == "except" && also(p));
                if !hit {
                    warnings.push(unmatched(kind, p, names, span));
                }
            }
        }
        warnings
    }

    /// Keeps the selected builds, and cuts each chain at a post-processor `-except` names;
    /// warns for patterns that match nothing.
    pub fn select(
        &self,
        builds: Vec<BuildPlan>,
        legacy: bool,
        warnings: &mut Vec<Diagnostic>,
        span: Option<Span>,
    ) -> Vec<BuildPlan> {
        let names: Vec<String> = builds.iter().map(|b| b.name.clone()).collect();
        let names_pp = |p: &str| builds.iter().any(|b| b.chains.iter().flatten().any(|pp| pp_matches(p, pp, legacy)));
        warnings.extend(self.unmatched(&names, legacy, span, &names_pp));
        builds
            .into_iter()
            .filter(|b| self.selects(&b.name, legacy))
            .map(|mut b| {
                for chain in &mut b.chains {
                    if let Some(cut) = chain.iter().position(|pp| self.except.iter().any(|p| pp_matches(p, pp, legacy)))
                    {
                        chain.truncate(cut);
                    }
                }
                b.chains.retain(|c| !c.is_empty());
                b
            })
            .collect()
    }
}

/// Legacy JSON names builds exactly; HCL2 takes globs.
fn pattern_matches(pattern: &str, name: &str, legacy: bool) -> bool {
    if legacy { pattern == name } else { glob(pattern, name) }
}

fn pp_matches(pattern: &str, pp: &crate::plan::PostProcessorStep, legacy: bool) -> bool {
    pattern_matches(pattern, pp.name.as_deref().unwrap_or(&pp.step.kind), legacy)
}

/// `*` matches any run of characters (gobwas/glob without separators), `?` one character.
pub fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_whole_names() {
        assert!(glob("*.a", "mybuild.null.a"));
        assert!(glob("mybuild.*", "mybuild.null.a"));
        assert!(!glob("null.a", "mybuild.null.a"));
        assert!(glob("null.?", "null.b"));
    }
}
