//! The configuration and rule parser on arbitrary text: it may reject the input, never panic.
#![no_main]

use deploy_guard::config::Config;
use deploy_guard::rules::{self, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(config) = Config::parse(SourceFile::new("fuzz.toml", text.to_string())) {
        // The configuration's own rules, overrides and disables are compiled without the
        // built-ins: compiling those (fixed, tested input) would dominate every run.
        let _ = config.rule_set(Vec::new());
    }
    let _ = rules::parse_rule_file(SourceFile::new("fuzz-rules.toml", text.to_string()));
});
