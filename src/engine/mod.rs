//! The engine: every changed file against every applicable rule, producing findings. Line
//! matching lives in [`lines`], structured and whole-tree matching in [`whole`]; this module
//! decides which rules apply where and applies the cross-file conditions (co-change rules).

mod lines;
mod whole;

use crate::change::{ChangeSet, ChangedFile, Side};
use crate::error::Result;
use crate::finding::{Finding, Severity, Skipped};
use crate::matching::globs::PathGlobs;
use crate::matching::ids::RuleIdGlobs;
use crate::rules::{Rule, RuleSet};
use crate::source::ContentReader;
use std::collections::{BTreeSet, HashMap};

/// The longest snippet kept in a finding, in characters.
const SNIPPET_CHARS: usize = 200;

/// What judging a change produced.
#[derive(Debug, Clone, Default)]
pub struct Judgement {
    /// Findings, sorted by path, then line.
    pub findings: Vec<Finding>,
    /// Files some rule could not fully read (e.g. a YAML file that does not parse).
    pub skipped: Vec<Skipped>,
}

/// Judges a whole change. `reader` supplies full file contents to rules that need them.
pub fn judge(changes: &ChangeSet, rules: &RuleSet, reader: &ContentReader) -> Result<Judgement> {
    let co_change = co_change_gate(changes, rules);
    let mut whole = whole::Whole::new(changes, reader);
    let mut out = Judgement::default();
    let gates: Vec<Vec<bool>> = changes
        .files
        .iter()
        .map(|file| {
            let mut gate = rules.applicable(&file.path);
            for ((on, rule), co) in gate.iter_mut().zip(rules.rules()).zip(&co_change) {
                *on = *on && *co && !rule.gate_reported && file_level_holds(rule, file);
            }
            gate
        })
        .collect();
    let mut relevant = vec![false; rules.rules().len()];
    for gate in &gates {
        for (any, on) in relevant.iter_mut().zip(gate) {
            *any |= *on;
        }
    }
    let changed_lines = changes.files.iter().map(|f| f.lines().len()).sum();
    let sets = rules.line_sets(&relevant, changed_lines)?;
    for (file, gate) in changes.files.iter().zip(&gates) {
        let first = out.findings.len();
        lines::judge_lines(file, rules, &sets, gate, &mut out.findings);
        lines::keep_within(file, rules, reader, &mut out.findings, first)?;
        whole.judge_file(file, rules, gate, &mut out)?;
    }
    keep_co_occurring(rules, &mut out.findings);
    out.findings.sort_by(|a, b| {
        (&a.path, a.line, &a.rule, a.side.is_some()).cmp(&(
            &b.path,
            b.line,
            &b.rule,
            b.side.is_some(),
        ))
    });
    Ok(out)
}

/// Per rule: whether its `without_change`/`with_change` conditions hold for this change.
fn co_change_gate(changes: &ChangeSet, rules: &RuleSet) -> Vec<bool> {
    let paths: Vec<&str> = changes
        .files
        .iter()
        .flat_map(|f| std::iter::once(f.path.as_str()).chain(f.old_path.as_deref()))
        .collect();
    rules
        .rules()
        .iter()
        .map(|rule| {
            let any = |globs: &PathGlobs| paths.iter().any(|p| globs.is_match(p));
            rule.without_change.as_deref().is_none_or(|s| !any(s))
                && rule.with_change.as_deref().is_none_or(any)
        })
        .collect()
}

/// Drops findings of rules whose `with_finding` partner rules found nothing in this change,
/// then findings of rules whose `without_finding` rules did find something. Decided once per
/// rule that fired, so a change with thousands of findings costs no more than one with a few.
fn keep_co_occurring(rules: &RuleSet, findings: &mut Vec<Finding>) {
    let mut filter = |partners: fn(&Rule) -> Option<&RuleIdGlobs>, want: bool| {
        let fired: Vec<String> = findings
            .iter()
            .map(|f| f.rule.as_str())
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .map(str::to_string)
            .collect();
        let keep: HashMap<&str, bool> = fired
            .iter()
            .map(|id| {
                let holds = rules.get(id).and_then(partners).is_none_or(|partners| {
                    let any = fired
                        .iter()
                        .any(|other| other != id && partners.is_match(other));
                    any == want
                });
                (id.as_str(), holds)
            })
            .collect();
        findings.retain(|f| keep.get(f.rule.as_str()).copied().unwrap_or(true));
    };
    filter(|r| r.with_finding.as_ref(), true);
    filter(|r| r.without_finding.as_ref(), false);
}

/// The conditions that depend on the file alone: status and file name.
fn file_level_holds(rule: &Rule, file: &ChangedFile) -> bool {
    (rule.status.is_empty() || rule.status.contains(&file.status))
        && rule
            .filename
            .as_ref()
            .is_none_or(|re| re.is_match(&file.path))
}

/// Builds a finding with the prose cap applied.
fn finding(
    rule: &Rule,
    file: &ChangedFile,
    place: Option<(u32, Side)>,
    message: String,
    snippet: Option<&str>,
) -> Finding {
    let severity = if is_prose(&file.path) {
        rule.severity.min(Severity::Info)
    } else {
        rule.severity
    };
    Finding {
        rule: rule.id.clone(),
        severity,
        path: file.path.clone(),
        line: place.map(|(l, _)| l),
        side: place.and_then(|(_, s)| (s == Side::Base).then_some(Side::Base)),
        message,
        snippet: snippet.map(shorten),
        suppressed: None,
    }
}

/// Markdown and other documentation formats, and anything under a `docs`/`doc` folder: prose
/// is not deployed, so its findings never exceed `info`.
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

