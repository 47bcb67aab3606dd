//! Where a CI or hook configuration runs deploy-guard, read as structure on both sides of a
//! change, and how the change weakens it: a GitHub Actions workflow (jobs and steps that use the
//! action, run the binary or call a reusable workflow that does), a GitLab CI file (jobs whose
//! script runs it, the included template) and a pre-commit configuration (the hook). Each
//! weakening is one [`Weakening`], in plain words, on the line that introduced it.

use super::tree::{self, Node, Value};
use crate::change::Side;
use regex::Regex;
use std::sync::LazyLock;

/// What names the gate in a step, job, script or hook.
static GATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)deploy[-_]guard|\bcargo\s+run\b[^\n]*\bcheck\b").expect("valid regex")
});

/// Flags and shell forms that keep the gate from failing the job or point it elsewhere.
static LOWERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\|\|\s*(?:true|:|exit\s+0)\b|\|\|\s*:|\bset\s+\+e\b|;\s*exit\s+0\b|--fail-on[=\s]+(?:never|info|warning)\b|--exit-zero\b|--config\b[=\s]*\S+|--base[=\s]+(?:HEAD|\$\{?\{?\s*github\.sha)|--disable\b[=\s]*\S+|--exclude\b[=\s]*\S+",
    )
    .expect("valid regex")
});

/// Whether one of `texts` names the gate.
fn names_gate(texts: &[&str]) -> bool {
    texts.iter().any(|t| GATE.is_match(t))
}

/// One way a change weakens the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Weakening {
    /// The line it is reported on, and on which side (`Base` for what was removed).
    pub line: u32,
    /// The side the line belongs to.
    pub side: Side,
    /// What changed and what it does to the gate.
    pub what: String,
}

/// Which configuration a path holds, when it is one that can run the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    GitHub,
    GitLab,
    PreCommit,
}

fn kind_of(path: &str) -> Option<Kind> {
    let lower = path.to_ascii_lowercase();
    if lower.starts_with(".github/workflows/") {
        Some(Kind::GitHub)
    } else if lower == ".gitlab-ci.yml" || lower.ends_with(".gitlab-ci.yml") {
        Some(Kind::GitLab)
    } else if lower == ".pre-commit-config.yaml" || lower == ".pre-commit-config.yml" {
        Some(Kind::PreCommit)
    } else {
        None
    }
}

/// One place that runs the gate, its settings flattened: name → (value as text, line).
#[derive(Debug, Default)]
struct Run {
    /// What pairs it with itself on the other side: its job, and its step's `id`, `name` or
    /// action (a repeated key is numbered in order).
    key: String,
    /// How it is named to the user: "the deploy-guard step in job `gate`".
    label: String,
    /// Where it is.
    line: u32,
    /// Its settings that decide whether and how it runs.
    settings: Vec<(String, String, u32)>,
}

impl Run {
    /// A run with no settings yet.
    fn new(key: String, label: String, line: u32) -> Run {
        Run {
            key,
            label,
            line,
            settings: Vec::new(),
        }
    }

    fn setting(&self, name: &str) -> Option<(&str, u32)> {
        self.settings
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, l)| (v.as_str(), *l))
    }

    /// The values of `keys` in the mapping `node`, as settings of the same names.
    fn set_all(&mut self, node: &Node, keys: &[&str]) {
        for key in keys {
            self.set(key, node.get(key));
        }
    }

    fn set(&mut self, name: &str, node: Option<&Node>) {
        if let Some(node) = node {
            self.settings
                .push((name.to_string(), flat(node), node.line));
        }
    }
}

