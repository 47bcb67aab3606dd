//! Renders in the main sequence: the `[[render]]` entries whose `paths` the change touches are
//! run at base and head; what they render that differs is judged by the rule set like source,
//! each finding marked `"origin": "render"` with its object and placed at the source line
//! that produced the value when exactly one line of the render's `paths` holds it. A render
//! that fails at head is an error (the deploy would fail too), one that fails only at the base
//! a note. Source findings on a render's `covers` give way to what it renders; an edit to the
//! `[[render]]` entries themselves is reported.

use crate::change::{ChangeSet, Side, Status};
use crate::config::{CONFIG_FILE, Render};
use crate::engine;
use crate::error::Result;
use crate::finding::{Finding, Origin, OriginKind};
use crate::render::{self, Failure, ObjectChange, RenderedChange};
use crate::rules::RuleSet;
use crate::source::{ContentReader, MAX_SCANNED_BYTES};
use git2::{Oid, Repository};
use std::collections::HashSet;

/// A render that failed at head.
const FAILED: &str = "guard/render-failed";
/// A render that failed only at the base.
const FAILED_AT_BASE: &str = "guard/render-failed-at-base";
/// The `[[render]]` entries changed in the range.
const CONFIG_CHANGED: &str = "guard/render-config-changed";

/// What the renders add to a check: their findings, and the source findings they cover.
#[derive(Debug, Default)]
pub(super) struct Rendered {
    /// Findings on rendered objects, and about the renders themselves.
    pub(super) findings: Vec<Finding>,
    /// The renders that rendered at head, whose `covers` take over source findings.
    pub(super) covers: Covers,
}

/// The renders that rendered at head.
#[derive(Debug, Default)]
pub(super) struct Covers(Vec<Render>);

impl Covers {
    /// Marks the change's own findings on a covered path as given way to the render (the
    /// gate's own `guard/` findings stay).
    pub(super) fn apply(&self, findings: &mut [Finding]) {
        if self.0.is_empty() {
            return;
        }
        for f in findings
            .iter_mut()
            .filter(|f| f.origin.is_none() && f.suppressed.is_none() && f.category() != "guard")
        {
            if let Some(render) = self.0.iter().find(|r| r.covers(&f.path)) {
                f.suppressed = Some(format!(
                    "covered by render '{}': judged on what it renders",
                    render.name
                ));
            }
        }
    }
}

/// Runs the renders of `renders` that the change touches and judges what they render;
/// `progress` hears which render runs.
pub(super) fn judge(
    repo: &Repository,
    changes: &ChangeSet,
    reader: &ContentReader,
    renders: &[Render],
    rules: &RuleSet,
    progress: &mut dyn FnMut(&str),
) -> Result<Rendered> {
    let mut out = Rendered::default();
    out.findings.extend(config_changed(changes, reader, rules)?);
    let touched: Vec<&Render> = renders
        .iter()
        .filter(|r| {
            changes
                .files
                .iter()
                .any(|f| r.watches(&f.path) || f.old_path.as_deref().is_some_and(|p| r.watches(p)))
        })
        .collect();
    if touched.is_empty() {
        return Ok(out);
    }
    let Some(head) = commit(repo, changes.head.as_deref()) else {
        progress("renders run on commits: --staged and --worktree do not run them");
        return Ok(out);
    };
    let base = commit(repo, changes.base.as_deref());
    for r in touched {
        progress(&format!(
            "rendering '{}' at base and head: {}",
            r.name, r.run
        ));
        let rendering = render::render(repo, r, base, head)?;
        let head_objects = match rendering.head {
            Ok(objects) => objects,
            Err(failure) => {
                let also = match &rendering.base {
                    Err(_) => " (it failed at the base too)",
                    Ok(_) => "",
                };
                out.findings
                    .extend(failed(rules, FAILED, r, "head", also, failure));
                continue;
            }
        };
        let base_objects = rendering.base.unwrap_or_else(|failure| {
            out.findings
                .extend(failed(rules, FAILED_AT_BASE, r, "the base", "", failure));
            Vec::new()
        });
        let rendered = render::compare(&base_objects, &head_objects);
        let judged = engine::judge(&rendered.changes, rules, &ContentReader::in_memory())?;
        let mut tracer = Tracer::new(changes, reader, r);
        for f in judged.findings {
            out.findings.push(placed(f, r, &rendered, &mut tracer)?);
        }
        out.covers.0.push(r.clone());
    }
    Ok(out)
}

