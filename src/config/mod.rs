//! `.deploy-guard.toml`: where it is read from (the trust model), what it may say (its
//! [`waiver`]s included; its JSON Schema is generated from the same types), and how it turns
//! the built-in rules, narrowed by the command line's [`Selection`], into the rule set in
//! effect.

mod render;
mod selection;
mod waiver;

pub(crate) use render::{Render, RenderSpec};
pub use selection::Selection;
pub use waiver::Date;
pub(crate) use waiver::{Waiver, WaiverSpec};

use crate::error::{Error, Result};
use crate::finding::{FailOn, Severity};
use crate::matching::globs::PathGlobs;
use crate::matching::ids::{self, RuleIdGlobs};
use crate::rules::spec::RuleSpec;
use crate::rules::{RuleDraft, RuleSet, SourceFile, check_globs};
use git2::Repository;
use selection::Unmatched;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use toml::Spanned;

/// Where the configuration trusted for a change is read from (the trust model).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFrom {
    /// The file in this commit, a range's base: the change under judgment cannot edit it.
    Commit(git2::Oid),
    /// The working tree's file: the index or the working tree (your own work), a first push.
    WorkingTree,
    /// No file: the range starts at the empty tree, which holds none; the built-in defaults.
    Defaults,
}

/// The configuration file's name, at the repository root.
pub(crate) const CONFIG_FILE: &str = ".deploy-guard.toml";

/// `.deploy-guard.toml`: the repository's deploy-guard configuration, read from the base
/// revision when a range is checked (docs/rules.md describes every key).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "deploy-guard configuration (.deploy-guard.toml)")]
struct ConfigSpec {
    /// The lowest severity that fails the check (`--fail-on` wins over it).
    fail_on: Option<FailOn>,
    /// Rules to switch off, by id or glob of ids (e.g. `docs/*`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    disable: Vec<Spanned<String>>,
    /// Changes to rules that are already defined, by id: `[rules."image/latest-tag"]`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, RuleOverride>")]
    rules: BTreeMap<Spanned<String>, RuleOverride>,
    /// The team's own rules.
    #[serde(default)]
    rule: Vec<RuleSpec>,
    /// `false` turns inline `deploy-guard: allow` comments off (default: on).
    inline_suppressions: Option<bool>,
    /// Time-boxed exceptions: a rule on some paths, waived until a date.
    #[serde(default)]
    waiver: Vec<WaiverSpec>,
    /// Commands that render deployable configuration (kustomize, `helm template`, `cdk
    /// synth`…) in clean checkouts of base and head; what they render is judged like source.
    #[serde(default)]
    render: Vec<RenderSpec>,
}

/// `[rules."<id>"]`: changes to a rule that is already defined.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RuleOverride {
    /// The severity in effect instead of the rule's own.
    severity: Option<Severity>,
    /// Path globs the rule applies to, instead of its own.
    #[schemars(with = "Option<Vec<String>>")]
    paths: Option<Vec<Spanned<String>>>,
    /// Path globs the rule never applies to, added to its own.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    exclude: Vec<Spanned<String>>,
}

/// Where this version's JSON Schema is published: the file the repository ships as
/// `schema/deploy-guard.schema.json` (a test keeps it equal to [`json_schema`]), at the release
/// tag. `init` writes it on the starter's `#:schema` line for Taplo and Even Better TOML.
pub const SCHEMA_URL: &str = concat!(
    "https://raw.githubusercontent.com/deploy-guard/deploy-guard/v",
    env!("CARGO_PKG_VERSION"),
    "/schema/deploy-guard.schema.json"
);

