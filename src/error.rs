//! The library's one error type.
//!
//! Errors are split by who is at fault, as milli does: a bad *input file* is not an
//! [`Error`] at all but a [`crate::Skipped`] entry in the indexing summary, so one broken
//! report never costs the rest of the run. What is here stops the operation: an unreadable
//! corpus root, a bad query, a schema file with a mistake, an index that is locked, damaged
//! or built with other lexicons. Every variant carries the path, line or column a user needs
//! to fix it; sources are chained, not repeated in the message (the CLI prints the chain).

use std::path::PathBuf;

/// Everything that can go wrong in attache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("cannot access {}", path.display())]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The corpus directory given to the indexer does not exist or is not a directory.
    #[error("{} is not a directory", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A file in `index_schema/` is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Schema {
        /// The schema file (a name such as `leaders.toml` for the embedded defaults).
        path: PathBuf,
        /// 1-based line of the problem, 0 when unknown.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A line of an input file other than a report (evaluation queries, relevance judgments)
    /// is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A folder or file given to a command is not laid out as the command expects (an
    /// evaluation's test collection without its queries, say).
    #[error("{}: {message}", path.display())]
    Layout {
        /// The folder or file.
        path: PathBuf,
        /// What is missing or wrong, and what was expected.
        message: String,
    },
    /// A name tagger model file is malformed ([`crate::extract::tagger`]).
    #[error("bad tagger model: {message}")]
    Model {
        /// What is wrong with it.
        message: String,
    },
    /// A ranking's description could not be read ([`crate::Ranking`]'s `FromStr`).
    #[error("bad ranking {text:?}: {message}")]
    Ranking {
        /// The description.
        text: String,
        /// What is wrong with it.
        message: String,
    },
    /// The query could not be parsed.
    #[error("bad query at column {column}: {message}")]
    Query {
        /// 1-based column (in characters) where the problem starts.
        column: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The index was built with another schema version or other lexicons.
    #[error(
        "index at {} was built with {found}, but this attache uses {expected}; rebuild it with `attache index --rebuild`",
        path.display()
    )]
    IncompatibleIndex {
        /// The index directory.
        path: PathBuf,
        /// What the index was built with.
        found: String,
        /// What this build expects.
        expected: String,
    },
    /// No index exists at the path.
    #[error("no attache index at {}; build one with `attache index DIR --index {}`", path.display(), path.display())]
    NoIndex {
        /// The path searched.
        path: PathBuf,
    },
    /// Another process holds the index's writer lock.
    #[error("index at {} is locked by another attache process; wait for it to finish", path.display())]
    Locked {
        /// The index directory.
        path: PathBuf,
    },
    /// The index's files fail their checksums or cannot be read.
    #[error("index at {} is damaged ({}); rebuild it with `attache index DIR --rebuild`", path.display(), problem)]
    Damaged {
        /// The index directory.
        path: PathBuf,
        /// What is wrong: the damaged files, or what could not be read.
        problem: String,
    },
    /// A report lookup by id found nothing.
    #[error("no article with id {id:?}")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// The index could not be opened, read or written.
    #[error("index error at {}; if it is damaged, rebuild it with `attache index --rebuild`", path.display())]
    Index {
        /// The index directory (`<ram>` for in-memory indexes).
        path: PathBuf,
        /// The underlying tantivy error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// Any other tantivy error.
    #[error("search engine error")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A thread of attache's own failed (a bug, not a problem with the input or the index):
    /// the operation stopped, and nothing it had not committed was kept.
    #[error("internal error at {}: {}; this is a bug in attache", path.display(), problem)]
    Internal {
        /// The index being worked on.
        path: PathBuf,
        /// What failed.
        problem: String,
    },
}

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }

    pub(crate) fn query(column: usize, message: impl Into<String>) -> Error {
        Error::Query { column, message: message.into() }
    }
}
