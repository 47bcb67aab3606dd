//! Other stacks judged end to end on real repositories: AWS CDK app code, the CloudFormation
//! templates it synthesizes into `cdk.out/`, Nomad jobs, Jsonnet and Bicep.

use crate::common::Repo;

/// The (rule, path, line) of every finding of `main...HEAD`, sorted.
fn findings(repo: &Repo) -> Vec<(String, String, u64)> {
    let (_, report) = repo.check_json(&["--base", "main"]);
    let mut found: Vec<_> = report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["path"].as_str().expect("path").to_string(),
                f["line"].as_u64().expect("line"),
            )
        })
        .collect();
    found.sort();
    found
}

/// The findings of a change that adds `files` to an empty `main`.
fn new_files(files: &[(&str, &str)]) -> Vec<(String, String, u64)> {
    findings(&change(&[], files))
}

/// `(rule, path, line)` as the report spells it.
fn at(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.to_string(), path.to_string(), line)
}

/// A branch `change` off a `main` holding `base`, with `head` written on it.
fn change(base: &[(&str, &str)], head: &[(&str, &str)]) -> Repo {
    let repo = Repo::with_files(base);
    repo.branch("change");
    for (path, content) in head {
        repo.write(path, content);
    }
    repo.commit("change");
    repo
}

const TEMPLATE: &str = r#"{
 "Resources": {
  "TaskDef": {
   "Type": "AWS::ECS::TaskDefinition",
   "Properties": {
    "ContainerDefinitions": [
     { "Image": "nginx:latest", "Name": "web" }
    ]
   }
  }
 }
}
"#;

#[test]
fn a_synthesized_cdk_template_is_judged_as_cloudformation_and_its_bookkeeping_stays_quiet() {
    let repo = change(
        &[("README.md", "app\n")],
        &[
            ("cdk.out/AppStack.template.json", TEMPLATE),
            (
                "cdk.out/manifest.json",
                r#"{"artifacts":{"AppStack":{"type":"aws:cloudformation:stack"}}}"#,
            ),
            (
                "cdk.out/tree.json",
                r#"{"tree":{"id":"App","children":{"Tree":{"id":"Tree"}}}}"#,
            ),
            (
                "cdk.out/asset.3f2a/config.json",
                r#"{"image":"nginx:latest","cors":{"origin":"*"}}"#,
            ),
        ],
    );
    assert_eq!(
        findings(&repo),
        [at("image/latest-tag", "cdk.out/AppStack.template.json", 7)]
    );
}

/// The shape of a real miss (aws-samples/aws-cdk-examples, batch-ecr-openmp): a Batch job
/// definition built from a repository URI and the `latest` tag.
const BATCH_STACK: &str = "import * as cdk from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';

export class BenchStack extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const jobDefinition = new batch.CfnJobDefinition(this, 'JobDefinition', {
      type: 'container',
      containerProperties: {
        image: `${ecrRepository.repositoryUri}:TAG`,
        vcpus: 2,
      },
    });
  }
}
";

#[test]
fn cdk_code_that_runs_a_latest_image_is_blocked_and_a_pinned_one_is_not() {
    let latest = BATCH_STACK.replace("TAG", "latest");
    let repo = change(&[], &[("lib/bench-stack.ts", &latest)]);
    assert_eq!(
        findings(&repo),
        [at("image/cdk-mutable-image", "lib/bench-stack.ts", 10)]
    );
    let pinned = BATCH_STACK.replace("TAG", "1.4.2");
    let repo = change(&[], &[("lib/bench-stack.ts", &pinned)]);
    assert_eq!(findings(&repo), []);
}

/// A stack with a load balancer whose construct id is `id`, in a CDK TypeScript file.
fn balanced(id: &str) -> String {
    format!(
        "import * as cdk from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';

export class WebStack extends cdk.Stack {{
  constructor(scope: Construct, id: string) {{
    super(scope, id);
    const lb = new elbv2.ApplicationLoadBalancer(this, '{id}', {{ vpc, internetFacing: true }});
  }}
}}
"
    )
}

const EMPTY_STACK: &str = "import * as cdk from 'aws-cdk-lib';

export class WebStack extends cdk.Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
  }
}
";

