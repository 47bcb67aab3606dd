//! libgit2 diffs turned into [`ChangeSet`]s, with zero context: the engine judges changed
//! lines, and reads whole blobs only when a rule asks for them.

use super::content::ContentReader;
use crate::change::{
    ChangeSet, ChangedFile, Content, FileKind, HeadTree, SUBPROJECT_COMMIT, Side, Status,
    display_path,
};
use crate::error::{Error, Result};
use git2::{
    Commit, Delta, Diff, DiffDelta, DiffFindOptions, DiffOptions, FileMode, Patch, Repository, Tree,
};
use std::collections::BTreeMap;

/// Where the head side of a diff lives, which decides how its content is read later.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HeadSide {
    Objects,
    Worktree,
}

fn options() -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .interhunk_lines(0)
        .include_typechange(true)
        .ignore_submodules(false);
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
    Ok(ChangeSet {
        base: base.map(|b| b.id().to_string()),
        head: Some(head.id().to_string()),
        files: collect(repo, diff, HeadSide::Objects)?,
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
    Ok(ChangeSet {
        base: head_id,
        head: None,
        files: collect(repo, diff, HeadSide::Objects)?,
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
    Ok(ChangeSet {
        base: head_id,
        head: None,
        files: collect(repo, diff, HeadSide::Worktree)?,
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

fn collect(repo: &Repository, mut diff: Diff<'_>, head_side: HeadSide) -> Result<Vec<ChangedFile>> {
    diff.find_similar(Some(
        DiffFindOptions::new()
            .renames(true)
            .for_untracked(head_side == HeadSide::Worktree),
    ))?;
    let mut files = Vec::with_capacity(diff.deltas().len());
    let mut pending = Vec::new();
    for idx in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(idx) else {
            continue;
        };
        let Some(status) = status_of(&delta)? else {
            continue;
        };
        let mut file = describe(&delta, status, head_side);
        if matches!(file.kind, FileKind::Text | FileKind::Symlink) {
            if head_side == HeadSide::Objects && status != Status::Typechange {
                pending.push(Pending {
                    file: files.len(),
                    delta: idx,
                    old_path: delta.old_file().path_bytes().map(path_buf),
                    new_path: delta.new_file().path_bytes().map(path_buf),
                });
            } else {
                within_limits(repo, &mut file, |file| read_content(repo, &diff, idx, file))?;
            }
        }
        files.push(file);
    }
    read_blob_patches(repo, &diff, pending, &mut files)?;
    Ok(files)
}

/// Sets `file.not_scanned` from [`super::limits`], and reads its content with `read` only when
/// it is scanned: sizes and LFS pointers are checked before the diff is computed, so a huge
/// file costs an object header read, not a diff.
fn within_limits(
    repo: &Repository,
    file: &mut ChangedFile,
    read: impl FnOnce(&mut ChangedFile) -> Result<()>,
) -> Result<()> {
    file.not_scanned = super::limits::not_scanned(repo, file)?;
    if file.not_scanned.is_none() {
        read(file)?;
    }
    Ok(())
}

/// A file whose two sides are blobs, waiting for its limits check and its patch.
struct Pending {
    file: usize,
    delta: usize,
    old_path: Option<std::path::PathBuf>,
    new_path: Option<std::path::PathBuf>,
}

/// Below this many files, threads cost more than they save.
const PARALLEL_FROM: usize = 64;

/// Checks the limits of blob-to-blob changes and reads their patches: reading object headers,
/// inflating objects and diffing them is most of a large range's cost, so with enough files it
/// is spread over one thread per core, each with its own repository handle (a handle cannot be
/// shared between threads).
fn read_blob_patches(
    repo: &Repository,
    diff: &Diff,
    pending: Vec<Pending>,
    files: &mut [ChangedFile],
) -> Result<()> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if pending.len() < PARALLEL_FROM || threads < 2 {
        for p in &pending {
            within_limits(repo, &mut files[p.file], |file| {
                read_content(repo, diff, p.delta, file)
            })?;
        }
        return Ok(());
    }
    let mut shares: Vec<Vec<(Pending, ChangedFile)>> = (0..threads).map(|_| Vec::new()).collect();
    for (n, p) in pending.into_iter().enumerate() {
        let file = std::mem::replace(
            &mut files[p.file],
            ChangedFile::new(String::new(), Status::Modified, FileKind::Text),
        );
        shares[n % threads].push((p, file));
    }
    let git_dir = repo.path();
    let done = std::thread::scope(|scope| {
        let workers: Vec<_> = shares
            .into_iter()
            .map(|share| scope.spawn(move || patch_share(git_dir, share)))
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

fn patch_share(
    git_dir: &std::path::Path,
    share: Vec<(Pending, ChangedFile)>,
) -> Result<Vec<(usize, ChangedFile)>> {
    let repo = Repository::open(git_dir)?;
    repo.set_index(&mut git2::Index::new()?)?;
    let blob = |content: &Content| -> Result<Option<git2::Blob<'_>>> {
        match content {
            Content::Blob(id) => Ok(Some(repo.find_blob(*id)?)),
            _ => Ok(None),
        }
    };
    let mut out = Vec::with_capacity(share.len());
    for (p, mut file) in share {
        within_limits(&repo, &mut file, |file| {
            let (old, new) = (blob(&file.base)?, blob(&file.head)?);
            // An absent side is an empty buffer: the same hunks `git diff` shows for an added
            // or deleted file.
            let patch = Patch::from_buffers(
                old.as_ref().map_or(&[][..], git2::Blob::content),
                p.old_path.as_deref(),
                new.as_ref().map_or(&[][..], git2::Blob::content),
                p.new_path.as_deref(),
                Some(&mut options()),
            )?;
            if patch.delta().flags().is_binary() {
                file.kind = FileKind::Binary;
                Ok(())
            } else {
                read_lines(&patch, file)
            }
        })?;
        out.push((p.file, file));
    }
    Ok(out)
}

/// Fills `file`'s hunks and lines from delta `idx`, or marks it binary.
fn read_content(repo: &Repository, diff: &Diff, idx: usize, file: &mut ChangedFile) -> Result<()> {
    // libgit2 computes no lines for a type change (file ↔ symlink), so those two sides are
    // diffed here, as `git diff` shows them: the old side removed, the new one added.
    let sides = if file.status == Status::Typechange {
        let reader = ContentReader::new(repo);
        let read = |c| -> Result<Vec<u8>> {
            Ok(reader.read(c)?.map(|b| b.into_owned()).unwrap_or_default())
        };
        Some((read(&file.base)?, read(&file.head)?))
    } else {
        None
    };
    let patch = match &sides {
        Some((old, new)) => Some(Patch::from_buffers(
            old,
            None,
            new,
            None,
            Some(&mut options()),
        )?),
        None => Patch::from_diff(diff, idx)?,
    };
    match patch {
        Some(patch) if patch.delta().flags().is_binary() => file.kind = FileKind::Binary,
        Some(patch) => read_lines(&patch, file)?,
        None => {}
    }
    Ok(())
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
    let kind = match main.mode() {
        FileMode::Link => FileKind::Symlink,
        FileMode::Commit => FileKind::Submodule,
        _ if delta.flags().is_binary() => FileKind::Binary,
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
