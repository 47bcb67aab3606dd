//! Key-path queries over [`tree`](super::tree)s: `Resources.*[Type=AWS::ECS::*].Properties.
//! ContainerDefinitions[*].Image`, `**.containers[*].image`, `metadata.annotations."nginx.ingress.
//! kubernetes.io/cors-allow-origin"`.
//!
//! Steps: `name` or `"quoted.name"` (a key), `{A,B}`/`A_*` (keys matching a glob), `*` (any
//! key), `**` (any depth, including none), `[*]` (any item), `[N]` (item N), `[Key=glob]` (keep
//! mappings whose `Key` scalar matches), `[!Key]` (keep mappings without `Key`).
//! Every hit carries an identity (its concrete path, with list items named by their `name` when
//! they have one) so base and head can be compared value by value, and a shape (the identity
//! without the names wildcards chose) so a renamed workload still finds its containers.
//! Walks follow aliases and merge keys ([`Node::entries`](super::tree::Node::entries)) and
//! spend a [`Budget`] of node visits, which no document can make them exceed.

use super::tree::{Node, Value};
use globset::{Glob, GlobMatcher};
use std::collections::HashSet;

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    KeyGlob(Pattern),
    AnyKey,
    Descend,
    AnyIndex,
    Index(usize),
    Filter(String, Pattern),
    Without(String),
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
    /// The identity with the names a wildcard chose left out (`Deployment/*`, `Resources.*`,
    /// `services.*`): what stays when a workload, a logical id or a service is renamed.
    pub shape: String,
    /// The last key on the way (empty at the top).
    pub key: String,
    /// The node reached (an alias's target, not the alias).
    pub node: &'d Node,
    /// The lines of the aliases and merge keys the way went through, outermost first.
    pub via: Vec<u32>,
    /// Whether the node was reached as an anchor or an alias of one.
    shared: bool,
}

/// How many nodes the queries on one file may visit. Without aliases a query visits each node
/// a few times; aliases can make the number of paths exponential in the file's size (a
/// "billion laughs" file), so past this the file is reported as not fully checked instead.
/// Shared by every walk of one evaluation (sub-queries of predicates included).
#[derive(Debug)]
pub(crate) struct Budget {
    left: std::cell::Cell<usize>,
}

/// The node-visit budget ran out: the document reaches too many values through aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Exhausted;

impl std::fmt::Display for Exhausted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("its aliases reach too many values to check them all")
    }
}

impl Budget {
    /// A budget for queries over documents parsed from `bytes` bytes of text: linear in its
    /// size, and generous for any file without aliases, whose nodes are fewer than half its
    /// bytes and which a query visits a few times each (a rule's query alternatives together
    /// visit each node at most about ten times). A few tens of milliseconds per rule at most.
    pub(crate) fn for_text(bytes: usize) -> Budget {
        Budget {
            left: std::cell::Cell::new(bytes.saturating_mul(16).max(20_000)),
        }
    }

    fn spend(&self) -> Result<(), Exhausted> {
        let left = self.left.get().checked_sub(1).ok_or(Exhausted)?;
        self.left.set(left);
        Ok(())
    }

