//! Plans judged end to end from documents written to the published formats (`tests/plans/`):
//! the seed 001 and seed 002 replays through Terraform, OpenTofu and CloudFormation, the changes
//! that must stay quiet, nested change sets, malformed input, and a 5,000-resource plan.

#[path = "common/mod.rs"]
mod common;

use deploy_guard::plan::{self, NoContext, Plan, PlanContext, PlanFinding, PlanKind, read};
use std::path::Path;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/plans")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn kind_of(name: &str) -> PlanKind {
    if name.starts_with("cfn-") {
        PlanKind::CloudFormation
    } else {
        PlanKind::Terraform
    }
}

fn load(name: &str) -> Plan {
    read(kind_of(name), fixture(name)).unwrap_or_else(|e| panic!("{name}: {e} ({})", e.cure()))
}

fn judge_with(name: &str, ctx: &dyn PlanContext) -> Vec<PlanFinding> {
    let findings = plan::judge(&load(name), ctx);
    for f in &findings {
        eprintln!(
            "{name}: {} {:?} {} [{}]\n  {}\n  {:?}",
            f.rule,
            f.severity,
            f.address,
            f.action.as_str(),
            f.message,
            f.detail
        );
    }
    findings
}

fn judge(name: &str) -> Vec<PlanFinding> {
    judge_with(name, &NoContext)
}

/// `(rule, address)` of every finding, in order.
fn fired(findings: &[PlanFinding]) -> Vec<(&'static str, &str)> {
    findings
        .iter()
        .map(|f| (f.rule, f.address.as_str()))
        .collect()
}

/// Asserts that `text` contains `part`, showing `text` when it does not.
#[track_caller]
fn says(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in {text:?}");
}

/// Asserts that `text` starts with `part`, showing `text` when it does not.
#[track_caller]
fn begins(text: &str, part: &str) {
    assert!(
        text.starts_with(part),
        "{text:?} does not start with {part:?}"
    );
}

fn all_fixtures() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plans");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// Every fixture and what it must give without context: `rule address severity action`, one
/// finding a line, in order; a fixture with no lines must stay quiet.
const EXPECTED: &str = r#"
cfn-cors-wildcard-added.json
    cors/plan-wildcard-origin AssetsBucket error update
cfn-lb-name-forces-replacement.json
    infra/plan-replaces-load-balancer PublicLoadBalancer error replace
    infra/plan-replaces-datastore OrdersDatabase error replace
cfn-nested-app-stack.json
    infra/plan-deletes-load-balancer PublicLoadBalancer error delete
cfn-nested-change-sets.json
    guard/plan-nested-change-set-missing NetworkStack warning update
    infra/plan-deletes-load-balancer AppStack/PublicLoadBalancer error delete
cfn-nested-root.json
    guard/plan-nested-change-set-missing AppStack warning update
    guard/plan-nested-change-set-missing NetworkStack warning update
cfn-seed-001-alb-removed.json
    infra/plan-deletes-load-balancer PizzaServiceLoadBalancer error delete
    infra/plan-removes-load-balancer-part PizzaServiceListener warning delete
    infra/plan-removes-load-balancer-part PizzaServiceTargetGroup warning delete
cfn-seed-002-no-property-values.json
    infra/plan-replaces-service SyncerService warning replace
cfn-seed-002-with-property-values.json
    image/plan-pinned-to-mutable SyncerTask error replace
    infra/plan-replaces-service SyncerService warning replace
cfn-task-definition-revision.json
cfn-update-in-place-tags.json
tf-cors-wildcard-added.json
    cors/plan-wildcard-origin aws_s3_bucket_cors_configuration.assets error update
    cors/plan-wildcard-origin aws_apigatewayv2_api.orders error create
tf-datastores.json
    infra/plan-replaces-datastore aws_db_instance.orders error replace
    infra/plan-deletes-datastore aws_s3_bucket.logs[2] error delete
    infra/plan-replaces-datastore aws_dynamodb_table.carts error replace
    infra/plan-replaces-datastore aws_elasticache_replication_group.sessions error replace
    infra/plan-replaces-service aws_ecs_service.syncer warning replace
tf-images-in-other-resources.json
    image/plan-latest-tag kubernetes_deployment_v1.web error create
    image/plan-pinned-to-mutable helm_release.api error update
    image/plan-pinned-to-mutable aws_lambda_function.resize error update
    image/plan-latest-tag aws_ecs_task_definition.secret error create
tf-lb-create-before-destroy.json
    infra/plan-replaces-load-balancer aws_lb.api["blue"] error replace
