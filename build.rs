//! Works out the needles (see `src/rules/needles.rs`) of the built-in rules' line patterns, so
//! the binary carries them ready-made instead of parsing every pattern on each check.

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
    let mut arms = String::new();
    let mut seen = std::collections::HashSet::new();
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
    }
    let code = format!(
        "/// The needles of a built-in line pattern, worked out by build.rs; `None` for any other\n\
         /// pattern.\n\
         pub(crate) fn lookup(pattern: &str) -> Option<Option<&'static [&'static [u8]]>> {{\n    \
         match pattern {{\n{arms}        _ => None,\n    }}\n}}\n"
    );
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("builtin_needles.rs"), code).expect("OUT_DIR is writable");
}