    /// Whether some walk ran out (its result, and anything built on it, is incomplete).
    pub(crate) fn exhausted(&self) -> bool {
        self.left.get() == 0
    }
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
                    } else if let Some(key) = inner.strip_prefix('!') {
                        Step::Without(key.trim().to_string())
                    } else if let Some((key, pattern)) = inner.split_once('=') {
                        let glob = Pattern::parse(pattern.trim().trim_matches(['"', '\'']))
                            .map_err(|e| format!("bad query '{path}': {e}"))?;
                        Step::Filter(key.trim().to_string(), glob)
                    } else {
                        return bad("brackets take *, a number, Key=glob or !Key");
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

    /// Whether a document could hold a node this query reaches, given which key names its text
    /// spells out (`spelled`). A key is written out in the text unless an escape spells it
    /// (`"\u0069mage"`, which `spelled` must answer yes to); merge keys and aliases only reuse
    /// keys written elsewhere in the same text. So a file that lacks one of the keys a query
    /// names cannot hold a hit: a cheap, sound test that spares parsing it.
    pub(crate) fn could_reach(&self, mut spelled: impl FnMut(&str) -> bool) -> bool {
        self.steps.iter().all(|step| match step {
            Step::Key(key) | Step::Filter(key, _) => spelled(key),
            _ => true,
        })
    }

    /// Every node the query reaches from `node`, with identities relative to it.
    pub(crate) fn eval_node<'d>(
        &self,
        node: &'d Node,
        budget: &Budget,
    ) -> Result<Vec<Hit<'d>>, Exhausted> {
        self.eval_from([(node, String::new(), String::new())], budget)
    }

    /// Every node the query reaches in `docs`.
    pub(crate) fn eval<'d>(
        &self,
        docs: &'d [Node],
        budget: &Budget,
    ) -> Result<Vec<Hit<'d>>, Exhausted> {
        let starts = docs.iter().enumerate().map(|(i, doc)| {
            let (identity, shape) = doc_identity(doc, i);
            (doc, identity, shape)
        });
        self.eval_from(starts, budget)
    }

    fn eval_from<'d>(
        &self,
        starts: impl IntoIterator<Item = (&'d Node, String, String)>,
        budget: &Budget,
    ) -> Result<Vec<Hit<'d>>, Exhausted> {
        let mut walk = Walk {
            steps: &self.steps,
            budget,
            barren: HashSet::new(),
            out: Vec::new(),
        };
        for (node, identity, shape) in starts {
            walk.run(start(node, identity, shape))?;
        }
        Ok(walk.out)
    }
}

/// Where a walk starts: `node` (followed if it is an alias), named `identity`.
fn start(node: &Node, identity: String, shape: String) -> Hit<'_> {
    Hit {
        identity,
        shape,
        key: String::new(),
        node: node.resolved(),
        via: alias_line(node).into_iter().collect(),
        shared: is_shared(node),
    }
}

/// Whether `node` is an anchor's definition or an alias of it.
fn is_shared(node: &Node) -> bool {
    matches!(node.value, Value::Shared(_))
}

/// The line of an alias (a reference written away from its anchor), if `node` is one.
fn alias_line(node: &Node) -> Option<u32> {
    let target = node.resolved();
    (!std::ptr::eq(node, target) && node.line != target.line).then_some(node.line)
}

