//! What a change is judged under: the configuration trusted for it and the rule set it puts in
//! effect (the built-in packs, changed by the configuration's overrides, `disable` and own
//! rules, then narrowed by the command line's [`Selection`]).

use crate::config::{self, Config, ConfigFrom, Selected, Selection};
use crate::error::Result;
use crate::matching::globs::PathGlobs;
use crate::rules::{self, Packs, RuleSet, SourceFile};
use crate::source;
use git2::Repository;
use std::path::Path;

/// The configuration in effect and the rules it yields.
#[derive(Debug, Clone)]
pub struct Policy {
    config: Config,
    rules: RuleSet,
    excluded: Option<PathGlobs>,
    warnings: Vec<String>,
}

impl Policy {
    /// The built-in rules with the default settings (no configuration file).
    pub fn builtin() -> Result<Policy> {
        Policy::new(Config::default(), rules::builtin()?, &Selection::default())
    }

    /// The built-in rules under the configuration `text`; `name` names the file in errors.
    pub fn configured(name: &str, text: &str) -> Result<Policy> {
        let config = Config::parse(SourceFile::new(name, text.to_string()))?;
        Policy::new(config, rules::builtin()?, &Selection::default())
    }

    /// The configuration `text` with its own rules only, without the built-in packs: checks a
    /// configuration quickly (the fuzz targets).
    pub fn configured_alone(name: &str, text: &str) -> Result<Policy> {
        let config = Config::parse(SourceFile::new(name, text.to_string()))?;
        Policy::new(config, Vec::new(), &Selection::default())
    }

    /// The policy for a change read from `repo`, by the trust model: `config_file` if given,
    /// else the configuration `from` names (a range's base, the working tree, or none), then
    /// narrowed by the command line's `selection`. With `rule_docs`, the built-in packs are
    /// read whole; else without their worked examples and help texts, which judging a change
    /// never runs or shows.
    pub(crate) fn load(
        repo: &Repository,
        config_file: Option<&Path>,
        from: ConfigFrom,
        selection: &Selection,
        rule_docs: bool,
    ) -> Result<Policy> {
        let config = config::load(repo, config_file, from)?;
        let packs = if rule_docs {
            Packs::Full
        } else {
            Packs::ForChecking
        };
        Policy::new(config, rules::builtin_packs(packs)?, selection)
    }

    /// The policy around `cwd`, for listing, explaining and testing rules: the built-in rules
    /// under the working tree's configuration, or under `config_file` (relative to `cwd`).
    /// Outside a repository: the built-ins alone, or under `config_file`.
    pub(crate) fn around(cwd: &Path, config_file: Option<&Path>) -> Result<Policy> {
        let explicit = config_file.map(|path| cwd.join(path));
        let explicit = explicit.as_deref();
        let config = match (source::open_repository(cwd), explicit) {
            (Ok(repo), _) => config::load(&repo, explicit, ConfigFrom::WorkingTree)?,
            (Err(_), Some(path)) => Config::parse(SourceFile::read(path)?)?,
            (Err(_), None) => Config::default(),
        };
        Policy::new(config, rules::builtin()?, &Selection::default())
    }

    /// The rules of `file` (a configuration or rule file) and the built-in rules, with the
    /// default settings otherwise: what `test-rules FILE` runs the examples of.
    pub(crate) fn of_file(file: SourceFile) -> Result<Policy> {
        let selected = Config::parse(file)?.rule_set(rules::builtin()?, &Selection::default())?;
        Ok(Policy::from_selected(Config::default(), selected))
    }

    fn new(
        config: Config,
        builtin: Vec<rules::RuleDraft>,
        selection: &Selection,
    ) -> Result<Policy> {
        let selected = config.rule_set(builtin, selection)?;
        Ok(Policy::from_selected(config, selected))
    }

    fn from_selected(config: Config, selected: Selected) -> Policy {
        let Selected {
            rules,
            excluded,
            warnings,
        } = selected;
        Policy {
            config,
            rules,
            excluded,
            warnings,
        }
    }

    /// The configuration in effect.
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// The rules in effect.
    pub(crate) fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Whether `--exclude` keeps every finding off `path` in this run.
    pub(crate) fn excludes(&self, path: &str) -> bool {
        self.excluded
            .as_ref()
            .is_some_and(|globs| globs.is_match(path))
    }

    /// What is probably a mistake in the configuration or the command line (globs that match
    /// no rule), each with the closest rule ids.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The rule ids closest to `id`, which names no rule in effect: what `explain` suggests.
    pub(crate) fn nearest_ids(&self, id: &str) -> Vec<String> {
        crate::matching::nearest::nearest(id, self.rules.rules().iter().map(|r| r.id.as_str()))
    }
}
