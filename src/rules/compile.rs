//! Compiling drafts into a [`RuleSet`]: every glob and regex is built once, and path filters
//! and added/removed-line patterns are merged into sets so a line is scanned once for all rules.

use super::builtin_patterns;
use super::glob_shape::HandGlobs;
use super::lazy::{Compile, LazyRegex, LazyStructure, Syntax};
use super::line_sets::{LineSets, Scan};
use super::spec::{Example, PathCheck, RuleSpec};
use super::template::Template;
use super::{RuleDraft, SourceFile};
use crate::change::Status;
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::matchers::image::ImageClass;
use crate::matchers::structured::StructureSpec;
use deploy_guard_patterns::needles::{self, Needles};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use std::sync::{Arc, Mutex, OnceLock};
use toml::Spanned;

static RULE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$").expect("valid regex")
});

/// A compiled rule: its documentation and its matchers.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `category/name`.
    pub id: String,
    /// Severity after configuration overrides.
    pub severity: Severity,
    /// One line for listings.
    pub summary: String,
    /// The message as written (placeholders unrendered), for documentation.
    pub message_source: String,
    /// Why it matters and how to fix it.
    pub help: String,
    /// A page with more detail.
    pub url: Option<String>,
    /// Where the rule was defined (`rules/cors.toml`, `.deploy-guard.toml`, …).
    pub origin: String,
    /// Path globs as written (after overrides).
    pub paths: Vec<String>,
    /// Excluded path globs as written (after overrides).
    pub exclude: Vec<String>,
    /// Statuses the rule applies to; empty = all.
    pub status: Vec<Status>,
    /// Worked examples.
    pub examples: Vec<Example>,
    pub(crate) message: Template,
    pub(crate) added: Option<LazyRegex>,
    /// Literals every match of `added` contains one of (see [`needles`]); `None`: no filter.
    pub(crate) added_needles: Option<Needles>,
    pub(crate) removed: Option<LazyRegex>,
    /// As `added_needles`, for `removed`.
    pub(crate) removed_needles: Option<Needles>,
    pub(crate) unless: Option<LazyRegex>,
    pub(crate) within: Option<LazyRegex>,
    pub(crate) filename: Option<LazyRegex>,
    pub(crate) image: Vec<ImageClass>,
    pub(crate) structure: Option<Box<LazyStructure>>,
    /// The whole-tree path check this rule runs, if any.
    pub check: Option<PathCheck>,
    pub(crate) without_change: Option<Box<PathGlobs>>,
    pub(crate) with_change: Option<Box<PathGlobs>>,
    pub(crate) with_finding: Option<RuleIdGlobs>,
    pub(crate) without_finding: Option<RuleIdGlobs>,
    /// Reported by the gate itself, never matched against the change (see the spec).
    pub gate_reported: bool,
}

impl Rule {
    /// The category, the part of the id before `/`.
    pub fn category(&self) -> &str {
        self.id.split('/').next().unwrap_or(&self.id)
    }
}

/// Line sets built so far, by the rules chosen and the scan they were built for.
type LineSetCache = HashMap<(Vec<usize>, Scan), Arc<LineSets>>;

