//! The plan layer's shared vocabulary: which tool wrote a plan ([`PlanKind`]), what it will do
//! to a resource ([`PlanAction`]), the decisions judging makes ([`PlanFinding`]), what the caller
//! knows beyond the plan ([`PlanContext`]), and the errors of a plan that cannot be read.

use crate::finding::Severity;
use std::fmt;
use std::str::FromStr;

/// The largest plan document [`read`](super::read) accepts: 512 MiB (a plan of tens of thousands of resources
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
    /// How to produce the document this kind of plan is read from, as a one-line cure.
    pub fn recipe(self) -> &'static str {
        match self {
            PlanKind::Terraform => {
                "produce it with `terraform plan -out=tfplan && terraform show -json tfplan > plan.json` (OpenTofu: `tofu show -json tfplan`)"
            }
            PlanKind::CloudFormation => {
                "produce it with `aws cloudformation describe-change-set --stack-name STACK --change-set-name NAME --include-property-values --output json > changeset.json`"
            }
        }
    }

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
    pub(super) fn new(what: impl Into<String>, cure: impl Into<String>) -> Self {
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
    /// Which of the documents judged together the resource change is listed in: 0 for the
    /// first [`read`](super::read), then in [`merge`](super::Plan::merge) order.
    pub document: usize,
}

impl PlanFinding {
    /// The address followed by the type, for human output: `PublicLb (AWS::…::LoadBalancer)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.address, self.resource_type)
    }
}
