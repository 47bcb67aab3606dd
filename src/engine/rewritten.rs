//! Lines rewritten with the values they read (a Terraform module's variables and locals, a CI
//! workflow's `env:`), judged by the line rules that judge images (`image = [...]` classes): a
//! rewritten line that fires in head, when the line as written does not and its base form did
//! not, is reported on the value's line the change touched (else on the line itself when the
//! change touched it, else on a removed value that let a base value through), once per rule
//! and place, naming the lines it reaches, and not when a rule of the same category already
//! reported that line (one decision, one finding). The rule must apply to the file the line is
//! in; the finding lands in the changed file that sets the value.

use super::findings::{finding, named};
use super::lines::fires;
use crate::change::{ChangeSet, ChangedFile, FileKind, Side, Status};
use crate::error::Result;
use crate::finding::Finding;
pub(super) use crate::matching::origin::Origin;
use crate::rules::RuleSet;
use crate::source::ContentReader;
use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};

/// A line of one side as written, in its scope (a module file, a workflow job), and rewritten
/// with the values in scope when it reads any that are known.
#[derive(Debug, Clone)]
pub(super) struct Line {
    /// What identifies the line's surroundings on both sides (a file, a file and a job).
    pub scope: String,
    /// The file the line is in.
    pub path: String,
    /// 1-based line number.
    pub line: u32,
    /// The line as written.
    pub written: String,
    /// The line rewritten, and where the values it used are set.
    pub rewritten: Option<(String, Vec<Origin>)>,
}

/// The texts of a set of files on one side, by path (relative to a folder the caller chose).
pub(super) type Files = BTreeMap<String, String>;

/// Reads `paths` on both sides: a changed file's base and head, an unchanged file's text on
/// both; keyed by the path without its first `prefix` bytes.
pub(super) fn read_sides<'p>(
    changes: &ChangeSet,
    reader: &ContentReader,
    paths: impl IntoIterator<Item = &'p str>,
    prefix: usize,
) -> Result<(Files, Files)> {
    let (mut base, mut head) = (Files::new(), Files::new());
    for path in paths {
        let key = path.get(prefix..).unwrap_or(path).to_string();
        match changes.files.iter().find(|f| f.path == path) {
            Some(f) => {
                if f.status != Status::Added
                    && let Some(text) = reader.read_text(&f.base)?
                {
                    base.insert(key.clone(), text);
                }
                if f.status != Status::Deleted
                    && let Some(text) = reader.read_text(&f.head)?
                {
                    head.insert(key, text);
                }
            }
            None => {
                if let Some(text) = reader.read_unchanged(changes, path)? {
                    base.insert(key.clone(), text.clone());
                    head.insert(key, text);
                }
            }
        }
    }
    Ok((base, head))
}

/// Judges the lines `lines` makes of files read under `root` (their keys are relative to it)
/// on both sides.
#[allow(clippy::too_many_arguments)]
pub(super) fn judge_files(
    changes: &[ChangedFile],
    rules: &RuleSet,
    image_rules: &[usize],
    gate_of: &dyn Fn(&ChangedFile) -> Vec<bool>,
    root: &str,
    (base, head): (&Files, &Files),
    lines: impl Fn(&Files) -> Vec<Line>,
    out: &mut Vec<Finding>,
) {
    let texts = |path: &str, side: Side| {
        let relative = path.strip_prefix(root)?;
        match side {
            Side::Head => head.get(relative).map(String::as_str),
            Side::Base => base.get(relative).map(String::as_str),
        }
    };
    let judge = Judge {
        changes,
        rules,
        image_rules,
        gate_of,
        texts: &texts,
    };
    judge.judge(&lines(base), &lines(head), out);
}

/// The rules that judge images in lines: those with image classes and an `added` pattern.
pub(super) fn image_rules(rules: &RuleSet) -> Vec<usize> {
    (0..rules.rules().len())
        .filter(|&i| !rules.rules()[i].image.is_empty() && rules.rules()[i].added.is_some())
        .collect()
}

/// Where a finding lands: the file, its line and side, and the value's name (empty: the line).
type Place = (String, u32, Side, String);

/// Judges the head lines against the base ones; `texts` gives a file's text on a side (for
/// snippets), `what` names where values come from ("the module's variables and locals").
pub(super) struct Judge<'j> {
    /// The change's files.
    pub changes: &'j [ChangedFile],
    /// The rule set.
    pub rules: &'j RuleSet,
    /// Which rules judge images (see [`image_rules`]).
    pub image_rules: &'j [usize],
    /// Which rules apply to a file.
    pub gate_of: &'j dyn Fn(&ChangedFile) -> Vec<bool>,
    /// A file's text on one side.
    pub texts: &'j dyn Fn(&str, Side) -> Option<&'j str>,
}

