//! Where the gate runs, and the edits that weaken it there without naming it on any changed
//! line: a GitHub Actions job or step that runs deploy-guard given `continue-on-error`, an `if:`
//! condition, other inputs or `DEPLOY_GUARD_*` settings, or its workflow other triggers; a
//! GitLab CI job allowed to fail or given other `rules:`/`when:`; a pre-commit hook given other
//! stages, files, arguments or version. The job, step or hook is found by what it runs (or, for
//! GitLab's included template, by its name), on both sides, never by a changed line.

use super::tree::Node;

/// One setting of something that runs the gate, added or changed by the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Weakening {
    /// The head line of the setting.
    pub(crate) line: u32,
    /// What changed, in plain words.
    pub(crate) what: String,
}

/// A setting that decides whether or how the gate runs: the job, step or hook it belongs to,
/// its name there, its line, and its value written out (for comparing the two sides).
struct Setting {
    unit: String,
    name: String,
    line: u32,
    value: String,
}

/// What runs the gate on one side: its jobs, steps and hooks (named as in messages), and their
/// settings.
#[derive(Default)]
struct Gate {
    units: Vec<String>,
    settings: Vec<Setting>,
}

impl Gate {
    /// Records `unit` as running the gate.
    fn unit(&mut self, unit: String) -> String {
        self.units.push(unit.clone());
        unit
    }

    /// Adds the setting `key` of `node` (if present) under `unit`.
    fn push(&mut self, unit: &str, node: &Node, key: &str) {
        if let Some(value) = node.get(key) {
            self.add(unit, format!("`{key}`"), value);
        }
    }

    /// Adds the setting `name` of `unit`, with the value `value`.
    fn add(&mut self, unit: &str, name: String, value: &Node) {
        self.settings.push(Setting {
            unit: unit.to_string(),
            name,
            line: value.line,
            value: written(value),
        });
    }

    /// Adds every `DEPLOY_GUARD_*` variable in the mapping `node[key]` under `unit`.
    fn push_gate_vars(&mut self, unit: &str, node: &Node, key: &str) {
        let Some(entries) = node.get(key).and_then(Node::entries) else {
            return;
        };
        for (name, value) in entries {
            if name.to_ascii_uppercase().starts_with("DEPLOY_GUARD_") {
                self.add(unit, format!("`{key}.{name}`"), value);
            }
        }
    }
}

/// The configuration formats that can run the gate.
#[derive(Clone, Copy)]
enum Flavor {
    GitHub,
    GitLab,
    PreCommit,
}

/// Which format `path` is, if it is one that can run the gate.
fn flavor(path: &str) -> Option<Flavor> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or_default();
    if lower.starts_with(".github/workflows/") {
        Some(Flavor::GitHub)
    } else if name.starts_with(".gitlab-ci") || lower.starts_with(".gitlab/") {
        Some(Flavor::GitLab)
    } else if name.starts_with(".pre-commit-config") {
        Some(Flavor::PreCommit)
    } else {
        None
    }
}

/// What the settings of the gate in `path` became between `base` and `head` (their documents):
/// each setting that the head adds or changes, for jobs, steps and hooks that run the gate on
/// both sides (a gate added by the change weakens nothing; one removed is reported elsewhere).
pub(crate) fn weakenings(path: &str, base: &[Node], head: &[Node]) -> Vec<Weakening> {
    let Some(flavor) = flavor(path) else {
        return Vec::new();
    };
    let (before, after) = (gate(flavor, base), gate(flavor, head));
    after
        .settings
        .into_iter()
        .filter(|setting| before.units.contains(&setting.unit))
        .filter_map(|setting| {
            let old = before
                .settings
                .iter()
                .find(|b| b.unit == setting.unit && b.name == setting.name);
            let (unit, name, new) = (&setting.unit, &setting.name, shown(&setting.value));
            let what = match old {
                Some(old) if old.value == setting.value => return None,
                Some(old) => format!(
                    "{unit}: {name} changed from `{}` to `{new}`",
                    shown(&old.value)
                ),
                None => format!("{unit}: {name} set to `{new}`"),
            };
            Some(Weakening {
                line: setting.line,
                what,
            })
        })
        .collect()
}

