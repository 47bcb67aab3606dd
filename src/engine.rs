//! The engine: every changed file against every applicable rule, producing findings.

use crate::change::{ChangeSet, ChangedFile, DiffLine, FileKind, Side};
use crate::finding::{Finding, Severity};
use crate::rules::{Rule, RuleSet};

/// The longest snippet kept in a finding, in characters.
const SNIPPET_CHARS: usize = 200;

/// Judges a whole change. Findings come out sorted by path, then line.
pub fn judge(changes: &ChangeSet, rules: &RuleSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    for file in &changes.files {
        judge_file(file, rules, &mut findings);
    }
    findings.sort_by(|a, b| {
        (&a.path, a.line, &a.rule, a.side.is_some()).cmp(&(
            &b.path,
            b.line,
            &b.rule,
            b.side.is_some(),
        ))
    });
    findings
}

/// Judges one file, appending to `out`.
pub fn judge_file(file: &ChangedFile, rules: &RuleSet, out: &mut Vec<Finding>) {
    let all = rules.rules();
    let mut gate = rules.applicable(&file.path);
    for (on, rule) in gate.iter_mut().zip(all) {
        *on = *on && file_level_holds(rule, file);
    }
    let prose = is_prose(&file.path);
    let matches_lines = matches!(file.kind, FileKind::Text | FileKind::Symlink);
    let mut removed_seen: Vec<Option<bool>> = vec![None; all.len()];

    if matches_lines {
        for (line, text) in file.added() {
            for r in rules.added_matches(text) {
                if !gate[r] {
                    continue;
                }
                let rule = &all[r];
                if rule.unless.as_ref().is_some_and(|u| u.is_match(text)) {
                    continue;
                }
                if let Some(removed) = &rule.removed {
                    let seen = *removed_seen[r]
                        .get_or_insert_with(|| file.removed().any(|(_, t)| removed.is_match(t)));
                    if !seen {
                        continue;
                    }
                }
                out.push(line_finding(rule, file, line, text, prose));
            }
        }
        for (line, text) in file.removed() {
            for r in rules.removed_matches(text) {
                let rule = &all[r];
                let excused = rule.unless.as_ref().is_some_and(|u| u.is_match(text));
                if gate[r] && rule.added.is_none() && !excused {
                    out.push(line_finding(rule, file, line, text, prose));
                }
            }
        }
    }
    for (r, rule) in all.iter().enumerate() {
        if gate[r] && rule.added.is_none() && rule.removed.is_none() {
            out.push(Finding {
                rule: rule.id.clone(),
                severity: capped(rule.severity, prose),
                path: file.path.clone(),
                line: None,
                side: None,
                message: rule.message.render(&file.path, None),
                snippet: None,
                suppressed: None,
            });
        }
    }
}

/// The conditions that depend on the file alone: status and file name.
fn file_level_holds(rule: &Rule, file: &ChangedFile) -> bool {
    (rule.status.is_empty() || rule.status.contains(&file.status))
        && rule
            .filename
            .as_ref()
            .is_none_or(|re| re.is_match(&file.path))
}

fn line_finding(
    rule: &Rule,
    file: &ChangedFile,
    line: &DiffLine,
    text: &str,
    prose: bool,
) -> Finding {
    let regex = match line.side {
        Side::Head => rule.added.as_ref(),
        Side::Base => rule.removed.as_ref(),
    };
    let caps = if rule.message.needs_captures() {
        regex.and_then(|re| re.captures(text))
    } else {
        None
    };
    Finding {
        rule: rule.id.clone(),
        severity: capped(rule.severity, prose),
        path: file.path.clone(),
        line: Some(line.line),
        side: (line.side == Side::Base).then_some(Side::Base),
        message: rule.message.render(&file.path, caps.as_ref()),
        snippet: Some(snippet(text)),
        suppressed: None,
    }
}

/// Prose is not deployed: its findings never exceed `info`.
fn capped(severity: Severity, prose: bool) -> Severity {
    if prose {
        severity.min(Severity::Info)
    } else {
        severity
    }
}

/// Markdown and other documentation formats, and anything under a `docs`/`doc` folder.
pub fn is_prose(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let in_docs = lower
        .split('/')
        .rev()
        .skip(1)
        .any(|dir| dir == "docs" || dir == "doc");
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    in_docs || matches!(ext, "md" | "markdown" | "mdx" | "rst" | "adoc" | "asciidoc")
}

fn snippet(text: &str) -> String {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_markdown_or_docs_folders() {
        assert!(is_prose("README.md"));
        assert!(is_prose("docs/setup.yaml"));
        assert!(is_prose("a/doc/x.txt"));
        assert!(!is_prose("src/docs.js"));
        assert!(!is_prose("server/app.js"));
    }

    #[test]
    fn snippet_is_trimmed_and_bounded() {
        assert_eq!(snippet("  x  "), "x");
        assert_eq!(snippet(&"é".repeat(300)).chars().count(), SNIPPET_CHARS + 1);
    }
}

#[cfg(test)]
mod unless_tests {
    use crate::change::{ChangeSet, ChangedFile};
    use crate::config::Config;
    use crate::rules::SourceFile;

    #[test]
    fn unless_carves_out_look_alikes() {
        let config = "[[rule]]\nid = \"t/debug\"\nseverity = \"error\"\nmessage = \"debug on\"\nadded = 'DEBUG\\s*=\\s*true'\nunless = '^\\s*#'\n";
        let rules = Config::parse(SourceFile::new("c.toml", config))
            .and_then(|c| c.rule_set(Vec::new()))
            .unwrap();
        let file =
            ChangedFile::from_contents("a.env", None, Some("# DEBUG = true\nDEBUG = true\n"));
        let changes = ChangeSet {
            files: vec![file],
            ..ChangeSet::default()
        };
        let lines: Vec<_> = super::judge(&changes, &rules)
            .iter()
            .map(|f| f.line)
            .collect();
        assert_eq!(lines, vec![Some(2)]);
    }
}
