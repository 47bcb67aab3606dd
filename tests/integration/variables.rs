//! Risks reached through a variable, parameter or template default, on real repositories: a
//! CloudFormation parameter default or mapping value an image or a CORS origin reaches through
//! `!Ref`, `!Sub`, `!Join`, `!FindInMap` is judged like a literal, and reported once, on the
//! line the change touched.

use crate::common::{Repo, findings};

/// The findings of a change that edits one file from `before` to `after` (a repository on
/// `main`, the edit committed on a branch), as `rule path:line`.
fn judge_edit(path: &str, before: &str, after: &str) -> Vec<String> {
    let repo = Repo::with_files(&[(path, before)]);
    repo.branch("change");
    repo.write(path, after);
    repo.commit("change");
    let (_, report) = repo.check_json(&["--base", "main"]);
    findings(&report)
}

/// A template whose image tag is a parameter three resources use, by three functions.
fn service_template(tag: &str) -> String {
    format!(
        "Parameters:\n  ImageTag:\n    Type: String\n    Default: \"{tag}\"\nResources:\n  Api:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: api\n          Image: !Sub \"${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com/app:${{ImageTag}}\"\n        - Name: sidecar\n          Image: {{\"Fn::Join\": [\":\", [\"123456789012.dkr.ecr.eu-west-1.amazonaws.com/app\", {{\"Ref\": \"ImageTag\"}}]]}}\n  Runner:\n    Type: AWS::AppRunner::Service\n    Properties:\n      SourceConfiguration:\n        ImageRepository:\n          ImageIdentifier: !Join [\":\", [!GetAtt Repo.RepositoryUri, !Ref ImageTag]]\n"
    )
}

#[test]
fn a_parameter_default_is_one_finding_on_the_default_line() {
    let path = "cloudformation/service.yaml";
    let edit =
        |from: &str, to: &str| judge_edit(path, &service_template(from), &service_template(to));
    assert_eq!(
        edit("ag5123s", "latest"),
        ["image/pinned-to-mutable cloudformation/service.yaml:4"]
    );
    assert_eq!(edit("1.4.2", "1.4.3"), Vec::<String>::new());
}

#[test]
fn a_reference_switched_to_a_mutable_default_is_reported_on_the_reference() {
    let template = |image: &str| {
        format!(
            "Parameters:\n  Pinned: {{Type: String, Default: \"acme/app:1.4.2\"}}\n  Edge: {{Type: String, Default: \"acme/app:latest\"}}\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ImageUri: {image}\n"
        )
    };
    let (before, after) = (template("!Ref Pinned"), template("!Ref Edge"));
    assert_eq!(
        judge_edit("lambda.yaml", &before, &after),
        ["image/pinned-to-mutable lambda.yaml:9"]
    );
}

/// Two buckets whose CORS origins are the parameter `Origins`, by `!Ref` and by `!Split`.
const BUCKETS: &str = "Parameters:\n  Origins:\n    Type: CommaDelimitedList\n    Default: \"ORIGINS\"\nResources:\n  Assets:\n    Type: AWS::S3::Bucket\n    Properties:\n      CorsConfiguration:\n        CorsRules:\n          - AllowedMethods: [GET]\n            AllowedOrigins: !Ref Origins\n  Uploads:\n    Type: AWS::S3::Bucket\n    Properties:\n      CorsConfiguration:\n        CorsRules:\n          - AllowedMethods: [PUT]\n            AllowedOrigins: !Split [\",\", !Join [\",\", !Ref Origins]]\n";

/// [`judge_edit`] of a file written as `template` with its placeholder `slot` set to `from`,
/// then to `to`.
fn judge_slot(path: &str, template: &str, slot: &str, from: &str, to: &str) -> Vec<String> {
    judge_edit(
        path,
        &template.replace(slot, from),
        &template.replace(slot, to),
    )
}

#[test]
fn a_cors_origin_default_opened_to_every_origin_is_reported_once() {
    let (from, to) = ("https://app.example.com", "https://app.example.com,*");
    assert_eq!(
        judge_slot("infra/buckets.yaml", BUCKETS, "ORIGINS", from, to),
        ["cors/wildcard-origin-parameter infra/buckets.yaml:4"]
    );
}

/// A module whose task definition reads its image through a local built from two variables.
const MODULE: &str = "variable \"repository\" {\n  default = \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/api\"\n}\n\nvariable \"image_tag\" {\n  type    = string\n  default = \"TAG\"\n}\n\nlocals {\n  image = \"${var.repository}:${var.image_tag}\"\n}\n\nresource \"aws_ecs_task_definition\" \"api\" {\n  family = \"api\"\n  container_definitions = jsonencode([\n    {\n      name  = \"api\"\n      image = local.image\n    },\n    { name = \"worker\", image = \"${var.repository}:${var.image_tag}\" },\n  ])\n}\n";

#[test]
fn a_terraform_variable_default_is_one_finding_on_the_default_line() {
    let edit = |from: &str, to: &str| judge_slot("infra/main.tf", MODULE, "TAG", from, to);
    assert_eq!(
        edit("1.4.2", "latest"),
        ["image/terraform-mutable-image infra/main.tf:7"]
    );
    assert_eq!(edit("1.4.2", "1.4.3"), Vec::<String>::new());
}

