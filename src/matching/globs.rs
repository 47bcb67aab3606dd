//! Path globs: how rule files write them (a glob without `/` matches the file name at any
//! depth, a leading `/` anchors at the repository root, `*` stays within one directory), and
//! how they are matched: by hand where their shape allows (see [`HandGlobs`]), through one
//! glob set for the rest.

use super::glob_shape::HandGlobs;
use super::owners::group_by_key;
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use std::borrow::Cow;

/// Path globs, each under a caller's slot number. Globs are matched by hand where their shape
/// allows (every built-in glob does): globset's strategies and regex set cost more to build
/// than a check spends matching. Only the rest go into a glob set.
#[derive(Debug, Clone)]
pub(crate) struct PathGlobs {
    hand: HandGlobs,
    /// Globs of any other shape, with the slot of each in the order added; `None` when there
    /// are none.
    fallback: Option<(GlobSet, Vec<usize>)>,
}

impl PathGlobs {
    /// Compiles `(glob, slot)` pairs; a bad glob's error names its slot.
    pub(crate) fn new<'g>(
        globs: impl IntoIterator<Item = (&'g str, usize)>,
    ) -> Result<PathGlobs, (usize, String)> {
        let mut hand = HandGlobs::default();
        let mut others: Vec<(usize, &str)> = Vec::new();
        for (glob, slot) in globs {
            if !hand.add(&normalise_glob(glob), slot) {
                others.push((slot, glob));
            }
        }
        let fallback = match others.is_empty() {
            true => None,
            false => Some((
                glob_set(
                    others.iter().map(|&(slot, glob)| (slot, path_glob(glob))),
                    |e| e.to_string(),
                )?,
                others.into_iter().map(|(slot, _)| slot).collect(),
            )),
        };
        Ok(PathGlobs { hand, fallback })
    }

    /// The slot of every glob matching `path`.
    pub(crate) fn matches<'s>(&'s self, path: &'s str) -> impl Iterator<Item = usize> + 's {
        let by_globset = self
            .fallback
            .iter()
            .flat_map(move |(set, slots)| set.matches(path).into_iter().map(|g| slots[g]));
        self.hand.matches(path).chain(by_globset)
    }

    /// Whether any glob matches `path`.
    pub(crate) fn is_match(&self, path: &str) -> bool {
        self.matches(path).next().is_some()
    }

    /// The slots of the globs left to globset, in the order added (`None`: there are none).
    #[cfg(test)]
    pub(crate) fn globset_slots(&self) -> Option<&[usize]> {
        self.fallback.as_ref().map(|(_, slots)| slots.as_slice())
    }
}

/// Globs written by several owners (rules): each distinct glob is compiled once and remembers
/// every owner that wrote it, so a pack that repeats its exclusions across rules pays once.
#[derive(Debug, Clone)]
pub(crate) struct OwnedGlobs {
    globs: PathGlobs,
    owners: Vec<Vec<usize>>,
}

impl OwnedGlobs {
    /// Compiles `(owner, glob)` pairs; the error says which glob is bad.
    pub(crate) fn new<'g>(
        pairs: impl IntoIterator<Item = (usize, &'g str)>,
    ) -> Result<OwnedGlobs, String> {
        let (distinct, owners) = group_by_key(pairs);
        let globs =
            PathGlobs::new(distinct.into_iter().zip(0..)).map_err(|(_, message)| message)?;
        Ok(OwnedGlobs { globs, owners })
    }

    /// The owners of the globs that match `path`.
    pub(crate) fn owners<'s>(&'s self, path: &'s str) -> impl Iterator<Item = usize> + 's {
        self.globs
            .matches(path)
            .flat_map(|slot| self.owners[slot].iter().copied())
    }

    /// The distinct globs, as matched.
    #[cfg(test)]
    pub(crate) fn globs(&self) -> &PathGlobs {
        &self.globs
    }
}

/// One glob set from `(index, glob)` pairs; an error names the bad glob's index (the first one
/// for an error of the set as a whole, which `set_error` words).
pub(crate) fn glob_set<E>(
    globs: impl IntoIterator<Item = (usize, Result<Glob, E>)>,
    set_error: impl FnOnce(globset::Error) -> E,
) -> Result<GlobSet, (usize, E)> {
    let mut builder = GlobSetBuilder::new();
    for (at, glob) in globs {
        builder.add(glob.map_err(|e| (at, e))?);
    }
    builder.build().map_err(|e| (0, set_error(e)))
}

/// Builds a path glob: `*` stays within one directory; a glob without `/` matches the file
/// name at any depth; a leading `/` anchors at the repository root.
pub(crate) fn path_glob(glob: &str) -> Result<Glob, String> {
    GlobBuilder::new(&normalise_glob(glob))
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| format!("bad glob '{glob}': {}", e.kind()))
}

/// A path glob as globset reads it: a glob without `/` gets a leading `**/`, and a leading `/`
/// (anchored at the repository root) is dropped.
pub(crate) fn normalise_glob(glob: &str) -> Cow<'_, str> {
    match glob.strip_prefix('/') {
        Some(anchored) => Cow::Borrowed(anchored),
        None if !glob.contains('/') => Cow::Owned(format!("**/{glob}")),
        None => Cow::Borrowed(glob),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_without_slash_match_at_any_depth() {
        let g = path_glob("*.js").unwrap().compile_matcher();
        assert!(g.is_match("a/b/c.js") && g.is_match("c.js"));
        let g = path_glob("src/*.js").unwrap().compile_matcher();
        assert!(g.is_match("src/c.js") && !g.is_match("src/x/c.js"));
        let g = path_glob("/Dockerfile").unwrap().compile_matcher();
        assert!(g.is_match("Dockerfile") && !g.is_match("x/Dockerfile"));
    }
}
