//! CloudFormation templates (and the `resources.Resources` of a Serverless file) read at
//! resource level: each logical id with its type, so a resource that leaves one template for
//! another is seen to have moved.

use super::tree::{self, Node};

/// The resources a template declares, as `(logical id, type)`; none when the text is not a
/// YAML/JSON document (nothing can then be shown to have moved into it).
pub(crate) fn resources(text: &str) -> Vec<(String, String)> {
    let Ok(docs) = tree::parse(text) else {
        return Vec::new();
    };
    docs.iter()
        .filter_map(|doc| {
            doc.get("Resources")
                .or_else(|| doc.get("resources").and_then(|r| r.get("Resources")))
        })
        .filter_map(Node::entries)
        .flatten()
        .filter_map(|(id, resource)| {
            let kind = resource.get("Type")?.text()?;
            Some((id.to_string(), kind.to_string()))
        })
        .collect()
}

/// The scalar `Properties.<name>` of the resource `id` in a template, if it is written there.
pub(crate) fn property(text: &str, id: &str, name: &str) -> Option<String> {
    let docs = tree::parse(text).ok()?;
    docs.iter().find_map(|doc| {
        doc.get("Resources")
            .or_else(|| doc.get("resources").and_then(|r| r.get("Resources")))?
            .get(id)?
            .get("Properties")?
            .get(name)?
            .text()
            .map(str::to_string)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_with_types_from_templates_and_serverless_files() {
        let template =
            "Resources:\n  Lb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n  Odd: 3\n";
        assert_eq!(
            resources(template),
            vec![(
                "Lb".to_string(),
                "AWS::ElasticLoadBalancingV2::LoadBalancer".to_string()
            )]
        );
        let serverless =
            "{\"resources\": {\"Resources\": {\"T\": {\"Type\": \"AWS::DynamoDB::Table\"}}}}";
        assert_eq!(resources(serverless).len(), 1);
        assert!(resources("Resources: [unclosed").is_empty());
        let internal = "Resources:\n  Lb:\n    Properties:\n      Scheme: internal\n";
        assert_eq!(
            property(internal, "Lb", "Scheme").as_deref(),
            Some("internal")
        );
        assert_eq!(property(internal, "Other", "Scheme"), None);
    }
}
