//! A plan document read and validated ([`read`]), merged with others of its kind, and judged
//! ([`judge`]) by the reader of the tool that wrote it.

use super::cloudformation::ChangeSets;
use super::input;
use super::model::{PlanContext, PlanError, PlanFinding, PlanKind};
use super::terraform::TerraformPlan;

/// A validated plan, ready to [`judge`]. Several documents of one kind can be [`merged`](Plan::merge)
/// (a root change set and its nested ones given as separate files).
#[derive(Debug, Clone)]
pub struct Plan {
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Terraform(TerraformPlan),
    CloudFormation(ChangeSets),
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
        PlanKind::Terraform => Body::Terraform(TerraformPlan::from_json(value)?),
        PlanKind::CloudFormation => Body::CloudFormation(ChangeSets::from_json(value)?),
    };
    Ok(Plan { body })
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
    use super::super::model::NoContext;
    use super::super::scan;
    use super::*;
    use crate::finding::Severity;

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
