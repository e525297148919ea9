//! Every file honor reads or writes goes through here, so that the same rules hold for all
//! of them: only regular files are read (a pipe or a device would block or never end), no
//! more than a cap is read whatever the file claims to hold, text must be UTF-8, and a write
//! replaces a file in one step (a temporary file beside it, synced, renamed over) and never
//! goes through a symbolic link.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Largest rule file read.
pub const MAX_RULE_FILE: u64 = 16 * 1024 * 1024;
/// Largest context document read (a file or standard input): one customer's record.
pub const MAX_CONTEXT: u64 = 4 * 1024 * 1024;
/// Largest case file read.
pub const MAX_CASE_FILE: u64 = 16 * 1024 * 1024;
/// Largest snapshot file read: every decision of every case of one case file.
pub const MAX_SNAPSHOT: u64 = 256 * 1024 * 1024;
/// Longest line of a JSON Lines input (a context, a decision record).
pub const MAX_LINE: usize = 1024 * 1024;
/// Largest tokens file of `honor serve --tokens`.
pub const MAX_TOKENS: u64 = 1024 * 1024;

/// Why a file could not be read or written, in words for whoever named it.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The system refused to read it (the reason in its words).
    #[error("cannot read this file: {0}")]
    Unreadable(String),
    /// A folder where a file was expected.
    #[error("cannot read this file: it is a folder, not a file")]
    Folder,
    #[error(
        "cannot read this file: it is not a regular file (a device, a pipe or a socket); give the path of a file"
    )]
    /// A device, a pipe or a socket.
    NotRegular,
    /// Over the cap, in bytes.
    #[error("this holds more than {0} bytes; files of at most {0} bytes are read")]
    TooLarge(u64),
    #[error("this is not a text file: byte {byte} (on line {line}) is not UTF-8")]
    /// Not UTF-8 at this byte (from 0) and line (from 1).
    NotText {
        /// The first byte that is not UTF-8.
        byte: usize,
        /// Its line.
        line: usize,
    },
    #[error(
        "`{0}` is a symbolic link; honor does not write through links: replace it with the file itself"
    )]
    /// A symbolic link where a write would go through it.
    Link(String),
    /// The path, and why it could not be written.
    #[error("cannot write `{0}`: {1}")]
    Unwritable(String, String),
}

impl FileError {
    /// A stable name for scripts, as diagnostics have.
    pub fn kind(&self) -> &'static str {
        match self {
            FileError::Unreadable(_) | FileError::Folder | FileError::NotRegular => "unreadable",
            FileError::TooLarge(_) => "too-large",
            FileError::NotText { .. } => "not-text",
            FileError::Link(_) | FileError::Unwritable(..) => "unwritable",
        }
    }
}

/// An I/O error in plain words.
pub fn io_words(e: &io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => String::from("it does not exist"),
        PermissionDenied => String::from("permission denied"),
        IsADirectory => String::from("it is a folder, not a file"),
        _ => e.to_string(),
    }
}

/// Opens a regular file for reading; folders, devices, pipes and sockets are refused before
/// they are opened, since opening a pipe waits for a writer.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    let meta = std::fs::metadata(path).map_err(|e| FileError::Unreadable(io_words(&e)))?;
    if meta.is_dir() {
        return Err(FileError::Folder);
    }
    if !meta.is_file() {
        return Err(FileError::NotRegular);
    }
    let file = File::open(path).map_err(|e| FileError::Unreadable(io_words(&e)))?;
    // The path may have been swapped between the two looks.
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(file),
        Ok(_) => Err(FileError::NotRegular),
        Err(e) => Err(FileError::Unreadable(io_words(&e))),
    }
}

/// Reads at most `cap` bytes from `input`; more is refused.
pub fn read_capped(input: impl Read, cap: u64) -> Result<Vec<u8>, FileError> {
    let mut bytes = Vec::new();
    input
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::Unreadable(io_words(&e)))?;
    if bytes.len() as u64 > cap {
        return Err(FileError::TooLarge(cap));
    }
    Ok(bytes)
}

