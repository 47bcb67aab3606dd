//! What a resource's values say about images and CORS, read the same way from a Terraform
//! `change.after` and a CloudFormation `AfterContext`: keys are compared without case or
//! underscores (`image_uri` = `ImageUri`), and the judgements (pinned → mutable, a new wildcard
//! origin) compare the after values with the before values of the same resource.

use super::families::PlanRule;
use super::families::{
    ENV_TAG, FLOATING_TAG, LATEST_TAG, PINNED_TO_MUTABLE, WILDCARD_ORIGIN, capped,
};
use super::model::{PlanAction, PlanFinding};
use crate::matching::image::{ImageClass, classify, looks_like_image};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Nesting below which values are not followed (serde_json already stops parsing at 128).
const MAX_DEPTH: usize = 256;

/// Longest value quoted in a message.
const MAX_SHOWN: usize = 256;

/// One value found in a resource, with where it sits.
#[derive(Debug, Clone)]
pub(super) struct Found {
    /// Where: `container_definitions[web].image`, `CorsConfiguration.CorsRules[0].AllowedOrigins[0]`.
    pub slot: String,
    /// What classification reads (for a Helm `image.tag`, a reference built around the tag).
    pub reference: String,
    /// What a message may show (never a value the plan marks sensitive).
    pub shown: String,
}

/// The images and CORS origins in one resource's values.
#[derive(Debug, Default)]
pub(super) struct Scan {
    pub images: Vec<Found>,
    pub origins: Vec<Found>,
}

/// Reads `value`; `sensitive` is Terraform's `before_sensitive`/`after_sensitive` mirror of it
/// (`true` at a leaf or above hides the value).
pub(super) fn scan(value: Option<&Value>, sensitive: Option<&Value>) -> Scan {
    let mut out = Scan::default();
    if let Some(value) = value {
        let mut walker = Walker { out: &mut out };
        walker.walk(value, sensitive, &mut String::new(), Place::default(), 0);
    }
    out
}

/// What the path so far says about the value below.
#[derive(Debug, Clone, Copy, Default)]
struct Place {
    /// Below a key naming containers: an `image` here is a container image.
    in_container: bool,
    /// Below a key naming CORS: an `origin` here is an allowed origin.
    in_cors: bool,
    /// Below an allowed-origins key: every string is an origin.
    in_origins: bool,
}

struct Walker<'a> {
    out: &'a mut Scan,
}

