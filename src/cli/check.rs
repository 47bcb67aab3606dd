//! Judging a change from the command line: `check` (a range, the index or the working tree;
//! under CI, the event's range) and the pre-push hook (each pushed ref). Both call the gate and
//! render its report.

use super::args::{CheckArgs, Format, report_target};
use super::io::{Io, Verbosity, stdout_error};
use crate::config::Selection;
use crate::error::{Error, Result};
use crate::gate::{self, Options, PlanFile};
use crate::report::{self, Render};
use crate::source::{self, EMPTY_TREE, Source, push};
use std::path::Path;

/// Judges each pushed ref with the configuration on the remote's side; prints the reports on
/// stderr (git shows it) and refuses the push with 1 if any fails.
pub(super) fn judge_push(
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
            io.note(Verbosity::Normal, note);
        })?;
        report::Human::default()
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

/// `deploy-guard check`: judges the change the arguments (or the CI event) name and renders
/// the report in every format asked for; `color` for the main one.
pub(super) fn check(args: CheckArgs, cwd: &Path, color: bool, io: &mut Io) -> Result<i32> {
    let extra_reports = args
        .reports
        .iter()
        .map(|arg| report_target(arg, cwd))
        .collect::<Result<Vec<_>>>()?;
    let plans = args
        .plans
        .iter()
        .map(|arg| PlanFile::parse(arg, cwd))
        .collect::<Result<Vec<_>>>()?;
    let repo = source::open_repository(cwd)?;
    let base = match args.root {
        true => Some(EMPTY_TREE.to_string()),
        false => args.base,
    };
    // Under CI the event names the range, unless the command line names either end.
    let event = if base.is_none() && args.head == "HEAD" && !args.staged && !args.worktree {
        source::ci::detect(|name| std::env::var(name).ok())?
    } else {
        None
    };
    let src = if args.staged {
        Source::Staged
    } else if args.worktree {
        Source::Worktree
    } else if let Some(event) = event {
        Source::Ci(event)
    } else {
        Source::Range {
            base,
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
        selection: Selection {
            disable: args.selection.disable,
            enable: args.selection.enable,
            exclude: args.selection.exclude,
        },
        plans,
    };
    let verbosity = Verbosity::of(&args.output);
    let report = gate::check(&repo, &src, &options, &mut |note| io.note(verbosity, note))?;
    let started = std::time::Instant::now();
    let quiet = verbosity == Verbosity::Quiet;
    format
        .printer(color, quiet)
        .render(&report, io.out)
        .map_err(stdout_error)?;
    for (format, path) in extra_reports {
        let mut text = Vec::new();
        format
            .printer(false, false)
            .render(&report, &mut text)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|source| Error::WriteReport { path, source })?;
    }
    report::job_summary::append_from_env(&report, io.err)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    io.note(
        verbosity,
        gate::Note::Detail(&format!("time: write the reports: {ms:.1} ms")),
    );
    Ok(i32::from(report.fails()))
}
