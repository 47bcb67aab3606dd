//! `check --plan`: plans judged end to end through the binary, on real repositories: the seed
//! 001 replay (a load balancer deleted while DNS still points at it) and the seed 002 replay
//! (a service recreated with its image reset to `latest`, named from the head template), plan-
//! only runs, the rule set's grading (overrides, `disable`, waivers, labels, `--fail-on`),
//! plans that cannot be read, and every report format.

use crate::common::{Repo, Run, expect_fields, redact};
use serde_json::Value;
use serde_json::json;
use std::path::PathBuf;

/// A plan document of `tests/plans/`.
fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/plans")
        .join(name)
        .display()
        .to_string()
}

/// The findings of a JSON report that a plan yielded, as `rule address`.
fn plan_findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["origin"] == "plan")
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["address"].as_str().unwrap()
            )
        })
        .collect()
}

/// The one finding of `rule` in a JSON report.
fn finding<'r>(report: &'r Value, rule: &str) -> &'r Value {
    let found: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect();
    assert_eq!(found.len(), 1, "one {rule}: {report:#}");
    found[0]
}

/// The seed 001 stack: the target group and the DNS record aliasing the load balancer's
/// hostname, with the load balancer itself when `with_lb` (the change removes it, and the record
/// keeps its hostname as a literal).
fn seed_001_stack(with_lb: bool) -> String {
    let (lb, alias) = if with_lb {
        (
            "resource \"aws_lb\" \"pizza\" {\n  name = \"pizza-service\"\n}\n\n",
            "aws_lb.pizza.dns_name",
        )
    } else {
        (
            "",
            "\"pizza-service-1234567890.us-east-1.elb.amazonaws.com\"",
        )
    };
    format!(
        "{lb}resource \"aws_lb_target_group\" \"pizza\" {{\n  port = 80\n}}\n\nresource \"aws_route53_record\" \"pizza\" {{\n  name = \"pizza-service.example.com\"\n  alias {{\n    name = {alias}\n  }}\n}}\n"
    )
}

/// main with the seed 001 stack, branch `change` removing the load balancer.
fn seed_001_repo() -> Repo {
    let repo = Repo::with_files(&[("infra/main.tf", &seed_001_stack(true))]);
    repo.branch("change");
    repo.commit_file("infra/main.tf", &seed_001_stack(false));
    repo
}

#[test]
fn seed_001_a_deleted_load_balancer_that_dns_still_points_at_blocks_through_the_plan() {
    let repo = seed_001_repo();
    for kind in ["terraform", "tofu"] {
        let plan = fixture(if kind == "tofu" {
            "tofu-seed-001-lb-deleted.json"
        } else {
            "tf-seed-001-lb-deleted.json"
        });
        let (run, report) =
            repo.check_json(&["--base", "main", "--plan", &format!("{kind}={plan}")]);
        run.expect_code(1);
        let f = finding(&report, "infra/plan-deletes-load-balancer");
        // The block is gone from the head: the finding stays on the plan file, as given.
        expect_fields(
            f,
            json!({
                "severity": "error", "origin": "plan", "address": "aws_lb.pizza",
                "resource_type": "aws_lb", "action": "delete", "path": plan, "plan": plan,
                "line": null, "detail": ["still points at it: aws_route53_record.pizza"],
            }),
        );
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains("no longer in the configuration")
                && message.contains("`aws_route53_record.pizza` still points at it"),
            "{message}"
        );
        assert_eq!(report["plans"][0]["kind"], "terraform");
        // The source rule sees the block go too; the plan adds what the diff cannot show.
        assert!(
            crate::common::rules_fired(&report)
                .contains(&"infra/terraform-load-balancer-removed".to_string())
        );
    }
}

#[test]
fn seed_001_through_a_cloudformation_change_set() {
    let repo = Repo::with_files(&[("README.md", "stack\n")]);
    let plan = fixture("cfn-seed-001-alb-removed.json");
    let (run, report) = repo.check_plans(&[&format!("cfn={plan}")]);
    run.expect_code(1);
    let f = finding(&report, "infra/plan-deletes-load-balancer");
    assert_eq!(
        f["resource_type"],
        "AWS::ElasticLoadBalancingV2::LoadBalancer"
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("no longer in the template"),
        "{f:#}"
    );
}

/// The seed 002 stack: a service running the task definition whose image is `latest` (the
/// pipeline pinned the running one outside the template). The change edits the launch type,
/// which CloudFormation can only apply by recreating the service.
fn seed_002_template(launch_type: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SyncerTask:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: syncer
          Image: !Sub "${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com/syncer:latest"
  SyncerService:
    Type: AWS::ECS::Service
    Properties:
      LaunchType: {launch_type}
      TaskDefinition: !Ref SyncerTask
"#
    )
}

