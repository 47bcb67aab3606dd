//! The YAML reader's events written in the yaml-test-suite's notation (`+MAP`, `=VAL :text`,
//! `=ALI *1`…), so the conformance test measures the very reader the gate uses against the
//! suite's expected event trees. Anchors are numbered in order of definition (the reader keeps
//! ids, not names); an empty node is an empty plain scalar.

use super::tree::reader;
use granit_parser::{Event, ScalarStyle, Span, StructureStyle, Tag};
use std::borrow::Cow;

/// The events of `text`, one per line as the suite writes them (without indentation), or the
/// reader's error.
pub fn yaml_events(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for event in reader(text) {
        let (event, span) = event.map_err(|e| e.to_string())?;
        let map = matches!(event, Event::MappingStart(..));
        let line = match event {
            Event::StreamStart => "+STR".to_string(),
            Event::StreamEnd => "-STR".to_string(),
            Event::DocumentStart(explicit, _) => {
                if explicit { "+DOC ---" } else { "+DOC" }.to_string()
            }
            Event::DocumentEnd => "-DOC".to_string(),
            Event::Alias(id) => format!("=ALI *{id}"),
            Event::Scalar(text, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => ":",
                    ScalarStyle::SingleQuoted => "'",
                    ScalarStyle::DoubleQuoted => "\"",
                    ScalarStyle::Literal => "|",
                    ScalarStyle::Folded => ">",
                };
                let empty = style == ":" && text == "~" && zero_width(&span);
                let text = if empty { "" } else { &text };
                format!("=VAL{} {style}{}", properties(anchor, tag), escape(text))
            }
            Event::SequenceStart(style, anchor, tag) | Event::MappingStart(style, anchor, tag) => {
                let (kind, flow) = if map {
                    ("+MAP", " {}")
                } else {
                    ("+SEQ", " []")
                };
                let flow = if style == StructureStyle::Flow {
                    flow
                } else {
                    ""
                };
                format!("{kind}{flow}{}", properties(anchor, tag))
            }
            Event::SequenceEnd => "-SEQ".to_string(),
            Event::MappingEnd => "-MAP".to_string(),
            _ => continue,
        };
        out.push(line);
    }
    Ok(out)
}

/// Whether the reader made the node up (an empty node has no text in the source).
fn zero_width(span: &Span) -> bool {
    span.start.index() == span.end.index()
}

fn properties(anchor: usize, tag: Option<Cow<'_, Tag>>) -> String {
    let mut out = String::new();
    if anchor > 0 {
        out.push_str(&format!(" &{anchor}"));
    }
    if let Some(tag) = tag {
        out.push_str(&format!(" <{}{}>", tag.handle(), tag.suffix()));
    }
    out
}

/// The suite's escapes for scalar text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\x08' => out.push_str("\\b"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_in_the_suites_notation() {
        let got = yaml_events("--- &a\nx: [*a, '']\ny: !e |\n  t\nz:\n").unwrap();
        assert_eq!(
            got,
            [
                "+STR",
                "+DOC ---",
                "+MAP &1",
                "=VAL :x",
                "+SEQ []",
                "=ALI *1",
                "=VAL '",
                "-SEQ",
                "=VAL :y",
                "=VAL <!e> |t\\n",
                "=VAL :z",
                "=VAL :",
                "-MAP",
                "-DOC",
                "-STR"
            ]
        );
        assert!(yaml_events("a: [").is_err());
    }
}
