//! `--records DIR`: every decision served appended to `DIR/decisions-YYYY-MM-DD.jsonl`, and
//! every rule set loaded kept once under `DIR/rulesets/<fingerprint>/`, so `honor replay`
//! can answer "what were we promising this customer that day?". Owner-only files: they
//! hold customers' data.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::live::Loaded;
use crate::tools::record::Record;

pub struct Records {
    dir: PathBuf,
    /// The day's file, open for appending; one writer at a time so lines never interleave.
    today: Mutex<Option<(String, File)>>,
    /// With the start instant and the process id, makes each record's id unique.
    counter: AtomicU64,
    started: String,
}

#[cfg(unix)]
fn owner_only_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn owner_only_dir(path: &Path) -> std::io::Result<()> {
    fs::create_dir_all(path)
}

fn owner_only_file(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

impl Records {
    /// Opens (creating) the records folder.
    pub fn open(dir: &Path) -> Result<Records, String> {
        owner_only_dir(&dir.join("rulesets"))
            .and_then(|()| owner_only_dir(dir))
            .map_err(|e| format!("cannot use `{}` for records: {e}", dir.display()))?;
        Ok(Records {
            dir: dir.to_path_buf(),
            today: Mutex::new(None),
            counter: AtomicU64::new(0),
            started: format!(
                "{}-{}",
                Utc::now().timestamp_nanos_opt().unwrap_or(0),
                std::process::id()
            ),
        })
    }

    /// A new record id: 16 hex digits, unique across restarts and processes.
    pub fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let digest = Sha256::digest(format!("{}-{n}", self.started).as_bytes());
        digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }

    /// Appends one record to the file of the day it was received.
    pub fn append(&self, record: &Record, received: DateTime<Utc>) -> Result<(), String> {
        let mut line = serde_json::to_string(record).map_err(|e| e.to_string())?;
        line.push('\n');
        let day = received.format("%Y-%m-%d").to_string();
        let mut today = self.today.lock().unwrap_or_else(|e| e.into_inner());
        if today.as_ref().is_none_or(|(open, _)| *open != day) {
            let path = self.dir.join(format!("decisions-{day}.jsonl"));
            // Records are appended to a file of the folder's own, never through a link or
            // into a pipe.
            if let Ok(meta) = fs::symlink_metadata(&path)
                && !meta.is_file()
            {
                return Err(format!(
                    "cannot write `{}`: it is not a regular file (a link, a folder or a pipe)",
                    path.display()
                ));
            }
            let file = owner_only_file(OpenOptions::new().create(true).append(true))
                .open(&path)
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
            *today = Some((day, file));
        }
        let Some((_, file)) = today.as_mut() else {
            return Ok(());
        };
        file.write_all(line.as_bytes())
            .map_err(|e| format!("cannot append a record: {e}"))
    }

    /// Keeps the files of a rule set under `rulesets/<fingerprint>/`, once: written in a
    /// temporary folder beside it, then renamed, so a kept rule set is always whole.
    pub fn keep_rules(&self, loaded: &Loaded) -> Result<(), String> {
        let fingerprint = &loaded.rules.fingerprint;
        let rulesets = self.dir.join("rulesets");
        let kept = rulesets.join(fingerprint);
        match fs::symlink_metadata(&kept) {
            Ok(meta) if meta.is_dir() => return Ok(()),
            Ok(_) => {
                return Err(format!(
                    "cannot keep the rule set {fingerprint}: `{}` is not a folder of its own",
                    kept.display()
                ));
            }
            Err(_) => {}
        }
        let temp = rulesets.join(format!(
            ".partial-{}-{}",
            fingerprint.replace(':', "-"),
            self.next_id()
        ));
        let fail = |e: std::io::Error| format!("cannot keep the rule set {fingerprint}: {e}");
        owner_only_dir(&temp).map_err(fail)?;
        for (rel, text) in &loaded.files {
            let path = temp.join(rel);
            if let Some(parent) = path.parent() {
                owner_only_dir(parent).map_err(fail)?;
            }
            let mut file = owner_only_file(OpenOptions::new().create_new(true).write(true))
                .open(&path)
                .map_err(fail)?;
            file.write_all(text.as_bytes()).map_err(fail)?;
            file.sync_all().map_err(fail)?;
        }
        match fs::rename(&temp, &kept) {
            Ok(()) => Ok(()),
            // Another process kept it first.
            Err(_) if kept.is_dir() => {
                let _ = fs::remove_dir_all(&temp);
                Ok(())
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&temp);
                Err(fail(e))
            }
        }
    }
}
