//! Where a plan's resources are declared in the head revision, and what its CloudFormation
//! templates say a resource runs: Terraform `resource "TYPE" "NAME"` blocks and CloudFormation
//! logical ids, read from files the caller gives. A finding can then point at the declaration,
//! and a change set without property values still names the image a recreated service will
//! run ([`PlanContext::image_for`]).

use super::model::{PlanContext, PlanKind};
use crate::matching::tree::{self, Node, Value};
use crate::matching::{cloudformation, terraform};
use std::collections::HashMap;

/// How many references (`Service → TaskDefinition`) are followed to find an image.
const MAX_HOPS: usize = 4;

/// Where one resource is declared: a file of the head revision and the declaration's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// Repository-relative path.
    pub path: String,
    /// 1-based line of the `resource` keyword or the logical id's key.
    pub line: u32,
}

/// A CloudFormation resource in a head template: where, and the image it runs if it names one.
#[derive(Debug, Clone)]
struct TemplateResource {
    at: Declaration,
    image: Option<String>,
}

/// The declarations found in the files added so far.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    /// `TYPE.NAME` → every block declaring it.
    terraform: HashMap<String, Vec<Declaration>>,
    /// Logical id → every template resource with that id.
    cloudformation: HashMap<String, Vec<TemplateResource>>,
}

/// Whether `text` may be a CloudFormation template: worth parsing only if it names an AWS type
/// and has resources.
pub fn may_be_template(text: &str) -> bool {
    text.contains("AWS::") && text.contains("Resources")
}

impl Declarations {
    /// Adds the `resource` blocks of a Terraform file at `path`.
    pub fn add_terraform(&mut self, path: &str, text: &str) {
        for resource in terraform::resources(text) {
            self.terraform
                .entry(resource.address)
                .or_default()
                .push(Declaration {
                    path: path.to_string(),
                    line: resource.line,
                });
        }
    }

    /// Adds the resources of a CloudFormation template (YAML or JSON) at `path`; a file that
    /// does not parse, or is not a template, adds nothing.
    pub fn add_template(&mut self, path: &str, text: &str) {
        let Ok(docs) = tree::parse(text) else {
            return;
        };
        let Some(template) = docs.first().and_then(Template::of) else {
            return;
        };
        let Value::Map(entries) = &template.resources.value else {
            return;
        };
        for (id, resource) in entries {
            let is_aws = resource
                .get("Type")
                .and_then(Node::text)
                .is_some_and(|t| t.starts_with("AWS::"));
            if !is_aws {
                continue;
            }
            self.cloudformation
                .entry(id.clone())
                .or_default()
                .push(TemplateResource {
                    at: Declaration {
                        path: path.to_string(),
                        line: resource.line,
                    },
                    image: template.image(resource, 0),
                });
        }
    }

    /// The one declaration of the resource at `address` in a plan of `kind`: a Terraform
    /// address (module path and instance keys are looked through: `module.web.aws_lb.x[0]` is
    /// declared as `resource "aws_lb" "x"`) or a CloudFormation logical id (a nested stack's
    /// `Parent/Child` by its last id). `None` when no file, or more than one, declares it.
    pub fn locate(&self, kind: PlanKind, address: &str) -> Option<&Declaration> {
        match kind {
            PlanKind::Terraform => match self.terraform.get(&terraform_key(address)?)?.as_slice() {
                [one] => Some(one),
                _ => None,
            },
            PlanKind::CloudFormation => {
                match self.cloudformation.get(logical_id(address))?.as_slice() {
                    [one] => Some(&one.at),
                    _ => None,
                }
            }
        }
    }
}

impl PlanContext for Declarations {
    /// The image the templates give the resource `logical_id` (by its last id for a nested
    /// stack's `Parent/Child`), when every template declaring that id agrees on it.
    fn image_for(&self, logical_id: &str) -> Option<String> {
        let found = self.cloudformation.get(self::logical_id(logical_id))?;
        let first = found.first()?.image.clone()?;
        found
            .iter()
            .all(|r| r.image.as_deref() == Some(first.as_str()))
            .then_some(first)
    }
}

/// The last logical id of a `Parent/Child` address.
fn logical_id(address: &str) -> &str {
    address.rsplit('/').next().unwrap_or(address)
}

/// `TYPE.NAME` of a Terraform resource address, without module path or instance keys.
fn terraform_key(address: &str) -> Option<String> {
    let mut bare = String::with_capacity(address.len());
    let mut depth = 0usize;
    for c in address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => bare.push(c),
            _ => {}
        }
    }
    let mut parts = bare.rsplit('.');
    let (name, kind) = (parts.next()?, parts.next()?);
    (!kind.is_empty() && !name.is_empty()).then(|| format!("{kind}.{name}"))
}

/// A template's resources, and what its functions reach.
struct Template<'t> {
    resources: &'t Node,
    functions: cloudformation::Template<'t>,
}

