//! YAML and JSON documents as trees that remember line numbers, so structured findings land on
//! the value's line. Read as Docker Compose, kubectl and PyYAML read them (granit-parser in its
//! lenient mode: a flow sequence closed at its key's indentation, `key:<TAB>value`, a byte-order
//! mark, CRLF), with every document of a stream.
//!
//! What a deployed value is, not how it was written: an anchored node is shared, not copied, by
//! its definition and every alias of it ([`Value::Shared`]), so a 600-byte "billion laughs" file
//! stays a 600-byte tree; merge keys (`<<: *base`, `<<: [*a, *b]`) apply with YAML 1.1 semantics
//! (explicit keys win, then earlier sources) whenever entries are read ([`Node::entries`]).
//! CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt`…) stay on scalars; on a collection
//! (`!Join [...]`) a function's tag becomes its long form (`{"Fn::Join": [...]}`), as
//! CloudFormation reads it; core tags (`!!str`, `!!int`…) only say what the plain text already
//! is, so they are dropped.
//!
//! Lines are 1-based and count `\n` as git does. A collection under a key carries the key's
//! line, a block scalar (`|`, `>`) the line of its indicator; any other value its own line.

use super::line_starts::LineStarts;
use granit_parser::{Event, Parser, ScalarStyle, Span, StrInput, Tag};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// A value in a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A scalar as written (numbers and booleans too), with its tag if any (`!Ref`).
    Scalar {
        /// The scalar's text.
        text: String,
        /// The tag, e.g. `!GetAtt`; `None` for plain text and core tags (`!!str`).
        tag: Option<String>,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order; keys are scalars' text. Merge keys (`<<`) are kept as
    /// written: read entries through [`Node::entries`] or [`Node::get`] to have them applied.
    Map(Vec<(String, Node)>),
    /// An anchored node, shared by its definition and its aliases (`&a` / `*a`): the node that
    /// holds it is where it is written or referred to, the shared node is the value itself.
    Shared(Rc<Node>),
    /// An empty value, or an alias whose anchor is not (yet) complete.
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

/// The key that merges other mappings into the one that holds it (YAML 1.1, compose, kubectl).
const MERGE_KEY: &str = "<<";

impl Node {
    /// The node this one stands for: the shared node behind an anchor or alias, else itself.
    pub(crate) fn resolved(&self) -> &Node {
        let mut node = self;
        while let Value::Shared(target) = &node.value {
            node = target;
        }
        node
    }

    /// The scalar text, if this is (or refers to) a scalar.
    pub(crate) fn text(&self) -> Option<&str> {
        match &self.resolved().value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The items, if this is (or refers to) a sequence.
    pub(crate) fn items(&self) -> Option<&[Node]> {
        match &self.resolved().value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// Whether this is (or refers to) a mapping.
    pub(crate) fn is_map(&self) -> bool {
        matches!(self.resolved().value, Value::Map(_))
    }

    /// The child under `key`, merged keys included, if this is a mapping that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .into_iter()
            .flatten()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    /// The entries of a mapping, merged keys applied (see [`Node::entries_with_origin`]).
    pub(crate) fn entries(&self) -> Option<impl Iterator<Item = (&str, &Node)>> {
        self.entries_with_origin()
            .map(|entries| entries.map(|(key, value, _)| (key, value)))
    }

    /// The entries of a mapping as a YAML 1.1 loader builds it: its own keys in order (merge
    /// keys left out), then the keys merged from `<<` sources that it does not have, earlier
    /// sources first, each source's own merges applied; each with the line of this mapping's
    /// merge key it came through (`None` for its own keys). `None` when this is not a mapping.
    /// Each source is read once however often the merge graph reaches it, so the cost is
    /// bounded by the number of distinct mappings involved, never by the number of paths.
    pub(crate) fn entries_with_origin(&self) -> Option<Entries<'_>> {
        let Value::Map(own) = &self.resolved().value else {
            return None;
        };
        if !own.iter().any(|(k, _)| k == MERGE_KEY) {
            return Some(Entries::Plain(own.iter()));
        }
        let mut out: Vec<(&str, &Node, Option<u32>)> = Vec::new();
        let mut seen_keys: HashSet<&str> = HashSet::new();
        let mut seen_maps: HashSet<*const Node> = HashSet::new();
        // Depth first, in priority order: a stack of the mappings still to read (reversed),
        // each with the line of this mapping's merge key that leads to it.
        let mut stack: Vec<(&Node, Option<u32>)> = vec![(self.resolved(), None)];
        while let Some((map, merged_at)) = stack.pop() {
            if !seen_maps.insert(std::ptr::from_ref(map)) {
                continue;
            }
            let Value::Map(entries) = &map.value else {
                continue;
            };
            let mut sources = Vec::new();
            for (key, value) in entries {
                if key == MERGE_KEY {
                    let at = merged_at.or(Some(value.line));
                    match value.items() {
                        Some(items) => sources.extend(items.iter().map(|i| (i.resolved(), at))),
                        None => sources.push((value.resolved(), at)),
                    }
                } else if seen_keys.insert(key) {
                    out.push((key, value, merged_at));
                }
            }
            stack.extend(sources.into_iter().filter(|(s, _)| s.is_map()).rev());
        }
        Some(Entries::Merged(out.into_iter()))
    }
}

/// The entries of a mapping, merged keys applied, each with the line of the merge key it came
/// through (see [`Node::entries_with_origin`]).
pub(crate) enum Entries<'d> {
    /// A mapping without merge keys: its entries as written.
    Plain(std::slice::Iter<'d, (String, Node)>),
    /// A mapping with merge keys: its effective entries.
    Merged(std::vec::IntoIter<(&'d str, &'d Node, Option<u32>)>),
}

impl<'d> Iterator for Entries<'d> {
    type Item = (&'d str, &'d Node, Option<u32>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Plain(it) => it.next().map(|(k, v)| (k.as_str(), v, None)),
            Entries::Merged(it) => it.next(),
        }
    }
}

/// The reader every YAML/JSON document goes through: granit-parser in its lenient mode (what
/// PyYAML, compose and kubectl accept), with its nesting limits (255 flow, 255 block), comments
/// not kept.
pub(crate) fn reader(text: &str) -> Parser<'_, StrInput<'_>> {
    let options = granit_parser::options! {
        emit_comments: false,
    };
    Parser::new_from_str_with_options(text, options)
}

/// Parses every document in `text`. YAML and JSON alike (JSON is YAML's flow style). The
/// error names the line and what is wrong. Control characters YAML forbids (a NUL byte, an
/// escape) are read as spaces: one stray byte must not turn a manifest's verdict from "blocked"
/// into "could not read".
pub(crate) fn parse(text: &str) -> Result<Vec<Node>, String> {
    let printable = printable(text);
    let text = printable.as_ref();
    let mut builder = Builder {
        lines: LineIndex::new(text),
        stack: Vec::new(),
        anchors: HashMap::new(),
        docs: Vec::new(),
    };
    for event in reader(text) {
        let (event, span) = event.map_err(|e| e.to_string())?;
        builder.on_event(event, &span)?;
    }
    Ok(builder.docs)
}

/// `text` with the one-byte control characters YAML does not allow (all but tab, line feed and
/// carriage return) replaced by spaces, keeping every offset; borrowed when there are none.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let forbidden = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f;
    if !text.bytes().any(forbidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let cleaned: String = text
        .chars()
        .map(|c| match u8::try_from(c) {
            Ok(b) if forbidden(b) => ' ',
            _ => c,
        })
        .collect();
    std::borrow::Cow::Owned(cleaned)
}

/// How deep values may nest once aliases are followed. The reader allows 255 flow and 255 block
/// levels; aliases could chain anchors far deeper (each anchor holding an alias of the previous
/// one), and walking or dropping such a chain recursively would exhaust the stack.
const MAX_DEPTH: u32 = 1024;

/// Line numbers as git counts them (`\n` only: a lone `\r`, which YAML also takes as a line
/// break, does not start a line in a diff).
struct LineIndex<'t> {
    text: &'t str,
    starts: LineStarts,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        LineIndex {
            text,
            starts: LineStarts::new(text),
        }
    }

    /// The 1-based line of a parser position (its byte offset; the parser's own line if the
    /// input gave none).
    fn line(&self, span: &Span) -> u32 {
        match span.start.byte_offset() {
            Some(offset) => self.starts.line_of(offset),
            None => u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        }
    }

    /// The line of a block scalar's indicator: the parser places the scalar at its content,
    /// and the header (`|`, `>-`, with an optional comment) is the last line before it that is
    /// not blank.
    fn block_indicator(&self, content_line: u32) -> u32 {
        let mut line = content_line;
        while line > 1 {
            line -= 1;
            let text = self
                .starts
                .range(line, self.text.len())
                .and_then(|range| self.text.get(range))
                .unwrap_or_default();
            if !text.trim().is_empty() {
                return if text.contains(['|', '>']) {
                    line
                } else {
                    content_line
                };
            }
        }
        content_line
    }
}

