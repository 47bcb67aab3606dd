//! A Helm chart's template lines with their actions put in from the values, as far as the common
//! shapes go: `{{ .Values.image.repository }}:{{ .Values.image.tag }}`, `| default "latest"`,
//! `default .Chart.AppVersion .Values.image.tag`, `printf "%s:%s" …`, `| quote`, and relative
//! references inside `{{- with .Values.image }}`. An empty value (`tag: ""`) falls to the
//! default, as Helm's `default` does. Anything else (`include`, `tpl`, functions this reader
//! does not know, a value that is a mapping) is unknown and the action stays as written: the
//! line is then not judged, never guessed.

pub(crate) use super::origin::Origin;
use super::tree::Node;
use std::borrow::Cow;

/// How many actions one line may hold before it is not judged.
const MAX_ACTIONS: usize = 16;

/// The values a chart renders with: values files in order of precedence (the first that sets a
/// key wins), and `Chart.yaml`'s `appVersion`.
pub(crate) struct Values<'v> {
    /// (path, document) of each values file, highest precedence first.
    pub files: Vec<(&'v str, &'v Node)>,
    /// `appVersion` and where it is set.
    pub app_version: Option<(&'v str, &'v Node)>,
}

/// A value while an action is computed: text (`None`: missing) and where its parts came from.
type Computed = (Option<String>, Vec<Origin>);

/// One template line and the lines with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// 1-based line.
    pub line: u32,
    /// The line as written.
    pub written: String,
    /// The line with its actions put in, and the values used; `None` when some action is
    /// unknown or the line has none.
    pub rendered: Option<(String, Vec<Origin>)>,
}

impl Values<'_> {
    /// The lines of `template` that `wanted` picks, with their actions put in.
    pub(crate) fn render(&self, template: &str, wanted: impl Fn(&str) -> bool) -> Vec<Rendered> {
        let mut scopes: Vec<Option<String>> = Vec::new();
        // For each open block, whether it is a `with` that is not rendered; how many are open.
        let (mut closes, mut skipped): (Vec<bool>, usize) = (Vec::new(), 0);
        let mut out = Vec::new();
        for (index, line) in template.lines().enumerate() {
            let pick = wanted(line);
            let mut text = String::with_capacity(line.len());
            let (mut origins, mut known, mut rest, mut count) = (Vec::new(), true, line, 0);
            while let Some(open) = rest.find("{{") {
                let Some(close) = rest[open..].find("}}") else {
                    known = false;
                    break;
                };
                count += 1;
                text.push_str(&rest[..open]);
                let action = rest[open + 2..open + close]
                    .trim_start_matches('-')
                    .trim_end_matches('-')
                    .trim();
                rest = &rest[open + close + 2..];
                let scope = scopes.last().cloned().flatten();
                match action.split_whitespace().next().unwrap_or_default() {
                    "with" => {
                        let path = values_path(&action[4..], scope.as_deref());
                        // A block `with` an empty or missing value is not rendered at all.
                        let rendered = path.as_ref().is_none_or(|p| {
                            let (text, _) = self.term(&format!(".Values.{p}"), None);
                            text.is_none_or(|t| !t.is_empty())
                        });
                        skipped += usize::from(!rendered);
                        scopes.push(path);
                        closes.push(!rendered);
                    }
                    "if" | "range" | "define" | "block" => {
                        scopes.push(None);
                        closes.push(false);
                    }
                    "end" => {
                        scopes.pop();
                        if closes.pop() == Some(true) {
                            skipped = skipped.saturating_sub(1);
                        }
                    }
                    "else" => {}
                    _ if pick && skipped == 0 => match self.pipeline(action, scope.as_deref()) {
                        (Some(value), used) => {
                            text.push_str(&value);
                            origins.extend(used);
                        }
                        (None, _) => known = false,
                    },
                    _ => {}
                }
            }
            text.push_str(rest);
            if pick {
                let ok = known && skipped == 0 && (1..=MAX_ACTIONS).contains(&count);
                out.push(Rendered {
                    line: u32::try_from(index + 1).unwrap_or(u32::MAX),
                    written: line.to_string(),
                    rendered: ok.then_some((text, origins)),
                });
            }
        }
        out
    }

    /// A pipeline: `A | f B | g`, each stage given the previous value as its last argument.
    fn pipeline(&self, action: &str, scope: Option<&str>) -> Computed {
        let mut value: Option<Computed> = None;
        for stage in split_outside_quotes(action, '|') {
            let words = words(stage.trim());
            let Some((name, args)) = words.split_first() else {
                return (None, Vec::new());
            };
            let mut args: Vec<Computed> = args.iter().map(|a| self.term(a, scope)).collect();
            if let Some(previous) = value.take() {
                args.push(previous);
            }
            value = Some(match (name.as_ref(), args.len()) {
                ("default", 2) => {
                    let given = args.pop().unwrap_or_default();
                    let fallback = args.pop().unwrap_or_default();
                    if given.0.as_deref().is_some_and(|t| !t.is_empty()) {
                        given
                    } else {
                        fallback
                    }
                }
                ("toString" | "trim", 1) => args.pop().unwrap_or_default(),
                ("quote" | "squote", 1) => {
                    let mark = if *name == "quote" { '"' } else { '\'' };
                    let (text, used) = args.pop().unwrap_or_default();
                    (text.map(|t| format!("{mark}{t}{mark}")), used)
                }
                ("printf", n) if n >= 1 => printf(args),
                (_, 0) => self.term(name, scope),
                _ => (None, Vec::new()),
            });
        }
        value.unwrap_or_default()
    }

    /// One argument: a string literal, `.Values.x.y` (or `.x` inside `with`), `.Chart.AppVersion`.
    fn term(&self, term: &str, scope: Option<&str>) -> Computed {
        if let Some(literal) = term.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            return (Some(literal.to_string()), Vec::new());
        }
        if term == ".Chart.AppVersion" || term == "$.Chart.AppVersion" {
            return match self.app_version {
                Some((path, node)) => scalar(node, ".Chart.AppVersion", path),
                None => (None, Vec::new()),
            };
        }
        let Some(path) = values_path(term, scope) else {
            return (None, Vec::new());
        };
        for (file, doc) in &self.files {
            let found = path.split('.').try_fold(*doc, |node, key| node.get(key));
            if let Some(node) = found {
                return scalar(node, &format!(".Values.{path}"), file);
            }
        }
        (Some(String::new()), Vec::new())
    }
}

