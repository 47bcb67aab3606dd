//! Rules that look at more than one changed line: structured documents, Dockerfiles,
//! Terraform blocks, whole-tree path checks, and file-level rules. Full contents and the head
//! tree are read lazily, once, and only when an applicable rule needs them.

use super::findings::finding;
use crate::change::{ChangeSet, ChangedFile, FileKind, Side, Status};
use crate::error::Result;
use crate::finding::{Finding, Skipped};
use crate::matching::cdk::{self, CdkFile};
use crate::matching::paths::{PathIndex, file_references};
use crate::matching::structured::{
    Sides, Structure, StructuredHit, cdk_removed, terraform_removed,
};
use crate::matching::terraform;
use crate::rules::spec::PathCheck;
use crate::rules::{Rule, RuleSet};
use crate::source::ContentReader;
use std::collections::HashSet;

/// Lazily computed, change-wide context.
pub(super) struct Whole<'a> {
    changes: &'a ChangeSet,
    reader: &'a ContentReader<'a>,
    index: Option<PathIndex>,
    terraform: Option<(HashSet<String>, HashSet<String>)>,
    cdk_ids: Option<HashSet<String>>,
}

impl<'a> Whole<'a> {
    pub(super) fn new(changes: &'a ChangeSet, reader: &'a ContentReader<'a>) -> Self {
        Whole {
            changes,
            reader,
            index: None,
            terraform: None,
            cdk_ids: None,
        }
    }

    fn index(&mut self) -> Result<&PathIndex> {
        if self.index.is_none() {
            self.index = Some(PathIndex::new(self.reader.head_paths(self.changes)?));
        }
        Ok(self.index.get_or_insert_with(PathIndex::default))
    }

    /// Resource addresses in every changed `.tf` file's head, and `moved` sources.
    fn terraform(&mut self) -> Result<&(HashSet<String>, HashSet<String>)> {
        if self.terraform.is_none() {
            let (mut addresses, mut moved) = (HashSet::new(), HashSet::new());
            for f in self
                .changes
                .files
                .iter()
                .filter(|f| f.path.ends_with(".tf") && f.not_scanned.is_none())
            {
                if let Some(text) = self.reader.read_text(&f.head)? {
                    addresses.extend(terraform::resources(&text).into_iter().map(|r| r.address));
                    moved.extend(terraform::moved_from(&text));
                }
            }
            self.terraform = Some((addresses, moved));
        }
        Ok(self.terraform.get_or_insert_with(Default::default))
    }

    /// The construct ids of every changed CDK file's head.
    fn cdk_ids(&mut self) -> Result<&HashSet<String>> {
        if self.cdk_ids.is_none() {
            let mut ids = HashSet::new();
            for f in self
                .changes
                .files
                .iter()
                .filter(|f| cdk::is_code_path(&f.path) && f.not_scanned.is_none())
            {
                if let Some(text) = self.reader.read_text(&f.head)?
                    && let Some(file) = CdkFile::read(&text)
                {
                    ids.extend(file.constructs().into_iter().map(|c| c.id));
                }
            }
            self.cdk_ids = Some(ids);
        }
        Ok(self.cdk_ids.get_or_insert_with(Default::default))
    }

    /// Judges one file against the non-line rules whose gate is open.
    pub(super) fn judge_file(
        &mut self,
        file: &ChangedFile,
        rules: &RuleSet,
        gate: &[bool],
        out: &mut Vec<Finding>,
        skipped: &mut Vec<Skipped>,
    ) -> Result<()> {
        let all = rules.rules();
        let wants_content = file.kind == FileKind::Text
            && file.not_scanned.is_none()
            && all
                .iter()
                .zip(gate)
                .any(|(rule, on)| *on && rule.structure.is_some());
        let (base, head) = if wants_content {
            (
                self.reader.read_text(&file.base)?,
                self.reader.read_text(&file.head)?,
            )
        } else {
            (None, None)
        };
        let sides = Sides::new(base.as_deref(), head.as_deref());
        let mut unparsed = false;
        for (r, rule) in all.iter().enumerate() {
            if !gate[r] {
                continue;
            }
            if let Some(check) = rule.check {
                self.path_check(check, rule, file, out)?;
            } else if let Some(structure) = &rule.structure {
                if !wants_content {
                    continue;
                }
                let hits = match &***structure {
                    Structure::Terraform { resource } => {
                        let (addresses, moved) = self.terraform()?;
                        sides.base().map_or_else(Vec::new, |b| {
                            terraform_removed(resource, b, addresses, moved)
                        })
                    }
                    Structure::CdkConstruct { class } => {
                        let ids = self.cdk_ids()?;
                        sides
                            .base()
                            .map_or_else(Vec::new, |b| cdk_removed(class, b, ids))
                    }
                    _ => match structure.evaluate(&sides) {
                        Ok(hits) => hits,
                        Err(why) => {
                            if !unparsed {
                                unparsed = true;
                                skipped.push(Skipped {
                                    path: file.path.clone(),
                                    reason: format!(
                                        "structured rules not applied: not valid YAML/JSON ({why})"
                                    ),
                                });
                            }
                            continue;
                        }
                    },
                };
                for hit in hits {
                    out.push(structured_finding(rule, file, &hit, &sides));
                }
            } else if rule.added.is_none() && rule.removed.is_none() {
                let message = rule.message.render(&file.path, None);
                out.push(finding(rule, file, None, message, None));
            }
        }
        Ok(())
    }

    fn path_check(
        &mut self,
        check: PathCheck,
        rule: &Rule,
        file: &ChangedFile,
        out: &mut Vec<Finding>,
    ) -> Result<()> {
        match check {
            PathCheck::CaseCollision => {
                if !matches!(file.status, Status::Added | Status::Renamed) {
                    return Ok(());
                }
                if let Some(other) = self.index()?.case_collision(&file.path) {
                    let message = rule.message.render_with(&file.path, |g| match g {
                        "other" => Some(other),
                        "value" => Some(file.path.as_str()),
                        _ => None,
                    });
                    out.push(finding(rule, file, None, message, None));
                }
            }
            PathCheck::NearMissReference => {
                if !matches!(file.kind, FileKind::Text) {
                    return Ok(());
                }
                for (line, text) in file.added() {
                    for reference in file_references(text) {
                        let index = self.index()?;
                        if let Some(other) = index.near_miss(reference) {
                            let message = rule.message.render_with(&file.path, |g| match g {
                                "other" => Some(other),
                                "value" => Some(reference),
                                _ => None,
                            });
                            out.push(finding(
                                rule,
                                file,
                                Some((line.line, Side::Head)),
                                message,
                                Some(text),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn structured_finding(
    rule: &Rule,
    file: &ChangedFile,
    hit: &StructuredHit,
    sides: &Sides,
) -> Finding {
    let message = rule.message.render_with(&file.path, |g| match g {
        "value" => Some(hit.value.as_str()),
        "was" => Some(hit.was.as_str()),
        "key" => Some(hit.key.as_str()),
        "where" => Some(hit.identity.as_str()),
        _ => None,
    });
    let text = match hit.side {
        Side::Head => sides.head(),
        Side::Base => sides.base(),
    };
    let line = text
        .and_then(|t| t.lines().nth(hit.line.saturating_sub(1) as usize))
        .unwrap_or(hit.value.as_str());
    finding(rule, file, Some((hit.line, hit.side)), message, Some(line))
}
