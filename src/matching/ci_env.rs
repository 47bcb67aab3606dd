//! CI variables as a job's commands see them: GitHub Actions `env:` (workflow, job, then step
//! level, the nearest winning) in `run:` scripts, GitLab CI `variables:` (global, then job) in
//! `script:`, `before_script:` and `after_script:`; each command line rewritten with the values
//! in scope (`$TAG`, `${TAG}`, `${{ env.TAG }}`), so a rule that judges an image in a command
//! judges the image the command will use.
//!
//! Only values written as plain text are used: a value that is itself an expression
//! (`${{ github.sha }}`, `$CI_COMMIT_SHA`) is unknown and the reference stays as written.

use super::tree::{self, Node};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The longest rewritten line, in bytes; longer ones are not judged.
const MAX_LINE: usize = 4096;

static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)",
    )
    .expect("valid regex")
});

/// The keys of a GitLab CI file that are not jobs.
const GITLAB_KEYWORDS: [&str; 10] = [
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// The script keys of a GitLab CI job.
const GITLAB_SCRIPTS: [&str; 3] = ["before_script", "script", "after_script"];

/// Which CI system a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ci {
    /// `.github/workflows/*.yml`.
    GitHub,
    /// `.gitlab-ci.yml`.
    GitLab,
}

impl Ci {
    /// The CI system whose configuration `path` is, if any.
    pub(crate) fn of(path: &str) -> Option<Ci> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name == ".gitlab-ci.yml" {
            return Some(Ci::GitLab);
        }
        let in_workflows = path
            .strip_prefix(".github/workflows/")
            .is_some_and(|rest| !rest.contains('/'));
        (in_workflows && (name.ends_with(".yml") || name.ends_with(".yaml"))).then_some(Ci::GitHub)
    }
}

/// One command line of a job, as written and as run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    /// The job it is in.
    pub job: String,
    /// 1-based line of the file.
    pub line: u32,
    /// The line as written.
    pub written: String,
    /// The line with the variables in scope put in, and the variables used with the lines
    /// that set them; `None` when it reads none that are known.
    pub rewritten: Option<(String, Vec<(String, u32)>)>,
}

/// Variables in scope: name → (value, line), `None` for a value that is not plain text.
type Scope = HashMap<String, (Option<String>, u32)>;

/// The command lines of a CI file; `None` when it is not valid YAML.
pub(crate) fn commands(ci: Ci, text: &str) -> Option<Vec<Command>> {
    let docs = tree::parse(text).ok()?;
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let Some(doc) = docs.first() else {
        return Some(out);
    };
    let (env_key, global) = match ci {
        Ci::GitHub => ("env", doc.get("env")),
        Ci::GitLab => ("variables", doc.get("variables")),
    };
    let mut scope = Scope::new();
    add(&mut scope, global);
    let jobs: Vec<(&str, &Node)> = match ci {
        Ci::GitHub => doc
            .get("jobs")
            .and_then(Node::entries)
            .map_or(Vec::new(), Iterator::collect),
        Ci::GitLab => doc.entries().map_or(Vec::new(), |entries| {
            entries
                .filter(|(k, _)| !GITLAB_KEYWORDS.contains(k) && !k.starts_with('.'))
                .collect()
        }),
    };
    for (job, node) in jobs {
        let mut job_scope = scope.clone();
        add(&mut job_scope, node.get(env_key));
        let scripts: Vec<(Scope, &Node)> = match ci {
            Ci::GitHub => node
                .get("steps")
                .and_then(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|step| {
                    let mut step_scope = job_scope.clone();
                    add(&mut step_scope, step.get("env"));
                    Some((step_scope, step.get("run")?))
                })
                .collect(),
            Ci::GitLab => GITLAB_SCRIPTS
                .iter()
                .filter_map(|k| node.get(k))
                .flat_map(|s| s.items().map_or(vec![s], |items| items.iter().collect()))
                .map(|s| (job_scope.clone(), s))
                .collect(),
        };
        for (scope, script) in scripts {
            let Some(text) = script.text() else { continue };
            for (line, written) in placed(text, script.line, &lines) {
                out.push(Command {
                    job: job.to_string(),
                    line,
                    written: written.to_string(),
                    rewritten: rewrite(written, &scope),
                });
            }
        }
    }
    Some(out)
}