/// Kubernetes documents are named `Kind/name` (or `Kind/generateName`) so reordering them is
/// not a change; the shape keeps only the kind, so a renamed object keeps its containers.
fn doc_identity(doc: &Node, index: usize) -> (String, String) {
    let kind = doc.get("kind").and_then(Node::text);
    let metadata = doc.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Node::text);
    match (kind, name) {
        (Some(k), Some(n)) => (format!("{k}/{n}"), format!("{k}/*")),
        (Some(k), None) => (format!("#{index}"), format!("{k}/*")),
        _ => (format!("#{index}"), "#".to_string()),
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

impl<'d> Hit<'d> {
    /// The hit one step further on: `node` under `key`, its identity extended by `name` and
    /// its shape by `shape`; `merged_at` is the line of the merge key it came through.
    fn step(
        &self,
        (name, shape): (&str, &str),
        key: &str,
        node: &'d Node,
        merged_at: Option<u32>,
    ) -> Hit<'d> {
        let mut via = self.via.clone();
        via.extend(merged_at);
        via.extend(alias_line(node));
        Hit {
            identity: format!("{}{name}", self.identity),
            shape: format!("{}{shape}", self.shape),
            key: key.to_string(),
            node: node.resolved(),
            via,
            shared: is_shared(node),
        }
    }

    /// The mapping entry `key`; its shape leaves the key out when a wildcard chose it.
    fn entry(&self, key: &str, named: bool, node: &'d Node, merged_at: Option<u32>) -> Hit<'d> {
        let name = format!(".{key}");
        let shape = if named { ".*" } else { name.as_str() };
        self.step((&name, shape), key, node, merged_at)
    }

    /// Item `index`, named by its `name` key when `by_name` and it has one.
    fn item(&self, index: usize, node: &'d Node, by_name: bool) -> Hit<'d> {
        let name = if by_name {
            item_identity(node, index)
        } else {
            format!("[{index}]")
        };
        self.step((&name, &name), &self.key, node, None)
    }
}

/// One query's walk: the budget it spends, the hits it finds, and the shared (anchored) nodes
/// from which the rest of the query is known to find nothing, so a document that reaches one
/// anchor along many paths (a "billion laughs") costs one walk of it. The walk keeps its own
/// stack of work, so however deep aliases nest values it never runs out of call stack.
struct Walk<'w, 'q, 'd> {
    steps: &'q [Step],
    budget: &'w Budget,
    barren: HashSet<(usize, *const Node)>,
    out: Vec<Hit<'d>>,
}

/// Work left in a walk.
enum Task<'d> {
    /// Apply the steps from this index on to this hit.
    Visit(usize, Hit<'d>),
    /// Everything under a shared node was walked: remember it when it found nothing since the
    /// hit count was this.
    Close((usize, *const Node), usize),
}

impl<'d> Walk<'_, '_, 'd> {
    fn run(&mut self, start: Hit<'d>) -> Result<(), Exhausted> {
        let mut work = vec![Task::Visit(0, start)];
        while let Some(task) = work.pop() {
            let (at, hit) = match task {
                Task::Visit(at, hit) => (at, hit),
                Task::Close(memo, found) => {
                    if self.out.len() == found {
                        self.barren.insert(memo);
                    }
                    continue;
                }
            };
            self.budget.spend()?;
            if hit.shared {
                let memo = (at, std::ptr::from_ref(hit.node));
                if self.barren.contains(&memo) {
                    continue;
                }
                work.push(Task::Close(memo, self.out.len()));
            }
            let Some(step) = self.steps.get(at) else {
                self.out.push(hit);
                continue;
            };
            // Children are pushed last first, so they are walked in document order.
            let mut next: Vec<Task<'d>> = Vec::new();
            match step {
                Step::Key(_) | Step::AnyKey | Step::KeyGlob(_) => {
                    let named = !matches!(step, Step::Key(_));
                    for (key, node, merged_at) in
                        hit.node.entries_with_origin().into_iter().flatten()
                    {
                        self.budget.spend()?;
                        if step.admits_key(key) {
                            next.push(Task::Visit(at + 1, hit.entry(key, named, node, merged_at)));
                        }
                    }
                }
                Step::AnyIndex => {
                    for (i, node) in hit.node.items().unwrap_or_default().iter().enumerate() {
                        next.push(Task::Visit(at + 1, hit.item(i, node, true)));
                    }
                }
                Step::Index(n) => {
                    if let Some(node) = hit.node.items().and_then(|items| items.get(*n)) {
                        next.push(Task::Visit(at + 1, hit.item(*n, node, false)));
                    }
                }
                Step::Filter(key, glob) => {
                    if hit
                        .node
                        .get(key)
                        .and_then(Node::text)
                        .is_some_and(|t| glob.is_match(t))
                    {
                        next.push(Task::Visit(at + 1, hit));
                    }
                }
                Step::Without(key) => {
                    if hit.node.is_map() && hit.node.get(key).is_none() {
                        next.push(Task::Visit(at + 1, hit));
                    }
                }
                Step::Descend => {
                    next.push(Task::Visit(at + 1, hit.clone()));
                    if let Some(entries) = hit.node.entries_with_origin() {
                        for (key, node, merged_at) in entries {
                            next.push(Task::Visit(at, hit.entry(key, true, node, merged_at)));
                        }
                    } else if let Some(items) = hit.node.items() {
                        for (i, node) in items.iter().enumerate() {
                            next.push(Task::Visit(at, hit.item(i, node, true)));
                        }
                    }
                }
            }
            work.extend(next.into_iter().rev());
        }
        Ok(())
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
            .eval(&docs, &Budget::for_text(yaml.len()))
            .unwrap()
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
    fn walks_through_the_deepest_alias_chain_the_reader_allows() {
        let mut yaml = String::from("a0: &a0 {image: \"x:latest\"}\n");
        for i in 1..1000 {
            yaml.push_str(&format!("a{i}: &a{i} {{next: *a{}}}\n", i - 1));
        }
        let docs = parse(&yaml).unwrap();
        let budget = Budget::for_text(yaml.len());
        let deepest = format!("a999{}.image", ".next".repeat(999));
        let hits = Query::parse(&deepest)
            .unwrap()
            .eval(&docs, &budget)
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].node.line, hits[0].via.len()), (1, 999));
        // Nothing to find below any anchor: each is walked once, not once per path to it.
        let none = Query::parse("**.tag")
            .unwrap()
            .eval(&docs, &budget)
            .unwrap();
        assert!(none.is_empty());
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
