//! The configuration and rule parser on arbitrary text: it may reject the input, never panic.
#![no_main]

use deploy_guard::gate::Policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    // The configuration's own rules, overrides and disables are compiled without the
    // built-ins: compiling those (fixed, tested input) would dominate every run.
    let _ = Policy::configured_alone("fuzz.toml", text);
});
