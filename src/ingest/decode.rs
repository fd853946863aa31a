//! From a file's bytes to text, in whatever encoding it was saved.
//!
//! In order: a byte-order mark decides (UTF-8, UTF-16 LE/BE); BOM-less UTF-16 is recognised
//! by its pattern of zero bytes (ASCII text saved as UTF-16 has a zero in every other byte);
//! then binary files are set apart by content — NUL bytes, a known magic number, or control
//! bytes that text does not hold; valid UTF-8 is kept as is; UTF-8 with a few broken
//! sequences among real multi-byte characters is decoded lossily with a warning; anything else
//! is handed to chardetng, which guesses the legacy encoding (windows-1252 for Latin-1 files,
//! KOI8-R, windows-1251, Shift_JIS, …) and encoding_rs decodes it. The encoding used is told
//! back in [`Decoded::encoding`] whenever it is not plain UTF-8, so the index report can say
//! which files were read how.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use serde::Serialize;

use super::{SkipReason, Warning};

/// A file's text and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// The encoding the file was read as, when it is not UTF-8 (`"windows-1252"`, `"UTF-16LE"`,
    /// `"KOI8-R"`, as encoding_rs names them).
    pub encoding: Option<&'static str>,
    /// Something odd about the bytes (invalid sequences replaced).
    pub warning: Option<Warning>,
}

/// A file that was read in an encoding other than UTF-8, for the index report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEncoding {
    /// Path relative to the corpus root.
    pub path: String,
    /// The encoding it was read as (`"windows-1252"`, `"UTF-16LE"`, `"KOI8-R"` …).
    pub encoding: String,
}

/// Bytes looked at for the UTF-16 pattern and the control-byte share.
const SNIFF_BYTES: usize = 8192;

/// Share of control bytes (other than tab, newline, carriage return, form feed, escape) above
/// which a file is binary.
const MAX_CONTROL_SHARE: f64 = 0.01;

/// Magic numbers of common binary formats that can pass as text in their first bytes.
const MAGIC: &[&[u8]] = &[
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"\xd0\xcf\x11\xe0",
    b"\x1f\x8b",
    b"BZh",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x7fELF",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"fLaC",
    b"wOFF",
    b"\x00\x00\x01\x00",
    b"{\\rtf",
];

/// Decodes `bytes`, read from the file `rel`, into text (see the module docs).
pub fn decode(rel: &str, bytes: &[u8]) -> Result<Decoded, SkipReason> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        return if encoding == UTF_8 { decode_utf8(rel, body) } else { decode_utf16(rel, encoding, body) };
    }
    if let Some(encoding) = utf16_by_pattern(bytes) {
        return decode_utf16(rel, encoding, bytes);
    }
    decode_utf8(rel, bytes)
}

/// Decodes `bytes` in the encoding a web page or feed declares (`charset=…`), when it names
/// one encoding_rs knows and the bytes have no BOM; otherwise as [`decode`] does.
pub fn decode_declared(rel: &str, bytes: &[u8], label: Option<&[u8]>) -> Result<Decoded, SkipReason> {
    let declared = label.and_then(Encoding::for_label).filter(|e| *e != UTF_16LE && *e != UTF_16BE);
    match declared {
        Some(encoding) if Encoding::for_bom(bytes).is_none() && encoding != UTF_8 => {
            if is_binary(bytes) {
                return Err(SkipReason::Binary);
            }
            // A page declared as Latin-1 but written in UTF-8 (common) is UTF-8.
            if std::str::from_utf8(bytes).is_ok() {
                return decode_utf8(rel, bytes);
            }
            let (text, _, _) = encoding.decode(bytes);
            Ok(Decoded { text: text.into_owned(), encoding: Some(encoding.name()), warning: None })
        }
        _ => decode(rel, bytes),
    }
}

