//! Decoding a file's bytes in any encoding: valid UTF-8 without a BOM is kept as is and named
//! UTF-8; whatever is decoded holds no NUL and no replacement the warning does not count;
//! binary is told by content, so text with a NUL byte (outside UTF-16) is never read.
#![no_main]

use attache::SkipReason;
use attache::ingest::decode;
use attache_fuzz::REL;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let result = decode(REL, data);
    let utf16_bom = data.starts_with(b"\xff\xfe") || data.starts_with(b"\xfe\xff");
    match result {
        Ok(decoded) => {
            assert!(!decoded.text.contains('\0'), "a NUL in decoded text");
            if let Some(warning) = &decoded.warning {
                assert_eq!(warning.path, REL);
            }
            if let Ok(valid) = std::str::from_utf8(data) {
                if !valid.starts_with('\u{feff}') && !valid.contains('\0') && decoded.encoding.is_none() {
                    assert_eq!(decoded.text, valid, "valid UTF-8 changed");
                }
            }
            if decoded.encoding.is_none() && !utf16_bom {
                assert!(!data.contains(&0), "bytes with a NUL read as UTF-8");
            }
        }
        Err(reason) => assert_eq!(reason, SkipReason::Binary, "decoding failed for {reason}"),
    }
});
