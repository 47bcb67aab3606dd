//! The range a CI run judges when no `--base` is given, read from what the CI provider says
//! about the run: GitHub Actions' event payload (`GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`) and
//! GitLab CI's predefined variables. A pull request is judged as its base and head commits
//! (never the synthetic merge commit the checkout points at); a push from where the branch was
//! before it. The event's pull-request labels are kept for acknowledgements (see
//! [`crate::triage`]).

use super::resolved::{Resolved, load_commits};
use super::revs::{self, is_full_commit_id, is_zero_id};
use super::shallow;
use crate::change::ChangeSet;
use crate::error::{Error, Result};
use git2::Repository;
use serde::Deserialize;
use std::path::Path;

/// What a CI run is about, as far as the gate cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Provider and event, e.g. `GitHub pull_request`, printed with the range.
    pub name: String,
    /// The range the event names; `None` for events that name none (schedule,
    /// workflow_dispatch…), which use the local default base.
    pub range: Option<EventRange>,
    /// The pull or merge request's labels, for acknowledgements.
    pub labels: Vec<String>,
}

/// The two ends of the range an event names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRange {
    /// Where the change starts.
    pub base: EventBase,
    /// The commit under judgement (a full id, or `HEAD` when the event names none).
    pub head: String,
}

/// Where a CI event's change starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBase {
    /// A commit the event names as the base: a pull request's or merge group's base.
    Commit(String),
    /// A push: the commit the branch was at before it, when there was one (`None` for a new
    /// branch). When it is absent or gone (a force push), the change is judged from the
    /// branch point with the default branch (`origin/<default_branch>`, else the local default).
    Before {
        /// The branch's previous commit.
        before: Option<String>,
        /// The repository's default branch, as the provider names it.
        default_branch: Option<String>,
    },
}

/// Reads the CI run's event from the environment (`var` looks a variable up). `None` outside
/// a CI provider the gate knows; an error when the provider's description is unreadable.
pub(crate) fn detect(var: impl Fn(&str) -> Option<String>) -> Result<Option<Event>> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    if var("GITHUB_ACTIONS").as_deref() == Some("true") {
        return github(&var);
    }
    if var("GITLAB_CI").as_deref() == Some("true") {
        return gitlab(&var).map(Some);
    }
    Ok(None)
}

/// The parts of a GitHub event payload the gate reads; everything else is ignored.
#[derive(Debug, Default, Deserialize)]
struct Payload {
    pull_request: Option<PullRequest>,
    merge_group: Option<MergeGroup>,
    before: Option<String>,
    after: Option<String>,
    #[serde(default)]
    created: bool,
    repository: Option<PayloadRepository>,
}

#[derive(Debug, Deserialize)]
struct PullRequest {
    base: CommitRef,
    head: CommitRef,
    #[serde(default)]
    labels: Vec<Label>,
}

#[derive(Debug, Deserialize)]
struct CommitRef {
    sha: String,
}

#[derive(Debug, Deserialize)]
struct Label {
    name: String,
}

#[derive(Debug, Deserialize)]
struct MergeGroup {
    base_sha: String,
    head_sha: String,
}

#[derive(Debug, Deserialize)]
struct PayloadRepository {
    default_branch: Option<String>,
}

