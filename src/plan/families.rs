//! Which resources carry traffic or hold data, the rules a plan can break, and the plain-words
//! message for a deletion or replacement. Shared by the Terraform and CloudFormation readers so
//! both speak the same way about the same hazard. The type lists follow `rules/infra.toml`.

use super::model::{PlanAction, PlanFinding};
use crate::finding::Severity;

/// One rule the plan layer can report, for `deploy-guard rules` and `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRule {
    /// The rule id, `category/name`.
    pub id: &'static str,
    /// Its default severity.
    pub severity: Severity,
    /// One line: what it reports.
    pub summary: &'static str,
}

const fn rule(id: &'static str, severity: Severity, summary: &'static str) -> PlanRule {
    PlanRule {
        id,
        severity,
        summary,
    }
}

pub(super) const DELETES_LB: PlanRule = rule(
    "infra/plan-deletes-load-balancer",
    Severity::Error,
    "a plan deletes a load balancer",
);
pub(super) const REPLACES_LB: PlanRule = rule(
    "infra/plan-replaces-load-balancer",
    Severity::Error,
    "a plan replaces a load balancer (the new one has a new hostname)",
);
pub(super) const REMOVES_LB_PART: PlanRule = rule(
    "infra/plan-removes-load-balancer-part",
    Severity::Warning,
    "a plan deletes or replaces a listener, target group, URL map or proxy",
);
pub(super) const DELETES_DNS: PlanRule = rule(
    "infra/plan-deletes-dns-record",
    Severity::Error,
    "a plan deletes a DNS record or zone",
);
pub(super) const REPLACES_DNS: PlanRule = rule(
    "infra/plan-replaces-dns-record",
    Severity::Error,
    "a plan replaces a DNS record or zone",
);
pub(super) const DELETES_CDN: PlanRule = rule(
    "infra/plan-deletes-cdn-distribution",
    Severity::Error,
    "a plan deletes a CDN distribution",
);
pub(super) const REPLACES_CDN: PlanRule = rule(
    "infra/plan-replaces-cdn-distribution",
    Severity::Error,
    "a plan replaces a CDN distribution (the new one has a new hostname)",
);
pub(super) const DELETES_DATASTORE: PlanRule = rule(
    "infra/plan-deletes-datastore",
    Severity::Error,
    "a plan deletes a database, table, bucket, cache or file system",
);
pub(super) const REPLACES_DATASTORE: PlanRule = rule(
    "infra/plan-replaces-datastore",
    Severity::Error,
    "a plan replaces a database, table, bucket, cache or file system (the new one starts empty)",
);
pub(super) const DELETES_SERVICE: PlanRule = rule(
    "infra/plan-deletes-service",
    Severity::Error,
    "a plan deletes a running service (ECS, Cloud Run, Kubernetes deployment…)",
);
pub(super) const REPLACES_SERVICE: PlanRule = rule(
    "infra/plan-replaces-service",
    Severity::Warning,
    "a plan replaces a running service, resetting what was set outside the configuration",
);
pub(super) const DELETES_NESTED_STACK: PlanRule = rule(
    "infra/plan-deletes-nested-stack",
    Severity::Warning,
    "a CloudFormation change set deletes a nested stack and everything in it",
);
pub(super) const PINNED_TO_MUTABLE: PlanRule = rule(
    "image/plan-pinned-to-mutable",
    Severity::Error,
    "a plan changes a running image from a pinned tag or digest to a mutable one",
);
pub(super) const LATEST_TAG: PlanRule = rule(
    "image/plan-latest-tag",
    Severity::Error,
    "a plan deploys an image tagged 'latest' or not tagged at all",
);
pub(super) const ENV_TAG: PlanRule = rule(
    "image/plan-env-tag",
    Severity::Warning,
    "a plan deploys an image with an environment-named tag (staging, dev…)",
);
pub(super) const FLOATING_TAG: PlanRule = rule(
    "image/plan-floating-tag",
    Severity::Warning,
    "a plan deploys an image with a channel tag that moves by design (stable, main…)",
);
pub(super) const WILDCARD_ORIGIN: PlanRule = rule(
    "cors/plan-wildcard-origin",
    Severity::Error,
    "a plan opens CORS to every origin ('*' or a match-all pattern)",
);
pub(super) const NESTED_MISSING: PlanRule = rule(
    "guard/plan-nested-change-set-missing",
    Severity::Warning,
    "a change set changes a nested stack whose own change set was not given",
);

