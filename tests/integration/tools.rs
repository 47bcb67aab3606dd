//! What other tools read: `rules --format json`, the configuration's JSON Schema (shipped in
//! `schema/`, printed by `schema`, named by the starter `init` writes, and met by every
//! configuration example in the docs), shell completions and man pages.
//! `UPDATE_DOCS=1 cargo test --test integration tools` rewrites the shipped schema.

use crate::common::{Repo, Run, deploy_guard_in, outside_any_repository, skip_unless_available};
use serde_json::Value;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `deploy-guard args…` outside any repository (the built-in rules alone).
fn outside(args: &[&str]) -> Run {
    let (_dir, path) = outside_any_repository();
    Run::of(deploy_guard_in(&path).args(args))
}

const TEAM_RULE: &str = "[[rule]]\nid = \"team/debug-on\"\nseverity = \"warning\"\nmessage = \"debug switched on in {path} ({0})\"\npaths = [\"config/**\"]\nadded = 'DEBUG\\s*=\\s*true'\n";

#[test]
fn rules_as_json_for_tools() {
    let repo = Repo::with_files(&[(".deploy-guard.toml", TEAM_RULE)]);
    let listed = Run::of(repo.cmd().args(["rules", "--format", "json"]));
    listed.expect_code(0);
    let doc = listed.json();
    assert_eq!(doc["version"], 1);
    let rules = doc["rules"].as_array().expect("rules");
    let find = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {doc:#}"))
    };
    let cors = find("cors/wildcard-origin");
    assert_eq!(cors["category"], "cors");
    assert_eq!(cors["severity"], "error");
    assert_eq!(cors["origin"], "rules/cors.toml");
    assert_eq!(
        cors["docs_url"],
        "https://deploy-guard.github.io/deploy-guard/rules/cors/wildcard-origin.html"
    );
    assert!(cors["paths"].as_array().is_some_and(|p| !p.is_empty()));
    assert!(cors["exclude"].is_array());
    let team = find("team/debug-on");
    assert_eq!(team["origin"], ".deploy-guard.toml");
    assert_eq!(team["docs_url"], Value::Null, "a team rule without url");
    assert_eq!(team["paths"], serde_json::json!(["config/**"]));
    // No summary: the message with its placeholders elided, never a raw `{path}`.
    assert_eq!(team["summary"], "debug switched on in … (…)");
}

#[test]
fn a_rule_without_summary_never_shows_raw_placeholders() {
    let repo = Repo::with_files(&[(".deploy-guard.toml", TEAM_RULE)]);
    let listed = Run::of(repo.cmd().arg("rules"));
    let line = listed
        .stdout
        .lines()
        .find(|l| l.starts_with("team/debug-on"))
        .unwrap_or_else(|| panic!("{}", listed.stdout));
    assert!(line.ends_with("debug switched on in … (…)"), "{line}");
    let explained = Run::of(repo.cmd().args(["explain", "team/debug-on"]));
    explained.expect_code(0);
    assert!(!explained.stdout.contains('{'), "{}", explained.stdout);
    explained.expect_stdout("Summary: debug switched on in … (…)");
    repo.branch("topic");
    repo.commit_file("config/app.env", "DEBUG = true\n");
    let sarif = repo.check(&["--base", "main", "--format", "sarif"]).json();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let team = rules
        .iter()
        .find(|r| r["id"] == "team/debug-on")
        .expect("team rule");
    assert_eq!(
        team["shortDescription"]["text"],
        "debug switched on in … (…)"
    );
    // The finding itself fills the placeholders.
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["message"]["text"],
        "debug switched on in config/app.env (DEBUG = true)"
    );
}

/// The schema `deploy-guard schema` prints, as JSON.
fn schema() -> Value {
    let printed = outside(&["schema"]);
    printed.expect_code(0);
    printed.json()
}

