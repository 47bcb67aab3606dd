//! What one side's bytes mean as text. This is the gate's own decision, from the file's type
//! and its content, never from git attributes (`binary`, `-diff`, `-text`, `diff=`, filters),
//! which the change under judgment controls: a file whose type is a text format the rules read
//! is text whatever bytes it holds; UTF-8 and UTF-16 byte-order marks, and UTF-16 without one
//! where its shape shows, are decoded; other files are sniffed for NUL bytes, as git does.

use std::borrow::Cow;

/// One side's bytes, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decoded<'b> {
    /// Text as UTF-8 bytes (invalid sequences are decoded lossily when lines are built).
    Text(Cow<'b, [u8]>),
    /// Not text: a file whose type is not a text format, with NUL bytes near its start.
    Binary,
    /// Text in an encoding the gate reads (named), whose bytes do not decode in it.
    Undecodable(&'static str),
    /// Text in an encoding the gate does not read (named).
    Unsupported(&'static str),
}

/// How far into a file binary content and UTF-16 are looked for (git's own window).
const SNIFF_BYTES: usize = 8000;

/// Reads `bytes` as text. `text_format`: the file's type is one the rules read as text (see
/// [`crate::path_class::PathClass::is_text_format`]), so only an encoding can stop it being
/// read; otherwise NUL bytes in the first [`SNIFF_BYTES`] make it binary.
pub(crate) fn decode(bytes: &[u8], text_format: bool) -> Decoded<'_> {
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => return Decoded::Unsupported("UTF-32LE"),
        [0, 0, 0xFE, 0xFF, ..] => return Decoded::Unsupported("UTF-32BE"),
        [0xEF, 0xBB, 0xBF, rest @ ..] => return Decoded::Text(Cow::Borrowed(rest)),
        [0xFF, 0xFE, rest @ ..] => return utf16(rest, Endian::Little),
        [0xFE, 0xFF, rest @ ..] => return utf16(rest, Endian::Big),
        _ => {}
    }
    if let Some(endian) = utf16_shape(bytes) {
        return utf16(bytes, endian);
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if !text_format && head.contains(&0) {
        Decoded::Binary
    } else {
        Decoded::Text(Cow::Borrowed(bytes))
    }
}

/// Byte order of UTF-16 code units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endian {
    Little,
    Big,
}

impl Endian {
    fn name(self) -> &'static str {
        match self {
            Endian::Little => "UTF-16LE",
            Endian::Big => "UTF-16BE",
        }
    }
}

/// UTF-16 `bytes` (after any byte-order mark) as UTF-8; `Undecodable` for an odd length or an
/// unpaired surrogate.
fn utf16(bytes: &[u8], endian: Endian) -> Decoded<'static> {
    if bytes.len() % 2 != 0 {
        return Decoded::Undecodable(endian.name());
    }
    let units = bytes.chunks_exact(2).map(|pair| match endian {
        Endian::Little => u16::from_le_bytes([pair[0], pair[1]]),
        Endian::Big => u16::from_be_bytes([pair[0], pair[1]]),
    });
    match char::decode_utf16(units).collect::<Result<String, _>>() {
        Ok(text) => Decoded::Text(Cow::Owned(text.into_bytes())),
        Err(_) => Decoded::Undecodable(endian.name()),
    }
}

