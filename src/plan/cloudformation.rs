//! CloudFormation change sets, as `aws cloudformation describe-change-set` returns them (with or
//! without `--include-property-values`), one document or a JSON array of several: a root change
//! set and the nested ones its `AWS::CloudFormation::Stack` changes point at by `ChangeSetId`.
//! See `docs/plans.md` for the fields read and where they are specified.

use super::families::{Family, NESTED_MISSING, Removal, cloudformation_family};
use super::model::{PlanAction, PlanContext, PlanError, PlanFinding, PlanKind};
use super::scan::{Found, Subject, clip, cors_finding, image_finding, scan};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

const STACK: &str = "AWS::CloudFormation::Stack";
const ECS_SERVICE: &str = "AWS::ECS::Service";
const TASK_DEFINITION: &str = "AWS::ECS::TaskDefinition";
/// Types whose properties name the image they run.
const IMAGE_TYPES: &[&str] = &[
    TASK_DEFINITION,
    "AWS::Batch::JobDefinition",
    "AWS::Lambda::Function",
    "AWS::AppRunner::Service",
];

/// Validated change sets: a root and, when given, its nested change sets.
#[derive(Debug, Clone, Default)]
pub(super) struct ChangeSets {
    sets: Vec<ChangeSet>,
    /// How many documents were merged into these change sets.
    documents: usize,
}

#[derive(Debug, Clone)]
struct ChangeSet {
    /// Which merged document it came from.
    document: usize,
    id: Option<String>,
    stack: Option<String>,
    changes: Vec<Change>,
}

#[derive(Debug, Clone)]
struct Change {
    logical_id: String,
    resource_type: String,
    action: String,
    replacement: Option<String>,
    details: Vec<Detail>,
    /// For an `AWS::CloudFormation::Stack` change: the nested stack's change set.
    nested: Option<String>,
    /// `Properties` of `BeforeContext` / `AfterContext`, when property values were included.
    before: Option<Value>,
    after: Option<Value>,
    /// The resource is kept when removed (`PolicyAction: Retain`, `DeletionPolicy: Retain`).
    retained: bool,
}

#[derive(Debug, Clone, Default)]
struct Detail {
    name: Option<String>,
    recreation: Option<String>,
    source: Option<String>,
    entity: Option<String>,
    before_value: Option<String>,
    after_value: Option<String>,
}

fn invalid(what: String) -> PlanError {
    PlanError::new(what, PlanKind::CloudFormation.recipe())
}

fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(Value::as_str).map(str::to_string)
}

impl ChangeSets {
    /// Validates one `describe-change-set` document or a JSON array of them.
    pub(super) fn from_json(value: Value) -> Result<Self, PlanError> {
        let docs = match value {
            Value::Array(items) if items.is_empty() => {
                return Err(invalid("an empty list: no change set to judge".into()));
            }
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, doc)| (format!("[{i}]."), doc))
                .collect(),
            doc @ Value::Object(_) => vec![(String::new(), doc)],
            _ => {
                return Err(invalid(
                    "not a change set: expected the JSON object `describe-change-set` prints (or a list of them)".into(),
                ));
            }
        };
        let sets = docs
            .into_iter()
            .map(|(at, doc)| ChangeSet::from_json(doc, &at))
            .collect::<Result<_, _>>()?;
        Ok(ChangeSets { sets, documents: 1 })
    }

    pub(super) fn len(&self) -> usize {
        self.sets.iter().map(|s| s.changes.len()).sum()
    }

    pub(super) fn extend(&mut self, other: ChangeSets) {
        let shift = self.documents;
        self.documents += other.documents;
        self.sets
            .extend(other.sets.into_iter().map(|set| ChangeSet {
                document: set.document + shift,
                ..set
            }));
    }

    /// Judges every change set, each nested one under the address of the stack that holds it.
    pub(super) fn judge(&self, ctx: &dyn PlanContext) -> Vec<PlanFinding> {
        let by_id: HashMap<&str, usize> = self
            .sets
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((s.id.as_deref()?, i)))
            .collect();
        let nested: HashSet<usize> = self
            .sets
            .iter()
            .flat_map(|s| &s.changes)
            .filter_map(|c| by_id.get(c.nested.as_deref()?).copied())
            .collect();
        let mut visited = vec![false; self.sets.len()];
        let mut out = Vec::new();
        // Roots first, then anything left (a cycle of change sets naming each other).
        let roots = (0..self.sets.len()).filter(|i| !nested.contains(i));
        for start in roots.chain(0..self.sets.len()) {
            // An explicit stack: nesting depth is the input's to choose, the call stack is not.
            let mut pending = vec![(start, String::new())];
            while let Some((i, prefix)) = pending.pop() {
                if std::mem::replace(&mut visited[i], true) {
                    continue;
                }
                let children = self.sets[i].judge(&prefix, &by_id, ctx, &mut out);
                pending.extend(children.into_iter().rev());
            }
        }
        out
    }
}

