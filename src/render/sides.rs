//! One render at both sides: the command run in a clean checkout of the base and of the head
//! commit (the two at once), each side's output read as objects, and the objects compared
//! into a change the engine judges like any other (one synthetic file per object that was
//! added, changed or removed).

use super::checkout::Checkout;
use super::command::{self, Failure};
use super::objects::{self, Object};
use crate::change::{ChangeSet, ChangedFile};
use crate::config::Render;
use crate::error::Result;
use git2::{Oid, Repository};
use std::collections::HashMap;

/// What one side rendered, or why it did not.
type Side = std::result::Result<Vec<Object>, Failure>;

/// A render's outcome at both sides.
#[derive(Debug)]
pub(crate) struct Rendering {
    /// The base side; `Ok(vec![])` when the range starts at the empty tree.
    pub(crate) base: Side,
    /// The head side.
    pub(crate) head: Side,
}

/// What the change does to one rendered object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectChange {
    /// The object's address (`Deployment/shop/api`).
    pub(crate) address: String,
    /// Its kind.
    pub(crate) kind: String,
    /// `added`, `modified` or `deleted`.
    pub(crate) action: &'static str,
}

/// The rendered objects that differ between base and head, as a change set of synthetic files
/// (their paths are the objects' `NAME/…` paths), with what each file is.
#[derive(Debug, Default)]
pub(crate) struct RenderedChange {
    /// One file per added, changed or removed object.
    pub(crate) changes: ChangeSet,
    /// Each file's object, by path.
    pub(crate) objects: HashMap<String, ObjectChange>,
}

/// Runs `render` in checkouts of `base` (none: the empty tree, nothing rendered) and `head`.
/// Errors are the gate's own (a checkout it could not write); a command that fails is a
/// failed side.
pub(crate) fn render(
    repo: &Repository,
    render: &Render,
    base: Option<Oid>,
    head: Oid,
) -> Result<Rendering> {
    let base_checkout = base.map(|id| Checkout::of(repo, id)).transpose()?;
    let head_checkout = Checkout::of(repo, head)?;
    let run = |side: &str, checkout: &Checkout| -> Side {
        let env = [
            ("DEPLOY_GUARD_RENDER", render.name.as_str()),
            ("DEPLOY_GUARD_RENDER_SIDE", side),
        ];
        let stdout = command::run(&render.run, checkout.path(), &env, render.timeout)?;
        match &render.output {
            Some(glob) => objects::from_files(&render.name, checkout.path(), glob),
            None => objects::from_stdout(&render.name, &stdout),
        }
    };
    let (base, head) = std::thread::scope(|scope| {
        let base = scope.spawn(|| match &base_checkout {
            Some(checkout) => run("base", checkout),
            None => Ok(Vec::new()),
        });
        let head = run("head", &head_checkout);
        let base = base
            .join()
            .unwrap_or_else(|_| Err(Failure::new("rendering the base stopped unexpectedly")));
        (base, head)
    });
    Ok(Rendering { base, head })
}

/// The objects that differ between `base` and `head`.
pub(crate) fn compare(base: &[Object], head: &[Object]) -> RenderedChange {
    let before: HashMap<&str, &Object> = base.iter().map(|o| (o.path.as_str(), o)).collect();
    let after: HashMap<&str, &Object> = head.iter().map(|o| (o.path.as_str(), o)).collect();
    let mut out = RenderedChange::default();
    let gone = base.iter().filter(|o| !after.contains_key(o.path.as_str()));
    for object in head.iter().chain(gone) {
        let was = before.get(object.path.as_str()).map(|o| o.text.as_str());
        let is = after.get(object.path.as_str()).map(|o| o.text.as_str());
        let action = match (was, is) {
            (Some(was), Some(is)) if was == is => continue,
            (None, _) => "added",
            (_, None) => "deleted",
            _ => "modified",
        };
        out.changes
            .files
            .push(ChangedFile::from_contents(&object.path, was, is));
        out.objects.insert(
            object.path.clone(),
            ObjectChange {
                address: object.address.clone(),
                kind: object.kind.clone(),
                action,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(path: &str, text: &str) -> Object {
        Object {
            address: path.to_string(),
            kind: "Deployment".into(),
            path: format!("p/{path}.yaml"),
            text: text.into(),
        }
    }

    #[test]
    fn only_the_objects_that_differ_are_changed_files() {
        let base = [
            object("same", "a: 1\n"),
            object("edited", "image: x:1\n"),
            object("gone", "a: 1\n"),
        ];
        let head = [
            object("same", "a: 1\n"),
            object("edited", "image: x:latest\n"),
            object("new", "a: 2\n"),
        ];
        let change = compare(&base, &head);
        let files: Vec<String> = change
            .changes
            .files
            .iter()
            .map(|f| format!("{} {}", f.status.as_str(), f.path))
            .collect();
        assert_eq!(
            files,
            [
                "modified p/edited.yaml",
                "added p/new.yaml",
                "deleted p/gone.yaml",
            ]
        );
        assert_eq!(change.objects["p/gone.yaml"].action, "deleted");
        assert_eq!(
            change.changes.files[0].added().next().map(|(_, t)| t),
            Some("image: x:latest")
        );
    }
}