/// The JSON Schema of `.deploy-guard.toml` as pretty JSON, generated from the types the file is
/// read into, so it cannot disagree with the parser.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(ConfigSpec);
    schema.insert("$id".into(), SCHEMA_URL.into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// A parsed, not yet applied configuration. The default is "built-in rules, fail on errors".
#[derive(Debug, Clone, Default)]
pub(crate) struct Config {
    file: Option<Arc<SourceFile>>,
    spec: ConfigSpec,
    waivers: Vec<Waiver>,
    renders: Vec<Render>,
}

impl Config {
    /// Parses a configuration file; errors name file, line and column.
    pub(crate) fn parse(file: SourceFile) -> Result<Config> {
        let spec: ConfigSpec = file.parse()?;
        let waivers = Waiver::compile_all(&file, &spec.waiver)?;
        let renders = Render::compile_all(&file, &spec.render)?;
        Ok(Config {
            file: Some(Arc::new(file)),
            spec,
            waivers,
            renders,
        })
    }

    /// The file's name as messages give it; `None` for the defaults.
    pub(crate) fn file_name(&self) -> Option<&str> {
        self.file.as_deref().map(|f| f.name.as_str())
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

    /// The `[[render]]` entries, validated.
    pub(crate) fn renders(&self) -> &[Render] {
        &self.renders
    }

    /// Applies custom rules, overrides and `disable` to `builtin`, then the command line's
    /// `selection`, and compiles the result.
    pub(crate) fn rule_set(
        &self,
        builtin: Vec<RuleDraft>,
        selection: &Selection,
    ) -> Result<Selected> {
        let mut drafts = builtin;
        if let Some(file) = &self.file {
            self.customize(file, &mut drafts)?;
        }
        let ids: Vec<String> = drafts.iter().map(|d| d.spec.id.get_ref().clone()).collect();
        let known: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut warnings = Vec::new();
        let enabled = selection.enabled(&known, &mut warnings)?;
        if let Some(file) = &self.file {
            for pattern in &self.spec.disable {
                let glob = pattern.get_ref();
                let matcher = RuleIdGlobs::new(vec![glob.clone()]).map_err(|(_, e)| {
                    file.error(
                        pattern.span(),
                        format!("disable: {}", ids::describe(glob, &e)),
                    )
                })?;
                match selection::unmatched(glob, &matcher, &known) {
                    Some(Unmatched::UnknownId(why)) => {
                        return Err(file.error(pattern.span(), format!("disable: {why}")));
                    }
                    Some(Unmatched::NoMatch(why)) => warnings.push(format!(
                        "{}: disable: {why}",
                        file.locate(pattern.span().start)
                    )),
                    None => {}
                }
                drafts.retain(|d| {
                    let id = d.spec.id.get_ref();
                    !matcher.is_match(id) || enabled.is_match(id)
                });
            }
        }
        selection.narrow(&known, &mut drafts, &mut warnings)?;
        Ok(Selected {
            rules: RuleSet::compile(drafts)?,
            excluded: selection.excluded()?,
            warnings,
        })
    }

    /// Adds the configuration's own rules to `drafts` and applies its `[rules."<id>"]`
    /// overrides.
    fn customize(&self, file: &Arc<SourceFile>, drafts: &mut Vec<RuleDraft>) -> Result<()> {
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
        Ok(())
    }
}

/// The rules a configuration and the command line put in effect for one run.
#[derive(Debug, Clone)]
pub(crate) struct Selected {
    /// The rules in effect, compiled.
    pub(crate) rules: RuleSet,
    /// The `--exclude` globs, on which no finding is reported (the gate's own included).
    pub(crate) excluded: Option<PathGlobs>,
    /// What is probably a mistake: `disable`, `--disable` or `--enable` globs that match no rule.
    pub(crate) warnings: Vec<String>,
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

/// Loads the configuration in effect: `explicit` if given; else the file `from` names; the
/// defaults where there is none.
pub(crate) fn load(repo: &Repository, explicit: Option<&Path>, from: ConfigFrom) -> Result<Config> {
    if let Some(path) = explicit {
        return Config::parse(SourceFile::read(path)?);
    }
    if from == ConfigFrom::Defaults {
        return Ok(Config::default());
    }
    if let ConfigFrom::Commit(commit) = from {
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

    fn config(text: &str) -> Result<Selected> {
        Config::parse(SourceFile::new("c.toml", text.to_string()))?
            .rule_set(crate::rules::builtin()?, &Selection::default())
    }

    fn message(r: Result<Selected>) -> String {
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
    fn disable_unknown_exact_id_fails_but_unmatched_glob_warns() {
        let m = message(config("disable = [\"cors/wildcard-orign\"]\n"));
        assert!(
            m.contains("'cors/wildcard-orign'")
                && m.contains("did you mean 'cors/wildcard-origin'"),
            "{m}"
        );
        let warned = config("disable = [\"cors/wildcrd*\"]\n").map(|s| s.warnings);
        assert_eq!(
            warned.ok(),
            Some(vec![
                "c.toml:1:12: disable: 'cors/wildcrd*' matches no rule; did you mean 'cors/wildcard-origin', 'cors/wildcard-list-item' or 'cors/wildcard-header-config'?".to_string()
            ])
        );
    }
}
