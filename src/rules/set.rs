//! The rule set in effect: every rule compiled, the path filters of all rules merged (each
//! distinct glob compiled once, with the rules that wrote it), and the line patterns of the
//! rules that apply to a change behind one prefilter, cached per selection.

use super::rule::{Rule, RuleDraft, compile_rule};
use crate::error::{Error, Result};
use crate::matching::globs::{FoldedPath, OwnedGlobs};
use crate::matching::lines::{LineFilter, Scan};
use deploy_guard_patterns::needles::Needles;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Line sets built so far, by the rules chosen and the scan they were built for.
type LineSetCache = HashMap<(Vec<usize>, Scan), Arc<LineSets>>;

/// Every rule in effect, compiled, with merged path filters and line-pattern sets.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    include: OwnedGlobs,
    exclude: OwnedGlobs,
    unfiltered: Vec<usize>,
    line_sets: Arc<Mutex<LineSetCache>>,
}

impl RuleSet {
    /// Compiles drafts; fails with a positioned error on a bad id, glob, regex, message or a
    /// duplicate id. Built-in rules' regexes compile on first use (see [`LazyRegex`]).
    pub fn compile(drafts: Vec<RuleDraft>) -> Result<RuleSet> {
        RuleSet::compile_with(drafts, false)
    }

    /// Like [`RuleSet::compile`], but compiles and checks every regex now, built-ins included:
    /// what the test suite runs so a broken built-in pattern can never ship.
    pub fn compile_strict(drafts: Vec<RuleDraft>) -> Result<RuleSet> {
        RuleSet::compile_with(drafts, true)
    }

    fn compile_with(drafts: Vec<RuleDraft>, strict: bool) -> Result<RuleSet> {
        let mut seen = HashSet::new();
        let mut rules = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let id = draft.spec.id.get_ref();
            if !seen.insert(id.clone()) {
                return Err(draft.file.error(
                    draft.spec.id.span(),
                    format!("rule '{id}' is defined twice; give each rule its own id"),
                ));
            }
            rules.push(compile_rule(draft, strict)?);
        }
        RuleSet::from_rules(rules)
    }

    fn from_rules(rules: Vec<Rule>) -> Result<RuleSet> {
        let unfiltered = (0..rules.len())
            .filter(|&i| rules[i].paths.is_empty())
            .collect();
        Ok(RuleSet {
            include: path_filter(&rules, |r| &r.paths)?,
            exclude: path_filter(&rules, |r| &r.exclude)?,
            rules,
            unfiltered,
            line_sets: Arc::default(),
        })
    }

    /// All rules, in definition order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Which rules' path filters admit `path` (indexed like [`RuleSet::rules`]). Case does
    /// not matter (see [`FoldedPath`]).
    pub fn applicable(&self, path: &str) -> Vec<bool> {
        let path = FoldedPath::new(path);
        let mut on = vec![false; self.rules.len()];
        for &i in &self.unfiltered {
            on[i] = true;
        }
        for i in self.include.owners(&path) {
            on[i] = true;
        }
        for i in self.exclude.owners(&path) {
            on[i] = false;
        }
        on
    }

    /// The line patterns of the line rules marked in `relevant` (indexed like
    /// [`RuleSet::rules`]), behind their prefilter, built for scanning about `lines` changed
    /// lines. Cached per selection, so repeated judgements reuse them.
    pub fn line_sets(&self, relevant: &[bool], lines: usize) -> Result<Arc<LineSets>> {
        let chosen: Vec<usize> = self
            .rules
            .iter()
            .enumerate()
            .filter(|(i, r)| {
                relevant.get(*i).copied().unwrap_or(false)
                    && (r.added.is_some() || r.removed.is_some())
            })
            .map(|(i, _)| i)
            .collect();
        let scan = Scan::for_lines(lines);
        let mut cache = self
            .line_sets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (chosen, scan);
        if let Some(sets) = cache.get(&key) {
            return Ok(sets.clone());
        }
        let sets = Arc::new(LineSets::new(&self.rules, &key.0, scan)?);
        cache.insert(key, sets.clone());
        Ok(sets)
    }
}

/// One side of every rule's path filter (`paths` or `exclude`).
fn path_filter(rules: &[Rule], side: fn(&Rule) -> &Vec<String>) -> Result<OwnedGlobs> {
    OwnedGlobs::new(
        rules
            .iter()
            .enumerate()
            .flat_map(|(i, rule)| side(rule).iter().map(move |g| (i, g.as_str()))),
    )
    .map_err(Error::Rule)
}

/// The added-line and removed-line patterns of some line rules, behind their prefilter.
#[derive(Debug)]
pub struct LineSets {
    added: LineFilter,
    removed: LineFilter,
}

impl LineSets {
    /// The filters for rules `chosen` (indices into `rules`): `added` patterns, and the `removed`
    /// patterns of rules without `added` (with `added`, `removed` only qualifies a match).
    fn new(rules: &[Rule], chosen: &[usize], scan: Scan) -> Result<LineSets> {
        let side = |pick: fn(&Rule) -> Option<&Option<Needles>>| {
            LineFilter::new(
                chosen
                    .iter()
                    .filter_map(|&i| pick(&rules[i]).map(|n| (i, n))),
                scan,
            )
            .map_err(Error::Rule)
        };
        Ok(LineSets {
            added: side(|r| r.added.as_ref().map(|_| &r.added_needles))?,
            removed: side(|r| match (&r.added, &r.removed) {
                (None, Some(_)) => Some(&r.removed_needles),
                _ => None,
            })?,
        })
    }

