//! A CI file's variables judged where its commands read them: `env: IMAGE_TAG: latest` at
//! workflow, job or step level (GitLab: `variables:`) feeding `docker pull app:$IMAGE_TAG` is
//! judged as the command it makes. Each changed workflow's command lines are rewritten with the
//! variables in scope on each side ([`ci_env::commands`]) and judged as [`super::rewritten`]
//! says, so a changed variable is reported on its own line, once, naming the commands.

use super::rewritten::{Judge, Line, Origin, image_rules};
use crate::change::{ChangedFile, FileKind, Side, Status};
use crate::error::Result;
use crate::finding::Finding;
use crate::matching::ci_env::{self, Ci};
use crate::rules::RuleSet;
use crate::source::ContentReader;

/// Judges the changed CI files; `gate_of` says which rules apply to a file.
pub(super) fn judge_workflows(
    files: &[ChangedFile],
    reader: &ContentReader,
    rules: &RuleSet,
    gate_of: &dyn Fn(&ChangedFile) -> Vec<bool>,
    out: &mut Vec<Finding>,
) -> Result<()> {
    let workflows = files
        .iter()
        .filter(|f| f.kind == FileKind::Text && f.not_scanned.is_none())
        .filter_map(|f| Some((f, Ci::of(&f.path)?)));
    let mut image_rules = None;
    for (file, ci) in workflows {
        let image_rules = image_rules.get_or_insert_with(|| self::image_rules(rules));
        let read = |side: Side| -> Result<Option<String>> {
            match (side, file.status) {
                (Side::Base, Status::Added) | (Side::Head, Status::Deleted) => Ok(None),
                (Side::Base, _) => reader.read_text(&file.base),
                (Side::Head, _) => reader.read_text(&file.head),
            }
        };
        let (base, head) = (read(Side::Base)?, read(Side::Head)?);
        let lines = |text: &Option<String>| -> Vec<Line> {
            let commands = text.as_deref().and_then(|t| ci_env::commands(ci, t));
            commands
                .unwrap_or_default()
                .into_iter()
                .map(|c| Line {
                    scope: c.job,
                    path: file.path.clone(),
                    line: c.line,
                    written: c.written,
                    rewritten: c.rewritten.map(|(text, used)| {
                        let origins = used
                            .into_iter()
                            .map(|(name, line)| Origin {
                                name,
                                path: file.path.clone(),
                                line,
                            })
                            .collect();
                        (text, origins)
                    }),
                })
                .collect()
        };
        let texts = |_: &str, side: Side| match side {
            Side::Head => head.as_deref(),
            Side::Base => base.as_deref(),
        };
        let judge = Judge {
            changes: std::slice::from_ref(file),
            rules,
            image_rules,
            gate_of,
            texts: &texts,
        };
        judge.judge(&lines(&base), &lines(&head), out);
    }
    Ok(())
}