/// The bytes as UTF-8 text, without a leading byte order mark (some editors write one).
pub fn text_of(bytes: Vec<u8>) -> Result<String, FileError> {
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        FileError::NotText { byte: at + 1, line }
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Reads a regular file of at most `cap` bytes as UTF-8 text.
pub fn read_text(path: &Path, cap: u64) -> Result<String, FileError> {
    text_of(read_capped(open_regular(path)?, cap)?)
}

/// Reads standard input, at most `cap` bytes, as UTF-8 text.
pub fn read_stdin_text(cap: u64) -> Result<String, FileError> {
    text_of(read_capped(io::stdin().lock(), cap)?)
}

/// Reads one line into `line`, keeping at most [`MAX_LINE`] bytes of it: `None` at the end
/// of the input, `Some(false)` for a line that was longer (its bytes are read and dropped).
pub fn bounded_line(
    input: &mut (impl BufRead + ?Sized),
    line: &mut Vec<u8>,
) -> io::Result<Option<bool>> {
    line.clear();
    let (mut any, mut fits) = (false, true);
    loop {
        let buffer = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(any.then_some(fits));
        }
        any = true;
        let (take, ends) = match buffer.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buffer.len(), false),
        };
        let content = if ends { take - 1 } else { take };
        if fits && line.len() + content <= MAX_LINE {
            line.extend_from_slice(&buffer[..content]);
        } else if fits {
            fits = false;
            line.clear();
        }
        input.consume(take);
        if ends {
            return Ok(Some(fits));
        }
    }
}

/// Why a line of JSON Lines input cannot be read as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// Longer than [`MAX_LINE`] bytes (its bytes were read and dropped).
    #[error("this line is longer than {MAX_LINE} bytes")]
    TooLong,
    /// Not UTF-8.
    #[error("this line is not UTF-8 text")]
    NotText,
}

/// The next line of `input` as text, read into `line` by [`bounded_line`]: `None` at the end
/// of the input.
pub fn text_line<'l>(
    input: &mut (impl BufRead + ?Sized),
    line: &'l mut Vec<u8>,
) -> io::Result<Option<Result<&'l str, LineError>>> {
    Ok(bounded_line(input, line)?.map(|fits| {
        if !fits {
            return Err(LineError::TooLong);
        }
        std::str::from_utf8(line).map_err(|_| LineError::NotText)
    }))
}

/// Temporary files get a name no other writer in this process uses.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces `path` with `bytes` in one step: a reader sees the old file or the new one, never
/// a part, and a full disk or a kill leaves the old file as it was. A symbolic link at `path`
/// is refused rather than written through or replaced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let shown = path.display().to_string();
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(FileError::Link(shown)),
        Ok(meta) if !meta.is_file() => {
            return Err(FileError::Unwritable(
                shown,
                String::from("it is not a regular file"),
            ));
        }
        Ok(meta) => Some(meta),
        Err(_) => None,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let unwritable = |e: io::Error| FileError::Unwritable(shown.clone(), io_words(&e));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        if let Some(meta) = &existing {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(unwritable(e));
    }
    // The rename itself is durable once the folder is synced; not every system allows it.
    if let Ok(folder) = File::open(&dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_what_is_read() {
        assert_eq!(read_capped(&b"abcd"[..], 4).unwrap(), b"abcd");
        assert!(matches!(
            read_capped(&b"abcde"[..], 4),
            Err(FileError::TooLarge(4))
        ));
        assert!(matches!(
            read_capped(io::repeat(0), 1024),
            Err(FileError::TooLarge(1024))
        ));
    }

    #[test]
    fn text_drops_a_byte_order_mark() {
        assert_eq!(text_of("\u{feff}a: 1".as_bytes().to_vec()).unwrap(), "a: 1");
        assert!(matches!(
            text_of(vec![b'a', b'\n', 0xff]),
            Err(FileError::NotText { byte: 3, line: 2 })
        ));
    }
}
