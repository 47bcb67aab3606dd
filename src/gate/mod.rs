//! The gate: the one place the main sequence runs. A change, read from git by a [`Source`] or
//! held in memory, is judged under a [`Policy`] (the configuration trusted for it and the rules
//! it puts in effect): the engine's findings, then the gate's own findings, inline suppressions
//! and waivers, then pull-request acknowledgements; out comes the [`Report`]. The command line,
//! the tests and the rules' worked examples (`examples`) all come through here.

pub(crate) mod examples;
mod plans;
mod policy;
mod renders;

pub use plans::PlanFile;
pub use policy::Policy;
use renders::Rendered;

use crate::change::ChangeSet;
use crate::config::{ConfigFrom, Date, Selection};
use crate::engine::{self, Judgement};
use crate::error::{Error, Result};
use crate::finding::{FailOn, Skipped};
use crate::report::{JudgedPlan, Report, RuleMeta};
use crate::source::{self, ContentReader, Source};
use crate::triage;
use git2::Repository;
use std::path::PathBuf;
use std::time::Instant;

/// How a check runs, besides the change it judges.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A configuration file that wins over the one trusted for the change (`--config`).
    pub config_file: Option<PathBuf>,
    /// The lowest severity that fails the run; wins over the configuration's `fail_on`.
    pub fail_on: Option<FailOn>,
    /// Whether the report carries every rule's full documentation (only SARIF shows it).
    /// Without it, a check reads the built-in packs without their worked examples and help.
    pub rule_docs: bool,
    /// The day waivers are judged against; `None`: `DEPLOY_GUARD_TODAY` (YYYY-MM-DD) when set,
    /// so runs can be pinned to a day, else the system clock's date in UTC.
    pub today: Option<Date>,
    /// What the command line narrows for this run (`--disable`, `--enable`, `--exclude`).
    pub selection: Selection,
    /// Plans to judge besides the change (`--plan KIND=FILE`), in the order given.
    pub plans: Vec<PlanFile>,
}

