//! libgit2 diffs turned into [`ChangeSet`]s, with zero context: the engine judges changed
//! lines, and reads whole blobs only when a rule asks for them. libgit2 says which paths changed
//! and how (status, renames, modes); what their content says is read here from the raw objects
//! and files, never through git attributes or filters, which the change under judgment
//! controls: whether a side is text is [`text::decode`]'s decision, symlinks are followed by
//! [`super::links`], and the lines come from diffing the two decoded sides.

use super::content::{Bytes, ContentReader};
use super::links::{Followed, Place};
use super::text::{self, Decoded};
use crate::change::{
    ChangeSet, ChangedFile, Content, FileKind, HeadTree, Link, NotScanned, SUBPROJECT_COMMIT, Side,
    Status, display_path,
};
use crate::error::{Error, Result};
use crate::path_class::PathClass;
use git2::{
    Commit, Delta, Diff, DiffDelta, DiffFindOptions, DiffOptions, FileMode, Patch, Repository, Tree,
};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Where the head side of a diff lives, which decides how its content is read later.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HeadSide {
    Objects,
    Worktree,
}

/// Zero context, type changes and submodules shown, and every file taken as text: libgit2 must
/// not decide from attributes (`binary`, `-diff`) that a file is not to be read.
fn options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .interhunk_lines(0)
        .include_typechange(true)
        .ignore_submodules(false)
        .force_text(true);
    opts
}

/// The change from `base` to `head`, as `git diff base head` shows it, with renames detected.
/// No base means the empty tree: every file of `head` is added (a first push of a history).
pub(super) fn between_commits(
    repo: &Repository,
    base: Option<&Commit>,
    head: &Commit,
) -> Result<ChangeSet> {
    let base_tree = base.map(Commit::tree).transpose()?;
    let head_tree = head.tree()?;
    // A tree-to-tree diff never needs the index, but libgit2 loads it (for attributes) unless
    // the handle has one: in a 20,000-file checkout that load was a third of a small check.
    repo.set_index(&mut git2::Index::new()?)?;
    let mut opts = options();
    // libgit2 reads every tree of both sides; naming the changed paths lets it skip the
    // untouched folders, so a small change costs the same in a small or a huge repository.
    if let Some(paths) = changed_paths(repo, base_tree.as_ref(), &head_tree)? {
        opts.disable_pathspec_match(true);
        for path in &paths {
            opts.pathspec(path_buf(path));
        }
        if paths.is_empty() {
            return Ok(ChangeSet {
                base: base.map(|b| b.id().to_string()),
                head: Some(head.id().to_string()),
                files: Vec::new(),
                tree: HeadTree::Commit(head.tree_id()),
                unchanged: Vec::new(),
            });
        }
    }
    let diff = repo.diff_tree_to_tree(base_tree.as_ref(), Some(&head_tree), Some(&mut opts))?;
    let (base_place, head_place) = (Place::Tree(base_tree.clone()), Place::Tree(Some(head_tree)));
    Ok(ChangeSet {
        base: base.map(|b| b.id().to_string()),
        head: Some(head.id().to_string()),
        files: collect(repo, diff, HeadSide::Objects, &base_place, &head_place)?,
        tree: HeadTree::Commit(head.tree_id()),
        unchanged: Vec::new(),
    })
}

/// Above this many changed paths, a pathspec costs more than reading every tree.
const PATHSPEC_UP_TO: usize = 512;

/// The paths that differ between two trees, found by descending only into subtrees whose ids
/// differ; `None` when there are more than [`PATHSPEC_UP_TO`].
fn changed_paths(
    repo: &Repository,
    old: Option<&Tree>,
    new: &Tree,
) -> Result<Option<Vec<Vec<u8>>>> {
    let mut out = Vec::new();
    let complete = walk_differences(repo, &mut Vec::new(), old, Some(new), &mut out)?;
    Ok(complete.then_some(out))
}

