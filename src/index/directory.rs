//! The directory an index on disk is read and written through: tantivy's memory-mapped one,
//! except for whole-store reads.
//!
//! A merge whose inputs have no deletes copies each input's document store whole (tantivy's
//! `StoreWriter::stack` reads the store's data in one piece). Through the memory map, every
//! page of every input store then stays resident in the indexing process until the merge
//! ends and the inputs are let go: most of the mapped pages at the peak of indexing 100k
//! reports were such stores, and at 1M the peak went from 1,092 MiB to 755–856 MiB without
//! them (BENCHMARKS.md). Here a read of a document store of at least
//! [`READ_ABOVE`] bytes is a plain read into memory instead, freed as soon as it is copied, so
//! a merge holds one input store at a time. Every other read, the blocks of a few documents
//! that searches read included, still goes through the map.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};

/// Reads of a document store this large or larger bypass the memory map. A store's blocks are
/// a few KiB, so only whole-store reads come near it.
const READ_ABOVE: usize = 1 << 20;

/// See the module docs.
#[derive(Debug, Clone)]
pub(crate) struct IndexDirectory {
    mapped: MmapDirectory,
    root: PathBuf,
}

impl IndexDirectory {
    /// The directory at `root`, which must exist.
    pub(crate) fn open(root: &Path) -> Result<IndexDirectory, OpenDirectoryError> {
        Ok(IndexDirectory { mapped: MmapDirectory::open(root)?, root: root.to_path_buf() })
    }
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let mapped = self.mapped.get_file_handle(path)?;
        if path.extension().is_some_and(|e| e == "store") && cfg!(unix) {
            return Ok(Arc::new(StoreFile { mapped, path: self.root.join(path) }));
        }
        Ok(mapped)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(callback)
    }
}

/// A document store: mapped, and read from the file for large ranges.
#[derive(Debug)]
struct StoreFile {
    mapped: Arc<dyn FileHandle>,
    path: PathBuf,
}

impl HasLen for StoreFile {
    fn len(&self) -> usize {
        self.mapped.len()
    }
}

impl FileHandle for StoreFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.len() < READ_ABOVE {
            return self.mapped.read_bytes(range);
        }
        // Should the file be gone or unreadable, the map still holds its pages.
        read_range(&self.path, range.clone()).or_else(|_| self.mapped.read_bytes(range))
    }
}

/// Reads `range` of the file at `path` into memory.
#[cfg(unix)]
fn read_range(path: &Path, range: Range<usize>) -> io::Result<OwnedBytes> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path)?;
    let mut bytes = vec![0; range.len()];
    file.read_exact_at(&mut bytes, range.start as u64)?;
    Ok(OwnedBytes::new(bytes))
}

#[cfg(not(unix))]
fn read_range(_path: &Path, _range: Range<usize>) -> io::Result<OwnedBytes> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_reads_the_same_bytes_through_the_map_and_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let directory = IndexDirectory::open(dir.path()).unwrap();
        let content: Vec<u8> = (0..3 * READ_ABOVE).map(|i| (i % 251) as u8).collect();
        for name in ["a.store", "a.idx"] {
            directory.atomic_write(Path::new(name), &content).unwrap();
            let handle = directory.get_file_handle(Path::new(name)).unwrap();
            assert_eq!(handle.len(), content.len());
            for range in [0..10, 5..READ_ABOVE + 5, READ_ABOVE..3 * READ_ABOVE, 0..3 * READ_ABOVE] {
                let read = handle.read_bytes(range.clone()).unwrap();
                assert_eq!(read.as_slice(), &content[range], "{name}");
            }
        }
    }

    /// A merge of segments without deletes copies their stores whole: the path the plain
    /// reads serve.
    #[test]
    fn documents_read_the_same_after_a_merge_copies_their_stores() {
        use tantivy::schema::{STORED, Schema, Value};
        use tantivy::{IndexWriter, TantivyDocument, doc};
        let dir = tempfile::tempdir().unwrap();
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", STORED);
        let index = tantivy::Index::create(
            IndexDirectory::open(dir.path()).unwrap(),
            schema.build(),
            tantivy::IndexSettings::default(),
        )
        .unwrap();
        // Letters lz4 cannot squeeze much: each segment's store is well over `READ_ABOVE`.
        let mut seed = 7u64;
        let mut texts = Vec::new();
        for _ in 0..2 * 120 {
            let doc: String =
                (0..16_000).map(|_| char::from(b'a' + (crate::hash::next_random(&mut seed) % 26) as u8)).collect();
            texts.push(doc);
        }
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for half in texts.chunks(120) {
            for t in half {
                writer.add_document(doc!(text => t.as_str())).unwrap();
            }
            writer.commit().unwrap();
        }
        let segments = index.searchable_segment_ids().unwrap();
        assert_eq!(segments.len(), 2);
        writer.merge(&segments).wait().unwrap();
        writer.wait_merging_threads().unwrap();
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let store = searcher.segment_reader(0).get_store_reader(0).unwrap();
        let mut read: Vec<String> = (0..texts.len() as u32)
            .map(|d| {
                let doc: TantivyDocument = store.get(d).unwrap();
                doc.get_first(text).and_then(|v| v.as_str()).unwrap().to_string()
            })
            .collect();
        // The merge stacks the segments in its own order.
        read.sort();
        texts.sort();
        assert_eq!(read, texts);
    }
}
