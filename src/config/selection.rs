//! The command line's narrowing of the configuration for one run: `--disable` and `--enable`
//! (rule-id globs) and `--exclude` (path globs). The configuration comes from the base, so a
//! change cannot switch off what judges it; these flags are the runner's (the workflow or the
//! person at the terminal), so they may narrow the rules or re-enable one the configuration
//! disabled, but never add a rule. Every report shows them.

use crate::error::{Error, Result};
use crate::matching::globs::{PathGlobs, path_glob};
use crate::matching::ids::{self, RuleIdGlobs};
use crate::matching::nearest::{did_you_mean, nearest};
use crate::rules::RuleDraft;
use toml::Spanned;

/// What the command line changed for this run. Precedence, lowest first: the configuration's
/// `disable`, then `--enable` (re-enables rules the configuration disabled), then `--disable`
/// (wins over everything). `--exclude` applies to every rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Selection {
    /// `--disable`: rule ids or globs switched off for this run.
    pub disable: Vec<String>,
    /// `--enable`: rule ids or globs switched back on that the configuration's `disable`
    /// switched off.
    pub enable: Vec<String>,
    /// `--exclude`: path globs on which no finding is reported in this run.
    pub exclude: Vec<String>,
}

/// A rule-id glob that matches no rule.
pub(super) enum Unmatched {
    /// An exact id that names no rule: an error, since nothing else can have been meant.
    UnknownId(String),
    /// A glob that matches nothing: a warning, since a later rule could match it.
    NoMatch(String),
}

impl Selection {
    /// Whether the command line changed nothing.
    pub fn is_empty(&self) -> bool {
        self.disable.is_empty() && self.enable.is_empty() && self.exclude.is_empty()
    }

    /// The flags as they were given (`--disable 'docs/*'`), for the reports' header.
    pub fn describe(&self) -> Vec<String> {
        let flags = [
            ("--disable", &self.disable),
            ("--enable", &self.enable),
            ("--exclude", &self.exclude),
        ];
        flags
            .into_iter()
            .flat_map(|(flag, globs)| globs.iter().map(move |g| format!("{flag} {g}")))
            .collect()
    }

    /// The `--enable` globs, compiled; checked against the `known` rule ids.
    pub(super) fn enabled(
        &self,
        known: &[&str],
        warnings: &mut Vec<String>,
    ) -> Result<RuleIdGlobs> {
        for glob in &self.enable {
            let matcher = id_globs("--enable", glob)?;
            match unmatched(glob, &matcher, known) {
                Some(Unmatched::UnknownId(why)) => {
                    return Err(Error::Rule(format!(
                        "--enable: {why} (--enable only re-enables a built-in or configured rule)"
                    )));
                }
                Some(Unmatched::NoMatch(why)) => warnings.push(format!("--enable: {why}")),
                None => {}
            }
        }
        RuleIdGlobs::new(self.enable.clone())
            .map_err(|(i, e)| bad_glob("--enable", &self.enable[i], &e))
    }

    /// Applies `--disable` and `--exclude` to `drafts`, whose ids before any `disable` were
    /// `known`.
    pub(super) fn narrow(
        &self,
        known: &[&str],
        drafts: &mut Vec<RuleDraft>,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        for glob in &self.disable {
            let matcher = id_globs("--disable", glob)?;
            match unmatched(glob, &matcher, known) {
                Some(Unmatched::UnknownId(why)) => {
                    return Err(Error::Rule(format!("--disable: {why}")));
                }
                Some(Unmatched::NoMatch(why)) => warnings.push(format!("--disable: {why}")),
                None => {}
            }
            drafts.retain(|d| !matcher.is_match(d.spec.id.get_ref()));
        }
        for glob in &self.exclude {
            path_glob(glob).map_err(|why| Error::Usage(format!("--exclude: {why}")))?;
        }
        for draft in drafts {
            let span = draft.spec.id.span();
            draft.spec.exclude.extend(
                self.exclude
                    .iter()
                    .map(|g| Spanned::new(span.clone(), g.clone())),
            );
        }
        Ok(())
    }

    /// The `--exclude` globs as one matcher; `None` without any.
    pub(super) fn excluded(&self) -> Result<Option<PathGlobs>> {
        if self.exclude.is_empty() {
            return Ok(None);
        }
        PathGlobs::new(self.exclude.iter().map(String::as_str).zip(0..))
            .map(Some)
            .map_err(|(_, why)| Error::Usage(format!("--exclude: {why}")))
    }
}

/// One rule-id glob given as `flag`, compiled.
fn id_globs(flag: &str, glob: &str) -> Result<RuleIdGlobs> {
    RuleIdGlobs::new(vec![glob.to_string()]).map_err(|(_, e)| bad_glob(flag, glob, &e))
}

fn bad_glob(flag: &str, glob: &str, error: &globset::Error) -> Error {
    Error::Usage(format!("{flag}: {}", ids::describe(glob, error)))
}

/// What is wrong with `pattern` (compiled as `matcher`) when it matches none of the `known`
/// ids, with the closest ids it may have meant; `None` when it matches one.
pub(super) fn unmatched(pattern: &str, matcher: &RuleIdGlobs, known: &[&str]) -> Option<Unmatched> {
    if known.iter().any(|id| matcher.is_match(id)) {
        return None;
    }
    let hint = did_you_mean(&nearest(pattern, known.iter().copied()));
    Some(if ids::is_glob(pattern) {
        Unmatched::NoMatch(format!("'{pattern}' matches no rule{hint}"))
    } else {
        Unmatched::UnknownId(format!("no rule has the id '{pattern}'{hint}"))
    })
}
