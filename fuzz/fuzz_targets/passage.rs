//! Sentences and passage windows: byte ranges in bounds, on character boundaries, non-empty,
//! trimmed, sorted and disjoint; windows are runs of whole sentences; together they cover
//! every non-blank character of the body.
#![no_main]

use std::ops::Range;

use attache::search::passage::{MAX_PASSAGE_SENTENCES, sentences, windows};
use libfuzzer_sys::fuzz_target;

fn check_ranges(body: &str, ranges: &[Range<usize>], what: &str) {
    let mut after = 0;
    for r in ranges {
        assert!(
            after <= r.start && r.start < r.end && r.end <= body.len(),
            "{what} {r:?} after {after} in {}",
            body.len()
        );
        assert!(body.is_char_boundary(r.start) && body.is_char_boundary(r.end), "{what} {r:?} splits a character");
        let piece = &body[r.clone()];
        assert_eq!(piece, piece.trim(), "{what} {r:?} not trimmed");
        after = r.end;
    }
    // Nothing is lost: every non-blank character lies in some range.
    let mut i = 0;
    for (at, c) in body.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        while i < ranges.len() && ranges[i].end <= at {
            i += 1;
        }
        assert!(i < ranges.len() && ranges[i].start <= at, "{what}: {c:?} at byte {at} is in no range");
    }
}

fuzz_target!(|data: &[u8]| {
    // Two bytes choose the target passage length, the rest is the body.
    let (target, body) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (420, data),
    };
    let body = String::from_utf8_lossy(body);
    let sentences = sentences(&body);
    check_ranges(&body, &sentences, "sentence");
    let windows = windows(&body, target);
    check_ranges(&body, &windows, "window");
    for w in &windows {
        let first = sentences.iter().position(|s| s.start == w.start).expect("a window starts mid-sentence");
        let last = sentences.iter().position(|s| s.end == w.end).expect("a window ends mid-sentence");
        assert!(
            first <= last && last - first < MAX_PASSAGE_SENTENCES,
            "window {w:?} holds {} sentences",
            last + 1 - first
        );
    }
});
