//! Every report format on arbitrary findings: JSON must stay valid JSON and the human report
//! must carry no control characters but newlines. (SARIF, GitHub, GitLab, JUnit and Markdown get
//! their own checks here as their printers land.)
#![no_main]

use deploy_guard::Skipped;
use deploy_guard::report::{Human, Json, Render, Report};
use deploy_guard::{FailOn, Finding, Origin, OriginKind, Severity};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fields: Vec<&str> = text.split('\0').collect();
    let field = |i: usize| fields.get(i).copied().unwrap_or_default().to_string();
    let finding = Finding {
        rule: "fuzz/rule".into(),
        severity: match data.first().copied().unwrap_or(0) % 3 {
            0 => Severity::Info,
            1 => Severity::Warning,
            _ => Severity::Error,
        },
        path: field(0),
        line: data.get(1).map(|b| u32::from(*b) + 1),
        side: None,
        message: field(1),
        snippet: Some(field(2)),
        suppressed: fields.get(3).map(|s| s.to_string()),
        origin: fields.get(4).map(|address| {
            Box::new(Origin {
                kind: OriginKind::Plan,
                address: address.to_string(),
                resource_type: field(5),
                action: field(6),
                plan: Some(field(7)),
                render: None,
                rendered: None,
                detail: vec![field(8)],
            })
        }),
    };
    let report = Report {
        base: None,
        head: None,
        findings: vec![finding],
        skipped: vec![Skipped {
            path: field(4),
            reason: "binary".into(),
        }],
        files_changed: usize::from(data.get(2).copied().unwrap_or(1) % 2),
        note: fields.get(5).map(|s| s.to_string()),
        fail_on: FailOn::Error,
        selection: Default::default(),
        rules: Vec::new(),
        plans: Vec::new(),
    };
    let mut json = Vec::new();
    Json.render(&report, &mut json).expect("writing to memory");
    let doc: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
    assert_eq!(
        doc["findings"][0]["path"].as_str(),
        Some(report.findings[0].path.as_str())
    );
    let mut human = Vec::new();
    Human::default()
        .render(&report, &mut human)
        .expect("writing to memory");
    let human = String::from_utf8(human).expect("UTF-8");
    assert!(!human.chars().any(|c| c.is_control() && c != '\n'));
});
