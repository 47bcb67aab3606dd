//! Prepares the built-in rule packs for checking, so a check does less work on every run:
//! - for every built-in content pattern, its needles and the quick matcher's NFA (prepared by
//!   the `deploy-guard-patterns` crate in `crates/patterns`, which the library reads them
//!   back with), so a check parses and compiles none;
//! - each pack without its worked examples and help texts (`OUT_DIR/packs/NAME.toml`): a check
//!   never runs or shows them, and they are most of the text it would parse.

use std::fmt::Write as _;
use std::path::Path;

use deploy_guard_patterns::{needles, nfa};

fn main() {
    println!("cargo::rerun-if-changed=rules");
    let mut files: Vec<_> = std::fs::read_dir("rules")
        .expect("rules/ is part of the package")
        .map(|entry| entry.expect("rules/ is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let packs = Path::new(&out).join("packs");
    std::fs::create_dir_all(&packs).expect("OUT_DIR is writable");
    let mut prepared = Prepared::default();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("rule files are UTF-8");
        let mut table: toml::Table = text.parse().unwrap_or_else(|e| {
            panic!("{}: {e}", path.display());
        });
        let rules = table.get("rule").and_then(toml::Value::as_array);
        for rule in rules.into_iter().flatten() {
            prepared.add_patterns_in(rule);
        }
        let rules = table.get_mut("rule").and_then(toml::Value::as_array_mut);
        for rule in rules.into_iter().flatten() {
            if let Some(rule) = rule.as_table_mut() {
                rule.remove("example");
                rule.remove("help");
            }
        }
        let stripped = toml::to_string(&table).expect("a parsed table serialises");
        let name = path.file_name().expect("rule files have names");
        std::fs::write(packs.join(name), stripped).expect("OUT_DIR is writable");
    }
    std::fs::write(Path::new(&out).join("builtin_patterns.rs"), prepared.code())
        .expect("OUT_DIR is writable");
}

/// The keys of a rule (at any depth, outside worked examples) whose values are content
/// patterns: line patterns and the structured matchers' value, key, resource and class patterns.
const PATTERN_KEYS: [&str; 8] = [
    "added", "removed", "unless", "within", "value", "key", "resource", "class",
];

/// The built-in content patterns, prepared: their needles, and their NFAs all in one array.
#[derive(Default)]
struct Prepared {
    numbers: Vec<u32>,
    /// `pattern => (needles, start, end)` match arms.
    arms: String,
    patterns: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl Prepared {
    /// Adds every content pattern in `value` (a rule, or a table within one).
    fn add_patterns_in(&mut self, value: &toml::Value) {
        let Some(table) = value.as_table() else {
            return;
        };
        for (key, value) in table {
            match value {
                toml::Value::String(pattern) if PATTERN_KEYS.contains(&key.as_str()) => {
                    self.add(pattern)
                }
                toml::Value::Table(_) if key != "example" => self.add_patterns_in(value),
                _ => {}
            }
        }
    }

    fn add(&mut self, pattern: &str) {
        if !self.seen.insert(pattern.to_string()) {
            return;
        }
        // A pattern that does not compile is reported by the test suite, which compiles them all.
        let Some(image) = nfa::compile(pattern, false).and_then(|nfa| nfa::encode(&nfa)) else {
            return;
        };
        let needles = match needles::of_pattern(pattern, true) {
            None => "None".to_string(),
            Some(list) => {
                let items: Vec<String> = list
                    .iter()
                    .map(|n| format!("b\"{}\"", n.escape_ascii()))
                    .collect();
                format!("Some(&[{}])", items.join(", "))
            }
        };
        let start = self.numbers.len();
        self.numbers.extend(image);
        writeln!(
            self.arms,
            "        {pattern:?} => ({needles}, {start}, {}),",
            self.numbers.len()
        )
        .expect("writing to a String");
        self.patterns.push(pattern.to_string());
    }

    fn code(&self) -> String {
        let numbers: Vec<String> = self.numbers.iter().map(u32::to_string).collect();
        let patterns: Vec<String> = self.patterns.iter().map(|p| format!("{p:?}")).collect();
        format!(
            "static NUMBERS: [u32; {len}] = [{numbers}];\n\n\
             /// A built-in content pattern (read with ASCII classes) as build.rs prepared it; `None`\n\
             /// for any other pattern.\n\
             pub(crate) fn lookup(pattern: &str) -> Option<Prepared> {{\n    \
             let (needles, start, end): (Option<&'static [&'static [u8]]>, usize, usize) =\n        \
             match pattern {{\n{arms}        _ => return None,\n    }};\n    \
             Some(Prepared {{ needles, nfa: NUMBERS.get(start..end)? }})\n}}\n\n\
             /// Every prepared pattern.\n\
             #[cfg(test)]\n\
             pub(crate) const PATTERNS: [&str; {count}] = [{patterns}];\n",
            len = self.numbers.len(),
            numbers = numbers.join(","),
            arms = self.arms,
            count = self.patterns.len(),
            patterns = patterns.join(", "),
        )
    }
}
