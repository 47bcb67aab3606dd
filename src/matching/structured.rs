//! Structured matchers compiled from `[rule.query]`, `[rule.dockerfile]`, `[rule.terraform]`,
//! `[rule.cdk_image]` and `[rule.cdk_construct]`, and their evaluation: candidates are read from
//! both sides of a file, keyed by identity, and compared so a rule fires on what the change
//! introduced, not on what was already there.

use super::cdk::{self, CdkFile};
use super::compose::DotEnv;
use super::image::{self, ImageClass};
use super::pattern::{Compile, LazyRegex, Syntax};
use super::query::{Budget, Exhausted, Query};
use super::spec::{
    CdkConstructSpec, Change, DockerfileSpec, PredicateSpec, QuerySpec, StructureSpec,
    TerraformSpec,
};
use super::tree::{self, Node, Value};
use super::{cloudformation, dockerfile, terraform};
use crate::change::Side;
use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::ops::{Deref, Range};
use std::sync::OnceLock;
use toml::Spanned;

/// What is wrong with a matcher as written, and where in its rule file (a byte range).
pub(crate) type SpanError = (Range<usize>, String);

/// A compiled condition on one value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Predicate {
    value: Option<LazyRegex>,
    image: Vec<ImageClass>,
    tagged: Option<bool>,
    absent: Option<(Query, String)>,
    present: Option<(Query, String)>,
}

/// A compiled structured matcher.
#[derive(Debug, Clone)]
pub(crate) enum Structure {
    /// YAML/JSON key-path queries.
    Query {
        /// Alternatives; hits of all are candidates.
        queries: Vec<Query>,
        /// What the values reached must be, across the two sides.
        relation: Relation,
    },
    /// Dockerfile instructions.
    Dockerfile {
        /// Upper-cased instruction.
        instruction: String,
        /// Regex on the key (ENV/ARG/LABEL).
        key: Option<LazyRegex>,
        /// What the values (images, for `FROM`) must be, across the two sides.
        relation: Relation,
    },
    /// Terraform resources removed.
    Terraform {
        /// Regex on the resource type.
        resource: LazyRegex,
    },
    /// The images AWS CDK code runs.
    CdkImage {
        /// What the images must be, across the two sides.
        relation: Relation,
    },
    /// AWS CDK constructs removed.
    CdkConstruct {
        /// Regex on the construct's class.
        class: LazyRegex,
    },
}

/// A value one side of a file offers to a structured matcher.
struct Candidate<'d> {
    identity: String,
    /// The identity without the names a wildcard chose (see [`query::Hit`](super::query::Hit)).
    shape: String,
    key: String,
    line: u32,
    text: Option<String>,
    tag: Option<String>,
    node: Option<&'d Node>,
    via: Vec<u32>,
    vars: Vec<String>,
    /// The text was computed from CloudFormation functions (parameter defaults, mappings).
    computed: bool,
}

impl Candidate<'_> {
    /// A candidate that is not in a YAML/JSON tree (a Dockerfile instruction).
    fn flat(identity: String, key: String, line: u32, text: String) -> Candidate<'static> {
        Candidate {
            shape: identity.clone(),
            identity,
            key,
            line,
            text: Some(text),
            tag: None,
            node: None,
            via: Vec::new(),
            vars: Vec::new(),
            computed: false,
        }
    }
}

/// One structured match, ready to become a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StructuredHit {
    /// Which side's line `line` is.
    pub side: Side,
    /// 1-based line of the value.
    pub line: u32,
    /// The value (head; base for removals), or the identity for collections.
    pub value: String,
    /// The base value, for `changed`; for `removed`, the removed object's kind (its `Type`
    /// or `kind`), when it says.
    pub was: String,
    /// The last key on the way to the value.
    pub key: String,
    /// The value's concrete path.
    pub identity: String,
    /// The lines of the aliases and merge keys the value was reached through, outermost first
    /// (the anchor's own line is `line`).
    pub via: Vec<u32>,
    /// The compose variables the value was interpolated from, or the CloudFormation parameters
    /// whose defaults it was computed from.
    pub vars: Vec<String>,
    /// The value was computed from CloudFormation parameter defaults or mappings: at one place,
    /// what decides it is those, not the text around them.
    pub computed: bool,
}

