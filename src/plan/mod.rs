//! Plans: what Terraform / OpenTofu and CloudFormation say they *will do*, judged before they do
//! it. Source files say what a team meant; a plan says what the tool will delete, replace and run.
//!
//! [`read`] parses and validates one plan document (`terraform show -json` output, or the JSON
//! of `aws cloudformation describe-change-set`, or an array of change sets for nested stacks);
//! [`judge`] turns it into [`PlanFinding`]s: traffic-carrying and stateful resources deleted or
//! replaced, mutable images about to run, CORS opened to every origin. This layer is pure: it
//! reads no files and knows nothing of the report; the caller attaches `"origin": "plan"`.

mod cloudformation;
mod families;
mod input;
mod scan;
mod terraform;

use std::fmt;
use std::str::FromStr;

// Everything this module borrows from the rest of the crate, in one place: when modules move
// (`matchers` becomes `matching`), only these lines change.
use crate::finding::Severity;
use crate::matchers::image::{ImageClass, classify, looks_like_image};

pub use families::{PlanRule, rules};

/// The largest plan document [`read`] accepts: 512 MiB (a plan of tens of thousands of resources
/// is far below this). Larger input is refused rather than parsed in unbounded time and memory.
pub const MAX_PLAN_BYTES: usize = 512 * 1024 * 1024;

/// Which tool wrote a plan document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanKind {
    /// `terraform show -json PLANFILE` or `tofu show -json PLANFILE` (the same format).
    Terraform,
    /// `aws cloudformation describe-change-set` output, or a JSON array of several of them.
    CloudFormation,
}

impl PlanKind {
    /// The name used on the command line (`--plan terraform=FILE`).
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Terraform => "terraform",
            PlanKind::CloudFormation => "cloudformation",
        }
    }
}

impl fmt::Display for PlanKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PlanKind {
    type Err = PlanError;

    fn from_str(s: &str) -> Result<Self, PlanError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "terraform" | "opentofu" | "tofu" => Ok(PlanKind::Terraform),
            "cloudformation" | "cfn" => Ok(PlanKind::CloudFormation),
            other => Err(PlanError::new(
                format!("unknown plan kind '{other}'"),
                "write --plan terraform=FILE (Terraform or OpenTofu) or --plan cloudformation=FILE",
            )),
        }
    }
}

/// Splits a `--plan KIND=FILE` argument into its kind and file.
pub fn parse_plan_arg(arg: &str) -> Result<(PlanKind, &str), PlanError> {
    match arg.split_once('=') {
        Some((kind, file)) if !file.is_empty() => Ok((kind.parse()?, file)),
        _ => Err(PlanError::new(
            format!("--plan '{arg}' is not KIND=FILE"),
            "write --plan terraform=plan.json or --plan cloudformation=changeset.json",
        )),
    }
}

/// A plan document could not be read: what is wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    what: String,
    cure: String,
}

impl PlanError {
    fn new(what: impl Into<String>, cure: impl Into<String>) -> Self {
        PlanError {
            what: what.into(),
            cure: cure.into(),
        }
    }

    /// One line: what is wrong with the document.
    pub fn what(&self) -> &str {
        &self.what
    }