/// What the gate has to say while it runs, besides the report, by who wants to hear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note<'a> {
    /// The range being checked, labels that could not be used (`--quiet` hides these).
    Progress(&'a str),
    /// Something that is probably a mistake, such as a `disable` glob that matches no rule.
    Warning(&'a str),
    /// How the run went, step by step, with timings (`--verbose` shows these).
    Detail(&'a str),
}

/// Reads the change `source` names from `repo`, judges it under the configuration trusted for
/// it (see [`Policy`]), and returns the report. `on_note` hears what the user should know as
/// it happens (see [`Note`]).
pub fn check(
    repo: &Repository,
    source: &Source,
    options: &Options,
    on_note: &mut dyn FnMut(Note),
) -> Result<Report> {
    let mut clock = Clock::start();
    let (changes, resolved) = source::load(repo, source)?;
    for step in &resolved.steps {
        on_note(Note::Detail(&format!("range: {step}")));
    }
    on_note(Note::Progress(&format!(
        "checking {}",
        resolved.description
    )));
    for warning in &resolved.warnings {
        on_note(Note::Warning(warning));
    }
    clock.lap("read the change", on_note);
    let policy = Policy::load(
        repo,
        options.config_file.as_deref(),
        resolved.config,
        &options.selection,
        options.rule_docs,
    )?;
    let config_from = match (&options.config_file, resolved.config) {
        (Some(file), _) => format!("--config {}", file.display()),
        (None, ConfigFrom::Defaults) => {
            "none: the empty tree holds no .deploy-guard.toml, the built-in defaults apply".into()
        }
        (None, _) => policy
            .config()
            .file_name()
            .unwrap_or("none found: the built-in defaults apply")
            .to_string(),
    };
    on_note(Note::Detail(&format!("configuration: {config_from}")));
    on_note(Note::Detail(&format!(
        "rules: {}",
        rules_by_origin(&policy)
    )));
    for warning in policy.warnings() {
        on_note(Note::Warning(warning));
    }
    clock.lap("load the rules", on_note);
    let labels = match source {
        Source::Ci(event) => event.labels.as_slice(),
        _ => &[],
    };
    let reader = ContentReader::new(repo);
    let (from_plans, plans) = match options.plans.as_slice() {
        [] => (Vec::new(), Vec::new()),
        files => {
            let judged = plans::judge(files, &changes, &reader, policy.rules(), repo.workdir())?;
            clock.lap("judge the plans", on_note);
            judged
        }
    };
    let renders = policy.config().renders();
    let mut rendered = renders::judge(
        repo,
        &changes,
        &reader,
        renders,
        policy.rules(),
        &mut |text| on_note(Note::Progress(text)),
    )?;
    if !renders.is_empty() {
        clock.lap("render", on_note);
    }
    rendered.findings.extend(from_plans);
    let judgement = judge(
        &changes,
        &reader,
        &policy,
        options.today,
        labels,
        rendered,
        on_note,
    )?;
    clock.lap("judge the change", on_note);
    let mut report = report(&changes, judgement, &policy, options, plans);
    if options.plans.is_empty() {
        report.note = resolved.nothing_to_judge.or(report.note);
    }
    Ok(report)
}

/// How many rules are in effect, and where they were defined: "52 in effect (rules/cors.toml:
/// 6, …, .deploy-guard.toml: 1)".
fn rules_by_origin(policy: &Policy) -> String {
    let mut origins: Vec<(&str, usize)> = Vec::new();
    for rule in policy.rules().rules() {
        match origins.iter_mut().find(|(o, _)| *o == rule.origin) {
            Some((_, n)) => *n += 1,
            None => origins.push((&rule.origin, 1)),
        }
    }
    let parts: Vec<String> = origins.iter().map(|(o, n)| format!("{o}: {n}")).collect();
    format!(
        "{} in effect ({})",
        policy.rules().rules().len(),
        parts.join(", ")
    )
}

/// Times the phases of a check, for `--verbose`.
struct Clock {
    last: Instant,
}

impl Clock {
    fn start() -> Clock {
        Clock {
            last: Instant::now(),
        }
    }

    /// Tells `on_note` how long `phase` took since the last lap.
    fn lap(&mut self, phase: &str, on_note: &mut dyn FnMut(Note)) {
        let now = Instant::now();
        let ms = now.duration_since(self.last).as_secs_f64() * 1000.0;
        on_note(Note::Detail(&format!("time: {phase}: {ms:.1} ms")));
        self.last = now;
    }
}

/// Judges a change held in memory (no repository behind it: rule examples, test corpora)
/// under `policy`, and returns the report.
pub fn check_change(changes: &ChangeSet, policy: &Policy, options: &Options) -> Result<Report> {
    let reader = ContentReader::in_memory();
    let judgement = judge(
        changes,
        &reader,
        policy,
        options.today,
        &[],
        Rendered::default(),
        &mut |_| {},
    )?;
    Ok(report(changes, judgement, policy, options, Vec::new()))
}

/// The main sequence, once the change is read: the engine, the gate's own findings about
/// submodules and files it could not judge, the findings judged `beside` the change (from
/// renders and plans), inline suppressions and waivers (judged against `today`), the source
/// findings the renders cover, acknowledgements by `labels`, and one finding per decision.
fn judge(
    changes: &ChangeSet,
    reader: &ContentReader,
    policy: &Policy,
    today: Option<Date>,
    labels: &[String],
    beside: Rendered,
    on_note: &mut dyn FnMut(Note),
) -> Result<Judgement> {
    let rules = policy.rules();
    let mut judgement = engine::judge(changes, rules, reader)?;
    let findings = &mut judgement.findings;
    findings.extend(triage::submodule_findings(changes, rules));
    findings.extend(triage::unread_findings(changes, &judgement.unparsed, rules));
    findings.extend(beside.findings);
    let today = today.map_or_else(pinned_or_today, Ok)?;
    triage::suppress(changes, reader, policy.config(), rules, today, findings)?;
    beside.covers.apply(findings);
    for note in triage::acknowledge(findings, labels) {
        on_note(Note::Progress(&note));
    }
    // `--exclude` keeps the gate's own findings off those paths too (rules never look there),
    // and a plan's off the plan files and resource addresses it names.
    findings.retain(|f| !f.places().any(|place| policy.excludes(place)));
    triage::one_per_decision(findings);
    Ok(judgement)
}

/// The report on `changes`: the judgement's findings, every file not (fully) read, the plans
/// judged, and the rules in effect (with their full documentation when `options.rule_docs`).
fn report(
    changes: &ChangeSet,
    judgement: Judgement,
    policy: &Policy,
    options: &Options,
    plans: Vec<JudgedPlan>,
) -> Report {
    let mut skipped: Vec<Skipped> = changes
        .files
        .iter()
        .filter_map(|f| {
            Some(Skipped {
                path: f.path.clone(),
                reason: f.skip_reason()?.into(),
            })
        })
        .collect();
    skipped.extend(judgement.skipped);
    Report {
        base: changes.base.clone(),
        head: changes.head.clone(),
        findings: judgement.findings,
        skipped,
        files_changed: changes.files.len(),
        // With plans there is something to judge, whatever the range holds.
        note: (changes.files.is_empty() && plans.is_empty())
            .then(|| "nothing to judge: the change holds no file".to_string()),
        fail_on: options
            .fail_on
            .or(policy.config().fail_on())
            .unwrap_or_default(),
        selection: options.selection.clone(),
        rules: if options.rule_docs {
            RuleMeta::all(policy.rules())
        } else {
            RuleMeta::summaries(policy.rules())
        },
        plans,
    }
}

/// `DEPLOY_GUARD_TODAY` (YYYY-MM-DD) when set, else the system clock's date in UTC.
fn pinned_or_today() -> Result<Date> {
    match std::env::var("DEPLOY_GUARD_TODAY") {
        Ok(text) => Date::parse(&text).ok_or_else(|| {
            Error::Usage(format!(
                "DEPLOY_GUARD_TODAY must be a date YYYY-MM-DD, not '{text}'"
            ))
        }),
        Err(_) => Ok(Date::today()),
    }
}