/// The weakenings of the gate between `base` and `head` of the file at `path`: `None` when the
/// base does not run the gate in a way read here (no job, step or hook that runs it), `Err` with
/// the parser's reason when a side that names the gate is not valid YAML.
pub(crate) fn weakenings(
    path: &str,
    base: Option<&str>,
    head: Option<&str>,
) -> Result<Option<Vec<Weakening>>, String> {
    let Some(kind) = kind_of(path) else {
        return Ok(None);
    };
    let read = |text: Option<&str>| -> Result<Option<Node>, String> {
        match text {
            Some(t) if GATE.is_match(t) => Ok(tree::parse(t)?.into_iter().next()),
            _ => Ok(None),
        }
    };
    let (Some(old), new) = (read(base)?, read(head)?) else {
        return Ok(None);
    };
    let runs = |doc: &Node| match kind {
        Kind::GitHub => github_runs(doc),
        Kind::GitLab => gitlab_runs(doc),
        Kind::PreCommit => pre_commit_runs(doc),
    };
    let before = numbered(runs(&old));
    if before.is_empty() {
        return Ok(None);
    }
    let Some(new) = new else {
        return Ok(Some(vec![Weakening {
            line: before[0].line,
            side: Side::Base,
            what: format!(
                "{path} no longer runs deploy-guard ({} is gone): later changes are not judged",
                before[0].label
            ),
        }]));
    };
    let after = numbered(runs(&new));
    let mut out = Vec::new();
    if kind == Kind::GitHub {
        triggers_narrowed(&old, &new, &mut out);
    }
    for was in &before {
        match after.iter().find(|r| r.key == was.key) {
            Some(now) => compare(was, now, &mut out),
            None => out.push(Weakening {
                line: was.line,
                side: Side::Base,
                what: format!(
                    "{} was removed: later changes are not judged by it",
                    was.label
                ),
            }),
        }
    }
    // A job's setting is shared by its steps: said once, on its line.
    let mut seen = std::collections::HashSet::new();
    out.retain(|w| seen.insert((w.line, w.side)));
    Ok(Some(out))
}

/// `runs` with repeated keys numbered in order, so two steps alike pair with their own.
fn numbered(mut runs: Vec<Run>) -> Vec<Run> {
    let keys: Vec<String> = runs.iter().map(|r| r.key.clone()).collect();
    for (i, run) in runs.iter_mut().enumerate() {
        let n = keys[..i].iter().filter(|k| **k == keys[i]).count();
        if n > 0 {
            run.key = format!("{} #{n}", keys[i]);
        }
    }
    runs
}

/// Settings compared between the two sides, and what a weaker value does.
fn compare(was: &Run, now: &Run, out: &mut Vec<Weakening>) {
    for (name, value, line) in &now.settings {
        let old = was.setting(name).map(|(v, _)| v);
        if old == Some(value.as_str()) {
            continue;
        }
        let (key, place) = shown(name);
        let effect = match key {
            _ if name.starts_with("env ") => "the gate reads this setting",
            "continue-on-error" | "allow_failure" if value != "false" && !value.is_empty() => {
                "a block no longer fails the pipeline"
            }
            "if" | "rules" | "when" | "only" | "except" | "stages" | "files" | "exclude" => {
                "it may no longer run on every change"
            }
            "ref" | "rev" | "version" if old.is_some() => {
                "a different version of the gate judges changes"
            }
            "working-directory" => "the gate judges another folder",
            "fail-on" if rank(value) < old.map_or(DEFAULT_RANK, rank) => {
                "fewer findings fail the job"
            }
            "permissions" if !writes_events(value) && old.is_none_or(writes_events) => {
                "without `security-events: write` the SARIF report is not uploaded"
            }
            "command" => {
                let had: Vec<&str> = old
                    .map(|o| LOWERED.find_iter(o).map(|m| m.as_str()).collect())
                    .unwrap_or_default();
                if let Some(m) = LOWERED
                    .find_iter(value)
                    .find(|m| !had.contains(&m.as_str()))
                {
                    out.push(Weakening {
                        line: *line,
                        side: Side::Head,
                        what: format!(
                            "{} now runs with `{}`: a block may no longer fail the job, or the gate judges something else",
                            now.label,
                            m.as_str().trim()
                        ),
                    });
                }
                continue;
            }
            _ => continue,
        };
        out.push(Weakening {
            line: *line,
            side: Side::Head,
            what: format!(
                "{}{place} now has `{key}: {}`: {effect}",
                now.label,
                short(value)
            ),
        });
    }
}

/// Whether a `permissions` value lets the job upload a SARIF report.
fn writes_events(value: &str) -> bool {
    value.contains("security-events: write") || value.contains("write-all")
}