tf-lb-name-forces-replacement.json
    infra/plan-replaces-load-balancer module.web.aws_lb.public error replace
    infra/plan-removes-load-balancer-part module.web.aws_lb_listener.https warning replace
tf-seed-001-lb-deleted.json
    infra/plan-deletes-load-balancer aws_lb.pizza error delete
tf-seed-002-image-reset-to-latest.json
    image/plan-pinned-to-mutable aws_ecs_task_definition.syncer error replace
tf-task-definition-revision.json
tf-update-in-place-tags.json
tofu-seed-001-lb-deleted.json
    infra/plan-deletes-load-balancer aws_lb.pizza error delete
"#;

/// A finding as a line of [`EXPECTED`].
fn line(f: &PlanFinding) -> String {
    let severity = f.severity.as_str();
    format!("{} {} {severity} {}", f.rule, f.address, f.action.as_str())
}

#[test]
fn every_fixture_gives_exactly_its_findings() {
    let mut expected: Vec<(&str, Vec<&str>)> = Vec::new();
    for text in EXPECTED.lines().filter(|l| !l.trim().is_empty()) {
        match (text.starts_with(' '), expected.last_mut()) {
            (true, Some((_, lines))) => lines.push(text.trim()),
            _ => expected.push((text.trim(), Vec::new())),
        }
    }
    let listed: Vec<&str> = expected.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        listed,
        all_fixtures(),
        "EXPECTED lists every fixture, in order"
    );
    for (name, want) in expected {
        let got: Vec<String> = judge(name).iter().map(line).collect();
        assert_eq!(got, want, "{name}");
    }
}

// ------------------------------------------------------------------ seed 001: a load balancer vanishes

#[test]
fn seed_001_terraform_names_the_record_that_still_points_at_the_deleted_lb() {
    let f = &judge("tf-seed-001-lb-deleted.json")[0];
    assert_eq!(f.resource_type, "aws_lb");
    begins(
        &f.message,
        "Terraform will delete load balancer `aws_lb.pizza` (it is no longer in the configuration), \
         and `aws_route53_record.pizza` still points at it",
    );
    assert_eq!(f.detail, ["still points at it: aws_route53_record.pizza"]);
}

#[test]
fn opentofu_plans_are_read_the_same_and_named_for_opentofu() {
    let tofu = judge("tofu-seed-001-lb-deleted.json");
    let terraform = judge("tf-seed-001-lb-deleted.json");
    begins(&tofu[0].message, "OpenTofu will delete load balancer");
    assert_eq!(tofu[0].detail, terraform[0].detail);
}