const RULES: &[PlanRule] = &[
    DELETES_LB,
    REPLACES_LB,
    REMOVES_LB_PART,
    DELETES_DNS,
    REPLACES_DNS,
    DELETES_CDN,
    REPLACES_CDN,
    DELETES_DATASTORE,
    REPLACES_DATASTORE,
    DELETES_SERVICE,
    REPLACES_SERVICE,
    DELETES_NESTED_STACK,
    PINNED_TO_MUTABLE,
    LATEST_TAG,
    ENV_TAG,
    FLOATING_TAG,
    WILDCARD_ORIGIN,
    NESTED_MISSING,
];

/// Every rule the plan layer can report, with its default severity.
pub fn rules() -> &'static [PlanRule] {
    RULES
}

/// What a resource is, as far as a deletion or replacement is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    LoadBalancer,
    LoadBalancerPart,
    Dns,
    Cdn,
    Datastore,
    Service,
    NestedStack,
}

/// Whether a Terraform or CloudFormation resource type is a load balancer itself (not a
/// listener or target group): what DNS names, and what the engine grades by what points at it.
pub fn is_load_balancer(resource_type: &str) -> bool {
    terraform_family(resource_type)
        .or_else(|| cloudformation_family(resource_type))
        .is_some_and(|f| f == Family::LoadBalancer)
}

/// The family of a Terraform / OpenTofu resource type.
pub(super) fn terraform_family(resource_type: &str) -> Option<Family> {
    Some(match resource_type {
        "aws_lb"
        | "aws_alb"
        | "aws_elb"
        | "google_compute_forwarding_rule"
        | "google_compute_global_forwarding_rule"
        | "azurerm_lb"
        | "azurerm_application_gateway" => Family::LoadBalancer,
        "aws_lb_listener"
        | "aws_alb_listener"
        | "aws_lb_target_group"
        | "aws_alb_target_group"
        | "google_compute_url_map"
        | "google_compute_region_url_map"
        | "google_compute_target_http_proxy"
        | "google_compute_target_https_proxy"
        | "google_compute_region_target_http_proxy"
        | "google_compute_region_target_https_proxy" => Family::LoadBalancerPart,
        "aws_route53_record"
        | "aws_route53_zone"
        | "google_dns_record_set"
        | "google_dns_managed_zone"
        | "azurerm_dns_a_record"
        | "azurerm_dns_aaaa_record"
        | "azurerm_dns_cname_record"
        | "azurerm_dns_zone"
        | "cloudflare_record"
        | "cloudflare_dns_record" => Family::Dns,
        "aws_cloudfront_distribution"
        | "azurerm_cdn_endpoint"
        | "azurerm_cdn_frontdoor_endpoint"
        | "fastly_service_vcl" => Family::Cdn,
        "aws_db_instance"
        | "aws_rds_cluster"
        | "aws_dynamodb_table"
        | "aws_s3_bucket"
        | "aws_elasticache_cluster"
        | "aws_elasticache_replication_group"
        | "aws_elasticache_serverless_cache"
        | "aws_efs_file_system"
        | "aws_docdb_cluster"
        | "aws_opensearch_domain"
        | "aws_elasticsearch_domain"
        | "aws_memorydb_cluster"
        | "google_sql_database_instance"
        | "google_storage_bucket"
        | "google_redis_instance"
        | "azurerm_mssql_server"
        | "azurerm_postgresql_server"
        | "azurerm_postgresql_flexible_server"
        | "azurerm_mysql_flexible_server"
        | "azurerm_storage_account"
        | "azurerm_redis_cache"
        | "azurerm_cosmosdb_account" => Family::Datastore,
        "aws_ecs_service"
        | "aws_apprunner_service"
        | "google_cloud_run_service"
        | "google_cloud_run_v2_service"
        | "kubernetes_deployment"
        | "kubernetes_deployment_v1"
        | "azurerm_container_app" => Family::Service,
        _ => return None,
    })
}

