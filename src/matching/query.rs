//! Key-path queries over [`tree`](super::tree)s: `Resources.*[Type=AWS::ECS::*].Properties.
//! ContainerDefinitions[*].Image`, `**.containers[*].image`, `metadata.annotations."nginx.ingress.
//! kubernetes.io/cors-allow-origin"`.
//!
//! Steps: `name` or `"quoted.name"` (a key), `{A,B}`/`A_*` (keys matching a glob), `*` (any
//! key), `**` (any depth, including none), `[*]` (any item), `[N]` (item N), `[Key=glob]` (keep
//! mappings whose `Key` scalar matches).
//! Every hit carries an identity (its concrete path, with list items named by their `name` when
//! they have one) so base and head can be compared value by value.

use super::tree::{Node, Value};
use globset::{Glob, GlobMatcher};

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    KeyGlob(Pattern),
    AnyKey,
    Descend,
    AnyIndex,
    Index(usize),
    Filter(String, Pattern),
}

/// A glob on a key or scalar. Most are a plain name, `*` or `{A,B,C}`: those are compared
/// directly, and only real globs pay for compiling a matcher.
#[derive(Debug, Clone)]
enum Pattern {
    Exact(String),
    OneOf(Vec<String>),
    Any,
    Glob(GlobMatcher),
}

impl Pattern {
    fn parse(glob: &str) -> Result<Pattern, globset::Error> {
        const META: [char; 7] = ['*', '?', '[', ']', '{', '}', '\\'];
        let plain = |s: &str| !s.contains(META) && !s.contains(',');
        if glob == "*" {
            return Ok(Pattern::Any);
        }
        if !glob.contains(META) {
            return Ok(Pattern::Exact(glob.to_string()));
        }
        if let Some(names) = glob.strip_prefix('{').and_then(|g| g.strip_suffix('}'))
            && names.split(',').all(plain)
        {
            return Ok(Pattern::OneOf(
                names.split(',').map(str::to_string).collect(),
            ));
        }
        Ok(Pattern::Glob(Glob::new(glob)?.compile_matcher()))
    }

    fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Exact(name) => name == text,
            Pattern::OneOf(names) => names.iter().any(|n| n == text),
            Pattern::Any => true,
            Pattern::Glob(glob) => glob.is_match(text),
        }
    }
}

/// A compiled query.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    steps: Vec<Step>,
}

/// One node a query reached.
#[derive(Debug, Clone)]
pub(crate) struct Hit<'d> {
    /// The concrete path, stable across unrelated edits (e.g. `Deployment/web.spec.template…`).
    pub identity: String,
    /// The last key on the way (empty at the top).
    pub key: String,
    /// The node reached.
    pub node: &'d Node,
}

impl Query {
    /// Parses a query; the error says what is wrong with it.
    pub(crate) fn parse(path: &str) -> Result<Query, String> {
        let mut steps = Vec::new();
        let mut chars = path.chars().peekable();
        let bad = |why: &str| Err(format!("bad query '{path}': {why}"));
        while let Some(&c) = chars.peek() {
            match c {
                '.' => {
                    chars.next();
                }
                '"' => {
                    chars.next();
                    let key: String = chars.by_ref().take_while(|&c| c != '"').collect();
                    steps.push(Step::Key(key));
                }
                '[' => {
                    chars.next();
                    let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                    let inner = inner.trim();
                    steps.push(if inner == "*" {
                        Step::AnyIndex
                    } else if let Ok(n) = inner.parse() {
                        Step::Index(n)
                    } else if let Some((key, pattern)) = inner.split_once('=') {
                        let glob = Pattern::parse(pattern.trim().trim_matches(['"', '\'']))
                            .map_err(|e| format!("bad query '{path}': {e}"))?;
                        Step::Filter(key.trim().to_string(), glob)
                    } else {
                        return bad("brackets take *, a number or Key=glob");
                    });
                }
                _ => {
                    let mut name = String::new();
                    while let Some(&c) = chars.peek() {
                        if c == '.' || c == '[' {
                            break;
                        }
                        name.push(c);
                        chars.next();
                    }
                    steps.push(match name.as_str() {
                        "*" => Step::AnyKey,
                        "**" => Step::Descend,
                        _ if name.contains(['{', '*', '?']) => Step::KeyGlob(
                            Pattern::parse(&name)
                                .map_err(|e| format!("bad query '{path}': {e}"))?,
                        ),
                        _ => Step::Key(name),
                    });
                }
            }
        }
        if steps.is_empty() {
            return bad("it is empty");
        }
        Ok(Query { steps })
    }

    /// Every node the query reaches from `node`, with identities relative to it.
    pub(crate) fn eval_node<'d>(&self, node: &'d Node) -> Vec<Hit<'d>> {
        let mut hits = Vec::new();
        let start = Hit {
            identity: String::new(),
            key: String::new(),
            node,
        };
        walk(&self.steps, start, &mut hits);
        hits
    }

    /// Every node the query reaches in `docs`.
    pub(crate) fn eval<'d>(&self, docs: &'d [Node]) -> Vec<Hit<'d>> {
        let mut hits = Vec::new();
        for (i, doc) in docs.iter().enumerate() {
            let start = Hit {
                identity: doc_identity(doc, i),
                key: String::new(),
                node: doc,
            };
            walk(&self.steps, start, &mut hits);
        }
        hits
    }
}

/// Kubernetes documents are named `Kind/name` so reordering them is not a change.
fn doc_identity(doc: &Node, index: usize) -> String {
    let kind = doc.get("kind").and_then(Node::text);
    let name = doc
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Node::text);
    match (kind, name) {
        (Some(k), Some(n)) => format!("{k}/{n}"),
        _ => format!("#{index}"),
    }
}

