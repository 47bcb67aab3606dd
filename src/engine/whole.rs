//! Rules that look at more than one changed line: structured documents, Dockerfiles,
//! Terraform blocks, whole-tree path checks, and file-level rules. Full contents and the head
//! tree are read lazily, once, and only when an applicable rule needs them; a document is
//! parsed only when some rule's query could find something in it.
//!
//! What a change removes from a CloudFormation template is decided here once, for every rule
//! that reports removals: a deleted template file deletes no stack (the stack keeps running
//! until someone deletes it), and a resource whose logical id leaves one template for another
//! file the change writes, with the same type, has moved, not gone. A Terraform file is
//! different: apply destroys what a deleted `.tf` file declared.
//!
//! A file is compared with what it replaces: its own base, or for a file the change adds, a
//! file of the same folder and name that the change deletes in another YAML/JSON spelling (a
//! template converted from JSON to YAML). A compose file is read with its project's `.env` on
//! each side.

use super::findings::{finding, structured_findings};
use super::pointed::{Grade, HeadPointers};
use crate::change::{ChangeSet, ChangedFile, FileKind, Side, Status};
use crate::error::Result;
use crate::finding::{Finding, Skipped};
use crate::matching::cdk::{self, CdkFile};
use crate::matching::cfn_resources;
use crate::matching::compose::{self, DotEnv};
use crate::matching::gate_runs;
use crate::matching::paths::{PathIndex, basename, file_references, folds_case};
use crate::matching::stale::{Gone, Search};
use crate::matching::structured::{
    Sides, Structure, StructuredHit, cdk_removed, terraform_removed,
};
use crate::matching::terraform;
use crate::path_class::{Kind, PathClass};
use crate::plan::is_load_balancer;
use crate::rules::spec::PathCheck;
use crate::rules::{Rule, RuleSet};
use crate::source::ContentReader;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// A YAML/JSON document's path without its extension (`None` for other files).
fn document_stem(path: &str) -> Option<&str> {
    let (stem, ext) = path.rsplit_once('.')?;
    DOCUMENT_EXTENSIONS
        .contains(&ext.to_ascii_lowercase().as_str())
        .then_some(stem)
}

/// Whether `path` may be a CloudFormation template (or a Serverless file): a YAML/JSON
/// document or a `.template`.
fn is_template(path: &str) -> bool {
    document_stem(path).is_some()
        || path
            .rsplit_once('.')
            .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("template"))
}

/// The largest file of the head tree read for names of renamed or deleted paths.
const REFERRER_BYTES: u64 = 256 * 1024;

/// The most files of the head tree read for names of renamed or deleted paths (in path order).
const REFERRER_FILES: usize = 4_000;

/// How many places a stale-reference finding names before "and N more".
const PLACES_SHOWN: usize = 3;

/// A compose project's `.env` on the base and the head side.
pub(super) type ProjectEnv = Rc<(DotEnv, DotEnv)>;

/// A changed file whose structure a rule needed and could not read (one per file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unparsed {
    /// The file's path.
    pub path: String,
    /// What the parser said.
    pub why: String,
    /// Whether the text holds template syntax (`{{`), as a Helm template does before it is
    /// rendered.
    pub templated: bool,
}

/// Lazily computed, change-wide context.
pub(super) struct Whole<'a> {
    pub(super) changes: &'a ChangeSet,
    pub(super) reader: &'a ContentReader<'a>,
    index: Option<PathIndex>,
    terraform: Option<(HashSet<String>, HashSet<String>)>,
    /// Each `(logical id, type)` the changed templates declare in head, with their paths.
    declared: Option<HashMap<(String, String), Vec<String>>>,
    /// What points at load balancers in the head tree (read when one is removed).
    pointers: Option<HeadPointers>,
    /// For each path the change takes away, where the head tree still names it (read when a
    /// stale-reference rule first asks).
    stale: Option<HashMap<String, Vec<(String, u32)>>>,
    envs: HashMap<String, ProjectEnv>,
    cdk_ids: Option<HashSet<String>>,
}

/// The extensions of one document in its YAML/JSON spellings.
const DOCUMENT_EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

impl<'a> Whole<'a> {
    pub(super) fn new(changes: &'a ChangeSet, reader: &'a ContentReader<'a>) -> Self {
        Whole {
            changes,
            reader,
            index: None,
            terraform: None,
            declared: None,
            pointers: None,
            stale: None,
            envs: HashMap::new(),
            cdk_ids: None,
        }
    }

