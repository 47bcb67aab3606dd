//! What a change is judged under: the configuration trusted for it and the rule set it puts in
//! effect (the built-in packs, changed by the configuration's overrides, `disable` and own
//! rules).

use crate::config::{self, Config};
use crate::error::Result;
use crate::rules::{self, Packs, RuleSet, SourceFile};
use crate::source;
use git2::Repository;
use std::path::Path;

/// The configuration in effect and the rules it yields.
#[derive(Debug, Clone)]
pub struct Policy {
    config: Config,
    rules: RuleSet,
}

impl Policy {
    /// The built-in rules with the default settings (no configuration file).
    pub fn builtin() -> Result<Policy> {
        Policy::new(Config::default(), rules::builtin()?)
    }

    /// The built-in rules under the configuration `text`; `name` names the file in errors.
    pub fn configured(name: &str, text: &str) -> Result<Policy> {
        let config = Config::parse(SourceFile::new(name, text.to_string()))?;
        Policy::new(config, rules::builtin()?)
    }

    /// The configuration `text` with its own rules only, without the built-in packs: checks a
    /// configuration quickly (the fuzz targets).
    pub fn configured_alone(name: &str, text: &str) -> Result<Policy> {
        let config = Config::parse(SourceFile::new(name, text.to_string()))?;
        Policy::new(config, Vec::new())
    }

    /// The policy for a change read from `repo`, by the trust model: `config_file` if given,
    /// else the configuration in `config_commit` (a range's base), else the working tree's.
    /// With `rule_docs`, the built-in packs are read whole; else without their worked examples
    /// and help texts, which judging a change never runs or shows.
    pub(crate) fn load(
        repo: &Repository,
        config_file: Option<&Path>,
        config_commit: Option<git2::Oid>,
        rule_docs: bool,
    ) -> Result<Policy> {
        let config = config::load(repo, config_file, config_commit)?;
        let packs = if rule_docs {
            Packs::Full
        } else {
            Packs::ForChecking
        };
        Policy::new(config, rules::builtin_packs(packs)?)
    }

    /// The policy around `cwd`, for listing, explaining and testing rules: the built-in rules
    /// under the working tree's configuration, or under `config_file` (relative to `cwd`).
    /// Outside a repository: the built-ins alone, or under `config_file`.
    pub(crate) fn around(cwd: &Path, config_file: Option<&Path>) -> Result<Policy> {
        let explicit = config_file.map(|path| cwd.join(path));
        let explicit = explicit.as_deref();
        let config = match (source::open_repository(cwd), explicit) {
            (Ok(repo), _) => config::load(&repo, explicit, None)?,
            (Err(_), Some(path)) => Config::parse(SourceFile::read(path)?)?,
            (Err(_), None) => Config::default(),
        };
        Policy::new(config, rules::builtin()?)
    }

    /// The rules of `file` (a configuration or rule file) and the built-in rules, with the
    /// default settings otherwise: what `test-rules FILE` runs the examples of.
    pub(crate) fn of_file(file: SourceFile) -> Result<Policy> {
        let rules = Config::parse(file)?.rule_set(rules::builtin()?)?;
        Ok(Policy {
            config: Config::default(),
            rules,
        })
    }

    fn new(config: Config, builtin: Vec<rules::RuleDraft>) -> Result<Policy> {
        let rules = config.rule_set(builtin)?;
        Ok(Policy { config, rules })
    }

    /// The configuration in effect.
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// The rules in effect.
    pub(crate) fn rules(&self) -> &RuleSet {
        &self.rules
    }
}
