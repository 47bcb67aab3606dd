//! From bytes to a JSON value: the encodings shells really write (a UTF-8 byte-order mark,
//! PowerShell's UTF-16), size and nesting bounds, and errors that recognise the usual mistakes
//! (the binary plan file, the `terraform plan -json` log, the text of `terraform plan`).

use super::model::{MAX_PLAN_BYTES, PlanError, PlanKind};
use serde_json::Value;
use std::borrow::Cow;

/// Decodes and parses `bytes` as one JSON document. serde_json refuses nesting deeper than 128
/// levels, so hostile input cannot exhaust the stack; size is bounded by [`MAX_PLAN_BYTES`].
pub(super) fn parse(kind: PlanKind, bytes: &[u8]) -> Result<Value, PlanError> {
    if bytes.len() > MAX_PLAN_BYTES {
        return Err(PlanError::new(
            format!(
                "the {kind} plan is {} MiB, over the {} MiB this gate reads",
                bytes.len() / (1024 * 1024),
                MAX_PLAN_BYTES / (1024 * 1024)
            ),
            "split the configuration into smaller stacks or workspaces and pass one plan each",
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(PlanError::new(
            "this is a binary Terraform plan file, not its JSON",
            PlanKind::Terraform.recipe(),
        ));
    }
    let text = decode(bytes).ok_or_else(|| {
        PlanError::new(
            format!("the {kind} plan is not UTF-8 or UTF-16 text"),
            kind.recipe(),
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(PlanError::new(
            format!("the {kind} plan is empty"),
            kind.recipe(),
        ));
    }
    serde_json::from_str::<Value>(text).map_err(|e| not_json(kind, text, &e))
}

/// UTF-8 as is; UTF-16 (with its byte-order mark, as Windows PowerShell's `>` writes it) decoded.
fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    let utf16 = |le: bool| {
        if bytes.len() % 2 != 0 {
            return None;
        }
        let units = bytes[2..].chunks_exact(2).map(|pair| {
            let pair = [pair[0], pair[1]];
            if le {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
            .map(Cow::Owned)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        _ => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
    }
}

/// The error for text that does not parse, naming the common look-alikes.
fn not_json(kind: PlanKind, text: &str, e: &serde_json::Error) -> PlanError {
    let first_line = text.lines().next().unwrap_or_default();
    let is_ui_log = serde_json::from_str::<Value>(first_line)
        .is_ok_and(|v| v.get("@level").is_some() || v.get("@message").is_some());
    if is_ui_log {
        return PlanError::new(
            "this is the log of `terraform plan -json` (one message a line), not the plan",
            PlanKind::Terraform.recipe(),
        );
    }
    let looks_like_text_plan = ["Terraform will perform", "OpenTofu will perform", "Plan: "]
        .iter()
        .any(|marker| text.contains(marker));
    if looks_like_text_plan {
        return PlanError::new(
            "this is the text output of `terraform plan`, not its JSON",
            PlanKind::Terraform.recipe(),
        );
    }
    PlanError::new(
        format!("the {kind} plan is not valid JSON: {e}"),
        kind.recipe(),
    )
}