/// The family of a CloudFormation resource type.
pub(super) fn cloudformation_family(resource_type: &str) -> Option<Family> {
    Some(match resource_type {
        "AWS::ElasticLoadBalancingV2::LoadBalancer" | "AWS::ElasticLoadBalancing::LoadBalancer" => {
            Family::LoadBalancer
        }
        "AWS::ElasticLoadBalancingV2::Listener" | "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            Family::LoadBalancerPart
        }
        "AWS::Route53::RecordSet" | "AWS::Route53::RecordSetGroup" | "AWS::Route53::HostedZone" => {
            Family::Dns
        }
        "AWS::CloudFront::Distribution" => Family::Cdn,
        "AWS::RDS::DBInstance"
        | "AWS::RDS::DBCluster"
        | "AWS::DynamoDB::Table"
        | "AWS::DynamoDB::GlobalTable"
        | "AWS::S3::Bucket"
        | "AWS::ElastiCache::CacheCluster"
        | "AWS::ElastiCache::ReplicationGroup"
        | "AWS::ElastiCache::ServerlessCache"
        | "AWS::EFS::FileSystem"
        | "AWS::DocDB::DBCluster"
        | "AWS::OpenSearchService::Domain"
        | "AWS::Elasticsearch::Domain"
        | "AWS::MemoryDB::Cluster" => Family::Datastore,
        "AWS::ECS::Service" | "AWS::AppRunner::Service" => Family::Service,
        "AWS::CloudFormation::Stack" => Family::NestedStack,
        _ => return None,
    })
}

impl Family {
    /// What the resource is, in a sentence.
    fn noun(self) -> &'static str {
        match self {
            Family::LoadBalancer => "load balancer",
            Family::LoadBalancerPart => "load-balancer listener or target group",
            Family::Dns => "DNS record",
            Family::Cdn => "CDN distribution",
            Family::Datastore => "datastore",
            Family::Service => "service",
            Family::NestedStack => "nested stack",
        }
    }

    /// The rule a deletion or replacement breaks, if any.
    fn rule(self, replace: bool) -> Option<PlanRule> {
        let (on_delete, on_replace) = match self {
            Family::LoadBalancer => (DELETES_LB, Some(REPLACES_LB)),
            Family::LoadBalancerPart => (REMOVES_LB_PART, Some(REMOVES_LB_PART)),
            Family::Dns => (DELETES_DNS, Some(REPLACES_DNS)),
            Family::Cdn => (DELETES_CDN, Some(REPLACES_CDN)),
            Family::Datastore => (DELETES_DATASTORE, Some(REPLACES_DATASTORE)),
            Family::Service => (DELETES_SERVICE, Some(REPLACES_SERVICE)),
            Family::NestedStack => (DELETES_NESTED_STACK, None),
        };
        if replace { on_replace } else { Some(on_delete) }
    }

    /// What breaks, and what to do instead.
    fn consequence(self, replace: bool) -> &'static str {
        match (self, replace) {
            (Family::LoadBalancer, false) => {
                "every DNS record, CDN origin and client that still points at its hostname fails; keep it, or move DNS and clients to its successor first and delete it in a later change"
            }
            (Family::LoadBalancer, true) => {
                "the new one gets a new DNS name, so anything that still points at the old hostname fails. Check that nothing outside this plan (DNS in another zone or account, CDN origins, partner allowlists, clients) still points at the old one; prefer an in-place change, or add the new load balancer, move DNS, and remove the old one in a later change"
            }
            (Family::LoadBalancerPart, _) => {
                "traffic it routes fails until its successor is attached; check the listener rules and target registrations that depend on it"
            }
            (Family::Dns, false) => {
                "the name stops resolving for every client (resolvers cache the miss); keep the record, or create its successor before removing it"
            }
            (Family::Dns, true) => {
                "the name does not resolve between the delete and the create, and the create can fail while the old record exists; change it in place, or add the new record first and remove the old one later"
            }
            (Family::Cdn, false) => {
                "every domain aliased to it stops serving; keep it, or move the aliases to its successor first"
            }
            (Family::Cdn, true) => {
                "the new one has a new hostname and cannot take the aliases while the old one holds them; change it in place, or create the new one, move the aliases, then delete the old one"
            }
            (Family::Datastore, false) => {
                "its data is gone (or orphaned) and whatever reads it fails; keep it, or migrate the data and switch readers first, and protect it from deletion"
            }
            (Family::Datastore, true) => {
                "the new one starts empty and the old one's data is deleted; change the attribute in place if the provider allows it, or create the new store, migrate, switch readers, and remove the old one later"
            }
            (Family::Service, false) => {
                "it stops serving; make sure nothing still sends it traffic or work"
            }
            (Family::Service, true) => {
                "the new one starts from the configuration alone: anything set outside it (an image pinned by the deploy pipeline, a scaled-out desired count) is reset. Check the image it will run and its capacity"
            }
            (Family::NestedStack, _) => {
                "every resource in it is deleted, and this change set does not list them; check that it holds no load balancer, DNS record or datastore still in use"
            }
        }
    }
}