    /// The base text `file` is compared with: its own, or for an added YAML/JSON document, that
    /// of a deleted document with the same folder and name but another of those extensions.
    fn base_text(&self, file: &ChangedFile) -> Result<Option<String>> {
        let counterpart = match (file.status, document_stem(&file.path)) {
            (Status::Added, Some(stem)) => self.changes.files.iter().find(|f| {
                f.status == Status::Deleted
                    && f.not_scanned.is_none()
                    && document_stem(&f.path) == Some(stem)
            }),
            _ => None,
        };
        self.reader
            .read_text(counterpart.map_or(&file.base, |f| &f.base))
    }

    /// The `.env` file of the compose project `compose_path` belongs to, on both sides: from
    /// the change when it changed, else from the tree (then alike on both sides).
    pub(super) fn project_env(&mut self, compose_path: &str) -> Result<ProjectEnv> {
        let path = compose::project_env_path(compose_path);
        if let Some(env) = self.envs.get(&path) {
            return Ok(Rc::clone(env));
        }
        let changed = self
            .changes
            .files
            .iter()
            .find(|f| f.path == path || f.old_path.as_deref() == Some(path.as_str()));
        let parse = |text: Option<String>| DotEnv::parse(text.as_deref().unwrap_or_default());
        let env = match changed {
            Some(f) => {
                let head = (f.path == path).then_some(&f.head);
                let base = if f.status == Status::Renamed && f.path == path {
                    None
                } else {
                    Some(&f.base)
                };
                let read = |c: Option<&crate::change::Content>| {
                    c.map_or(Ok(None), |c| self.reader.read_text(c))
                };
                (parse(read(base)?), parse(read(head)?))
            }
            None => {
                let env = parse(self.reader.read_unchanged(self.changes, &path)?);
                (env.clone(), env)
            }
        };
        let env = Rc::new(env);
        self.envs.insert(path, Rc::clone(&env));
        Ok(env)
    }

    fn index(&mut self) -> Result<&PathIndex> {
        if self.index.is_none() {
            self.index = Some(PathIndex::new(self.reader.head_paths(self.changes)?));
        }
        Ok(self.index.get_or_insert_with(PathIndex::default))
    }

    /// Resource addresses in every changed `.tf` file's head, and `moved` sources.
    fn terraform(&mut self) -> Result<&(HashSet<String>, HashSet<String>)> {
        if self.terraform.is_none() {
            let (mut addresses, mut moved) = (HashSet::new(), HashSet::new());
            for f in self.changes.files.iter().filter(|f| {
                let ext = f.path.rsplit_once('.').map_or("", |(_, e)| e);
                ext.eq_ignore_ascii_case("tf") && f.not_scanned.is_none()
            }) {
                if let Some(text) = self.reader.read_text(&f.head)? {
                    addresses.extend(terraform::resources(&text).into_iter().map(|r| r.address));
                    moved.extend(terraform::moved_from(&text));
                }
            }
            self.terraform = Some((addresses, moved));
        }
        Ok(self.terraform.get_or_insert_with(Default::default))
    }

    /// Each `(logical id, type)` declared in the head of a changed template, with the paths
    /// that declare it (read once per change, when some removal needs it).
    fn declared(&mut self) -> Result<&HashMap<(String, String), Vec<String>>> {
        if self.declared.is_none() {
            let mut declared: HashMap<(String, String), Vec<String>> = HashMap::new();
            for f in self.changes.files.iter().filter(|f| {
                f.status != Status::Deleted
                    && f.kind == FileKind::Text
                    && f.not_scanned.is_none()
                    && is_template(&f.path)
            }) {
                if let Some(text) = self.reader.read_text(&f.head)? {
                    for resource in cfn_resources::resources(&text) {
                        declared.entry(resource).or_default().push(f.path.clone());
                    }
                }
            }
            self.declared = Some(declared);
        }
        Ok(self.declared.get_or_insert_with(Default::default))
    }

