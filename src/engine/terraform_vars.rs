//! A Terraform module's variables judged where its images read them: `default = "latest"`, a
//! `locals` entry or a `terraform.tfvars` line that an `image = local.image` (or
//! `"${var.repo}:${var.tag}"`) attribute of the same directory reads is judged as the image it
//! makes. Each line of the module's `*.tf` files that reads `var.`/`local.` values is rewritten
//! with the values of each side ([`Module::rewrite`]) and judged as [`super::rewritten`] says.

use super::rewritten::{Files, Line, image_rules, judge_files, read_sides};
use super::whole::Whole;
use crate::change::{ChangedFile, FileKind};
use crate::error::Result;
use crate::finding::Finding;
use crate::matching::hcl::{Module, is_module_file};
use crate::path_class::PathClass;
use crate::rules::RuleSet;
use std::collections::BTreeSet;

/// The most files of one directory read as a module; a larger directory is not judged.
const MAX_FILES: usize = 200;

/// Judges the modules of the directories whose `*.tf` / `*.tfvars` files the change touches;
/// `gate_of` says which rules apply to a file.
pub(super) fn judge_modules(
    whole: &mut Whole,
    rules: &RuleSet,
    gate_of: &dyn Fn(&ChangedFile) -> Vec<bool>,
    out: &mut Vec<Finding>,
) -> Result<()> {
    let changes = whole.changes;
    let image_rules = image_rules(rules);
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
        let (base, head) = read_sides(changes, whole.reader, paths, 0)?;
        let sides = (&base, &head);
        let (all, rules_of) = (&changes.files, &image_rules);
        judge_files(all, rules, rules_of, gate_of, "", sides, lines, out);
    }
    Ok(())
}

/// The folder part of a path, with its trailing `/` (empty at the root).
fn folder(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

/// The lines of a side's `.tf` files, each rewritten with the side's module values.
fn lines(files: &Files) -> Vec<Line> {
    let module = Module::new(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let mut out = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".tf")) {
        for (index, written) in text.lines().enumerate() {
            let Some(rewritten) = module.rewrite(written) else {
                continue;
            };
            out.push(Line {
                scope: path.clone(),
                path: path.clone(),
                line: u32::try_from(index + 1).unwrap_or(u32::MAX),
                written: written.to_string(),
                rewritten: Some((rewritten.text, rewritten.origins)),
            });
        }
    }
    out
}