    /// Fills `hits` with the rules (indices into `rules`, open in `gate`) whose `added`
    /// pattern matches `line`, in rule order.
    pub fn added_matches(&self, rules: &[Rule], gate: &[bool], line: &str, hits: &mut Vec<usize>) {
        self.added
            .matches(|r| rules[r].added.as_ref(), gate, line, hits);
    }

    /// Fills `hits` with the rules without `added` (open in `gate`) whose `removed` pattern
    /// matches `line`, in rule order.
    pub fn removed_matches(
        &self,
        rules: &[Rule],
        gate: &[bool],
        line: &str,
        hits: &mut Vec<usize>,
    ) {
        self.removed
            .matches(|r| rules[r].removed.as_ref(), gate, line, hits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::glob_shape::{HandGlobs, normalise_glob};
    use crate::matching::globs::{PathGlobs, path_glob, sample_paths};
    use crate::rules::packs::builtin;
    use globset::GlobSetBuilder;

    #[test]
    fn path_filters_admit_what_globset_admits() {
        let rules = RuleSet::compile(builtin().unwrap()).unwrap();
        let matchers = |globs: &[String]| -> Vec<globset::GlobMatcher> {
            globs
                .iter()
                .map(|g| path_glob(g).unwrap().compile_matcher())
                .collect()
        };
        let expected: Vec<_> = rules
            .rules()
            .iter()
            .map(|r| (matchers(&r.paths), matchers(&r.exclude)))
            .collect();
        let dirs = [
            "",
            "src/",
            "test/",
            "a/tests/",
            "prod/",
            "prod/eu/",
            "node_modules/x/",
            ".github/",
            ".github/workflows/",
            "config/environments/",
            "charts/x/templates/a/",
            "etc/sites-enabled/",
        ];
        let names = [
            "app.test.ts",
            "FooTest.java",
            "tsconfig.base.json",
            "app-prod.yaml",
            "prod.yml",
            ".env.prod.local",
            "Dockerfile.dev",
            "compose.dev.yml",
            "x.min.js",
            "main.rs",
            "test",
            "é.spec.js",
            "ci.yml",
            "test.rb",
            "x.tpl",
            "default",
        ];
        for path in dirs
            .iter()
            .flat_map(|d| names.iter().map(move |n| format!("{d}{n}")))
        {
            let want: Vec<bool> = expected
                .iter()
                .map(|(paths, exclude)| {
                    (paths.is_empty() || paths.iter().any(|m| m.is_match(&path)))
                        && !exclude.iter().any(|m| m.is_match(&path))
                })
                .collect();
            assert_eq!(rules.applicable(&path), want, "{path:?}");
        }
    }

    /// The built-in rules' rule-id globs wait until a rule fires.
    #[test]
    fn builtin_rule_id_globs_compile_when_a_rule_fires() {
        let rules = RuleSet::compile(builtin().unwrap()).unwrap();
        let by_id = rules
            .rules()
            .iter()
            .flat_map(|r| [&r.with_finding, &r.without_finding])
            .flatten();
        assert!(by_id.clone().count() > 5);
        assert!(by_id.clone().all(|g| !g.is_compiled()));
        assert!(by_id.clone().any(|g| g.is_match("cors/wildcard-origin")));
    }

    /// Every distinct path glob in the built-in packs: `paths`, `exclude`, `without_change`
    /// and `with_change`.
    fn builtin_globs() -> Vec<String> {
        let globs: std::collections::BTreeSet<String> = builtin()
            .unwrap()
            .iter()
            .flat_map(|d| {
                let s = &d.spec;
                s.paths
                    .iter()
                    .chain(&s.exclude)
                    .chain(&s.without_change)
                    .chain(&s.with_change)
            })
            .map(|g| g.get_ref().clone())
            .collect();
        globs.into_iter().collect()
    }

    /// The built-in globs of one path component (file names, extensions, file-name patterns)
    /// and directory names (`**/NAME/**`) are matched by hand: most of them.
    #[test]
    fn builtin_file_name_globs_are_matched_by_hand() {
        let globs = builtin_globs();
        let taken = |glob: &str| HandGlobs::default().add(&normalise_glob(glob), 0);
        let file_names: Vec<&String> = globs.iter().filter(|g| !g.contains('/')).collect();
        assert!(
            file_names.len() > 120,
            "only {} file-name globs",
            file_names.len()
        );
        let left: Vec<&&String> = file_names.iter().filter(|g| !taken(g)).collect();
        assert!(left.is_empty(), "left to globset: {left:?}");
        assert!(globs.iter().filter(|g| taken(g)).count() > 150);
    }

    /// All built-in globs in one [`PathGlobs`] (by hand, and through globset for the rest) and
    /// in one glob set, compared path by path: the same globs match.
    #[test]
    fn builtin_globs_match_as_globset_matches_them() {
        let globs = builtin_globs();
        let ours = PathGlobs::new(globs.iter().map(String::as_str).zip(0..)).unwrap();
        let mut set = GlobSetBuilder::new();
        for glob in &globs {
            set.add(path_glob(glob).unwrap());
        }
        let set = set.build().unwrap();
        let paths = sample_paths();
        assert!(paths.len() > 5000, "only {} paths", paths.len());
        let mut matched = 0;
        for path in &paths {
            let mut by_us: Vec<usize> = ours.matches(&FoldedPath::new(path)).collect();
            by_us.sort_unstable();
            let by_globset = set.matches(path);
            assert_eq!(
                by_us.iter().map(|&g| &globs[g]).collect::<Vec<_>>(),
                by_globset.iter().map(|&g| &globs[g]).collect::<Vec<_>>(),
                "{path:?}"
            );
            matched += by_us.len();
        }
        assert!(
            matched > 5000,
            "only {matched} matches: the paths test little"
        );
    }
}
