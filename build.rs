//! Prepares the built-in rule packs for checking, so a check does less work on every run:
//! - the needles (see `src/rules/needles.rs`) of every built-in line pattern, ready-made;
//! - the quick matcher's NFA of every built-in content pattern (see `src/rules/nfa_image.rs`),
//!   so a check parses and compiles none of them;
//! - each pack parsed, without its worked examples and help texts, which a check never runs or
//!   shows (`OUT_DIR/packs/NAME.nodes` and `.strings`; see `src/rules/pack_image.rs`).

use std::fmt::Write as _;
use std::path::Path;

#[allow(dead_code)] // the library uses more of the module than this script
#[path = "src/rules/needles.rs"]
mod needles;

#[allow(dead_code)] // decoding is the library's half
#[path = "src/rules/nfa_image.rs"]
mod nfa_image;

#[allow(dead_code)] // deserializing is the library's half
#[path = "src/rules/pack_image.rs"]
mod pack_image;

fn main() {
    println!("cargo::rerun-if-changed=rules");
    println!("cargo::rerun-if-changed=src/rules/needles.rs");
    println!("cargo::rerun-if-changed=src/rules/nfa_image.rs");
    println!("cargo::rerun-if-changed=src/rules/pack_image.rs");
    let mut files: Vec<_> = std::fs::read_dir("rules")
        .expect("rules/ is part of the package")
        .map(|entry| entry.expect("rules/ is readable").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let packs = Path::new(&out).join("packs");
    std::fs::create_dir_all(&packs).expect("OUT_DIR is writable");
    let mut arms = String::new();
    let mut seen = std::collections::HashSet::new();
    let mut images = Images::default();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("rule files are UTF-8");
        let table: toml::Table = text.parse().unwrap_or_else(|e| {
            panic!("{}: {e}", path.display());
        });
        let rules = table.get("rule").and_then(toml::Value::as_array);
        for rule in rules.into_iter().flatten() {
            for side in ["added", "removed"] {
                let Some(pattern) = rule.get(side).and_then(toml::Value::as_str) else {
                    continue;
                };
                if !seen.insert(pattern.to_string()) {
                    continue;
                }
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
                writeln!(arms, "        {pattern:?} => Some({needles}),")
                    .expect("writing to a String");
            }
        }
        for rule in rules.into_iter().flatten() {
            images.add_patterns_in(rule);
        }
        let (nodes, strings) = pack_image::encode(&text, &["example", "help"])
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let nodes: Vec<String> = nodes.iter().map(u32::to_string).collect();
        let name = path
            .file_name()
            .expect("rule files have names")
            .to_string_lossy();
        std::fs::write(
            packs.join(format!("{name}.nodes")),
            format!("[{}]", nodes.join(",")),
        )
        .expect("OUT_DIR is writable");
        std::fs::write(packs.join(format!("{name}.strings")), strings)
            .expect("OUT_DIR is writable");
    }
    let code = format!(
        "/// The needles of a built-in line pattern, worked out by build.rs; `None` for any other\n\
         /// pattern.\n\
         pub(crate) fn lookup(pattern: &str) -> Option<Option<&'static [&'static [u8]]>> {{\n    \
         match pattern {{\n{arms}        _ => None,\n    }}\n}}\n"
    );
    std::fs::write(Path::new(&out).join("builtin_needles.rs"), code).expect("OUT_DIR is writable");
    std::fs::write(Path::new(&out).join("builtin_nfas.rs"), images.code())
        .expect("OUT_DIR is writable");
}

/// The keys of a rule (at any depth, outside worked examples) whose values are content
/// patterns: line patterns and the structured matchers' value, key and resource patterns.
const PATTERN_KEYS: [&str; 7] = [
    "added", "removed", "unless", "within", "value", "key", "resource",
];

/// The stored NFAs of the built-in content patterns, all in one array.
#[derive(Default)]
struct Images {
    numbers: Vec<u32>,
    /// `pattern => (start, end)` match arms.
    arms: String,
    patterns: Vec<String>,
}

impl Images {
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
        if self.patterns.iter().any(|p| p == pattern) {
            return;
        }
        // A pattern that does not compile is reported by the test suite, which compiles them all.
        let Some(image) =
            nfa_image::compile(pattern, false).and_then(|nfa| nfa_image::encode(&nfa))
        else {
            return;
        };
        let start = self.numbers.len();
        self.numbers.extend(image);
        writeln!(
            self.arms,
            "        {pattern:?} => ({start}, {}),",
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
             /// The stored NFA of a built-in content pattern (read with ASCII classes), worked out\n\
             /// by build.rs; `None` for any other pattern.\n\
             pub(crate) fn lookup(pattern: &str) -> Option<&'static [u32]> {{\n    \
             let (start, end) = match pattern {{\n{arms}        _ => return None,\n    }};\n    \
             NUMBERS.get(start..end)\n}}\n\n\
             /// Every pattern with a stored NFA.\n\
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