/// Adds the plain-text variables of an `env:` / `variables:` mapping (GitLab's `{value: …}`
/// form too) to `scope`, over what it had.
fn add(scope: &mut Scope, vars: Option<&Node>) {
    let Some(entries) = vars.and_then(Node::entries) else {
        return;
    };
    for (name, node) in entries {
        let value = node.get("value").unwrap_or(node);
        let text = value
            .text()
            .filter(|t| !t.contains('$'))
            .map(str::to_string);
        scope.insert(name.to_string(), (text, value.line));
    }
}

/// The lines of a script scalar with the file lines they are on: a one-line scalar is on its
/// node's line; the lines of a block scalar are found in order below it (a line not found is
/// left out).
fn placed<'t>(text: &'t str, at: u32, lines: &[&str]) -> Vec<(u32, &'t str)> {
    if !text.trim_end().contains('\n') {
        return vec![(at, text.trim())];
    }
    let mut out = Vec::new();
    let mut next = at as usize; // 0-based index of the line after the indicator
    for written in text.lines().filter(|l| !l.trim().is_empty()) {
        let found = lines
            .iter()
            .enumerate()
            .skip(next)
            .find(|(_, l)| l.trim() == written.trim());
        if let Some((index, _)) = found {
            out.push((u32::try_from(index + 1).unwrap_or(u32::MAX), written));
            next = index + 1;
        }
    }
    out
}

/// `line` with the known variables of `scope` put in; `None` when it reads none.
fn rewrite(line: &str, scope: &Scope) -> Option<(String, Vec<(String, u32)>)> {
    if !line.contains('$') {
        return None;
    }
    let mut used = Vec::new();
    let text = REFERENCE.replace_all(line, |c: &regex::Captures| {
        let name = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3));
        let known = name.and_then(|n| {
            let (value, at) = scope.get(n.as_str())?;
            Some((n.as_str(), value.as_deref()?, *at))
        });
        match known {
            Some((name, value, at)) => {
                used.push((name.to_string(), at));
                value.to_string()
            }
            None => c[0].to_string(),
        }
    });
    (!used.is_empty() && text.len() <= MAX_LINE).then(|| (text.into_owned(), used))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each command's line and its rewritten text.
    fn rewritten(ci: Ci, text: &str) -> Vec<(u32, Option<String>)> {
        let commands = commands(ci, text).unwrap_or_default();
        commands
            .into_iter()
            .map(|c| (c.line, c.rewritten.map(|(t, _)| t)))
            .collect()
    }

    #[test]
    fn github_env_is_scoped_workflow_job_step() {
        let workflow = "env:\n  TAG: latest\n  REPO: ghcr.io/acme/api\njobs:\n  deploy:\n    env:\n      REPO: ghcr.io/acme/web\n    steps:\n      - run: docker pull $REPO:${TAG}\n      - env: {TAG: '1.4.2'}\n        run: |\n          echo start\n          kubectl set image deploy/web web=${{ env.REPO }}:${{ env.TAG }}\n      - run: docker pull app:${{ github.sha }}\n";
        let web = |tag: &str| Some(format!("ghcr.io/acme/web:{tag}"));
        assert_eq!(
            rewritten(Ci::GitHub, workflow),
            [
                (9, web("latest").map(|i| format!("docker pull {i}"))),
                (12, None),
                (
                    13,
                    web("1.4.2").map(|i| format!("kubectl set image deploy/web web={i}"))
                ),
                (14, None),
            ]
        );
        let first = commands(Ci::GitHub, workflow).unwrap_or_default().remove(0);
        assert_eq!(
            first.rewritten.map(|(_, used)| used),
            Some(vec![("REPO".into(), 7), ("TAG".into(), 2)])
        );
    }

    #[test]
    fn gitlab_variables_reach_job_scripts() {
        let ci = "variables:\n  TAG: latest\n  SHA: $CI_COMMIT_SHA\nstages: [deploy]\n.hidden:\n  script: [docker pull a:$TAG]\ndeploy:\n  variables:\n    REPO: {value: registry.example.com/app, description: where}\n  script:\n    - docker pull $REPO:$TAG\n    - docker pull $REPO:$SHA\n";
        let app = "docker pull registry.example.com/app";
        assert_eq!(
            rewritten(Ci::GitLab, ci),
            [
                (11, Some(format!("{app}:latest"))),
                (12, Some(format!("{app}:$SHA")))
            ]
        );
        assert_eq!(Ci::of(".github/workflows/deploy.yaml"), Some(Ci::GitHub));
        assert_eq!(Ci::of(".github/workflows/sub/x.yml"), None);
        assert_eq!(super::commands(Ci::GitLab, "a: [\n"), None);
    }
}