fn regex(field: &str, re: &Spanned<String>, how: Compile) -> Result<LazyRegex, SpanError> {
    how.regex(re.get_ref()).map_err(|e| {
        let detail = e.to_string().lines().last().unwrap_or_default().to_string();
        (
            re.span(),
            format!("`{field}` is not a valid regex: {detail}"),
        )
    })
}

fn sub_query(spec: &Spanned<String>) -> Result<(Query, String), SpanError> {
    let Some((path, value)) = spec.get_ref().rsplit_once('=') else {
        return Err((
            spec.span(),
            "write \"SubQuery=VALUE\" (VALUE may be *)".to_string(),
        ));
    };
    let query = Query::parse(path.trim()).map_err(|m| (spec.span(), m))?;
    Ok((query, value.trim().to_string()))
}

impl Predicate {
    /// Compiles a predicate; errors say where in the rule file.
    fn compile(spec: &PredicateSpec, how: Compile) -> Result<Predicate, SpanError> {
        Ok(Predicate {
            value: spec
                .value
                .as_ref()
                .map(|v| regex("value", v, how))
                .transpose()?,
            image: spec.image.clone(),
            tagged: spec.tagged,
            absent: spec.absent.as_ref().map(sub_query).transpose()?,
            present: spec.present.as_ref().map(sub_query).transpose()?,
        })
    }

    fn holds(&self, c: &Candidate, budget: &Budget) -> bool {
        let text = c.text.as_deref();
        self.value
            .as_ref()
            .is_none_or(|re| text.is_some_and(|t| re.is_match(t)))
            && (self.image.is_empty()
                || text.filter(|_| names_image_itself(c)).is_some_and(|t| {
                    image::looks_like_image(t) && self.image.contains(&image::classify(t))
                }))
            && self
                .tagged
                .is_none_or(|want| (c.tag.is_some() || c.computed) == want)
            && self
                .absent
                .as_ref()
                .is_none_or(|(q, v)| !reaches(c.node, q, v, budget))
            && self
                .present
                .as_ref()
                .is_none_or(|(q, v)| reaches(c.node, q, v, budget))
    }
}

/// Whether a scalar's text is the image reference itself: plain, `!Sub` (a template whose
/// literal parts still show the tag) or computed from functions, not an unresolved
/// `!Ref`/`!GetAtt`/`!ImportValue`, whose text names something else.
fn names_image_itself(c: &Candidate) -> bool {
    c.computed || c.tag.as_deref().is_none_or(|t| t == "!Sub")
}

/// Whether `query` from `node` reaches a scalar equal to `want` (`*`: reaches anything). When
/// the budget runs out the answer does not matter: the whole evaluation is discarded.
fn reaches(node: Option<&Node>, query: &Query, want: &str, budget: &Budget) -> bool {
    let Some(node) = node else { return false };
    let equal = |n: &Node| n.text().is_some_and(|t| t.eq_ignore_ascii_case(want));
    query.eval_node(node, budget).is_ok_and(|hits| {
        hits.iter().any(|hit| {
            want == "*" || equal(hit.node) || hit.node.items().is_some_and(|i| i.iter().any(equal))
        })
    })
}

impl Structure {
    /// Compiles a matcher; errors say where in the rule file. `how` says how its regexes read
    /// classes and whether they compile now (see [`Compile`]).
    fn compile(spec: &StructureSpec, how: Compile) -> Result<Structure, SpanError> {
        match spec {
            StructureSpec::Query(q) => Structure::query(q, how),
            StructureSpec::Dockerfile(d) => Structure::dockerfile(d, how),
            StructureSpec::Terraform(t) => Structure::terraform(t, how),
            StructureSpec::CdkImage(i) => Ok(Structure::CdkImage {
                relation: Relation::compile(i.change, &i.is, i.was.as_ref(), how)?,
            }),
            StructureSpec::CdkConstruct(c) => Structure::cdk_construct(c, how),
        }
    }

    /// Compiles `[rule.query]`.
    fn query(spec: &QuerySpec, how: Compile) -> Result<Structure, SpanError> {
        let queries = spec
            .path
            .get_ref()
            .split(" | ")
            .map(|p| Query::parse(p.trim()).map_err(|m| (spec.path.span(), m)))
            .collect::<Result<_, _>>()?;
        Ok(Structure::Query {
            queries,
            relation: Relation::compile(spec.change, &spec.is, spec.was.as_ref(), how)?,
        })
    }