#[test]
fn seed_002_a_recreated_service_names_the_mutable_image_from_the_head_template() {
    let repo = Repo::with_files(&[("stack/syncer.yaml", &seed_002_template("EC2"))]);
    repo.branch("change");
    repo.commit_file("stack/syncer.yaml", &seed_002_template("FARGATE"));
    // A change set described without --include-property-values: no image in it.
    let plan = format!(
        "cloudformation={}",
        fixture("cfn-seed-002-no-property-values.json")
    );
    let (run, report) = repo.check_json(&["--base", "main", "--plan", &plan]);
    run.expect_code(1);
    let f = finding(&report, "image/plan-latest-tag");
    // Traced to the template that declares the service, at its logical id.
    expect_fields(
        f,
        json!({
            "severity": "error", "address": "SyncerService", "action": "replace",
            "path": "stack/syncer.yaml", "line": 9,
        }),
    );
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("will replace service `SyncerService`")
            && message.contains("syncer:latest"),
        "{message}"
    );
    let replaced = finding(&report, "infra/plan-replaces-service");
    let detail = replaced["detail"].to_string();
    assert!(
        detail.contains("LaunchType: recreation Always") && detail.contains("syncer:latest"),
        "{detail}"
    );

    // Without a template that names the image, the replacement alone is a warning.
    let bare = Repo::with_files(&[("README.md", "x\n")]);
    let (run, report) = bare.check_plans(&[&plan]);
    run.expect_code(0);
    assert_eq!(
        plan_findings(&report),
        ["infra/plan-replaces-service SyncerService"]
    );
}

#[test]
fn a_plan_only_run_judges_the_plan_and_says_which() {
    let repo = Repo::with_files(&[("README.md", "x\n")]);
    let plan = format!("terraform={}", fixture("tf-seed-001-lb-deleted.json"));
    let run = repo.check(&["--base", "HEAD", "--head", "HEAD", "--plan", &plan]);
    run.expect_code(1);
    assert!(!run.stdout.contains("nothing to judge"), "{run:#?}");
    run.expect_stdout("blocked: 1 error")
        .expect_stdout("plans judged: ")
        .expect_stdout("(terraform, 3 resource changes)")
        .expect_stdout("infra/plan-deletes-load-balancer")
        .expect_stdout("resource: aws_lb.pizza (aws_lb), delete");
}

#[test]
fn plan_findings_are_graded_waived_and_acknowledged_like_any_other() {
    let plan = format!("terraform={}", fixture("tf-seed-001-lb-deleted.json"));
    let only_plans = ["--base", "HEAD", "--head", "HEAD", "--plan", plan.as_str()];
    let with_config = |config: &str| {
        let repo = Repo::with_files(&[(".deploy-guard.toml", config)]);
        let (run, report) = repo.check_json(&only_plans);
        (run, report)
    };
    // Re-graded: a warning, which fails only under --fail-on warning.
    let regraded = "[rules.\"infra/plan-deletes-load-balancer\"]\nseverity = \"warning\"\n";
    let (run, report) = with_config(regraded);
    run.expect_code(0);
    assert_eq!(
        finding(&report, "infra/plan-deletes-load-balancer")["severity"],
        "warning"
    );
    let repo = Repo::with_files(&[(".deploy-guard.toml", regraded)]);
    let mut warn = only_plans.to_vec();
    warn.extend(["--fail-on", "warning"]);
    repo.check(&warn).expect_code(1);
    // Disabled: gone.
    let (run, report) = with_config("disable = [\"infra/plan-*\"]\n");
    run.expect_code(0);
    assert!(plan_findings(&report).is_empty(), "{report:#}");
    // Waived by the resource address, with the reason in the report.
    let waiver = "[[waiver]]\nrule = \"infra/plan-*\"\npaths = [\"aws_lb.pizza\"]\nreason = \"moving to the new ALB\"\nexpires = \"2999-01-01\"\n";
    let (run, report) = with_config(waiver);
    run.expect_code(0);
    let f = finding(&report, "infra/plan-deletes-load-balancer");
    assert!(
        f["suppressed"]
            .as_str()
            .unwrap()
            .contains("moving to the new ALB"),
        "{f:#}"
    );
    // A waiver for other resources leaves it alone.
    let (run, _) = with_config(&waiver.replace("aws_lb.pizza", "aws_lb.other"));
    run.expect_code(1);
    // Acknowledged by a pull-request label: the event names the range.
    let repo = seed_001_repo();
    let event = repo.path().join("event.json");
    std::fs::write(
        &event,
        format!(
            r#"{{"pull_request":{{"number":1,"labels":[{{"name":"deploy-guard/ack:infra"}}],"base":{{"ref":"main","sha":"{}"}},"head":{{"ref":"change","sha":"{}"}}}}}}"#,
            repo.rev("main"),
            repo.rev("change")
        ),
    )
    .unwrap();
    let run = repo.run_with_env(
        &["check", "--format", "json", "--plan", &plan],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ],
    );
    let report = run.json();
    let f = finding(&report, "infra/plan-deletes-load-balancer");
    assert_eq!(
        f["suppressed"], "acknowledged by pull request label 'deploy-guard/ack:infra'",
        "{run:#?}"
    );
}