fn github(var: &impl Fn(&str) -> Option<String>) -> Result<Option<Event>> {
    let Some(event_name) = var("GITHUB_EVENT_NAME") else {
        return Ok(None);
    };
    let name = format!("GitHub {event_name}");
    let names_a_range = matches!(
        event_name.as_str(),
        "pull_request" | "pull_request_target" | "push" | "merge_group"
    );
    if !names_a_range {
        return Ok(Some(Event {
            name,
            range: None,
            labels: Vec::new(),
        }));
    }
    let path = var("GITHUB_EVENT_PATH").ok_or_else(|| Error::CiEvent {
        source_name: "GITHUB_EVENT_PATH".into(),
        message: format!("not set, so the {event_name} event's range is unknown"),
    })?;
    let payload = read_payload(Path::new(&path))?;
    let bad = |message: String| Error::CiEvent {
        source_name: path.clone(),
        message,
    };
    let commit = |value: Option<String>, field: &str| {
        value.filter(|v| is_full_commit_id(v)).ok_or_else(|| {
            bad(format!(
                "{event_name} event without a commit id in `{field}`"
            ))
        })
    };
    let event = match event_name.as_str() {
        "push" => {
            let default_branch = payload.repository.and_then(|r| r.default_branch);
            let before = commit(payload.before, "before")
                .ok()
                .filter(|b| !payload.created && !is_zero_id(b));
            // A push that deleted the branch names no head; judge the checkout.
            let head = commit(payload.after, "after")?;
            Event {
                name,
                range: Some(EventRange {
                    base: EventBase::Before {
                        before,
                        default_branch,
                    },
                    head: if is_zero_id(&head) {
                        "HEAD".into()
                    } else {
                        head
                    },
                }),
                labels: Vec::new(),
            }
        }
        "merge_group" => {
            let group = payload
                .merge_group
                .ok_or_else(|| bad("merge_group event without `merge_group`".into()))?;
            Event {
                name,
                range: Some(EventRange {
                    base: EventBase::Commit(commit(Some(group.base_sha), "merge_group.base_sha")?),
                    head: commit(Some(group.head_sha), "merge_group.head_sha")?,
                }),
                labels: Vec::new(),
            }
        }
        _ => {
            let pr = payload
                .pull_request
                .ok_or_else(|| bad(format!("{event_name} event without `pull_request`")))?;
            Event {
                name,
                range: Some(EventRange {
                    base: EventBase::Commit(commit(Some(pr.base.sha), "pull_request.base.sha")?),
                    head: commit(Some(pr.head.sha), "pull_request.head.sha")?,
                }),
                labels: pr.labels.into_iter().map(|l| l.name).collect(),
            }
        }
    };
    Ok(Some(event))
}

fn read_payload(path: &Path) -> Result<Payload> {
    let bad = |message: String| Error::CiEvent {
        source_name: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(format!("cannot read the event payload: {e}")))?;
    serde_json::from_str(&text).map_err(|e| bad(format!("malformed event payload: {e}")))
}