#[test]
fn a_tfvars_value_overrides_the_default_both_ways() {
    let repo = Repo::with_files(&[
        ("infra/main.tf", &MODULE.replace("TAG", "latest")),
        ("infra/terraform.tfvars", "image_tag = \"1.4.2\"\n"),
    ]);
    repo.branch("change");
    repo.write("infra/terraform.tfvars", "image_tag = \"latest\"\n");
    repo.commit("change");
    let (_, report) = repo.check_json(&["--base", "main"]);
    assert_eq!(
        findings(&report),
        ["image/terraform-mutable-image infra/terraform.tfvars:1"]
    );
    let message = report["findings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains(
            "var.image_tag, set here, makes the image at infra/main.tf:11, infra/main.tf:19"
        ),
        "{message}"
    );
    repo.write("infra/terraform.tfvars", "image_tag = \"1.4.2\"\n");
    repo.write("infra/extra.tf", "resource \"kubernetes_deployment\" \"web\" {\n  spec {\n    template {\n      spec {\n        container {\n          image = local.image\n        }\n      }\n    }\n  }\n}\n");
    repo.commit("pinned again, and a second workload");
    let (_, report) = repo.check_json(&["--base", "main"]);
    assert_eq!(findings(&report), Vec::<String>::new());
}

#[test]
fn a_new_lambda_reading_a_mutable_default_is_reported_on_its_image_line() {
    let variables = "variable \"image_tag\" {\n  default = \"latest\"\n}\n";
    let lambda = "resource \"aws_lambda_function\" \"api\" {\n  package_type = \"Image\"\n  image_uri    = \"${aws_ecr_repository.api.repository_url}:${var.image_tag}\"\n}\n";
    let repo = Repo::with_files(&[("fn/variables.tf", variables)]);
    repo.branch("change");
    repo.write("fn/lambda.tf", lambda);
    repo.commit("change");
    let (_, report) = repo.check_json(&["--base", "main"]);
    assert_eq!(
        findings(&report),
        ["image/terraform-mutable-image fn/lambda.tf:3"]
    );
}

/// A deploy workflow whose image tag is a workflow-level `env:` value two steps read.
const WORKFLOW: &str = "name: deploy\non: {push: {branches: [main]}}\nenv:\n  REGISTRY: ghcr.io/acme\n  IMAGE_TAG: TAG\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: docker pull $REGISTRY/api:$IMAGE_TAG\n      - name: roll out\n        run: |\n          kubectl set image deployment/api api=${{ env.REGISTRY }}/api:${{ env.IMAGE_TAG }}\n          kubectl rollout status deployment/api\n";

#[test]
fn a_workflow_env_value_feeding_deploy_commands_is_one_finding_on_its_line() {
    let path = ".github/workflows/deploy.yml";
    let edit = |from: &str, to: &str| judge_slot(path, WORKFLOW, "TAG", from, to);
    assert_eq!(
        edit("\"1.4.2\"", "latest"),
        ["image/script-mutable-image .github/workflows/deploy.yml:5"]
    );
    assert_eq!(edit("\"1.4.2\"", "${{ github.sha }}"), Vec::<String>::new());
}

#[test]
fn gitlab_variables_feeding_a_new_deploy_job_are_reported_on_the_command() {
    let base = "variables:\n  IMAGE: registry.example.com/app\nstages: [deploy]\n";
    let head = format!("{base}deploy:\n  stage: deploy\n  script:\n    - docker pull $IMAGE\n");
    assert_eq!(
        judge_edit(".gitlab-ci.yml", base, &head),
        ["image/script-mutable-image .gitlab-ci.yml:7"]
    );
}

/// A chart whose deployment reads its image from the values, falling back to the appVersion.
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"api.fullname\" . }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"\n{{- with .Values.proxy }}\n        - name: proxy\n          image: {{ printf \"%s:%s\" .repository (default \"latest\" .tag) }}\n{{- end }}\n";

/// The chart's files, its values with `tag` as given.
fn chart(tag: &str, app_version: &str) -> [(&'static str, String); 3] {
    [
        (
            "charts/api/Chart.yaml",
            format!("apiVersion: v2\nname: api\nversion: 1.0.0\nappVersion: \"{app_version}\"\n"),
        ),
        (
            "charts/api/values.yaml",
            format!("replicaCount: 2\nimage:\n  repository: ghcr.io/acme/api\n  tag: \"{tag}\"\n"),
        ),
        (
            "charts/api/templates/deployment.yaml",
            DEPLOYMENT.to_string(),
        ),
    ]
}

/// The findings of a chart edited from `before` to `after` (each: tag, appVersion).
fn judge_chart(before: (&str, &str), after: (&str, &str)) -> Vec<String> {
    let files = chart(before.0, before.1);
    let repo = Repo::with_files(&files.each_ref().map(|(p, t)| (*p, t.as_str())));
    repo.branch("change");
    for (path, text) in chart(after.0, after.1) {
        repo.write(path, text);
    }
    repo.commit("change");
    let (_, report) = repo.check_json(&["--base", "main"]);
    findings(&report)
}

#[test]
fn a_helm_value_or_app_version_that_makes_the_image_mutable_is_reported_where_it_is_set() {
    assert_eq!(
        judge_chart(("2.4.0", "2.4.0"), ("", "latest")),
        ["image/template-mutable-image charts/api/Chart.yaml:4"]
    );
    assert_eq!(
        judge_chart(("", "2.4.0"), ("", "2.5.0")),
        Vec::<String>::new()
    );
    assert_eq!(
        judge_chart(("2.4.0", "latest"), ("", "latest")),
        ["image/template-mutable-image charts/api/values.yaml:4"]
    );
}
