//! The engine: every changed file against every applicable rule, producing findings. Line
//! matching lives in [`lines`], structured and whole-tree matching in [`whole`], the conditions
//! across files in [`co_occurrence`]; this module decides which rules apply where.

mod co_occurrence;
mod dotenv;
mod findings;
mod helm_values;
mod lines;
mod pointed;
mod rewritten;
mod statements;
mod terraform_vars;
mod whole;
mod workflow_env;

use crate::change::{ChangeSet, ChangedFile};
use crate::error::Result;
use crate::finding::{Finding, Skipped};
use crate::path_class::PathClass;
use crate::rules::{Rule, RuleSet};
use crate::source::ContentReader;
use co_occurrence::{co_change_gate, keep_co_occurring};
pub(crate) use whole::Unparsed;

/// The categories that judge what gets deployed. Files out of the way (tests, vendored code,
/// developer-only setups: [`PathClass::out_of_the_way`]) are out of their way, all alike.
const DEPLOYED_CATEGORIES: &[&str] = &["image", "cors", "cdn", "infra", "rollout", "docs"];

/// What judging a change produced.
#[derive(Debug, Clone, Default)]
pub(crate) struct Judgement {
    /// Findings, sorted by path, then line.
    pub findings: Vec<Finding>,
    /// Files some rule could not fully read (e.g. a YAML file that does not parse).
    pub skipped: Vec<Skipped>,
    /// The files among them whose structure could not be read, for the gate to report.
    pub unparsed: Vec<Unparsed>,
}

/// Judges a whole change. `reader` supplies full file contents to rules that need them.
pub(crate) fn judge(
    changes: &ChangeSet,
    rules: &RuleSet,
    reader: &ContentReader,
) -> Result<Judgement> {
    let co_change = co_change_gate(changes, rules);
    let gate_of = |file: &ChangedFile| gate(file, rules, &co_change);
    let mut whole = whole::Whole::new(changes, reader);
    let mut out = Judgement::default();
    let gates: Vec<Vec<bool>> = changes.files.iter().map(gate_of).collect();
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
        statements::judge_statements(file, rules, gate, reader, &mut out.findings, first)?;
        whole.judge_file(
            file,
            rules,
            gate,
            &mut out.findings,
            &mut out.skipped,
            &mut out.unparsed,
        )?;
    }
    dotenv::judge_env_changes(
        &mut whole,
        rules,
        &gate_of,
        &mut out.findings,
        &mut out.skipped,
    )?;
    terraform_vars::judge_modules(&mut whole, rules, &gate_of, &mut out.findings)?;
    helm_values::judge_charts(&mut whole, rules, &gate_of, &mut out.findings)?;
    workflow_env::judge_workflows(&changes.files, reader, rules, &gate_of, &mut out.findings)?;
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

/// Which rules apply to `file`: its path admits them, their co-change conditions hold, the
/// file's status and name suit them, and it is deployed if they judge what is deployed. A
/// symlink serves its target's content: the rules of both names judge it.
fn gate(file: &ChangedFile, rules: &RuleSet, co_change: &[bool]) -> Vec<bool> {
    let out_of_the_way = PathClass::of(&file.path).out_of_the_way();
    let mut gate = rules.applicable(&file.path);
    if let Some(target) = file.link_target() {
        for (on, also) in gate.iter_mut().zip(rules.applicable(target)) {
            *on |= also;
        }
    }
    for ((on, rule), co) in gate.iter_mut().zip(rules.rules()).zip(co_change) {
        *on = *on
            && *co
            && rule.matches_changes()
            && file_level_holds(rule, file)
            && !(out_of_the_way && DEPLOYED_CATEGORIES.contains(&rule.category()));
    }
    gate
}

