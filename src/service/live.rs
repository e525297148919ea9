//! The rule set being served, swapped whole on reload: a request takes the current rule set
//! once and decides on it to the end, whatever reloads happen meanwhile.

use arc_swap::{ArcSwap, ArcSwapOption};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::engine::ruleset::{LoadError, RuleSet, read_text, rule_files};
use crate::value::time::format_instant;

/// One loaded rule set with the files it was loaded from (kept by records).
pub struct Loaded {
    pub rules: RuleSet,
    pub loaded_at: DateTime<Utc>,
    /// `(relative path, text)` of each rule file, in rule-set order.
    pub files: Vec<(String, String)>,
}

impl Loaded {
    /// Reads, checks and compiles the rule set at `path`.
    pub fn read(path: &Path) -> Result<Loaded, LoadError> {
        let now = Utc::now();
        let listed = rule_files(path).map_err(|d| LoadError {
            diagnostics: vec![d],
            sources: Default::default(),
        })?;
        let mut texts = Vec::with_capacity(listed.len());
        for (full, rel) in listed {
            let shown = full.display().to_string();
            let text = read_text(&full, &shown).map_err(|d| LoadError {
                diagnostics: vec![d],
                sources: Default::default(),
            })?;
            texts.push((shown, rel, text));
        }
        let files = texts
            .iter()
            .map(|(_, rel, text)| (rel.clone(), text.clone()))
            .collect();
        let rules = RuleSet::from_texts(texts, now)?;
        Ok(Loaded {
            rules,
            loaded_at: now,
            files,
        })
    }

    pub fn loaded_at(&self) -> String {
        format_instant(self.loaded_at)
    }
}

/// What a reload did.
#[derive(Debug, PartialEq, Eq)]
pub enum Reloaded {
    /// A rule set with another fingerprint now serves.
    Swapped(String),
    /// The files hold the rule set already serving.
    Unchanged,
}

/// The rule set the service decides with, and the last reload's failure.
pub struct LiveRules {
    path: PathBuf,
    current: ArcSwap<Loaded>,
    reload_error: ArcSwapOption<String>,
    /// One reload at a time: two racing reloads could otherwise swap in the older files last.
    reloading: Mutex<()>,
}

impl LiveRules {
    pub fn load(path: &Path) -> Result<LiveRules, LoadError> {
        let loaded = Loaded::read(path)?;
        Ok(LiveRules {
            path: path.to_path_buf(),
            current: ArcSwap::from_pointee(loaded),
            reload_error: ArcSwapOption::empty(),
            reloading: Mutex::new(()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rule set serving now; hold it for the whole request.
    pub fn current(&self) -> Arc<Loaded> {
        self.current.load_full()
    }

    /// Why the last reload was refused; `None` once a reload succeeds.
    pub fn reload_error(&self) -> Option<Arc<String>> {
        self.reload_error.load_full()
    }

    /// Loads the files again; on success swaps the new rule set in, on failure keeps the one
    /// serving and remembers why. Blocking: call it off the request threads.
    pub fn reload(&self) -> Result<Reloaded, String> {
        let _one = self.reloading.lock().unwrap_or_else(|e| e.into_inner());
        match Loaded::read(&self.path) {
            Ok(loaded) => {
                self.reload_error.store(None);
                if loaded.rules.fingerprint == self.current.load().rules.fingerprint {
                    return Ok(Reloaded::Unchanged);
                }
                let fingerprint = loaded.rules.fingerprint.clone();
                self.current.store(Arc::new(loaded));
                Ok(Reloaded::Swapped(fingerprint))
            }
            Err(e) => {
                let message = e.render().trim_end().to_string();
                self.reload_error.store(Some(Arc::new(message.clone())));
                Err(message)
            }
        }
    }
}
