//! Fingerprints that identify a finding across runs (SARIF `partialFingerprints`, GitLab
//! `fingerprint`). They hash what the finding is about, not where it sits: the rule, the path,
//! the side, the offending text with whitespace normalised, and which occurrence of that same
//! text in the file it is. Line numbers are left out, so unrelated edits that move lines keep
//! every fingerprint, and the occurrence index keeps two identical lines apart.

use crate::change::Side;
use crate::finding::Finding;
use std::collections::HashMap;

/// FNV-1a, 64-bit: tiny, dependency-free and stable across platforms and releases (unlike
/// `std`'s `DefaultHasher`, whose output may change between Rust versions).
pub(super) fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(PRIME)
    })
}

/// One fingerprint per finding, in the same order, as 16 hex digits. Findings are expected
/// in report order (by path, then line), which makes the occurrence index count top-down.
pub(super) fn fingerprints(findings: &[Finding]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let key = identity(f);
            let occurrence = seen.entry(key.clone()).or_insert(0);
            // The index goes first: FNV-1a mixes early bytes into every later step, so two
            // occurrences of the same text get unrelated-looking fingerprints.
            let hash = fnv1a64(format!("{occurrence}\u{0}{key}").as_bytes());
            *occurrence += 1;
            format!("{hash:016x}")
        })
        .collect()
}

/// What a finding is about, without its position. NUL separates fields because it cannot
/// occur in a path, a rule id or a line of text from git.
fn identity(f: &Finding) -> String {
    let side = match f.side {
        Some(Side::Base) => "base",
        _ => "head",
    };
    let text = f.snippet.as_deref().unwrap_or_default();
    let normalised = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}\u{0}{}\u{0}{side}\u{0}{normalised}", f.rule, f.path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn finding(line: u32, snippet: &str) -> Finding {
        Finding {
            rule: "cors/wildcard-origin".into(),
            severity: Severity::Error,
            path: "app.js".into(),
            line: Some(line),
            side: None,
            message: "m".into(),
            snippet: Some(snippet.into()),
            suppressed: None,
            origin: None,
        }
    }

    #[test]
    fn fnv1a64_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn moving_lines_keeps_fingerprints_and_duplicates_differ() {
        let before = fingerprints(&[finding(3, "origin: '*'"), finding(9, "origin:  '*'")]);
        let after = fingerprints(&[finding(13, "origin: '*'"), finding(40, "origin: '*'")]);
        assert_eq!(before, after);
        assert_ne!(before[0], before[1]);
    }
}
