//! Config files are UTF-8 (a UTF-8 byte order mark is accepted and dropped). Anything else
//! is refused at the first bad byte, saying where it is, what the file looks like instead
//! (UTF-16, or a legacy 8-bit encoding) and how to re-save it.

use std::path::Path;

use crate::model::{Diagnostic, Span};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A file that is not UTF-8: what to show and where.
#[derive(Debug)]
pub(super) struct BadEncoding {
    /// The file's text up to and including the line of the first bad byte, with that byte
    /// shown as U+FFFD; the diagnostic's span points at it.
    pub shown: String,
    /// Offset of the first bad byte in `shown` (and in the file, after any BOM).
    pub offset: usize,
    /// Offset of the first bad byte in the file as stored.
    pub file_offset: usize,
    pub byte: u8,
    pub looks_like: LooksLike,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum LooksLike {
    /// UTF-16 with a byte order mark (`true`: little-endian).
    Utf16Bom { little_endian: bool },
    /// UTF-16 without a byte order mark: NUL bytes between characters.
    Utf16NoBom,
    /// Windows-1252, Latin-1 and the like.
    Legacy8Bit,
}

/// The text of a config file, or where and why it is not UTF-8.
pub(super) fn decode(mut bytes: Vec<u8>) -> Result<String, BadEncoding> {
    let bom = if bytes.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(BadEncoding {
            shown: "\u{FFFD}".into(),
            offset: 0,
            file_offset: 0,
            byte: bytes[0],
            looks_like: LooksLike::Utf16Bom {
                little_endian: bytes[0] == 0xFF,
            },
        });
    }
    bytes.drain(..bom);
    let (bytes, bad) = match String::from_utf8(bytes) {
        // NUL is valid UTF-8 but never in YAML; in a text file it means UTF-16.
        Ok(text) => match text.find('\0') {
            None => return Ok(text),
            Some(at) => (text.into_bytes(), at),
        },
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (e.into_bytes(), at)
        }
    };
    let looks_like = if bytes[bad] == 0 || nul_every_other_byte(&bytes) {
        LooksLike::Utf16NoBom
    } else {
        LooksLike::Legacy8Bit
    };
    // The valid text before the bad byte is shown as is; the rest of its line only when
    // it is 8-bit text (UTF-16 would show as noise).
    let mut shown = String::from_utf8_lossy(&bytes[..bad]).into_owned();
    shown.push('\u{FFFD}');
    if looks_like == LooksLike::Legacy8Bit {
        let rest = &bytes[bad + 1..];
        let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        shown.extend(
            String::from_utf8_lossy(&rest[..end])
                .chars()
                .map(|c| if c.is_control() { '\u{FFFD}' } else { c }),
        );
    }
    Err(BadEncoding {
        shown,
        offset: bad,
        file_offset: bad + bom,
        byte: bytes[bad],
        looks_like,
    })
}

/// Mostly-ASCII UTF-16 has a NUL in every other byte.
fn nul_every_other_byte(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(512)];
    let nuls = sample.iter().filter(|b| **b == 0).count();
    sample.len() >= 4 && nuls * 3 >= sample.len()
}

impl BadEncoding {
    /// The error, at the first bad byte of file `index`.
    pub(super) fn diagnostic(&self, path: &Path, index: usize) -> Diagnostic {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let (what, from) = match self.looks_like {
            LooksLike::Utf16Bom {
                little_endian: true,
            } => (
                "it is UTF-16 (little-endian: it starts with the byte order mark FF FE)",
                "UTF-16",
            ),
            LooksLike::Utf16Bom {
                little_endian: false,
            } => (
                "it is UTF-16 (big-endian: it starts with the byte order mark FE FF)",
                "UTF-16",
            ),
            LooksLike::Utf16NoBom => (
                "it looks like UTF-16 without a byte order mark (NUL bytes between characters)",
                "UTF-16LE",
            ),
            LooksLike::Legacy8Bit => (
                "it looks like a legacy 8-bit encoding such as Windows-1252 or ISO-8859-1 (Latin-1)",
                "WINDOWS-1252",
            ),
        };
        Diagnostic::error(
            format!(
                "{} is not UTF-8: byte 0x{:02X} at byte offset {} is not valid UTF-8; {what}",
                path.display(),
                self.byte,
                self.file_offset
            ),
            Span {
                file: index,
                offset: self.offset,
                len: '\u{FFFD}'.len_utf8(),
            },
            "first byte that is not UTF-8",
        )
        .with_help(format!(
            "config files must be UTF-8: re-save {name} with the encoding \"UTF-8\" in your editor, or convert it with `iconv -f {from} -t UTF-8 {name} > {name}.utf8` and replace the file with the result"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_and_its_bom_is_dropped() {
        assert_eq!(decode(b"site: []\n".to_vec()).expect("utf-8"), "site: []\n");
        assert_eq!(
            decode(b"\xEF\xBB\xBFsite: []\n".to_vec()).expect("utf-8 with BOM"),
            "site: []\n"
        );
    }

    #[test]
    fn utf16_with_a_bom_is_named() {
        let bad = decode(b"\xFF\xFEs\0i\0".to_vec()).expect_err("utf-16");
        assert_eq!(
            bad.looks_like,
            LooksLike::Utf16Bom {
                little_endian: true
            }
        );
        assert_eq!(bad.offset, 0);
    }

    #[test]
    fn utf16_without_a_bom_is_named() {
        let bad = decode(b"s\0i\0t\0e\0:\0\n\0".to_vec()).expect_err("utf-16");
        assert_eq!(bad.looks_like, LooksLike::Utf16NoBom);
        assert_eq!(bad.offset, 1);
    }

    #[test]
    fn latin1_points_at_the_first_bad_byte() {
        let bad = decode(b"site:\n  - name: Z\xFCrich\n    active: true\n".to_vec())
            .expect_err("latin-1");
        assert_eq!(bad.looks_like, LooksLike::Legacy8Bit);
        assert_eq!(bad.offset, 17);
        assert_eq!(bad.byte, 0xFC);
        assert_eq!(bad.shown, "site:\n  - name: Z\u{FFFD}rich");
    }

    #[test]
    fn offsets_after_a_bom_count_the_bom_in_the_file() {
        let bad = decode(b"\xEF\xBB\xBFa: \xE9\n".to_vec()).expect_err("latin-1");
        assert_eq!(bad.offset, 3);
        assert_eq!(bad.file_offset, 6);
    }
}