type Entry = (git2::Oid, i32, Option<git2::ObjectType>);

/// Appends the differing leaf paths under `prefix`; false once there are too many.
fn walk_differences(
    repo: &Repository,
    prefix: &mut Vec<u8>,
    old: Option<&Tree>,
    new: Option<&Tree>,
    out: &mut Vec<Vec<u8>>,
) -> Result<bool> {
    let mut names: BTreeMap<Vec<u8>, (Option<Entry>, Option<Entry>)> = BTreeMap::new();
    for (tree, new_side) in [(old, false), (new, true)] {
        for entry in tree.into_iter().flat_map(Tree::iter) {
            let slot = names.entry(entry.name_bytes().to_vec()).or_default();
            let value = Some((entry.id(), entry.filemode(), entry.kind()));
            if new_side {
                slot.1 = value
            } else {
                slot.0 = value
            }
        }
    }
    let subtree = |e: Option<Entry>| -> Result<Option<Tree<'_>>> {
        match e {
            Some((id, _, Some(git2::ObjectType::Tree))) => Ok(Some(repo.find_tree(id)?)),
            _ => Ok(None),
        }
    };
    for (name, (o, n)) in names {
        if o == n {
            continue;
        }
        let at = prefix.len();
        prefix.extend_from_slice(&name);
        let (old_tree, new_tree) = (subtree(o)?, subtree(n)?);
        let is_leaf =
            |e: Option<Entry>| e.is_some_and(|(_, _, k)| k != Some(git2::ObjectType::Tree));
        if is_leaf(o) || is_leaf(n) {
            out.push(prefix.clone());
        }
        if old_tree.is_some() || new_tree.is_some() {
            prefix.push(b'/');
            let complete =
                walk_differences(repo, prefix, old_tree.as_ref(), new_tree.as_ref(), out)?;
            prefix.pop();
            if !complete {
                return Ok(false);
            }
        }
        prefix.truncate(at);
        if out.len() > PATHSPEC_UP_TO {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The staged change: HEAD → index.
pub(super) fn head_to_index(repo: &Repository) -> Result<ChangeSet> {
    let (head_id, tree) = head_tree(repo)?;
    let index = repo.index()?;
    let diff = repo.diff_tree_to_index(tree.as_ref(), Some(&index), Some(&mut options()))?;
    let (base, head) = (Place::Tree(tree), Place::Index(index));
    Ok(ChangeSet {
        base: head_id,
        head: None,
        files: collect(repo, diff, HeadSide::Objects, &base, &head)?,
        tree: HeadTree::Index,
        unchanged: Vec::new(),
    })
}

/// The uncommitted change: HEAD → working tree, untracked files that are not ignored included.
pub(super) fn head_to_worktree(repo: &Repository) -> Result<ChangeSet> {
    if repo.is_bare() {
        return Err(Error::Usage(
            "--worktree needs a working tree, and this repository is bare".into(),
        ));
    }
    let (head_id, tree) = head_tree(repo)?;
    let mut opts = options();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true);
    let diff = repo.diff_tree_to_workdir_with_index(tree.as_ref(), Some(&mut opts))?;
    let root = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
    let (base, head) = (Place::Tree(tree), Place::Worktree(root));
    Ok(ChangeSet {
        base: head_id,
        head: None,
        files: collect(repo, diff, HeadSide::Worktree, &base, &head)?,
        tree: HeadTree::Index,
        unchanged: Vec::new(),
    })
}

/// HEAD's commit id and tree, or nothing in a repository without commits.
fn head_tree(repo: &Repository) -> Result<(Option<String>, Option<git2::Tree<'_>>)> {
    match repo.head() {
        Ok(head) => {
            let commit = head.peel_to_commit()?;
            Ok((Some(commit.id().to_string()), Some(commit.tree()?)))
        }
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => Ok((None, None)),
        Err(e) => Err(e.into()),
    }
}

fn collect(
    repo: &Repository,
    mut diff: Diff<'_>,
    head_side: HeadSide,
    base: &Place,
    head: &Place,
) -> Result<Vec<ChangedFile>> {
    diff.find_similar(Some(
        DiffFindOptions::new()
            .renames(true)
            .for_untracked(head_side == HeadSide::Worktree),
    ))?;
    let mut files = Vec::with_capacity(diff.deltas().len());
    for idx in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(idx) else {
            continue;
        };
        let Some(status) = status_of(&delta)? else {
            continue;
        };
        let mut file = describe(&delta, status, head_side);
        follow_links(repo, &delta, base, head, &mut file)?;
        files.push(file);
    }
    read_contents(repo, &mut files)?;
    Ok(files)
}

