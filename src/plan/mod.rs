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

#[cfg(test)]
mod tests {
    use super::*;

    /// A Terraform plan of one resource change.
    fn terraform(
        resource_type: &str,
        actions: &[&str],
        before: &str,
        after: &str,
    ) -> Vec<PlanFinding> {
        let doc = format!(
            r#"{{"format_version":"1.2","resource_changes":[{{"address":"{resource_type}.x","mode":"managed","type":"{resource_type}","name":"x",
               "change":{{"actions":{actions:?},"before":{before},"after":{after},"after_unknown":{{}}}}}}]}}"#
        );
        judge(&read(PlanKind::Terraform, doc).unwrap(), &NoContext)
    }

    /// A change set of one resource change.
    fn change_set(resource_type: &str, action: &str, replacement: &str) -> Vec<PlanFinding> {
        let doc = format!(
            r#"{{"ChangeSetName":"c","StackName":"s","Status":"CREATE_COMPLETE","Changes":[{{"Type":"Resource","ResourceChange":
               {{"Action":"{action}","LogicalResourceId":"X","ResourceType":"{resource_type}","Replacement":"{replacement}","Details":[]}}}}]}}"#
        );
        judge(&read(PlanKind::CloudFormation, doc).unwrap(), &NoContext)
    }

    fn rules_of(findings: &[PlanFinding]) -> Vec<(&'static str, Severity)> {
        findings.iter().map(|f| (f.rule, f.severity)).collect()
    }

    /// Each line: a resource type, its actions, and the rule expected (`-` for none).
    const TERRAFORM_CASES: &str = "
        aws_route53_record delete infra/plan-deletes-dns-record
        google_dns_managed_zone delete,create infra/plan-replaces-dns-record
        aws_cloudfront_distribution delete infra/plan-deletes-cdn-distribution
        fastly_service_vcl create,delete infra/plan-replaces-cdn-distribution
        kubernetes_deployment_v1 delete infra/plan-deletes-service
        azurerm_lb delete,create infra/plan-replaces-load-balancer
        aws_iam_role delete -
        aws_ecs_task_definition delete,create -";

    /// Each line: a resource type, its action, its `Replacement`, and the rule expected.
    const CHANGE_SET_CASES: &str = "
        AWS::CloudFront::Distribution Modify True infra/plan-replaces-cdn-distribution
        AWS::Route53::RecordSetGroup Remove - infra/plan-deletes-dns-record
        AWS::ECS::Service Remove - infra/plan-deletes-service
        AWS::CloudFormation::Stack Remove - infra/plan-deletes-nested-stack
        AWS::S3::Bucket Modify False -
        AWS::S3::Bucket Add - -
        AWS::S3::Bucket Import - -
        AWS::S3::Bucket Dynamic - -";

    fn cases(table: &str) -> impl Iterator<Item = Vec<&str>> {
        table
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
            .filter(|fields| !fields.is_empty())
    }

    fn rule_ids(findings: &[PlanFinding]) -> String {
        let ids: Vec<&str> = findings.iter().map(|f| f.rule).collect();
        if ids.is_empty() {
            "-".into()
        } else {
            ids.join(" ")
        }
    }

    #[test]
    fn each_family_has_its_rule_for_deletion_and_replacement() {
        for case in cases(TERRAFORM_CASES) {
            let actions: Vec<&str> = case[1].split(',').collect();
            let found = terraform(case[0], &actions, "{}", "{}");
            assert_eq!(rule_ids(&found), case[2], "{case:?}");
        }
        // In place, added, imported, or left to CloudFormation to decide at deploy time: quiet.
        for case in cases(CHANGE_SET_CASES) {
            let found = change_set(case[0], case[1], case[2]);
            assert_eq!(rule_ids(&found), case[3], "{case:?}");
        }
    }

    #[test]
    fn future_action_lists_containing_delete_still_delete() {
        let findings = terraform("aws_lb", &["delete", "forget"], "{}", "null");
        assert_eq!(
            rules_of(&findings),
            [("infra/plan-deletes-load-balancer", Severity::Error)]
        );
        assert_eq!(terraform("aws_lb", &["forget"], "{}", "null"), []);
        assert_eq!(terraform("aws_lb", &["read"], "{}", "{}"), []);
    }

    #[test]
    fn channel_and_environment_tags_are_warnings_and_pins_are_quiet() {
        let image = |before: &str, after: &str| {
            rules_of(&terraform(
                "aws_lambda_function",
                &["update"],
                &format!(r#"{{"image_uri":"{before}"}}"#),
                &format!(r#"{{"image_uri":"{after}"}}"#),
            ))
        };
        assert_eq!(
            image("a/b:latest", "a/b:stable"),
            [("image/plan-floating-tag", Severity::Warning)]
        );
        assert_eq!(
            image("a/b:latest", "a/b:qa"),
            [("image/plan-env-tag", Severity::Warning)]
        );
        assert_eq!(
            image("a/b@sha256:00", "a/b:main"),
            [("image/plan-pinned-to-mutable", Severity::Error)]
        );
        assert_eq!(image("a/b:1.2", "a/b:1.3"), []);
        assert_eq!(image("a/b:1.2", "a/b@sha256:0123"), []);
        assert_eq!(image("a/b:1.2", "${var.image}"), []);
        assert_eq!(image("a/b:latest", "a/b:latest"), []);
    }

    #[test]
    fn an_image_key_outside_a_container_is_not_an_image() {
        // A compute instance's boot image and a config map's data are not container images.
        let after = r#"{"boot_disk":[{"initialize_params":[{"image":"debian-cloud/debian-12"}]}],"data":{"image":"nginx"}}"#;
        assert_eq!(
            terraform("google_compute_instance", &["create"], "null", after),
            []
        );
    }

    #[test]
    fn match_all_origins_are_recognised() {
        for origin in [
            "*",
            " * ",
            ".*",
            "^.*$",
            "https://*",
            "http://*",
            "^https?://.*$",
            "(.*)",
            "*://*",
        ] {
            assert!(scan::admits_every_origin(origin), "{origin}");
        }
        for origin in [
            "https://*.example.com",
            "https://example.com",
            "null",
            "",
            "^https://app\\.example\\.com$",
        ] {
            assert!(!scan::admits_every_origin(origin), "{origin}");
        }
    }

    #[test]
    fn a_record_aliasing_a_dualstack_name_still_points_at_the_load_balancer() {
        let doc = r#"{"format_version":"1.2","resource_changes":[
          {"address":"aws_lb.a","type":"aws_lb","change":{"actions":["delete"],"before":{"dns_name":"A-1.us-east-1.elb.amazonaws.com"},"after":null}},
          {"address":"aws_route53_record.a","type":"aws_route53_record","change":{"actions":["no-op"],
            "before":{"alias":[{"name":"dualstack.a-1.us-east-1.elb.amazonaws.com."}]},"after":{"alias":[{"name":"dualstack.a-1.us-east-1.elb.amazonaws.com."}]}}}]}"#;
        let findings = judge(&read(PlanKind::Terraform, doc).unwrap(), &NoContext);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].detail,
            ["still points at it: aws_route53_record.a"]
        );
    }

    #[test]
    fn plan_kinds_parse_and_display() {
        assert_eq!("OpenTofu".parse::<PlanKind>().unwrap(), PlanKind::Terraform);
        assert_eq!(
            "CFN".parse::<PlanKind>().unwrap().to_string(),
            "cloudformation"
        );
        let err = "helm".parse::<PlanKind>().unwrap_err();
        assert_eq!(err.to_string(), "unknown plan kind 'helm'");
    }
}