fn gitlab(var: &impl Fn(&str) -> Option<String>) -> Result<Event> {
    let commit = |name: &str| -> Result<Option<String>> {
        match var(name) {
            None => Ok(None),
            Some(v) if is_full_commit_id(&v) => Ok(Some(v)),
            Some(v) => Err(Error::CiEvent {
                source_name: name.into(),
                message: format!("'{v}' is not a commit id"),
            }),
        }
    };
    let source = var("CI_PIPELINE_SOURCE").unwrap_or_else(|| "pipeline".into());
    let name = format!("GitLab {source}");
    let mr_base = match commit("CI_MERGE_REQUEST_DIFF_BASE_SHA")? {
        Some(sha) => Some(sha),
        None => commit("CI_MERGE_REQUEST_TARGET_BRANCH_SHA")?,
    };
    let commit_sha = commit("CI_COMMIT_SHA")?;
    if let Some(base) = mr_base {
        // Merged-results pipelines check out a merge commit; the source branch's tip is the head.
        let head = commit("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA")?
            .or(commit_sha)
            .unwrap_or_else(|| "HEAD".into());
        let labels = var("CI_MERGE_REQUEST_LABELS")
            .map(|l| l.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default();
        return Ok(Event {
            name,
            range: Some(EventRange {
                base: EventBase::Commit(base),
                head,
            }),
            labels,
        });
    }
    Ok(Event {
        name,
        range: Some(EventRange {
            base: EventBase::Before {
                before: commit("CI_COMMIT_BEFORE_SHA")?.filter(|b| !is_zero_id(b)),
                default_branch: var("CI_DEFAULT_BRANCH"),
            },
            head: commit_sha.unwrap_or_else(|| "HEAD".into()),
        }),
        labels: Vec::new(),
    })
}

/// Reads the change of the range an event named `name` names, fetching missing history when
/// the clone is shallow.
pub(super) fn load(
    repo: &Repository,
    name: &str,
    range: &EventRange,
) -> Result<(ChangeSet, Resolved)> {
    let head = range.head.as_str();
    let (base, why) = match &range.base {
        EventBase::Commit(sha) => (sha.clone(), String::new()),
        EventBase::Before {
            before: Some(before),
            ..
        } if shallow::commit_available(repo, before) => (before.clone(), String::new()),
        EventBase::Before {
            before,
            default_branch,
        } => {
            let why = match before {
                Some(b) => format!("before {} is gone (force push?)", &b[..12]),
                None => "new branch".to_string(),
            };
            let base = match default_branch {
                Some(branch) => format!("{}/{branch}", shallow::REMOTE),
                None => revs::default_base(repo)?.0,
            };
            let why = format!(", {why}: from the branch point with {base}");
            (base, why)
        }
    };
    let range = shallow::resolve_range(repo, &base, head)?;
    let label = format!("{name}{why}: {}...{}", abbreviate(&base), abbreviate(head));
    load_commits(repo, &label, &range)
}

/// A commit id shortened for messages; other names as they are.
fn abbreviate(rev: &str) -> &str {
    if is_full_commit_id(rev) {
        &rev[..12]
    } else {
        rev
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> Result<Option<Event>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        detect(|k| map.get(k).cloned())
    }

    #[test]
    fn outside_ci_there_is_no_event() {
        assert_eq!(env(&[]).ok(), Some(None));
        assert_eq!(env(&[("GITHUB_ACTIONS", "false")]).ok(), Some(None));
    }

    #[test]
    fn gitlab_merge_request_prefers_the_source_branch_tip_over_the_merged_result() {
        let (base, merged, tip) = ("a".repeat(40), "b".repeat(40), "c".repeat(40));
        let event = env(&[
            ("GITLAB_CI", "true"),
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base),
            ("CI_COMMIT_SHA", &merged),
            ("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", &tip),
            ("CI_MERGE_REQUEST_LABELS", "deploy-guard/ack:cors,bug"),
        ])
        .ok()
        .flatten()
        .and_then(|e| e.range.map(|r| (r, e.labels)));
        let Some((range, labels)) = event else {
            panic!("no event");
        };
        assert_eq!(range.base, EventBase::Commit(base));
        assert_eq!(range.head, tip);
        assert_eq!(labels, ["deploy-guard/ack:cors", "bug"]);
    }

    #[test]
    fn gitlab_branch_pipeline_with_zero_before_falls_back_to_the_default_branch() {
        let head = "d".repeat(40);
        let event = env(&[
            ("GITLAB_CI", "true"),
            ("CI_COMMIT_SHA", &head),
            ("CI_COMMIT_BEFORE_SHA", &"0".repeat(40)),
            ("CI_DEFAULT_BRANCH", "trunk"),
        ]);
        let range = event.ok().flatten().and_then(|e| e.range);
        assert_eq!(
            range.map(|r| r.base),
            Some(EventBase::Before {
                before: None,
                default_branch: Some("trunk".into())
            })
        );
    }

    #[test]
    fn gitlab_variable_that_is_not_a_commit_id_is_named() {
        let err = env(&[("GITLAB_CI", "true"), ("CI_COMMIT_SHA", "--upload-pack=x")]);
        assert!(
            matches!(err, Err(Error::CiEvent { source_name, .. }) if source_name == "CI_COMMIT_SHA")
        );
    }

    #[test]
    fn zero_ids_of_both_hash_lengths() {
        assert!(is_zero_id(&"0".repeat(40)) && is_zero_id(&"0".repeat(64)));
        assert!(!is_zero_id(&"0".repeat(39)) && !is_zero_id(&format!("{}1", "0".repeat(39))));
    }
}
