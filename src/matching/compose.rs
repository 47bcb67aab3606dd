//! Docker Compose files as `docker compose` reads them: which files are compose files, the
//! `.env` file of their project (the folder they are in), and the interpolation of `${VAR}`,
//! `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR:+alternative}`, `$VAR` and
//! `$$` in their values. Only the repository is known, not the shell that deploys, so a
//! variable that neither the `.env` file nor a default sets stays as written: a variable
//! reference, which the rules do not judge.

use std::collections::HashMap;

/// Whether `path` names a Docker Compose file (`compose.yaml`, `docker-compose.prod.yml`…).
pub(crate) fn is_compose_file(path: &str) -> bool {
    let name = file_name(path).to_ascii_lowercase();
    name.contains("compose") && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// The `.env` file compose reads for a compose file: the one in the same folder.
pub(crate) fn project_env_path(compose_path: &str) -> String {
    match compose_path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/.env"),
        None => ".env".to_string(),
    }
}

/// Whether `path` is a compose project's `.env` file.
pub(crate) fn is_project_env(path: &str) -> bool {
    file_name(path) == ".env"
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The variables a `.env` file sets, each with its value and the 1-based line that sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DotEnv {
    vars: HashMap<String, (String, u32)>,
}

impl DotEnv {
    /// Reads a `.env` file as compose does: `KEY=value` lines (an optional `export `), `#`
    /// comments, single quotes taken literally, double quotes with escapes and across lines,
    /// unquoted values trimmed and cut at ` #`; earlier variables are interpolated into later
    /// values (not into single-quoted ones). The last setting of a key wins.
    pub(crate) fn parse(text: &str) -> DotEnv {
        let mut env = DotEnv::default();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let line = lines[i].trim_start();
            i += 1;
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((key, raw)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            if key.is_empty() || key.starts_with('#') || !key.chars().all(is_name_char) {
                continue;
            }
            let raw = raw.trim_start();
            let value = if let Some(body) = raw.strip_prefix('\'') {
                body.split_once('\'').map_or(body, |(v, _)| v).to_string()
            } else if let Some(body) = raw.strip_prefix('"') {
                let mut body = body.to_string();
                while closing_quote(&body).is_none() && i < lines.len() {
                    body.push('\n');
                    body.push_str(lines[i]);
                    i += 1;
                }
                let end = closing_quote(&body).unwrap_or(body.len());
                let unescaped = unescape(&body[..end]);
                env.interpolate(&unescaped)
                    .map_or(unescaped, |resolved| resolved.text)
            } else {
                let value = match raw.find(" #").or_else(|| raw.find("\t#")) {
                    Some(at) => &raw[..at],
                    None => raw,
                }
                .trim_end();
                env.interpolate(value)
                    .map_or_else(|| value.to_string(), |resolved| resolved.text)
            };
            env.vars.insert(key.to_string(), (value, line_no));
        }
        env
    }

    /// The value `name` is set to, if the file sets it.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|(value, _)| value.as_str())
    }

    /// The line that sets `name`, if any.
    pub(crate) fn line(&self, name: &str) -> Option<u32> {
        self.vars.get(name).map(|&(_, line)| line)
    }

    /// `text` with the variables it refers to replaced as compose would, from this file's
    /// values and the defaults written in `text`; `None` when `text` refers to none (the
    /// common case, which costs one scan).
    pub(crate) fn interpolate(&self, text: &str) -> Option<Interpolated> {
        if !text.contains('$') {
            return None;
        }
        let mut vars = Vec::new();
        let text = expand(text, self, &mut vars, 0);
        Some(Interpolated { text, vars })
    }
}

/// A value after interpolation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Interpolated {
    /// The value compose would use; references nothing sets stay as written.
    pub text: String,
    /// The variables it refers to, in order (repeats included once).
    pub vars: Vec<String>,
}

