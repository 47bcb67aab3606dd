//! Properties that must hold for any input, checked with proptest: the JSON report is valid and
//! round-trips, human output carries no control characters, and the configuration parser and
//! the gate (engine, suppressions) never panic.

use deploy_guard::Date;
use deploy_guard::Skipped;
use deploy_guard::change::{ChangeSet, ChangedFile};
use deploy_guard::gate::{self, Options, Policy};
use deploy_guard::report::{Human, Json, Render, Report};
use deploy_guard::{FailOn, Finding, Origin, OriginKind, Severity};
use proptest::prelude::*;
use std::sync::LazyLock;

/// Any text, weighted towards the characters that break output: controls, quotes, backslashes,
/// newlines, bidi and non-ASCII.
fn nasty_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(
            prop_oneof![
                Just('\u{1b}'),
                Just('\u{7}'),
                Just('\r'),
                Just('\n'),
                Just('\0'),
                Just('\u{9b}'),
                Just('"'),
                Just('\\'),
                Just('|'),
                Just('\u{202e}'),
                Just('é'),
                any::<char>(),
                proptest::char::range('a', 'z'),
                Just('/'),
            ],
            0..40
        )
        .prop_map(|cs| cs.into_iter().collect()),
    ]
}

fn severity() -> impl Strategy<Value = Severity> {
    prop_oneof![
        Just(Severity::Info),
        Just(Severity::Warning),
        Just(Severity::Error)
    ]
}

/// Rule ids are validated `category/name` kebab when rules compile, so only those reach reports.
fn rule_id() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,8}/[a-z0-9]{1,8}(-[a-z0-9]{1,5})?"
}

fn finding() -> impl Strategy<Value = Finding> {
    (
        rule_id(),
        severity(),
        nasty_text(),
        proptest::option::of(1u32..100_000),
        nasty_text(),
        proptest::option::of(nasty_text()),
        proptest::option::of(nasty_text()),
        proptest::option::of(origin()),
    )
        .prop_map(
            |(rule, severity, path, line, message, snippet, suppressed, origin)| Finding {
                rule,
                severity,
                path,
                line,
                side: None,
                message,
                snippet,
                suppressed,
                origin: origin.map(Box::new),
            },
        )
}

/// Where a plan or render finding comes from, every text field hostile.
fn origin() -> impl Strategy<Value = Origin> {
    (
        prop_oneof![Just(OriginKind::Plan), Just(OriginKind::Render)],
        (nasty_text(), nasty_text(), nasty_text()),
        proptest::option::of(nasty_text()),
        proptest::collection::vec(nasty_text(), 0..3),
    )
        .prop_map(
            |(kind, (address, resource_type, action), named, detail)| Origin {
                kind,
                address,
                resource_type,
                action,
                plan: named.clone().filter(|_| kind == OriginKind::Plan),
                render: named.clone().filter(|_| kind == OriginKind::Render),
                rendered: named.filter(|_| kind == OriginKind::Render),
                detail,
            },
        )
}

fn report() -> impl Strategy<Value = Report> {
    (
        proptest::collection::vec(finding(), 0..8),
        proptest::collection::vec(
            (
                nasty_text(),
                prop_oneof![Just("binary"), Just("lfs-pointer"), Just("too-large")],
            ),
            0..3,
        ),
    )
        .prop_map(|(findings, skipped)| Report {
            rules: Vec::new(),
            plans: Vec::new(),
            selection: Default::default(),
            base: Some("a".repeat(40)),
            head: None,
            files_changed: findings.len(),
            note: None,
            findings,
            skipped: skipped
                .into_iter()
                .map(|(path, reason)| Skipped {
                    path,
                    reason: reason.to_string(),
                })
                .collect(),
            fail_on: FailOn::Error,
        })
}

/// Text shaped like a configuration: real keys with arbitrary values, so parsing gets past the
/// TOML syntax and into validation.
fn config_text() -> impl Strategy<Value = String> {
    let value = || nasty_text().prop_map(|s| toml::Value::String(s).to_string());
    prop_oneof![
        any::<String>(),
        (value(), value(), value(), value(), value(), value()).prop_map(
            |(id, message, re, glob, disable, expires)| format!(
                "disable = [{disable}]\ninline_suppressions = false\n[[rule]]\nid = {id}\nseverity = \"error\"\nmessage = {message}\nadded = {re}\npaths = [{glob}]\n[[waiver]]\nrule = {disable}\npaths = [{glob}]\nreason = {message}\nexpires = {expires}\n"
            )
        ),
    ]
}

