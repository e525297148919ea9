//! The rule files on each side of a change: from a folder or file on disk, or read out of a
//! git revision with plumbing commands that never touch the work tree.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::engine::ruleset::{MAX_FILE_BYTES, read_text, rule_files};
use crate::language::diagnostic::did_you_mean;
use crate::language::source::Sources;

/// `(shown name, relative path, text)` of each rule file, in rule-set order: what
/// `RuleSet::from_texts` reads.
pub type Files = Vec<(String, String, String)>;

/// The rule files at `path`, named as `RuleSet::load` names them.
pub fn from_path(path: &Path) -> Result<Files, String> {
    let render = |d: crate::language::diagnostic::Diagnostic| {
        d.render(&Sources::default()).trim_end().to_string()
    };
    let mut files = Vec::new();
    for (full, rel) in rule_files(path).map_err(render)? {
        let shown = if path.is_dir() {
            full.display().to_string()
        } else {
            path.display().to_string()
        };
        let text = read_text(&full, &shown).map_err(render)?;
        files.push((shown, rel, text));
    }
    Ok(files)
}

/// The base of a comparison: a rule-set path when one exists, else a git revision from which
/// the rule files at `rules` are read.
pub fn base(rules: &Path, base: &str) -> Result<Files, String> {
    if Path::new(base).exists() {
        return from_path(Path::new(base));
    }
    from_git(rules, base)
}

/// Runs git with `args` in `dir`; its standard output, or its complaint.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        // a read never takes the index lock another git command may be holding
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .map_err(|e| format!("error: cannot run git to read the base revision: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// The rule files at `rules` (a folder or one file of the work tree) as they are at `rev`.
pub fn from_git(rules: &Path, rev: &str) -> Result<Files, String> {
    let shown_rules = rules.display().to_string();
    let absolute = std::fs::canonicalize(rules).map_err(|_| {
        format!(
            "error: `{rev}` is not a rule-set path, and `{shown_rules}` does not exist to find the git repository it belongs to"
        )
    })?;
    let dir = if absolute.is_dir() {
        absolute.clone()
    } else {
        absolute
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let top = git(&dir, &["rev-parse", "--show-toplevel"]).map_err(|_| {
        format!(
            "error: `{rev}` is not a rule-set path, and `{shown_rules}` is not in a git repository, so it cannot be a revision either"
        )
    })?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches('\n'));
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    let inside = absolute.strip_prefix(&top).map_err(|_| {
        format!(
            "error: `{shown_rules}` is not in the git repository at `{}`",
            top.display()
        )
    })?;
    let inside: Vec<String> = inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let inside = inside.join("/");
    if rev.starts_with('-') {
        return Err(unknown_revision(&top, rev));
    }
    let commit = format!("{rev}^{{commit}}");
    git(&top, &["rev-parse", "--verify", "--quiet", &commit])
        .map_err(|_| unknown_revision(&top, rev))?;
    let spec = if inside.is_empty() { "." } else { &inside };
    let listing = git(&top, &["ls-tree", "-r", "-z", "-l", &commit, "--", spec])
        .map_err(|e| format!("error: cannot list the files of `{rev}`: {e}"))?;
    let single_file = !absolute.is_dir();
    let mut entries: Vec<Entry> = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        // `<mode> <type> <object> <size>\t<path>`
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [_, kind, object, size] = fields[..] else {
            continue;
        };
        if kind != "blob" {
            continue;
        }
        let wanted = if single_file {
            path == inside
        } else {
            path.ends_with(".offer")
        };
        if !wanted {
            continue;
        }
        let rel = if single_file || inside.is_empty() {
            path.to_string()
        } else {
            path.strip_prefix(&format!("{inside}/"))
                .unwrap_or(path)
                .to_string()
        };
        entries.push(Entry {
            components: rel.split('/').map(String::from).collect(),
            object: object.to_string(),
            path: path.to_string(),
            size: size.parse().unwrap_or(0),
        });
    }
    if entries.is_empty() {
        let what = if single_file {
            format!("`{inside}` is not in the repository at `{rev}`")
        } else if inside.is_empty() {
            format!("there are no `*.offer` files in the repository at `{rev}`")
        } else {
            format!("there are no `*.offer` files in `{inside}` at `{rev}`")
        };
        return Err(format!("error: {what}"));
    }
    // the order RuleSet::load reads a folder in: component by component
    entries.sort_by(|a, b| a.components.cmp(&b.components));
    let mut files = Vec::with_capacity(entries.len());
    for Entry {
        components,
        object,
        path,
        size,
    } in entries
    {
        let shown = format!("{rev}:{path}");
        if size > MAX_FILE_BYTES {
            return Err(format!(
                "{shown}: error: this file is {size} bytes; files of at most {MAX_FILE_BYTES} bytes are read"
            ));
        }
        let bytes = git(&top, &["cat-file", "blob", &object])
            .map_err(|e| format!("{shown}: error: cannot read this file from git: {e}"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{shown}: error: this is not a text file (it is not UTF-8)"))?;
        let rel = if single_file {
            components.last().cloned().unwrap_or_default()
        } else {
            components.join("/")
        };
        files.push((shown, rel, text));
    }
    Ok(files)
}

/// A rule file listed at a revision.
struct Entry {
    /// Its path below the rule set, part by part: the order files are read in.
    components: Vec<String>,
    /// The blob's object id.
    object: String,
    /// Its path in the repository.
    path: String,
    size: u64,
}

fn unknown_revision(top: &Path, rev: &str) -> String {
    let mut message = format!(
        "error: `{}` is neither a rule-set path nor a branch, tag or commit of the git repository at `{}`",
        crate::escape::excerpt(rev),
        top.display()
    );
    if let Ok(refs) = git(top, &["for-each-ref", "--format=%(refname:short)"]) {
        let refs = String::from_utf8_lossy(&refs);
        if let Some(close) = did_you_mean(rev, refs.lines().chain(["HEAD"])) {
            message.push_str(&format!(" (did you mean `{close}`?)"));
        }
    }
    message
}