/// Nested defaults deeper than this stay as written.
const MAX_NESTING: u8 = 8;

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The byte index of the first unescaped `"` in `body`.
fn closing_quote(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

/// A double-quoted `.env` value's escapes: `\n`, `\t`, `\"`, `\\`; others stay as written.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(c @ ('"' | '\\' | '$')) => out.push(c),
            Some(c) => {
                out.push('\\');
                out.push(c);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The end (exclusive, after the `}`) of the `${…}` that starts `text`, nested ones included.
fn braced_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn expand(text: &str, env: &DotEnv, vars: &mut Vec<String>, depth: u8) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let after = &tail[1..];
        if let Some(more) = after.strip_prefix('$') {
            out.push('$');
            rest = more;
        } else if after.starts_with('{') && depth < MAX_NESTING {
            // An unclosed `${` is an error to compose: the rest stays as written (and is
            // scanned once, whatever it holds).
            let Some(end) = braced_end(tail) else {
                out.push_str(tail);
                return out;
            };
            out.push_str(&braced(&tail[..end], env, vars, depth));
            rest = &tail[end..];
        } else if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            let len = after.find(|c| !is_name_char(c)).unwrap_or(after.len());
            let name = &after[..len];
            note(vars, name);
            out.push_str(env.get(name).unwrap_or(&tail[..=len]));
            rest = &after[len..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn note(vars: &mut Vec<String>, name: &str) {
    if !vars.iter().any(|v| v == name) {
        vars.push(name.to_string());
    }
}

/// One `${…}` (`whole`, braces included) as compose resolves it, or as written when it cannot.
fn braced(whole: &str, env: &DotEnv, vars: &mut Vec<String>, depth: u8) -> String {
    let inner = &whole[2..whole.len() - 1];
    let len = inner.find(|c| !is_name_char(c)).unwrap_or(inner.len());
    let (name, op) = inner.split_at(len);
    if name.is_empty() {
        return whole.to_string();
    }
    note(vars, name);
    let value = env.get(name);
    let set = value.is_some();
    let non_empty = value.is_some_and(|v| !v.is_empty());
    let nested = |arg: &str, vars: &mut Vec<String>| expand(arg, env, vars, depth + 1);
    let as_written = || whole.to_string();
    match op {
        "" => value.map_or_else(as_written, str::to_string),
        _ if op.starts_with(":-") => match value {
            Some(v) if non_empty => v.to_string(),
            _ => nested(&op[2..], vars),
        },
        _ if op.starts_with(":+") => {
            if non_empty {
                nested(&op[2..], vars)
            } else {
                String::new()
            }
        }
        _ if op.starts_with(":?") => match value {
            Some(v) if non_empty => v.to_string(),
            _ => as_written(),
        },
        _ if op.starts_with('-') => value.map_or_else(|| nested(&op[1..], vars), str::to_string),
        _ if op.starts_with('+') => {
            if set {
                nested(&op[1..], vars)
            } else {
                String::new()
            }
        }
        _ if op.starts_with('?') => value.map_or_else(as_written, str::to_string),
        _ => as_written(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_as_compose_does() {
        let env = DotEnv::parse(
            "# images\nTAG=1.4.2\nEMPTY=\nexport REPO = ghcr.io/acme # the registry\nQUOTED='a ${TAG} b'\nDOUBLE=\"x\\ty\"\nFULL=${REPO}/api:${TAG}\n",
        );
        let cases = [
            ("app:${TAG}", "app:1.4.2"),
            ("app:$TAG", "app:1.4.2"),
            ("app:${MISSING:-latest}", "app:latest"),
            ("app:${EMPTY:-latest}", "app:latest"),
            ("app:${EMPTY-latest}", "app:"),
            ("app:${MISSING-latest}", "app:latest"),
            ("app:${TAG:+latest}", "app:latest"),
            ("app:${MISSING:+latest}", "app:"),
            ("app:${MISSING}", "app:${MISSING}"),
            ("app:$MISSING", "app:$MISSING"),
            ("app:${MISSING:?set it}", "app:${MISSING:?set it}"),
            ("app:${TAG:?set it}", "app:1.4.2"),
            ("app:${MISSING:-${TAG}}", "app:1.4.2"),
            ("${REPO}/app:$${TAG}", "ghcr.io/acme/app:${TAG}"),
            ("cost: $5", "cost: $5"),
            ("${FULL}", "ghcr.io/acme/api:1.4.2"),
            ("${QUOTED}", "a ${TAG} b"),
            ("${DOUBLE}", "x\ty"),
            ("${UNCLOSED", "${UNCLOSED"),
        ];
        for (text, want) in cases {
            let got = env.interpolate(text).map(|i| i.text);
            assert_eq!(got.as_deref(), Some(want), "{text}");
        }
        assert_eq!(env.line("REPO"), Some(4));
        assert_eq!(
            env.interpolate("${A:-${TAG}}/$A").map(|i| i.vars),
            Some(vec!["A".to_string(), "TAG".to_string()])
        );
        assert!(env.interpolate("plain").is_none());
    }

    #[test]
    fn multi_line_double_quotes_and_the_last_setting_win() {
        let env = DotEnv::parse("CERT=\"line one\nline two\"\nX=1\nX=2\n");
        assert_eq!(env.get("CERT"), Some("line one\nline two"));
        assert_eq!((env.get("X"), env.line("X")), (Some("2"), Some(4)));
    }

    #[test]
    fn hostile_nesting_stays_as_written_in_linear_time() {
        let deep = format!("{}x{}", "${A:-".repeat(50_000), "}".repeat(50_000));
        let unclosed = "${".repeat(200_000);
        for text in [deep, unclosed] {
            let started = std::time::Instant::now();
            let got = DotEnv::default().interpolate(&text).unwrap();
            assert!(got.text.len() <= text.len());
            assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }
    }

    #[test]
    fn compose_files_and_their_env() {
        assert!(is_compose_file("deploy/docker-compose.prod.yml"));
        assert!(is_compose_file("compose.yaml"));
        assert!(!is_compose_file("k8s/deployment.yaml"));
        assert_eq!(project_env_path("deploy/compose.yaml"), "deploy/.env");
        assert_eq!(project_env_path("compose.yaml"), ".env");
        assert!(is_project_env("deploy/.env") && !is_project_env(".env.example"));
    }
}
