//! One finding per decision: the same rule saying the same thing about the same file on several
//! lines (`cors: true` on five functions of one `serverless.yml`, one mutable image in three
//! containers of a compose file) is one decision for the reviewer, reported once, on its first
//! line, naming the others. Suppressed and unsuppressed findings never merge: a suppression
//! speaks for its own line only.

use crate::change::Side;
use crate::finding::Finding;
use std::collections::HashMap;

/// How many other lines a merged finding names before "and N more".
const LINES_NAMED: usize = 8;

/// Merges findings of the change's own lines that share rule, file, side, message and
/// suppression into the first of them; the others' lines are named in its message.
pub(crate) fn one_per_decision(findings: &mut Vec<Finding>) {
    let mut first: HashMap<(&str, &str, Option<Side>, &str, bool), usize> = HashMap::new();
    let mut also: Vec<Vec<u32>> = vec![Vec::new(); findings.len()];
    let mut keep = vec![true; findings.len()];
    for (i, f) in findings.iter().enumerate() {
        let Some(line) = f.line.filter(|_| f.origin.is_none()) else {
            continue;
        };
        let key = (
            f.rule.as_str(),
            f.path.as_str(),
            f.side,
            f.message.as_str(),
            f.suppressed.is_some(),
        );
        match first.get(&key) {
            Some(&at) if findings[at].line != Some(line) => {
                also[at].push(line);
                keep[i] = false;
            }
            Some(_) => {}
            None => {
                first.insert(key, i);
            }
        }
    }
    for (f, lines) in findings.iter_mut().zip(&also) {
        if !lines.is_empty() {
            f.message.push_str(&same_on(lines));
        }
    }
    let mut index = 0;
    findings.retain(|_| {
        index += 1;
        keep[index - 1]
    });
}

/// " (the same on lines 10, 17 and 3 more)".
fn same_on(lines: &[u32]) -> String {
    let named: Vec<String> = lines.iter().take(LINES_NAMED).map(u32::to_string).collect();
    let more = lines.len().saturating_sub(LINES_NAMED);
    let which = match (named.as_slice(), more) {
        ([one], 0) => format!("line {one}"),
        (_, 0) => format!("lines {}", named.join(", ")),
        (_, more) => format!("lines {} and {more} more", named.join(", ")),
    };
    format!(" (the same on {which})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn at(rule: &str, line: u32, message: &str) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            path: "serverless.yml".into(),
            line: Some(line),
            side: None,
            message: message.into(),
            snippet: None,
            suppressed: None,
            origin: None,
        }
    }

    #[test]
    fn the_same_decision_on_several_lines_is_one_finding() {
        let mut findings = vec![
            at("cors/allow-all-switch", 6, "cors: true"),
            at("cors/allow-all-switch", 10, "cors: true"),
            at("image/latest-tag", 8, "nginx:latest"),
            at("cors/allow-all-switch", 17, "cors: true"),
            at("image/latest-tag", 9, "redis:latest"),
        ];
        let mut suppressed = at("cors/allow-all-switch", 20, "cors: true");
        suppressed.suppressed = Some("public API".into());
        findings.push(suppressed);
        one_per_decision(&mut findings);
        let got: Vec<(u32, &str)> = findings
            .iter()
            .map(|f| (f.line.unwrap_or(0), f.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (6, "cors: true (the same on lines 10, 17)"),
                (8, "nginx:latest"),
                (9, "redis:latest"),
                (20, "cors: true"),
            ]
        );
    }

    #[test]
    fn long_lists_are_cut() {
        assert_eq!(same_on(&[3]), " (the same on line 3)");
        let many: Vec<u32> = (1..=10).collect();
        assert_eq!(
            same_on(&many),
            " (the same on lines 1, 2, 3, 4, 5, 6, 7, 8 and 2 more)"
        );
    }
}
