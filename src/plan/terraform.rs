//! Terraform and OpenTofu plans, as `terraform show -json PLANFILE` (or `tofu show -json`)
//! writes them: `format_version` 1.x, and one `resource_changes[]` entry per resource instance
//! with its `change.actions`, `before`/`after` values and, for replacements, `replace_paths` and
//! `action_reason`. See `docs/plans.md` for the fields read and where they are specified.

use super::families::{Family, Removal, listing, terraform_family};
use super::model::{PlanAction, PlanError, PlanFinding, PlanKind};
use super::scan::{Subject, clip, cors_finding, image_finding, scan};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A validated Terraform / OpenTofu plan: its managed resource changes.
#[derive(Debug, Clone, Default)]
pub(super) struct TerraformPlan {
    changes: Vec<ResourceChange>,
    /// How many documents were merged into this plan.
    documents: usize,
}

#[derive(Debug, Clone)]
struct ResourceChange {
    /// Which merged document lists it.
    document: usize,
    /// "Terraform", or "OpenTofu" when its provider comes from OpenTofu's registry.
    tool: &'static str,
    address: String,
    resource_type: String,
    action: Action,
    reason: Option<String>,
    before: Value,
    after: Value,
    before_sensitive: Value,
    after_sensitive: Value,
    replace_paths: Vec<Vec<Value>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// `["no-op"]`: kept only to see what still points at what is deleted.
    NoOp,
    Create,
    Update,
    Delete,
    /// `destroy_first`: `["delete", "create"]`; otherwise `["create", "delete"]` (create_before_destroy).
    Replace {
        destroy_first: bool,
    },
}

impl Action {
    /// Reads `change.actions`. Terraform documents that a list containing `"delete"` always means
    /// the object is deleted, whatever combination future versions add; lists that change
    /// nothing (`no-op`, `read`, `forget`) are `None`.
    fn from_list(actions: &[&str]) -> Option<Action> {
        let at = |name: &str| actions.iter().position(|a| *a == name);
        match (at("delete"), at("create")) {
            (Some(d), Some(c)) => Some(Action::Replace {
                destroy_first: d < c,
            }),
            (Some(_), None) => Some(Action::Delete),
            (None, Some(_)) => Some(Action::Create),
            (None, None) if at("update").is_some() => Some(Action::Update),
            (None, None) => at("no-op").map(|_| Action::NoOp),
        }
    }

    fn plan_action(self) -> PlanAction {
        match self {
            Action::NoOp | Action::Update => PlanAction::Update,
            Action::Create => PlanAction::Create,
            Action::Delete => PlanAction::Delete,
            Action::Replace { .. } => PlanAction::Replace,
        }
    }
}

fn invalid(what: String) -> PlanError {
    PlanError::new(what, PlanKind::Terraform.recipe())
}

/// `map[key]` as a string, or an error naming `at.key`.
fn string_at(map: &Map<String, Value>, key: &str, at: &str) -> Result<String, PlanError> {
    match map.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(invalid(format!("`{at}.{key}` is not a string"))),
        None => Err(invalid(format!("`{at}.{key}` is missing"))),
    }
}

impl TerraformPlan {
    /// Validates the document and keeps what judging needs.
    pub(super) fn from_json(value: Value) -> Result<Self, PlanError> {
        let Value::Object(mut top) = value else {
            return Err(wrong_document(&value));
        };
        if top.contains_key("Changes") || top.contains_key("ChangeSetId") {
            return Err(wrong_document(&Value::Object(top)));
        }
        check_version(&top)?;
        if top.get("errored") == Some(&Value::Bool(true)) {
            return Err(PlanError::new(
                "the plan is marked `errored`: planning failed, so it does not list everything apply would do",
                "fix the errors `terraform plan` reports, then save and show the plan again",
            ));
        }
        let changes = match top.remove("resource_changes") {
            None | Some(Value::Null) => {
                if top.contains_key("values") && !top.contains_key("planned_values") {
                    return Err(PlanError::new(
                        "this is Terraform state, not a plan (it has `values` and no `resource_changes`)",
                        PlanKind::Terraform.recipe(),
                    ));
                }
                Vec::new()
            }
            Some(Value::Array(items)) => items,
            Some(_) => return Err(invalid("`resource_changes` is not a list".into())),
        };
        let mut plan = TerraformPlan {
            changes: Vec::new(),
            documents: 1,
        };
        for (i, item) in changes.into_iter().enumerate() {
            if let Some(change) = ResourceChange::from_json(item, i)? {
                plan.changes.push(change);
            }
        }
        Ok(plan)
    }