/// `image_uri`, `ImageUri` and `imageUri` all read as `imageuri`.
fn normalise(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

const JSON_STRING_KEYS: &[&str] = &[
    "containerdefinitions",
    "containerproperties",
    "ecsproperties",
    "nodeproperties",
];
const ORIGIN_KEYS: &[&str] = &[
    "allowedorigins",
    "alloworigins",
    "accesscontrolalloworigins",
];

impl Walker<'_> {
    fn walk(
        &mut self,
        value: &Value,
        sensitive: Option<&Value>,
        slot: &mut String,
        place: Place,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let hidden = matches!(sensitive, Some(Value::Bool(true)));
        match value {
            Value::String(s) if place.in_origins => self.found_origin(slot, s, hidden),
            Value::Object(map) => {
                if self.helm_value(map, slot, hidden) {
                    return;
                }
                for (key, child) in map {
                    let child_sensitive = if hidden {
                        sensitive
                    } else {
                        sensitive.and_then(|s| s.get(key))
                    };
                    let len = slot.len();
                    if !slot.is_empty() {
                        slot.push('.');
                    }
                    slot.push_str(key);
                    self.key(key, child, child_sensitive, slot, place, depth);
                    slot.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let child_sensitive = if hidden {
                        sensitive
                    } else {
                        sensitive.and_then(|s| s.get(i))
                    };
                    let len = slot.len();
                    match item_name(item) {
                        Some(name) => slot.push_str(&format!("[{name}]")),
                        None => slot.push_str(&format!("[{i}]")),
                    }
                    self.walk(item, child_sensitive, slot, place, depth + 1);
                    slot.truncate(len);
                }
            }
            _ => {}
        }
    }

    fn key(
        &mut self,
        key: &str,
        child: &Value,
        sensitive: Option<&Value>,
        slot: &mut String,
        place: Place,
        depth: usize,
    ) {
        let key = normalise(key);
        let hidden = matches!(sensitive, Some(Value::Bool(true)));
        let is_image = match key.as_str() {
            "image" => place.in_container,
            "imageuri" | "imageidentifier" => true,
            _ => false,
        };
        if let (true, Value::String(s)) = (is_image, child) {
            self.found_image(slot, s, s, hidden);
            return;
        }
        let place = Place {
            in_container: place.in_container || key.contains("container"),
            in_cors: place.in_cors || key.contains("cors"),
            in_origins: place.in_origins
                || ORIGIN_KEYS.contains(&key.as_str())
                || (place.in_cors && (key == "origin" || key == "origins")),
        };
        match child {
            Value::String(s) if JSON_STRING_KEYS.contains(&key.as_str()) => {
                if let Ok(parsed) = serde_json::from_str::<Value>(s) {
                    let sensitive = hidden.then_some(&Value::Bool(true));
                    self.walk(&parsed, sensitive, slot, place, depth + 1);
                }
            }
            _ => self.walk(child, sensitive, slot, place, depth + 1),
        }
    }

    /// A Helm `set { name = "image.tag" value = "…" }` (or `name = "image"` with a whole
    /// reference): the tag is judged as the image's.
    fn helm_value(
        &mut self,
        map: &serde_json::Map<String, Value>,
        slot: &str,
        hidden: bool,
    ) -> bool {
        let (Some(Value::String(name)), Some(Value::String(value))) =
            (map.get("name"), map.get("value"))
        else {
            return false;
        };
        let name_lower = name.to_ascii_lowercase();
        let tag_only = name_lower == "image.tag" || name_lower.ends_with(".image.tag");
        let whole = name_lower == "image" || name_lower.ends_with(".image");
        if value.trim().is_empty() || !(tag_only || whole) {
            return false;
        }
        if tag_only {
            self.found_image(
                slot,
                &format!("image:{}", value.trim()),
                &format!("{name}={value}"),
                hidden,
            );
        } else {
            self.found_image(slot, value, value, hidden);
        }
        true
    }

    fn found_image(&mut self, slot: &str, reference: &str, shown: &str, hidden: bool) {
        if !looks_like_image(reference) {
            return;
        }
        let shown = if hidden {
            redact(reference)
        } else {
            clip(shown)
        };
        self.out.images.push(Found {
            slot: slot.to_string(),
            reference: reference.trim().to_string(),
            shown,
        });
    }

    fn found_origin(&mut self, slot: &str, origin: &str, hidden: bool) {
        self.out.origins.push(Found {
            slot: slot.to_string(),
            reference: origin.to_string(),
            shown: if hidden {
                "(sensitive value)".into()
            } else {
                clip(origin)
            },
        });
    }
}

/// The name an array element goes by (`name` in Terraform, `Name` in CloudFormation).
fn item_name(item: &Value) -> Option<&str> {
    let name = item.get("name").or_else(|| item.get("Name"))?.as_str()?;
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    plain.then_some(name)
}

/// A sensitive reference shown by its tag alone: `…:latest`, `… (no tag)`.
fn redact(reference: &str) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    match last.split_once(':') {
        Some((_, tag)) if !tag.contains('@') => format!("(sensitive)…:{}", clip(tag)),
        _ => "(sensitive)… (no tag)".into(),
    }
}

/// `value` cut to [`MAX_SHOWN`] characters, with control characters replaced.
pub(super) fn clip(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(MAX_SHOWN)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if value.chars().nth(MAX_SHOWN).is_some() {
        out.push('…');
    }
    out
}

/// How bad a mutable image is, worst first; `None` for pinned, digest and unknown references.
fn image_rule(class: ImageClass, was_pinned: bool) -> Option<(u8, PlanRule)> {
    let mutable = matches!(
        class,
        ImageClass::Latest | ImageClass::Untagged | ImageClass::EnvTag | ImageClass::Floating
    );
    Some(match class {
        _ if mutable && was_pinned => (0, PINNED_TO_MUTABLE),
        ImageClass::Latest | ImageClass::Untagged => (1, LATEST_TAG),
        ImageClass::EnvTag => (2, ENV_TAG),
        ImageClass::Floating => (3, FLOATING_TAG),
        ImageClass::Digest | ImageClass::Pinned | ImageClass::Variable => return None,
    })
}

/// Who acts on which resource, for the message: "Terraform will update `aws_ecs_task_definition.api`".
pub(super) struct Subject<'a> {
    /// "Terraform will replace `x`", "CloudFormation will recreate service `x`, which runs".
    pub lead: String,
    pub address: &'a str,
    pub resource_type: &'a str,
    pub action: PlanAction,
}