/// UTF-8, or the legacy encoding chardetng guesses.
fn decode_utf8(rel: &str, bytes: &[u8]) -> Result<Decoded, SkipReason> {
    if is_binary(bytes) {
        return Err(SkipReason::Binary);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded { text: text.to_string(), encoding: None, warning: None });
    }
    let (valid_multibyte, invalid) = utf8_evidence(bytes);
    if valid_multibyte > 0 && invalid * 2 <= valid_multibyte {
        // Real UTF-8 with a few broken sequences (a truncated copy, a stray byte).
        let text = String::from_utf8_lossy(bytes).into_owned();
        let message = format!("not valid UTF-8: {invalid} invalid byte sequence(s) replaced with U+FFFD");
        return Ok(Decoded { text, encoding: None, warning: Some(Warning { path: rel.to_string(), message }) });
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    let text = strip_nul(text);
    Ok(Decoded { text, encoding: Some(encoding.name()), warning: None })
}

/// UTF-16 in the given byte order: binary when the text holds control characters.
fn decode_utf16(rel: &str, encoding: &'static Encoding, bytes: &[u8]) -> Result<Decoded, SkipReason> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    let total = text.chars().count().max(1);
    let controls = text.chars().filter(|&c| is_bad_control(c)).count();
    let replaced = text.chars().filter(|&c| c == char::REPLACEMENT_CHARACTER).count();
    if controls as f64 / total as f64 > MAX_CONTROL_SHARE || replaced * 10 > total {
        return Err(SkipReason::Binary);
    }
    let warning = had_errors.then(|| Warning {
        path: rel.to_string(),
        message: format!("not valid {}: {replaced} invalid sequence(s) replaced with U+FFFD", encoding.name()),
    });
    Ok(Decoded { text: strip_nul(text), encoding: Some(encoding.name()), warning })
}

fn strip_nul(text: Cow<'_, str>) -> String {
    if text.contains('\0') { text.replace('\0', "") } else { text.into_owned() }
}

fn is_bad_control(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1b')) || c == '\x7f'
}

/// Whether bytes that are not UTF-16 are binary: a NUL byte, a known magic number, or more
/// control bytes than text holds.
pub fn is_binary(bytes: &[u8]) -> bool {
    if MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return true;
    }
    if bytes.contains(&0) {
        return true;
    }
    let head = bytes.get(..SNIFF_BYTES).unwrap_or(bytes);
    let controls = head.iter().filter(|&&b| is_bad_control(char::from(b))).count();
    controls as f64 / head.len().max(1) as f64 > MAX_CONTROL_SHARE
}