fn item_identity(item: &Node, index: usize) -> String {
    match item
        .get("name")
        .or_else(|| item.get("Name"))
        .and_then(Node::text)
    {
        Some(name) => format!("[{name}]"),
        None => format!("[{index}]"),
    }
}

impl Step {
    /// Whether a key step (`name`, `*`, a glob) takes the mapping entry named `key`.
    fn admits_key(&self, key: &str) -> bool {
        match self {
            Step::Key(k) => k == key,
            Step::AnyKey => true,
            Step::KeyGlob(glob) => glob.is_match(key),
            _ => false,
        }
    }
}

fn walk<'d>(steps: &[Step], hit: Hit<'d>, out: &mut Vec<Hit<'d>>) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(hit);
        return;
    };
    let child = |key: &str, ident: String, node: &'d Node| Hit {
        identity: ident,
        key: key.to_string(),
        node,
    };
    match (step, &hit.node.value) {
        (Step::Key(_) | Step::AnyKey | Step::KeyGlob(_), Value::Map(entries)) => {
            for (key, node) in entries.iter().filter(|(key, _)| step.admits_key(key)) {
                walk(
                    rest,
                    child(key, format!("{}.{key}", hit.identity), node),
                    out,
                );
            }
        }
        (Step::AnyIndex, Value::Seq(items)) => {
            for (i, node) in items.iter().enumerate() {
                let ident = format!("{}{}", hit.identity, item_identity(node, i));
                walk(rest, child(&hit.key, ident, node), out);
            }
        }
        (Step::Index(n), Value::Seq(items)) => {
            if let Some(node) = items.get(*n) {
                let ident = format!("{}[{n}]", hit.identity);
                walk(rest, child(&hit.key, ident, node), out);
            }
        }
        (Step::Filter(key, glob), Value::Map(_))
            if hit
                .node
                .get(key)
                .and_then(Node::text)
                .is_some_and(|t| glob.is_match(t)) =>
        {
            walk(rest, hit, out);
        }
        (Step::Descend, _) => {
            walk(rest, hit.clone(), out);
            match &hit.node.value {
                Value::Map(entries) => {
                    for (key, node) in entries {
                        walk(
                            steps,
                            child(key, format!("{}.{key}", hit.identity), node),
                            out,
                        );
                    }
                }
                Value::Seq(items) => {
                    for (i, node) in items.iter().enumerate() {
                        let ident = format!("{}{}", hit.identity, item_identity(node, i));
                        walk(steps, child(&hit.key, ident, node), out);
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    #[test]
    fn patterns_agree_with_globs() {
        let globs = [
            "*",
            "Image",
            "{CDN_HOST,CDN_URL}",
            "AWS::ECS::*",
            "A_*",
            "{A*,B}",
            "{}",
            "a?c",
        ];
        let texts = [
            "",
            "Image",
            "image",
            "CDN_HOST",
            "CDN_URL",
            "CDN",
            "AWS::ECS::Service",
            "A_B",
            "Ab",
            "B",
            "abc",
            "{}",
        ];
        for g in globs {
            let reference = Glob::new(g).unwrap().compile_matcher();
            let pattern = Pattern::parse(g).unwrap();
            for t in texts {
                assert_eq!(
                    pattern.is_match(t),
                    reference.is_match(t),
                    "glob {g:?} on {t:?}"
                );
            }
        }
        assert!(matches!(
            Pattern::parse("{CDN_HOST,CDN_URL}"),
            Ok(Pattern::OneOf(_))
        ));
        assert!(matches!(
            Pattern::parse("AWS::CloudFront::Distribution"),
            Ok(Pattern::Exact(_))
        ));
    }

    fn texts(q: &str, yaml: &str) -> Vec<(String, Option<String>, u32)> {
        let docs = parse(yaml).unwrap();
        Query::parse(q)
            .unwrap()
            .eval(&docs)
            .into_iter()
            .map(|h| (h.identity, h.node.text().map(String::from), h.node.line))
            .collect()
    }

    #[test]
    fn wildcards_filters_and_identities() {
        let yaml = "Resources:\n  Svc:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Image: app:latest\n  Other:\n    Type: AWS::S3::Bucket\n";
        let got = texts(
            "Resources.*[Type=AWS::ECS::*].Properties.ContainerDefinitions[*].Image",
            yaml,
        );
        assert_eq!(
            got,
            vec![(
                "#0.Resources.Svc.Properties.ContainerDefinitions[app].Image".to_string(),
                Some("app:latest".to_string()),
                7
            )]
        );
    }

    #[test]
    fn descend_finds_any_depth_and_docs_are_named() {
        let yaml = "kind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: nginx\n";
        let got = texts("**.containers[*].image", yaml);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].0,
            "Deployment/web.spec.template.spec.containers[c].image"
        );
    }

    #[test]
    fn key_globs_pick_matching_keys() {
        let yaml = "data:\n  CDN_HOST: a\n  LOG: b\n  ASSET_HOST: c\n";
        let got: Vec<_> = texts("data.{CDN_HOST,ASSET_HOST}", yaml)
            .into_iter()
            .map(|(_, t, _)| t.unwrap())
            .collect();
        assert_eq!(got, vec!["a", "c"]);
        assert_eq!(texts("data.*_HOST", yaml).len(), 2);
    }

    #[test]
    fn quoted_keys_may_hold_dots() {
        let yaml =
            "metadata:\n  annotations:\n    nginx.ingress.kubernetes.io/cors-allow-origin: \"*\"\n";
        let got = texts(
            "metadata.annotations.\"nginx.ingress.kubernetes.io/cors-allow-origin\"",
            yaml,
        );
        assert_eq!(got[0].1.as_deref(), Some("*"));
    }
}
