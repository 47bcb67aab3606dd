//! What in a file points at a load balancer's hostname: references to a resource's DNS name
//! (CloudFormation `!GetAtt Lb.DNSName`, `Fn::GetAtt: [Lb, DNSName]`, `${Lb.DNSName}`;
//! Terraform `aws_lb.web.dns_name`, `module.alb.dns_name`/`lb_dns_name`) and load-balancer
//! hostnames written out (`….elb.amazonaws.com`), in records, zone files, origins or outputs.

use regex::Regex;
use std::sync::OnceLock;

/// What a pointer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A resource by its logical id or Terraform address (`aws_lb.web`, `module.alb`).
    Resource(String),
    /// A load-balancer hostname written out: it may be any load balancer's.
    Literal(String),
}

/// One place that points at a load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pointer {
    /// 1-based line.
    pub line: u32,
    /// What it points at.
    pub target: Target,
}

/// The words a line must hold to point at anything (the cheap test before any regex).
const NEEDLES: [&str; 3] = ["DNSName", "dns_name", "elb.amazonaws.com"];

/// How many lines before a bare `DNSName` a multi-line `Fn::GetAtt` list may start.
const GETATT_SPAN: usize = 3;

fn patterns() -> &'static [(Regex, bool); 3] {
    static PATTERNS: OnceLock<[(Regex, bool); 3]> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("a constant pattern");
        [
            // `!GetAtt Lb.DNSName`, `${Lb.DNSName}`, `Fn::GetAtt: [Lb, DNSName]`, JSON lists.
            (
                re(r#"(?:GetAtt"?\s*:?\s*\[\s*"?|GetAtt\s+"?|\$\{)([A-Za-z0-9]+)(?:"?\s*,\s*"?|\.)DNSName\b"#),
                false,
            ),
            // Terraform: `aws_lb.web.dns_name`, `module.alb.lb_dns_name`.
            (
                re(r"\b((?:aws_(?:lb|alb|elb)|module)\.[A-Za-z0-9_-]+)(?:\[[^\]]*\])?\.(?:lb_)?dns_name\b"),
                false,
            ),
            (
                re(r"(?i)\b[a-z0-9][a-z0-9.-]*\.elb\.(?:[a-z0-9-]+\.)?amazonaws\.com\b"),
                true,
            ),
        ]
    })
}

/// Whether `text` may point at a load balancer at all (no regex runs on a file that cannot).
pub(crate) fn may_point(text: &str) -> bool {
    NEEDLES
        .iter()
        .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some())
}

/// Every pointer in `text`, in line order.
pub(crate) fn pointers(text: &str) -> Vec<Pointer> {
    let mut out = Vec::new();
    if !may_point(text) {
        return out;
    }
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !NEEDLES.iter().any(|n| line.contains(n)) {
            continue;
        }
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let mut found = Vec::new();
        for (re, literal) in patterns() {
            for caps in re.captures_iter(line) {
                let Some(name) = caps.get(1).or_else(|| caps.get(0)) else {
                    continue;
                };
                found.push(match literal {
                    true => Target::Literal(name.as_str().to_ascii_lowercase()),
                    false => Target::Resource(name.as_str().to_string()),
                });
            }
        }
        // A `Fn::GetAtt` list written over several lines: read the lines before with this one.
        if found.is_empty() && line.contains("DNSName") {
            let joined = lines[i.saturating_sub(GETATT_SPAN)..=i]
                .iter()
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(name) = patterns()[0].0.captures(&joined).and_then(|c| c.get(1)) {
                found.push(Target::Resource(name.as_str().to_string()));
            }
        }
        found.dedup();
        out.extend(found.into_iter().map(|target| Pointer {
            line: number,
            target,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(text: &str) -> Vec<(u32, Target)> {
        pointers(text)
            .into_iter()
            .map(|p| (p.line, p.target))
            .collect()
    }

    fn resource(line: u32, name: &str) -> (u32, Target) {
        (line, Target::Resource(name.to_string()))
    }

    #[test]
    fn references_to_a_load_balancers_name_in_every_spelling() {
        let yaml = "Dns:\n  AliasTarget:\n    DNSName: !GetAtt Lb.DNSName\n    Other: !GetAtt [Web, DNSName]\n    Sub: !Sub 'https://${Api.DNSName}/'\n";
        assert_eq!(
            targets(yaml),
            vec![resource(3, "Lb"), resource(4, "Web"), resource(5, "Api")]
        );
        let json =
            "{\"DNSName\": {\n  \"Fn::GetAtt\": [\n    \"Classic\",\n    \"DNSName\"\n  ]\n}}\n";
        assert_eq!(targets(json), vec![resource(4, "Classic")]);
        let tf = "alias {\n  name = aws_lb.web.dns_name\n}\nrecords = [module.alb.lb_dns_name]\n";
        assert_eq!(
            targets(tf),
            vec![resource(2, "aws_lb.web"), resource(4, "module.alb")]
        );
        let zone = "api  300 IN CNAME pizza-lb-123.us-east-1.elb.amazonaws.com.\n";
        assert_eq!(
            targets(zone),
            vec![(
                1,
                Target::Literal("pizza-lb-123.us-east-1.elb.amazonaws.com".to_string())
            )]
        );
    }

    #[test]
    fn other_attributes_and_other_words_are_not_pointers() {
        assert!(targets("Arn: !GetAtt Lb.LoadBalancerFullName\nName: DNSName\n").is_empty());
        assert!(targets("zone_id = aws_lb.web.zone_id\n").is_empty());
    }
}