    /// What a removal rule's hits in `file` really remove: nothing when the file itself is
    /// deleted (no stack goes with it), and not what another changed template of the same
    /// folder now declares under the same logical id and type (moved: a template renamed or
    /// rewritten under another name). A template elsewhere is another stack: common logical ids
    /// (`Distribution`, `Bucket`) there say nothing about this one.
    fn really_removed(
        &mut self,
        file: &ChangedFile,
        mut hits: Vec<StructuredHit>,
    ) -> Result<Vec<StructuredHit>> {
        if file.status == Status::Deleted || hits.is_empty() {
            return Ok(Vec::new());
        }
        let declared = self.declared()?;
        let folder = |p: &str| p.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
        let here = folder(&file.path);
        hits.retain(|hit| {
            declared
                .get(&(hit.key.clone(), hit.was.clone()))
                .is_none_or(|paths| paths.iter().all(|p| *p == file.path || folder(p) != here))
        });
        Ok(hits)
    }

    /// For each path the change takes away (renamed or deleted, not out of the way, not given
    /// back), the places of the head tree that still name it: one pass over the files that may.
    fn stale(&mut self) -> Result<&HashMap<String, Vec<(String, u32)>>> {
        if self.stale.is_none() {
            let head: HashSet<&str> = self
                .changes
                .files
                .iter()
                .filter(|f| f.status != Status::Deleted)
                .map(|f| f.path.as_str())
                .collect();
            let gone: Vec<String> = self
                .changes
                .files
                .iter()
                .filter_map(ChangedFile::gone_path)
                .filter(|p| !head.contains(p) && !PathClass::of(p).out_of_the_way())
                .map(str::to_string)
                .collect::<Vec<String>>();
            let gone: Vec<Gone> = match gone.is_empty() {
                true => Vec::new(),
                false => {
                    let index = self.index()?;
                    gone.iter()
                        .filter(|p| !compiled_from_source(p, |q| index.contains(q)))
                        .map(|p| Gone::new(p))
                        .collect()
                }
            };
            let mut found: HashMap<String, Vec<(String, u32)>> = HashMap::new();
            if !gone.is_empty() {
                let search = Search::new(gone);
                let names: HashSet<&str> =
                    search.gone().iter().map(|g| basename(&g.path)).collect();
                // Head files that bear a gone file's name: a reference beside one names that one.
                let namesakes = std::cell::RefCell::new(HashSet::new());
                let read = std::cell::Cell::new(0usize);
                let wanted = |p: &str| {
                    if names.contains(basename(p)) {
                        namesakes.borrow_mut().insert(p.to_string());
                    }
                    let class = PathClass::of(p);
                    let wanted = read.get() < REFERRER_FILES
                        && search.may_refer(p)
                        && !class.out_of_the_way()
                        // Lock files and linter settings name packages, not the files
                        // that deploy; `package.json` (`main`, `scripts`) does name them.
                        && (class.kind != Kind::Tooling || basename(p) == "package.json");
                    read.set(read.get() + usize::from(wanted));
                    wanted
                };
                let files = self
                    .reader
                    .head_files(self.changes, wanted, REFERRER_BYTES)?;
                let namesakes = namesakes.into_inner();
                for (path, text) in files {
                    for r in search.references(&path, &text) {
                        let gone = &search.gone()[r.gone].path;
                        let beside = match path.rsplit_once('/') {
                            Some((here, _)) => format!("{here}/{}", basename(gone)),
                            None => basename(gone).to_string(),
                        };
                        let line = text.lines().nth(r.line.saturating_sub(1) as usize);
                        let names_other = line.is_some_and(|l| names_another_file(l, &path, gone));
                        if !namesakes.contains(&beside) && !names_other {
                            found
                                .entry(gone.clone())
                                .or_default()
                                .push((path.clone(), r.line));
                        }
                    }
                }
            }
            self.stale = Some(found);
        }
        Ok(self.stale.get_or_insert_with(Default::default))
    }

