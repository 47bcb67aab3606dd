//! A removed or replaced load balancer judged by what points at its hostname in the head tree.
//! Something still pointing at it (a record or origin naming the resource in its template or
//! Terraform folder, or a load-balancer hostname written out anywhere, which may be this one's)
//! keeps the rule's severity. A change that itself repoints what pointed at it is a planned
//! migration: a warning. With nothing in the repository pointing at it, an internet-facing one
//! keeps the rule's severity (the outage's DNS lived outside the repository, where no gate sees
//! it) and an internal one is a warning.

use crate::change::{ChangeSet, FileKind, Status};
use crate::error::Result;
use crate::finding::Severity;
use crate::matching::pointers::{Pointer, Target, may_point, pointers};
use crate::path_class::PathClass;
use crate::source::ContentReader;

/// The largest unchanged file read for pointers.
const MAX_BYTES: u64 = 1 << 20;

/// The file types that may point at a load balancer: templates, Terraform, zone files.
const POINTING_EXTENSIONS: [&str; 6] = ["yaml", "yml", "json", "template", "tf", "zone"];

/// Whether `path` may hold a record, origin or output that points at a load balancer.
fn may_hold_pointers(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    (POINTING_EXTENSIONS
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
        || name.starts_with("db."))
        && !PathClass::of(path).out_of_the_way()
}

/// The folder of a path ("" at the root).
fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(f, _)| f)
}

/// What a verdict on one removed load balancer says.
pub(super) struct Grade {
    /// The most the finding may weigh (`None`: the rule's severity).
    pub cap: Option<Severity>,
    /// The sentence that says why, appended to the message.
    pub note: String,
}

/// The pointers of the head tree, and those the change took away from the files it changed.
pub(super) struct HeadPointers {
    head: Vec<(String, Pointer)>,
    repointed: Vec<(String, Pointer)>,
}

impl HeadPointers {
    /// Reads every file of the head tree that may point at a load balancer (one walk), and the
    /// base of every changed one.
    pub(super) fn read(changes: &ChangeSet, reader: &ContentReader) -> Result<HeadPointers> {
        let mut head = Vec::new();
        for (path, text) in reader.head_files(changes, may_hold_pointers, MAX_BYTES)? {
            head.extend(pointers(&text).into_iter().map(|p| (path.clone(), p)));
        }
        let mut repointed = Vec::new();
        for f in changes.files.iter().filter(|f| {
            f.status != Status::Added
                && f.kind == FileKind::Text
                && f.not_scanned.is_none()
                && may_hold_pointers(&f.path)
        }) {
            let Some(base) = reader.read_text(&f.base)? else {
                continue;
            };
            if !may_point(&base) {
                continue;
            }
            let path = f.old_path.as_deref().unwrap_or(&f.path);
            repointed.extend(
                pointers(&base)
                    .into_iter()
                    .filter(|p| {
                        !head
                            .iter()
                            .any(|(h, q)| *h == f.path && q.target == p.target)
                    })
                    .map(|p| (path.to_string(), p)),
            );
        }
        Ok(HeadPointers { head, repointed })
    }

    /// The verdict on the load balancer `name` (a logical id, or a Terraform address) declared
    /// in `path`, internal or not. A name counts where it resolves: in its own template, or in
    /// its Terraform folder; when the load balancer is replaced under the same name (`kept`),
    /// references by name follow the new one, and only hostnames written out are left behind.
    pub(super) fn grade(&self, path: &str, name: &str, internal: bool, kept: bool) -> Grade {
        let terraform = name.contains('.');
        let in_scope = |at: &str| match terraform {
            true => folder(at) == folder(path) && at.to_ascii_lowercase().ends_with(".tf"),
            false => at == path,
        };
        let names = |(at, p): &&(String, Pointer)| {
            !kept && matches!(&p.target, Target::Resource(r) if r == name) && in_scope(at)
        };
        if let Some((at, p)) = self.head.iter().find(names) {
            return Grade {
                cap: None,
                note: format!("{at}:{} still points at it", p.line),
            };
        }
        let literal = self.head.iter().find_map(|(at, p)| match &p.target {
            Target::Literal(host) => Some((at, p.line, host)),
            Target::Resource(_) => None,
        });
        if let Some((at, line, host)) = literal {
            return Grade {
                cap: None,
                note: format!(
                    "{at}:{line} names the load-balancer hostname {host} outright: if it is this one's, it stops resolving"
                ),
            };
        }
        if let Some((at, p)) = self.repointed.iter().find(names) {
            return Grade {
                cap: Some(Severity::Warning),
                note: format!(
                    "the same change repoints {at}:{}, a planned migration: make sure the new target serves before the old one goes",
                    p.line
                ),
            };
        }
        match internal {
            true => Grade {
                cap: Some(Severity::Warning),
                note: "nothing in the repository points at it, and it is internal".to_string(),
            },
            false => Grade {
                cap: None,
                note: "nothing in the repository points at its hostname, but it faces the internet: DNS kept outside the repository may still name it, as in the outage".to_string(),
            },
        }
    }
}