impl ChangeSet {
    fn from_json(doc: Value, at: &str) -> Result<Self, PlanError> {
        let Value::Object(mut doc) = doc else {
            return Err(invalid(format!(
                "`{at}` is not a change set object",
                at = at.trim_end_matches('.')
            )));
        };
        recognise(&doc)?;
        let name = text(&doc, "ChangeSetName").unwrap_or_else(|| "(unnamed)".into());
        let status = text(&doc, "Status").unwrap_or_default();
        if matches!(status.as_str(), "CREATE_PENDING" | "CREATE_IN_PROGRESS") {
            return Err(PlanError::new(
                format!(
                    "change set {name} is still being created (Status {status}), so its list of changes is incomplete"
                ),
                "wait for it: `aws cloudformation wait change-set-create-complete --stack-name STACK --change-set-name NAME`, then describe it again",
            ));
        }
        if doc.get("NextToken").is_some_and(|t| !t.is_null()) {
            return Err(PlanError::new(
                format!(
                    "change set {name} is one page of several (`NextToken` is set), so changes are missing"
                ),
                "describe it with the AWS CLI without --max-items or --no-paginate (the CLI then fetches every page)",
            ));
        }
        let changes = match doc.remove("Changes") {
            Some(Value::Array(changes)) => changes,
            Some(_) => return Err(invalid(format!("`{at}Changes` is not a list"))),
            None => {
                return Err(invalid(format!(
                    "change set {name} has no `Changes`: not the output of `describe-change-set`"
                )));
            }
        };
        let reason = text(&doc, "StatusReason").unwrap_or_default();
        let nothing_to_do = ["didn't contain changes", "No updates are to be performed"]
            .iter()
            .any(|phrase| reason.contains(phrase));
        if status == "FAILED" && !(changes.is_empty() && nothing_to_do) {
            return Err(PlanError::new(
                format!("change set {name} failed: {}", clip(&reason)),
                "fix what CloudFormation reports, create the change set again and describe it",
            ));
        }
        let mut parsed = Vec::new();
        for (i, change) in changes.into_iter().enumerate() {
            parsed.extend(Change::from_json(change, &format!("{at}Changes[{i}]"))?);
        }
        Ok(ChangeSet {
            document: 0,
            id: text(&doc, "ChangeSetId"),
            stack: text(&doc, "StackName"),
            changes: parsed,
        })
    }

    /// Judges this change set's changes under `prefix`; returns the nested change sets to judge
    /// next, with their prefixes.
    fn judge(
        &self,
        prefix: &str,
        by_id: &HashMap<&str, usize>,
        ctx: &dyn PlanContext,
        out: &mut Vec<PlanFinding>,
    ) -> Vec<(usize, String)> {
        let task_definitions: HashSet<&str> = self
            .changes
            .iter()
            .filter(|c| c.resource_type == TASK_DEFINITION && c.action != "Remove")
            .map(|c| c.logical_id.as_str())
            .collect();
        let first = out.len();
        let mut children = Vec::new();
        for change in &self.changes {
            let address = format!("{prefix}{}", change.logical_id);
            let judging = Judging {
                change,
                address: &address,
                stack: self.stack.as_deref(),
                task_definitions: &task_definitions,
                ctx,
            };
            judging.judge(out);
            match change.nested.as_deref().map(|id| (id, by_id.get(id))) {
                Some((_, Some(&child))) => children.push((child, format!("{address}/"))),
                Some((id, None)) if change.action != "Remove" => {
                    out.push(nested_missing(&address, id));
                }
                _ => {}
            }
        }
        for finding in &mut out[first..] {
            finding.document = self.document;
        }
        children
    }
}

/// Refuses documents that are some other command's output, saying which.
fn recognise(doc: &Map<String, Value>) -> Result<(), PlanError> {
    let other = if doc.contains_key("format_version") || doc.contains_key("resource_changes") {
        Some((
            "this is a Terraform plan, not a CloudFormation change set",
            "pass it as --plan terraform=FILE",
        ))
    } else if doc.contains_key("Summaries") {
        Some((
            "this is the output of `list-change-sets`, not of `describe-change-set`",
            PlanKind::CloudFormation.recipe(),
        ))
    } else if doc.contains_key("Id") && doc.contains_key("StackId") && !doc.contains_key("Changes")
    {
        Some((
            "this is the output of `create-change-set` (its id), not the change set's description",
            PlanKind::CloudFormation.recipe(),
        ))
    } else {
        None
    };
    match other {
        Some((what, cure)) => Err(PlanError::new(what, cure)),
        None => Ok(()),
    }
}