    /// Compiles `[rule.dockerfile]`.
    fn dockerfile(spec: &DockerfileSpec, how: Compile) -> Result<Structure, SpanError> {
        let instruction = spec.instruction.get_ref().to_ascii_uppercase();
        if !["FROM", "ENV", "ARG", "LABEL"].contains(&instruction.as_str()) {
            return Err((
                spec.instruction.span(),
                "instruction must be FROM, ENV, ARG or LABEL".to_string(),
            ));
        }
        Ok(Structure::Dockerfile {
            instruction,
            key: spec
                .key
                .as_ref()
                .map(|k| regex("key", k, how))
                .transpose()?,
            relation: Relation::compile(spec.change, &spec.is, spec.was.as_ref(), how)?,
        })
    }

    /// Compiles `[rule.terraform]`.
    fn terraform(spec: &TerraformSpec, how: Compile) -> Result<Structure, SpanError> {
        Ok(Structure::Terraform {
            resource: regex("resource", &spec.resource, how)?,
        })
    }

    /// Compiles `[rule.cdk_construct]`.
    fn cdk_construct(spec: &CdkConstructSpec, how: Compile) -> Result<Structure, SpanError> {
        Ok(Structure::CdkConstruct {
            class: regex("class", &spec.class_name, how)?,
        })
    }

    /// Whether the matcher reports what a change removes (a document query's `removed`).
    pub(crate) fn removes(&self) -> bool {
        matches!(
            self,
            Structure::Query {
                relation: Relation {
                    change: Change::Removed,
                    ..
                },
                ..
            }
        )
    }

    /// Whether the matcher could find anything in a file whose two sides are these texts: a
    /// sound, cheap test (a query's keys must be spelled out in the text), so files no rule
    /// could care about are never parsed.
    pub(crate) fn could_match(&self, sides: &Sides) -> bool {
        match self {
            Structure::Query { queries, .. } => queries
                .iter()
                .any(|q| q.could_reach(|key| sides.spells(key))),
            Structure::Dockerfile { .. }
            | Structure::Terraform { .. }
            | Structure::CdkImage { .. }
            | Structure::CdkConstruct { .. } => true,
        }
    }

    /// Evaluates a query, Dockerfile or CDK image matcher on one file's two sides. `Err` carries why a
    /// side could not be read as a document, or why not every value in it could be checked
    /// (the caller reports the file as not fully checked).
    pub(crate) fn evaluate(&self, sides: &Sides) -> Result<Vec<StructuredHit>, String> {
        match self {
            Structure::Query { queries, relation } => {
                let (base_docs, head_docs) = sides.documents()?;
                let size = sides.base.map_or(0, str::len) + sides.head.map_or(0, str::len);
                let budget = Budget::for_text(size);
                let exhausted = |e: Exhausted| format!("not every value was checked: {e}");
                let base = query_candidates(queries, base_docs, sides.env(Side::Base), &budget)
                    .map_err(exhausted)?;
                let head = query_candidates(queries, head_docs, sides.env(Side::Head), &budget)
                    .map_err(exhausted)?;
                let hits = relation.compare(base, head, &budget);
                if budget.exhausted() {
                    return Err(exhausted(Exhausted));
                }
                Ok(hits)
            }
            Structure::Dockerfile {
                instruction,
                key,
                relation,
            } => {
                let (base_items, head_items) = sides.instructions();
                let side = |items: &[dockerfile::Item]| -> Vec<Candidate<'static>> {
                    items
                        .iter()
                        .filter(|i| &i.instruction == instruction)
                        .filter(|i| key.as_ref().is_none_or(|re| re.is_match(&i.key)))
                        .map(|i| {
                            let identity = format!("{} {}", i.instruction, i.key);
                            Candidate::flat(identity, i.key.clone(), i.line, i.value.clone())
                        })
                        .collect()
                };
                let budget = Budget::for_text(0);
                Ok(relation.compare(side(base_items), side(head_items), &budget))
            }
            Structure::CdkImage { relation } => {
                let (base, head) = sides.cdk_images();
                let side = |images: &[cdk::Image]| -> Vec<Candidate<'static>> {
                    images
                        .iter()
                        .map(|i| {
                            Candidate::flat(
                                i.identity.clone(),
                                i.how.clone(),
                                i.line,
                                i.value.clone(),
                            )
                        })
                        .collect()
                };
                let budget = Budget::for_text(0);
                Ok(relation.compare(side(base), side(head), &budget))
            }
            Structure::Terraform { .. } | Structure::CdkConstruct { .. } => Ok(Vec::new()),
        }
    }
}

