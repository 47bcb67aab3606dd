//! The configuration and rule parser on arbitrary text: it may reject the input, never panic.
#![no_main]

use deploy_guard::config::Config;
use deploy_guard::rules::{self, SourceFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(config) = Config::parse(SourceFile::new("fuzz.toml", text)) {
        if let Ok(builtin) = rules::builtin() {
            let _ = config.rule_set(builtin);
        }
    }
    let _ = rules::parse_rule_file(SourceFile::new("fuzz-rules.toml", text));
});
