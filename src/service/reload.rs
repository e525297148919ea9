//! Reloading the rule set when its files change (notify) or on SIGHUP: load, check and
//! compile off the request threads, then swap at once; a broken rule set keeps the old one
//! serving and shows in `/v1/health`.

use notify::{EventKind, RecursiveMode, Watcher};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

use super::AppState;
use super::live::Reloaded;

/// Editors write a file in several steps: wait this long after the first change so one
/// save is one reload.
const SETTLE: Duration = Duration::from_millis(150);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trigger {
    Files,
    Hangup,
}

/// Watches the rule files and SIGHUP until the returned watcher is dropped.
pub fn start(state: AppState, log: Arc<dyn Fn(String) + Send + Sync>) -> Result<impl Drop, String> {
    let (tx, rx) = mpsc::unbounded_channel();
    let files = tx.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading the files (as a reload does) is not a change.
        if let Ok(event) = event
            && !matches!(event.kind, EventKind::Access(_))
        {
            let _ = files.send(Trigger::Files);
        }
    })
    .map_err(|e| format!("cannot watch the rule files: {e}"))?;
    let path = state.rules.path().to_path_buf();
    let (watched, mode) = if path.is_dir() {
        (path.clone(), RecursiveMode::Recursive)
    } else {
        // A single file is replaced, not rewritten, by many editors: watch its folder.
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        (parent.to_path_buf(), RecursiveMode::NonRecursive)
    };
    watcher
        .watch(&watched, mode)
        .map_err(|e| format!("cannot watch `{}`: {e}", watched.display()))?;
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangup =
            signal(SignalKind::hangup()).map_err(|e| format!("cannot handle SIGHUP: {e}"))?;
        tokio::spawn(async move {
            while hangup.recv().await.is_some() {
                if tx.send(Trigger::Hangup).is_err() {
                    break;
                }
            }
        });
    }
    tokio::spawn(reloads(state, rx, log));
    Ok(watcher)
}

async fn reloads(
    state: AppState,
    mut rx: mpsc::UnboundedReceiver<Trigger>,
    log: Arc<dyn Fn(String) + Send + Sync>,
) {
    while let Some(first) = rx.recv().await {
        tokio::time::sleep(SETTLE).await;
        let mut hangup = first == Trigger::Hangup;
        while let Ok(more) = rx.try_recv() {
            hangup |= more == Trigger::Hangup;
        }
        let live = state.clone();
        let Ok((result, kept)) = tokio::task::spawn_blocking(move || {
            let result = live.rules.reload();
            let kept = match &result {
                Ok(Reloaded::Swapped(_)) => live.rules_loaded(&live.rules.current()),
                _ => Ok(()),
            };
            (result, kept)
        })
        .await
        else {
            continue;
        };
        if let Err(message) = kept {
            log(format!("honor serve: {message}"));
        }
        let outcome = match &result {
            Ok(Reloaded::Swapped(_)) => "swapped",
            Ok(Reloaded::Unchanged) => "unchanged",
            Err(_) => "refused",
        };
        state.metrics.reloads.with_label_values(&[outcome]).inc();
        match result {
            Ok(Reloaded::Swapped(fingerprint)) => {
                let loaded = state.rules.current();
                log(format!(
                    "honor serve: reloaded the rules: {fingerprint} ({} offers)",
                    loaded.rules.model.offers.len()
                ));
            }
            Ok(Reloaded::Unchanged) if hangup => log(format!(
                "honor serve: SIGHUP: the rules are unchanged ({})",
                state.rules.current().rules.fingerprint
            )),
            Ok(Reloaded::Unchanged) => {}
            Err(message) => log(format!(
                "honor serve: the new rules do not load; still serving {}:\n{message}",
                state.rules.current().rules.fingerprint
            )),
        }
    }
}