/// UTF-16 without a BOM: in the first bytes, most code units have one zero byte on the same
/// side (the ASCII characters of the text: spaces, digits, punctuation, Latin letters), none
/// on the other side, and few are all zero.
fn utf16_by_pattern(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes.get(..SNIFF_BYTES).unwrap_or(bytes);
    let units = head.len() / 2;
    if units < 2 {
        return None;
    }
    let (mut zero_first, mut zero_second, mut both) = (0usize, 0usize, 0usize);
    for pair in head.chunks_exact(2) {
        match (pair[0] == 0, pair[1] == 0) {
            (true, true) => both += 1,
            (true, false) => zero_first += 1,
            (false, true) => zero_second += 1,
            (false, false) => {}
        }
    }
    // A tenth of the units ASCII is enough for Cyrillic or Greek text (its spaces and
    // punctuation) once there is some text; a few bytes need more evidence. The other side
    // must be clean, and NUL characters rare.
    let enough = |n: usize| if units >= 16 { n * 10 >= units } else { n * 5 >= units * 2 };
    let clean = |n: usize| n * 50 <= units;
    if enough(zero_second) && clean(zero_first) && clean(both) {
        Some(UTF_16LE)
    } else if enough(zero_first) && clean(zero_second) && clean(both) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Valid multi-byte UTF-8 sequences and invalid ones in `bytes`.
fn utf8_evidence(bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    (valid, invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRENCH: &str = "Le président français a reçu à l'Élysée le ministre des affaires étrangères.";
    const RUSSIAN: &str = "Президент России Владимир Путин провёл переговоры с премьер-министром Индии в Москве.";

    fn encode(text: &str, encoding: &'static Encoding) -> Vec<u8> {
        encoding.encode(text).0.into_owned()
    }

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        text.encode_utf16().flat_map(|u| if little { u.to_le_bytes() } else { u.to_be_bytes() }).collect()
    }

    #[test]
    fn utf8_is_kept_and_its_bom_dropped() {
        let d = decode("a", "\u{feff}Élysée".as_bytes()).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("Élysée", None));
    }

    #[test]
    fn latin1_is_read_as_windows_1252() {
        let d = decode("a", &encode(FRENCH, encoding_rs::WINDOWS_1252)).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (FRENCH, Some("windows-1252")));
    }

    #[test]
    fn russian_legacy_encodings_are_detected() {
        // chardetng names KOI8-R text KOI8-U, its superset: the text is the same.
        for (encoding, name) in [(encoding_rs::KOI8_R, "KOI8-U"), (encoding_rs::WINDOWS_1251, "windows-1251")] {
            let d = decode("a", &encode(&format!("{RUSSIAN} {RUSSIAN}"), encoding)).unwrap();
            assert_eq!(d.encoding, Some(name));
            assert!(d.text.starts_with(RUSSIAN), "{}", d.text);
        }
    }

    #[test]
    fn utf16_with_and_without_bom() {
        for little in [true, false] {
            for text in [FRENCH, RUSSIAN] {
                let plain = utf16(text, little);
                let mut bom = if little { vec![0xff, 0xfe] } else { vec![0xfe, 0xff] };
                bom.extend(&plain);
                for bytes in [bom, plain] {
                    let d = decode("a", &bytes).unwrap();
                    assert_eq!(d.text, text);
                    assert_eq!(d.encoding, Some(if little { "UTF-16LE" } else { "UTF-16BE" }));
                }
            }
        }
    }

    #[test]
    fn binary_by_content() {
        assert_eq!(decode("a", b"abc\0def").unwrap_err(), SkipReason::Binary);
        assert_eq!(decode("a", b"abc\0\x01\x02").unwrap_err(), SkipReason::Binary);
        assert_eq!(decode("a", b"%PDF-1.4 hello").unwrap_err(), SkipReason::Binary);
        assert_eq!(decode("a", b"\x89PNG\r\n\x1a\n").unwrap_err(), SkipReason::Binary);
        let controls: Vec<u8> = (0..200u8).map(|i| if i % 5 == 0 { 2 } else { b'a' }).collect();
        assert_eq!(decode("a", &controls).unwrap_err(), SkipReason::Binary);
        // UTF-16 of control characters is binary too.
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend(utf16("\u{1}\u{2}\u{3}abc", true));
        assert_eq!(decode("a", &bytes).unwrap_err(), SkipReason::Binary);
    }

    #[test]
    fn a_few_bad_bytes_in_utf8_decode_lossily_with_a_warning() {
        let mut bytes = "Le président a reçu le ministre à l'Élysée. ".repeat(3).into_bytes();
        bytes.push(0xe9);
        let d = decode("a.txt", &bytes).unwrap();
        assert!(d.text.ends_with('\u{fffd}'));
        assert_eq!(d.encoding, None);
        assert!(d.warning.unwrap().message.contains("1 invalid"));
    }

    #[test]
    fn a_declared_charset_is_used() {
        let bytes = encode(FRENCH, encoding_rs::WINDOWS_1252);
        let d = decode_declared("a", &bytes, Some(b"iso-8859-1")).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (FRENCH, Some("windows-1252")));
        // Declared Latin-1, written UTF-8: UTF-8 wins.
        let d = decode_declared("a", FRENCH.as_bytes(), Some(b"iso-8859-1")).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), (FRENCH, None));
    }
}