/// A structured matcher that compiles itself the first time it is used.
#[derive(Debug, Clone)]
pub(crate) struct LazyStructure {
    spec: StructureSpec,
    syntax: Syntax,
    compiled: OnceLock<Structure>,
}

impl LazyStructure {
    /// Compiles now; errors say where in the rule file.
    pub(crate) fn eager(spec: StructureSpec, syntax: Syntax) -> Result<LazyStructure, SpanError> {
        let eager = Compile {
            syntax,
            eager: true,
        };
        let structure = Structure::compile(&spec, eager)?;
        Ok(LazyStructure {
            spec,
            syntax,
            compiled: OnceLock::from(structure),
        })
    }

    /// Defers compilation to first use; only for matchers shipped in the binary and checked by
    /// the test suite.
    pub(crate) fn deferred(spec: StructureSpec, syntax: Syntax) -> LazyStructure {
        LazyStructure {
            spec,
            syntax,
            compiled: OnceLock::new(),
        }
    }
}

impl Deref for LazyStructure {
    type Target = Structure;

    fn deref(&self) -> &Structure {
        self.compiled.get_or_init(|| {
            let deferred = Compile {
                syntax: self.syntax,
                eager: false,
            };
            Structure::compile(&self.spec, deferred).expect(
                "built-in structured matchers are compiled by the test suite before release",
            )
        })
    }
}

type Documents = (Vec<Node>, Vec<Node>);

/// Both sides of one file, parsed on first use and shared by every structured rule that
/// looks at the file, so a large manifest is parsed once, not once per rule.
pub(crate) struct Sides<'t> {
    base: Option<&'t str>,
    head: Option<&'t str>,
    compose: Option<(&'t DotEnv, &'t DotEnv)>,
    /// Which key names either side spells out (asked by many rules' queries, searched once).
    spelled: RefCell<HashMap<String, bool>>,
    /// Whether either side holds a `\`, which could spell any key as an escape.
    escaped: OnceCell<bool>,
    documents: OnceCell<Result<Documents, String>>,
    instructions: OnceCell<(Vec<dockerfile::Item>, Vec<dockerfile::Item>)>,
    cdk_images: OnceCell<(Vec<cdk::Image>, Vec<cdk::Image>)>,
}

impl<'t> Sides<'t> {
    /// Wraps the texts of a file's base and head (`None`: absent on that side).
    pub(crate) fn new(base: Option<&'t str>, head: Option<&'t str>) -> Self {
        Sides {
            base,
            head,
            compose: None,
            spelled: RefCell::new(HashMap::new()),
            escaped: OnceCell::new(),
            documents: OnceCell::new(),
            instructions: OnceCell::new(),
            cdk_images: OnceCell::new(),
        }
    }

    /// Reads the file as a Docker Compose file: values are interpolated with each side's
    /// project `.env` (and the defaults the file writes), as `docker compose` would.
    pub(crate) fn compose(mut self, base_env: &'t DotEnv, head_env: &'t DotEnv) -> Self {
        self.compose = Some((base_env, head_env));
        self
    }

    /// Whether `key` may be a key of a document on either side: it is written out in the text,
    /// or the text has an escape that could spell it.
    fn spells(&self, key: &str) -> bool {
        let texts = || [self.base, self.head].into_iter().flatten();
        if *self
            .escaped
            .get_or_init(|| texts().any(|t| memchr::memchr(b'\\', t.as_bytes()).is_some()))
        {
            return true;
        }
        *self
            .spelled
            .borrow_mut()
            .entry(key.to_string())
            .or_insert_with(|| {
                texts().any(|t| memchr::memmem::find(t.as_bytes(), key.as_bytes()).is_some())
            })
    }