/// The errors of `config` (TOML) against the configuration's schema; `name` for messages.
fn schema_errors(schema: &Value, name: &str, config: &str) -> Vec<String> {
    let table: toml::Table = config
        .parse()
        .unwrap_or_else(|e| panic!("{name} is not TOML: {e}\n{config}"));
    let validator = jsonschema::validator_for(schema).expect("a valid JSON Schema");
    let instance = json_of(toml::Value::Table(table));
    validator
        .iter_errors(&instance)
        .map(|e| format!("{name}: {e} at {}", e.instance_path()))
        .collect()
}

/// A TOML value as JSON, dates as the strings editors see them as.
fn json_of(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => i.into(),
        toml::Value::Float(f) => f.into(),
        toml::Value::Boolean(b) => b.into(),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => items.into_iter().map(json_of).collect(),
        toml::Value::Table(table) => table.into_iter().map(|(k, v)| (k, json_of(v))).collect(),
    }
}

#[test]
fn the_shipped_schema_is_the_generated_one() {
    let generated = outside(&["schema"]).stdout;
    let path = root().join("schema/deploy-guard.schema.json");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == generated,
        "schema/deploy-guard.schema.json has drifted from the configuration's types: run `UPDATE_DOCS=1 cargo test --test integration tools`"
    );
    let schema = schema();
    // The URL the starter names is this file at the release tag of this version.
    let id = schema["$id"].as_str().expect("$id");
    assert!(
        id.ends_with(&format!(
            "/v{}/schema/deploy-guard.schema.json",
            env!("CARGO_PKG_VERSION")
        )),
        "{id}"
    );
}

#[test]
fn the_starter_names_the_schema_and_meets_it() {
    let repo = Repo::with_files(&[("a.txt", "a\n")]);
    Run::of(repo.cmd().arg("init")).expect_code(0);
    let written = std::fs::read_to_string(repo.path().join(".deploy-guard.toml")).expect("read");
    let schema = schema();
    let first = written.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!("#:schema {}", schema["$id"].as_str().expect("$id"))
    );
    assert_eq!(
        schema_errors(&schema, "init", &written),
        Vec::<String>::new()
    );
    // Its commented examples, uncommented, meet the schema too.
    let uncommented: String = written
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(toml) if toml.starts_with('[') || toml.contains(" = ") => toml,
            _ if l.starts_with('#') => "",
            _ => l,
        })
        .filter(|l| !l.starts_with("disable = [\""))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(uncommented.contains("[[rule]]"), "{uncommented}");
    assert_eq!(
        schema_errors(&schema, "init, uncommented", &uncommented),
        Vec::<String>::new()
    );
    // The schema is not vacuous: what the parser refuses, it refuses.
    for wrong in [
        "fial_on = \"error\"\n",
        "fail_on = \"sometimes\"\n",
        "[[rule]]\nid = \"Team/X\"\nseverity = \"error\"\nmessage = \"m\"\n",
        "[[rule]]\nid = \"team/x\"\nseverity = \"error\"\n",
        "[rules.\"cors/x\"]\nseverity = \"loud\"\n",
    ] {
        assert!(
            !schema_errors(&schema, "wrong", wrong).is_empty(),
            "the schema accepts {wrong:?}"
        );
    }
}

/// Every ```toml block of the README and docs/*.md: configurations as they are, blocks that
/// start with `# part of a [[rule]]` inside a minimal rule.
fn toml_examples() -> Vec<(String, String)> {
    let mut files = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).expect("docs/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    let mut examples = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let name = file
            .strip_prefix(root())
            .unwrap_or(&file)
            .display()
            .to_string();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("```toml\n") {
            let body = &rest[start + 8..];
            let end = body.find("\n```").expect("a closed fence");
            let block = &body[..=end];
            let line = text[..text.len() - rest.len() + start].lines().count() + 1;
            let config = match block.strip_prefix("# part of a [[rule]]\n") {
                Some(part) if part.lines().any(|l| l.starts_with("message = ")) => {
                    format!("[[rule]]\nid = \"team/example\"\nseverity = \"error\"\n{part}")
                }
                Some(part) => format!(
                    "[[rule]]\nid = \"team/example\"\nseverity = \"error\"\nmessage = \"m\"\n{part}"
                ),
                None => block.to_string(),
            };
            examples.push((format!("{name}:{line}"), config));
            rest = &body[end..];
        }
    }
    examples
}