/// The guard finding for a nested stack whose change set was not given.
fn nested_missing(address: &str, id: &str) -> PlanFinding {
    PlanFinding {
        rule: NESTED_MISSING.id,
        severity: NESTED_MISSING.severity,
        address: address.to_string(),
        resource_type: STACK.to_string(),
        action: PlanAction::Update,
        message: format!(
            "nested stack `{address}` changes, but its own change set was not given, so what it deletes or replaces was not judged; describe it too (`aws cloudformation describe-change-set --change-set-name {}`) and pass it with the root, in one JSON array or as another --plan cloudformation=FILE",
            clip(id)
        ),
        detail: vec![format!("ChangeSetId: {}", clip(id))],
        document: 0,
    }
}

impl Change {
    /// One `Changes[i]` entry; `None` for entries that are not resource changes.
    fn from_json(change: Value, at: &str) -> Result<Option<Self>, PlanError> {
        let Value::Object(mut change) = change else {
            return Err(invalid(format!("`{at}` is not an object")));
        };
        if change
            .get("Type")
            .and_then(Value::as_str)
            .is_some_and(|t| t != "Resource")
        {
            return Ok(None);
        }
        let at = format!("{at}.ResourceChange");
        let Some(Value::Object(mut rc)) = change.remove("ResourceChange") else {
            return Err(invalid(format!("`{at}` is missing or not an object")));
        };
        let required = |key: &str| {
            text(&rc, key)
                .ok_or_else(|| invalid(format!("`{at}.{key}` is missing or not a string")))
        };
        let logical_id = required("LogicalResourceId")?;
        let resource_type = required("ResourceType")?;
        let action = required("Action")?;
        let details = match rc.remove("Details") {
            Some(Value::Array(details)) => details.iter().map(Detail::from_json).collect(),
            _ => Vec::new(),
        };
        let (before, before_policy) = context(&rc, "BeforeContext");
        let (after, _) = context(&rc, "AfterContext");
        let retained = matches!(text(&rc, "PolicyAction").as_deref(), Some("Retain"))
            || before_policy.as_deref() == Some("Retain");
        Ok(Some(Change {
            logical_id,
            resource_type,
            action,
            replacement: text(&rc, "Replacement"),
            details,
            nested: text(&rc, "ChangeSetId"),
            before,
            after,
            retained,
        }))
    }

    /// Whether CloudFormation will (or may) replace the resource.
    fn replaced(&self) -> bool {
        self.action == "Modify"
            && matches!(
                self.replacement.as_deref(),
                Some("True" | "Conditional" | "Conditionally")
            )
    }
}

/// The `Properties` (and `DeletionPolicy`) in a `BeforeContext` / `AfterContext` string. A
/// context that does not parse is treated as absent: the change is judged without values.
fn context(rc: &Map<String, Value>, key: &str) -> (Option<Value>, Option<String>) {
    let Some(Value::Object(mut context)) = rc
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
    else {
        return (None, None);
    };
    let policy = text(&context, "DeletionPolicy");
    let properties = context
        .remove("Properties")
        .unwrap_or(Value::Object(context));
    (Some(properties), policy)
}