    /// The verdict on each removed load balancer among `hits` (by line): what still points at
    /// it in the head tree, whether it is internal (read from the file's base), and whether it
    /// is replaced under its own logical id (read from the head).
    fn grades(
        &mut self,
        file: &ChangedFile,
        (base, head): (Option<&str>, Option<&str>),
        terraform_hits: bool,
        hits: &[StructuredHit],
    ) -> Result<HashMap<u32, Grade>> {
        let mut grades = HashMap::new();
        let kind = |h: &StructuredHit| match terraform_hits {
            true => h.key.clone(),
            false => h.was.clone(),
        };
        if !hits.iter().any(|h| is_load_balancer(&kind(h))) {
            return Ok(grades);
        }
        if self.pointers.is_none() {
            self.pointers = Some(HeadPointers::read(self.changes, self.reader)?);
        }
        let Some(pointers) = &self.pointers else {
            return Ok(grades);
        };
        let base = base.unwrap_or_default();
        let path = file.old_path.as_deref().unwrap_or(&file.path);
        // Logical ids the head template still declares: a load balancer among them is replaced
        // under its own name (its type changed).
        let kept: HashSet<String> = match terraform_hits {
            true => HashSet::new(),
            false => cfn_resources::resources(head.unwrap_or_default())
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
        };
        for hit in hits.iter().filter(|h| is_load_balancer(&kind(h))) {
            let (name, internal) = if terraform_hits {
                let says = |key| terraform::attribute(base, hit.line, key).unwrap_or_default();
                let internal = says("internal") == "true"
                    || says("load_balancing_scheme").starts_with("INTERNAL");
                (hit.value.as_str(), internal)
            } else {
                let scheme = cfn_resources::property(base, &hit.key, "Scheme");
                (hit.key.as_str(), scheme.as_deref() == Some("internal"))
            };
            let grade = pointers.grade(path, name, internal, kept.contains(name));
            grades.insert(hit.line, grade);
        }
        Ok(grades)
    }

    /// The construct ids of every changed CDK file's head.
    fn cdk_ids(&mut self) -> Result<&HashSet<String>> {
        if self.cdk_ids.is_none() {
            let mut ids = HashSet::new();
            for f in self
                .changes
                .files
                .iter()
                .filter(|f| cdk::is_code_path(&f.path) && f.not_scanned.is_none())
            {
                if let Some(text) = self.reader.read_text(&f.head)?
                    && let Some(file) = CdkFile::read(&text)
                {
                    ids.extend(file.constructs().into_iter().map(|c| c.id));
                }
            }
            self.cdk_ids = Some(ids);
        }
        Ok(self.cdk_ids.get_or_insert_with(Default::default))
    }

    /// Judges one file against the non-line rules whose gate is open; a file whose structure
    /// does not parse is recorded once, in `skipped` and in `unparsed`.
    pub(super) fn judge_file(
        &mut self,
        file: &ChangedFile,
        rules: &RuleSet,
        gate: &[bool],
        out: &mut Vec<Finding>,
        skipped: &mut Vec<Skipped>,
        unparsed_files: &mut Vec<Unparsed>,
    ) -> Result<()> {
        let all = rules.rules();
        let wants_content = file.kind == FileKind::Text
            && file.not_scanned.is_none()
            && all.iter().zip(gate).any(|(rule, on)| {
                *on && (rule.structure.is_some() || rule.check == Some(PathCheck::GateDisarmed))
            });
        let (base, head) = if wants_content {
            (self.base_text(file)?, self.reader.read_text(&file.head)?)
        } else {
            (None, None)
        };
        let env = match wants_content && compose::is_compose_file(&file.path) {
            true => Some(self.project_env(&file.path)?),
            false => None,
        };
        let mut sides = Sides::new(base.as_deref(), head.as_deref());
        if let Some(env) = &env {
            sides = sides.compose(&env.0, &env.1);
        }
        let mut unparsed = false;
        for (r, rule) in all.iter().enumerate() {
            if !gate[r] {
                continue;
            }
            if rule.check == Some(PathCheck::GateDisarmed) {
                gate_disarmed(rule, file, &sides, wants_content, out);
            } else if let Some(check) = rule.check {
                self.path_check(check, rule, file, out)?;
            } else if let Some(structure) = &rule.structure {
                if !wants_content {
                    continue;
                }
                let hits = match &***structure {
                    Structure::Terraform { resource } => {
                        let (addresses, moved) = self.terraform()?;
                        sides.base().map_or_else(Vec::new, |b| {
                            terraform_removed(resource, b, addresses, moved)
                        })
                    }
                    Structure::CdkConstruct { class } => {
                        let ids = self.cdk_ids()?;
                        sides
                            .base()
                            .map_or_else(Vec::new, |b| cdk_removed(class, b, ids))
                    }
                    _ if !structure.could_match(&sides) => continue,
                    _ => match structure.evaluate(&sides) {
                        Ok(hits) if structure.removes() => self.really_removed(file, hits)?,
                        Ok(hits) => hits,
                        Err(why) => {
                            if !unparsed {
                                unparsed = true;
                                skipped.push(Skipped {
                                    path: file.path.clone(),
                                    reason: format!("structured rules not applied: {why}"),
                                });
                                let templated = [sides.base(), sides.head()]
                                    .into_iter()
                                    .flatten()
                                    .any(|text| text.contains("{{"));
                                unparsed_files.push(Unparsed {
                                    path: file.path.clone(),
                                    why: why.to_string(),
                                    templated,
                                });
                            }
                            continue;
                        }
                    },
                };
                let terraform_hits = matches!(&***structure, Structure::Terraform { .. });
                let grades =
                    self.grades(file, (sides.base(), sides.head()), terraform_hits, &hits)?;
                let first = out.len();
                out.extend(structured_findings(rule, file, hits, &sides));
                for f in &mut out[first..] {
                    if let Some(grade) = f.line.and_then(|l| grades.get(&l)) {
                        f.message = format!("{} ({})", f.message, grade.note);
                        f.severity = grade.cap.map_or(f.severity, |cap| f.severity.min(cap));
                    }
                }
            } else if rule.added.is_none() && rule.removed.is_none() {
                let message = rule.message.render(&file.path, None);
                out.push(finding(rule, file, None, message, None));
            }
        }
        Ok(())
    }