/// File content built from lines that rules and suppressions react to, plus noise.
fn content() -> impl Strategy<Value = Option<String>> {
    let line = prop_oneof![
        Just("app.use(cors({ origin: '*' }));".to_string()),
        Just("FROM node:latest".to_string()),
        Just("// deploy-guard: allow cors/* -- reason".to_string()),
        Just("# deploy-guard: allow cors/wildcard-origin".to_string()),
        Just("deploy-guard: allow -- x".to_string()),
        Just("      - uses: a/deploy-guard@main".to_string()),
        nasty_text(),
    ];
    proptest::option::of(proptest::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n")))
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("server/app.js".to_string()),
        Just("Dockerfile".to_string()),
        Just(".github/workflows/gate.yml".to_string()),
        Just("docs/x.md".to_string()),
        nasty_text(),
    ]
}

/// The policies the engine property runs under (inline suppressions off, on), compiled once.
static POLICIES: LazyLock<[Policy; 2]> = LazyLock::new(|| {
    [false, true].map(|inline| {
        let text = format!(
            "inline_suppressions = {inline}\n[[waiver]]\nrule = \"image/*\"\nreason = \"r\"\nexpires = \"2030-01-01\"\n"
        );
        Policy::configured("c.toml", &text).unwrap()
    })
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn json_report_is_valid_json_that_round_trips(report in report()) {
        let mut out = Vec::new();
        Json.render(&report, &mut out).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        prop_assert_eq!(&doc["version"], 1);
        let findings = doc["findings"].as_array().unwrap();
        prop_assert_eq!(findings.len(), report.findings.len());
        for (json, f) in findings.iter().zip(&report.findings) {
            prop_assert_eq!(json["rule"].as_str(), Some(f.rule.as_str()));
            prop_assert_eq!(json["path"].as_str(), Some(f.path.as_str()));
            prop_assert_eq!(json["message"].as_str(), Some(f.message.as_str()));
            prop_assert_eq!(json["snippet"].as_str(), f.snippet.as_deref());
            prop_assert_eq!(json["suppressed"].as_str(), f.suppressed.as_deref());
            prop_assert_eq!(json["line"].as_u64(), f.line.map(u64::from));
        }
        for (json, s) in doc["skipped"].as_array().unwrap().iter().zip(&report.skipped) {
            prop_assert_eq!(json["path"].as_str(), Some(s.path.as_str()));
        }
        let summary = report.summary();
        prop_assert_eq!(doc["summary"]["suppressed"].as_u64(), Some(summary.suppressed as u64));
    }

    #[test]
    fn human_report_carries_no_control_characters_but_newlines(report in report()) {
        let mut out = Vec::new();
        Human::default().render(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let bad: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n').collect();
        prop_assert!(bad.is_empty(), "control characters {:?} in {:?}", bad, text);
    }

    #[test]
    fn config_parser_never_panics(text in config_text()) {
        let _ = Policy::configured("c.toml", &text);
    }

    #[test]
    fn engine_and_suppressions_never_panic(
        path in path(),
        before in content(),
        after in content(),
        inline in any::<bool>(),
        day in 0i64..40_000,
    ) {
        let policy = &POLICIES[usize::from(inline)];
        let file = ChangedFile::from_contents(&path, before.as_deref(), after.as_deref());
        // An upper bound on line numbers: `from_contents` (like `similar`) also ends lines at a lone CR.
        let lines = |t: Option<&str>| t.map_or(0, |t| t.matches(['\n', '\r']).count() + 1) as u32;
        let (head_lines, base_lines) = (lines(after.as_deref()), lines(before.as_deref()));
        let changes = ChangeSet { files: vec![file], ..ChangeSet::default() };
        let options = Options {
            today: Some(Date::from_days_since_epoch(day)),
            ..Options::default()
        };
        let findings = gate::check_change(&changes, policy, &options)
            .expect("in-memory changes always judge")
            .findings;
        for f in &findings {
            let bound = if f.side.is_some() { base_lines } else { head_lines };
            if let Some(line) = f.line {
                prop_assert!(line >= 1 && line <= bound.max(1), "{:?}", f);
            }
        }
    }
}
