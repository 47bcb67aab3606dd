//! A Terraform module's variables judged where its images read them: `default = "latest"`, a
//! `locals` entry or a `terraform.tfvars` line that an `image = local.image` (or
//! `"${var.repo}:${var.tag}"`) attribute of the same directory reads is judged as the image it
//! makes. Each line of the module's `*.tf` files that reads `var.`/`local.` values is rewritten
//! with the values of each side ([`Module::rewrite`]) and put to the line rules that judge images
//! (`image = [...]` classes); a rewritten line that fires in head and did not in base is reported
//! on the value's line the change touched (else on the image line, when the change touched it),
//! once per rule and place, naming the images it reaches.

use super::findings::{finding, named};
use super::lines::fires;
use super::whole::Whole;
use crate::change::{ChangedFile, FileKind, Side, Status};
use crate::error::Result;
use crate::finding::Finding;
use crate::matching::hcl::{Module, Origin, is_module_file};
use crate::path_class::PathClass;
use crate::rules::RuleSet;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The most files of one directory read as a module; a larger directory is not judged.
const MAX_FILES: usize = 200;

/// The files of one module directory on one side, by path.
type Files = BTreeMap<String, String>;

/// Judges the modules of the directories whose `*.tf` / `*.tfvars` files the change touches;
/// `gate_of` says which rules apply to a file.
pub(super) fn judge_modules(
    whole: &mut Whole,
    rules: &RuleSet,
    gate_of: &dyn Fn(&ChangedFile) -> Vec<bool>,
    out: &mut Vec<Finding>,
) -> Result<()> {
    let changes = whole.changes;
    let image_rules: Vec<usize> = (0..rules.rules().len())
        .filter(|&i| !rules.rules()[i].image.is_empty() && rules.rules()[i].added.is_some())
        .collect();
    let dirs: BTreeSet<&str> = changes
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Text && f.not_scanned.is_none())
        .filter(|f| is_module_file(&f.path) && !PathClass::of(&f.path).out_of_the_way())
        .map(|f| folder(&f.path))
        .collect();
    if image_rules.is_empty() || dirs.is_empty() {
        return Ok(());
    }
    let tree = whole.reader.head_paths(changes)?;
    for dir in dirs {
        let mut paths: BTreeSet<&str> = tree
            .iter()
            .filter(|p| folder(p) == dir && is_module_file(p))
            .collect();
        paths.extend(
            changes
                .files
                .iter()
                .filter(|f| folder(&f.path) == dir && is_module_file(&f.path))
                .map(|f| f.path.as_str()),
        );
        if paths.len() > MAX_FILES {
            continue;
        }
        let (mut base, mut head) = (Files::new(), Files::new());
        for path in paths {
            match changes.files.iter().find(|f| f.path == path) {
                Some(f) => {
                    if f.status != Status::Added
                        && let Some(text) = whole.reader.read_text(&f.base)?
                    {
                        base.insert(path.to_string(), text);
                    }
                    if f.status != Status::Deleted
                        && let Some(text) = whole.reader.read_text(&f.head)?
                    {
                        head.insert(path.to_string(), text);
                    }
                }
                None => {
                    if let Some(text) = whole.reader.read_unchanged(changes, path)? {
                        base.insert(path.to_string(), text.clone());
                        head.insert(path.to_string(), text);
                    }
                }
            }
        }
        let judged = Judged {
            changes: &changes.files,
            base: &base,
            head: &head,
        };
        judged.report(rules, &image_rules, gate_of, out);
    }
    Ok(())
}

/// The folder part of a path, with its trailing `/` (empty at the root).
fn folder(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

/// One module directory on both sides.
struct Judged<'j> {
    changes: &'j [ChangedFile],
    base: &'j Files,
    head: &'j Files,
}

/// Where a finding lands: the file, its line and side, and the value set there.
type Place = (String, u32, Side, String);

