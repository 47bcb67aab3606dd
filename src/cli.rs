//! The command line: argument parsing (clap) and one function per subcommand. `run` is what the
//! binary calls; tests call it in-process.

use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::finding::FailOn;
use crate::gate::{self, Options, Policy, examples};
use crate::report::{self, Render};
use crate::rules::RuleSet;
use crate::source::push;
use crate::{hook, source};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

/// deploy-guard: a deploy-risk gate for the change being merged or pushed.
#[derive(Debug, Parser)]
#[command(name = "deploy-guard", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
enum HookCommand {
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
struct ConfigArg {
    /// Configuration file to use instead of the repository's .deploy-guard.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Base revision; the change is merge-base(base, head) → head. Default: under GitHub
    /// Actions or GitLab CI the event's range; else the branch's upstream, origin/HEAD,
    /// origin/main|master, main|master.
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// Head revision.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    head: String,
    /// Judge the staged change (HEAD → index).
    #[arg(long, conflicts_with_all = ["worktree", "base"])]
    staged: bool,
    /// Judge the uncommitted change (HEAD → working tree, untracked files included).
    #[arg(long, conflicts_with_all = ["base"])]
    worktree: bool,
    #[command(flatten)]
    config: ConfigArg,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human).
    #[arg(long, value_enum, value_name = "FMT")]
    format: Option<Format>,
    /// Also write a report in format FMT to PATH (repeatable), e.g. sarif=deploy-guard.sarif.
    #[arg(long = "report", value_name = "FMT=PATH")]
    reports: Vec<String>,
    /// Lowest severity that fails the run (default: the config's fail_on, else error).
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<FailOn>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
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
    fn shows_rule_docs(self) -> bool {
        self == Format::Sarif
    }

    /// The printer for this format.
    fn printer(self, color: bool) -> Box<dyn Render> {
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
fn report_target(arg: &str, cwd: &Path) -> Result<(Format, PathBuf)> {
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

/// Where a run writes, and whether stdout is a terminal (for colour).
pub struct Io<'a> {
    /// Reports go here.
    pub out: &'a mut dyn Write,
    /// Progress lines and errors go here.
    pub err: &'a mut dyn Write,
    /// Whether `out` is a terminal.
    pub out_is_terminal: bool,
}

/// Runs the command line `args` (program name first) in directory `cwd`; returns the exit code.
pub fn run<I, T>(args: I, cwd: &Path, io: &mut Io) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(io.err, "{text}")
            } else {
                write!(io.out, "{text}")
            };
            return code;
        }
    };
    match dispatch(cli.command, cwd, io) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}\n  help: {}", e.cure());
            2
        }
    }
}

fn dispatch(command: Command, cwd: &Path, io: &mut Io) -> Result<i32> {
    match command {
        Command::Check(args) => check(args, cwd, io),
        Command::Rules(c) => {
            let policy = Policy::around(cwd, c.config.as_deref())?;
            list_rules(policy.rules(), io)
        }
        Command::Explain { rule, config } => {
            let policy = Policy::around(cwd, config.config.as_deref())?;
            let rule = policy
                .rules()
                .get(&rule)
                .ok_or_else(|| Error::Rule(format!("unknown rule '{rule}'")))?;
            write_out(io, &crate::rules::docs::rule_markdown(rule))?;
            Ok(0)
        }
        Command::TestRules { files } => test_rules(&files, cwd, io),
        Command::Init { force } => init(cwd, force, io),
        Command::Hook(action) => hook_command(action, cwd, io),
    }
}

fn hook_command(action: HookCommand, cwd: &Path, io: &mut Io) -> Result<i32> {
    let done = match action {
        HookCommand::Install { force } => {
            let exe = std::env::current_exe().unwrap_or_else(|_| "deploy-guard".into());
            hook::install(cwd, &exe, force)?
        }
        HookCommand::Uninstall => hook::uninstall(cwd)?,
        HookCommand::PrePush { remote, .. } => {
            let input = std::io::read_to_string(std::io::stdin()).map_err(|source| Error::Io {
                path: "<stdin>".into(),
                source,
            })?;
            let repo = source::open_repository(cwd)?;
            return judge_push(&repo, &remote, &push::parse_pushed_refs(&input)?, io);
        }
        HookCommand::PreCommit => {
            let repo = source::open_repository(cwd)?;
            let (remote, pushed) =
                push::pushed_by_pre_commit(&repo, |name| std::env::var(name).ok())?;
            return judge_push(&repo, &remote, &[pushed], io);
        }
    };
    for line in done {
        let _ = writeln!(io.err, "deploy-guard: {line}");
    }
    Ok(0)
}