/// A setting's key as the configuration writes it, and where it sits when not on the run
/// itself: `job if` is the `if:` of the run's job, `needs build if` that of a job it needs.
fn shown(name: &str) -> (&str, String) {
    if let Some(rest) = name.strip_prefix("needs ") {
        let job = rest.strip_suffix(" if").unwrap_or(rest);
        return ("if", format!(" (through job `{job}`, which it needs)"));
    }
    match name.strip_prefix("job ") {
        Some(key) => (key, " (on its job)".to_string()),
        None => (name.strip_prefix("env ").unwrap_or(name), String::new()),
    }
}

/// How strict a `fail-on` threshold is: `never` (or what cannot be known) is the weakest.
type Rank = u8;

/// The rank of the default threshold, `error`.
const DEFAULT_RANK: Rank = 3;

fn rank(value: &str) -> Rank {
    match value.trim().to_ascii_lowercase().as_str() {
        "never" | "none" | "false" => 0,
        "info" => 1,
        "warning" => 2,
        "error" => 3,
        // An expression (`${{ inputs.level }}`) or an unknown word: it may be anything.
        _ => 0,
    }
}

/// A value cut short for a message.
fn short(value: &str) -> String {
    match value.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &value[..at]),
        None => value.to_string(),
    }
}

/// A node as compact text, to compare two sides and to quote; cut at 4 KiB, so aliases
/// (shared nodes written out at every use) cannot make it grow without bound.
fn flat(node: &Node) -> String {
    let mut out = String::new();
    write_flat(node, &mut out);
    out
}

/// The most of a node [`flat`] writes out.
const FLAT_MAX: usize = 4096;

fn write_flat(node: &Node, out: &mut String) {
    if out.len() > FLAT_MAX {
        return;
    }
    match &node.resolved().value {
        Value::Scalar { text, .. } => out.push_str(text),
        Value::Null | Value::Shared(_) => {}
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flat(item, out);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push_str(": ");
                write_flat(v, out);
            }
            out.push('}');
        }
    }
}

fn entries(node: Option<&Node>) -> &[(String, Node)] {
    match node.map(|n| &n.resolved().value) {
        Some(Value::Map(entries)) => entries,
        _ => &[],
    }
}

fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.resolved().value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

/// The `DEPLOY_GUARD_*` variables an `env:` mapping sets, as settings.
fn gate_env(run: &mut Run, env: Option<&Node>) {
    for (name, value) in entries(env) {
        if name.starts_with("DEPLOY_GUARD_") {
            run.set(&format!("env {name}"), Some(value));
        }
    }
}

