//! A Helm chart's values judged where its templates read them: a change to `values*.yaml`,
//! `Chart.yaml`'s `appVersion` or a template that makes some container's effective image mutable
//! (`tag: ""` falling to `default "latest"`, an `appVersion` of `latest`…) is judged as the image
//! the chart renders. For each chart the change touches, the image lines of its templates are
//! rendered ([`helm::Values::render`]) with `values.yaml`, and with each deployed values file
//! over it (`values-prod.yaml`; files for development or tests are out of the way), on both
//! sides, and judged as [`super::rewritten`] says.

use super::rewritten::{Files, Line, image_rules, judge_files, read_sides};
use super::whole::Whole;
use crate::change::{ChangedFile, FileKind};
use crate::error::Result;
use crate::finding::Finding;
use crate::matching::helm::Values;
use crate::matching::tree::{self, Node};
use crate::path_class::{Kind, PathClass};
use crate::rules::RuleSet;
use std::collections::BTreeSet;

/// The most files of one chart read; a larger chart is not judged.
const MAX_FILES: usize = 300;

/// The default values file of a chart.
const DEFAULT_VALUES: &str = "values.yaml";

/// Judges the charts whose files the change touches; `gate_of` says which rules apply to a file.
pub(super) fn judge_charts(
    whole: &mut Whole,
    rules: &RuleSet,
    gate_of: &dyn Fn(&ChangedFile) -> Vec<bool>,
    out: &mut Vec<Finding>,
) -> Result<()> {
    let (changes, reader) = (whole.changes, whole.reader);
    let helm_files: Vec<&ChangedFile> = changes
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Text && f.not_scanned.is_none())
        .filter(|f| PathClass::of(&f.path).kind == Kind::Helm)
        .collect();
    let image_rules = image_rules(rules);
    if helm_files.is_empty() || image_rules.is_empty() {
        return Ok(());
    }
    let tree = reader.head_paths(changes)?;
    let charts: BTreeSet<&str> = tree
        .iter()
        .filter_map(|p| p.strip_suffix("Chart.yaml"))
        .filter(|root| root.is_empty() || root.ends_with('/'))
        .filter(|root| helm_files.iter().any(|f| f.path.starts_with(root)))
        .collect();
    for root in charts {
        let paths: BTreeSet<&str> = tree
            .iter()
            .chain(changes.files.iter().map(|f| f.path.as_str()))
            .filter(|p| p.strip_prefix(root).is_some_and(is_chart_file))
            .collect();
        if paths.len() > MAX_FILES {
            continue;
        }
        let (base, head) = read_sides(changes, reader, paths, root.len())?;
        let sides = (&base, &head);
        let (all, rules_of) = (&changes.files, &image_rules);
        let lines = |files: &Files| lines(root, files);
        judge_files(all, rules, rules_of, gate_of, root, sides, lines, out);
    }
    Ok(())
}

/// Whether a path inside a chart is read: `Chart.yaml`, a values file at the chart's top, a
/// YAML template under `templates/`.
fn is_chart_file(relative: &str) -> bool {
    relative == "Chart.yaml"
        || is_values_file(relative)
        || (relative.starts_with("templates/")
            && (relative.ends_with(".yaml") || relative.ends_with(".yml")))
}

/// A values file at a chart's top: `values.yaml`, `values-prod.yaml`, `values.production.yml`.
fn is_values_file(relative: &str) -> bool {
    !relative.contains('/')
        && relative.starts_with("values")
        && (relative.ends_with(".yaml") || relative.ends_with(".yml"))
}

/// The image lines of a side's templates, rendered with each deployed values file over the
/// default one (the scope names both, so each pairs with itself on the other side).
fn lines(root: &str, files: &Files) -> Vec<Line> {
    let parse = |path: &str| {
        let docs = tree::parse(files.get(path)?).ok()?;
        docs.into_iter().next()
    };
    let chart = parse("Chart.yaml");
    let defaults = parse(DEFAULT_VALUES);
    let overrides: Vec<(&str, Node)> = files
        .keys()
        .filter(|p| is_values_file(p) && p.as_str() != DEFAULT_VALUES)
        .filter(|p| !PathClass::of(&format!("{root}{p}")).out_of_the_way())
        .filter_map(|p| Some((p.as_str(), parse(p)?)))
        .collect();
    let variants = std::iter::once(None).chain(overrides.iter().map(Some));
    let full = |p: &str| format!("{root}{p}");
    let mut out = Vec::new();
    for variant in variants {
        let mut values = Values {
            files: Vec::new(),
            app_version: chart
                .as_ref()
                .and_then(|c| c.get("appVersion"))
                .map(|n| ("Chart.yaml", n)),
        };
        if let Some((path, doc)) = variant {
            values.files.push((path, doc));
        }
        if let Some(doc) = &defaults {
            values.files.push((DEFAULT_VALUES, doc));
        }
        let scope = variant.map_or(DEFAULT_VALUES, |(p, _)| p);
        for (path, text) in files.iter().filter(|(p, _)| p.starts_with("templates/")) {
            for rendered in values.render(text, |l| l.contains("image")) {
                out.push(Line {
                    scope: format!("{scope}\0{path}"),
                    path: full(path),
                    line: rendered.line,
                    written: rendered.written,
                    rewritten: rendered.rendered.map(|(text, origins)| {
                        let origins = origins
                            .into_iter()
                            .map(|mut o| {
                                o.path = full(&o.path);
                                o
                            })
                            .collect();
                        (text, origins)
                    }),
                });
            }
        }
    }
    out
}