/// Judges each pushed ref with the configuration on the remote's side; prints the reports on
/// stderr (git shows it) and refuses the push with 1 if any fails.
fn judge_push(
    repo: &git2::Repository,
    remote: &str,
    pushed: &[push::PushedRef],
    io: &mut Io,
) -> Result<i32> {
    let mut refused = false;
    for one in pushed {
        let source = match push::plan(repo, remote, one)? {
            push::PushPlan::Skip(why) => {
                let _ = writeln!(io.err, "deploy-guard: {why}");
                continue;
            }
            push::PushPlan::Judge(source) => source,
        };
        let report = gate::check(repo, &source, &Options::default(), &mut |note| {
            let _ = writeln!(io.err, "deploy-guard: {note}");
        })?;
        report::Human { color: false }
            .render(&report, io.err)
            .map_err(|source| Error::Io {
                path: "<stderr>".into(),
                source,
            })?;
        refused |= report.fails();
    }
    if refused {
        let _ = writeln!(
            io.err,
            "deploy-guard: push refused. Fix the findings above, or push anyway, deliberately: git push --no-verify"
        );
    }
    Ok(i32::from(refused))
}

fn check(args: CheckArgs, cwd: &Path, io: &mut Io) -> Result<i32> {
    let extra_reports = args
        .reports
        .iter()
        .map(|arg| report_target(arg, cwd))
        .collect::<Result<Vec<_>>>()?;
    let repo = source::open_repository(cwd)?;
    // Under CI the event names the range, unless the command line names either end.
    let event = if args.base.is_none() && args.head == "HEAD" && !args.staged && !args.worktree {
        source::ci::detect(|name| std::env::var(name).ok())?
    } else {
        None
    };
    let src = if args.staged {
        source::Source::Staged
    } else if args.worktree {
        source::Source::Worktree
    } else if let Some(event) = event {
        source::Source::Ci(event)
    } else {
        source::Source::Range {
            base: args.base,
            head: args.head,
        }
    };
    let in_github_actions = std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");
    let default_format = if in_github_actions {
        Format::Github
    } else {
        Format::Human
    };
    let format = args.format.unwrap_or(default_format);
    let options = Options {
        config_file: args.config.config.map(|path| cwd.join(path)),
        fail_on: args.fail_on,
        rule_docs: format.shows_rule_docs()
            || extra_reports.iter().any(|(f, _)| f.shows_rule_docs()),
        today: None,
    };
    let report = gate::check(&repo, &src, &options, &mut |note| {
        let _ = writeln!(io.err, "deploy-guard: {note}");
    })?;
    let color = io.out_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    format
        .printer(color)
        .render(&report, io.out)
        .map_err(stdout_error)?;
    for (format, path) in extra_reports {
        let mut text = Vec::new();
        format
            .printer(false)
            .render(&report, &mut text)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|source| Error::WriteReport { path, source })?;
    }
    report::job_summary::append_from_env(&report, io.err)?;
    Ok(i32::from(report.fails()))
}

fn list_rules(set: &RuleSet, io: &mut Io) -> Result<i32> {
    let width = set.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    for r in set.rules() {
        text.push_str(&format!(
            "{:<width$}  {:<7}  {}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    write_out(io, &text)?;
    Ok(0)
}

fn test_rules(files: &[PathBuf], cwd: &Path, io: &mut Io) -> Result<i32> {
    let outcomes = examples::test_rules(files, cwd)?;
    let mut text = String::new();
    let (mut passed, mut failed) = (0, 0);
    for outcome in &outcomes {
        passed += outcome.passed;
        failed += outcome.failures.len();
        for f in &outcome.failures {
            text.push_str(&format!(
                "FAIL {} example {} ({}): {}\n",
                f.rule, f.example, f.path, f.reason
            ));
        }
        for id in &outcome.without_examples {
            text.push_str(&format!("note: {id} has no examples\n"));
        }
    }
    text.push_str(&format!("test-rules: {passed} passed, {failed} failed\n"));
    write_out(io, &text)?;
    Ok(i32::from(failed > 0))
}

/// The starter configuration `init` writes; a test keeps it valid.
pub const STARTER_CONFIG: &str = include_str!("starter.toml");

fn init(cwd: &Path, force: bool, io: &mut Io) -> Result<i32> {
    let repo = source::open_repository(cwd)?;
    let root = repo.workdir().ok_or_else(|| {
        Error::Usage("this repository is bare; run init in a working tree".into())
    })?;
    let path = root.join(CONFIG_FILE);
    if path.exists() && !force {
        return Err(Error::Usage(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        )));
    }
    std::fs::write(&path, STARTER_CONFIG).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let _ = writeln!(io.err, "wrote {}", path.display());
    Ok(0)
}

fn write_out(io: &mut Io, text: &str) -> Result<()> {
    io.out.write_all(text.as_bytes()).map_err(stdout_error)
}

fn stdout_error(source: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source,
    }
}