/// The image finding for one resource: its mutable images that the change introduces (an image
/// already running before, with the same reference, is not new), worst first.
pub(super) fn image_finding(
    subject: &Subject<'_>,
    before: &[Found],
    after: &[Found],
) -> Option<PlanFinding> {
    let known: HashSet<&str> = before.iter().map(|b| b.reference.as_str()).collect();
    let by_slot: HashMap<&str, &Found> = before.iter().map(|b| (b.slot.as_str(), b)).collect();
    let mut hits: Vec<(u8, PlanRule, &Found, Option<&Found>)> = Vec::new();
    for now in after {
        if known.contains(now.reference.as_str()) {
            continue;
        }
        let was = by_slot.get(now.slot.as_str()).copied();
        let was_pinned = was.is_some_and(|b| {
            matches!(
                classify(&b.reference),
                ImageClass::Pinned | ImageClass::Digest
            )
        });
        if let Some((rank, rule)) = image_rule(classify(&now.reference), was_pinned) {
            hits.push((rank, rule, now, was.filter(|_| was_pinned)));
        }
    }
    hits.sort_by_key(|hit| hit.0);
    let (_, rule, now, was) = *hits.first()?;
    let (what, consequence) = match rule.id {
        id if id == PINNED_TO_MUTABLE.id => (
            format!(
                "image `{}`, replacing the pinned `{}`",
                now.shown,
                was.map_or("", |w| w.shown.as_str())
            ),
            "the next restart or scale-out pulls whatever was pushed under that tag last, a build nobody deployed; keep a version tag or digest and let the deploy pipeline write the new one",
        ),
        id if id == LATEST_TAG.id => (
            format!(
                "image `{}`, which names no fixed build ('latest' or no tag)",
                now.shown
            ),
            "every restart or scale-out can pull a different build; pin a version tag or digest",
        ),
        id if id == ENV_TAG.id => (
            format!("image `{}`, tagged after an environment", now.shown),
            "it changes whenever that environment is deployed, so a build meant for it can reach this one; pin a version tag or digest",
        ),
        _ => (
            format!("image `{}`, a channel tag that moves by design", now.shown),
            "every restart can run a newer build than the one reviewed; pin a version tag or digest",
        ),
    };
    let detail = capped(
        hits.iter()
            .map(|(_, _, now, was)| match was {
                Some(was) => format!("{}: {} → {}", now.slot, was.shown, now.shown),
                None => format!("{}: {}", now.slot, now.shown),
            })
            .collect(),
    );
    Some(PlanFinding {
        rule: rule.id,
        severity: rule.severity,
        address: subject.address.to_string(),
        resource_type: subject.resource_type.to_string(),
        action: subject.action,
        message: format!("{} {what}: {consequence}", subject.lead),
        detail,
        document: 0,
    })
}

/// Whether an allowed origin admits every origin: `*`, or a match-all pattern (`.*`, `^.*$`,
/// `https://*`, `^https?://.*$`).
pub(super) fn admits_every_origin(origin: &str) -> bool {
    let core = origin.trim().trim_start_matches('^').trim_end_matches('$');
    let core = [
        "https?://",
        "(https?)://",
        "https://",
        "http://",
        "*://",
        ".*://",
    ]
    .iter()
    .find_map(|scheme| core.strip_prefix(scheme))
    .unwrap_or(core);
    matches!(core, "*" | ".*" | ".+" | "(.*)" | "(.+)" | "/.*/")
}

/// The CORS finding for one resource: an allowed origin admitting every origin that the
/// resource's before values did not already have.
pub(super) fn cors_finding(
    subject: &Subject<'_>,
    before: &[Found],
    after: &[Found],
) -> Option<PlanFinding> {
    if before.iter().any(|b| admits_every_origin(&b.reference)) {
        return None;
    }
    let open: Vec<&Found> = after
        .iter()
        .filter(|a| admits_every_origin(&a.reference))
        .collect();
    let first = open.first()?;
    Some(PlanFinding {
        rule: WILDCARD_ORIGIN.id,
        severity: WILDCARD_ORIGIN.severity,
        address: subject.address.to_string(),
        resource_type: subject.resource_type.to_string(),
        action: subject.action,
        message: format!(
            "{} CORS allowing every origin (`{}` in `{}`): any website can call it from its visitors' browsers; list your own origins instead",
            subject.lead, first.shown, first.slot
        ),
        detail: capped(
            open.iter()
                .map(|o| format!("{}: {}", o.slot, o.shown))
                .collect(),
        ),
        document: 0,
    })
}