/// The conditions that depend on the file alone: status and file name.
fn file_level_holds(rule: &Rule, file: &ChangedFile) -> bool {
    (rule.status.is_empty() || rule.status.contains(&file.status))
        && rule
            .filename
            .as_ref()
            .is_none_or(|re| re.is_match(&file.path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::ChangedFile;
    use crate::config::Config;
    use crate::rules::SourceFile;

    /// The rule ids and lines of what the rules of `config` find in `files`.
    fn run(config: &str, files: Vec<ChangedFile>) -> Vec<(String, Option<u32>)> {
        let rules = Config::parse(SourceFile::new("c.toml", config.to_string()))
            .and_then(|c| c.rule_set(Vec::new(), &Default::default()))
            .unwrap()
            .rules;
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

    /// Line rules on one file: what `unless`, an `identity` capture, continued commands and
    /// `within` let through. Each case: what it shows, the rule's matcher keys, the file's path
    /// and two sides, and the lines the rule must report.
    #[test]
    fn line_rules_report_what_they_should() {
        let tf = "resource \"aws_s3_bucket_cors_configuration\" \"a\" {\n  cors_rule {\n    allowed_methods = [\"GET\"] # {\n  }\n}\nresource \"aws_cloudfront_distribution\" \"b\" {\n  comment = \"}\"\n  default_cache_behavior {\n    allowed_methods = [\"GET\"]\n  }\n}\n";
        let identity = r"added = '(?P<identity>app\.get\(\s*\S+),'";
        let docker_run = r#"added = 'docker run (?:-d |--name \S+ )*(?P<image>[a-z]\S*)'
image = ["untagged"]"#;
        type Case<'c> = (
            &'c str,
            &'c str,
            &'c str,
            Option<&'c str>,
            &'c str,
            &'c [u32],
        );
        let origin = r"added = 'origin:\s*.\*.'
unless = 'targetOrigin|postMessage'";
        let cases: [Case; 9] = [
            (
                "a match inside a comment never fires",
                r"added = 'DEBUG\s*=\s*true'",
                "a.env",
                None,
                "# DEBUG = true\nDEBUG = true # DEBUG = true\n",
                &[2],
            ),
            (
                "unless carves out what overlaps the match widened to whole identifiers",
                origin,
                "a.js",
                None,
                "postMessage(m, { targetOrigin: '*' })\n",
                &[],
            ),
            (
                "an exemption elsewhere on the line, or in a comment, excuses nothing",
                origin,
                "a.js",
                None,
                "x.postMessage(m); cors({ origin: '*' })\ncors({ origin: '*' }) // targetOrigin\n",
                &[1, 2],
            ),
            (
                "match_comments counts matches inside comments",
                "added = 'TODO'\nmatch_comments = true",
                "a.js",
                None,
                "// TODO\n",
                &[1],
            ),
            (
                "an edited line that keeps its identity is not new",
                identity,
                "app.js",
                Some("app.get('/a', h)\n"),
                "app.get('/a', auth, h)\n",
                &[],
            ),
            (
                "a line with a new identity is",
                identity,
                "app.js",
                Some("app.get('/a', h)\n"),
                "app.get('/a', auth, h)\napp.get('/b', h)\n",
                &[2],
            ),
            (
                "continued commands are also matched joined",
                docker_run,
                "deploy.sh",
                None,
                "docker run -d \\\n  --name edge \\\n  nginx\necho done\ndocker run -d nginx\n",
                &[1, 5],
            ),
            (
                "a command that fired on its first line is not reported again joined",
                docker_run,
                "deploy.sh",
                None,
                "docker run -d nginx \\\n  --rm\n",
                &[1],
            ),
            (
                "within keeps lines inside a matching block",
                r#"added = 'allowed_methods\s*='
within = '^\s*resource\s+"aws_cloudfront_distribution"'"#,
                "main.tf",
                None,
                tf,
                &[9],
            ),
        ];
        for (what, keys, path, before, after, lines) in cases {
            let config = format!(
                "[[rule]]\nid = \"t/rule\"\nseverity = \"error\"\nmessage = \"m\"\n{keys}\n"
            );
            let file = ChangedFile::from_contents(path, before, Some(after));
            let want: Vec<_> = lines.iter().map(|&l| ("t/rule".into(), Some(l))).collect();
            assert_eq!(run(&config, vec![file]), want, "{what}");
        }
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
    fn without_finding_yields_to_the_escalation() {
        let config = [
            ("t/host", "warning", "without_finding = [\"t/both\"]"),
            ("t/both", "error", "with_finding = [\"t/cdn\"]"),
        ]
        .map(|(id, severity, condition)| {
            format!("[[rule]]\nid = \"{id}\"\nseverity = \"{severity}\"\nmessage = \"m\"\nadded = 'HOST='\n{condition}\n")
        })
        .concat()
            + "[[rule]]\nid = \"t/cdn\"\nseverity = \"warning\"\nmessage = \"m\"\nadded = 'GET'\n";
        let host = || ChangedFile::from_contents(".env", None, Some("HOST=x\n"));
        let cdn = || ChangedFile::from_contents("cdn.tf", None, Some("GET\n"));
        let rules: Vec<_> = run(&config, vec![host(), cdn()])
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(rules, vec!["t/both", "t/cdn"]);
        assert_eq!(run(&config, vec![host()]), vec![("t/host".into(), Some(1))]);
    }
}