#[test]
fn every_configuration_example_in_the_docs_meets_the_schema() {
    let schema = schema();
    let examples = toml_examples();
    assert!(examples.len() >= 8, "{examples:#?}");
    let errors: Vec<String> = examples
        .iter()
        .flat_map(|(name, config)| schema_errors(&schema, name, config))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The completion script for `shell`.
fn completion(shell: &str) -> String {
    let printed = outside(&["completions", shell]);
    printed.expect_code(0);
    assert!(
        printed.stdout.contains("deploy-guard"),
        "{}",
        printed.stdout
    );
    printed.stdout
}

/// Runs `shell args…` with `script` saved in a file whose path replaces `SCRIPT` in the args.
fn run_shell(shell: &str, script: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("completion");
    std::fs::write(&file, script).expect("write");
    let file = file.display().to_string();
    let args: Vec<String> = args.iter().map(|a| a.replace("SCRIPT", &file)).collect();
    Run::from_output(
        std::process::Command::new(shell)
            .args(&args)
            .output()
            .expect("the shell runs"),
    )
}

#[test]
fn bash_completion_loads_and_completes_subcommands_and_flags() {
    let script = completion("bash");
    // Load it as bash-completion would, then ask it what follows `deploy-guard ch` and
    // `deploy-guard check --dis`, as bash does on TAB.
    let probe = r#"source SCRIPT && complete -p deploy-guard &&
        f=$(complete -p deploy-guard | sed 's/.* -F \([^ ]*\) .*/\1/') &&
        COMP_WORDS=(deploy-guard ch) COMP_CWORD=1 && "$f" deploy-guard ch deploy-guard &&
        echo "${COMPREPLY[@]}" &&
        COMP_WORDS=(deploy-guard check --dis) COMP_CWORD=2 && "$f" deploy-guard --dis check &&
        echo "${COMPREPLY[@]}""#;
    let run = run_shell("bash", &script, &["-c", probe]);
    run.expect_code(0);
    run.expect_stdout("complete -o bashdefault");
    run.expect_stdout("check");
    run.expect_stdout("--disable");
}

#[test]
fn zsh_and_fish_completions_load() {
    // Each shell with its options, a probe that loads the script, and what it must print.
    let shells = [
        (
            "zsh",
            "-f",
            "autoload -Uz compinit && compinit -u -D && source SCRIPT && print -r -- ${_comps[deploy-guard]}",
            "_deploy-guard",
        ),
        (
            "fish",
            "--no-config",
            "source SCRIPT; complete --do-complete 'deploy-guard check --dis'",
            "--disable",
        ),
    ];
    for (shell, option, probe, expected) in shells {
        if skip_unless_available(shell, &format!("the {shell} completion test"), false) {
            let run = run_shell(shell, &completion(shell), &[option, "-c", probe]);
            run.expect_code(0);
            run.expect_stdout(expected);
        }
    }
    assert!(completion("powershell").contains("Register-ArgumentCompleter"));
}

#[test]
fn man_pages_describe_every_command() {
    let page = outside(&["man"]);
    page.expect_code(0);
    assert!(
        page.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &page.stdout[..80]
    );
    page.expect_stdout(".TH deploy-guard 1");
    page.expect_stdout("deploy\\-guard\\-check(1)");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().display().to_string();
    outside(&["man", "--out", &out]).expect_code(0);
    let check =
        std::fs::read_to_string(dir.path().join("deploy-guard-check.1")).expect("check page");
    for flag in [
        "\\-\\-disable",
        "\\-\\-exclude",
        "\\-\\-quiet",
        "\\-\\-root",
    ] {
        assert!(check.contains(flag), "{flag} in {check}");
    }
    if skip_unless_available("groff", "rendering the man page with groff", false) {
        let rendered = Run::from_output(
            std::process::Command::new("groff")
                .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
                .arg(dir.path().join("deploy-guard-check.1"))
                .output()
                .expect("groff runs"),
        );
        rendered.expect_code(0);
        assert!(rendered.stderr.is_empty(), "{}", rendered.stderr);
    }
}
