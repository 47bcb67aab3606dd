//! The gate (engine, suppressions) on arbitrary before/after content (split from one input at
//! the first NUL byte): any content is judged without panicking.
#![no_main]

use deploy_guard::Date;
use deploy_guard::change::{ChangeSet, ChangedFile};
use deploy_guard::gate::{self, Options, Policy};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static POLICY: LazyLock<Policy> =
    LazyLock::new(|| Policy::builtin().expect("built-in rules parse and compile"));

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
    let options = Options {
        today: Some(Date::from_days_since_epoch(20_000)),
        ..Options::default()
    };
    let _ = gate::check_change(&changes, &POLICY, &options);
});
