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
    /// Keeps the selected builds; warns for patterns that match nothing.
    pub fn select(
        &self,
        builds: Vec<BuildPlan>,
        legacy: bool,
        warnings: &mut Vec<Diagnostic>,
        span: Option<Span>,
    ) -> Vec<BuildPlan> {
        let names: Vec<String> = builds.iter().map(|b| b.name.clone()).collect();
        let matches = |pattern: &str, name: &str| if legacy { pattern == name } else { glob(pattern, name) };
        for (kind, list) in [("only", &self.only), ("except", &self.except)] {
            for p in list {
                let hits_build = names.iter().any(|n| matches(p, n));
                let hits_pp = kind == "except"
                    && builds.iter().any(|b| b.chains.iter().flatten().any(|pp| pp_matches(p, pp, legacy)));
                if !hits_build && !hits_pp {
                    warnings.push(unmatched(kind, p, &names, span));
                }
            }
        }
        builds
            .into_iter()
            .filter(|b| self.only.is_empty() || self.only.iter().any(|p| matches(p, &b.name)))
            .filter(|b| !self.except.iter().any(|p| matches(p, &b.name)))
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

fn pp_matches(pattern: &str, pp: &crate::plan::PostProcessorStep, legacy: bool) -> bool {
    let name = pp.name.as_deref().unwrap_or(&pp.step.kind);
    if legacy { pattern == name } else { glob(pattern, name) }
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