/// Judges a symlink by what it serves: a side that is a link to a file inside the repository
/// takes that file's content (and the head side's target is kept in `file.link`, so the rules
/// of both names apply); a head-side link out of the repository is recorded as such.
fn follow_links(
    repo: &Repository,
    delta: &DiffDelta,
    base: &Place,
    head: &Place,
    file: &mut ChangedFile,
) -> Result<()> {
    let reader = ContentReader::new(repo);
    let target = |content: &Content| -> Result<Vec<u8>> {
        Ok(reader
            .read(content)?
            .map(|b| b.to_vec())
            .unwrap_or_default())
    };
    let (old, new) = (delta.old_file(), delta.new_file());
    if old.mode() == FileMode::Link && file.base != Content::Absent {
        let link = display_path(old.path_bytes().unwrap_or_default());
        let followed = base.follow(repo, &link, &target(&file.base)?)?;
        if let Followed::File(path, content) = followed {
            file.base = content;
            if file.status == Status::Deleted {
                file.kind = FileKind::Text;
                file.link = Some(Link::Inside(path));
            }
        }
    }
    if new.mode() == FileMode::Link && file.head != Content::Absent {
        let written = target(&file.head)?;
        match head.follow(repo, &file.path, &written)? {
            Followed::File(path, content) => {
                file.head = content;
                file.kind = FileKind::Text;
                file.link = Some(Link::Inside(path));
            }
            Followed::Outside => {
                file.link = Some(Link::Outside(display_path(&written)));
            }
            Followed::Nowhere => {}
        }
    }
    Ok(())
}

/// Below this many files, threads cost more than they save.
const PARALLEL_FROM: usize = 64;

