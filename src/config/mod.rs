//! `.deploy-guard.toml`: where it is read from (the trust model), what it may say (its
//! [`waiver`]s included), and how it turns the built-in rules into the rule set in effect.

mod waiver;

pub use waiver::Date;
pub(crate) use waiver::{Waiver, WaiverSpec};

use crate::error::{Error, Result};
use crate::finding::{FailOn, Severity};
use crate::matching::ids::{self, RuleIdGlobs};
use crate::rules::spec::RuleSpec;
use crate::rules::{RuleDraft, RuleSet, SourceFile, check_globs};
use git2::Repository;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use toml::Spanned;

/// The configuration file's name, at the repository root.
pub(crate) const CONFIG_FILE: &str = ".deploy-guard.toml";

/// The configuration as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigSpec {
    fail_on: Option<FailOn>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RuleOverride>,
    #[serde(default)]
    rule: Vec<RuleSpec>,
    /// `false` turns inline `deploy-guard: allow` comments off (default: on).
    inline_suppressions: Option<bool>,
    #[serde(default)]
    waiver: Vec<WaiverSpec>,
}

/// `[rules."<id>"]`: changes to a rule that is already defined.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleOverride {
    severity: Option<Severity>,
    paths: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

/// A parsed, not yet applied configuration. The default is "built-in rules, fail on errors".
#[derive(Debug, Clone, Default)]
pub(crate) struct Config {
    file: Option<Arc<SourceFile>>,
    spec: ConfigSpec,
    waivers: Vec<Waiver>,
}

impl Config {
    /// Parses a configuration file; errors name file, line and column.
    pub(crate) fn parse(file: SourceFile) -> Result<Config> {
        let spec: ConfigSpec = file.parse()?;
        let waivers = Waiver::compile_all(&file, &spec.waiver)?;
        Ok(Config {
            file: Some(Arc::new(file)),
            spec,
            waivers,
        })
    }

    /// The configured `fail_on`, if any (the command line wins over it).
    pub(crate) fn fail_on(&self) -> Option<FailOn> {
        self.spec.fail_on
    }

    /// Whether inline `deploy-guard: allow` suppressions are honoured (`inline_suppressions`).
    pub(crate) fn inline_suppressions(&self) -> bool {
        self.spec.inline_suppressions.unwrap_or(true)
    }

    /// The `[[waiver]]` entries, validated.
    pub(crate) fn waivers(&self) -> &[Waiver] {
        &self.waivers
    }

    /// Applies custom rules, overrides and `disable` to `builtin`, and compiles the result.
    pub(crate) fn rule_set(&self, builtin: Vec<RuleDraft>) -> Result<RuleSet> {
        let mut drafts = builtin;
        let Some(file) = &self.file else {
            return RuleSet::compile(drafts);
        };
        drafts.extend(self.spec.rule.iter().map(|spec| RuleDraft {
            spec: spec.clone(),
            file: file.clone(),
            builtin: false,
        }));
        for (id, change) in &self.spec.rules {
            let Some(draft) = drafts
                .iter_mut()
                .find(|d| d.spec.id.get_ref() == id.get_ref())
            else {
                return Err(file.error(
                    id.span(),
                    format!("[rules.\"{}\"]: no rule has this id", id.get_ref()),
                ));
            };
            apply_override(file, draft, change)?;
        }
        for pattern in &self.spec.disable {
            let glob = pattern.get_ref();
            let matcher = RuleIdGlobs::new(vec![glob.clone()]).map_err(|(_, e)| {
                file.error(
                    pattern.span(),
                    format!("disable: {}", ids::describe(glob, &e)),
                )
            })?;
            let before = drafts.len();
            drafts.retain(|d| !matcher.is_match(d.spec.id.get_ref()));
            if before == drafts.len() && !ids::is_glob(glob) {
                return Err(file.error(
                    pattern.span(),
                    format!("disable: no rule has the id '{}'", pattern.get_ref()),
                ));
            }
        }
        RuleSet::compile(drafts)
    }
}

fn apply_override(
    file: &Arc<SourceFile>,
    draft: &mut RuleDraft,
    change: &RuleOverride,
) -> Result<()> {
    // Globs from the config are checked here, against the config file, so their errors point
    // at the config rather than at the rule's own file.
    check_globs(file, change.paths.as_deref().unwrap_or_default())?;
    check_globs(file, &change.exclude)?;
    if let Some(severity) = change.severity {
        draft.spec.severity = Spanned::new(draft.spec.severity.span(), severity);
    }
    if let Some(paths) = &change.paths {
        draft.spec.paths = paths.clone();
    }
    draft.spec.exclude.extend(change.exclude.iter().cloned());
    Ok(())
}

/// Loads the configuration in effect: `explicit` if given; else the file in `commit` (the
/// trusted base of a range); else the working tree's file; else the defaults.
pub(crate) fn load(
    repo: &Repository,
    explicit: Option<&Path>,
    commit: Option<git2::Oid>,
) -> Result<Config> {
    if let Some(path) = explicit {
        return Config::parse(SourceFile::read(path)?);
    }
    if let Some(commit) = commit {
        let tree = repo.find_commit(commit)?.tree()?;
        let Ok(entry) = tree.get_path(Path::new(CONFIG_FILE)) else {
            return Ok(Config::default());
        };
        let blob = entry.to_object(repo)?.peel_to_blob()?;
        let text = String::from_utf8_lossy(blob.content()).into_owned();
        let short = &commit.to_string()[..12];
        return Config::parse(SourceFile::new(format!("{short}:{CONFIG_FILE}"), text));
    }
    let Some(root) = repo.workdir() else {
        return Ok(Config::default());
    };
    let path = root.join(CONFIG_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Config::parse(SourceFile::new(CONFIG_FILE, text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(Error::Io { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<RuleSet> {
        Config::parse(SourceFile::new("c.toml", text.to_string()))?
            .rule_set(crate::rules::builtin()?)
    }

    fn message(r: Result<RuleSet>) -> String {
        r.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn unknown_key_is_positioned() {
        assert!(message(config("fail_on = \"error\"\nfial = 1\n")).starts_with("c.toml:2:1:"));
    }

    #[test]
    fn override_of_unknown_rule_names_it() {
        let m = message(config("[rules.\"cors/nope\"]\nseverity = \"info\"\n"));
        assert!(m.starts_with("c.toml:1:") && m.contains("cors/nope"), "{m}");
    }

    #[test]
    fn disable_unknown_exact_id_fails_but_unmatched_glob_is_fine() {
        assert!(message(config("disable = [\"cors/typo\"]\n")).contains("cors/typo"));
        assert!(config("disable = [\"nothing/*\"]\n").is_ok());
    }
}