#[test]
fn a_name_change_replacing_a_load_balancer_names_the_attribute_and_the_order() {
    let lb = &judge("tf-lb-name-forces-replacement.json")[0];
    says(
        &lb.message,
        "(`name` forces replacement; the old one is destroyed before the new one exists)",
    );
    says(&lb.message, "Check that nothing outside this plan");
    assert_eq!(lb.detail, [r#"name: "pizza-service" → "pizza-service-v2""#]);
}

#[test]
fn create_before_destroy_still_gives_the_load_balancer_a_new_hostname() {
    let message = &judge("tf-lb-create-before-destroy.json")[0].message;
    says(
        message,
        "create_before_destroy: the new one is created first",
    );
    says(message, "still points at the old one");
}

#[test]
fn seed_001_cloudformation_names_the_stack_and_the_removed_alb() {
    let lb = &judge("cfn-seed-001-alb-removed.json")[0];
    let label = "PizzaServiceLoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer)";
    assert_eq!(lb.label(), label);
    begins(
        &lb.message,
        "CloudFormation will delete load balancer `PizzaServiceLoadBalancer` in stack \
         `pizza-service` (it is no longer in the template)",
    );
}

#[test]
fn cloudformation_replacements_name_the_properties_that_cause_them() {
    let findings = judge("cfn-lb-name-forces-replacement.json");
    let lb = &findings[0].message;
    says(lb, "(`Name`, edited in the template, forces replacement)");
    // IdleTimeout changes too, but replaces nothing: not named as a cause.
    assert!(!lb.contains("IdleTimeout"));
    // `Replacement: Conditional`: said as a possibility, judged as seriously.
    let db = &findings[1].message;
    begins(db, "CloudFormation may replace datastore `OrdersDatabase`");
    says(db, "following `OrdersSubnetGroup`");
}

// ------------------------------------------------------------------ seed 002: an image reset to latest

#[test]
fn seed_002_terraform_names_the_pinned_tag_and_latest() {
    let f = &judge("tf-seed-002-image-reset-to-latest.json")[0];
    says(
        &f.message,
        "syncer-controller:latest`, replacing the pinned \
         `123456789012.dkr.ecr.us-east-1.amazonaws.com/syncer-controller:ag5123s`",
    );
    assert_eq!(f.detail.len(), 1);
    begins(&f.detail[0], "container_definitions[syncer].image: ");
}

#[test]
fn seed_002_cloudformation_with_property_values_names_both_images() {
    let message = &judge("cfn-seed-002-with-property-values.json")[0].message;
    says(message, "syncer-controller:latest`, replacing the pinned");
    says(message, "syncer-controller:ag5123s`");
}

/// The lead feeds this from the head revision's templates.
fn head_template(logical_id: &str) -> Option<String> {
    (logical_id == "SyncerService")
        .then(|| "123456789012.dkr.ecr.us-east-1.amazonaws.com/syncer-controller:latest".into())
}

#[test]
fn seed_002_cloudformation_without_property_values_names_the_image_from_the_context() {
    // Without the context the gate can only say the service is recreated.
    let name = "cfn-seed-002-no-property-values.json";
    says(&judge(name)[0].message, "Check the image it will run");

    let findings = judge_with(name, &head_template);
    let lines: Vec<String> = findings.iter().map(line).collect();
    assert_eq!(
        lines,
        [
            "infra/plan-replaces-service SyncerService warning replace",
            "image/plan-latest-tag SyncerService error replace",
        ]
    );
    begins(
        &findings[1].message,
        "CloudFormation will replace service `SyncerService`, which starts from the template's \
         task definition and runs image \
         `123456789012.dkr.ecr.us-east-1.amazonaws.com/syncer-controller:latest`",
    );
    says(
        &findings[0].detail.join("\n"),
        "image it will run: 123456789012.dkr.ecr.us-east-1.amazonaws.com/syncer-controller:latest",
    );
}

#[test]
fn a_new_task_definition_revision_with_a_pinned_image_is_quiet_with_context_too() {
    let pinned =
        |_: &str| Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/syncer:b7e90c1".into());
    assert!(judge_with("cfn-task-definition-revision.json", &pinned).is_empty());
}

#[test]
fn images_are_named_by_where_they_sit_and_sensitive_ones_are_not_repeated() {
    let findings = judge("tf-images-in-other-resources.json");
    // A Helm value is judged as the tag it sets, and named.
    let helm = ["set[image.tag]: image.tag=v3.2.1 → image.tag=latest"];
    assert_eq!(findings[1].detail, helm);
    let secret = format!("{} {:?}", findings[3].message, findings[3].detail);
    assert!(!secret.contains("registry.internal"), "{secret}");
    says(&secret, "(sensitive)");
}

#[test]
fn an_environment_tag_on_a_new_resource_is_a_warning() {
    let plan = r#"{"format_version":"1.2","resource_changes":[{"address":"aws_lambda_function.f",
      "mode":"managed","type":"aws_lambda_function","name":"f","change":{"actions":["create"],
      "before":null,"after":{"image_uri":"acme/f:staging"},"after_unknown":{}}}]}"#;
    let findings = plan::judge(&read(PlanKind::Terraform, plan).unwrap(), &NoContext);
    let lines: Vec<String> = findings.iter().map(line).collect();
    assert_eq!(
        lines,
        ["image/plan-env-tag aws_lambda_function.f warning create"]
    );
}

// ------------------------------------------------------------------ CORS, datastores

#[test]
fn cors_findings_name_the_wildcard_and_where_it_sits() {
    let api = &judge("tf-cors-wildcard-added.json")[1].message;
    says(
        api,
        "`https://*` in `cors_configuration[0].allow_origins[0]`",
    );
    let bucket = &judge("cfn-cors-wildcard-added.json")[0].detail;
    assert_eq!(
        bucket,
        &["CorsConfiguration.CorsRules[0].AllowedOrigins[0]: *"]
    );
}

#[test]
fn datastore_findings_name_each_reason_and_never_a_sensitive_value() {
    let text: Vec<String> = judge("tf-datastores.json")
        .iter()
        .map(|f| format!("{} {}", f.message, f.detail.join(" ")))
        .collect();
    assert!(text.iter().all(|t| !t.contains("hunter2")));
    says(&text[0], "password: (sensitive) → (sensitive)");
    says(&text[1], "its index is beyond the new `count`");
    says(&text[2], "requested with `-replace`");
    says(&text[3], "it is tainted");
}

