//! YAML and JSON documents as trees that remember line numbers, so structured findings land on
//! the value's line. CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt`…) are kept on scalars
//! rather than rejected; multi-document files (Kubernetes) yield one tree per document.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::Marker;

/// A value in a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A scalar as written (numbers and booleans too), with its tag if any (`!Ref`).
    Scalar {
        /// The scalar's text.
        text: String,
        /// The tag, e.g. `!GetAtt`.
        tag: Option<String>,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order; keys are scalars' text.
    Map(Vec<(String, Node)>),
    /// An alias or an empty value.
    Null,
}

/// A value and the 1-based line it starts on (for collections under a key: the key's line).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// The value.
    pub value: Value,
    /// Where it is.
    pub line: u32,
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub(crate) fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The child under `key`, if this is a mapping that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Parses every document in `text`. YAML and JSON alike (JSON is YAML's flow style).
pub(crate) fn parse(text: &str) -> Result<Vec<Node>, String> {
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, true)
        .map_err(|e| e.to_string())?;
    Ok(builder.docs)
}

enum Frame {
    Seq(Vec<Node>, u32),
    Map(Vec<(String, Node)>, Option<(String, u32)>, u32),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    docs: Vec<Node>,
}

impl Builder {
    /// The line a new collection should carry: its key's line when it is a mapping value.
    fn anchor_line(&self, mark: u32) -> u32 {
        match self.stack.last() {
            Some(Frame::Map(_, Some((_, key_line)), _)) => *key_line,
            _ => mark,
        }
    }

    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(items, _)) => items.push(node),
            Some(Frame::Map(entries, pending, _)) => match pending.take() {
                Some((key, _)) => entries.push((key, node)),
                None => {
                    let key = node.text().unwrap_or("?").to_string();
                    *pending = Some((key, node.line));
                }
            },
        }
    }
}

fn tag_name(tag: Option<Tag>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = u32::try_from(mark.line()).unwrap_or(u32::MAX);
        match ev {
            Event::Scalar(text, _, _, tag) => self.push_value(Node {
                value: Value::Scalar {
                    text,
                    tag: tag_name(tag),
                },
                line,
            }),
            Event::Alias(_) => self.push_value(Node {
                value: Value::Null,
                line,
            }),
            Event::SequenceStart(..) => {
                let at = self.anchor_line(line);
                self.stack.push(Frame::Seq(Vec::new(), at));
            }
            Event::MappingStart(..) => {
                let at = self.anchor_line(line);
                self.stack.push(Frame::Map(Vec::new(), None, at));
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items, at)) = self.stack.pop() {
                    self.push_value(Node {
                        value: Value::Seq(items),
                        line: at,
                    });
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(entries, _, at)) = self.stack.pop() {
                    self.push_value(Node {
                        value: Value::Map(entries),
                        line: at,
                    });
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_tags_and_documents() {
        let docs = parse("a:\n  b: !Ref X\n---\nc: [1, 2]\n").unwrap();
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("a").and_then(|a| a.get("b")).unwrap();
        assert_eq!(b.line, 2);
        assert_eq!(
            b.value,
            Value::Scalar {
                text: "X".into(),
                tag: Some("!Ref".into())
            }
        );
        assert_eq!(docs[1].get("c").map(|c| c.line), Some(4));
    }

    #[test]
    fn parses_json_with_lines() {
        let docs = parse("{\n  \"image\": \"nginx:latest\"\n}\n").unwrap();
        assert_eq!(docs[0].get("image").map(|n| n.line), Some(2));
    }

    #[test]
    fn collection_under_key_takes_key_line() {
        let docs = parse("Resources:\n  LB:\n    Type: X\n").unwrap();
        let lb = docs[0].get("Resources").and_then(|r| r.get("LB")).unwrap();
        assert_eq!(lb.line, 2);
    }
}