impl Judged<'_> {
    /// Whether the change touched `line` of `path` on `side`.
    fn touched(&self, path: &str, side: Side, line: u32) -> bool {
        self.changes
            .iter()
            .find(|f| f.path == path)
            .is_some_and(|f| f.lines().iter().any(|l| l.side == side && l.line == line))
    }

    /// The changed value a rewritten line owes its verdict to: the innermost value set on a
    /// line the change touched on `side`.
    fn touched_origin(&self, origins: &[Origin], side: Side) -> Option<Place> {
        origins.iter().rev().find_map(|o| {
            self.touched(&o.path, side, o.line)
                .then(|| (o.path.clone(), o.line, side, o.name.clone()))
        })
    }

    fn report(
        &self,
        rules: &RuleSet,
        image_rules: &[usize],
        gate_of: &dyn Fn(&ChangedFile) -> Vec<bool>,
        out: &mut Vec<Finding>,
    ) {
        let files = |side: &Files| Module::new(side.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        let (base_module, head_module) = (files(self.base), files(self.head));
        // (rule, place), the message of the first image, and every image's place, in order.
        let mut decisions: Vec<((usize, Place), String, Vec<String>)> = Vec::new();
        for (path, text) in self.head.iter().filter(|(p, _)| p.ends_with(".tf")) {
            let base_lines: Vec<&str> = self
                .base
                .get(path)
                .map_or(Vec::new(), |t| t.lines().collect());
            let mut seen: HashSet<(usize, &str)> = HashSet::new();
            for (index, line) in text.lines().enumerate() {
                let Some(rewritten) = head_module.rewrite(line) else {
                    continue;
                };
                let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
                // The same line in base: the n-th line with this text.
                let nth = (0..).find(|n| seen.insert((*n, line))).unwrap_or_default();
                let before = base_lines.iter().filter(|l| **l == line).nth(nth);
                for &r in image_rules {
                    let rule = &rules.rules()[r];
                    if fires(rule, path, Side::Head, line).is_some() {
                        continue;
                    }
                    let Some(message) = fires(rule, path, Side::Head, &rewritten.text) else {
                        continue;
                    };
                    let was = before.and_then(|b| base_module.rewrite(b));
                    let fired_before = match (&was, before) {
                        (Some(w), _) => fires(rule, path, Side::Head, &w.text).is_some(),
                        (None, Some(b)) => fires(rule, path, Side::Head, b).is_some(),
                        (None, None) => false,
                    };
                    if fired_before {
                        continue;
                    }
                    let place = self
                        .touched_origin(&rewritten.origins, Side::Head)
                        .or_else(|| {
                            self.touched(path, Side::Head, number)
                                .then(|| (path.clone(), number, Side::Head, String::new()))
                        })
                        .or_else(|| {
                            let origins = was.as_ref().map_or(&[][..], |w| &w.origins[..]);
                            self.touched_origin(origins, Side::Base)
                        });
                    let Some(place) = place else { continue };
                    let Some(file) = self.changes.iter().find(|f| f.path == place.0) else {
                        continue;
                    };
                    if !gate_of(file).get(r).copied().unwrap_or(false) {
                        continue;
                    }
                    let at = format!("{path}:{number}");
                    let key = (r, place);
                    match decisions.iter_mut().find(|(k, _, _)| *k == key) {
                        Some((_, _, places)) => places.push(at),
                        None => decisions.push((key, message, vec![at])),
                    }
                }
            }
        }
        for ((r, (path, line, side, name)), mut message, places) in decisions {
            let rule = &rules.rules()[r];
            let Some(file) = self.changes.iter().find(|f| f.path == path) else {
                continue;
            };
            if name.is_empty() {
                message.push_str(" (through the module's variables and locals)");
            } else {
                message.push_str(&format!(
                    " ({name}, set here, makes the image at {})",
                    named(&places)
                ));
            }
            let text = match side {
                Side::Head => self.head.get(&path),
                Side::Base => self.base.get(&path),
            };
            let snippet = text.and_then(|t| t.lines().nth(line.saturating_sub(1) as usize));
            out.push(finding(rule, file, Some((line, side)), message, snippet));
        }
    }
}