// ------------------------------------------------------------------ nested change sets

#[test]
fn nested_change_sets_in_one_array_are_judged_under_their_stack() {
    let findings = judge("cfn-nested-change-sets.json");
    assert_eq!(
        fired(&findings),
        [
            ("guard/plan-nested-change-set-missing", "NetworkStack"),
            (
                "infra/plan-deletes-load-balancer",
                "AppStack/PublicLoadBalancer"
            ),
        ]
    );
    assert!(findings[0].message.contains(
        "changeSet/release-42-NetworkStack-1GHIJKL/0a1b2c3d-0000-4000-8000-000000000003"
    ));
}

#[test]
fn nested_change_sets_in_separate_files_are_linked_when_merged() {
    let mut root = load("cfn-nested-root.json");
    assert_eq!(
        fired(&plan::judge(&root, &NoContext)),
        [
            ("guard/plan-nested-change-set-missing", "AppStack"),
            ("guard/plan-nested-change-set-missing", "NetworkStack"),
        ]
    );
    root.merge(load("cfn-nested-app-stack.json")).unwrap();
    let merged = plan::judge(&root, &NoContext);
    // Each finding says which merged document lists the change: the nested stack's own file.
    let documents: Vec<usize> = merged.iter().map(|f| f.document).collect();
    assert_eq!(documents, [0, 1]);
    let in_one_file: Vec<PlanFinding> = merged
        .into_iter()
        .map(|f| PlanFinding { document: 0, ..f })
        .collect();
    assert_eq!(in_one_file, judge("cfn-nested-change-sets.json"));
    assert_eq!(root.resource_count(), 3);

    let err = root.merge(load("tf-seed-001-lb-deleted.json")).unwrap_err();
    assert!(err.what().contains("cannot combine"));
}

#[test]
fn change_sets_naming_each_other_in_a_cycle_are_judged_once() {
    let set = |id: &str, child: &str| {
        format!(
            r#"{{"ChangeSetId":"{id}","StackName":"s","Status":"CREATE_COMPLETE","Changes":[
          {{"Type":"Resource","ResourceChange":{{"Action":"Modify","LogicalResourceId":"Child","ResourceType":"AWS::CloudFormation::Stack","Replacement":"False","ChangeSetId":"{child}"}}}},
          {{"Type":"Resource","ResourceChange":{{"Action":"Remove","LogicalResourceId":"Db","ResourceType":"AWS::DynamoDB::Table"}}}}]}}"#
        )
    };
    let doc = format!("[{},{}]", set("arn:a", "arn:b"), set("arn:b", "arn:a"));
    let findings = plan::judge(&read(PlanKind::CloudFormation, doc).unwrap(), &NoContext);
    assert_eq!(
        fired(&findings),
        [
            ("infra/plan-deletes-datastore", "Db"),
            ("infra/plan-deletes-datastore", "Child/Db")
        ]
    );
}

// ------------------------------------------------------------------ malformed and hostile input