/// Checks the limits of every text file (and link) and reads its lines: reading object headers,
/// inflating objects and diffing them is most of a large range's cost, so with enough files it
/// is spread over one thread per core, each with its own repository handle (a handle cannot be
/// shared between threads). Both ways run [`read_file`], so the outcome never depends on how
/// many files changed.
fn read_contents(repo: &Repository, files: &mut [ChangedFile]) -> Result<()> {
    let todo: Vec<usize> = (0..files.len())
        .filter(|&i| matches!(files[i].kind, FileKind::Text | FileKind::Symlink))
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if todo.len() < PARALLEL_FROM || threads < 2 {
        for &i in &todo {
            read_file(repo, &mut files[i])?;
        }
        return Ok(());
    }
    let mut shares: Vec<Vec<(usize, ChangedFile)>> = (0..threads).map(|_| Vec::new()).collect();
    for (n, &i) in todo.iter().enumerate() {
        let file = std::mem::replace(
            &mut files[i],
            ChangedFile::new(String::new(), Status::Modified, FileKind::Text),
        );
        shares[n % threads].push((i, file));
    }
    let git_dir = repo.path();
    let done = std::thread::scope(|scope| {
        let workers: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || -> Result<Vec<(usize, ChangedFile)>> {
                    let repo = Repository::open(git_dir)?;
                    let mut share = share;
                    for (_, file) in &mut share {
                        read_file(&repo, file)?;
                    }
                    Ok(share)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    for (at, file) in done.into_iter().flatten() {
        files[at] = file;
    }
    Ok(())
}

/// Reads one file's change: its limits first ([`super::limits`]: sizes and LFS pointers are
/// checked before anything is diffed, so a huge file costs an object header read), then both
/// sides' raw bytes, decoded by [`text::decode`] under the file's type (or its link target's),
/// then the lines, diffed as `git diff` would with every file taken as text.
fn read_file(repo: &Repository, file: &mut ChangedFile) -> Result<()> {
    file.not_scanned = super::limits::not_scanned(repo, file)?;
    if file.not_scanned.is_some() {
        return Ok(());
    }
    let reader = ContentReader::new(repo);
    // The sides are read from copies of where they live, so `file` can take the lines.
    let (base, head) = (file.base.clone(), file.head.clone());
    let (old, new) = (reader.read(&base)?, reader.read(&head)?);
    let text_format = file.kind == FileKind::Symlink
        || std::iter::once(file.path.as_str())
            .chain(file.link_target())
            .any(|name| PathClass::of(name).is_text_format());
    let (old_text, new_text) = match (
        decode_side(old.as_ref(), text_format),
        decode_side(new.as_ref(), text_format),
    ) {
        (Decoded::Text(o), Decoded::Text(n)) => (o, n),
        (Decoded::Unsupported(e), _) | (_, Decoded::Unsupported(e)) => {
            file.not_scanned = Some(NotScanned::UnsupportedEncoding(e));
            return Ok(());
        }
        (Decoded::Undecodable(e), _) | (_, Decoded::Undecodable(e)) => {
            file.not_scanned = Some(NotScanned::Undecodable(e));
            return Ok(());
        }
        _ => {
            file.kind = FileKind::Binary;
            return Ok(());
        }
    };
    let new_text = match &file.head {
        Content::Worktree(_) => checkout_line_ends(&old_text, new_text),
        _ => new_text,
    };
    let patch = patch(
        unchanged_blob(&old, &old_text),
        &old_text,
        unchanged_blob(&new, &new_text),
        &new_text,
    )?;
    read_lines(&patch, file)
}

/// The blob a side was read from, when its decoded text is that blob's content unchanged.
fn unchanged_blob<'a, 'r>(bytes: &'a Option<Bytes<'r>>, text: &[u8]) -> Option<&'a git2::Blob<'r>> {
    match bytes {
        Some(Bytes::Blob(blob)) if std::ptr::eq(text, blob.content()) => Some(blob),
        _ => None,
    }
}

/// The patch between two decoded sides, every file taken as text. No paths are given, so
/// libgit2 looks up no attributes and none can choose how the sides read. Sides still in their
/// blobs are diffed as blobs: libgit2 hashes every buffer it is given, which would cost more
/// than the diff of a small file.
fn patch<'b>(
    old_blob: Option<&'b git2::Blob>,
    old: &'b [u8],
    new_blob: Option<&'b git2::Blob>,
    new: &'b [u8],
) -> Result<Patch<'b>> {
    let opts = Some(&mut options());
    Ok(match (old_blob, new_blob) {
        (Some(o), Some(n)) => Patch::from_blobs(o, None, n, None, opts)?,
        (Some(o), None) => Patch::from_blob_and_buffer(o, None, new, None, opts)?,
        _ => Patch::from_buffers(old, None, new, None, opts)?,
    })
}

/// One side's bytes (none: an absent side, read as empty) decoded by [`text::decode`].
fn decode_side<'b>(bytes: Option<&'b Bytes>, text_format: bool) -> Decoded<'b> {
    text::decode(bytes.map_or(&[][..], |b| &b[..]), text_format)
}