impl Judge<'_> {
    /// Whether the change touched `line` of `path` on `side`.
    fn touched(&self, path: &str, side: Side, line: u32) -> bool {
        self.changes
            .iter()
            .find(|f| f.path == path)
            .is_some_and(|f| f.lines().iter().any(|l| l.side == side && l.line == line))
    }

    /// The value a rewritten line owes its verdict to: the innermost one set on a line the
    /// change touched on `side`.
    fn touched_origin(&self, origins: &[Origin], side: Side) -> Option<Place> {
        origins.iter().rev().find_map(|o| {
            self.touched(&o.path, side, o.line)
                .then(|| (o.path.clone(), o.line, side, o.name.clone()))
        })
    }

    /// The findings of `head`'s rewritten lines, each paired with the base line of the same
    /// scope and text (the n-th such for the n-th).
    pub(super) fn judge(&self, base: &[Line], head: &[Line], out: &mut Vec<Finding>) {
        let mut by_text: HashMap<(&str, &str), Vec<&Line>> = HashMap::new();
        for line in base {
            by_text
                .entry((&line.scope, &line.written))
                .or_default()
                .push(line);
        }
        let mut seen: HashSet<(usize, &str, &str)> = HashSet::new();
        // Which rules apply to each line's file (the rule must judge the file the image is in).
        let mut gates: HashMap<&str, Vec<bool>> = HashMap::new();
        // (rule, place), the message of the first line, and every line's place, in order.
        let mut decisions: Vec<((usize, Place), String, Vec<String>)> = Vec::new();
        for line in head {
            let Some((text, origins)) = &line.rewritten else {
                continue;
            };
            let key = (line.scope.as_str(), line.written.as_str());
            let nth = (0..)
                .find(|n| seen.insert((*n, key.0, key.1)))
                .unwrap_or_default();
            let before = by_text.get(&key).and_then(|b| b.get(nth));
            let path = line.path.as_str();
            for &r in self.image_rules {
                let rule = &self.rules.rules()[r];
                if fires(rule, path, Side::Head, &line.written).is_some() {
                    continue;
                }
                let Some(message) = fires(rule, path, Side::Head, text) else {
                    continue;
                };
                let was = before.map(|b| b.rewritten.as_ref().map_or(&b.written, |(t, _)| t));
                if was.is_some_and(|w| fires(rule, path, Side::Head, w).is_some()) {
                    continue;
                }
                let place = self
                    .touched_origin(origins, Side::Head)
                    .or_else(|| {
                        self.touched(path, Side::Head, line.line)
                            .then(|| (path.to_string(), line.line, Side::Head, String::new()))
                    })
                    .or_else(|| {
                        let origins = before.and_then(|b| b.rewritten.as_ref());
                        self.touched_origin(origins.map_or(&[][..], |(_, o)| o), Side::Base)
                    });
                let Some(place) = place else { continue };
                let gate = gates.entry(path).or_insert_with(|| {
                    let changed = self.changes.iter().find(|f| f.path == path);
                    let file = changed.cloned().unwrap_or_else(|| {
                        ChangedFile::new(path.to_string(), Status::Modified, FileKind::Text)
                    });
                    (self.gate_of)(&file)
                });
                if !gate.get(r).copied().unwrap_or(false) {
                    continue;
                }
                let at = format!("{path}:{}", line.line);
                let key = (r, place);
                match decisions.iter_mut().find(|(k, _, _)| *k == key) {
                    Some((_, _, places)) if !places.contains(&at) => places.push(at),
                    Some(_) => {}
                    None => decisions.push((key, message, vec![at])),
                }
            }
        }
        for ((r, (path, line, side, name)), mut message, places) in decisions {
            let rule = &self.rules.rules()[r];
            let Some(file) = self.changes.iter().find(|f| f.path == path) else {
                continue;
            };
            // One decision, one finding: a rule of the same category already reported the line.
            let reported = out.iter().any(|f| {
                f.path == path
                    && f.line == Some(line)
                    && f.rule.split('/').next() == Some(rule.category())
            });
            if reported {
                continue;
            }
            if name.is_empty() {
                message.push_str(" (through the values it reads)");
            } else {
                message.push_str(&format!(
                    " ({name}, set here, makes the image at {})",
                    named(&places)
                ));
            }
            let snippet = (self.texts)(&path, side)
                .and_then(|t| t.lines().nth(line.saturating_sub(1) as usize));
            out.push(finding(rule, file, Some((line, side)), message, snippet));
        }
    }
}
