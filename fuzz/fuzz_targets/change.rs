//! The change model and engine on arbitrary before/after content (split from one input at the
//! first NUL byte), followed by the suppression pass: any content is judged without panicking.
#![no_main]

use deploy_guard::change::{ChangeSet, ChangedFile};
use deploy_guard::config::Config;
use deploy_guard::rules::{self, RuleSet};
use deploy_guard::source::ContentReader;
use deploy_guard::config::Date;
use deploy_guard::triage;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static RULES: LazyLock<(Config, RuleSet)> = LazyLock::new(|| {
    let config = Config::default();
    let set = config
        .rule_set(rules::builtin().expect("built-in rules parse"))
        .expect("built-in rules compile");
    (config, set)
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let path = parts.next().unwrap_or_default();
    let before = parts.next();
    let after = parts.next();
    let file = ChangedFile::from_contents(path, before, after);
    let changes = ChangeSet {
        files: vec![file],
        ..ChangeSet::default()
    };
    let (config, set) = &*RULES;
    let Ok(judgement) = deploy_guard::engine::judge(&changes, set, &ContentReader::in_memory()) else {
        return;
    };
    let mut findings = judgement.findings;
    let _ = triage::suppress(
        &changes,
        &ContentReader::in_memory(),
        config,
        set,
        Date::from_days_since_epoch(20_000),
        &mut findings,
    );
});