    /// One line: what to do about it.
    pub fn cure(&self) -> &str {
        &self.cure
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for PlanError {}

/// A validated plan, ready to [`judge`]. Several documents of one kind can be [`merged`](Plan::merge)
/// (a root change set and its nested ones given as separate files).
#[derive(Debug, Clone)]
pub struct Plan {
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Terraform(terraform::TerraformPlan),
    CloudFormation(cloudformation::ChangeSets),
}

impl Plan {
    /// Which tool wrote it.
    pub fn kind(&self) -> PlanKind {
        match &self.body {
            Body::Terraform(_) => PlanKind::Terraform,
            Body::CloudFormation(_) => PlanKind::CloudFormation,
        }
    }

    /// How many resource changes it lists (every change set counted, for CloudFormation).
    pub fn resource_count(&self) -> usize {
        match &self.body {
            Body::Terraform(plan) => plan.len(),
            Body::CloudFormation(sets) => sets.len(),
        }
    }

    /// Adds another document of the same kind, so nested change sets given as separate files
    /// are linked to their parents. Terraform plans are simply judged together.
    pub fn merge(&mut self, other: Plan) -> Result<(), PlanError> {
        match (&mut self.body, other.body) {
            (Body::Terraform(a), Body::Terraform(b)) => a.extend(b),
            (Body::CloudFormation(a), Body::CloudFormation(b)) => a.extend(b),
            _ => {
                return Err(PlanError::new(
                    "cannot combine a Terraform plan with a CloudFormation change set",
                    "give each as its own --plan KIND=FILE; they are judged separately",
                ));
            }
        }
        Ok(())
    }
}

/// Parses and validates one plan document of `kind`. Never panics; a document that is not what
/// `kind` says (not JSON, the wrong tool's output, an unsupported format version, a change set
/// still being created or only one page of one) is an error saying what to run instead.
pub fn read(kind: PlanKind, text: impl AsRef<[u8]>) -> Result<Plan, PlanError> {
    let value = input::parse(kind, text.as_ref())?;
    let body = match kind {
        PlanKind::Terraform => Body::Terraform(terraform::TerraformPlan::from_json(value)?),
        PlanKind::CloudFormation => {
            Body::CloudFormation(cloudformation::ChangeSets::from_json(value)?)
        }
    };
    Ok(Plan { body })
}

/// What the caller knows beyond the plan: the head revision's templates. CloudFormation change
/// sets carry property values only with `--include-property-values`; without them this hook
/// still lets a finding name the image a service or task definition will run.
pub trait PlanContext {
    /// The image the resource at `logical_id` will run, as the head revision's template says
    /// (for a service, the image of the task definition it references). For a nested stack the
    /// id is the path of logical ids from the root, joined by `/` (`AppStack/Service`).
    fn image_for(&self, logical_id: &str) -> Option<String> {
        let _ = logical_id;
        None
    }
}

/// A context that knows nothing beyond the plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoContext;

impl PlanContext for NoContext {}

impl<F: Fn(&str) -> Option<String>> PlanContext for F {
    fn image_for(&self, logical_id: &str) -> Option<String> {
        self(logical_id)
    }
}

/// What the plan will do to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanAction {
    /// Destroyed, with nothing in its place.
    Delete,
    /// Destroyed and created again (a new identity: a new id, hostname or empty store).
    Replace,
    /// Created.
    Create,
    /// Changed in place.
    Update,
}

impl PlanAction {
    /// The lower-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanAction::Delete => "delete",
            PlanAction::Replace => "replace",
            PlanAction::Create => "create",
            PlanAction::Update => "update",
        }
    }
}

/// One decision about one resource in a plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanFinding {
    /// The rule id, `category/name` (see [`rules`]).
    pub rule: &'static str,
    /// The rule's default severity.
    pub severity: Severity,
    /// Where the resource is: a Terraform address (`module.web.aws_lb.public`), or a
    /// CloudFormation logical id, prefixed by its parent stacks' ids for nested change sets
    /// (`AppStack/PublicLb`).
    pub address: String,
    /// The resource type (`aws_lb`, `AWS::ElasticLoadBalancingV2::LoadBalancer`).
    pub resource_type: String,
    /// What the plan does to it.
    pub action: PlanAction,
    /// What will happen and what to do, in plain words.
    pub message: String,
    /// Supporting facts, one per line: the attributes forcing a replacement, the images found.
    pub detail: Vec<String>,
}

impl PlanFinding {
    /// The address followed by the type, for human output: `PublicLb (AWS::…::LoadBalancer)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.address, self.resource_type)
    }
}

/// Judges a plan: one finding per resource and decision, in the plan's order.
pub fn judge(plan: &Plan, ctx: &dyn PlanContext) -> Vec<PlanFinding> {
    match &plan.body {
        Body::Terraform(plan) => plan.judge(),
        Body::CloudFormation(sets) => sets.judge(ctx),
    }
}