#[test]
fn a_cdk_load_balancer_removed_or_renamed_is_blocked_and_one_moved_to_another_file_is_not() {
    let base = balanced("PublicAlb");
    let renamed = change(
        &[("lib/web-stack.ts", &base)],
        &[("lib/web-stack.ts", &balanced("PublicLoadBalancer"))],
    );
    assert_eq!(
        findings(&renamed),
        [at("infra/cdk-load-balancer-removed", "lib/web-stack.ts", 7)]
    );
    let moved = change(
        &[("lib/web-stack.ts", &base)],
        &[
            ("lib/web-stack.ts", EMPTY_STACK),
            ("lib/edge-stack.ts", &base),
        ],
    );
    assert_eq!(findings(&moved), []);
}

#[test]
fn nomad_jsonnet_and_bicep_images_that_float_are_blocked_and_pinned_ones_are_not() {
    let nomad = |image: &str| {
        format!(
            "job \"cache\" {{\n  group \"cache\" {{\n    task \"redis\" {{\n      driver = \"docker\"\n      config {{\n        image = \"{image}\"\n      }}\n    }}\n  }}\n}}\n"
        )
    };
    let jsonnet = |image: &str| {
        format!(
            "local image = '{image}';\n{{\n  kind: 'Deployment',\n  spec: {{ template: {{ spec: {{ containers: [{{ name: 'web', image: image }}] }} }} }},\n}}\n"
        )
    };
    let bicep = |image: &str| {
        format!(
            "resource app 'Microsoft.App/containerApps@2023-05-01' = {{\n  name: 'web'\n  properties: {{\n    template: {{\n      containers: [\n        {{\n          name: 'web'\n          image: '{image}'\n        }}\n      ]\n    }}\n  }}\n}}\n"
        )
    };
    assert_eq!(
        new_files(&[
            ("jobs/cache.nomad.hcl", &nomad("redis:latest")),
            ("deploy/web.jsonnet", &jsonnet("nginx")),
            ("infra/app.bicep", &bicep("acme.azurecr.io/web:latest")),
        ]),
        [
            at("image/bicep-mutable-image", "infra/app.bicep", 8),
            at("image/jsonnet-mutable-image", "deploy/web.jsonnet", 1),
            at("image/nomad-mutable-image", "jobs/cache.nomad.hcl", 6),
        ]
    );
    assert_eq!(
        new_files(&[
            ("jobs/cache.nomad.hcl", &nomad("redis:7.2.4")),
            ("deploy/web.jsonnet", &jsonnet("nginx:1.25.3")),
            ("infra/app.bicep", &bicep("acme.azurecr.io/web:2024.06.1")),
        ]),
        []
    );
}

#[test]
fn cdk_and_arm_cors_open_to_every_origin_is_blocked_and_a_listed_origin_only_reviewed() {
    let api = |origins: &str| {
        format!(
            "import * as apigateway from 'aws-cdk-lib/aws-apigateway';\n\nconst api = new apigateway.RestApi(this, 'Api', {{\n  defaultCorsPreflightOptions: {{\n    allowOrigins: {origins},\n  }},\n}});\n"
        )
    };
    let arm = |origin: &str| {
        format!(
            "{{\n  \"resources\": [\n    {{\n      \"type\": \"Microsoft.Web/sites\",\n      \"properties\": {{\n        \"siteConfig\": {{\n          \"cors\": {{ \"allowedOrigins\": [\"{origin}\"] }}\n        }}\n      }}\n    }}\n  ]\n}}\n"
        )
    };
    assert_eq!(
        new_files(&[
            ("lib/api-stack.ts", &api("apigateway.Cors.ALL_ORIGINS")),
            ("azure/site.json", &arm("*")),
        ]),
        [
            at("cors/allow-all-switch", "lib/api-stack.ts", 5),
            at("cors/wildcard-origin", "azure/site.json", 7),
        ]
    );
    // An explicit list is a reviewed decision: a warning to look, not a block.
    assert_eq!(
        new_files(&[
            ("lib/api-stack.ts", &api("['https://app.example.com']")),
            ("azure/site.json", &arm("https://app.example.com")),
        ]),
        [
            at("cors/policy-changed", "azure/site.json", 7),
            at("cors/policy-changed", "lib/api-stack.ts", 5),
        ]
    );
}