    fn env(&self, side: Side) -> Option<&'t DotEnv> {
        self.compose.map(|(base, head)| match side {
            Side::Base => base,
            Side::Head => head,
        })
    }

    /// The file's base text, if any.
    pub(crate) fn base(&self) -> Option<&'t str> {
        self.base
    }

    /// The file's head text, if any.
    pub(crate) fn head(&self) -> Option<&'t str> {
        self.head
    }

    fn documents(&self) -> Result<(&[Node], &[Node]), String> {
        let parsed = self.documents.get_or_init(|| {
            let parse = |t: Option<&str>| {
                t.map_or(Ok(Vec::new()), tree::parse)
                    .map_err(|e| format!("not valid YAML/JSON ({e})"))
            };
            Ok((parse(self.base)?, parse(self.head)?))
        });
        match parsed {
            Ok((base, head)) => Ok((base, head)),
            Err(why) => Err(why.clone()),
        }
    }

    fn instructions(&self) -> (&[dockerfile::Item], &[dockerfile::Item]) {
        let (base, head) = self.instructions.get_or_init(|| {
            let read = |t: Option<&str>| dockerfile::items(t.unwrap_or_default());
            (read(self.base), read(self.head))
        });
        (base, head)
    }

    fn cdk_images(&self) -> (&[cdk::Image], &[cdk::Image]) {
        let (base, head) = self.cdk_images.get_or_init(|| {
            let read = |t: Option<&str>| {
                t.and_then(CdkFile::read)
                    .map(|f| f.images())
                    .unwrap_or_default()
            };
            (read(self.base), read(self.head))
        });
        (base, head)
    }
}

/// Constructs of a matching class in `base` whose id is in no changed head file.
pub(crate) fn cdk_removed(
    class: &LazyRegex,
    base: &str,
    head_ids: &HashSet<String>,
) -> Vec<StructuredHit> {
    let Some(file) = CdkFile::read(base) else {
        return Vec::new();
    };
    file.constructs()
        .into_iter()
        .filter(|c| class.is_match(&c.class) && !head_ids.contains(&c.id))
        .map(|c| StructuredHit {
            side: Side::Base,
            line: c.line,
            value: format!("{} '{}'", c.class, c.id),
            was: String::new(),
            key: c.id.clone(),
            identity: c.id,
            via: Vec::new(),
            vars: Vec::new(),
            computed: false,
        })
        .collect()
}

/// Resources of a matching type in `base` whose address is in no changed head file and was not
/// moved with a `moved` block.
pub(crate) fn terraform_removed(
    resource: &LazyRegex,
    base: &str,
    head_addresses: &HashSet<String>,
    moved: &HashSet<String>,
) -> Vec<StructuredHit> {
    terraform::resources(base)
        .into_iter()
        .filter(|r| resource.is_match(&r.kind))
        .filter(|r| !head_addresses.contains(&r.address) && !moved.contains(&r.address))
        .map(|r| StructuredHit {
            side: Side::Base,
            line: r.line,
            value: r.address.clone(),
            was: String::new(),
            key: r.kind,
            identity: r.address,
            via: Vec::new(),
            vars: Vec::new(),
            computed: false,
        })
        .collect()
}

/// The values `queries` reach in one side's documents; scalars interpolated when the file is
/// read as compose (`env`); in a CloudFormation template, functions over parameter defaults and
/// mappings computed: such a value's line is the last default it used, its way (`via`) the
/// reference and the other defaults, so a change is reported on the default or reference it
/// touched, and a default several resources use is one decision.
fn query_candidates<'d>(
    queries: &[Query],
    docs: &'d [Node],
    env: Option<&DotEnv>,
    budget: &Budget,
) -> Result<Vec<Candidate<'d>>, Exhausted> {
    let mut out = Vec::new();
    let template = OnceCell::new();
    for q in queries {
        out.extend(q.eval(docs, budget)?.into_iter().map(|h| {
            let (mut text, tag) = match &h.node.value {
                Value::Scalar { text, tag } => (Some(text.clone()), tag.clone()),
                _ => (None, None),
            };
            let (mut vars, mut via, mut line, mut computed) =
                (Vec::new(), h.via, h.node.line, false);
            if let (Some(env), Some(written)) = (env, &text)
                && let Some(resolved) = env.interpolate(written)
            {
                text = Some(resolved.text);
                vars = resolved.vars;
            } else if (tag.is_some() || h.node.is_map())
                && let Some(resolved) = template
                    .get_or_init(|| cloudformation::Template::find(docs))
                    .and_then(|t| t.resolve(h.node))
            {
                text = Some(resolved.text);
                vars = resolved.parameters;
                computed = true;
                // The last default used is where the value is decided (a tag comes last);
                // the reference and the other defaults are the way there.
                let mut lines = resolved.lines;
                if let Some(decided) = lines.pop() {
                    via.push(line);
                    via.extend(lines);
                    line = decided;
                }
            }
            Candidate {
                identity: h.identity,
                shape: h.shape,
                key: h.key,
                line,
                text,
                tag,
                node: Some(h.node),
                via,
                vars,
                computed,
            }
        }));
    }
    Ok(out)
}