#[test]
fn a_comment_beside_the_declaration_does_not_excuse_a_plan_finding() {
    let template = seed_002_template("FARGATE").replace(
        "  SyncerService:\n",
        "  # deploy-guard: allow image/* -- pinned by the pipeline\n  SyncerService:\n",
    );
    let repo = Repo::with_files(&[("stack/syncer.yaml", &seed_002_template("EC2"))]);
    repo.branch("change");
    repo.commit_file("stack/syncer.yaml", &template);
    let plan = format!("cfn={}", fixture("cfn-seed-002-no-property-values.json"));
    let (run, report) = repo.check_json(&["--base", "main", "--plan", &plan]);
    run.expect_code(1);
    assert_eq!(
        finding(&report, "image/plan-latest-tag")["suppressed"],
        Value::Null
    );
}

#[test]
fn a_plan_that_cannot_be_read_stops_the_gate_with_what_to_do() {
    let repo = Repo::with_files(&[("README.md", "x\n")]);
    repo.write("tfplan", b"PK\x03\x04binary plan");
    repo.write("state.json", r#"{"format_version":"1.0","values":{}}"#);
    let cases = [
        (
            "terraform=missing.json",
            "cannot read the terraform plan missing.json",
        ),
        (
            "terraform=tfplan",
            "tfplan: this is a binary Terraform plan file",
        ),
        (
            "terraform=state.json",
            "state.json: this is Terraform state, not a plan",
        ),
        ("helm=chart.yaml", "unknown plan kind 'helm'"),
        ("terraform", "--plan 'terraform' is not KIND=FILE"),
    ];
    for (arg, cause) in cases {
        repo.check(&["--base", "HEAD", "--head", "HEAD", "--plan", arg])
            .expect_refusal(cause);
    }
    let wrong = format!("terraform={}", fixture("cfn-seed-001-alb-removed.json"));
    repo.check(&["--base", "HEAD", "--head", "HEAD", "--plan", &wrong])
        .expect_refusal("")
        .expect_stderr("this is a CloudFormation change set, not a Terraform plan")
        .expect_stderr("help: pass it as --plan cloudformation=FILE");
}

#[test]
fn every_report_format_shows_a_plan_finding_with_its_resource() {
    let repo = seed_001_repo();
    std::fs::copy(
        fixture("tf-seed-001-lb-deleted.json"),
        repo.path().join("plan.json"),
    )
    .unwrap();
    // Only the plan's rules, so new source rules do not churn the snapshot.
    repo.write(
        "gate.toml",
        "disable = [\"[!i]*\", \"i[!n]*\", \"infra/[!p]*\"]\n",
    );
    let mut outputs = String::new();
    for format in [
        "human", "json", "github", "sarif", "gitlab", "junit", "markdown",
    ] {
        let run = Run::strict(repo.cmd().args([
            "check",
            "--base",
            "main",
            "--config",
            "gate.toml",
            "--plan",
            "terraform=plan.json",
            "--format",
            format,
        ]));
        run.expect_code(1);
        if format == "sarif" {
            crate::reports::assert_valid_sarif(&run.stdout);
        }
        outputs.push_str(&format!("==== {format}\n{}\n", run.stdout));
    }
    let ids = [(repo.rev("main"), "[BASE]"), (repo.rev("change"), "[HEAD]")];
    let short: Vec<(String, &str)> = ids
        .iter()
        .map(|(id, name)| (id[..12].to_string(), *name))
        .collect();
    let mut pairs: Vec<(&str, &str)> = ids.iter().map(|(id, n)| (id.as_str(), *n)).collect();
    pairs.extend(short.iter().map(|(id, n)| (id.as_str(), *n)));
    let text = redact(&outputs, &pairs);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("plan_reports", text));
}