#[test]
fn malformed_documents_give_one_clean_error_with_a_cure() {
    let tf = PlanKind::Terraform;
    let cfn = PlanKind::CloudFormation;
    let cases: Vec<(PlanKind, Vec<u8>, &str)> = vec![
        (tf, b"".to_vec(), "the terraform plan is empty"),
        (tf, b"  \n".to_vec(), "the terraform plan is empty"),
        (tf, b"PK\x03\x04\x14\x00binary".to_vec(), "binary Terraform plan file"),
        (tf, b"{\"format_version\": \"1.2\",".to_vec(), "not valid JSON: EOF while parsing"),
        (tf, b"\xff\xfe\x00".to_vec(), "not UTF-8 or UTF-16"),
        (tf, b"\x80abc".to_vec(), "not UTF-8 or UTF-16"),
        (tf, b"Terraform will perform the following actions:\n  # aws_lb.pizza will be destroyed\nPlan: 0 to add, 0 to change, 1 to destroy.\n".to_vec(), "text output of `terraform plan`"),
        (tf, b"{\"@level\":\"info\",\"@message\":\"Terraform 1.9.5\",\"type\":\"version\"}\n{\"@level\":\"info\",\"type\":\"planned_change\"}\n".to_vec(), "log of `terraform plan -json`"),
        (tf, br#"{"format_version":"2.0","resource_changes":[]}"#.to_vec(), "format_version 2.0 is not supported (this gate reads 1.x)"),
        (tf, br#"{"resource_changes":[]}"#.to_vec(), "`format_version` is missing"),
        (tf, br#"{"format_version":1}"#.to_vec(), "`format_version` is not a string"),
        (tf, br#"{"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{}}}"#.to_vec(), "this is Terraform state"),
        (tf, br#"{"format_version":"1.2","resource_changes":{}}"#.to_vec(), "`resource_changes` is not a list"),
        (tf, br#"{"format_version":"1.2","resource_changes":[{"address":"aws_lb.a","type":"aws_lb","change":{}}]}"#.to_vec(), "`resource_changes[0].change.actions` is missing or not a list of strings"),
        (tf, br#"{"format_version":"1.2","resource_changes":[{"address":"aws_lb.a","type":"aws_lb","change":{"actions":["delete",7]}}]}"#.to_vec(), "`resource_changes[0].change.actions` is missing or not a list of strings"),
        (tf, br#"{"format_version":"1.2","resource_changes":[{"type":"aws_lb","change":{"actions":["delete"]}}]}"#.to_vec(), "`resource_changes[0].address` is missing"),
        (tf, br#"{"format_version":"1.2","resource_changes":[7]}"#.to_vec(), "`resource_changes[0]` is not an object"),
        (tf, br#"{"format_version":"1.2","errored":true,"resource_changes":[]}"#.to_vec(), "marked `errored`"),
        (tf, br#"[1,2]"#.to_vec(), "not a Terraform plan"),
        (tf, fixture("cfn-seed-001-alb-removed.json"), "this is a CloudFormation change set, not a Terraform plan"),
        (cfn, fixture("tf-seed-001-lb-deleted.json"), "this is a Terraform plan, not a CloudFormation change set"),
        (cfn, br#"{"ChangeSetName":"x","Status":"CREATE_COMPLETE"}"#.to_vec(), "change set x has no `Changes`"),
        (cfn, br#"{"ChangeSetName":"x","Changes":{}}"#.to_vec(), "`Changes` is not a list"),
        (cfn, br#"{"Id":"arn:aws:cloudformation:us-east-1:1:changeSet/x/y","StackId":"arn:aws:cloudformation:us-east-1:1:stack/s/z"}"#.to_vec(), "output of `create-change-set`"),
        (cfn, br#"{"Summaries":[]}"#.to_vec(), "output of `list-change-sets`"),
        (cfn, br#"{"ChangeSetName":"x","Status":"CREATE_IN_PROGRESS","Changes":[]}"#.to_vec(), "still being created"),
        (cfn, br#"{"ChangeSetName":"x","Status":"CREATE_COMPLETE","NextToken":"abc","Changes":[]}"#.to_vec(), "one page of several"),
        (cfn, br#"{"ChangeSetName":"x","Status":"FAILED","StatusReason":"Template error: unresolved resource dependencies","Changes":[{"Type":"Resource","ResourceChange":{"Action":"Add","LogicalResourceId":"A","ResourceType":"AWS::S3::Bucket"}}]}"#.to_vec(), "change set x failed: Template error"),
        (cfn, br#"{"ChangeSetName":"x","Changes":[{"Type":"Resource","ResourceChange":{"Action":"Remove","ResourceType":"AWS::S3::Bucket"}}]}"#.to_vec(), "`Changes[0].ResourceChange.LogicalResourceId` is missing or not a string"),
        (cfn, br#"[{"ChangeSetName":"x","Changes":[]}, {"ChangeSetName":"y","Changes":[{"Type":"Resource"}]}]"#.to_vec(), "`[1].Changes[0].ResourceChange` is missing or not an object"),
        (cfn, br#"[{"ChangeSetName":"x","Changes":[]}, 3]"#.to_vec(), "`[1]` is not a change set object"),
        (cfn, br#"{"ChangeSetName":"x","Status":"FAILED","StatusReason":"Template format error: Unresolved resource dependencies [Lb] in the Resources block of the template","Changes":[]}"#.to_vec(), "change set x failed: Template format error"),
        (cfn, b"[]".to_vec(), "an empty list"),
        (cfn, b"\"Changes\"".to_vec(), "not a change set"),
    ];
    for (kind, input, expected) in cases {
        let shown = String::from_utf8_lossy(&input)
            .chars()
            .take(60)
            .collect::<String>();
        match read(kind, &input) {
            Ok(_) => panic!("{kind} {shown:?} was accepted"),
            Err(e) => {
                assert!(
                    e.what().contains(expected),
                    "{kind} {shown:?}: {:?} lacks {expected:?}",
                    e.what()
                );
                assert!(
                    !e.what().contains('\n') && !e.cure().is_empty() && !e.cure().contains('\n'),
                    "{e:?}"
                );
            }
        }
    }
}

#[test]
fn a_change_set_with_no_changes_is_an_empty_plan() {
    let doc = br#"{"ChangeSetName":"x","Status":"FAILED","StatusReason":"The submitted information didn't contain changes. Submit different information to create a change set.","Changes":[]}"#;
    let plan = read(PlanKind::CloudFormation, doc).unwrap();
    assert_eq!(plan.resource_count(), 0);
    assert!(plan::judge(&plan, &NoContext).is_empty());
    let tf = read(
        PlanKind::Terraform,
        r#"{"format_version":"1.2","planned_values":{}}"#,
    )
    .unwrap();
    assert_eq!(tf.resource_count(), 0);
}

#[test]
fn deep_nesting_is_refused_without_exhausting_the_stack() {
    for kind in [PlanKind::Terraform, PlanKind::CloudFormation] {
        let deep = "[".repeat(200_000);
        let err = read(kind, &deep).unwrap_err();
        says(err.what(), "recursion limit exceeded");
    }
    // Deep nesting hidden inside a JSON-string attribute is not followed either.
    let inner = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let doc = serde_json::json!({"format_version":"1.2","resource_changes":[{"address":"aws_ecs_task_definition.x","mode":"managed","type":"aws_ecs_task_definition","name":"x",
        "change":{"actions":["create"],"before":null,"after":{"container_definitions": inner}}}]});
    let plan = read(PlanKind::Terraform, doc.to_string()).unwrap();
    assert!(plan::judge(&plan, &NoContext).is_empty());
}

#[test]
fn windows_powershell_utf16_output_is_read() {
    let text = std::str::from_utf8(&fixture("tf-seed-001-lb-deleted.json"))
        .unwrap()
        .to_string();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let findings = plan::judge(&read(PlanKind::Terraform, &utf16).unwrap(), &NoContext);
    assert_eq!(
        fired(&findings),
        [("infra/plan-deletes-load-balancer", "aws_lb.pizza")]
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(text.as_bytes());
    assert!(read(PlanKind::Terraform, &bom).is_ok());
}

#[test]
fn wide_hostile_plans_take_linear_time_and_give_bounded_messages() {
    let n = 20_000;
    let containers = |tag: &str| {
        let list: Vec<_> = (0..n)
            .map(|i| serde_json::json!({"name": format!("c{i}"), "image": format!("acme/c{i}:{tag}")}))
            .collect();
        serde_json::Value::Array(list).to_string()
    };
    let mut changes = vec![
        serde_json::json!({"address": "aws_ecs_task_definition.wide", "type": "aws_ecs_task_definition",
            "change": {"actions": ["update"], "before": {"container_definitions": containers("1.0")},
                "after": {"container_definitions": containers("latest")}}}),
        serde_json::json!({"address": "aws_lb.hub", "type": "aws_lb", "change": {"actions": ["delete", "create"],
            "replace_paths": (0..n).map(|i| vec![format!("a{i}")]).collect::<Vec<_>>(),
            "before": {"dns_name": "hub.elb.amazonaws.com"}, "after": {}}}),
    ];
    for i in 0..n {
        changes.push(serde_json::json!({"address": format!("aws_route53_record.r{i}"), "type": "aws_route53_record",
            "change": {"actions": ["no-op"], "before": {}, "after": {"records": ["hub.elb.amazonaws.com"]}}}));
    }
    let doc = serde_json::json!({"format_version": "1.2", "resource_changes": changes}).to_string();
    let started = Instant::now();
    let findings = plan::judge(&read(PlanKind::Terraform, &doc).unwrap(), &NoContext);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    let lines: Vec<String> = findings.iter().map(line).collect();
    assert_eq!(
        lines,
        [
            "image/plan-pinned-to-mutable aws_ecs_task_definition.wide error update",
            "infra/plan-replaces-load-balancer aws_lb.hub error replace",
        ]
    );
    for f in &findings {
        assert!(f.message.len() < 2_000, "{} bytes", f.message.len());
        assert!(f.detail.len() <= 42, "{} lines", f.detail.len());
    }
    says(&findings[1].message, "and 19997 more still point at it");
}

/// Cheap deterministic randomness (no dependency): xorshift.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn mangled_fixtures_never_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for name in all_fixtures() {
        let original = fixture(&name);
        for _ in 0..300 {
            let mut bytes = original.clone();
            for _ in 0..=next(&mut state) % 4 {
                let at = (next(&mut state) as usize) % bytes.len();
                match next(&mut state) % 4 {
                    0 => bytes[at] = next(&mut state) as u8,
                    1 => bytes.truncate(at),
                    2 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, b"{}[]\",:0n"[(next(&mut state) % 9) as usize]),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            for kind in [PlanKind::Terraform, PlanKind::CloudFormation] {
                if let Ok(plan) = read(kind, &bytes) {
                    plan::judge(&plan, &head_template);
                }
            }
        }
    }
}

// ------------------------------------------------------------------ rules, arguments, scale

#[test]
fn every_finding_uses_a_listed_rule_with_its_severity() {
    let listed = plan::rules();
    for rule in listed {
        let (category, name) = rule.id.split_once('/').unwrap();
        assert!(
            ["infra", "image", "cors", "guard"].contains(&category),
            "{}",
            rule.id
        );
        assert!(
            name.starts_with("plan-") && name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            rule.id
        );
        assert!(!rule.summary.is_empty());
    }
    let mut seen = std::collections::BTreeSet::new();
    for name in all_fixtures() {
        for f in judge_with(&name, &head_template) {
            let rule = listed
                .iter()
                .find(|r| r.id == f.rule)
                .unwrap_or_else(|| panic!("{} not listed", f.rule));
            assert_eq!(rule.severity, f.severity, "{}", f.rule);
            assert!(!f.message.contains("seed"), "{}", f.message);
            seen.insert(f.rule);
        }
    }
    let unused: Vec<_> = listed
        .iter()
        .filter(|r| !seen.contains(r.id))
        .map(|r| r.id)
        .collect();
    // Rules no fixture exercises; the module's unit tests and the inline plans above do.
    let elsewhere = "infra/plan-deletes-dns-record infra/plan-replaces-dns-record
        infra/plan-deletes-cdn-distribution infra/plan-replaces-cdn-distribution
        infra/plan-deletes-service infra/plan-deletes-nested-stack
        image/plan-env-tag image/plan-floating-tag";
    let elsewhere: Vec<&str> = elsewhere.split_whitespace().collect();
    assert!(unused.iter().all(|id| elsewhere.contains(id)), "{unused:?}");
}

#[test]
fn plan_arguments_name_a_kind_and_a_file() {
    let good = [
        ("terraform=plan.json", PlanKind::Terraform, "plan.json"),
        ("tofu=out/plan.json", PlanKind::Terraform, "out/plan.json"),
        (
            "cloudformation=cs.json",
            PlanKind::CloudFormation,
            "cs.json",
        ),
        ("cfn=a=b.json", PlanKind::CloudFormation, "a=b.json"),
    ];
    for (arg, kind, file) in good {
        assert_eq!(plan::parse_plan_arg(arg).unwrap(), (kind, file), "{arg}");
    }
    let bad = [
        ("plan.json", "not KIND=FILE"),
        ("terraform=", "not KIND=FILE"),
        ("pulumi=x.json", "unknown plan kind 'pulumi'"),
    ];
    for (arg, problem) in bad {
        says(plan::parse_plan_arg(arg).unwrap_err().what(), problem);
    }
}

/// A plan of `n` resources shaped like a large real one: mostly in-place updates of services,
/// task definitions with JSON container definitions, buckets and records, plus a few deletions.
fn large_plan(n: usize) -> String {
    let mut changes = Vec::with_capacity(n);
    for i in 0..n {
        let change = match i % 5 {
            0 => {
                serde_json::json!({"address": format!("module.svc[{i}].aws_ecs_task_definition.app"), "module_address": format!("module.svc[{i}]"),
                "mode": "managed", "type": "aws_ecs_task_definition", "name": "app", "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["delete", "create"], "replace_paths": [["container_definitions"]],
                    "before": {"family": format!("app-{i}"), "container_definitions": format!(r#"[{{"name":"app","image":"acme/app-{i}:1.0.{i}","cpu":256,"environment":[{{"name":"A","value":"b"}}]}},{{"name":"log","image":"fluent/fluent-bit:3.0.1"}}]"#)},
                    "after": {"family": format!("app-{i}"), "container_definitions": format!(r#"[{{"name":"app","image":"acme/app-{i}:1.0.{}","cpu":256,"environment":[{{"name":"A","value":"b"}}]}},{{"name":"log","image":"fluent/fluent-bit:3.0.1"}}]"#, i + 1)},
                    "after_unknown": {"arn": true, "revision": true}, "before_sensitive": {}, "after_sensitive": {}},
                "action_reason": "replace_because_cannot_update"})
            }
            1 => {
                serde_json::json!({"address": format!("aws_route53_record.r{i}"), "mode": "managed", "type": "aws_route53_record", "name": format!("r{i}"),
                "change": {"actions": ["no-op"], "before": {"name": format!("r{i}.example.com"), "records": [format!("lb-{}.elb.amazonaws.com", i + 3)]},
                    "after": {"name": format!("r{i}.example.com"), "records": [format!("lb-{}.elb.amazonaws.com", i + 3)]}, "after_unknown": {}}})
            }
            2 => {
                serde_json::json!({"address": format!("aws_s3_bucket.b{i}"), "mode": "managed", "type": "aws_s3_bucket", "name": format!("b{i}"),
                "change": {"actions": ["update"], "before": {"bucket": format!("b{i}"), "tags": {}}, "after": {"bucket": format!("b{i}"), "tags": {"team": "x"}}, "after_unknown": {}}})
            }
            3 => {
                serde_json::json!({"address": format!("aws_ecs_service.s{i}"), "mode": "managed", "type": "aws_ecs_service", "name": format!("s{i}"),
                "change": {"actions": ["update"], "before": {"name": format!("s{i}"), "desired_count": 2}, "after": {"name": format!("s{i}"), "desired_count": 3}, "after_unknown": {"task_definition": true}}})
            }
            _ => {
                serde_json::json!({"address": format!("aws_lb.l{i}"), "mode": "managed", "type": "aws_lb", "name": format!("l{i}"),
                "change": {"actions": if i % 500 == 4 { serde_json::json!(["delete"]) } else { serde_json::json!(["no-op"]) },
                    "before": {"name": format!("l{i}"), "dns_name": format!("lb-{i}.elb.amazonaws.com")},
                    "after": if i % 500 == 4 { serde_json::Value::Null } else { serde_json::json!({"name": format!("l{i}"), "dns_name": format!("lb-{i}.elb.amazonaws.com")}) },
                    "after_unknown": {}}, "action_reason": "delete_because_no_resource_config"})
            }
        };
        changes.push(change);
    }
    serde_json::json!({"format_version": "1.2", "terraform_version": "1.9.5", "planned_values": {}, "resource_changes": changes}).to_string()
}

#[test]
fn a_5000_resource_plan_takes_milliseconds() {
    let text = large_plan(5_000);
    let started = Instant::now();
    let plan = read(PlanKind::Terraform, &text).unwrap();
    let read_took = started.elapsed();
    let findings = plan::judge(&plan, &NoContext);
    let took = started.elapsed();
    eprintln!(
        "5,000-resource plan ({} KiB): read {read_took:?}, read + judge {took:?}, {} findings",
        text.len() / 1024,
        findings.len()
    );
    assert_eq!(plan.resource_count(), 5_000);
    // Ten load balancers deleted, each still named by the record after it.
    assert_eq!(findings.len(), 10, "{:#?}", fired(&findings));
    assert!(
        findings
            .iter()
            .all(|f| f.rule == "infra/plan-deletes-load-balancer" && f.detail.len() == 1)
    );
    // Generous for an unoptimised test build on a shared machine; the release figure is in docs/plans.md.
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_5000_resource_plan_end_to_end_through_the_binary() {
    // A repository declaring the plan's load balancers (so every finding is traced to its
    // block), and the plan beside it.
    let blocks: String = (0..5_000)
        .filter(|i| i % 5 == 4)
        .map(|i| format!("resource \"aws_lb\" \"l{i}\" {{\n  name = \"l{i}\"\n}}\n\n"))
        .collect();
    let repo = common::Repo::with_files(&[("infra/lb.tf", blocks.as_str())]);
    std::fs::write(repo.path().join("plan.json"), large_plan(5_000)).unwrap();
    let started = Instant::now();
    let (run, report) = repo.check_plans(&["terraform=plan.json"]);
    let took = started.elapsed();
    eprintln!("5,000-resource plan through the binary: {took:?}");
    run.expect_code(1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 10);
    assert!(
        findings
            .iter()
            .all(|f| f["path"] == "infra/lb.tf" && f["line"].is_u64())
    );
    assert_eq!(report["plans"][0]["resources"], 5_000);
    assert!(took < Duration::from_secs(20), "{took:?}");
}