/// What kind of object a collection is, when it says (`Type`, as a CloudFormation resource
/// does, or `kind`): an object whose kind changes under the same identity is replaced, so for
/// `removed` it is gone.
fn kind<'c>(c: &'c Candidate) -> Option<&'c str> {
    let node = c.node?;
    node.get("Type").or_else(|| node.get("kind"))?.text()
}

fn describe(c: &Candidate) -> String {
    c.text.clone().unwrap_or_else(|| c.identity.clone())
}

/// What a compared value must be: the base-versus-head relation, the condition on the value,
/// and the condition on the base value it replaced.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    change: Change,
    is: Predicate,
    was: Option<Predicate>,
}

impl Relation {
    /// Compiles a matcher's relation and its `is` and optional `was` predicates.
    fn compile(
        change: Change,
        is: &PredicateSpec,
        was: Option<&PredicateSpec>,
        how: Compile,
    ) -> Result<Relation, SpanError> {
        let was = was.map(|w| Predicate::compile(w, how)).transpose()?;
        Ok(Relation {
            change,
            is: Predicate::compile(is, how)?,
            was,
        })
    }

    /// The head candidates (base ones, for `removed`) that stand in the relation with the other
    /// side's candidates of the same identity. For `added`, a head value whose identity is new
    /// is still not new when a base value whose identity is gone had the same value (same
    /// shape first): a renamed workload, logical id or service keeps what it had.
    fn compare(
        &self,
        base: Vec<Candidate>,
        head: Vec<Candidate>,
        budget: &Budget,
    ) -> Vec<StructuredHit> {
        let (is, was) = (&self.is, self.was.as_ref());
        let hit = |side, c: &Candidate, was: String| StructuredHit {
            side,
            line: c.line,
            value: describe(c),
            was,
            key: c.key.clone(),
            identity: c.identity.clone(),
            via: c.via.clone(),
            vars: c.vars.clone(),
            computed: c.computed,
        };
        let base_by_id: HashMap<&str, &Candidate> =
            base.iter().map(|c| (c.identity.as_str(), c)).collect();
        let head_ids: HashSet<&str> = head.iter().map(|c| c.identity.as_str()).collect();
        match self.change {
            Change::Any => head
                .iter()
                .filter(|h| is.holds(h, budget))
                .map(|h| hit(Side::Head, h, String::new()))
                .collect(),
            Change::Added => {
                let mut renamed = Renamed::new(&base, &head_ids);
                head.iter()
                    .filter(|h| is.holds(h, budget))
                    .filter(|h| match base_by_id.get(h.identity.as_str()) {
                        None => !renamed.had(h, |b| is.holds(b, budget)),
                        Some(b) if h.text.is_some() => {
                            b.text != h.text && was.is_none_or(|w| w.holds(b, budget))
                        }
                        Some(b) => !is.holds(b, budget),
                    })
                    .map(|h| hit(Side::Head, h, String::new()))
                    .collect()
            }
            Change::Removed => {
                let head_kinds: HashMap<&str, Option<&str>> = head
                    .iter()
                    .map(|c| (c.identity.as_str(), kind(c)))
                    .collect();
                base.iter()
                    .filter(|b| is.holds(b, budget))
                    .filter(|b| {
                        head_kinds
                            .get(b.identity.as_str())
                            .is_none_or(|k| *k != kind(b))
                    })
                    .map(|b| hit(Side::Base, b, kind(b).unwrap_or_default().to_string()))
                    .collect()
            }
            Change::Changed => head
                .iter()
                .filter(|h| is.holds(h, budget))
                .filter_map(|h| {
                    let b = base_by_id.get(h.identity.as_str())?;
                    let was_ok = b.text != h.text && was.is_none_or(|w| w.holds(b, budget));
                    was_ok.then(|| hit(Side::Head, h, describe(b)))
                })
                .collect(),
        }
    }
}