/// The commit `id` names, if it is one (the empty tree a `--root` range starts at is not).
fn commit(repo: &Repository, id: Option<&str>) -> Option<Oid> {
    let id = Oid::from_str(id?).ok()?;
    repo.find_commit(id).ok().map(|c| c.id())
}

/// The finding for a render that failed at `side`, with the end of its stderr; `None` when the
/// rule is disabled.
fn failed(
    rules: &RuleSet,
    rule: &str,
    render: &Render,
    side: &str,
    also: &str,
    failure: Failure,
) -> Option<Finding> {
    let rule = rules.get(rule)?;
    let consequence = match rule.id.as_str() {
        FAILED => "what it renders was not judged, and a deploy that runs it would fail too",
        _ => "everything it renders at head is judged as new",
    };
    Some(Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        path: format!("render:{}", render.name),
        line: None,
        side: None,
        message: format!(
            "render '{}' failed at {side}{also}: {}; {consequence}",
            render.name, failure.what
        ),
        snippet: None,
        suppressed: None,
        origin: Some(Box::new(Origin {
            kind: OriginKind::Render,
            address: render.run.clone(),
            resource_type: "command".into(),
            action: "failed".into(),
            plan: None,
            render: Some(render.name.clone()),
            rendered: None,
            detail: failure.stderr,
        })),
    })
}

/// A finding on a rendered object, marked with its origin and placed at the source line that
/// produced its value when that can be traced.
fn placed(
    mut f: Finding,
    render: &Render,
    rendered: &RenderedChange,
    tracer: &mut Tracer,
) -> Result<Finding> {
    let object = rendered
        .objects
        .get(&f.path)
        .cloned()
        .unwrap_or(ObjectChange {
            address: f.path.clone(),
            kind: "document".into(),
            action: "modified",
        });
    f.path = format!("render:{}", f.path);
    let at_head = f.side != Some(Side::Base);
    let traced = match (&f.snippet, at_head) {
        (Some(snippet), true) => tracer.trace(snippet)?,
        _ => None,
    };
    let mut rendered_at = None;
    if let Some((path, line)) = traced {
        rendered_at = Some(match f.line {
            Some(l) => format!("{}:{l}", f.path),
            None => f.path.clone(),
        });
        f.path = path;
        f.line = Some(line);
    }
    f.origin = Some(Box::new(Origin {
        kind: OriginKind::Render,
        address: object.address,
        resource_type: object.kind,
        action: object.action.to_string(),
        plan: None,
        render: Some(render.name.clone()),
        rendered: rendered_at,
        detail: Vec::new(),
    }));
    Ok(f)
}

/// Finds the source line a rendered value came from, among the files a render watches.
struct Tracer<'a> {
    changes: &'a ChangeSet,
    reader: &'a ContentReader<'a>,
    render: &'a Render,
    /// The watched files of the head revision, read on first use.
    files: Option<Vec<(String, String)>>,
    /// Lines the change added, by path: a value's origin is most likely among them.
    added: HashSet<(&'a str, u32)>,
}

impl<'a> Tracer<'a> {
    fn new(changes: &'a ChangeSet, reader: &'a ContentReader<'a>, render: &'a Render) -> Self {
        let added = changes
            .files
            .iter()
            .filter(|f| f.status != Status::Deleted)
            .flat_map(|f| f.added().map(move |(l, _)| (f.path.as_str(), l.line)))
            .collect();
        Tracer {
            changes,
            reader,
            render,
            files: None,
            added,
        }
    }