/// A value as shown in a message: one line, at most 80 characters.
fn shown(value: &str) -> String {
    let flat: String = value.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// Whether text runs the gate.
fn names_gate(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("deploy-guard") || lower.contains("deploy_guard")
}

/// What runs the gate in one side's documents, and the settings that decide how.
fn gate(flavor: Flavor, docs: &[Node]) -> Gate {
    let mut out = Gate::default();
    for doc in docs {
        match flavor {
            Flavor::GitHub => github(doc, &mut out),
            Flavor::GitLab => gitlab(doc, &mut out),
            Flavor::PreCommit => pre_commit(doc, &mut out),
        }
    }
    out
}

/// GitHub Actions: the workflow's triggers and gate variables when some job runs the gate; each
/// such job's condition, failure handling and gate variables; the gate steps' own.
fn github(doc: &Node, out: &mut Gate) {
    let Some(jobs) = doc.get("jobs").and_then(Node::entries) else {
        return;
    };
    let mut any = false;
    for (id, job) in jobs {
        let steps = job.get("steps").and_then(Node::items).unwrap_or_default();
        let gate_steps: Vec<&Node> = steps.iter().filter(|s| runs_gate_step(s)).collect();
        let reusable = job.get("uses").and_then(Node::text).is_some_and(names_gate);
        if gate_steps.is_empty() && !reusable {
            continue;
        }
        any = true;
        let unit = out.unit(format!("job `{id}` (runs deploy-guard)"));
        for key in ["if", "continue-on-error", "with"] {
            out.push(&unit, job, key);
        }
        out.push_gate_vars(&unit, job, "env");
        for (n, step) in gate_steps.into_iter().enumerate() {
            let unit = out.unit(match n {
                0 => format!("the deploy-guard step of job `{id}`"),
                n => format!("deploy-guard step {} of job `{id}`", n + 1),
            });
            for key in ["if", "continue-on-error", "working-directory", "shell"] {
                out.push(&unit, step, key);
            }
            if let Some(with) = step.get("with").and_then(Node::entries) {
                for (input, value) in with {
                    out.add(&unit, format!("input `{input}`"), value);
                }
            }
            out.push_gate_vars(&unit, step, "env");
        }
    }
    if any {
        let unit = &out.unit("the workflow (runs deploy-guard)".to_string());
        // `on` is read as `true` by YAML 1.1 loaders; the tree keeps keys as written.
        out.push(unit, doc, "on");
        out.push_gate_vars(unit, doc, "env");
    }
}

/// Whether a GitHub Actions step runs the gate (its action or its command).
fn runs_gate_step(step: &Node) -> bool {
    ["uses", "run"]
        .iter()
        .any(|key| step.get(key).and_then(Node::text).is_some_and(names_gate))
}

/// GitLab CI: the pipeline's `workflow` and gate variables when some job runs the gate; each
/// such job's failure handling, conditions and gate variables. A job runs the gate when its
/// scripts do, or when it is named after it (a job of the included template, overridden).
fn gitlab(doc: &Node, out: &mut Gate) {
    let Some(entries) = doc.entries() else {
        return;
    };
    let mut any = false;
    for (id, job) in entries {
        if !job.is_map() || id.starts_with('.') && !names_gate(id) {
            continue;
        }
        let scripted = ["script", "before_script", "after_script"]
            .iter()
            .any(|key| job.get(key).is_some_and(|s| names_gate(&written(s))));
        if !scripted && !names_gate(id) {
            continue;
        }
        any = true;
        let unit = out.unit(format!("job `{id}` (runs deploy-guard)"));
        for key in ["allow_failure", "rules", "when", "only", "except"] {
            out.push(&unit, job, key);
        }
        out.push_gate_vars(&unit, job, "variables");
    }
    if any {
        let unit = &out.unit("the pipeline (runs deploy-guard)".to_string());
        out.push(unit, doc, "workflow");
        out.push_gate_vars(unit, doc, "variables");
    }
}

/// pre-commit: each deploy-guard hook's stages, files and arguments and its repository's
/// version, and the file-wide filters and stages when some hook runs the gate.
fn pre_commit(doc: &Node, out: &mut Gate) {
    let repos = doc.get("repos").and_then(Node::items).unwrap_or_default();
    let mut any = false;
    for repo in repos {
        let from_gate = repo
            .get("repo")
            .and_then(Node::text)
            .is_some_and(names_gate);
        let hooks = repo.get("hooks").and_then(Node::items).unwrap_or_default();
        for hook in hooks {
            let id = hook.get("id").and_then(Node::text).unwrap_or_default();
            let entry = hook.get("entry").and_then(Node::text).unwrap_or_default();
            if !from_gate && !names_gate(id) && !names_gate(entry) {
                continue;
            }
            any = true;
            let unit = out.unit(format!("pre-commit hook `{id}`"));
            for key in [
                "args",
                "stages",
                "files",
                "exclude",
                "types",
                "always_run",
                "pass_filenames",
            ] {
                out.push(&unit, hook, key);
            }
            out.push(&unit, repo, "rev");
        }
    }
    if any {
        let unit = &out.unit("the pre-commit configuration (runs deploy-guard)".to_string());
        for key in ["files", "exclude", "default_stages", "fail_fast"] {
            out.push(unit, doc, key);
        }
    }
}

/// A value written out in a canonical flow form, for comparing the two sides (bounded: a huge
/// or alias-heavy value is cut, which at worst calls two long values equal past 4 KiB).
fn written(node: &Node) -> String {
    let mut out = String::new();
    write_node(node, &mut out);
    out
}

const WRITTEN_MAX: usize = 4096;

fn write_node(node: &Node, out: &mut String) {
    if out.len() > WRITTEN_MAX {
        return;
    }
    if let Some(text) = node.text() {
        out.push_str(text);
    } else if let Some(items) = node.items() {
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_node(item, out);
        }
        out.push(']');
    } else if let Some(entries) = node.entries() {
        out.push('{');
        for (i, (key, value)) in entries.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(key);
            out.push_str(": ");
            write_node(value, out);
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::tree::parse;

    fn weakened(path: &str, base: &str, head: &str) -> Vec<(u32, String)> {
        let (base, head) = (parse(base).expect("base"), parse(head).expect("head"));
        weakenings(path, &base, &head)
            .into_iter()
            .map(|w| (w.line, w.what))
            .collect()
    }

    const WORKFLOW: &str = "on: [pull_request]\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: acme/deploy-guard@v1\n        with:\n          fail-on: error\n";

    #[test]
    fn github_settings_added_or_changed_around_the_gate() {
        let path = ".github/workflows/gate.yml";
        let head = WORKFLOW
            .replace("on: [pull_request]", "on: [push]")
            .replace("    runs-on:", "    continue-on-error: true\n    runs-on:")
            .replace("fail-on: error", "fail-on: never");
        let found = weakened(path, WORKFLOW, &head);
        let words: Vec<&str> = found.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            words,
            [
                "job `gate` (runs deploy-guard): `continue-on-error` set to `true`",
                "the deploy-guard step of job `gate`: input `fail-on` changed from `error` to `never`",
                "the workflow (runs deploy-guard): `on` changed from `[pull_request]` to `[push]`",
            ]
        );
        assert_eq!(found[0].0, 4);
        assert!(weakened(path, WORKFLOW, WORKFLOW).is_empty());
        // A step-level condition, and a variable the gate reads.
        let head = WORKFLOW.replace(
            "        with:",
            "        if: github.actor != 'bot'\n        env:\n          DEPLOY_GUARD_TODAY: 2099-01-01\n        with:",
        );
        assert_eq!(weakened(path, WORKFLOW, &head).len(), 2);
    }

    #[test]
    fn workflows_without_the_gate_and_new_gates_weaken_nothing() {
        let path = ".github/workflows/ci.yml";
        let other = "on: [push]\njobs:\n  test:\n    steps:\n      - run: cargo test\n";
        let head = other.replace("[push]", "[pull_request]");
        assert!(weakened(path, other, &head).is_empty());
        assert!(weakened(path, other, WORKFLOW).is_empty());
        assert!(weakened("deploy/gate.yml", WORKFLOW, "on: [push]\n").is_empty());
    }

    #[test]
    fn gitlab_jobs_allowed_to_fail_or_given_rules() {
        let base = "include:\n  - local: templates/deploy-guard.gitlab-ci.yml\ndeploy-guard:\n  stage: test\n";
        let head = format!("{base}  allow_failure: true\n");
        assert_eq!(
            weakened(".gitlab-ci.yml", base, &head),
            [(
                5,
                "job `deploy-guard` (runs deploy-guard): `allow_failure` set to `true`".to_string()
            )]
        );
        let base = "gate:\n  script:\n    - deploy-guard check\n";
        let head = format!("{base}  rules:\n    - if: $CI_COMMIT_BRANCH == \"main\"\n");
        assert_eq!(weakened(".gitlab-ci.yml", base, &head).len(), 1);
        let build = "build:\n  script: [make]\n";
        assert!(weakened(".gitlab-ci.yml", build, &format!("{build}  when: manual\n")).is_empty());
    }

    #[test]
    fn pre_commit_hooks_given_other_stages_or_versions() {
        let base = "repos:\n  - repo: https://github.com/deploy-guard/deploy-guard\n    rev: v0.1.0\n    hooks:\n      - id: deploy-guard\n";
        let head = base.replace("v0.1.0", "v0.0.1") + "        stages: [manual]\n";
        let found = weakened(".pre-commit-config.yaml", base, &head);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].1.contains("`stages` set to `[manual]`"),
            "{found:?}"
        );
    }
}