/// How many lines a finding's detail lists before saying "and N more".
const MAX_LISTED: usize = 20;

/// How many causes a message names before saying "and N more".
const MAX_CAUSES: usize = 5;

/// `lines`, cut to [`MAX_LISTED`] with a last line saying how many more there were.
pub(super) fn capped(mut lines: Vec<String>) -> Vec<String> {
    if lines.len() > MAX_LISTED {
        let more = lines.len() - MAX_LISTED;
        lines.truncate(MAX_LISTED);
        lines.push(format!("… and {more} more"));
    }
    lines
}

/// The first few of `total` names, joined: "`a`, `b`, `c` and 7 more".
pub(super) fn listing(names: impl Iterator<Item = String>, total: usize) -> String {
    const IN_MESSAGE: usize = 3;
    let first: Vec<String> = names.take(IN_MESSAGE).collect();
    match total.saturating_sub(IN_MESSAGE) {
        0 => first.join(", "),
        more => format!("{} and {more} more", first.join(", ")),
    }
}

/// A deletion or replacement of one resource, as either tool describes it.
pub(super) struct Removal<'a> {
    /// "Terraform", "OpenTofu" or "CloudFormation".
    pub tool: &'static str,
    pub family: Family,
    pub address: &'a str,
    pub resource_type: &'a str,
    pub replace: bool,
    /// `false` when the tool says the replacement may not happen (CloudFormation's `Conditional`).
    pub certain: bool,
    /// Where it lives, when that helps: "stack `pizza-service`".
    pub place: Option<String>,
    /// Why, in plain words: "it is no longer in the configuration", "`name` forces replacement".
    pub causes: Vec<String>,
    /// Other resources in the plan that still point at it.
    pub referrers: Vec<String>,
    /// Facts for the detail lines.
    pub detail: Vec<String>,
}

impl Removal<'_> {
    /// The finding, or `None` when the family has no rule for this action.
    pub(super) fn finding(self) -> Option<PlanFinding> {
        let rule = self.family.rule(self.replace)?;
        let verb = match (self.replace, self.certain) {
            (false, _) => "will delete",
            (true, true) => "will replace",
            (true, false) => "may replace",
        };
        let place = self
            .place
            .map(|place| format!(" in {place}"))
            .unwrap_or_default();
        let why = match self.causes.len() {
            0 => String::new(),
            n if n > MAX_CAUSES => format!(
                " ({}; and {} more)",
                self.causes[..MAX_CAUSES].join("; "),
                n - MAX_CAUSES
            ),
            _ => format!(" ({})", self.causes.join("; ")),
        };
        let still = match self.referrers.as_slice() {
            [] => String::new(),
            [one] => format!(", and `{one}` still points at it"),
            many => format!(
                ", and {} still point at it",
                listing(many.iter().map(|r| format!("`{r}`")), many.len())
            ),
        };
        let message = format!(
            "{} {verb} {} `{}`{place}{why}{still}: {}",
            self.tool,
            self.family.noun(),
            self.address,
            self.family.consequence(self.replace)
        );
        let mut detail = capped(self.detail);
        detail.extend(capped(
            self.referrers
                .iter()
                .map(|r| format!("still points at it: {r}"))
                .collect(),
        ));
        Some(PlanFinding {
            rule: rule.id,
            severity: rule.severity,
            address: self.address.to_string(),
            resource_type: self.resource_type.to_string(),
            action: if self.replace {
                PlanAction::Replace
            } else {
                PlanAction::Delete
            },
            message,
            detail,
            document: 0,
        })
    }
}
