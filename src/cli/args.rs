//! The command line as clap reads it: subcommands, their arguments, and the report formats.

use crate::error::{Error, Result};
use crate::finding::FailOn;
use crate::report::{self, Render};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// deploy-guard: a deploy-risk gate for the change being merged or pushed.
#[derive(Debug, Parser)]
#[command(name = "deploy-guard", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Judge a change: a range (default), the index (--staged) or the working tree (--worktree).
    Check(CheckArgs),
    /// List the rules in effect: id, severity, one-line summary.
    Rules(ConfigArg),
    /// Print a rule's documentation: why it matters, examples, how to fix and suppress it.
    Explain {
        /// The rule id, e.g. cors/wildcard-origin.
        rule: String,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Run the examples embedded in rule files (the built-in and configured rules by default).
    TestRules {
        /// Rule or config files whose rules' examples to run.
        files: Vec<PathBuf>,
    },
    /// Write a commented starter .deploy-guard.toml at the repository root.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Install, remove or run the git pre-push hook.
    #[command(subcommand)]
    Hook(HookCommand),
}

#[derive(Debug, Subcommand)]
pub(super) enum HookCommand {
    /// Install the pre-push hook (honours core.hooksPath); an existing hook is kept as
    /// pre-push.local and runs first.
    Install {
        /// Replace an existing hook that is not deploy-guard's instead of chaining it.
        #[arg(long)]
        force: bool,
    },
    /// Remove the pre-push hook and restore the hook it chained, if any.
    Uninstall,
    /// What the installed hook runs: judges the refs `git push` lists on stdin.
    PrePush {
        /// The remote's name (or URL when pushing to a URL), as git passes it.
        remote: String,
        /// The remote's URL, as git passes it.
        url: Option<String>,
    },
    /// What the pre-commit framework's pre-push stage runs: judges
    /// PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF.
    PreCommit,
}

#[derive(Debug, Args)]
pub(super) struct ConfigArg {
    /// Configuration file to use instead of the repository's .deploy-guard.toml.
    #[arg(long, value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(super) struct CheckArgs {
    /// Base revision; the change is merge-base(base, head) → head. Default: under GitHub
    /// Actions or GitLab CI the event's range; else the branch's upstream, origin/HEAD,
    /// origin/main|master, main|master.
    #[arg(long, value_name = "REV")]
    pub(super) base: Option<String>,
    /// Head revision.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub(super) head: String,
    /// Judge the staged change (HEAD → index).
    #[arg(long, conflicts_with_all = ["worktree", "base"])]
    pub(super) staged: bool,
    /// Judge the uncommitted change (HEAD → working tree, untracked files included).
    #[arg(long, conflicts_with_all = ["base"])]
    pub(super) worktree: bool,
    #[command(flatten)]
    pub(super) config: ConfigArg,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human).
    #[arg(long, value_enum, value_name = "FMT")]
    pub(super) format: Option<Format>,
    /// Also write a report in format FMT to PATH (repeatable), e.g. sarif=deploy-guard.sarif.
    #[arg(long = "report", value_name = "FMT=PATH")]
    pub(super) reports: Vec<String>,
    /// Lowest severity that fails the run (default: the config's fail_on, else error).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub(super) fail_on: Option<FailOn>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people at a terminal.
    Human,
    /// The stable JSON report (version 1).
    Json,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML, one test case per rule.
    Junit,
    /// Markdown: verdict, findings table, suppressed findings collapsed.
    Markdown,
}

impl Format {
    /// Whether the format shows each rule's full documentation (worked examples included).
    pub(super) fn shows_rule_docs(self) -> bool {
        self == Format::Sarif
    }

    /// The printer for this format.
    pub(super) fn printer(self, color: bool) -> Box<dyn Render> {
        match self {
            Format::Human => Box::new(report::Human { color }),
            Format::Json => Box::new(report::Json),
            Format::Github => Box::new(report::Github),
            Format::Sarif => Box::new(report::Sarif),
            Format::Gitlab => Box::new(report::Gitlab),
            Format::Junit => Box::new(report::Junit),
            Format::Markdown => Box::new(report::Markdown::default()),
        }
    }
}

/// Parses `--report FMT=PATH`; a relative PATH is taken from `cwd`.
pub(super) fn report_target(arg: &str, cwd: &Path) -> Result<(Format, PathBuf)> {
    let bad = |problem: String| Error::ReportArg {
        arg: arg.to_string(),
        problem,
    };
    let (name, path) = arg
        .split_once('=')
        .ok_or_else(|| bad("expected FMT=PATH".into()))?;
    let format = Format::from_str(name, true).map_err(|_| {
        let known: Vec<_> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value())
            .map(|v| v.get_name().to_string())
            .collect();
        bad(format!(
            "unknown format '{name}' (known: {})",
            known.join(", ")
        ))
    })?;
    if path.is_empty() {
        return Err(bad("the PATH after '=' is empty".into()));
    }
    Ok((format, cwd.join(path)))
}