/// A collection being built: its items (for a mapping, keys and values alternate), its line,
/// its anchor id (0: none), and how deep its deepest item nests (aliases followed).
struct Frame {
    map: bool,
    items: Vec<Node>,
    line: u32,
    anchor: usize,
    depth: u32,
    /// A CloudFormation function written as a tag on the collection (`!Join [...]`), by its
    /// long name (`Fn::Join`).
    function: Option<String>,
}

struct Builder<'t> {
    lines: LineIndex<'t>,
    stack: Vec<Frame>,
    /// Each anchor's shared node and how deep it nests.
    anchors: HashMap<usize, (Rc<Node>, u32)>,
    docs: Vec<Node>,
}

/// A tag as the rules see it: `!Ref`, `!GetAtt`; `None` for core tags (`!!str`, `!!int`…) and
/// the non-specific `!`, which leave the text as it is.
fn tag_name(tag: Option<Cow<'_, Tag>>) -> Option<String> {
    let tag = tag?;
    if tag.core_suffix().is_some() || (tag.original_handle() == "!" && tag.suffix().is_empty()) {
        return None;
    }
    Some(format!("{}{}", tag.original_handle(), tag.suffix()))
}

/// The long form of a CloudFormation function written as a short tag on a collection
/// (`!Join [...]` is `{"Fn::Join": [...]}`), so both spellings read the same.
fn long_function(tag: &str) -> Option<String> {
    const FUNCTIONS: [&str; 16] = [
        "Base64",
        "Cidr",
        "FindInMap",
        "GetAtt",
        "GetAZs",
        "ImportValue",
        "Join",
        "Select",
        "Split",
        "Sub",
        "Transform",
        "If",
        "Equals",
        "And",
        "Or",
        "Not",
    ];
    let name = tag.strip_prefix('!')?;
    FUNCTIONS.contains(&name).then(|| format!("Fn::{name}"))
}