impl<'t> Template<'t> {
    fn of(doc: &'t Node) -> Option<Template<'t>> {
        Some(Template {
            resources: doc.get("Resources")?,
            functions: cloudformation::Template::of(doc)?,
        })
    }

    /// The image `resource` runs: a task definition's first container image, a service's task
    /// definition's, a Lambda function's or batch job's image, an App Runner image.
    fn image(&self, resource: &Node, hops: usize) -> Option<String> {
        let properties = resource.get("Properties")?;
        let path: &[&str] = match resource.get("Type")?.text()? {
            "AWS::ECS::TaskDefinition" => {
                let Value::Seq(containers) = &properties.get("ContainerDefinitions")?.value else {
                    return None;
                };
                return containers
                    .iter()
                    .find_map(|c| self.resolve(c.get("Image")?));
            }
            "AWS::ECS::Service" if hops < MAX_HOPS => {
                let target = reference(properties.get("TaskDefinition")?)?;
                return self.image(self.resources.get(target)?, hops + 1);
            }
            "AWS::Lambda::Function" => &["Code", "ImageUri"],
            "AWS::Batch::JobDefinition" => &["ContainerProperties", "Image"],
            "AWS::AppRunner::Service" => {
                &["SourceConfiguration", "ImageRepository", "ImageIdentifier"]
            }
            _ => return None,
        };
        let value = path
            .iter()
            .try_fold(properties, |node, key| node.get(key))?;
        self.resolve(value)
    }

    /// A value as deployed, as far as the template alone says: a literal, or a function over
    /// parameter defaults and mappings ([`cloudformation::Template::resolve`]).
    fn resolve(&self, node: &Node) -> Option<String> {
        match &node.value {
            Value::Scalar { text, tag: None } => Some(text.clone()),
            _ => self.functions.resolve(node).map(|r| r.text),
        }
    }
}

/// The logical id a `!Ref X` / `{"Ref": "X"}` names.
fn reference(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Scalar {
            text,
            tag: Some(tag),
        } if tag == "!Ref" => Some(text),
        Value::Map(entries) => match entries.as_slice() {
            [(key, value)] if key == "Ref" => value.text(),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Parameters: {Tag: {Type: String, Default: latest}}
Resources:
  SyncerTask:
    Type: AWS::ECS::TaskDefinition
    Properties: {ContainerDefinitions: [{Name: syncer, Image: !Sub "${AWS::AccountId}.dkr.ecr.amazonaws.com/syncer:${Tag}"}]}
  SyncerService: {Type: AWS::ECS::Service, Properties: {TaskDefinition: !Ref SyncerTask}}
  Fn: {Type: AWS::Lambda::Function, Properties: {Code: {ImageUri: {"Ref": "Tag"}}}}
"#;

    #[test]
    fn a_service_runs_its_task_definitions_image_with_parameter_defaults() {
        let mut found = Declarations::default();
        found.add_template("stack.yaml", TEMPLATE);
        assert_eq!(
            found.image_for("SyncerService").as_deref(),
            Some("${AWS::AccountId}.dkr.ecr.amazonaws.com/syncer:latest")
        );
        assert_eq!(
            found.image_for("App/SyncerTask"),
            found.image_for("SyncerService")
        );
        assert_eq!(found.image_for("Fn").as_deref(), Some("latest"));
        assert_eq!(
            found.locate(PlanKind::CloudFormation, "Root/SyncerService"),
            Some(&Declaration {
                path: "stack.yaml".into(),
                line: 7
            })
        );
        // Two templates that disagree name no image; one declaration each is no longer unique.
        found.add_template("other.json", r#"{"Resources":{"SyncerService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":{"Ref":"T"}}},"T":{"Type":"AWS::ECS::TaskDefinition","Properties":{"ContainerDefinitions":[{"Image":"x/y:1.2"}]}}}}"#);
        assert_eq!(found.image_for("SyncerService"), None);
        assert_eq!(found.image_for("T").as_deref(), Some("x/y:1.2"));
        assert_eq!(
            found.locate(PlanKind::CloudFormation, "SyncerService"),
            None
        );
    }

    #[test]
    fn terraform_addresses_are_found_through_modules_and_instance_keys() {
        let mut found = Declarations::default();
        found.add_terraform(
            "lb.tf",
            "variable \"x\" {}\n\nresource \"aws_lb\" \"public\" {\n}\n",
        );
        for address in [
            "aws_lb.public",
            "module.web.aws_lb.public[0]",
            "module.web[\"a.b\"].aws_lb.public[\"k\"]",
        ] {
            assert_eq!(
                found.locate(PlanKind::Terraform, address),
                Some(&Declaration {
                    path: "lb.tf".into(),
                    line: 3
                }),
                "{address}"
            );
        }
        assert_eq!(found.locate(PlanKind::Terraform, "aws_lb.private"), None);
        assert_eq!(found.locate(PlanKind::Terraform, "aws_lb"), None);
        found.add_terraform("envs/b/lb.tf", "resource \"aws_lb\" \"public\" {}\n");
        assert_eq!(found.locate(PlanKind::Terraform, "aws_lb.public"), None);
    }
}
