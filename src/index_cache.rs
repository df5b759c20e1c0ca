//! Built indexes kept on disk between runs, so that `strikefacts ask` on an unchanged fact base
//! does not analyse every text of every fact again: at 10,000 facts building the index is most
//! of a load.
//!
//! An index is stored under a key made of the digest of every file the load read and the digest
//! of the program's own source: a changed fact, lexicon or setting, or another version of the
//! program, finds no stored index and builds (and stores) its own. A stored index that cannot be
//! read back whole is ignored. Nothing here is needed for answers to be right: any failure to
//! read or write the cache only costs the time of a build.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::knowledge::{ContentDigest, KnowledgeBase, LoadError};
use crate::{Engine, Matcher};

/// The digest of the program's source (see `build.rs`).
const PROGRAM_DIGEST: &str = env!("STRIKEFACTS_PROGRAM_DIGEST");
/// How many stored indexes a cache folder keeps (the most recently used): a few fact bases, or
/// versions of one, without the folder growing with every edit.
const KEEP: usize = 8;

/// A folder of stored indexes.
#[derive(Debug, Clone)]
pub struct IndexCache {
    dir: PathBuf,
}

impl IndexCache {
    pub fn new(dir: impl Into<PathBuf>) -> IndexCache {
        IndexCache { dir: dir.into() }
    }

    /// The engine of the fact base in `knowledge`, as [`Engine::load`] makes it, with the index
    /// read from this cache when one is stored for exactly these files, else built and stored.
    pub fn load(&self, knowledge: &Path) -> Result<Engine, LoadError> {
        let (kb, digest) = KnowledgeBase::load_digested(knowledge)?;
        let path = self.path_of(&digest);
        if let Some(matcher) = self.read(&path, &kb) {
            return Ok(Engine::with_index(kb, matcher));
        }
        let engine = Engine::new(kb);
        self.store(&path, engine.matcher());
        Ok(engine)
    }

    /// Where the index of the files with `digest` is stored.
    fn path_of(&self, digest: &ContentDigest) -> PathBuf {
        let mut key = Sha256::new();
        key.update(PROGRAM_DIGEST.as_bytes());
        key.update(digest);
        let hex: String = key.finalize().iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("index-{hex}.bin"))
    }

    fn read(&self, path: &Path, kb: &KnowledgeBase) -> Option<Matcher> {
        let bytes = fs::read(path).ok()?;
        let matcher = Matcher::from_bytes(&bytes, kb);
        match &matcher {
            // Marked as used, so that pruning keeps it.
            Some(_) => {
                let _ = fs::File::options()
                    .write(true)
                    .open(path)
                    .and_then(|f| f.set_modified(SystemTime::now()));
            }
            None => tracing::warn!(path = %path.display(), "ignoring a damaged stored index"),
        }
        matcher
    }

    /// Stores an index (whole or not at all: written aside, then renamed), then prunes.
    fn store(&self, path: &Path, matcher: &Matcher) {
        let written = (|| -> Result<(), Box<dyn std::error::Error>> {
            let bytes = matcher.to_bytes()?;
            fs::create_dir_all(&self.dir)?;
            let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
            std::io::Write::write_all(&mut file, &bytes)?;
            file.persist(path)?;
            Ok(())
        })();
        match written {
            Ok(()) => self.prune(),
            Err(e) => tracing::warn!(dir = %self.dir.display(), "cannot store the index: {e}"),
        }
    }

    /// Removes all but the [`KEEP`] most recently used stored indexes.
    fn prune(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut stored: Vec<(SystemTime, PathBuf)> = entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with("index-") && name.ends_with(".bin")
            })
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        stored.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
        for (_, path) in stored.into_iter().skip(KEEP) {
            let _ = fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_folder_keeps_only_the_most_recently_used_indexes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = IndexCache::new(dir.path());
        let old = SystemTime::now() - Duration::from_secs(3600);
        for i in 0..KEEP + 3 {
            let path = dir.path().join(format!("index-{i:02}.bin"));
            fs::write(&path, b"stored").expect("write");
            let file = fs::File::options().write(true).open(&path).expect("open");
            file.set_modified(old + Duration::from_secs(i as u64))
                .expect("set time");
        }
        fs::write(dir.path().join("notes.txt"), b"not an index").expect("write");
        cache.prune();
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut want: Vec<String> = (3..KEEP + 3).map(|i| format!("index-{i:02}.bin")).collect();
        want.push("notes.txt".to_string());
        assert_eq!(left, want);
    }
}
