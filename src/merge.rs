//! How segments are merged while indexing: tantivy's log merge policy, with a ceiling on how
//! much one merge reads.
//!
//! A merge maps every input segment and reads each of its pages, and those pages count in
//! the indexing process's resident memory until the merge ends. tantivy's default policy keeps
//! merging ever larger segments (up to 10 million documents): indexing 1M generated reports,
//! one merge read several gigabytes and peak RSS reached 4.4 GiB. Leaving segments of half
//! the ceiling or more out of merges, and splitting a merge whose inputs add up to more than
//! the ceiling, bounds that memory whatever the corpus size, at the price of more segments
//! (each under the ceiling) for searches to visit.

use std::collections::HashMap;
use std::path::PathBuf;

use tantivy::index::{SegmentComponent, SegmentId, SegmentMeta};
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};

/// Most bytes one merge reads (the sum of its input segments' files).
pub(crate) const MAX_MERGE_BYTES: u64 = 256 << 20;

/// Bytes assumed per document when segment files cannot be measured (an index in RAM).
const BYTES_PER_DOC_GUESS: u64 = 4096;

/// tantivy's [`LogMergePolicy`], never reading more than `max_bytes` in one merge.
#[derive(Debug)]
pub(crate) struct CappedMergePolicy {
    log: LogMergePolicy,
    /// Where segment files are, to measure them; `None` for an index in RAM.
    dir: Option<PathBuf>,
    max_bytes: u64,
}

impl CappedMergePolicy {
    pub(crate) fn new(dir: Option<PathBuf>, max_bytes: u64) -> CappedMergePolicy {
        CappedMergePolicy { log: LogMergePolicy::default(), dir, max_bytes }
    }

    /// Size of a segment's files on disk, or an estimate from its documents.
    fn size(&self, meta: &SegmentMeta) -> u64 {
        let guess = u64::from(meta.max_doc()) * BYTES_PER_DOC_GUESS;
        let Some(dir) = &self.dir else { return guess };
        let mut total = 0;
        for component in [
            SegmentComponent::Postings,
            SegmentComponent::Positions,
            SegmentComponent::Terms,
            SegmentComponent::Store,
            SegmentComponent::FastFields,
            SegmentComponent::FieldNorms,
        ] {
            match std::fs::metadata(dir.join(meta.relative_path(component))) {
                Ok(m) => total += m.len(),
                // Optional files (deletes, absent fields) may not exist.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(_) => return guess,
            }
        }
        total
    }
}

impl MergePolicy for CappedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let sizes: HashMap<SegmentId, u64> = segments.iter().map(|m| (m.id(), self.size(m))).collect();
        let size = |id: &SegmentId| sizes.get(id).copied().unwrap_or(0);
        // A segment of half the ceiling or more is final: merging it with anything its size
        // would make a segment over the ceiling.
        let small: Vec<SegmentMeta> = segments.iter().filter(|m| size(&m.id()) < self.max_bytes / 2).cloned().collect();
        split(self.log.compute_merge_candidates(&small), &size, self.max_bytes)
    }
}

/// Splits each candidate into runs of at least two segments whose sizes add up to at most
/// `max_bytes`; a segment left alone waits for a later merge.
fn split(candidates: Vec<MergeCandidate>, size: &dyn Fn(&SegmentId) -> u64, max_bytes: u64) -> Vec<MergeCandidate> {
    let mut out = Vec::new();
    for MergeCandidate(ids) in candidates {
        let mut run: Vec<SegmentId> = Vec::new();
        let mut total = 0;
        for id in ids {
            let s = size(&id);
            if total + s > max_bytes && !run.is_empty() {
                if run.len() >= 2 {
                    out.push(MergeCandidate(std::mem::take(&mut run)));
                }
                run.clear();
                total = 0;
            }
            run.push(id);
            total += s;
        }
        if run.len() >= 2 {
            out.push(MergeCandidate(run));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<SegmentId> {
        (0..n).map(|_| SegmentId::generate_random()).collect()
    }

    #[test]
    fn merges_are_split_to_stay_under_the_ceiling() {
        let all = ids(10);
        let sizes: HashMap<SegmentId, u64> = all.iter().map(|id| (*id, 30)).collect();
        let size = |id: &SegmentId| sizes[id];
        let out = split(vec![MergeCandidate(all.clone())], &size, 100);
        // 10 segments of 30 bytes under a 100-byte ceiling: runs of 3, 3, 3 and one left over.
        let lens: Vec<usize> = out.iter().map(|c| c.0.len()).collect();
        assert_eq!(lens, [3, 3, 3]);
        for c in &out {
            assert!(c.0.iter().map(size).sum::<u64>() <= 100);
        }
    }

    #[test]
    fn a_lone_segment_is_never_a_merge() {
        let all = ids(3);
        let sizes: HashMap<SegmentId, u64> = [(all[0], 90), (all[1], 90), (all[2], 5)].into_iter().collect();
        let out = split(vec![MergeCandidate(all.clone())], &|id| sizes[id], 100);
        let lens: Vec<usize> = out.iter().map(|c| c.0.len()).collect();
        assert_eq!(lens, [2]);
        assert_eq!(out[0].0, [all[1], all[2]]);
    }
}

#[cfg(test)]
mod disk_tests {
    use tantivy::schema::{STORED, Schema, TEXT};
    use tantivy::{IndexWriter, TantivyDocument};

    use super::*;

    #[test]
    fn segment_sizes_are_read_from_disk() -> tantivy::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut builder = Schema::builder();
        let body = builder.add_text_field("body", TEXT | STORED);
        let index = tantivy::Index::create_in_dir(dir.path(), builder.build())?;
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for _ in 0..3 {
            for i in 0..200 {
                let mut doc = TantivyDocument::default();
                doc.add_text(body, format!("report number {i} about talks and sanctions"));
                writer.add_document(doc)?;
            }
            writer.commit()?;
        }
        let metas = index.searchable_segment_metas()?;
        let policy = CappedMergePolicy::new(Some(dir.path().to_path_buf()), MAX_MERGE_BYTES);
        for meta in &metas {
            let size = policy.size(meta);
            assert!(size > 1000 && size < 200 * BYTES_PER_DOC_GUESS, "{size}");
        }
        // Three segments far under the ceiling: nothing stops a merge, but the log policy
        // wants 8 of a level.
        assert!(policy.compute_merge_candidates(&metas).is_empty());
        let tiny = CappedMergePolicy::new(Some(dir.path().to_path_buf()), 10);
        assert!(tiny.compute_merge_candidates(&metas).is_empty());
        Ok(())
    }
}
