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
    /// When to colour the output: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR or
    /// CLICOLOR_FORCE colour it anywhere), always, never.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true)]
    pub(super) color: ColorWhen,
}

/// `--color`: when to colour the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set; anywhere when FORCE_COLOR or CLICOLOR_FORCE is.
    #[default]
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Judge a change: a range (default), the index (--staged) or the working tree (--worktree).
    Check(CheckArgs),
    /// List the rules in effect: id, severity, one-line summary.
    Rules {
        #[command(flatten)]
        config: ConfigArg,
        /// human: one line per rule; json: every rule's id, category, severity, summary,
        /// paths, exclude, docs URL and origin, for tools.
        #[arg(long, value_enum, value_name = "FMT", default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print a rule's documentation: why it matters, examples, how to fix and suppress it.
    Explain {
        /// The rule id, e.g. cors/wildcard-origin.
        rule: String,
        #[command(flatten)]
        config: ConfigArg,
        /// human: rendered for reading at a terminal; markdown: the Markdown source (what
        /// the rule catalogue is generated from).
        #[arg(long, value_enum, value_name = "FMT", default_value_t = DocFormat::Human)]
        format: DocFormat,
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
    /// Print the JSON Schema of .deploy-guard.toml (for editors: Taplo, Even Better TOML).
    Schema,
    /// Print a shell completion script: e.g. `deploy-guard completions bash >
    /// ~/.local/share/bash-completion/completions/deploy-guard`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (`deploy-guard man | man -l -`), or write one page per command.
    Man {
        /// Write deploy-guard.1 and a page per subcommand into this directory instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// `rules --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ListFormat {
    /// One line per rule: id, severity, summary.
    Human,
    /// A JSON document (`"version": 1`) for tools.
    Json,
}

/// `explain --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum DocFormat {
    /// Headings, emphasis and code rendered plainly, wrapped to the terminal.
    Human,
    /// The Markdown source.
    Markdown,
}

/// The shells `completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum Shell {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
    /// PowerShell.
    Powershell,
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
    /// Judge the whole history up to --head from the empty tree (a repository's first
    /// commit): the same as --base 4b825dc642cb6eb9a060e54bf8d69288fbee4904. The empty tree
    /// holds no .deploy-guard.toml, so the built-in defaults apply unless --config names one.
    #[arg(long, conflicts_with_all = ["base", "staged", "worktree"])]
    pub(super) root: bool,
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
    /// Also judge a plan (repeatable): terraform=FILE (`terraform show -json` or OpenTofu's
    /// `tofu show -json`; alias opentofu=, tofu=) or cloudformation=FILE (`aws cloudformation
    /// describe-change-set` JSON, or an array of them; alias cfn=). Its findings join the
    /// report, the verdict, the waivers and the exit code.
    #[arg(long = "plan", value_name = "KIND=FILE")]
    pub(super) plans: Vec<String>,
    /// Lowest severity that fails the run (default: the config's fail_on, else error). It
    /// decides the exit code only: a run that found an error reads "blocked" under any level.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub(super) fail_on: Option<FailOn>,
    #[command(flatten)]
    pub(super) selection: SelectionArgs,
    #[command(flatten)]
    pub(super) output: OutputArgs,
}

/// What `check` narrows for one run. The configuration comes from the base revision; these
/// flags are the runner's, and every report shows them.
#[derive(Debug, Args)]
#[command(next_help_heading = "Rule selection (this run only; shown in every report)")]
pub(super) struct SelectionArgs {
    /// Switch off the rules with this id or id glob (repeatable), e.g. 'docs/*'. Wins over
    /// --enable and the configuration.
    #[arg(long, value_name = "RULE-GLOB")]
    pub(super) disable: Vec<String>,
    /// Switch back on the rules with this id or glob that the configuration's `disable`
    /// switched off (repeatable). It cannot add a rule: only built-in and configured rules
    /// exist. --disable wins over it.
    #[arg(long, value_name = "RULE-GLOB")]
    pub(super) enable: Vec<String>,
    /// Report no finding on paths matching this glob (repeatable), e.g. 'vendor/**': as if
    /// every rule listed it under `exclude`.
    #[arg(long, value_name = "PATH-GLOB")]
    pub(super) exclude: Vec<String>,
}

/// How much `check` says besides the report.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub(super) struct OutputArgs {
    /// The verdict and the findings only: no range line, no progress, no notes (warnings
    /// still show).
    #[arg(short, long, conflicts_with = "verbose")]
    pub(super) quiet: bool,
    /// Also say how the range was resolved, which configuration and rules were loaded from
    /// where, and how long each phase took (on stderr).
    #[arg(short, long)]
    pub(super) verbose: bool,
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

    /// The printer for this format: `color` and `quiet` shape the human report.
    pub(super) fn printer(self, color: bool, quiet: bool) -> Box<dyn Render> {
        match self {
            Format::Human => Box::new(report::Human { color, quiet }),
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