/// The base values whose identity is gone from head: what a renamed workload, logical id,
/// service or converted file had, indexed by shape and value and by value alone. Each is
/// matched to at most one new head value; each lookup costs about one hash.
struct Renamed<'c, 'd> {
    base: Vec<&'c Candidate<'d>>,
    taken: Vec<bool>,
    by_shape: HashMap<String, Vec<usize>>,
    by_value: HashMap<&'c str, Vec<usize>>,
}

impl<'c, 'd> Renamed<'c, 'd> {
    fn new(base: &'c [Candidate<'d>], head_ids: &HashSet<&str>) -> Self {
        let base: Vec<&Candidate> = base
            .iter()
            .filter(|b| !head_ids.contains(b.identity.as_str()))
            .collect();
        let (mut by_shape, mut by_value) = (HashMap::new(), HashMap::new());
        // Reversed, so that popping a bucket takes the earliest candidate first.
        for (i, b) in base.iter().enumerate().rev() {
            let key = shape_key(b);
            by_shape.entry(key).or_insert_with(Vec::new).push(i);
            if let Some(text) = b.text.as_deref() {
                by_value.entry(text).or_insert_with(Vec::new).push(i);
            }
        }
        Renamed {
            taken: vec![false; base.len()],
            base,
            by_shape,
            by_value,
        }
    }

    /// Whether a gone base value stands for the new head value `h` (and takes it): the same
    /// shape and value, else (scalars) the same value anywhere; a collection of the same shape
    /// counts when `held` holds for it (the predicate already held before the rename).
    fn had(&mut self, h: &Candidate, held: impl Fn(&Candidate) -> bool) -> bool {
        let text = h.text.as_deref();
        let bucket = self.by_shape.get_mut(&shape_key(h));
        let found = take(bucket, &mut self.taken, |i| {
            text.is_some() || held(self.base[i])
        });
        found || text.is_some_and(|t| take(self.by_value.get_mut(t), &mut self.taken, |_| true))
    }
}

/// A candidate's shape and value as one key.
fn shape_key(c: &Candidate) -> String {
    format!("{}\0{:?}", c.shape, c.text)
}