/// The values path a reference names: `.Values.a.b` → `a.b`; `.b` inside `with .Values.a` →
/// `a.b`; `None` for anything else.
fn values_path(term: &str, scope: Option<&str>) -> Option<String> {
    let term = term.trim().trim_start_matches('$');
    let plain = |p: &str| {
        p.split('.').all(|k| {
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
    };
    if let Some(path) = term.strip_prefix(".Values.") {
        return plain(path).then(|| path.to_string());
    }
    let relative = term.strip_prefix('.')?;
    let scope = scope?;
    if relative.is_empty() {
        return Some(scope.to_string());
    }
    plain(relative).then(|| format!("{scope}.{relative}"))
}

/// A scalar's text and where it is; a mapping or sequence is unknown.
fn scalar(node: &Node, name: &str, path: &str) -> Computed {
    let origin = Origin {
        name: name.to_string(),
        path: path.to_string(),
        line: node.line,
    };
    match node.text() {
        Some(text) => (Some(text.to_string()), vec![origin]),
        None if node.items().is_none() && !node.is_map() => (Some(String::new()), vec![origin]),
        None => (None, Vec::new()),
    }
}

/// `printf FORMAT ARGS…` with `%s` and `%v`.
fn printf(mut args: Vec<Computed>) -> Computed {
    let (Some(format), _) = args.remove(0) else {
        return (None, Vec::new());
    };
    let mut origins = Vec::new();
    let mut out = String::new();
    let mut values = args.into_iter();
    let mut rest = format.as_str();
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let verb = rest[at + 1..].chars().next();
        match verb {
            Some('s' | 'v') => match values.next() {
                Some((Some(text), used)) => {
                    out.push_str(&text);
                    origins.extend(used);
                }
                _ => return (None, Vec::new()),
            },
            Some('%') => out.push('%'),
            _ => return (None, Vec::new()),
        }
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    (Some(out), origins)
}

/// The parts of `text` between `sep`s that are not inside double quotes.
fn split_outside_quotes(text: &str, sep: char) -> Vec<&str> {
    let (mut out, mut start, mut quoted) = (Vec::new(), 0, false);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                out.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// The words of a command, a double-quoted string (with `\"`) kept as one word, quotes included.
fn words(text: &str) -> Vec<Cow<'_, str>> {
    let (mut out, mut rest) = (Vec::new(), text.trim());
    while !rest.is_empty() {
        let end = if rest.starts_with('"') {
            let mut end = rest.len();
            let mut escaped = false;
            for (i, c) in rest.char_indices().skip(1) {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = i + 1;
                        break;
                    }
                    _ => escaped = false,
                }
            }
            end
        } else {
            rest.find(char::is_whitespace).unwrap_or(rest.len())
        };
        out.push(Cow::Borrowed(&rest[..end]));
        rest = rest[end..].trim_start();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::tree::parse;

    const TEMPLATE: &str = r#"spec:
  containers:
    - image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
{{- with .Values.sidecar }}
    - image: {{ printf "%s/%s:%s" .registry .name (.tag) }}
    - image: {{ printf "%s/%s" .registry .name | quote }}
{{- end }}
    - image: {{ default "latest" .Values.tools.tag | printf "busybox:%s" }}
    - image: {{ include "chart.image" . }}
"#;

    fn rendered(values: &str, chart: &str) -> Vec<Option<String>> {
        let values = parse(values).unwrap();
        let chart = parse(chart).unwrap();
        let values = Values {
            files: vec![("values.yaml", &values[0])],
            app_version: chart[0].get("appVersion").map(|n| ("Chart.yaml", n)),
        };
        values
            .render(TEMPLATE, |l| l.contains("image:"))
            .into_iter()
            .map(|r| r.rendered.map(|(t, _)| t.trim().to_string()))
            .collect()
    }

    #[test]
    fn common_shapes_render_and_the_rest_is_unknown() {
        let values = "image: {repository: acme/api, tag: \"\"}\nsidecar: {registry: r.io, name: proxy, tag: '1.2'}\ntools: {}\n";
        assert_eq!(
            rendered(values, "appVersion: 2.4.0\n"),
            [
                Some("- image: \"acme/api:2.4.0\"".into()),
                None,
                Some("- image: \"r.io/proxy\"".into()),
                Some("- image: busybox:latest".into()),
                None,
            ]
        );
        let pinned = "image: {repository: acme/api, tag: \"2.5.0\"}\n";
        let lines = rendered(pinned, "appVersion: latest\n");
        assert_eq!(lines[0].as_deref(), Some("- image: \"acme/api:2.5.0\""));
    }
}