/// Every rule in effect, compiled, with merged path filters and line-pattern sets.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    include: PathFilter,
    exclude: PathFilter,
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
            include: PathFilter::build(&rules, |r| &r.paths)?,
            exclude: PathFilter::build(&rules, |r| &r.exclude)?,
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

    /// Which rules' path filters admit `path` (indexed like [`RuleSet::rules`]).
    pub fn applicable(&self, path: &str) -> Vec<bool> {
        let mut on = vec![false; self.rules.len()];
        for &i in &self.unfiltered {
            on[i] = true;
        }
        for i in self.include.owners(path) {
            on[i] = true;
        }
        for i in self.exclude.owners(path) {
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

/// Path globs (see [`path_glob`]), each under a caller's slot number. Globs are matched by
/// hand where their shape allows (see [`HandGlobs`]; every built-in glob does): globset's
/// strategies and regex set cost more to build than a check spends matching. Only the rest go
/// into a glob set.
#[derive(Debug, Clone)]
pub(crate) struct PathGlobs {
    hand: HandGlobs,
    /// Globs of any other shape, with the slot of each in the order added; `None` when there
    /// are none.
    fallback: Option<(GlobSet, Vec<usize>)>,
}

impl PathGlobs {
    /// Compiles `(glob, slot)` pairs; a bad glob's error names its slot.
    fn new<'g>(
        globs: impl IntoIterator<Item = (&'g str, usize)>,
    ) -> Result<PathGlobs, (usize, String)> {
        let mut hand = HandGlobs::default();
        let mut others: Vec<(usize, &str)> = Vec::new();
        for (glob, slot) in globs {
            if !hand.add(&normalise_glob(glob), slot) {
                others.push((slot, glob));
            }
        }
        let fallback = match others.is_empty() {
            true => None,
            false => Some((
                glob_set(others.iter().map(|&(slot, glob)| (slot, path_glob(glob))))?,
                others.into_iter().map(|(slot, _)| slot).collect(),
            )),
        };
        Ok(PathGlobs { hand, fallback })
    }

    /// The slot of every glob matching `path`.
    fn matches<'s>(&'s self, path: &'s str) -> impl Iterator<Item = usize> + 's {
        let by_globset = self
            .fallback
            .iter()
            .flat_map(move |(set, slots)| set.matches(path).into_iter().map(|g| slots[g]));
        self.hand.matches(path).chain(by_globset)
    }

    /// Whether any glob matches `path`.
    pub(crate) fn is_match(&self, path: &str) -> bool {
        self.matches(path).next().is_some()
    }
}

/// Globs on rule ids (`with_finding`, `without_finding`). Only the rules that fired consult
/// them, so built-in ones compile on first use; a repository's own compile at once, so errors
/// point at the rule file.
#[derive(Debug, Clone)]
pub(crate) struct RuleIdGlobs {
    globs: Vec<String>,
    set: OnceLock<GlobSet>,
}

impl RuleIdGlobs {
    /// `None` for an empty list.
    fn new(file: &SourceFile, list: Vec<Spanned<String>>, eager: bool) -> Result<Option<Self>> {
        if list.is_empty() {
            return Ok(None);
        }
        let globs: Vec<String> = list.iter().map(|g| g.get_ref().clone()).collect();
        let set = OnceLock::new();
        if eager {
            let built = Self::compile(&globs).map_err(|(i, m)| file.error(list[i].span(), m))?;
            let _ = set.set(built);
        }
        Ok(Some(RuleIdGlobs { globs, set }))
    }

    /// The globs as one set; an error names the bad glob's index.
    fn compile(globs: &[String]) -> Result<GlobSet, (usize, String)> {
        glob_set(globs.iter().enumerate().map(|(i, glob)| {
            let built = Glob::new(glob).map_err(|e| format!("bad glob '{glob}': {}", e.kind()));
            (i, built)
        }))
    }

    /// Whether any glob matches rule `id`.
    pub(crate) fn is_match(&self, id: &str) -> bool {
        self.set
            .get_or_init(|| {
                Self::compile(&self.globs).expect("built-in rules are compiled by the test suite")
            })
            .is_match(id)
    }
}

/// One glob set from `(index, glob)` pairs; an error names the bad glob's index (the first
/// one for an error of the set as a whole).
fn glob_set(
    globs: impl IntoIterator<Item = (usize, Result<Glob, String>)>,
) -> Result<GlobSet, (usize, String)> {
    let mut builder = GlobSetBuilder::new();
    for (at, glob) in globs {
        builder.add(glob.map_err(|m| (at, m))?);
    }
    builder.build().map_err(|e| (0, e.to_string()))
}

/// The distinct keys of `(owner, key)` pairs, in first-seen order, each with its owners in
/// order: rules share globs and needles, and each distinct one is compiled once.
pub(super) fn group_by_key<K: Copy + Eq + std::hash::Hash>(
    pairs: impl IntoIterator<Item = (usize, K)>,
) -> (Vec<K>, Vec<Vec<usize>>) {
    let mut keys = Vec::new();
    let mut owners: Vec<Vec<usize>> = Vec::new();
    let mut slot: HashMap<K, usize> = HashMap::new();
    for (owner, key) in pairs {
        let at = *slot.entry(key).or_insert_with(|| {
            keys.push(key);
            owners.push(Vec::new());
            owners.len() - 1
        });
        owners[at].push(owner);
    }
    (keys, owners)
}

/// One side of every rule's path filter (`paths` or `exclude`). Packs repeat the same globs
/// across rules (a pack's exclusions, `**/*.yaml`), so each distinct glob is compiled once and
/// remembers every rule that wrote it.
#[derive(Debug, Clone)]
struct PathFilter {
    globs: PathGlobs,
    owners: Vec<Vec<usize>>,
}

impl PathFilter {
    fn build(rules: &[Rule], side: fn(&Rule) -> &Vec<String>) -> Result<PathFilter> {
        let (distinct, owners) = group_by_key(
            rules
                .iter()
                .enumerate()
                .flat_map(|(i, rule)| side(rule).iter().map(move |g| (i, g.as_str()))),
        );
        let globs = PathGlobs::new(distinct.into_iter().zip(0..))
            .map_err(|(_, message)| Error::Rule(message))?;
        Ok(PathFilter { globs, owners })
    }

    /// The rules owning a glob that matches `path`.
    fn owners<'s>(&'s self, path: &'s str) -> impl Iterator<Item = usize> + 's {
        self.globs
            .matches(path)
            .flat_map(|slot| self.owners[slot].iter().copied())
    }
}

/// The needles of a line pattern: ready-made for built-in (ASCII) patterns, worked out
/// otherwise.
fn needles_of(pattern: &LazyRegex) -> Option<Needles> {
    let ascii = pattern.syntax() == Syntax::Ascii;
    match builtin_patterns::lookup(pattern.as_str()).filter(|_| ascii) {
        Some(ready) => ready
            .needles
            .map(|list| list.iter().map(|n| n.to_vec()).collect()),
        None => needles::of_pattern(pattern.as_str(), ascii),
    }
}

/// Builds a path glob: `*` stays within one directory; a glob without `/` matches the file
/// name at any depth; a leading `/` anchors at the repository root.
pub(crate) fn path_glob(glob: &str) -> Result<Glob, String> {
    GlobBuilder::new(&normalise_glob(glob))
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| format!("bad glob '{glob}': {}", e.kind()))
}

/// A path glob as globset reads it: a glob without `/` gets a leading `**/`, and a leading `/`
/// (anchored at the repository root) is dropped.
pub(crate) fn normalise_glob(glob: &str) -> Cow<'_, str> {
    match glob.strip_prefix('/') {
        Some(anchored) => Cow::Borrowed(anchored),
        None if !glob.contains('/') => Cow::Owned(format!("**/{glob}")),
        None => Cow::Borrowed(glob),
    }
}