/// Takes the first candidate of `bucket` that is not taken yet and that `fits`; a candidate
/// that does not fit never will (it depends on the candidate alone), so it is dropped.
fn take(bucket: Option<&mut Vec<usize>>, taken: &mut [bool], fits: impl Fn(usize) -> bool) -> bool {
    let Some(bucket) = bucket else { return false };
    while let Some(i) = bucket.pop() {
        if !taken[i] && fits(i) {
            taken[i] = true;
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn structure(toml_text: &str) -> Structure {
        let spec: QuerySpec = toml::from_str(toml_text).unwrap();
        let how = Compile {
            syntax: Syntax::Unicode,
            eager: true,
        };
        Structure::query(&spec, how).unwrap()
    }

    #[test]
    fn pinned_to_latest_is_a_change_with_both_values() {
        let s = structure(
            "path = \"**.Image\"\nchange = \"changed\"\nis = { image = [\"latest\"] }\nwas = { image = [\"pinned\", \"digest\"] }\n",
        );
        let hits = s
            .evaluate(&Sides::new(
                Some("Svc:\n  Image: app:ag5123s\n"),
                Some("Svc:\n  Image: app:latest\n"),
            ))
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (hits[0].value.as_str(), hits[0].was.as_str(), hits[0].line),
            ("app:latest", "app:ag5123s", 2)
        );
    }

    #[test]
    fn files_that_cannot_hold_a_match_are_not_parsed_but_escapes_are_seen() {
        let s = structure("path = \"**.containers[*].image\"\nis = { image = [\"latest\"] }\n");
        let unrelated = Sides::new(None, Some("name: app\nscripts: {build: tsc}\n"));
        assert!(!s.could_match(&unrelated));
        assert!(unrelated.documents.get().is_none(), "not parsed");
        let escaped = "{\"containers\": [{\"\\u0069mage\": \"nginx:latest\"}]}\n";
        let sides = Sides::new(None, Some(escaped));
        assert!(s.could_match(&sides));
        assert_eq!(s.evaluate(&sides).unwrap().len(), 1);
    }

    #[test]
    fn added_ignores_values_already_in_base() {
        let s = structure("path = \"**.image\"\nis = { image = [\"latest\"] }\n");
        let base = "a:\n  image: x:latest\n";
        assert!(
            s.evaluate(&Sides::new(
                Some(base),
                Some("b: 1\na:\n  image: x:latest\n")
            ))
            .unwrap()
            .is_empty()
        );
        assert_eq!(s.evaluate(&Sides::new(None, Some(base))).unwrap().len(), 1);
    }

    /// Evaluates `s` on two sides (one place to adapt if `evaluate`'s signature moves).
    fn hits(s: &Structure, base: Option<&str>, head: Option<&str>) -> Vec<StructuredHit> {
        s.evaluate(&Sides::new(base, head)).unwrap()
    }

    #[test]
    fn added_with_was_leaves_other_replacements_to_changed_rules() {
        let s = structure(
            "path = \"**.image\"\nis = { image = [\"latest\"] }\nwas = { image = [\"untagged\", \"variable\"] }\n",
        );
        let head = Some("a:\n  image: x:latest\n");
        assert!(hits(&s, Some("a:\n  image: x:1.2\n"), head).is_empty());
        assert_eq!(hits(&s, Some("a:\n  image: x:${TAG}\n"), head).len(), 1);
        assert_eq!(hits(&s, Some("b: 1\n"), head).len(), 1);
    }

    #[test]
    fn references_are_not_images_but_subs_are() {
        let s = structure("path = \"**.Image\"\nis = { image = [\"untagged\", \"latest\"] }\n");
        assert!(hits(&s, None, Some("T:\n  Image: !Ref ImageUri\n")).is_empty());
        let sub = "T:\n  Image: !Sub \"${Repo}:latest\"\n";
        assert_eq!(hits(&s, None, Some(sub)).len(), 1);
    }

    #[test]
    fn removed_resource_by_type_lands_on_base_line_and_a_new_type_is_a_replacement() {
        let s = structure(
            "path = \"Resources.*[Type=AWS::ElasticLoadBalancingV2::LoadBalancer]\"\nchange = \"removed\"\n",
        );
        let base = "Resources:\n  Web:\n    Type: AWS::ECS::Service\n  LB:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n";
        let removed = hits(
            &s,
            Some(base),
            Some("Resources:\n  Web:\n    Type: AWS::ECS::Service\n"),
        );
        assert_eq!(
            (removed[0].side, removed[0].line, removed[0].key.as_str()),
            (Side::Base, 4, "LB")
        );
        // A resource whose type changes under its logical id is replaced: removed.
        let s = structure(
            "path = \"Resources.*[Type={AWS::ElasticLoadBalancing::LoadBalancer,AWS::ElasticLoadBalancingV2::LoadBalancer}]\"\nchange = \"removed\"\n",
        );
        let classic = "Resources:\n  LB:\n    Type: AWS::ElasticLoadBalancing::LoadBalancer\n";
        let v2 = "Resources:\n  LB:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n";
        let replaced = hits(&s, Some(classic), Some(v2));
        assert_eq!(
            (replaced.len(), replaced[0].was.as_str()),
            (1, "AWS::ElasticLoadBalancing::LoadBalancer")
        );
        assert!(hits(&s, Some(v2), Some(v2)).is_empty());
    }

    #[test]
    fn absent_predicate_sees_missing_items_and_keys() {
        let s = structure(
            "path = \"**.DefaultCacheBehavior\"\nchange = \"any\"\nis = { absent = \"AllowedMethods=OPTIONS\" }\n",
        );
        let without = "DefaultCacheBehavior:\n  AllowedMethods: [GET, HEAD]\n";
        let with = "DefaultCacheBehavior:\n  AllowedMethods: [GET, HEAD, OPTIONS]\n";
        assert_eq!(
            s.evaluate(&Sides::new(None, Some(without))).unwrap().len(),
            1
        );
        assert_eq!(
            s.evaluate(&Sides::new(
                None,
                Some("DefaultCacheBehavior:\n  TargetOriginId: x\n")
            ))
            .unwrap()
            .len(),
            1
        );
        assert!(
            s.evaluate(&Sides::new(None, Some(with)))
                .unwrap()
                .is_empty()
        );
    }
}