    pub(super) fn len(&self) -> usize {
        self.changes.len()
    }

    pub(super) fn extend(&mut self, other: TerraformPlan) {
        for mut change in other.changes {
            change.document += self.documents;
            self.changes.push(change);
        }
        self.documents += other.documents;
    }

    pub(super) fn judge(&self) -> Vec<PlanFinding> {
        let mut referrers = self.referrers();
        let mut out = Vec::new();
        for (i, change) in self.changes.iter().enumerate() {
            let first = out.len();
            change.judge(referrers.remove(&i).unwrap_or_default(), &mut out);
            for finding in &mut out[first..] {
                finding.document = change.document;
            }
        }
        out
    }

    /// For each load balancer or CDN distribution the plan deletes or replaces, the resources
    /// whose values after the plan still name its hostname (a DNS alias, a CDN origin): the
    /// seed 001 shape, seen inside the plan. References from outside the plan stay unknown.
    fn referrers(&self) -> HashMap<usize, Vec<String>> {
        let mut hostnames: HashMap<String, usize> = HashMap::new();
        for (i, change) in self.changes.iter().enumerate() {
            let removed = matches!(change.action, Action::Delete | Action::Replace { .. });
            let entry_point = matches!(
                terraform_family(&change.resource_type),
                Some(Family::LoadBalancer | Family::Cdn)
            );
            if removed && entry_point {
                for key in ["dns_name", "domain_name"] {
                    if let Some(Value::String(host)) = change.before.get(key) {
                        hostnames.insert(hostname(host), i);
                    }
                }
            }
        }
        let mut found: HashMap<usize, Vec<String>> = HashMap::new();
        if hostnames.is_empty() {
            return found;
        }
        for (j, change) in self.changes.iter().enumerate() {
            if change.action == Action::Delete {
                continue;
            }
            for_each_string(&change.after, |s| {
                if let Some(&i) = hostnames.get(&hostname(s)) {
                    let list = found.entry(i).or_default();
                    // Each resource is visited once, so a repeat can only be the last one added.
                    if i != j && list.last() != Some(&change.address) {
                        list.push(change.address.clone());
                    }
                }
            });
        }
        found
    }
}

/// A hostname as DNS compares it: case-insensitive, without the root dot or the `dualstack.`
/// prefix Route 53 aliases add to load-balancer names.
fn hostname(name: &str) -> String {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    match name.strip_prefix("dualstack.") {
        Some(rest) => rest.to_string(),
        None => name,
    }
}

/// Calls `f` on every string inside `value` (iteratively: the depth is the input's to choose).
fn for_each_string(value: &Value, mut f: impl FnMut(&str)) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::String(s) => f(s),
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.values()),
            _ => {}
        }
    }
}

/// The error for JSON that is not a Terraform plan at all.
fn wrong_document(value: &Value) -> PlanError {
    let is_change_set = match value {
        Value::Array(items) => items.iter().any(|i| i.get("Changes").is_some()),
        other => other.get("Changes").is_some() || other.get("ChangeSetId").is_some(),
    };
    if is_change_set {
        PlanError::new(
            "this is a CloudFormation change set, not a Terraform plan",
            "pass it as --plan cloudformation=FILE",
        )
    } else {
        invalid("not a Terraform plan: expected a JSON object with `format_version` and `resource_changes`".into())
    }
}

