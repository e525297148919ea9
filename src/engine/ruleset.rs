//! Loading a rule set: the files of a directory (or one file) through parse, check and
//! compile, with a fingerprint of their content.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::engine::compile::fast::Fast;
use crate::engine::compile::{self, CompiledOffer};
use crate::engine::evaluate::outcome::Status;
use crate::engine::evaluate::{self, Scratch, WindowWords, window_words};
use crate::input::context::{Context, ContextError, NearMiss};
use crate::input::document::Doc;
use crate::language::ast;
use crate::language::check::{self, Model};
use crate::language::diagnostic::{Diagnostic, did_you_mean};
use crate::language::parse;
use crate::language::source::{SourceFile, Sources};

/// Largest rule file read.
pub const MAX_FILE_BYTES: u64 = crate::files::MAX_RULE_FILE;

/// A loaded, checked and compiled rule set: load it once, decide many contexts.
#[derive(Clone, Debug)]
pub struct RuleSet {
    /// What the checker made of the files: schema, channels, offers.
    pub(crate) model: Model,
    pub(crate) offers: Vec<CompiledOffer>,
    /// The shared tests the fast path decides statuses with.
    pub(crate) fast: Fast,
    /// Each offer's window in words, put once: every decision's `valid` clause repeats it.
    pub(crate) windows: Vec<WindowWords>,
    pub(crate) sources: Sources,
    /// `sha256:` and 16 hex digits over every file's relative path and bytes.
    pub(crate) fingerprint: String,
    /// Lint warnings found while loading.
    pub(crate) warnings: Vec<Diagnostic>,
}

/// A rule set that does not load, with everything wrong with it.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{}", self.render().trim_end())]
pub struct LoadError {
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) sources: Sources,
}

impl LoadError {
    fn single(d: Diagnostic) -> LoadError {
        LoadError {
            diagnostics: vec![d],
            sources: Sources::default(),
        }
    }

    /// Everything wrong, errors and warnings, in file order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Every diagnostic, rendered with its source line.
    pub fn render(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| d.render(&self.sources))
            .collect::<Vec<_>>()
            .join("")
    }
}

/// The `*.offer` files of a rule set, in path order compared component by component
/// (`b/c.offer` before `b.offer`), with the name each is shown by and its relative path.
pub fn rule_files(path: &Path) -> Result<Vec<(PathBuf, String)>, Diagnostic> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(
            "unreadable",
            format!("cannot read the rule set `{shown}`: {}", io_words(&e)),
        )
    })?;
    if !meta.is_dir() {
        let name = path
            .file_name()
            .map_or(shown.clone(), |n| n.to_string_lossy().into_owned());
        return Ok(vec![(path.to_path_buf(), name)]);
    }
    let found = sorted_below(path, ".offer")?;
    if found.is_empty() {
        return Err(Diagnostic::error(
            "no-rules",
            format!("there are no `*.offer` files in `{shown}`"),
        ));
    }
    Ok(found
        .into_iter()
        .map(|(rel, full)| {
            (
                full,
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            )
        })
        .collect())
}

/// Files below `dir` whose name ends in `suffix` (symbolic links to folders are not followed).
pub fn files_below(root: &Path, suffix: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    Ok(sorted_below(root, suffix)?
        .into_iter()
        .map(|(_, full)| full)
        .collect())
}

/// `(relative, full)` paths of the files below `root` ending in `suffix`, in path order
/// compared component by component.
fn sorted_below(root: &Path, suffix: &str) -> Result<Vec<(PathBuf, PathBuf)>, Diagnostic> {
    let mut found = Vec::new();
    walk_suffix(root, root, suffix, &mut found, 0)?;
    found.sort_by(|a, b| a.0.components().cmp(b.0.components()));
    Ok(found)
}

fn walk_suffix(
    root: &Path,
    dir: &Path,
    suffix: &str,
    found: &mut Vec<(PathBuf, PathBuf)>,
    depth: usize,
) -> Result<(), Diagnostic> {
    if depth > 32 {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(
            "unreadable",
            format!(
                "cannot read the folder `{}`: {}",
                dir.display(),
                io_words(&e)
            ),
        )
    })?;
    for entry in entries.flatten() {
        let full = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk_suffix(root, &full, suffix, found, depth + 1)?;
        } else if entry.file_name().to_string_lossy().ends_with(suffix) {
            let rel = full.strip_prefix(root).unwrap_or(&full).to_path_buf();
            found.push((rel, full));
        }
    }
    Ok(())
}

pub use crate::files::io_words;

/// Reads a rule file as UTF-8 text, refusing what is too large, not a file, or not text.
pub fn read_text(path: &Path, shown: &str) -> Result<String, Diagnostic> {
    crate::files::read_text(path, MAX_FILE_BYTES)
        .map_err(|e| Diagnostic::error(e.kind(), e.to_string()).in_file(shown))
}

impl RuleSet {
    /// Loads the rule set at `path` (a folder or one `.offer` file); lints that depend on
    /// the date use `at`.
    pub fn load(path: &Path, at: DateTime<Utc>) -> Result<RuleSet, LoadError> {
        let files = rule_files(path).map_err(LoadError::single)?;
        let mut texts = Vec::with_capacity(files.len());
        for (full, rel) in files {
            let shown = if path.is_dir() {
                full.display().to_string()
            } else {
                path.display().to_string()
            };
            let text = read_text(&full, &shown).map_err(LoadError::single)?;
            texts.push((shown, rel, text));
        }
        RuleSet::from_texts(texts, at)
    }

