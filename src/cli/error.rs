//! Everything that ends a command with exit code 2, and the one place it is put into words.

use std::io;

use crate::escape::{escape_control_keep_lines, excerpt};
use crate::files::FileError;
use crate::input::context::ContextError;
use crate::input::document::DocError;

/// Bad input or an output that cannot be written: the message goes to stderr and the exit
/// code is 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A lookup refused with its own message (an unknown channel or offer).
    #[error("error: {0}")]
    Lookup(String),
    /// Any other refusal, in its own words (a ledger that cannot be read, a service that
    /// cannot start).
    #[error("error: {0}")]
    Other(String),
    /// Messages that are already complete: the errors of a rule set that does not load, or
    /// of case files, each with its place.
    #[error("{0}")]
    Rendered(String),
    #[error("error: cannot write the output: {0}")]
    Output(io::Error),
    #[error(
        "error: --at `{}` is not an RFC 3339 instant of the years 0000 to 9999 (in UTC); write it like 2016-05-10T10:00:00-05:00 or 2016-05-10T15:00:00Z",
        excerpt(.0)
    )]
    Instant(String),
    #[error("{file}: error: {error}")]
    File { file: String, error: FileError },
    #[error("error: cannot read the context from standard input: {0}")]
    Stdin(FileError),
    #[error("{}:{}{}", .file, if .error.line.is_some() { "" } else { " " }, .error)]
    Document { file: String, error: DocError },
    #[error("{file}: {error}")]
    Context { file: String, error: ContextError },
    #[error("error: --context `{}` should be CHANNEL=FILE, like `store=store.yaml`", excerpt(.0))]
    ParityPair(String),
    #[error("error: --context `{}` names no file; write CHANNEL=FILE, like `store=store.yaml`", excerpt(.0))]
    ParityNoFile(String),
    #[error("error: --context gives channel `{}` twice", excerpt(.0))]
    ParityTwice(String),
    #[error(
        "error: parity compares channels: give at least two, like --context web=web.yaml --context store=store.yaml"
    )]
    ParityOne,
    #[error("error: {0}")]
    Folder(String),
    #[error("error: {0}")]
    Write(FileError),
    #[error("error: there are no case files (`*.test.yaml`) in `{}`", excerpt(.0))]
    NoCaseFiles(String),
    #[error("error: {0}")]
    NothingSelected(String),
    #[error("error: cannot write the snapshot of {file}: {error}")]
    Snapshot { file: String, error: FileError },
    #[error(
        "error: --jobs {given} is more than {most} (four threads per core); use at most {most}"
    )]
    TooManyJobs { given: usize, most: usize },
    #[error("error: --jobs 0: give at least one thread, or leave --jobs out for one per core")]
    NoJobs,
    #[error("error: {0}")]
    Batch(io::Error),
}

/// A lookup refused with a message (an unknown channel or offer).
impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::Lookup(message)
    }
}

/// Writing a report failed (a closed pipe, a full disk).
impl From<io::Error> for CliError {
    fn from(e: io::Error) -> CliError {
        CliError::Output(e)
    }
}

impl CliError {
    /// The message for stderr: whatever it quotes, nothing in it moves the cursor or rings
    /// the bell.
    pub fn render(&self) -> String {
        escape_control_keep_lines(self.to_string().trim_end()).into_owned()
    }

    /// A reader that went away (`honor batch … | head -1`) is not an error to report.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Output(e) | CliError::Batch(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}