/// Terraform promises to bump the major `format_version` for incompatible changes and asks
/// consumers to reject majors they do not know; this reader knows 1.x.
fn check_version(top: &Map<String, Value>) -> Result<(), PlanError> {
    let Some(version) = top.get("format_version") else {
        return Err(invalid(
            "not a Terraform plan: `format_version` is missing".into(),
        ));
    };
    let Some(version) = version.as_str() else {
        return Err(invalid("`format_version` is not a string".into()));
    };
    let major = version.split('.').next().unwrap_or_default();
    if major != "1" {
        return Err(PlanError::new(
            format!(
                "plan format_version {} is not supported (this gate reads 1.x)",
                clip(version)
            ),
            "use a deploy-guard release that reads this format, or show the plan with Terraform / OpenTofu 1.x",
        ));
    }
    Ok(())
}

impl ResourceChange {
    /// One `resource_changes[i]` entry; `None` for data sources, deposed objects and changes
    /// that change nothing.
    fn from_json(item: Value, i: usize) -> Result<Option<Self>, PlanError> {
        let at = format!("resource_changes[{i}]");
        let Value::Object(mut item) = item else {
            return Err(invalid(format!("`{at}` is not an object")));
        };
        if item.get("mode").and_then(Value::as_str) == Some("data") {
            return Ok(None);
        }
        let address = string_at(&item, "address", &at)?;
        let from_tofu = item
            .get("provider_name")
            .and_then(Value::as_str)
            .is_some_and(|p| p.starts_with("registry.opentofu.org/"));
        let resource_type = string_at(&item, "type", &at)?;
        let at = format!("{at}.change");
        let Some(Value::Object(mut change)) = item.remove("change") else {
            return Err(invalid(format!("`{at}` is missing or not an object")));
        };
        let actions: Option<Vec<&str>> = match change.get("actions") {
            Some(Value::Array(list)) => list.iter().map(Value::as_str).collect(),
            _ => None,
        };
        let Some(actions) = actions else {
            return Err(invalid(format!(
                "`{at}.actions` is missing or not a list of strings"
            )));
        };
        // A deposed object is the leftover of an interrupted create_before_destroy: deleting
        // it finishes a replacement that already happened.
        let deposed = item.get("deposed").is_some_and(|d| !d.is_null());
        let Some(action) = Action::from_list(&actions).filter(|_| !deposed) else {
            return Ok(None);
        };
        let replace_paths = match change.remove("replace_paths") {
            Some(Value::Array(paths)) => paths
                .into_iter()
                .filter_map(|p| match p {
                    Value::Array(steps) => Some(steps),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let mut take = |key: &str| change.remove(key).unwrap_or(Value::Null);
        Ok(Some(ResourceChange {
            document: 0,
            tool: if from_tofu { "OpenTofu" } else { "Terraform" },
            address,
            resource_type,
            action,
            reason: item
                .get("action_reason")
                .and_then(Value::as_str)
                .map(str::to_string),
            before: take("before"),
            after: take("after"),
            before_sensitive: take("before_sensitive"),
            after_sensitive: take("after_sensitive"),
            replace_paths,
        }))
    }

    fn judge(&self, referrers: Vec<String>, out: &mut Vec<PlanFinding>) {
        if let (Some(family), Action::Delete | Action::Replace { .. }) =
            (terraform_family(&self.resource_type), self.action)
        {
            let removal = Removal {
                tool: self.tool,
                family,
                address: &self.address,
                resource_type: &self.resource_type,
                replace: matches!(self.action, Action::Replace { .. }),
                certain: true,
                place: None,
                causes: self.causes(),
                referrers,
                detail: self.replace_detail(),
            };
            out.extend(removal.finding());
        }
        let verb = match self.action {
            Action::NoOp | Action::Delete => return,
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace { .. } => "replace",
        };
        let subject = Subject {
            lead: format!("{} will {verb} `{}` with", self.tool, self.address),
            address: &self.address,
            resource_type: &self.resource_type,
            action: self.action.plan_action(),
        };
        let before = scan(Some(&self.before), Some(&self.before_sensitive));
        let after = scan(Some(&self.after), Some(&self.after_sensitive));
        out.extend(image_finding(&subject, &before.images, &after.images));
        out.extend(cors_finding(&subject, &before.origins, &after.origins));
    }

    /// Why the resource is deleted or replaced, in plain words.
    fn causes(&self) -> Vec<String> {
        let mut causes = Vec::new();
        let paths: Vec<String> = self.replace_paths.iter().map(|p| path_text(p)).collect();
        match paths.as_slice() {
            [] => {}
            [one] => causes.push(format!("`{one}` forces replacement")),
            many => causes.push(format!(
                "{} force replacement",
                listing(many.iter().map(|p| format!("`{p}`")), many.len())
            )),
        }
        let reason = match self.reason.as_deref() {
            None => None,
            Some("replace_because_cannot_update") if !paths.is_empty() => None,
            Some("replace_because_cannot_update") => {
                Some("the provider cannot change it in place".to_string())
            }
            Some("replace_by_request") => Some("requested with `-replace`".into()),
            Some("replace_because_tainted") => Some(
                "it is tainted: an earlier apply failed part-way, or it was marked with `taint`"
                    .into(),
            ),
            Some("replace_by_triggers") => Some("its `replace_triggered_by` fired".into()),
            Some("delete_because_no_resource_config") => {
                Some("it is no longer in the configuration".into())
            }
            Some("delete_because_no_module") => {
                Some("its module instance is no longer declared".into())
            }
            Some("delete_because_count_index") => {
                Some("its index is beyond the new `count`".into())
            }
            Some("delete_because_each_key") => Some("its key is no longer in `for_each`".into()),
            Some("delete_because_wrong_repetition") => {
                Some("its instance key no longer fits `count` / `for_each`".into())
            }
            Some(other) => Some(format!("reason: {}", clip(other))),
        };
        causes.extend(reason);
        if let Action::Replace { destroy_first } = self.action {
            causes.push(if destroy_first {
                "the old one is destroyed before the new one exists".into()
            } else {
                "create_before_destroy: the new one is created first".into()
            });
        }
        causes
    }

    /// For each attribute forcing the replacement, its value before and after.
    fn replace_detail(&self) -> Vec<String> {
        self.replace_paths
            .iter()
            .map(|path| {
                let shown = |value: &Value, sensitive: &Value| {
                    if is_hidden(sensitive, path) {
                        return "(sensitive)".to_string();
                    }
                    match follow(value, path) {
                        None | Some(Value::Null) => "(unset or known after apply)".into(),
                        Some(Value::String(s)) => format!("\"{}\"", clip(s)),
                        Some(v @ (Value::Bool(_) | Value::Number(_))) => v.to_string(),
                        Some(_) => "(changed)".into(),
                    }
                };
                format!(
                    "{}: {} → {}",
                    path_text(path),
                    shown(&self.before, &self.before_sensitive),
                    shown(&self.after, &self.after_sensitive)
                )
            })
            .collect()
    }
}

/// A `replace_paths` entry as an attribute path: `["subnet_mapping", 0, "subnet_id"]` is
/// `subnet_mapping[0].subnet_id`.
fn path_text(steps: &[Value]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Value::String(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&clip(key));
            }
            Value::Number(n) => out.push_str(&format!("[{n}]")),
            other => out.push_str(&format!("[{}]", clip(&other.to_string()))),
        }
    }
    out
}

/// The value at `path` inside `value`, if every step exists.
fn follow<'v>(value: &'v Value, path: &[Value]) -> Option<&'v Value> {
    path.iter().try_fold(value, |at, step| match step {
        Value::String(key) => at.get(key.as_str()),
        Value::Number(n) => at.get(usize::try_from(n.as_u64()?).ok()?),
        _ => None,
    })
}

/// Whether a `*_sensitive` mirror marks `path`, or a block containing it, as sensitive.
fn is_hidden(sensitive: &Value, path: &[Value]) -> bool {
    (0..=path.len()).any(|n| follow(sensitive, &path[..n]) == Some(&Value::Bool(true)))
}