/// A working-tree side as git would store it: CRLF line ends written by a checkout (autocrlf,
/// `eol=crlf`) become LF when the stored side has none, so a Windows checkout does not show
/// every line as changed. Only line ends change; no content is hidden.
fn checkout_line_ends<'b>(stored: &[u8], worktree: Cow<'b, [u8]>) -> Cow<'b, [u8]> {
    let crlf = |bytes: &[u8]| bytes.windows(2).any(|w| w == b"\r\n");
    if !crlf(&worktree) || crlf(stored) {
        return worktree;
    }
    let mut out = Vec::with_capacity(worktree.len());
    let mut rest = &worktree[..];
    while let Some(at) = rest.windows(2).position(|w| w == b"\r\n") {
        out.extend_from_slice(&rest[..at]);
        out.push(b'\n');
        rest = &rest[at + 2..];
    }
    out.extend_from_slice(rest);
    Cow::Owned(out)
}

/// Maps libgit2's delta status to ours; `None` for entries that are not changes.
fn status_of(delta: &DiffDelta) -> Result<Option<Status>> {
    Ok(Some(match delta.status() {
        Delta::Added | Delta::Untracked | Delta::Copied => Status::Added,
        Delta::Deleted => Status::Deleted,
        Delta::Modified | Delta::Conflicted => Status::Modified,
        Delta::Renamed => Status::Renamed,
        Delta::Typechange => Status::Typechange,
        Delta::Unmodified | Delta::Ignored => return Ok(None),
        Delta::Unreadable => {
            let path = delta.new_file().path_bytes().unwrap_or_default();
            return Err(Error::Io {
                path: display_path(path).into(),
                source: std::io::Error::other("unreadable in the working tree"),
            });
        }
    }))
}

fn describe(delta: &DiffDelta, status: Status, head_side: HeadSide) -> ChangedFile {
    let (old, new) = (delta.old_file(), delta.new_file());
    let main = if status == Status::Deleted {
        delta.old_file()
    } else {
        delta.new_file()
    };
    let path = display_path(main.path_bytes().unwrap_or_default());
    // Whether a file is binary is decided when its content is read, never from the delta's
    // flags, which attributes set.
    let kind = match main.mode() {
        FileMode::Link => FileKind::Symlink,
        FileMode::Commit => FileKind::Submodule,
        _ => FileKind::Text,
    };
    let mut file = ChangedFile::new(path.clone(), status, kind);
    if status == Status::Renamed {
        file.old_path = Some(display_path(old.path_bytes().unwrap_or_default()));
    }
    if kind == FileKind::Submodule {
        // A gitlink's "content" is the commit it points at, as `git diff` shows it.
        let pointer = |f: &git2::DiffFile| {
            if f.exists() && !f.id().is_zero() {
                Content::Inline(format!("{SUBPROJECT_COMMIT}{}\n", f.id()))
            } else {
                Content::Absent
            }
        };
        file.base = pointer(&old);
        file.head = pointer(&new);
        return file;
    }
    if old.exists() && !old.id().is_zero() {
        file.base = Content::Blob(old.id());
    }
    if new.exists() {
        file.head = match head_side {
            HeadSide::Objects => Content::Blob(new.id()),
            HeadSide::Worktree => Content::Worktree(path_buf(new.path_bytes().unwrap_or_default())),
        };
    }
    file
}

#[cfg(unix)]
fn path_buf(bytes: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes).into()
}

#[cfg(not(unix))]
fn path_buf(bytes: &[u8]) -> std::path::PathBuf {
    String::from_utf8_lossy(bytes).into_owned().into()
}

fn read_lines(patch: &Patch, file: &mut ChangedFile) -> Result<()> {
    for h in 0..patch.num_hunks() {
        let (hunk, count) = patch.hunk(h)?;
        file.push_hunk(
            hunk.old_start(),
            hunk.old_lines(),
            hunk.new_start(),
            hunk.new_lines(),
        );
        for l in 0..count {
            let line = patch.line_in_hunk(h, l)?;
            match (line.origin(), line.old_lineno(), line.new_lineno()) {
                ('+', _, Some(n)) => file.push_line(Side::Head, n, line.content()),
                ('-', Some(n), _) => file.push_line(Side::Base, n, line.content()),
                _ => {}
            }
        }
    }
    Ok(())
}
