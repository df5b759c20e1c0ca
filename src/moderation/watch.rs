//! Hot reload of `knowledge/` when someone edits the files by hand while the bot runs.
//!
//! It exists so a maintainer's fix (or a `git pull`) is served without a restart, and so a broken
//! hand edit never takes the bot down: the new fact base is loaded and validated first, and only
//! a good one replaces the serving engine; a broken one is logged with its `path:line` problems
//! while the last good engine keeps answering. Events are debounced, so an editor's save (or a
//! checkout touching many files) reloads once.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use notify_debouncer_mini::notify::{self, RecursiveMode};
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, DebouncedEvent, Debouncer};

use crate::engine::Engine;
use crate::knowledge::LoadError;

use super::edit::Moderation;

/// How long the folder must be quiet before a reload.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(300);

#[derive(Debug, thiserror::Error)]
#[error("could not watch {}: {source}", dir.display())]
pub struct WatchError {
    pub dir: PathBuf,
    pub source: notify::Error,
}

/// Loads the fact base in `dir` and swaps it in if it is valid; otherwise logs every problem and
/// leaves the serving engine alone. (The plain version of what the watcher does, for callers
/// without a [`Moderation`].)
pub fn reload(dir: &Path, engine: &ArcSwap<Engine>) -> Result<(), LoadError> {
    match Engine::load(dir) {
        Ok(e) => {
            engine.store(Arc::new(e));
            tracing::info!(dir = %dir.display(), "fact base reloaded");
            Ok(())
        }
        Err(e) => {
            for p in &e.problems {
                tracing::error!("{p}");
            }
            tracing::error!(
                dir = %dir.display(),
                "hand edit rejected: still serving the last good fact base"
            );
            Err(e)
        }
    }
}

/// Whether an event is about a file the fact base is made of (not a temporary file of ours or an
/// editor's swap file).
fn relevant(event: &DebouncedEvent) -> bool {
    let name = event
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    !name.starts_with('.') && (name.ends_with(".toml") || event.path.is_dir())
}

/// A running watch; dropping it stops watching.
pub struct KnowledgeWatcher {
    _debouncer: Debouncer<notify::RecommendedWatcher>,
}

impl std::fmt::Debug for KnowledgeWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KnowledgeWatcher")
    }
}

/// Calls `on_change` (on the watcher's thread) after `dir` changed and was quiet for `debounce`.
pub fn watch_dir(
    dir: &Path,
    debounce: Duration,
    on_change: impl Fn() + Send + 'static,
) -> Result<KnowledgeWatcher, WatchError> {
    let err = |source| WatchError {
        dir: dir.to_path_buf(),
        source,
    };
    let mut debouncer = new_debouncer(debounce, move |res: DebounceEventResult| match res {
        Ok(events) if events.iter().any(relevant) => on_change(),
        Ok(_) => {}
        Err(e) => tracing::warn!("file watching: {e}"),
    })
    .map_err(err)?;
    debouncer
        .watcher()
        .watch(dir, RecursiveMode::Recursive)
        .map_err(err)?;
    Ok(KnowledgeWatcher {
        _debouncer: debouncer,
    })
}

/// Watches the moderation back end's `knowledge/` folder and reloads through it, so a reload
/// never interleaves with a moderator's change and the bot's own writes are not reloaded twice.
pub fn watch(
    moderation: Arc<Moderation>,
    debounce: Duration,
) -> Result<KnowledgeWatcher, WatchError> {
    let dir = moderation.store().root().to_path_buf();
    watch_dir(&dir, debounce, move || {
        // Problems are logged inside; the last good engine keeps serving.
        let _ = moderation.reload_from_disk();
    })
}

/// Watches `dir` and swaps `engine` on each valid change (no moderation back end).
pub fn watch_engine(
    dir: &Path,
    engine: Arc<ArcSwap<Engine>>,
    debounce: Duration,
) -> Result<KnowledgeWatcher, WatchError> {
    let owned = dir.to_path_buf();
    watch_dir(dir, debounce, move || {
        let _ = reload(&owned, &engine);
    })
}