/// Checks a list of path globs, pointing at the first bad one.
pub(crate) fn check_globs(file: &super::SourceFile, globs: &[Spanned<String>]) -> Result<()> {
    for g in globs {
        path_glob(g.get_ref()).map_err(|m| file.error(g.span(), m))?;
    }
    Ok(())
}

fn compile_rule(draft: RuleDraft, strict: bool) -> Result<Rule> {
    let RuleDraft {
        spec,
        file,
        builtin,
    } = draft;
    let eager = strict || !builtin;
    let RuleSpec {
        id,
        severity,
        summary,
        message,
        help,
        url,
        paths,
        exclude,
        added,
        removed,
        unless,
        within,
        filename,
        status,
        examples,
        image,
        query,
        dockerfile,
        terraform,
        check,
        without_change,
        with_change,
        with_finding,
        without_finding,
        gate_reported,
    } = spec;
    if !RULE_ID.is_match(id.get_ref()) {
        return Err(file.error(
            id.span(),
            format!(
                "rule id '{}' must be 'category/name' in lower-case kebab (e.g. 'team/debug-on')",
                id.get_ref()
            ),
        ));
    }
    let id_span = id.span();
    let rule_id = id.into_inner();
    if eager {
        check_globs(&file, &paths)?;
        check_globs(&file, &exclude)?;
    }
    // Built-in patterns on content read ASCII (see `Syntax`); everything else reads Unicode.
    let content_syntax = if builtin {
        Syntax::Ascii
    } else {
        Syntax::Unicode
    };
    let regex = |field: &str, re: Option<Spanned<String>>, syntax: Syntax| {
        re.map(|re| {
            Compile { syntax, eager }.regex(re.get_ref()).map_err(|e| {
                let detail = e.to_string().lines().last().unwrap_or_default().to_string();
                file.error(
                    re.span(),
                    format!("rule '{rule_id}': `{field}` is not a valid regex: {detail}"),
                )
            })
        })
        .transpose()
    };
    let added = regex("added", added, content_syntax)?;
    let removed = regex("removed", removed, content_syntax)?;
    let added_needles = added.as_ref().and_then(needles_of);
    let removed_needles = removed.as_ref().and_then(needles_of);
    let unless = regex("unless", unless, content_syntax)?;
    let within = regex("within", within, content_syntax)?;
    let filename = regex("filename", filename, Syntax::Unicode)?;
    let line_based = added.is_some() || removed.is_some();
    let has_matcher = line_based
        || filename.is_some()
        || !status.is_empty()
        || query.is_some()
        || dockerfile.is_some()
        || terraform.is_some()
        || check.is_some();
    if gate_reported && (has_matcher || !builtin) {
        return Err(file.error(
            id_span.clone(),
            format!("rule '{rule_id}': `gate_reported` is for the gate's own built-in findings and takes no matcher"),
        ));
    }
    let kinds = [
        line_based,
        query.is_some(),
        dockerfile.is_some(),
        terraform.is_some(),
        check.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() > 1 {
        return Err(file.error(
            id_span.clone(),
            format!("rule '{rule_id}': use one kind of matcher: added/removed, query, dockerfile, terraform or check"),
        ));
    }
    if within.is_some() && !line_based {
        return Err(file.error(
            id_span.clone(),
            format!("rule '{rule_id}': `within` needs an `added` or `removed` regex"),
        ));
    }
    let structure = match (query, dockerfile, terraform) {
        (Some(q), _, _) => Some(StructureSpec::Query(*q)),
        (_, Some(d), _) => Some(StructureSpec::Dockerfile(*d)),
        (_, _, Some(t)) => Some(StructureSpec::Terraform(t)),
        _ => None,
    }
    .map(|spec| match eager {
        true => LazyStructure::eager(spec, content_syntax, file.clone()).map(Box::new),
        false => Ok(Box::new(LazyStructure::deferred(
            spec,
            content_syntax,
            file.clone(),
        ))),
    })
    .transpose()?;
    // Checks that need the compiled regex run only for eagerly compiled rules (a repository's
    // own, or every rule under `compile_strict`).
    let capture_source = added.as_ref().or(removed.as_ref()).filter(|_| eager);
    if eager && !image.is_empty() && !capture_source.is_some_and(|re| re.has_group("image")) {
        return Err(file.error(
            id_span,
            format!("rule '{rule_id}': `image` needs an `added` or `removed` regex with an (?P<image>…) group"),
        ));
    }
    let template = Template::parse(message.get_ref())
        .map_err(|m| file.error(message.span(), format!("rule '{rule_id}': {m}")))?;
    for group in template.groups() {
        let known = if structure.is_some() {
            ["value", "was", "key", "where"].contains(&group)
        } else if check.is_some() {
            ["value", "other"].contains(&group)
        } else if !eager {
            true
        } else {
            capture_source.is_some_and(|re| match group.parse::<usize>() {
                Ok(i) => i < re.captures_len(),
                Err(_) => re.has_group(group),
            })
        };
        if !known {
            return Err(file.error(
                message.span(),
                format!(
                    "rule '{rule_id}': message uses {{{group}}}, which this rule does not provide (regex rules: capture groups; query/dockerfile/terraform: value, was, key, where; check: value, other)"
                ),
            ));
        }
    }
    let message_source = message.into_inner();
    let path_globs = |list: &[Spanned<String>]| -> Result<Option<Box<PathGlobs>>> {
        if list.is_empty() {
            return Ok(None);
        }
        PathGlobs::new(list.iter().map(|g| g.get_ref().as_str()).zip(0..))
            .map(|globs| Some(Box::new(globs)))
            .map_err(|(slot, m)| file.error(list[slot].span(), m))
    };
    let without_change = path_globs(&without_change)?;
    let with_change = path_globs(&with_change)?;
    let with_finding = RuleIdGlobs::new(&file, with_finding, eager)?;
    let without_finding = RuleIdGlobs::new(&file, without_finding, eager)?;
    Ok(Rule {
        summary: summary.unwrap_or_else(|| message_source.clone()),
        severity: severity.into_inner(),
        help,
        url,
        origin: file.name.clone(),
        paths: paths.into_iter().map(Spanned::into_inner).collect(),
        exclude: exclude.into_iter().map(Spanned::into_inner).collect(),
        status,
        examples,
        message: template,
        added,
        added_needles,
        removed,
        removed_needles,
        unless,
        within,
        filename,
        image,
        structure,
        check,
        without_change,
        with_change,
        with_finding,
        without_finding,
        message_source,
        gate_reported,
        id: rule_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_made_needles_are_the_ones_the_patterns_give() {
        let mut looked_up = 0;
        for draft in super::super::builtin().unwrap() {
            for pattern in [&draft.spec.added, &draft.spec.removed]
                .into_iter()
                .flatten()
            {
                let ready = builtin_patterns::lookup(pattern.get_ref()).map(|p| {
                    p.needles
                        .map(|l| l.iter().map(|n| n.to_vec()).collect::<Vec<_>>())
                });
                assert_eq!(
                    ready,
                    Some(needles::of_pattern(pattern.get_ref(), true)),
                    "{}",
                    draft.spec.id.get_ref()
                );
                looked_up += 1;
            }
        }
        assert!(looked_up > 20, "only {looked_up} built-in line patterns");
    }

    #[test]
    fn path_filters_admit_what_globset_admits() {
        let rules = RuleSet::compile(super::super::builtin().unwrap()).unwrap();
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

    /// Neither the path filters nor the co-change lists of the built-in rules build a glob
    /// set, and their rule-id globs wait until a rule fires.
    #[test]
    fn builtin_rules_build_no_glob_set() {
        let rules = RuleSet::compile(super::super::builtin().unwrap()).unwrap();
        assert!(rules.include.globs.fallback.is_none() && rules.exclude.globs.fallback.is_none());
        let co_change = rules
            .rules()
            .iter()
            .flat_map(|r| [&r.without_change, &r.with_change])
            .flatten();
        assert!(co_change.clone().count() > 0);
        assert!(co_change.clone().all(|g| g.fallback.is_none()));
        let by_id = rules
            .rules()
            .iter()
            .flat_map(|r| [&r.with_finding, &r.without_finding])
            .flatten();
        assert!(by_id.clone().count() > 5);
        assert!(by_id.clone().all(|g| g.set.get().is_none()));
        assert!(by_id.clone().any(|g| g.is_match("cors/wildcard-origin")));
    }

    /// Globs the hand matcher does not take still work, through globset, next to ones it does.
    #[test]
    fn globs_of_other_shapes_go_to_globset() {
        let text = r#"
[[rule]]
id = "t/odd"
severity = "info"
message = "odd"
filename = "."
paths = ["src/[!x]*.js", "docs/", "*.yml"]
exclude = ["src/{a,}b.js", "**/gen/**"]
"#;
        let drafts = super::super::parse_rule_file(super::super::SourceFile::new("t.toml", text));
        let rules = RuleSet::compile(drafts.unwrap()).unwrap();
        let fallback = |f: &PathFilter| f.globs.fallback.as_ref().map(|(_, s)| s.clone());
        assert_eq!(fallback(&rules.include), Some(vec![0, 1]));
        assert_eq!(fallback(&rules.exclude), Some(vec![0]));
        for (path, admitted) in [
            ("src/a.js", true),
            ("src/x.js", false),
            ("src/b.js", true),
            ("src/ab.js", false),
            ("docs/", true),
            ("docs", false),
            ("a/b.yml", true),
            ("a/gen/b.yml", false),
        ] {
            assert_eq!(rules.applicable(path), vec![admitted], "{path}");
        }
    }

    #[test]
    fn globs_without_slash_match_at_any_depth() {
        let g = path_glob("*.js").unwrap().compile_matcher();
        assert!(g.is_match("a/b/c.js") && g.is_match("c.js"));
        let g = path_glob("src/*.js").unwrap().compile_matcher();
        assert!(g.is_match("src/c.js") && !g.is_match("src/x/c.js"));
        let g = path_glob("/Dockerfile").unwrap().compile_matcher();
        assert!(g.is_match("Dockerfile") && !g.is_match("x/Dockerfile"));
    }
}
