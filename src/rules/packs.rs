//! The built-in rule packs (`rules/*.toml`), embedded in the binary, and rule files parsed
//! into drafts.

use super::rule::RuleDraft;
use super::source_file::SourceFile;
use super::spec::RuleFile;
use crate::error::Result;
use std::sync::Arc;

/// A built-in pack: its name, its TOML as written (for docs, `explain`, `test-rules` and SARIF's
/// rule help), and the same TOML without worked examples and help texts, for checks (written
/// by build.rs).
macro_rules! pack {
    ($name:literal) => {
        (
            concat!("rules/", $name),
            include_str!(concat!("../../rules/", $name)),
            include_str!(concat!(env!("OUT_DIR"), "/packs/", $name)),
        )
    };
}

/// The built-in rule files, embedded at build time so the binary needs no data files.
pub(crate) static BUILTIN: &[(&str, &str, &str)] = &[
    pack!("cors.toml"),
    pack!("cdn.toml"),
    pack!("image.toml"),
    pack!("filename.toml"),
    pack!("infra.toml"),
    pack!("rollout.toml"),
    pack!("docs.toml"),
    pack!("guard.toml"),
    pack!("plan.toml"),
    pack!("render.toml"),
];

/// How much of the built-in packs to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Packs {
    /// Everything, worked examples included.
    Full,
    /// Without the worked examples and help texts, which judging a change never runs or
    /// shows (only SARIF carries rule docs): most of the text to parse.
    ForChecking,
}

/// The built-in rules, parsed, worked examples included.
pub(crate) fn builtin() -> Result<Vec<RuleDraft>> {
    builtin_packs(Packs::Full)
}

/// The built-in rules, parsed, with as much of the packs as `packs` asks for.
pub(crate) fn builtin_packs(packs: Packs) -> Result<Vec<RuleDraft>> {
    let mut files = Vec::with_capacity(BUILTIN.len());
    for &(name, full, for_checking) in BUILTIN {
        let text = match packs {
            Packs::Full => full,
            Packs::ForChecking => for_checking,
        };
        let file = SourceFile::new(name, text);
        files.push((file.parse::<RuleFile>()?, file));
    }
    // Rules are large (over a kilobyte each): collected once, into room made for all of them.
    let mut drafts = Vec::with_capacity(files.iter().map(|(parsed, _)| parsed.rule.len()).sum());
    for (parsed, file) in files {
        push_drafts(parsed, file, true, &mut drafts);
    }
    Ok(drafts)
}

