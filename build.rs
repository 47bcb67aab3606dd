//! Prepares the built-in rule packs for checking, so a check does less work on every run:
//! - the needles (see `src/rules/needles.rs`) of every built-in line pattern, ready-made;
//! - each pack without its worked examples (`OUT_DIR/packs/NAME.toml`): a check never runs
//!   them, and they are half the text to parse.

use std::fmt::Write as _;
use std::path::Path;

#[allow(dead_code)] // the library uses more of the module than this script
#[path = "src/rules/needles.rs"]
mod needles;

fn main() {
    println!("cargo::rerun-if-changed=rules");
    println!("cargo::rerun-if-changed=src/rules/needles.rs");
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
    for path in &files {
        let text = std::fs::read_to_string(path).expect("rule files are UTF-8");
        let mut table: toml::Table = text.parse().unwrap_or_else(|e| {
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
        let rules = table.get_mut("rule").and_then(toml::Value::as_array_mut);
        for rule in rules.into_iter().flatten() {
            if let Some(rule) = rule.as_table_mut() {
                rule.remove("example");
            }
        }
        let stripped = toml::to_string(&table).expect("a parsed table serialises");
        let name = path.file_name().expect("rule files have names");
        std::fs::write(packs.join(name), stripped).expect("OUT_DIR is writable");
    }
    let code = format!(
        "/// The needles of a built-in line pattern, worked out by build.rs; `None` for any other\n\
         /// pattern.\n\
         pub(crate) fn lookup(pattern: &str) -> Option<Option<&'static [&'static [u8]]>> {{\n    \
         match pattern {{\n{arms}        _ => None,\n    }}\n}}\n"
    );
    std::fs::write(Path::new(&out).join("builtin_needles.rs"), code).expect("OUT_DIR is writable");
}
