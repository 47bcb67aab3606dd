//! The gate's own findings about the shape of a change that no line rule can see: submodule
//! pointers that moved. (Edits to the gate's configuration, workflows and hooks are ordinary
//! rules in `rules/guard.toml`.)

use super::reported::GateReport;
use crate::change::{ChangeSet, Content, FileKind, SUBPROJECT_COMMIT};
use crate::finding::Finding;
use crate::rules::RuleSet;

/// A submodule pointer was added, moved or removed: its content was not judged.
pub(crate) const SUBMODULE_CHANGED: GateReport = GateReport {
    id: "guard/submodule-changed",
};

/// One finding per submodule whose pointer was added, moved or removed (unless the
/// configuration disabled the rule).
pub(crate) fn submodule_findings(changes: &ChangeSet, rules: &RuleSet) -> Vec<Finding> {
    changes
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Submodule)
        .filter_map(|f| {
            let message = match (pointer(&f.base), pointer(&f.head)) {
                (Some(old), Some(new)) => format!(
                    "submodule pointer moved {old} → {new}: its content was not judged; review that range in the submodule"
                ),
                (None, Some(new)) => format!(
                    "submodule added at {new}: its content was not judged"
                ),
                (Some(old), None) => format!("submodule removed (was {old})"),
                (None, None) => "submodule changed".to_string(),
            };
            SUBMODULE_CHANGED.finding(rules, &f.path, None, message)
        })
        .collect()
}

/// The commit a gitlink side points at.
fn pointer(content: &Content) -> Option<&str> {
    match content {
        Content::Inline(text) => text.strip_prefix(SUBPROJECT_COMMIT).map(str::trim),
        _ => None,
    }
}