impl Builder<'_> {
    /// Whether the next value completes a mapping entry (a key is waiting for it).
    fn awaits_value(&self) -> Option<u32> {
        match self.stack.last() {
            Some(f) if f.map && f.items.len() % 2 == 1 => f.items.last().map(|k| k.line),
            _ => None,
        }
    }

    /// Adds a finished value that nests `depth` deep, shared when it is anchored (the anchor
    /// table and the document then both point at it).
    fn push_value(&mut self, node: Node, anchor: usize, depth: u32) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "line {}: aliases nest values more than {MAX_DEPTH} levels deep",
                node.line
            ));
        }
        let node = if anchor == 0 {
            node
        } else {
            let line = node.line;
            let shared = Rc::new(node);
            self.anchors.insert(anchor, (Rc::clone(&shared), depth));
            Node {
                value: Value::Shared(shared),
                line,
            }
        };
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(frame) => {
                frame.items.push(node);
                frame.depth = frame.depth.max(depth);
            }
        }
        Ok(())
    }

    fn on_event(&mut self, event: Event<'_>, span: &Span) -> Result<(), String> {
        let line = self.lines.line(span);
        // Read before the event is taken apart below.
        let opens_map = matches!(event, Event::MappingStart(..));
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                let line = if block {
                    self.lines.block_indicator(line)
                } else {
                    line
                };
                let node = Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        tag: tag_name(tag),
                    },
                    line,
                };
                self.push_value(node, anchor, 1)
            }
            Event::Alias(anchor) => {
                let (value, depth) = match self.anchors.get(&anchor) {
                    Some((target, depth)) => (Value::Shared(Rc::clone(target)), *depth),
                    None => (Value::Null, 1),
                };
                self.push_value(Node { value, line }, 0, depth)
            }
            Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag) => {
                let map = opens_map;
                let line = self.awaits_value().unwrap_or(line);
                self.stack.push(Frame {
                    map,
                    items: Vec::new(),
                    line,
                    anchor,
                    depth: 0,
                    function: tag_name(tag).and_then(|t| long_function(&t)),
                });
                Ok(())
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let value = if frame.map {
                    let mut entries = Vec::with_capacity(frame.items.len() / 2);
                    let mut items = frame.items.into_iter();
                    while let (Some(key), Some(value)) = (items.next(), items.next()) {
                        entries.push((key.text().unwrap_or("?").to_string(), value));
                    }
                    Value::Map(entries)
                } else {
                    Value::Seq(frame.items)
                };
                let mut node = Node {
                    value,
                    line: frame.line,
                };
                let mut depth = frame.depth + 1;
                if let Some(function) = frame.function {
                    let line = node.line;
                    node = Node {
                        value: Value::Map(vec![(function, node)]),
                        line,
                    };
                    depth += 1;
                }
                self.push_value(node, frame.anchor, depth)
            }
            Event::DocumentStart(..) => {
                self.anchors.clear();
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(text: &str, tag: Option<&str>) -> Value {
        Value::Scalar {
            text: text.into(),
            tag: tag.map(String::from),
        }
    }

    #[test]
    fn tagged_collections_are_functions_in_long_form() {
        let docs = parse("a: !Join ['', [x, !Ref T]]\nb: !Custom [1]\n").unwrap();
        let join = docs[0].get("a").and_then(|a| a.get("Fn::Join")).unwrap();
        assert_eq!((join.line, join.items().map(<[Node]>::len)), (1, Some(2)));
        assert_eq!(
            docs[0].get("b").and_then(Node::items).map(<[Node]>::len),
            Some(1)
        );
    }

    #[test]
    fn keeps_lines_tags_and_documents() {
        let docs = parse("a:\n  b: !Ref X\n  c: !!str 1\n---\nc: [1, 2]\n").unwrap();
        assert_eq!(docs.len(), 2);
        let a = docs[0].get("a").unwrap();
        let b = a.get("b").unwrap();
        assert_eq!((b.line, &b.value), (2, &scalar("X", Some("!Ref"))));
        assert_eq!(a.get("c").map(|c| &c.value), Some(&scalar("1", None)));
        assert_eq!(docs[1].get("c").map(|c| c.line), Some(5));
    }

    #[test]
    fn forbidden_control_characters_are_read_as_spaces() {
        let docs = parse("a: 1 # \0 \x1b[2J\nimage: nginx:latest\n").expect("parses");
        assert_eq!(
            docs[0].get("image").and_then(Node::text),
            Some("nginx:latest")
        );
        assert_eq!(docs[0].get("image").map(|n| n.line), Some(2));
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

    /// The shapes Docker Compose, kubectl and PyYAML accept that a strict YAML 1.2 reader
    /// refuses, each with the line its value must land on.
    #[test]
    fn reads_what_compose_and_kubectl_accept() {
        let cases: [(&str, &str, &str, u32); 6] = [
            (
                "flow sequence closed at the key's indentation",
                "services:\n  web:\n    image: nginx:latest\n    command: [\n      \"nginx\",\n    ]\n",
                "nginx:latest",
                3,
            ),
            (
                "flow items at the key's indentation",
                "args: [\na, b\n]\nimage: nginx:latest\n",
                "nginx:latest",
                4,
            ),
            (
                "tab after the colon",
                "image:\tnginx:latest\n",
                "nginx:latest",
                1,
            ),
            (
                "a quoted continuation indented less",
                "a:\n  b: \"x\ny\"\nimage: nginx:latest\n",
                "nginx:latest",
                4,
            ),
            (
                "a byte-order mark",
                "\u{feff}image: nginx:latest\n",
                "nginx:latest",
                1,
            ),
            (
                "CRLF and a lone CR inside a value",
                "a: 1\r\nb: \"x\ry\"\r\nimage: nginx:latest\r\n",
                "nginx:latest",
                3,
            ),
        ];
        for (what, text, want, line) in cases {
            let docs = parse(text).unwrap_or_else(|e| panic!("{what}: {e}"));
            let image = docs[0].get("image").or_else(|| {
                docs[0]
                    .get("services")
                    .and_then(|s| s.get("web"))
                    .and_then(|w| w.get("image"))
            });
            assert_eq!(
                image.map(|n| (n.text(), n.line)),
                Some((Some(want), line)),
                "{what}"
            );
        }
    }

    #[test]
    fn block_scalars_take_their_indicator_line() {
        let text = "a: 1\ncmd: | # run\n\n  echo a\n  echo b\nlist:\n  - >-\n    folded\nlast:\n  |\n  x\n";
        let docs = parse(text).unwrap();
        let cmd = docs[0].get("cmd").unwrap();
        assert_eq!((cmd.text(), cmd.line), (Some("\necho a\necho b\n"), 2));
        let item = &docs[0].get("list").and_then(Node::items).unwrap()[0];
        assert_eq!((item.text(), item.line), (Some("folded"), 7));
        assert_eq!(docs[0].get("last").map(|n| n.line), Some(10));
    }

    #[test]
    fn aliases_share_the_anchored_node_and_keep_their_own_line() {
        let text = "x: &img nginx:latest\na:\n  image: *img\nb:\n  image: *img\n";
        let docs = parse(text).unwrap();
        let a = docs[0].get("a").and_then(|a| a.get("image")).unwrap();
        let b = docs[0].get("b").and_then(|b| b.get("image")).unwrap();
        assert_eq!(
            (a.line, a.resolved().line, a.text()),
            (3, 1, Some("nginx:latest"))
        );
        assert!(std::ptr::eq(a.resolved(), b.resolved()));
    }

    #[test]
    fn merge_keys_apply_with_explicit_keys_winning() {
        let text = "\
base: &base {image: a:1, restart: always, user: x}
other: &other {image: b:1, port: 80, user: y}
svc:
  <<: [*other, *base]
  user: z
";
        let docs = parse(text).unwrap();
        let svc = docs[0].get("svc").unwrap();
        let got: Vec<_> = svc
            .entries()
            .unwrap()
            .map(|(k, v)| (k, v.text().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("user", "z"),
                ("image", "b:1"),
                ("port", "80"),
                ("restart", "always")
            ]
        );
        assert_eq!(svc.get("restart").map(|n| n.line), Some(1));
        assert!(svc.get(MERGE_KEY).is_none());
    }

    #[test]
    fn billion_laughs_stays_small() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        text.push_str("m0: &m0 {k: v}\n");
        for i in 1..40 {
            let p = i - 1;
            text.push_str(&format!("m{i}: &m{i} {{<<: [*m{p}, *m{p}], k{i}: v}}\n"));
        }
        let docs = parse(&text).unwrap();
        let last = docs[0].get("m39").unwrap();
        assert_eq!(last.entries().unwrap().count(), 40);
        assert_eq!(last.get("k").and_then(Node::text), Some("v"));
    }

    #[test]
    fn hostile_nesting_is_an_error_not_a_crash() {
        for text in [
            "[".repeat(100_000),
            "- ".repeat(100_000),
            "{a: ".repeat(50_000),
        ] {
            assert!(parse(&text).is_err());
        }
        assert!(parse("a: &a [*a]\n").is_ok());
        // Anchors chained through aliases nest as deep as the chain is long.
        let chain = |n: usize| {
            let mut text = String::from("a0: &a0 [x]\n");
            for i in 1..n {
                text.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
            }
            text
        };
        assert!(parse(&chain(1000)).is_ok());
        let deep = parse(&chain(100_000)).unwrap_err();
        assert!(deep.contains("more than 1024 levels deep"), "{deep}");
    }
}
