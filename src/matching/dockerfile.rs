//! A Dockerfile read as instructions: line continuations joined, `ARG` defaults substituted into
//! `FROM`, stage aliases (`AS build`) and `scratch` recognised, `--platform` skipped, and
//! `ENV`/`ARG` keys split out.

use std::collections::HashMap;

/// One instruction's interesting part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    /// `FROM`, `ENV`, `ARG`, `LABEL`… upper-cased.
    pub instruction: String,
    /// For `ENV`/`ARG`/`LABEL`: the key. For `FROM`: the stage number as text.
    pub key: String,
    /// For `FROM`: the image with `ARG` defaults substituted. For `ENV`/`ARG`: the value.
    pub value: String,
    /// 1-based line where the instruction starts.
    pub line: u32,
}

/// Reads the instructions of a Dockerfile. `FROM` items for `scratch` or an earlier stage's
/// alias are left out: they name no registry image.
pub(crate) fn items(text: &str) -> Vec<Item> {
    let physical: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut args: HashMap<String, String> = HashMap::new();
    let mut aliases: Vec<String> = Vec::new();
    let mut stage = 0usize;
    for (line, instruction) in logical_lines(text) {
        let mut words = instruction.split_whitespace();
        let Some(op) = words.next() else { continue };
        let op = op.to_ascii_uppercase();
        let rest: Vec<&str> = words.collect();
        match op.as_str() {
            "FROM" => {
                let mut it = rest.iter().filter(|w| !w.starts_with("--"));
                let Some(image) = it.next() else { continue };
                let image = substitute(image, &args);
                let lower = image.to_ascii_lowercase();
                let names_earlier_stage = aliases.contains(&lower);
                if let (Some(kw), Some(alias)) = (it.next(), it.next())
                    && kw.eq_ignore_ascii_case("as")
                {
                    aliases.push(alias.to_ascii_lowercase());
                }
                if lower != "scratch" && !names_earlier_stage {
                    out.push(Item {
                        instruction: op,
                        key: stage.to_string(),
                        value: image,
                        line,
                    });
                }
                stage += 1;
            }
            "ENV" | "ARG" | "LABEL" => {
                for (key, value) in pairs(&rest) {
                    if op == "ARG" && stage == 0 {
                        args.insert(key.clone(), value.clone());
                    }
                    let line = key_line(&physical, line, &key);
                    out.push(Item {
                        instruction: op.clone(),
                        key,
                        value,
                        line,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The physical line, at or after `start`, of a continued instruction that holds `key`.
fn key_line(physical: &[&str], start: u32, key: &str) -> u32 {
    let from = start.saturating_sub(1) as usize;
    physical
        .iter()
        .enumerate()
        .skip(from)
        .take_while(|(i, l)| {
            *i == from || physical[i - 1].trim_end().ends_with('\\') || l.is_empty()
        })
        .find(|(_, l)| l.contains(key))
        .map_or(start, |(i, _)| u32::try_from(i + 1).unwrap_or(start))
}

/// Joins backslash continuations, drops comments and blank lines; yields (first line, text).
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim();
        if current.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        let (continues, body) = match trimmed.strip_suffix('\\') {
            Some(b) => (true, b),
            None => (false, trimmed),
        };
        let entry = current.get_or_insert_with(|| (n, String::new()));
        entry.1.push_str(body);
        entry.1.push(' ');
        if !continues && let Some(done) = current.take() {
            out.push(done);
        }
    }
    out.extend(current);
    out
}

/// `KEY=value KEY2="v 2"` or the legacy `KEY value with spaces`.
fn pairs(words: &[&str]) -> Vec<(String, String)> {
    let unquote = |s: &str| s.trim_matches(['"', '\'']).to_string();
    match words.first() {
        Some(first) if first.contains('=') => words
            .iter()
            .filter_map(|w| w.split_once('='))
            .map(|(k, v)| (k.to_string(), unquote(v)))
            .collect(),
        Some(first) => vec![(first.to_string(), unquote(&words[1..].join(" ")))],
        None => Vec::new(),
    }
}

/// Replaces `$NAME` and `${NAME}` (and `${NAME:-default}`) with ARG defaults; unknown names stay.
fn substitute(word: &str, args: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, default, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => {
                    let body = &inner[..end];
                    let (n, d) = body
                        .split_once(":-")
                        .map_or((body, None), |(n, d)| (n, Some(d)));
                    (n, d, end + 2)
                }
                None => (inner, None, after.len()),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], None, end)
        };
        match args
            .get(name)
            .filter(|v| !v.is_empty())
            .map(String::as_str)
            .or(default)
        {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[at..at + 1 + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn froms(text: &str) -> Vec<(String, u32)> {
        items(text)
            .into_iter()
            .filter(|i| i.instruction == "FROM")
            .map(|i| (i.value, i.line))
            .collect()
    }

    #[test]
    fn resolves_args_skips_aliases_scratch_and_platform() {
        let text = "ARG NODE=20.11\nFROM --platform=$BUILDPLATFORM node:${NODE} AS build\nRUN make\nFROM build AS test\nFROM scratch\nCOPY --from=build /a /a\n";
        assert_eq!(froms(text), vec![("node:20.11".to_string(), 2)]);
    }

    #[test]
    fn arg_without_default_stays_variable() {
        assert_eq!(
            froms("ARG TAG\nFROM app:$TAG\n"),
            vec![("app:$TAG".to_string(), 2)]
        );
    }

    #[test]
    fn env_forms_and_continuations() {
        let got: Vec<_> =
            items("ENV A=1 \\\n    CDN_HOST=\"https://cdn\"\nENV LEGACY some value\n")
                .into_iter()
                .map(|i| (i.key, i.value, i.line))
                .collect();
        assert_eq!(
            got,
            vec![
                ("A".into(), "1".into(), 1),
                ("CDN_HOST".into(), "https://cdn".into(), 2),
                ("LEGACY".into(), "some value".into(), 3)
            ]
        );
    }
}
