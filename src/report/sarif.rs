//! SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer): one run, every rule in
//! effect with its documentation, one result per finding, suppressed findings as
//! `suppressions`.

use super::escape;
use super::fingerprint::fingerprints;
use super::outcome::{Render, Report, head_line, message_in_head};
use super::rule_meta::RuleMeta;
use crate::config::Selection;
use crate::finding::{Finding, Origin, OriginKind, Severity};
use serde::Serialize;
use std::collections::HashMap;
use std::io;

/// Prints the SARIF log.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sarif;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The project page, from Cargo.toml's `repository` (omitted while that is unset).
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");
/// The key of our own partial fingerprint; bump the version if its recipe ever changes.
const FINGERPRINT_KEY: &str = "deployGuard/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RunProperties<'a>>,
}

/// What the command line narrowed for the run (`--disable`, `--enable`, `--exclude`).
#[derive(Serialize)]
struct RunProperties<'a> {
    selection: &'a Selection,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    information_uri: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Help<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: [&'a str; 2],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [Location; 1],
    partial_fingerprints: HashMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    /// For a plan or render finding: the resource or rendered object (SARIF §3.33).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

impl Render for Sarif {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let table = report.rule_table();
        let index: HashMap<&str, usize> = table
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let fingerprints = fingerprints(&report.findings);
        let results = report
            .findings
            .iter()
            .zip(fingerprints)
            .map(|(f, fingerprint)| result(f, index.get(f.rule.as_str()).copied(), fingerprint))
            .collect();
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "deploy-guard",
                        information_uri: INFORMATION_URI,
                        semantic_version: env!("CARGO_PKG_VERSION"),
                        rules: table.iter().map(|r| descriptor(r)).collect(),
                    },
                },
                results,
                column_kind: "unicodeCodePoints",
                properties: (!report.selection.is_empty()).then_some(RunProperties {
                    selection: &report.selection,
                }),
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

fn descriptor(rule: &RuleMeta) -> Descriptor<'_> {
    let full = if rule.help.is_empty() {
        &rule.summary
    } else {
        &rule.help
    };
    Descriptor {
        id: &rule.id,
        name: pascal_case(&rule.id),
        short_description: Text {
            text: &rule.summary,
        },
        full_description: Text { text: full },
        help: Help {
            text: full,
            markdown: &rule.docs_markdown,
        },
        help_uri: rule.url.as_deref(),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            tags: [rule.category(), "deploy-risk"],
            security_severity: security_severity(rule.severity),
        },
    }
}

fn result(f: &Finding, rule_index: Option<usize>, fingerprint: String) -> SarifResult<'_> {
    let suppressions = match &f.suppressed {
        Some(reason) => vec![Suppression {
            kind: suppression_kind(reason),
            justification: reason,
        }],
        None => Vec::new(),
    };
    SarifResult {
        rule_id: &f.rule,
        // Every finding's rule is in the table (`rule_table` adds stand-ins); 0 is unreachable.
        rule_index: rule_index.unwrap_or_default(),
        level: level(f.severity),
        message: Message {
            text: message_in_head(f).into_owned(),
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact(&f.path),
                // No region for file-level findings (SARIF §3.29.4: the whole artifact) nor for
                // removed lines, whose base line number would point at the wrong head line.
                region: head_line(f).map(|start_line| Region { start_line }),
            },
            logical_locations: f.origin.iter().map(|o| logical(o)).collect(),
        }],
        partial_fingerprints: HashMap::from([(FINGERPRINT_KEY, fingerprint)]),
        suppressions,
    }
}

/// Where a path is: relative to the checkout (`%SRCROOT%`), or an absolute `file:` URI for a
/// plan file given from outside the repository.
fn artifact(path: &str) -> ArtifactLocation {
    match path.strip_prefix('/') {
        Some(absolute) => ArtifactLocation {
            uri: format!("file:///{}", escape::uri_path(absolute)),
            uri_base_id: None,
        },
        None => ArtifactLocation {
            uri: escape::uri_path(path),
            uri_base_id: Some("%SRCROOT%"),
        },
    }
}

/// The resource a plan finding is about (`aws_lb.public`, qualified by its plan file), or the
/// object a render finding is about (qualified by the render's name).
fn logical(origin: &Origin) -> LogicalLocation {
    let (qualifier, kind) = match origin.kind {
        OriginKind::Plan => (origin.plan.as_deref(), "resource"),
        OriginKind::Render => (origin.render.as_deref(), "object"),
    };
    LogicalLocation {
        name: origin.address.clone(),
        fully_qualified_name: format!("{}#{}", qualifier.unwrap_or_default(), origin.address),
        kind,
    }
}

/// SARIF result levels.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub ranks alerts by `security-severity` (a CVSS-like 0.0–10.0 score: ≥ 9.0 critical,
/// ≥ 7.0 high, ≥ 4.0 medium, > 0 low). Our errors are changes that caused outages and block
/// the merge, so "high" (8.0) without claiming "critical", which we keep for real
/// vulnerabilities; warnings need a reviewer, "medium" (5.0); infos are "low" (2.0).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

/// `external` for time-boxed waivers from `.deploy-guard.toml` (their reason is reported as
/// `waiver: …`), `inSource` for `deploy-guard: allow` comments in the changed file itself.
fn suppression_kind(reason: &str) -> &'static str {
    if reason.starts_with("waiver") {
        "external"
    } else {
        "inSource"
    }
}

/// `cors/wildcard-origin` → `CorsWildcardOrigin`, the identifier-like `name` SARIF asks for.
fn pascal_case(id: &str) -> String {
    id.split(['/', '-'])
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case_ids() {
        assert_eq!(pascal_case("cors/wildcard-origin"), "CorsWildcardOrigin");
        assert_eq!(pascal_case("team/x"), "TeamX");
    }
}
