//! Test helpers: [`TempCorpus`], a unique temporary directory to write reports into, with
//! its own index and cache directories, and a clean `attache` command for CLI tests.

use std::path::{Path, PathBuf};

use attache::{Index, IndexSchema, IndexSummary, SyncOptions};

pub struct TempCorpus {
    dir: tempfile::TempDir,
}

impl TempCorpus {
    pub fn new() -> TempCorpus {
        let dir = tempfile::Builder::new().prefix("attache-test-").tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("corpus")).expect("corpus dir");
        TempCorpus { dir }
    }

    /// The corpus directory (reports go here).
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    /// Where an explicit index goes.
    pub fn index_path(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Writes a report (creating parent directories).
    pub fn write(&self, name: &str, text: &str) -> &Self {
        self.write_bytes(name, text.as_bytes())
    }

    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> &Self {
        let path = self.root().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
        self
    }

    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.root().join(name)).expect("remove");
    }

    /// Opens (or creates) the explicit index and syncs the corpus into it, committing.
    pub fn sync(&self) -> (Index, IndexSummary) {
        let index = Index::open_or_create(&self.index_path(), IndexSchema::embedded().expect("schema")).expect("open");
        let summary = sync_into(&index, &self.root());
        (index, summary)
    }

    /// `attache` with a cleared environment and a private cache directory.
    #[cfg(feature = "cli")]
    pub fn attache(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_attache"));
        cmd.env_clear().env("ATTACHE_CACHE_DIR", self.dir.path().join("cache")).current_dir(self.dir.path());
        cmd
    }
}

pub fn sync_into(index: &Index, root: &Path) -> IndexSummary {
    let mut indexer = index.indexer().expect("indexer");
    let summary = indexer.sync_dir(root, &SyncOptions::default(), &mut |_| {}).expect("sync");
    indexer.commit().expect("commit");
    summary
}

/// The ids of hits, in order.
pub fn ids(results: &attache::SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.id.as_str()).collect()
}

/// The highlighted words of every passage of a hit, in order.
pub fn lit(hit: &attache::Hit) -> Vec<&str> {
    hit.passages
        .iter()
        .flat_map(|p| p.highlights.iter().map(move |h| &p.text[h.start - p.start..h.end - p.start]))
        .collect()
}
