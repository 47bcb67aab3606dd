//! A change to a compose project's `.env` judged as a change of the compose files it feeds:
//! `SNUBA_IMAGE=…:nightly` in `.env` moves the image of every service that reads it, though no
//! compose line changed. Each compose file of the `.env`'s folder that the change leaves alone
//! is judged with the base `.env` against the head one (a changed compose file is judged that
//! way already), and what is found is reported on the `.env` line that sets the variable,
//! naming the services: one finding per variable and value, however many services read it.

use super::findings::{Decision, decisions, finding, hit_message, named};
use super::whole::{ProjectEnv, Whole};
use crate::change::{ChangedFile, FileKind, Side, Status};
use crate::error::Result;
use crate::finding::{Finding, Skipped};
use crate::matching::compose::{is_compose_file, is_project_env};
use crate::matching::structured::{Sides, Structure, StructuredHit};
use crate::rules::{Rule, RuleSet};

/// Judges the compose files beside every changed `.env`; `gate_of` says which rules apply to a
/// file.
pub(super) fn judge_env_changes(
    whole: &mut Whole,
    rules: &RuleSet,
    gate_of: &dyn Fn(&ChangedFile) -> Vec<bool>,
    out: &mut Vec<Finding>,
    skipped: &mut Vec<Skipped>,
) -> Result<()> {
    let changes = whole.changes;
    let env_files: Vec<&ChangedFile> = changes
        .files
        .iter()
        .filter(|f| is_project_env(&f.path) && f.kind == FileKind::Text)
        .filter(|f| f.not_scanned.is_none())
        .collect();
    if env_files.is_empty() {
        return Ok(());
    }
    let tree = whole.reader.head_paths(changes)?;
    for env_file in env_files {
        let folder = env_file.path.strip_suffix(".env").unwrap_or_default();
        let beside = tree.iter().filter(|p| {
            p.strip_prefix(folder)
                .is_some_and(|name| !name.contains('/') && is_compose_file(name))
                && !changes.files.iter().any(|f| f.path == *p)
        });
        for compose_path in beside {
            let Some(text) = whole.reader.read_unchanged(changes, compose_path)? else {
                continue;
            };
            let compose =
                ChangedFile::new(compose_path.to_string(), Status::Modified, FileKind::Text);
            let gate = gate_of(&compose);
            let env = whole.project_env(compose_path)?;
            let sides = Sides::new(Some(&text), Some(&text)).compose(&env.0, &env.1);
            let judged = Judged {
                env_file,
                compose: compose_path,
                env: &env,
                env_text: whole.reader.read_text(&env_file.head)?.unwrap_or_default(),
            };
            for (rule, on) in rules.rules().iter().zip(&gate) {
                let Some(structure) = rule.structure.as_deref().filter(|_| *on) else {
                    continue;
                };
                if matches!(**structure, Structure::Terraform { .. })
                    || !structure.could_match(&sides)
                {
                    continue;
                }
                match structure.evaluate(&sides) {
                    Ok(hits) => judged.report(rule, hits, out),
                    Err(why) => {
                        skipped.push(Skipped {
                            path: compose_path.to_string(),
                            reason: format!("structured rules not applied: {why}"),
                        });
                        break;
                    }
                }
            }
        }
    }
    Ok(())
}

/// One compose file judged for a change to its `.env`.
struct Judged<'j> {
    env_file: &'j ChangedFile,
    compose: &'j str,
    env: &'j ProjectEnv,
    env_text: String,
}

impl Judged<'_> {
    /// Reports `rule`'s matches on the `.env` lines that set the variables they came from.
    fn report(&self, rule: &Rule, hits: Vec<StructuredHit>, out: &mut Vec<Finding>) {
        let (base, head) = (&self.env.0, &self.env.1);
        let placed = decisions(hits, |hit| {
            let var = hit.vars.iter().find(|v| base.get(v) != head.get(v))?;
            match (head.line(var), base.line(var)) {
                (Some(line), _) => Some((line, Side::Head, var.clone())),
                (None, Some(line)) => Some((line, Side::Base, var.clone())),
                (None, None) => None,
            }
        });
        for Decision { place, hit, others } in placed {
            let (line, side, var) = place;
            let mut places = vec![hit.identity.clone()];
            places.extend(others);
            let mut message = hit_message(rule, &self.env_file.path, &hit);
            message.push_str(&format!(
                " ({var} in {} sets it for {} in {})",
                self.env_file.path,
                named(&places),
                self.compose
            ));
            let snippet = match side {
                Side::Head => self.env_text.lines().nth(line.saturating_sub(1) as usize),
                Side::Base => None,
            }
            .unwrap_or(var.as_str());
            out.push(finding(
                rule,
                self.env_file,
                Some((line, side)),
                message,
                Some(snippet),
            ));
        }
    }
}