impl Detail {
    fn from_json(detail: &Value) -> Self {
        let target = detail.get("Target");
        let field = |v: Option<&Value>, key: &str| {
            v.and_then(|v| v.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Detail {
            name: field(target, "Name")
                .or_else(|| field(target, "Path"))
                .or_else(|| field(target, "Attribute")),
            recreation: field(target, "RequiresRecreation"),
            source: field(Some(detail), "ChangeSource"),
            entity: field(Some(detail), "CausingEntity"),
            before_value: field(target, "BeforeValue"),
            after_value: field(target, "AfterValue"),
        }
    }

    /// Whether this property change is what replaces the resource.
    fn recreates(&self) -> bool {
        matches!(self.recreation.as_deref(), Some("Always" | "Conditionally"))
    }

    /// "`Name`, edited in the template, forces replacement".
    fn cause(&self) -> String {
        let name = clip(self.name.as_deref().unwrap_or("a property"));
        let verb = match self.recreation.as_deref() {
            Some("Always") => "forces",
            _ => "may force",
        };
        match self.origin() {
            Some(origin) => format!("`{name}`, {origin}, {verb} replacement"),
            None => format!("`{name}` {verb} replacement"),
        }
    }

    /// Where the new value comes from: "edited in the template", "following `Subnet`".
    fn origin(&self) -> Option<String> {
        let entity = clip(self.entity.as_deref().unwrap_or_default());
        Some(match self.source.as_deref()? {
            "DirectModification" => "edited in the template".into(),
            "ParameterReference" => format!("from parameter `{entity}`"),
            "ResourceReference" | "ResourceAttribute" => format!("following `{entity}`"),
            "Automatic" => "a nested stack update".into(),
            _ => return None,
        })
    }

    /// The detail line: the property, how it recreates, and its values when given.
    fn line(&self) -> String {
        let values = match (&self.before_value, &self.after_value) {
            (None, None) => String::new(),
            (before, after) => format!(
                ": {} → {}",
                before.as_deref().map_or("(none)".into(), clip),
                after.as_deref().map_or("(none)".into(), clip)
            ),
        };
        let origin = self.origin().map(|o| format!(", {o}")).unwrap_or_default();
        format!(
            "{}: recreation {}{origin}{values}",
            clip(self.name.as_deref().unwrap_or("(property)")),
            self.recreation.as_deref().unwrap_or("unknown"),
        )
    }
}

/// One change being judged, with what the judgement needs from around it.
struct Judging<'a> {
    change: &'a Change,
    address: &'a str,
    stack: Option<&'a str>,
    /// Task definitions this change set adds or changes (their images are judged on them).
    task_definitions: &'a HashSet<&'a str>,
    ctx: &'a dyn PlanContext,
}

impl Judging<'_> {
    fn judge(&self, out: &mut Vec<PlanFinding>) {
        let c = self.change;
        let removing = c.action == "Remove" && !c.retained;
        if removing || c.replaced() {
            if let Some(family) = cloudformation_family(&c.resource_type) {
                out.extend(self.removal(family, removing).finding());
            }
        }
        let (verb, action) = match (c.action.as_str(), c.replaced()) {
            ("Add", _) => ("create", PlanAction::Create),
            ("Modify", true) => ("replace", PlanAction::Replace),
            ("Modify", false) => ("update", PlanAction::Update),
            _ => return,
        };
        let subject = |lead: String| Subject {
            lead,
            address: self.address,
            resource_type: &c.resource_type,
            action,
        };
        let before = scan(c.before.as_ref(), None);
        let after = scan(c.after.as_ref(), None);
        if c.resource_type == ECS_SERVICE {
            if action != PlanAction::Update && !self.task_definition_changes() {
                let lead = format!(
                    "CloudFormation will {verb} service `{}`, which starts from the template's task definition and runs",
                    self.address
                );
                out.extend(image_finding(&subject(lead), &[], &self.template_images()));
            }
        } else if IMAGE_TYPES.contains(&c.resource_type.as_str()) {
            let lead = format!("CloudFormation will {verb} `{}` with", self.address);
            let images = match c.after {
                Some(_) => after.images,
                None => self.template_images(),
            };
            out.extend(image_finding(&subject(lead), &before.images, &images));
        }
        let lead = format!("CloudFormation will {verb} `{}` with", self.address);
        out.extend(cors_finding(
            &subject(lead),
            &before.origins,
            &after.origins,
        ));
    }

    /// The deletion or replacement, with its causes.
    fn removal(&self, family: Family, removing: bool) -> Removal<'_> {
        let c = self.change;
        let causes: Vec<String> = if removing {
            vec!["it is no longer in the template".into()]
        } else {
            let mut seen = HashSet::new();
            c.details
                .iter()
                .filter(|d| d.recreates())
                .map(Detail::cause)
                .filter(|cause| seen.insert(cause.clone()))
                .collect()
        };
        let mut detail: Vec<String> = c
            .details
            .iter()
            .filter(|d| d.recreates())
            .map(Detail::line)
            .collect();
        if c.resource_type == ECS_SERVICE && !removing {
            detail.extend(
                self.template_images()
                    .iter()
                    .map(|image| format!("image it will run: {}", image.shown)),
            );
        }
        Removal {
            tool: "CloudFormation",
            family,
            address: self.address,
            resource_type: &c.resource_type,
            replace: !removing,
            certain: removing || c.replacement.as_deref() == Some("True"),
            place: self.stack.map(|stack| format!("stack `{}`", clip(stack))),
            causes,
            referrers: Vec::new(),
            detail,
        }
    }

    /// Whether the task definition this service runs is itself added or changed here (its
    /// image is then judged on it, not again on the service). A new service names no causing
    /// entity, so any task definition changing alongside it counts.
    fn task_definition_changes(&self) -> bool {
        let linked: Vec<&str> = self
            .change
            .details
            .iter()
            .filter(|d| d.name.as_deref() == Some("TaskDefinition"))
            .filter_map(|d| d.entity.as_deref())
            .collect();
        if self.change.action == "Add" {
            return !self.task_definitions.is_empty();
        }
        linked.iter().any(|id| self.task_definitions.contains(id))
    }

    /// The image the head revision's template gives this resource, from the caller's context.
    fn template_images(&self) -> Vec<Found> {
        self.ctx
            .image_for(self.address)
            .into_iter()
            .map(|image| Found {
                slot: "image (from the head template)".into(),
                shown: clip(&image),
                reference: image,
            })
            .collect()
    }
}