/// Appends the rules of `parsed`, read from `file`, to `drafts`.
fn push_drafts(parsed: RuleFile, file: SourceFile, builtin: bool, drafts: &mut Vec<RuleDraft>) {
    let file = Arc::new(file);
    drafts.extend(parsed.rule.into_iter().map(|spec| RuleDraft {
        spec,
        file: file.clone(),
        builtin,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::spec::PredicateSpec;
    use crate::matching::stored;
    use crate::rules::spec::RuleSpec;
    use deploy_guard_patterns::nfa;

    /// What a check rebuilds from the binary is what compiling the pattern gives.
    #[test]
    fn every_stored_nfa_is_the_compiled_pattern() {
        assert!(stored::PATTERNS.len() > 50);
        for pattern in stored::PATTERNS {
            let image = stored::lookup(pattern)
                .expect("a stored pattern has an image")
                .nfa;
            let stored = nfa::decode(image).expect("a stored image decodes");
            let compiled = nfa::compile(pattern, false).expect("built-in patterns compile");
            assert!(nfa::same(&stored, &compiled), "{pattern}");
        }
    }

    /// Every content pattern of the built-in rules comes ready-made from the binary, so a
    /// check parses none (build.rs finds them by key; this walks the rule language itself).
    #[test]
    fn every_builtin_content_pattern_has_a_stored_nfa() {
        let mut patterns = Vec::new();
        for draft in builtin().unwrap() {
            let spec = draft.spec;
            let predicates = |is: &PredicateSpec, was: &Option<PredicateSpec>| {
                [Some(is), was.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p.value.clone())
                    .collect::<Vec<_>>()
            };
            patterns.extend([spec.added, spec.removed, spec.unless, spec.within]);
            if let Some(q) = &spec.query {
                patterns.extend(predicates(&q.is, &q.was).into_iter().map(Some));
            }
            if let Some(d) = &spec.dockerfile {
                patterns.push(d.key.clone());
                patterns.extend(predicates(&d.is, &d.was).into_iter().map(Some));
            }
            if let Some(i) = &spec.cdk_image {
                patterns.extend(predicates(&i.is, &i.was).into_iter().map(Some));
            }
            patterns.push(spec.terraform.map(|t| t.resource));
            patterns.push(spec.cdk_construct.map(|c| c.class_name));
        }
        let patterns: Vec<String> = patterns
            .into_iter()
            .flatten()
            .map(|p| p.into_inner())
            .collect();
        assert!(patterns.len() > 60);
        for pattern in patterns {
            assert!(stored::lookup(&pattern).is_some(), "{pattern}");
        }
    }

    /// The packs a check reads are the full packs with the worked examples and help texts left
    /// out, and nothing else changed: same rules, same values, in the same order (positions
    /// differ: build.rs writes the shorter text anew).
    #[test]
    fn packs_for_checking_are_the_full_packs_without_examples() {
        let span = regex::Regex::new(r"span: \d+\.\.\d+").unwrap();
        let shown = |spec: &RuleSpec| span.replace_all(&format!("{spec:?}"), "").into_owned();
        let full = builtin_packs(Packs::Full).unwrap();
        let checking = builtin_packs(Packs::ForChecking).unwrap();
        assert_eq!(full.len(), checking.len());
        assert!(full.iter().any(|d| !d.spec.examples.is_empty()));
        for (full, checking) in full.into_iter().zip(checking) {
            assert!(checking.spec.examples.is_empty());
            assert_eq!(full.file.name, checking.file.name);
            assert!(checking.spec.help.is_empty());
            let without_docs = RuleSpec {
                examples: Vec::new(),
                help: String::new(),
                ..full.spec
            };
            assert_eq!(shown(&without_docs), shown(&checking.spec));
        }
    }

    /// `rules/plan.toml` defines exactly the rules the plan judge reports, with its severities.
    #[test]
    fn the_plan_rules_are_the_plan_judges() {
        use crate::rules::spec::Reporter;
        let defined: Vec<(String, crate::finding::Severity)> = builtin()
            .unwrap()
            .into_iter()
            .filter(|d| d.spec.reported_by == Some(Reporter::Plan))
            .map(|d| (d.spec.id.into_inner(), d.spec.severity.into_inner()))
            .collect();
        let reported: Vec<(String, crate::finding::Severity)> = crate::plan::rules()
            .iter()
            .map(|r| (r.id.to_string(), r.severity))
            .collect();
        assert_eq!(defined, reported);
    }

    #[test]
    fn ready_made_needles_are_the_ones_the_patterns_give() {
        let mut looked_up = 0;
        for draft in builtin().unwrap() {
            for pattern in [&draft.spec.added, &draft.spec.removed]
                .into_iter()
                .flatten()
            {
                let ready = stored::lookup(pattern.get_ref()).map(|p| {
                    p.needles
                        .map(|l| l.iter().map(|n| n.to_vec()).collect::<Vec<_>>())
                });
                assert_eq!(
                    ready,
                    Some(deploy_guard_patterns::needles::of_pattern(
                        pattern.get_ref(),
                        true
                    )),
                    "{}",
                    draft.spec.id.get_ref()
                );
                looked_up += 1;
            }
        }
        assert!(looked_up > 20, "only {looked_up} built-in line patterns");
    }
}