fn shorten(text: &str) -> String {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::ChangedFile;
    use crate::config::Config;
    use crate::rules::SourceFile;

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
        assert_eq!(shorten("  x  "), "x");
        assert_eq!(shorten(&"é".repeat(300)).chars().count(), SNIPPET_CHARS + 1);
    }

    fn run(config: &str, files: Vec<ChangedFile>) -> Vec<(String, Option<u32>)> {
        let rules = Config::parse(SourceFile::new("c.toml", config.to_string()))
            .and_then(|c| c.rule_set(Vec::new()))
            .unwrap();
        let changes = ChangeSet {
            files,
            ..ChangeSet::default()
        };
        judge(&changes, &rules, &ContentReader::in_memory())
            .unwrap()
            .findings
            .into_iter()
            .map(|f| (f.rule, f.line))
            .collect()
    }

    #[test]
    fn unless_carves_out_look_alikes() {
        let config = "[[rule]]\nid = \"t/debug\"\nseverity = \"error\"\nmessage = \"debug on\"\nadded = 'DEBUG\\s*=\\s*true'\nunless = '^\\s*#'\n";
        let file =
            ChangedFile::from_contents("a.env", None, Some("# DEBUG = true\nDEBUG = true\n"));
        assert_eq!(run(config, vec![file]), vec![("t/debug".into(), Some(2))]);
    }

    #[test]
    fn identity_capture_tells_edited_lines_from_new_ones() {
        let config = "[[rule]]\nid = \"t/route\"\nseverity = \"info\"\nmessage = \"route {identity}\"\nadded = '(?P<identity>app\\.get\\(\\s*\\S+),'\n";
        let edited = ChangedFile::from_contents(
            "app.js",
            Some("app.get('/a', h)\n"),
            Some("app.get('/a', auth, h)\n"),
        );
        assert!(run(config, vec![edited]).is_empty());
        let added = ChangedFile::from_contents(
            "app.js",
            Some("app.get('/a', h)\n"),
            Some("app.get('/a', auth, h)\napp.get('/b', h)\n"),
        );
        assert_eq!(run(config, vec![added]), vec![("t/route".into(), Some(2))]);
    }

    #[test]
    fn without_change_and_with_finding() {
        let config = r#"
[[rule]]
id = "t/route"
severity = "info"
message = "route"
added = 'app\.get\('
without_change = ["docs/**"]

[[rule]]
id = "t/also"
severity = "error"
message = "both"
filename = 'x\.txt$'
with_finding = ["t/route"]
"#;
        let route = || ChangedFile::from_contents("app.js", None, Some("app.get('/x')\n"));
        let x = || ChangedFile::from_contents("x.txt", None, Some("1\n"));
        let doc = || ChangedFile::from_contents("docs/api.md", None, Some("# x\n"));
        assert_eq!(run(config, vec![route(), x()]).len(), 2);
        assert!(run(config, vec![route(), x(), doc()]).is_empty());
        assert!(run(config, vec![x()]).is_empty());
    }

    #[test]
    fn continued_commands_are_also_matched_joined() {
        let config = "[[rule]]\nid = \"t/run\"\nseverity = \"error\"\nmessage = \"{image}\"\nadded = 'docker run (?:-d |--name \\S+ )*(?P<image>[a-z]\\S*)'\nimage = [\"untagged\"]\n";
        let script =
            "docker run -d \\\n  --name edge \\\n  nginx\necho done\ndocker run -d nginx\n";
        let file = ChangedFile::from_contents("deploy.sh", None, Some(script));
        assert_eq!(
            run(config, vec![file]),
            vec![("t/run".into(), Some(1)), ("t/run".into(), Some(5))]
        );
        let once = "docker run -d nginx \\\n  --rm\n";
        let file = ChangedFile::from_contents("deploy.sh", None, Some(once));
        assert_eq!(run(config, vec![file]), vec![("t/run".into(), Some(1))]);
    }

    #[test]
    fn within_keeps_lines_inside_a_matching_block() {
        let config = "[[rule]]\nid = \"t/methods\"\nseverity = \"warning\"\nmessage = \"m\"\nadded = 'allowed_methods\\s*='\nwithin = '^\\s*resource\\s+\"aws_cloudfront_distribution\"'\n";
        let tf = "resource \"aws_s3_bucket_cors_configuration\" \"a\" {\n  cors_rule {\n    allowed_methods = [\"GET\"] # {\n  }\n}\nresource \"aws_cloudfront_distribution\" \"b\" {\n  comment = \"}\"\n  default_cache_behavior {\n    allowed_methods = [\"GET\"]\n  }\n}\n";
        let file = ChangedFile::from_contents("main.tf", None, Some(tf));
        assert_eq!(run(config, vec![file]), vec![("t/methods".into(), Some(9))]);
    }

    #[test]
    fn without_finding_yields_to_the_escalation() {
        let config = r#"
[[rule]]
id = "t/host"
severity = "warning"
message = "host"
added = 'HOST='
without_finding = ["t/both"]

[[rule]]
id = "t/both"
severity = "error"
message = "both"
added = 'HOST='
with_finding = ["t/cdn"]

[[rule]]
id = "t/cdn"
severity = "warning"
message = "cdn"
added = 'GET'
"#;
        let host = || ChangedFile::from_contents(".env", None, Some("HOST=x\n"));
        let cdn = || ChangedFile::from_contents("cdn.tf", None, Some("GET\n"));
        let rules: Vec<_> = run(config, vec![host(), cdn()])
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(rules, vec!["t/both", "t/cdn"]);
        assert_eq!(run(config, vec![host()]), vec![("t/host".into(), Some(1))]);
    }
}