    /// The file and line holding the value of the rendered line `snippet`: the whole value, or
    /// for an image the tag set apart (`newTag: latest`). One line the change added wins;
    /// else the only line anywhere; else none.
    fn trace(&mut self, snippet: &str) -> Result<Option<(String, u32)>> {
        let Some(value) = value_of(snippet) else {
            return Ok(None);
        };
        if self.files.is_none() {
            let render = self.render;
            self.files = Some(self.reader.head_files(
                self.changes,
                |p| render.watches(p),
                MAX_SCANNED_BYTES,
            )?);
        }
        let files = self.files.as_deref().unwrap_or_default();
        let whole = |line: &str| line.contains(value);
        let tag = image_tag(value);
        let tagged = |line: &str| tag.is_some() && value_of(line) == tag;
        for holds in [&whole as &dyn Fn(&str) -> bool, &tagged] {
            let hits: Vec<(&str, u32)> = files
                .iter()
                .flat_map(|(path, text)| {
                    text.lines()
                        .zip(1u32..)
                        .filter(|(line, _)| holds(line))
                        .map(move |(_, n)| (path.as_str(), n))
                })
                .collect();
            let added: Vec<&(&str, u32)> = hits.iter().filter(|h| self.added.contains(h)).collect();
            let one = match (added.as_slice(), hits.as_slice()) {
                ([only], _) => Some(**only),
                ([], [only]) => Some(*only),
                _ => None,
            };
            if let Some((path, line)) = one {
                return Ok(Some((path.to_string(), line)));
            }
        }
        Ok(None)
    }
}

/// The value of a `key: value` line (YAML, or JSON's `"key": "value",`), unquoted.
fn value_of(line: &str) -> Option<&str> {
    let line = line.trim().trim_start_matches("- ").trim_end_matches(',');
    let (_, value) = line.split_once(": ")?;
    let value = value
        .split(" #")
        .next()
        .unwrap_or(value)
        .trim()
        .trim_matches(['"', '\'']);
    (!value.is_empty()).then_some(value)
}

/// The tag of an image reference (`latest` in `registry:5000/api:latest`), if it has one.
fn image_tag(reference: &str) -> Option<&str> {
    if reference.contains('@') {
        return None;
    }
    let last = reference.rsplit('/').next()?;
    let (_, tag) = last.split_once(':')?;
    (!tag.is_empty()).then_some(tag)
}

/// The finding for `[[render]]` entries that differ between the base's and the head's
/// configuration file, when the change edits it.
fn config_changed(
    changes: &ChangeSet,
    reader: &ContentReader,
    rules: &RuleSet,
) -> Result<Option<Finding>> {
    let Some(file) = changes.files.iter().find(|f| f.path == CONFIG_FILE) else {
        return Ok(None);
    };
    let renders = |content| -> Result<Option<toml::Value>> {
        let text = reader.read_text(content)?.unwrap_or_default();
        let table: toml::Table = text.parse().unwrap_or_default();
        Ok(table.get("render").cloned())
    };
    if renders(&file.base)? == renders(&file.head)? {
        return Ok(None);
    }
    let Some(rule) = rules.get(CONFIG_CHANGED) else {
        return Ok(None);
    };
    Ok(Some(Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        path: CONFIG_FILE.to_string(),
        line: None,
        side: None,
        message: "the [[render]] commands changed in this change: this run rendered with the base's commands; the new ones run on every later change once merged, so have someone who owns the gate review what they execute".into(),
        snippet: None,
        suppressed: None,
        origin: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_tags_read_from_rendered_lines() {
        assert_eq!(
            value_of("        image: registry.example.com/api:latest"),
            Some("registry.example.com/api:latest")
        );
        assert_eq!(value_of("- image: 'api:1.2' # pinned"), Some("api:1.2"));
        assert_eq!(
            value_of("\"Image\": \"nginx:latest\","),
            Some("nginx:latest")
        );
        assert_eq!(value_of("image:"), None);
        assert_eq!(image_tag("registry:5000/api:latest"), Some("latest"));
        assert_eq!(image_tag("registry:5000/api"), None);
        assert_eq!(image_tag("api@sha256:abc"), None);
    }
}