/// GitHub Actions: the steps that use the action or run the binary, and jobs that call a
/// reusable workflow naming it; each with its job's and the workflow's settings.
fn github_runs(doc: &Node) -> Vec<Run> {
    let jobs = entries(doc.get("jobs"));
    let mut runs = Vec::new();
    for (id, job) in jobs {
        let mut common = Run::default();
        common.set("job if", job.get("if"));
        // Permissions matter to a job that uploads a SARIF report.
        if flat(job).to_ascii_lowercase().contains("sarif") {
            common.set(
                "permissions",
                job.get("permissions").or(doc.get("permissions")),
            );
        }

        gate_env(&mut common, doc.get("env"));
        gate_env(&mut common, job.get("env"));
        for need in items(job.get("needs"))
            .iter()
            .filter_map(Node::text)
            .chain(job.get("needs").and_then(Node::text))
        {
            if let Some(needed) = jobs.iter().find(|(n, _)| n == need).map(|(_, j)| j) {
                common.set(&format!("needs {need} if"), needed.get("if"));
            }
        }
        if let Some(uses) = job
            .get("uses")
            .filter(|u| u.text().is_some_and(|t| GATE.is_match(t)))
        {
            let mut run = Run::new(
                format!("job {id}"),
                format!("the job `{id}` that runs deploy-guard"),
                job.line,
            );
            run.settings = common.settings.clone();
            pin(&mut run, uses);
            run.set("continue-on-error", job.get("continue-on-error"));
            run.set("command", job.get("with").and_then(|w| w.get("args")));
            lowered_inputs(&mut run, job.get("with"));
            runs.push(run);
        }
        for step in items(job.get("steps")) {
            let uses = step.get("uses").and_then(Node::text).unwrap_or_default();
            let command = step.get("run").and_then(Node::text).unwrap_or_default();
            if !names_gate(&[uses, command]) {
                continue;
            }
            let name = ["id", "name"]
                .iter()
                .find_map(|k| step.get(k).and_then(Node::text))
                .or_else(|| uses.split('@').next().filter(|u| !u.is_empty()))
                .unwrap_or("run");
            let mut run = Run::new(
                format!("job {id} step {name}"),
                format!("the deploy-guard step in job `{id}`"),
                step.line,
            );
            run.settings = common.settings.clone();
            if let Some(node) = step.get("uses") {
                pin(&mut run, node);
            }
            run.set("if", step.get("if"));
            run.set("continue-on-error", step.get("continue-on-error"));
            run.set("job continue-on-error", job.get("continue-on-error"));
            gate_env(&mut run, step.get("env"));
            let with = step.get("with");
            let parts: Vec<&Node> = [
                step.get("run"),
                with.and_then(|w| w.get("args")),
                step.get("shell"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if let Some(first) = parts.first() {
                let text: Vec<String> = parts.iter().map(|n| flat(n)).collect();
                run.settings
                    .push(("command".into(), text.join("\n"), first.line));
            }
            lowered_inputs(&mut run, step.get("with"));
            runs.push(run);
        }
    }
    runs
}

/// The ref after `@` in a `uses:` value, as the run's `ref` setting.
fn pin(run: &mut Run, uses: &Node) {
    if let Some((_, pin)) = uses.text().and_then(|u| u.rsplit_once('@')) {
        run.settings
            .push(("ref".into(), pin.to_string(), uses.line));
    }
}

/// `fail-on`, `version`, `working-directory` and `config` inputs of the action or reusable
/// workflow.
fn lowered_inputs(run: &mut Run, with: Option<&Node>) {
    if let Some(with) = with {
        run.set_all(with, &["fail-on", "version", "working-directory"]);
    }
    if let Some(config) = with.and_then(|w| w.get("config")) {
        run.settings.push((
            "command".into(),
            format!("--config {}", flat(config)),
            config.line,
        ));
    }
}

/// The `on:` triggers of a workflow that runs the gate, narrowed: an event removed, or a filter
/// (`branches`, `paths`, `types`, `tags`) added or emptied of values, or an `-ignore` filter
/// given more.
fn triggers_narrowed(old: &Node, new: &Node, out: &mut Vec<Weakening>) {
    let events = |doc: &Node| -> Vec<(String, Option<Node>, u32)> {
        let on = doc.get("on").or(doc.get("true"));
        match on.map(|n| &n.resolved().value) {
            Some(Value::Scalar { text, .. }) => {
                vec![(text.clone(), None, on.map_or(0, |n| n.line))]
            }
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| i.text().map(|t| (t.to_string(), None, i.line)))
                .collect(),
            Some(Value::Map(entries)) => entries
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone()), v.line))
                .collect(),
            _ => Vec::new(),
        }
    };
    let (was, now) = (events(old), events(new));
    let on_line = new.get("on").or(new.get("true")).map_or(1, |n| n.line);
    // Only the events that bring changes to judge: dropping `schedule` or `workflow_dispatch`
    // leaves every change judged.
    const CHANGES: [&str; 4] = ["pull_request", "pull_request_target", "push", "merge_group"];
    for (event, filters, _) in was.iter().filter(|(e, _, _)| CHANGES.contains(&e.as_str())) {
        let Some((_, head_filters, line)) = now.iter().find(|(e, _, _)| e == event) else {
            out.push(Weakening {
                line: on_line,
                side: Side::Head,
                what: format!(
                    "the workflow that runs deploy-guard no longer triggers on `{event}`: those changes are not judged"
                ),
            });
            continue;
        };
        for (name, value) in entries(head_filters.as_ref()) {
            let before = entries(filters.as_ref()).iter().find(|(n, _)| n == name);
            let listed = |n: &Node| -> Vec<String> {
                match &n.resolved().value {
                    Value::Seq(items) => items.iter().map(flat).collect(),
                    _ => vec![flat(n)],
                }
            };
            let (old_items, new_items) = (before.map(|(_, v)| listed(v)), listed(value));
            let narrower = match (name.ends_with("-ignore"), old_items) {
                (_, None) => true,
                (true, Some(old)) => new_items.iter().any(|i| !old.contains(i)),
                (false, Some(old)) => old.iter().any(|i| !new_items.contains(i)),
            };
            if narrower {
                out.push(Weakening {
                    line: value.line.max(*line),
                    side: Side::Head,
                    what: format!(
                        "the workflow that runs deploy-guard now filters `{event}` by `{name}: {}`: changes outside it are not judged",
                        short(&flat(value))
                    ),
                });
            }
        }
    }
}

