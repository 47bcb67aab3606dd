//! Plans given with `--plan`: each file read and judged by the plan layer (the files of one kind
//! together, so a root change set and its nested ones link), every finding graded by the rules
//! in effect (severity overrides, `disable`), placed at the head revision's declaration of the
//! resource when exactly one file declares it (else at the plan file), and marked
//! `"origin": "plan"` with the resource's address, type and action.

use crate::change::ChangeSet;
use crate::error::{Error, Result};
use crate::finding::{Finding, Origin, OriginKind};
use crate::plan::{self, Declarations, Plan, PlanError, PlanKind};
use crate::report::JudgedPlan;
use crate::rules::RuleSet;
use crate::source::{ContentReader, MAX_SCANNED_BYTES};
use std::path::{Path, PathBuf};

/// One `--plan KIND=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    /// Which tool wrote it.
    pub kind: PlanKind,
    /// Where to read it.
    pub path: PathBuf,
    /// The file as written on the command line.
    pub given: String,
}

impl PlanFile {
    /// Reads the argument of `--plan KIND=FILE` (`terraform`, `opentofu`/`tofu`,
    /// `cloudformation`/`cfn`); FILE is taken relative to `cwd`.
    pub fn parse(arg: &str, cwd: &Path) -> Result<PlanFile> {
        let (kind, file) = plan::parse_plan_arg(arg).map_err(|e| plan_error("", &e))?;
        Ok(PlanFile {
            kind,
            path: cwd.join(file),
            given: file.to_string(),
        })
    }

    /// How reports name the file: repository-relative when it lies inside `workdir`, else as
    /// given.
    fn shown(&self, workdir: Option<&Path>) -> String {
        let inside = workdir.and_then(|root| {
            let root = root.canonicalize().ok()?;
            let path = self.path.canonicalize().ok()?;
            let relative = path.strip_prefix(root).ok()?;
            Some(relative.to_string_lossy().replace('\\', "/"))
        });
        inside.unwrap_or_else(|| self.given.clone())
    }
}

/// The error for a plan that cannot be read, prefixed with where it came from.
fn plan_error(prefix: &str, e: &PlanError) -> Error {
    Error::Plan {
        message: format!("{prefix}{}", e.what()),
        cure: e.cure().to_string(),
    }
}

/// Reads and judges `files`; returns the findings (graded by `rules`, placed in the head
/// revision of `changes` where the resource is declared) and what was judged.
pub(super) fn judge(
    files: &[PlanFile],
    changes: &ChangeSet,
    reader: &ContentReader,
    rules: &RuleSet,
    workdir: Option<&Path>,
) -> Result<(Vec<Finding>, Vec<JudgedPlan>)> {
    let mut findings = Vec::new();
    let mut judged = Vec::new();
    for kind in [PlanKind::Terraform, PlanKind::CloudFormation] {
        let group: Vec<(&PlanFile, String)> = files
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| (f, f.shown(workdir)))
            .collect();
        let mut merged: Option<Plan> = None;
        for (file, shown) in &group {
            let bytes = std::fs::read(&file.path).map_err(|e| Error::Plan {
                message: format!("cannot read the {kind} plan {shown}: {e}"),
                cure: format!("check the path given to --plan; {}", kind.recipe()),
            })?;
            let one = plan::read(kind, bytes).map_err(|e| plan_error(&format!("{shown}: "), &e))?;
            judged.push(JudgedPlan {
                kind: kind.as_str(),
                file: shown.clone(),
                resources: one.resource_count(),
            });
            match &mut merged {
                None => merged = Some(one),
                Some(plan) => plan
                    .merge(one)
                    .map_err(|e| plan_error(&format!("{shown}: "), &e))?,
            }
        }
        let Some(merged) = merged else { continue };
        let declared = declarations(kind, changes, reader)?;
        for found in plan::judge(&merged, &declared) {
            let Some(rule) = rules.get(found.rule) else {
                continue;
            };
            let plan_file = group
                .get(found.document)
                .map_or_else(String::new, |(_, shown)| shown.clone());
            let (path, line) = match declared.locate(kind, &found.address) {
                Some(at) => (at.path.clone(), Some(at.line)),
                None => (plan_file.clone(), None),
            };
            findings.push(Finding {
                rule: rule.id.clone(),
                severity: rule.severity,
                path,
                line,
                side: None,
                message: found.message,
                snippet: None,
                suppressed: None,
                origin: Some(Box::new(Origin {
                    kind: OriginKind::Plan,
                    address: found.address,
                    resource_type: found.resource_type,
                    action: found.action.as_str().to_string(),
                    plan: Some(plan_file),
                    render: None,
                    rendered: None,
                    detail: found.detail,
                })),
            });
        }
    }
    Ok((findings, judged))
}

/// Where the head revision declares the resources a plan of `kind` can name: its Terraform
/// files, or its CloudFormation templates (which also give the images services run).
fn declarations(
    kind: PlanKind,
    changes: &ChangeSet,
    reader: &ContentReader,
) -> Result<Declarations> {
    let mut declared = Declarations::default();
    match kind {
        PlanKind::Terraform => {
            for (path, text) in
                reader.head_files(changes, |p| p.ends_with(".tf"), MAX_SCANNED_BYTES)?
            {
                declared.add_terraform(&path, &text);
            }
        }
        PlanKind::CloudFormation => {
            let template_like = |p: &str| {
                let ext = p.rsplit_once('.').map_or("", |(_, e)| e);
                matches!(ext, "yaml" | "yml" | "json" | "template")
                    && !p.contains("node_modules/")
                    && !p.ends_with("package-lock.json")
            };
            for (path, text) in reader.head_files(changes, template_like, MAX_SCANNED_BYTES)? {
                if plan::may_be_template(&text) {
                    declared.add_template(&path, &text);
                }
            }
        }
    }
    Ok(declared)
}
