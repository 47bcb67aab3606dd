//! The library's error type: every failure carries what went wrong and what to do about it,
//! because a gate that stops a deploy must tell the person how to get unstuck.

use std::path::PathBuf;

/// A position in a configuration or rule file, for errors that point at a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user would name it (a path, or `REV:.deploy-guard.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Everything that can stop the gate from judging a change. All of these exit 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The working directory is not inside a git repository.
    #[error("not a git repository: {0}")]
    NotARepository(PathBuf),
    /// A revision given by the user (or found by default) does not resolve.
    #[error("unknown revision '{rev}'")]
    UnknownRevision {
        /// The revision as written.
        rev: String,
    },
    /// A revision names a parent of a history's first commit (`HEAD~1` with one commit).
    #[error("'{rev}' does not exist: {first} is the first commit, it has no parent")]
    PastFirstCommit {
        /// The revision as written.
        rev: String,
        /// The first commit, as the revision reached it.
        first: String,
    },
    /// No `--base` was given and none of the usual candidates exists.
    #[error(
        "no base revision to compare against: no upstream, origin/HEAD, origin/main|master or main|master"
    )]
    NoDefaultBase,
    /// Under CI, the default base (no `--base`) reached the head itself: the range would judge
    /// nothing, and a gate that judges nothing must not pass.
    #[error("{what}: there is nothing to compare")]
    BaseIsHead {
        /// What the base resolved to, in words.
        what: String,
    },
    /// Base and head share no history, or the shared part was not fetched.
    #[error("no common ancestor between {base} and {head}{}", if *.shallow { " (the clone is shallow)" } else { "" })]
    NoMergeBase {
        /// The base revision.
        base: String,
        /// The head revision.
        head: String,
        /// Whether the repository is a shallow clone.
        shallow: bool,
    },
    /// A configuration or rule file is malformed.
    #[error("{location}: {message}")]
    Config {
        /// Where the problem is.
        location: Location,
        /// What is wrong, naming the key or rule id.
        message: String,
    },
    /// A rule's definition is invalid outside any file position (e.g. an unknown rule id given on the command line).
    #[error("{0}")]
    Rule(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// libgit2 reported a failure while reading the repository.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    /// The command line asks for something that cannot be done as asked.
    #[error("{0}")]
    Usage(String),
    /// The CI provider's description of the run (GitHub's event payload, GitLab's variables)
    /// is missing or malformed, so the range cannot be taken from it.
    #[error("{source_name}: {message}")]
    CiEvent {
        /// The event file or variable, as the user would look for it.
        source_name: String,
        /// What is wrong with it.
        message: String,
    },
    /// History the range needs is missing from a shallow clone and could not be fetched.
    #[error("{0}")]
    ShallowHistory(String),
    /// Installing, removing or running the git hook failed.
    #[error("{message}")]
    Hook {
        /// What went wrong.
        message: String,
        /// What to do about it.
        cure: String,
    },
    /// A `--report` argument is not `FMT=PATH` with a known format.
    #[error("--report '{arg}': {problem}")]
    ReportArg {
        /// The argument as given.
        arg: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A plan given with `--plan` cannot be read or is not what its kind says.
    #[error("{message}")]
    Plan {
        /// Which file, and what is wrong with it.
        message: String,
        /// What to do about it (how to produce the document the gate reads).
        cure: String,
    },
    /// A report file (or the job summary) could not be written.
    #[error("cannot write {path}: {source}")]
    WriteReport {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// One line telling the user what to do next.
    pub fn cure(&self) -> String {
        match self {
            Error::NotARepository(_) => {
                "run deploy-guard inside a git checkout (or `git init` one)".into()
            }
            Error::UnknownRevision { .. } => {
                "check the spelling, or fetch it first (`git fetch origin <branch>`); in CI use `fetch-depth: 0`".into()
            }
            Error::PastFirstCommit { .. } => {
                "to judge the whole history up to the head, compare with the empty tree: --root (or --base 4b825dc642cb6eb9a060e54bf8d69288fbee4904)".into()
            }
            Error::NoDefaultBase => {
                "pass --base REV (for example --base origin/main), or set an upstream with `git branch -u origin/main`".into()
            }
            Error::BaseIsHead { .. } => {
                "pass --base REV naming the branch this change merges into (for example --base origin/main)".into()
            }
            Error::NoMergeBase { shallow: true, .. } => {
                "fetch full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)".into()
            }
            Error::NoMergeBase { .. } => {
                "pass a --base that shares history with --head".into()
            }
            Error::Config { .. } => "fix the configuration at that position; `deploy-guard init` writes a commented example".into(),
            Error::Rule(_) => "run `deploy-guard rules` to list the rule ids in effect".into(),
            Error::Io { .. } => "check that the path exists and is readable".into(),
            Error::Git(_) => "check that the repository is intact (`git fsck`) and that the revisions exist".into(),
            Error::Usage(_) => "see `deploy-guard --help`".into(),
            Error::CiEvent { .. } => {
                "pass --base REV (and --head REV) to choose the range yourself, or run the gate in the job the CI provider set up".into()
            }
            Error::ShallowHistory(_) => {
                "fetch full history: `fetch-depth: 0` in actions/checkout (GitLab: `GIT_DEPTH: 0`), or `git fetch --unshallow`".into()
            }
            Error::Hook { cure, .. } | Error::Plan { cure, .. } => cure.clone(),
            Error::ReportArg { .. } => {
                "write it as FMT=PATH, e.g. --report sarif=deploy-guard.sarif".into()
            }
            Error::WriteReport { .. } => {
                "check that the directory exists and that you may write there".into()
            }
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