    /// Loads a rule set from `(shown name, relative path, text)` of each file, in order.
    pub fn from_texts(
        files: Vec<(String, String, String)>,
        at: DateTime<Utc>,
    ) -> Result<RuleSet, LoadError> {
        let mut sources = Sources::default();
        let mut hash = Sha256::new();
        let mut parsed: Vec<ast::File> = Vec::with_capacity(files.len());
        let mut diagnostics = Vec::new();
        for (shown, rel, text) in files {
            hash.update(rel.as_bytes());
            hash.update([0]);
            hash.update(text.as_bytes());
            hash.update([0]);
            let id = sources.add(SourceFile::new(shown, text));
            let text = sources.get(id).map_or("", |f| f.text.as_str());
            let (file, found) = parse::parse_file(text, id);
            diagnostics.extend(found);
            parsed.push(file);
        }
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(LoadError {
                diagnostics,
                sources,
            });
        }
        let (model, found) = check::check(&parsed, &sources, at);
        diagnostics.extend(found);
        diagnostics.sort_by_key(|d| d.span.map(|s| (s.file, s.start)));
        let Some(model) = model else {
            diagnostics.retain(Diagnostic::is_error);
            return Err(LoadError {
                diagnostics,
                sources,
            });
        };
        let digest = hash.finalize();
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let offers = compile::compile(&model);
        let ids: Vec<&str> = model.offers.iter().map(|o| o.id.as_str()).collect();
        let fast = compile::fast::build(&offers, &ids, &model.schema);
        let windows = model
            .offers
            .iter()
            .map(|o| window_words(o.window.as_ref(), &model.zone_name))
            .collect();
        Ok(RuleSet {
            offers,
            fast,
            windows,
            model,
            sources,
            fingerprint: format!("sha256:{hex}"),
            warnings: diagnostics,
        })
    }

    /// Every offer's status on one channel, in rule-set order, into `out`, without
    /// explanations: the fast path, for many customers (`scratch` is reused between them, so
    /// that deciding allocates nothing in the steady state).
    pub fn statuses(
        &self,
        ctx: &Context,
        channel: usize,
        at: DateTime<Utc>,
        scratch: &mut Scratch,
        out: &mut Vec<Status>,
    ) {
        evaluate::statuses(
            &self.model,
            &self.offers,
            &self.fast,
            ctx,
            channel,
            at,
            scratch,
            out,
        );
    }

    /// Reads a customer's document against the rule set's context schema.
    pub fn context(&self, doc: &Doc) -> Result<Context, ContextError> {
        Context::from_doc(doc, &self.model.schema)
    }

    /// [`RuleSet::context`] into a context read before, reusing its texts and lists: reading
    /// customer after customer into one context allocates nothing in the steady state. When
    /// the document is refused, the context is left with some of its values.
    pub fn refill_context(&self, ctx: &mut Context, doc: &Doc) -> Result<(), ContextError> {
        ctx.refill(doc, &self.model.schema)
    }

    /// The fields of `doc` that the schema does not declare but that are one edit from a
    /// field it does (`customer.teir`): likely typos, which would otherwise leave the field
    /// missing. They never change a decision; show them as warnings.
    pub fn near_misses(&self, doc: &Doc) -> Vec<NearMiss> {
        Context::near_misses(doc, &self.model.schema)
    }

    /// The channels, in display order; a channel's index is what `decide` takes.
    pub fn channels(&self) -> &[String] {
        &self.model.channels
    }

    /// The offers' ids, in rule-set order (the order of every decision's `offers`).
    pub fn offer_ids(&self) -> impl Iterator<Item = &str> {
        self.model.offers.iter().map(|o| o.id.as_str())
    }

    /// `sha256:` and 16 hex digits over every file's relative path and bytes: two channels
    /// that show the same fingerprint decided with the same rules.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The lint warnings found while loading (a rule set with warnings still loads).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// A warning of this rule set as `honor lint` prints it: `file:line:col`, the line and a
    /// caret under the place.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        diagnostic.render(&self.sources)
    }

    /// The channels that honor the offer at `offer` (its index in rule-set order); the offer
    /// is `not_on_channel` on the others.
    pub fn honored_on(&self, offer: usize) -> &[usize] {
        self.model
            .offers
            .get(offer)
            .map_or(&[], |o| o.honored_on.as_slice())
    }

    /// The index of a channel by name, or what is wrong with the name.
    pub fn channel(&self, name: &str) -> Result<usize, String> {
        self.model
            .channels
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| {
                let mut message = format!(
                    "unknown channel `{}`; this rule set's channels are {}",
                    crate::escape::excerpt(name),
                    self.model.channels.join(", ")
                );
                if let Some(close) =
                    did_you_mean(name, self.model.channels.iter().map(String::as_str))
                {
                    message.push_str(&format!(" (did you mean `{close}`?)"));
                }
                message
            })
    }

    /// The index of an offer by id, or what is wrong with the id.
    pub fn offer_index(&self, id: &str) -> Result<usize, String> {
        self.model
            .offers
            .iter()
            .position(|o| o.id == id)
            .ok_or_else(|| {
                let mut message = format!(
                    "there is no offer `{}` in the rule set",
                    crate::escape::excerpt(id)
                );
                if let Some(close) =
                    did_you_mean(id, self.model.offers.iter().map(|o| o.id.as_str()))
                {
                    message.push_str(&format!(" (did you mean `{close}`?)"));
                }
                message
            })
    }
}