/// The byte order of UTF-16 text without a byte-order mark, when its shape shows it: an even
/// length, and in the first [`SNIFF_BYTES`] most code units have a zero high byte (Latin
/// script) on one side and almost none on the other, and few decode to control characters.
fn utf16_shape(bytes: &[u8]) -> Option<Endian> {
    if bytes.len() < 4 || bytes.len() % 2 != 0 {
        return None;
    }
    let sample = &bytes[..bytes.len().min(SNIFF_BYTES) & !1];
    // Most text has no NUL at all: one vectorised search settles it.
    if !sample.contains(&0) {
        return None;
    }
    let units = sample.len() / 2;
    let zeros = |offset: usize| {
        sample
            .iter()
            .skip(offset)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    let endian = if odd * 10 >= units * 6 && even * 20 <= units {
        Endian::Little
    } else if even * 10 >= units * 6 && odd * 20 <= units {
        Endian::Big
    } else {
        return None;
    };
    let controls = sample
        .chunks_exact(2)
        .map(|pair| match endian {
            Endian::Little => u16::from_le_bytes([pair[0], pair[1]]),
            Endian::Big => u16::from_be_bytes([pair[0], pair[1]]),
        })
        .filter(|&u| u < 0x20 && !matches!(u, 0x09 | 0x0A | 0x0C | 0x0D))
        .count();
    (controls * 10 <= units).then_some(endian)
}

/// `bytes` as a string: decoded as [`decode`] reads a text format, lossily where invalid; the
/// raw bytes, lossily, when they do not decode at all.
pub(crate) fn to_string(bytes: Vec<u8>) -> String {
    let utf8 = match decode(&bytes, true) {
        Decoded::Text(Cow::Owned(text)) => text,
        Decoded::Text(Cow::Borrowed(text)) if text.len() != bytes.len() => text.to_vec(),
        _ => bytes,
    };
    String::from_utf8(utf8).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn utf16be(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    fn text(decoded: Decoded) -> String {
        match decoded {
            Decoded::Text(bytes) => String::from_utf8(bytes.into_owned()).unwrap(),
            other => panic!("not text: {other:?}"),
        }
    }

    #[test]
    fn byte_order_marks_are_decoded() {
        let yaml = "image: nginx:latest\n";
        assert_eq!(
            text(decode(&[b"\xEF\xBB\xBF", yaml.as_bytes()].concat(), false)),
            yaml
        );
        assert_eq!(
            text(decode(&[&b"\xFF\xFE"[..], &utf16le(yaml)].concat(), false)),
            yaml
        );
        assert_eq!(
            text(decode(&[&b"\xFE\xFF"[..], &utf16be(yaml)].concat(), false)),
            yaml
        );
        assert_eq!(
            decode(b"\xFF\xFE\0\0a\0\0\0", true),
            Decoded::Unsupported("UTF-32LE")
        );
    }

    #[test]
    fn utf16_without_a_mark_is_recognised_by_its_shape() {
        let yaml = "image: nginx:latest\nports: [80]\n";
        assert_eq!(text(decode(&utf16le(yaml), false)), yaml);
        assert_eq!(text(decode(&utf16be(yaml), true)), yaml);
        // Zeros on both sides, or too few: not UTF-16.
        assert_eq!(decode(b"\0\0\0\0\x89PNG", false), Decoded::Binary);
    }

    #[test]
    fn broken_utf16_is_undecodable_not_skipped() {
        let unpaired = [&b"\xFF\xFE"[..], &utf16le("a: 1\n"), b"\x00\xD8", b"a\0"].concat();
        assert_eq!(decode(&unpaired, true), Decoded::Undecodable("UTF-16LE"));
        assert_eq!(
            decode(b"\xFE\xFF\0a\0", true),
            Decoded::Undecodable("UTF-16BE")
        );
    }

    #[test]
    fn nul_bytes_make_binary_only_what_is_not_a_text_format() {
        let js = b"app.use(cors({ origin: '*' }));\0\n";
        assert_eq!(text(decode(js, true)), String::from_utf8_lossy(js));
        assert_eq!(decode(js, false), Decoded::Binary);
        assert_eq!(text(decode(b"plain\n", false)), "plain\n");
    }

    #[test]
    fn strings_are_decoded_like_diffs() {
        assert_eq!(
            to_string([&b"\xFF\xFE"[..], &utf16le("x\n")].concat()),
            "x\n"
        );
        assert_eq!(to_string(b"\xEF\xBB\xBFx".to_vec()), "x");
        assert_eq!(to_string(b"caf\xE9".to_vec()), "caf\u{FFFD}");
    }
}
