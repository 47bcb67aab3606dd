//! JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, …).
//!
//! One test case per rule in effect, not per finding: the set of test names then stays the
//! same from run to run (so test-history views work), a clean change shows every rule as a
//! passing test, and a rule that fires fails once with all its findings listed. A rule fails
//! when it has an unsuppressed finding at or above `--fail-on`; its other findings (below the
//! threshold, or suppressed) are listed in the test case's `system-out`.

use super::escape::xml;
use super::outcome::{Render, Report, place};
use super::rule_meta::RuleMeta;
use crate::finding::Finding;
use std::fmt::Write as _;
use std::io;

/// Prints the JUnit report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Junit;

impl Render for Junit {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let table = report.rule_table();
        let mut cases = String::new();
        let mut failures = 0;
        for rule in &table {
            failures += usize::from(test_case(report, rule, &mut cases));
        }
        let tests = table.len();
        let mut properties = String::new();
        for (name, value) in [("base", &report.base), ("head", &report.head)] {
            if let Some(value) = value {
                let _ = writeln!(
                    properties,
                    "      <property name=\"{name}\" value=\"{}\"/>",
                    xml(value)
                );
            }
        }
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"deploy-guard\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n  <testsuite name=\"deploy-guard\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n    <properties>\n{properties}      <property name=\"verdict\" value=\"{}\"/>\n    </properties>\n{cases}  </testsuite>\n</testsuites>\n",
            xml(&report.verdict_line())
        )
    }
}

/// Appends `rule`'s test case to `cases`; returns whether it failed.
fn test_case(report: &Report, rule: &RuleMeta, cases: &mut String) -> bool {
    let (failing, other): (Vec<&Finding>, Vec<&Finding>) = report
        .findings
        .iter()
        .filter(|f| f.rule == rule.id)
        .partition(|f| f.suppressed.is_none() && report.fail_on.fails(f.severity));
    let _ = writeln!(
        cases,
        "    <testcase classname=\"deploy-guard.{}\" name=\"{}\">",
        xml(rule.category()),
        xml(&rule.id)
    );
    if let Some(worst) = failing.iter().map(|f| f.severity).max() {
        let _ = writeln!(
            cases,
            "      <failure type=\"{}\" message=\"{}\">{}</failure>",
            worst.as_str(),
            xml(&format!("{} finding(s): {}", failing.len(), rule.summary)),
            xml(&listing(&failing))
        );
    }
    if !other.is_empty() {
        let _ = writeln!(
            cases,
            "      <system-out>{}</system-out>",
            xml(&listing(&other))
        );
    }
    cases.push_str("    </testcase>\n");
    !failing.is_empty()
}

/// One line per finding: `severity path:line: message`, plus the snippet and any suppression.
fn listing(findings: &[&Finding]) -> String {
    let mut text = String::new();
    for f in findings {
        let _ = writeln!(text, "{} {}: {}", f.severity.as_str(), place(f), f.message);
        if let Some(snippet) = &f.snippet {
            let _ = writeln!(text, "    {snippet}");
        }
        if let Some(reason) = &f.suppressed {
            let _ = writeln!(text, "    suppressed: {reason}");
        }
    }
    text
}
