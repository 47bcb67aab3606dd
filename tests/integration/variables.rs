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

#[test]
fn a_cors_origin_default_opened_to_every_origin_is_reported_once() {
    let found = judge_edit(
        "infra/buckets.yaml",
        &BUCKETS.replace("ORIGINS", "https://app.example.com"),
        &BUCKETS.replace("ORIGINS", "https://app.example.com,*"),
    );
    assert_eq!(
        found,
        ["cors/wildcard-origin-parameter infra/buckets.yaml:4"]
    );
}
