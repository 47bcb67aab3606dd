//! Nothing unread passes silently: one finding per changed file the gate could not judge (its
//! content binary, in Git LFS, too large, in an encoding that does not decode, or its structure
//! unparsable), and per symlink that leads out of the repository. How loud it is follows what
//! the file is ([`PathClass`]): a file that deploys keeps the verdict from being "clear"
//! (warning); other text says so quietly (info); media, binaries that do not deploy, build
//! tooling (lock files, `tsconfig.json` with its comments), Helm templates (not YAML until
//! rendered) and files out of the way (tests, vendored code, developer-only setups) are listed
//! in `skipped` only.

use super::reported::GateReport;
use crate::change::{ChangeSet, ChangedFile, FileKind, Link, NotScanned};
use crate::engine::Unparsed;
use crate::finding::{Finding, Severity};
use crate::path_class::{Kind, PathClass};
use crate::rules::RuleSet;
use crate::source::MAX_SCANNED_BYTES;

/// A changed file whose content (or structure) the gate could not judge.
pub(crate) const NOT_JUDGED: GateReport = GateReport {
    id: "guard/not-judged",
};

/// A symlink that leads out of the repository: what it serves cannot be judged.
pub(crate) const SYMLINK_OUTSIDE: GateReport = GateReport {
    id: "guard/symlink-outside-repository",
};

/// How loudly an unread file is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loudness {
    /// The rule's severity (a warning by default): the verdict is not "clear".
    Full,
    /// At most `info`.
    Quiet,
    /// No finding: the `skipped` entry says it.
    Listed,
}

/// How loudly an unread file at `path` is reported; `binary`: its content is not text.
fn loudness(path: &str, binary: bool) -> Loudness {
    let class = PathClass::of(path);
    if class.out_of_the_way() {
        Loudness::Listed
    } else if class.deploys() {
        Loudness::Full
    } else if binary || matches!(class.kind, Kind::Media | Kind::Artifact | Kind::Tooling) {
        Loudness::Listed
    } else {
        Loudness::Quiet
    }
}

/// One finding per changed file the gate could not judge, and per symlink out of the
/// repository (unless the configuration disabled the rule). `unparsed`: the files whose
/// structure did not parse (from the engine).
pub(crate) fn unread_findings(
    changes: &ChangeSet,
    unparsed: &[Unparsed],
    rules: &RuleSet,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in &changes.files {
        if let Some(message) = unread_message(file) {
            let binary = file.kind == FileKind::Binary;
            report(&mut out, rules, NOT_JUDGED, &file.path, binary, message);
        }
        if let Some(Link::Outside(target)) = &file.link {
            let message = format!(
                "this symlink points outside the repository ('{target}'), so what it serves was not judged: link to a file in the repository, or review the target where it is deployed"
            );
            report(&mut out, rules, SYMLINK_OUTSIDE, &file.path, false, message);
        }
    }
    for u in unparsed {
        // A Helm template is Go template text until it is rendered: its changed lines are
        // still judged; a parse failure there is expected, not a blind spot.
        if u.templated && PathClass::of(&u.path).kind == Kind::Helm {
            continue;
        }
        let message = format!(
            "this file does not parse as YAML/JSON ({}), so its structure was not judged (its changed lines were): fix the syntax, or review it by hand",
            u.why
        );
        report(&mut out, rules, NOT_JUDGED, &u.path, false, message);
    }
    out
}

/// Why `file`'s content was not judged, in the user's words; `None` when it was read.
fn unread_message(file: &ChangedFile) -> Option<String> {
    let why = match (file.kind, file.not_scanned) {
        (FileKind::Binary, _) => "it is binary".to_string(),
        (_, Some(NotScanned::LfsPointer)) => {
            "it is stored in Git LFS (the repository holds only a pointer)".to_string()
        }
        (_, Some(NotScanned::TooLarge)) => format!(
            "it is larger than {} MiB",
            MAX_SCANNED_BYTES / (1024 * 1024)
        ),
        (_, Some(NotScanned::Undecodable(encoding))) => {
            format!("it is {encoding} text whose bytes do not decode")
        }
        (_, Some(NotScanned::UnsupportedEncoding(encoding))) => {
            format!("it is {encoding} text, which deploy-guard does not read")
        }
        (_, None) => return None,
    };
    Some(format!(
        "{why}, so its content was not judged: review it by hand{}",
        match file.not_scanned {
            Some(NotScanned::Undecodable(_) | NotScanned::UnsupportedEncoding(_)) =>
                ", or save it as UTF-8",
            _ => "",
        }
    ))
}

/// Adds `report`'s finding at `path` as loud as [`loudness`] says.
fn report(
    out: &mut Vec<Finding>,
    rules: &RuleSet,
    report: GateReport,
    path: &str,
    binary: bool,
    message: String,
) {
    let loudness = loudness(path, binary);
    if loudness == Loudness::Listed {
        return;
    }
    if let Some(mut finding) = report.finding(rules, path, None, message) {
        if loudness == Loudness::Quiet {
            finding.severity = finding.severity.min(Severity::Info);
        }
        out.push(finding);
    }
}
