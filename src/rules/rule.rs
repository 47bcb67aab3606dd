//! One rule compiled from its spec: its documentation and its matchers. Every glob, regex and
//! message a repository writes is checked here, so errors point at file:line:column; built-in
//! rules' patterns compile on first use instead (the test suite compiles them all).

use super::source_file::SourceFile;
use super::spec::{Example, PathCheck, Reporter, RuleSpec};
use super::template::Template;
use crate::change::Status;
use crate::error::Result;
use crate::finding::Severity;
use crate::matching::globs::{PathGlobs, compile_path_glob};
use crate::matching::ids::{self, RuleIdGlobs};
use crate::matching::image::ImageClass;
use crate::matching::lines::needles_of;
use crate::matching::pattern::{Compile, LazyRegex, Syntax};
use crate::matching::spec::StructureSpec;
use crate::matching::structured::LazyStructure;
use deploy_guard_patterns::needles::Needles;
use regex::Regex;
use std::sync::{Arc, LazyLock};
use toml::Spanned;

static RULE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$").expect("valid regex")
});

/// A rule as parsed, with the file it came from (for positioned errors).
#[derive(Debug, Clone)]
pub struct RuleDraft {
    /// The parsed rule.
    pub spec: RuleSpec,
    /// The file it was written in.
    pub file: Arc<SourceFile>,
    /// Shipped in the binary (its patterns may compile on first use; see
    /// [`LazyRegex`]).
    pub builtin: bool,
}

/// A compiled rule: its documentation and its matchers.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `category/name`.
    pub id: String,
    /// Severity after configuration overrides.
    pub severity: Severity,
    /// One line for listings: the rule's `summary`, else its message with the placeholders
    /// elided (never a raw `{path}`).
    pub summary: String,
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
    /// Matches inside comments count too.
    pub(crate) match_comments: bool,
    /// `added` is also matched across the lines of the head file, constants read as values.
    pub(crate) statements: bool,
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
    /// Who reports the rule's findings when it is never matched against the change (see the
    /// spec); `None` for rules the engine matches.
    pub reported_by: Option<Reporter>,
}

impl Rule {
    /// Whether the engine matches this rule against changes (it is not reported by the gate or
    /// the plan judge).
    pub fn matches_changes(&self) -> bool {
        self.reported_by.is_none()
    }

    /// The category, the part of the id before `/`.
    pub fn category(&self) -> &str {
        self.id.split('/').next().unwrap_or(&self.id)
    }
}

/// Checks a list of path globs, pointing at the first bad one.
pub(crate) fn check_globs(file: &SourceFile, globs: &[Spanned<String>]) -> Result<()> {
    for g in globs {
        compile_path_glob(g.get_ref()).map_err(|m| file.error(g.span(), m))?;
    }
    Ok(())
}

/// Compiles one draft; `strict` compiles and checks every pattern now, built-ins included.
pub(super) fn compile_rule(draft: RuleDraft, strict: bool) -> Result<Rule> {
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
        match_comments,
        statements,
        within,
        filename,
        status,
        examples,
        image,
        query,
        dockerfile,
        terraform,
        cdk_image,
        cdk_construct,
        check,
        without_change,
        with_change,
        with_finding,
        without_finding,
        gate_reported,
        reported_by,
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
        for globs in [&paths, &exclude, &without_change, &with_change] {
            check_globs(&file, globs)?;
        }
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
        || cdk_image.is_some()
        || cdk_construct.is_some()
        || check.is_some();
    let reported_by = reported_by_of(&rule_id, gate_reported, reported_by, has_matcher, builtin)
        .map_err(|message| file.error(id_span.clone(), message))?;
    let kinds = [
        line_based,
        query.is_some(),
        dockerfile.is_some(),
        terraform.is_some(),
        cdk_image.is_some(),
        cdk_construct.is_some(),
        check.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() > 1 {
        return Err(file.error(
            id_span.clone(),
            format!("rule '{rule_id}': use one kind of matcher: added/removed, query, dockerfile, terraform, cdk_image, cdk_construct or check"),
        ));
    }
    if statements && (added.is_none() || within.is_some()) {
        return Err(file.error(
            id_span.clone(),
            format!("rule '{rule_id}': `statements` needs an `added` regex and no `within`"),
        ));
    }
    if within.is_some() && !line_based {
        return Err(file.error(
            id_span.clone(),
            format!("rule '{rule_id}': `within` needs an `added` or `removed` regex"),
        ));
    }
    let structure = match (query, dockerfile, terraform, cdk_image, cdk_construct) {
        (Some(q), ..) => Some(StructureSpec::Query(*q)),
        (_, Some(d), ..) => Some(StructureSpec::Dockerfile(*d)),
        (_, _, Some(t), ..) => Some(StructureSpec::Terraform(t)),
        (.., Some(i), _) => Some(StructureSpec::CdkImage(*i)),
        (.., Some(c)) => Some(StructureSpec::CdkConstruct(c)),
        _ => None,
    }
    .map(|spec| match eager {
        true => LazyStructure::eager(spec, content_syntax)
            .map(Box::new)
            .map_err(|(span, message)| file.error(span, message)),
        false => Ok(Box::new(LazyStructure::deferred(spec, content_syntax))),
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
                    "rule '{rule_id}': message uses {{{group}}}, which this rule does not provide (regex rules: capture groups; structured matchers: value, was, key, where; check: value, other)"
                ),
            ));
        }
    }
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
    let id_globs = |list: Vec<Spanned<String>>| -> Result<Option<RuleIdGlobs>> {
        if list.is_empty() {
            return Ok(None);
        }
        let globs: Vec<String> = list.iter().map(|g| g.get_ref().clone()).collect();
        if !eager {
            return Ok(Some(RuleIdGlobs::deferred(globs)));
        }
        RuleIdGlobs::new(globs)
            .map(Some)
            .map_err(|(i, e)| file.error(list[i].span(), ids::describe(list[i].get_ref(), &e)))
    };
    let with_finding = id_globs(with_finding)?;
    let without_finding = id_globs(without_finding)?;
    Ok(Rule {
        summary: summary.unwrap_or_else(|| template.elided()),
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
        match_comments,
        statements,
        within,
        filename,
        image,
        structure,
        check,
        without_change,
        with_change,
        with_finding,
        without_finding,
        reported_by,
        id: rule_id,
    })
}

/// Who reports the rule `id` (`gate_reported = true` is `reported_by = "gate"`), checked: only a
/// built-in rule without a matcher has a reporter, and the plan judge's rules are the ones it
/// reports.
fn reported_by_of(
    id: &str,
    gate_reported: bool,
    reported_by: Option<Reporter>,
    has_matcher: bool,
    builtin: bool,
) -> std::result::Result<Option<Reporter>, String> {
    let reporter = match (gate_reported, reported_by) {
        (true, Some(_)) => {
            return Err(format!(
                "rule '{id}': write `reported_by` or `gate_reported`, not both"
            ));
        }
        (true, None) => Some(Reporter::Gate),
        (false, reporter) => reporter,
    };
    if reporter.is_some() && (has_matcher || !builtin) {
        return Err(format!(
            "rule '{id}': `reported_by`/`gate_reported` is for built-in rules whose findings the gate or the plan judge makes, and takes no matcher"
        ));
    }
    if reporter == Some(Reporter::Plan) && !crate::plan::rules().iter().any(|r| r.id == id) {
        return Err(format!(
            "rule '{id}': `reported_by = \"plan\"` names a rule the plan judge does not report"
        ));
    }
    Ok(reporter)
}
