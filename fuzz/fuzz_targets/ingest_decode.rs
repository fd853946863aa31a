//! Decoding a file's bytes: valid UTF-8 (after a BOM) is kept as is; NUL bytes mean binary;
//! other invalid UTF-8 is decoded lossily with a warning, or is binary — nothing else.
#![no_main]

use attache::SkipReason;
use attache::ingest::decode;
use attache_fuzz::REL;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let bytes = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let result = decode(REL, data);
    if bytes.contains(&0) {
        assert_eq!(result, Err(SkipReason::Binary), "NUL bytes must mean binary");
        return;
    }
    match (std::str::from_utf8(bytes), result) {
        (Ok(valid), Ok((text, warning))) => {
            assert_eq!(text, valid, "valid UTF-8 changed");
            assert_eq!(warning, None, "a warning for valid UTF-8");
        }
        (Ok(_), Err(reason)) => panic!("valid UTF-8 without NUL rejected: {reason}"),
        (Err(_), Ok((text, warning))) => {
            assert_eq!(text, String::from_utf8_lossy(bytes), "lossy decoding differs");
            let warning = warning.expect("lossy decoding without a warning");
            assert_eq!(warning.path, REL);
            let replaced = text.chars().filter(|&c| c == char::REPLACEMENT_CHARACTER).count();
            assert!(replaced > 0 && replaced * 100 <= text.chars().count(), "{replaced} replacements kept as text");
        }
        (Err(_), Err(reason)) => assert_eq!(reason, SkipReason::Binary, "invalid UTF-8 rejected for {reason}"),
    }
});
