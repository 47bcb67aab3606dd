//! Structured matchers compiled from `[rule.query]`, `[rule.dockerfile]`, `[rule.terraform]`,
//! `[rule.cdk_image]` and `[rule.cdk_construct]`, and their evaluation: candidates are read from
//! both sides of a file, keyed by identity, and compared so a rule fires on what the change
//! introduced, not on what was already there.

use super::cdk::{self, CdkFile};
use super::image::{self, ImageClass};
use super::pattern::{Compile, LazyRegex, Syntax};
use super::query::Query;
use super::spec::{
    CdkConstructSpec, Change, DockerfileSpec, PredicateSpec, QuerySpec, StructureSpec,
    TerraformSpec,
};
use super::tree::{self, Node, Value};
use super::{dockerfile, terraform};
use crate::change::Side;
use std::cell::OnceCell;
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
    key: String,
    line: u32,
    text: Option<String>,
    tag: Option<String>,
    node: Option<&'d Node>,
}

impl Candidate<'static> {
    /// A candidate read from text rather than a document: a value with no tag or node.
    fn text(identity: String, key: String, line: u32, value: String) -> Self {
        Candidate {
            identity,
            key,
            line,
            text: Some(value),
            tag: None,
            node: None,
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
    /// The base value, for `changed`.
    pub was: String,
    /// The last key on the way to the value.
    pub key: String,
    /// The value's concrete path.
    pub identity: String,
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

    fn holds(&self, c: &Candidate) -> bool {
        let text = c.text.as_deref();
        self.value
            .as_ref()
            .is_none_or(|re| text.is_some_and(|t| re.is_match(t)))
            && (self.image.is_empty()
                || text.filter(|_| names_image_itself(c)).is_some_and(|t| {
                    image::looks_like_image(t) && self.image.contains(&image::classify(t))
                }))
            && self.tagged.is_none_or(|want| c.tag.is_some() == want)
            && self
                .absent
                .as_ref()
                .is_none_or(|(q, v)| !reaches(c.node, q, v))
            && self
                .present
                .as_ref()
                .is_none_or(|(q, v)| reaches(c.node, q, v))
    }
}

/// Whether a scalar's text is the image reference itself: plain or `!Sub` (a template whose
/// literal parts still show the tag), not `!Ref`/`!GetAtt`/`!ImportValue`, whose text names
/// something else.
fn names_image_itself(c: &Candidate) -> bool {
    c.tag.as_deref().is_none_or(|t| t == "!Sub")
}

/// Whether `query` from `node` reaches a scalar equal to `want` (`*`: reaches anything).
fn reaches(node: Option<&Node>, query: &Query, want: &str) -> bool {
    let Some(node) = node else { return false };
    query.eval_node(node).iter().any(|hit| {
        want == "*"
            || hit.node.text().is_some_and(|t| t.eq_ignore_ascii_case(want))
            || matches!(&hit.node.value, Value::Seq(items) if items.iter().any(|i| i.text().is_some_and(|t| t.eq_ignore_ascii_case(want))))
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

    /// Evaluates a query, Dockerfile or CDK image matcher on one file's two sides. `Err` carries why a
    /// side could not be read as a document (the caller reports the file as not fully checked).
    pub(crate) fn evaluate(&self, sides: &Sides) -> Result<Vec<StructuredHit>, String> {
        match self {
            Structure::Query { queries, relation } => {
                let (base_docs, head_docs) = sides.documents()?;
                Ok(relation.compare(
                    query_candidates(queries, base_docs),
                    query_candidates(queries, head_docs),
                ))
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
                            Candidate::text(
                                format!("{} {}", i.instruction, i.key),
                                i.key.clone(),
                                i.line,
                                i.value.clone(),
                            )
                        })
                        .collect()
                };
                Ok(relation.compare(side(base_items), side(head_items)))
            }
            Structure::CdkImage { relation } => {
                let (base, head) = sides.cdk_images();
                let side = |images: &[cdk::Image]| -> Vec<Candidate<'static>> {
                    images
                        .iter()
                        .map(|i| {
                            Candidate::text(
                                i.identity.clone(),
                                i.how.clone(),
                                i.line,
                                i.value.clone(),
                            )
                        })
                        .collect()
                };
                Ok(relation.compare(side(base), side(head)))
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
            documents: OnceCell::new(),
            instructions: OnceCell::new(),
            cdk_images: OnceCell::new(),
        }
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
            let parse = |t: Option<&str>| t.map_or(Ok(Vec::new()), tree::parse);
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
        })
        .collect()
}

fn query_candidates<'d>(queries: &[Query], docs: &'d [Node]) -> Vec<Candidate<'d>> {
    let mut out = Vec::new();
    for q in queries {
        out.extend(q.eval(docs).into_iter().map(|h| {
            let (text, tag) = match &h.node.value {
                Value::Scalar { text, tag } => (Some(text.clone()), tag.clone()),
                _ => (None, None),
            };
            Candidate {
                identity: h.identity,
                key: h.key,
                line: h.node.line,
                text,
                tag,
                node: Some(h.node),
            }
        }));
    }
    out
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
    /// side's candidates of the same identity.
    fn compare(&self, base: Vec<Candidate>, head: Vec<Candidate>) -> Vec<StructuredHit> {
        let (is, was) = (&self.is, self.was.as_ref());
        let hit = |side, c: &Candidate, was: String| StructuredHit {
            side,
            line: c.line,
            value: describe(c),
            was,
            key: c.key.clone(),
            identity: c.identity.clone(),
        };
        let base_by_id: HashMap<&str, &Candidate> =
            base.iter().map(|c| (c.identity.as_str(), c)).collect();
        match self.change {
            Change::Any => head
                .iter()
                .filter(|h| is.holds(h))
                .map(|h| hit(Side::Head, h, String::new()))
                .collect(),
            Change::Added => head
                .iter()
                .filter(|h| is.holds(h))
                .filter(|h| match base_by_id.get(h.identity.as_str()) {
                    None => true,
                    Some(b) if h.text.is_some() => {
                        b.text != h.text && was.is_none_or(|w| w.holds(b))
                    }
                    Some(b) => !is.holds(b),
                })
                .map(|h| hit(Side::Head, h, String::new()))
                .collect(),
            Change::Removed => {
                let head_ids: HashSet<&str> = head.iter().map(|c| c.identity.as_str()).collect();
                base.iter()
                    .filter(|b| is.holds(b) && !head_ids.contains(b.identity.as_str()))
                    .map(|b| hit(Side::Base, b, String::new()))
                    .collect()
            }
            Change::Changed => head
                .iter()
                .filter(|h| is.holds(h))
                .filter_map(|h| {
                    let b = base_by_id.get(h.identity.as_str())?;
                    let was_ok = b.text != h.text && was.is_none_or(|w| w.holds(b));
                    was_ok.then(|| hit(Side::Head, h, describe(b)))
                })
                .collect(),
        }
    }
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
    fn removed_resource_by_type_lands_on_base_line() {
        let s = structure(
            "path = \"Resources.*[Type=AWS::ElasticLoadBalancingV2::LoadBalancer]\"\nchange = \"removed\"\n",
        );
        let base = "Resources:\n  Web:\n    Type: AWS::ECS::Service\n  LB:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n";
        let hits = s
            .evaluate(&Sides::new(
                Some(base),
                Some("Resources:\n  Web:\n    Type: AWS::ECS::Service\n"),
            ))
            .unwrap();
        assert_eq!(
            (hits[0].side, hits[0].line, hits[0].key.as_str()),
            (Side::Base, 4, "LB")
        );
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
