//! What happens to the engine's findings before they are reported: the gate's own findings
//! (submodules, files it could not read, suppressions and waivers it cannot honour), inline suppressions, configured
//! waivers, and pull-request labels that acknowledge findings. Suppressed and acknowledged
//! findings keep their place in every report with `suppressed = Some(reason)`; they never fail
//! a run. The two kinds of suppression have different trust (see SECURITY.md): inline comments
//! live in the change under judgment, waivers in the configuration, which for ranges comes from
//! the base.

mod decisions;
mod inline;
mod labels;
mod reported;
mod submodules;
mod unread;
mod waivers;

pub(crate) use decisions::one_per_decision;
pub(crate) use labels::acknowledge;
pub(crate) use submodules::submodule_findings;
pub(crate) use unread::unread_findings;

use crate::change::ChangeSet;
use crate::config::{Config, Date};
use crate::error::Result;
use crate::finding::Finding;
use crate::rules::RuleSet;
use crate::source::ContentReader;

/// Applies inline suppressions (unless the configuration turned them off) and waivers to
/// `findings`, and adds the gate's findings about suppressions themselves. `today` decides
/// which waivers have expired.
pub(crate) fn suppress(
    changes: &ChangeSet,
    reader: &ContentReader,
    config: &Config,
    rules: &RuleSet,
    today: Date,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let mut extra = Vec::new();
    if config.inline_suppressions() {
        inline::apply(changes, reader, rules, findings, &mut extra)?;
    }
    waivers::apply(config.waivers(), rules, today, findings, &mut extra);
    findings.append(&mut extra);
    // Stable: the engine's order within a line is kept, the gate's own findings come after it.
    // The change's own findings come first, then each plan's and each render's, together.
    findings
        .sort_by(|a, b| (a.origin_key(), &a.path, a.line).cmp(&(b.origin_key(), &b.path, b.line)));
    Ok(())
}