/// GitLab CI: jobs whose script runs the gate (with their rules), and includes of a template
/// that does.
fn gitlab_runs(doc: &Node) -> Vec<Run> {
    const RESERVED: [&str; 9] = [
        "stages",
        "variables",
        "include",
        "default",
        "workflow",
        "image",
        "services",
        "cache",
        "before_script",
    ];
    let mut runs = Vec::new();
    for (id, job) in entries(Some(doc)) {
        if RESERVED.contains(&id.as_str()) || !job.is_map() {
            continue;
        }
        let script: String = ["before_script", "script", "after_script"]
            .iter()
            .filter_map(|k| job.get(k))
            .map(flat)
            .collect::<Vec<_>>()
            .join("\n");
        let extends = job.get("extends").map(flat).unwrap_or_default();
        if !names_gate(&[&script, id, &extends]) {
            continue;
        }
        let mut run = Run::new(
            format!("job {id}"),
            format!("the deploy-guard job `{id}`"),
            job.line,
        );
        run.set_all(job, &["allow_failure", "rules", "when", "only", "except"]);
        if let Some(s) = job.get("script") {
            run.settings
                .push(("command".into(), script.clone(), s.line));
        }
        gate_env(&mut run, job.get("variables"));
        gate_env(&mut run, doc.get("variables"));
        runs.push(run);
    }
    let includes = doc.get("include");
    let listed = match includes.map(|n| &n.resolved().value) {
        Some(Value::Seq(items)) => items.iter().collect(),
        Some(_) => includes.into_iter().collect(),
        None => Vec::<&Node>::new(),
    };
    for include in listed.into_iter().filter(|i| GATE.is_match(&flat(i))) {
        let what = ["project", "component", "remote", "template", "local"]
            .iter()
            .find_map(|k| include.get(k).and_then(Node::text))
            .or(include.text())
            .unwrap_or_default();
        let (place, pin) = what.rsplit_once('@').unwrap_or((what, ""));
        let mut run = Run::new(
            format!("include {place}"),
            format!("the deploy-guard include `{place}`"),
            include.line,
        );
        let pin_node = include.get("ref");
        match pin_node {
            Some(_) => run.set("ref", pin_node),
            None if !pin.is_empty() => run.settings.push(("ref".into(), pin.into(), include.line)),
            None => {}
        }
        runs.push(run);
    }
    runs
}

/// pre-commit: the deploy-guard hook, with its repository's `rev`.
fn pre_commit_runs(doc: &Node) -> Vec<Run> {
    let mut runs = Vec::new();
    for repo in items(doc.get("repos")) {
        let url = repo.get("repo").and_then(Node::text).unwrap_or_default();
        for hook in items(repo.get("hooks")) {
            let id = hook.get("id").and_then(Node::text).unwrap_or_default();
            let entry = hook.get("entry").and_then(Node::text).unwrap_or_default();
            if !names_gate(&[id, entry]) {
                continue;
            }
            let mut run = Run::new(
                format!("hook {id}"),
                format!("the pre-commit hook `{id}`"),
                hook.line,
            );
            if !url.is_empty() && url != "local" {
                run.set("rev", repo.get("rev"));
            }
            run.set_all(hook, &["stages", "files", "exclude"]);
            run.set("command", hook.get("args"));
            runs.push(run);
        }
    }
    runs
}