    fn path_check(
        &mut self,
        check: PathCheck,
        rule: &Rule,
        file: &ChangedFile,
        out: &mut Vec<Finding>,
    ) -> Result<()> {
        match check {
            PathCheck::CaseCollision => {
                if !matches!(file.status, Status::Added | Status::Renamed) {
                    return Ok(());
                }
                if let Some(other) = self.index()?.case_collision(&file.path) {
                    let message = rule.message.render_with(&file.path, |g| match g {
                        "other" => Some(other),
                        "value" => Some(file.path.as_str()),
                        _ => None,
                    });
                    out.push(finding(rule, file, None, message, None));
                }
            }
            PathCheck::GateDisarmed => {}
            PathCheck::StaleReference => {
                let Some(old) = file.gone_path() else {
                    return Ok(());
                };
                if let Some(places) = self.stale()?.get(old).filter(|p| !p.is_empty()) {
                    let shown: Vec<String> = places
                        .iter()
                        .take(PLACES_SHOWN)
                        .map(|(p, l)| format!("{p}:{l}"))
                        .collect();
                    let mut other = shown.join(", ");
                    if places.len() > PLACES_SHOWN {
                        other.push_str(&format!(" and {} more", places.len() - PLACES_SHOWN));
                    }
                    let message = rule.message.render_with(&file.path, |g| match g {
                        "other" => Some(other.as_str()),
                        "value" => Some(old),
                        _ => None,
                    });
                    out.push(finding(rule, file, None, message, None));
                }
            }
            PathCheck::NearMissReference => {
                if !matches!(file.kind, FileKind::Text) {
                    return Ok(());
                }
                for (line, text) in file.added() {
                    for reference in file_references(text) {
                        let index = self.index()?;
                        let case_only =
                            |other: &str| basename(other).eq_ignore_ascii_case(basename(reference));
                        if let Some(other) = index
                            .near_miss(reference)
                            .filter(|other| !(case_only(other) && folds_case(text)))
                        {
                            let message = rule.message.render_with(&file.path, |g| match g {
                                "other" => Some(other),
                                "value" => Some(reference),
                                _ => None,
                            });
                            out.push(finding(
                                rule,
                                file,
                                Some((line.line, Side::Head)),
                                message,
                                Some(text),
                            ));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// One finding per way the change weakens the gate in `file` (see [`gate_runs`]); a side
/// that names the gate but cannot be read is itself reported, at file level: whether the gate
/// still runs is then unknown. Where the base runs the gate in a way read here, this is the one
/// voice of the rule's category on the file: the line rules' "a line naming deploy-guard
/// changed" findings there are dropped (one finding per decision).
fn gate_disarmed(
    rule: &Rule,
    file: &ChangedFile,
    sides: &Sides,
    read: bool,
    out: &mut Vec<Finding>,
) {
    let base = sides.base().filter(|_| read);
    let head = sides.head().filter(|_| read);
    let weakenings = match gate_runs::weakenings(&file.path, base, head) {
        Ok(None) => return,
        Ok(Some(found)) => found,
        Err(why) => {
            let what = format!(
                "{} names deploy-guard but is not valid YAML ({why}): whether the gate still runs could not be checked",
                file.path
            );
            let message = rule
                .message
                .render_with(&file.path, |g| (g == "value").then_some(what.as_str()));
            out.push(finding(rule, file, None, message, None));
            return;
        }
    };
    let category = rule.id.split('/').next().unwrap_or(&rule.id);
    out.retain(|f| f.path != file.path || f.category() != category || f.rule == rule.id);
    for w in weakenings {
        let message = rule
            .message
            .render_with(&file.path, |g| (g == "value").then_some(w.what.as_str()));
        let text = match w.side {
            Side::Head => head,
            Side::Base => base,
        };
        let snippet = text.and_then(|t| t.lines().nth(w.line.saturating_sub(1) as usize));
        out.push(finding(
            rule,
            file,
            Some((w.line, w.side)),
            message,
            snippet,
        ));
    }
}

/// Whether `path` is JavaScript compiled from a TypeScript file beside it that the head tree
/// still has (`stack.js` next to `stack.ts`): deleting the build output leaves the source, which
/// is what imports and tools resolve.
fn compiled_from_source(path: &str, in_head: impl Fn(&str) -> bool) -> bool {
    let Some((stem, ext)) = path.rsplit_once('.') else {
        return false;
    };
    let declarations = ext == "ts" && stem.ends_with(".d");
    let stem = stem.strip_suffix(".d").unwrap_or(stem);
    (matches!(ext, "js" | "mjs" | "cjs" | "map") || declarations)
        && ["ts", "tsx", "mts", "cts"]
            .iter()
            .map(|source| format!("{}.{source}", stem.strip_suffix(".js").unwrap_or(stem)))
            .any(|source| source != path && in_head(&source))
}

/// Whether every place `line` (of the file at `referrer`) writes the gone file's name out is a
/// path that resolves elsewhere: `src/index.js` in `backend/Dockerfile` names
/// `backend/src/index.js`, not the gone `backend/index.js`. Resolved against the referrer's
/// folder and the repository root; a line that never writes the name (a handler, an import)
/// is left to the reference reader.
fn names_another_file(line: &str, referrer: &str, gone: &str) -> bool {
    let name = basename(gone);
    let here = referrer.rsplit_once('/').map_or("", |(dir, _)| dir);
    let is_path = |c: char| c.is_ascii_alphanumeric() || "._-/".contains(c);
    let mut written = false;
    for (at, _) in line.match_indices(name) {
        let start = line[..at].rfind(|c: char| !is_path(c)).map_or(0, |i| i + 1);
        let end = at + name.len();
        if line[end..].starts_with(is_path) && !line[end..].starts_with(['.', '/']) {
            continue;
        }
        written = true;
        let token = &line[start..end];
        let names_gone = [format!("{here}/{token}"), token.to_string()]
            .iter()
            .any(|candidate| normalized(candidate) == gone);
        if names_gone {
            return false;
        }
    }
    written
}

/// A relative path with `.` and `..` steps and empty components resolved.
fn normalized(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::{compiled_from_source, names_another_file};

    #[test]
    fn a_written_path_that_resolves_elsewhere_names_another_file() {
        let gone = "backend/index.js";
        assert!(names_another_file(
            r#"CMD ["node", "src/index.js"]"#,
            "backend/Dockerfile",
            gone
        ));
        assert!(!names_another_file(
            r#"CMD ["node", "index.js"]"#,
            "backend/Dockerfile",
            gone
        ));
        assert!(!names_another_file(
            "COPY ./index.js .",
            "backend/Dockerfile",
            gone
        ));
        assert!(!names_another_file(
            "  - ./backend/index.js:/app",
            "compose.yaml",
            gone
        ));
        assert!(!names_another_file(
            "Handler: index.handler",
            "backend/template.yaml",
            gone
        ));
        assert!(names_another_file(
            "const p = 'package.json';",
            "scripts/build.js",
            "scripts/update/package.json"
        ));
    }

    #[test]
    fn build_output_beside_its_typescript_source_is_not_a_stale_file() {
        let head = |p: &str| ["lib/stack.ts", "index.tsx"].contains(&p);
        for output in [
            "lib/stack.js",
            "lib/stack.d.ts",
            "lib/stack.js.map",
            "index.js",
        ] {
            assert!(compiled_from_source(output, head), "{output}");
        }
        for gone in ["lib/other.js", "lib/stack.py", "lib/stack.ts"] {
            assert!(!compiled_from_source(gone, head), "{gone}");
        }
    }
}
