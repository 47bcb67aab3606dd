//! Line rules: `added`/`removed`/`unless` regexes (behind the rule set's literal prefilter, so
//! a line meets only the rules it could match), with the optional `image` class check.

use super::findings::{finding, message};
use crate::change::{ChangedFile, DiffLine, FileKind, Side};
use crate::error::Result;
use crate::finding::Finding;
use crate::matching::comments::CommentSyntax;
use crate::matching::pattern::LazyRegex;
use crate::rules::{LineSets, Rule, RuleSet};
use crate::source::ContentReader;
use std::ops::Range;

/// The `added` capture naming what a line introduces (e.g. a route's method and path).
const IDENTITY: &str = "identity";

/// Judges a file's changed lines against the line rules whose gate is open.
///
/// A command continued over several added lines with a trailing `\` (shell, Dockerfile,
/// Makefile) is also matched as one joined line, reported on its first line, for the rules that
/// did not already fire on one of its physical lines: `docker run -d \` … `nginx` is one command.
pub(super) fn judge_lines(
    file: &ChangedFile,
    rules: &RuleSet,
    sets: &LineSets,
    gate: &[bool],
    out: &mut Vec<Finding>,
) {
    if !matches!(file.kind, FileKind::Text | FileKind::Symlink) {
        return;
    }
    let comments = CommentSyntax::of_path(&file.path);
    let mut added = AddedLines {
        file,
        rules,
        sets,
        gate,
        comments,
        removed_seen: vec![None; rules.rules().len()],
        hits: Vec::new(),
        out,
    };
    let mut command: Vec<(&DiffLine, &str)> = Vec::new();
    let mut fired_in_command: Vec<usize> = Vec::new();
    for (line, text) in file.added() {
        if command
            .last()
            .is_some_and(|(last, _)| last.line + 1 != line.line)
        {
            added.judge_joined(&command, &fired_in_command);
            command.clear();
            fired_in_command.clear();
        }
        added.judge(line, text, &[], &mut fired_in_command);
        let continues = text.trim_end().ends_with('\\');
        if continues || !command.is_empty() {
            command.push((line, text));
        }
        if !continues {
            added.judge_joined(&command, &fired_in_command);
            command.clear();
            fired_in_command.clear();
        }
    }
    added.judge_joined(&command, &fired_in_command);
    let all = rules.rules();
    let AddedLines { mut hits, out, .. } = added;
    for (line, text) in file.removed() {
        sets.removed_matches(all, gate, text, &mut hits);
        for &r in &hits {
            let rule = &all[r];
            let firing = rule
                .removed
                .as_ref()
                .and_then(|re| firing(re, rule, text, comments));
            if let Some(at) = firing {
                push(rule, file, line, text, at, out);
            }
        }
    }
}

/// The `added` side of one file's line rules.
struct AddedLines<'a> {
    file: &'a ChangedFile,
    rules: &'a RuleSet,
    sets: &'a LineSets,
    gate: &'a [bool],
    /// How the file writes comments (a match inside one never fires).
    comments: CommentSyntax,
    /// Per rule, once computed: whether its `removed` pattern matches some removed line.
    removed_seen: Vec<Option<bool>>,
    /// Scratch space for the rules a line matches, reused from line to line.
    hits: Vec<usize>,
    /// Where the findings go.
    out: &'a mut Vec<Finding>,
}

impl AddedLines<'_> {
    /// Applies the `added` rules (except those in `skip`) to `text`, reported at `line`;
    /// records the rules that fired in `fired`.
    fn judge(&mut self, line: &DiffLine, text: &str, skip: &[usize], fired: &mut Vec<usize>) {
        let all = self.rules.rules();
        let mut hits = std::mem::take(&mut self.hits);
        self.sets.added_matches(all, self.gate, text, &mut hits);
        for &r in &hits {
            let rule = &all[r];
            if skip.contains(&r) {
                continue;
            }
            let firing = rule
                .added
                .as_ref()
                .and_then(|re| firing(re, rule, text, self.comments));
            let Some(at) = firing else {
                continue;
            };
            if let Some(removed) = &rule.removed {
                let file = self.file;
                let seen = *self.removed_seen[r]
                    .get_or_insert_with(|| file.removed().any(|(_, t)| removed.is_match(t)));
                if !seen {
                    continue;
                }
            }
            if !introduces(rule, self.file, text, at) {
                continue;
            }
            if push(rule, self.file, line, text, at, self.out) {
                fired.push(r);
            }
        }
        self.hits = hits;
    }

    /// Judges a continued command (two or more physical lines) as one line.
    fn judge_joined(&mut self, command: &[(&DiffLine, &str)], fired: &[usize]) {
        let [(first, _), _, ..] = command else {
            return;
        };
        let joined = command
            .iter()
            .map(|(_, t)| t.trim_end().trim_end_matches('\\').trim())
            .collect::<Vec<_>>()
            .join(" ");
        self.judge(first, &joined, fired, &mut Vec::new());
    }
}

/// Drops the line findings (from index `from` on) of rules with `within` whose line is not
/// inside a `{ … }` block whose opening line matches. Reads the file only if such a rule fired.
pub(super) fn keep_within(
    file: &ChangedFile,
    rules: &RuleSet,
    reader: &ContentReader,
    findings: &mut Vec<Finding>,
    from: usize,
) -> Result<()> {
    let within = |f: &Finding| rules.get(&f.rule).and_then(|r| r.within.as_ref());
    if !findings[from..].iter().any(|f| within(f).is_some()) {
        return Ok(());
    }
    let head = reader.read_text(&file.head)?.unwrap_or_default();
    let base = reader.read_text(&file.base)?.unwrap_or_default();
    let (head, base): (Vec<&str>, Vec<&str>) = (head.lines().collect(), base.lines().collect());
    let yaml = is_yaml(&file.path);
    let new = findings.split_off(from);
    findings.extend(new.into_iter().filter(|f| {
        let (Some(re), Some(line)) = (within(f), f.line) else {
            return true;
        };
        let lines = if f.side == Some(Side::Base) {
            &base
        } else {
            &head
        };
        enclosing_blocks(lines, line, yaml)
            .iter()
            .any(|opening| re.is_match(opening))
    }));
    Ok(())
}

/// Files whose nesting is read by indentation too: YAML, and CloudFormation `.template` files
/// (YAML or JSON; JSON's indentation follows its nesting).
fn is_yaml(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, ext)| ext);
    ["yaml", "yml", "template"]
        .iter()
        .any(|yaml| ext.eq_ignore_ascii_case(yaml))
}

/// The opening lines of the constructs that enclose 1-based `line`: the `{ … }` blocks,
/// `[ … ]` lists and `( … )` tuples open at that line (brackets in quoted strings and after `#`
/// or `//` comments are ignored), and in YAML the parent lines, found by indentation (a list
/// item may sit at its key's own indentation).
fn enclosing_blocks<'t>(lines: &[&'t str], line: u32, yaml: bool) -> Vec<&'t str> {
    let at = usize::try_from(line).map_or(0, |l| l.saturating_sub(1));
    let before = lines.get(..at).unwrap_or(lines);
    let mut openers = open_brackets(before);
    if yaml && let Some(this) = lines.get(at) {
        openers.extend(yaml_parents(before, this));
    }
    openers
}

/// The lines whose `{`, `[` or `(` is still open after `lines`, outermost first.
fn open_brackets<'t>(lines: &[&'t str]) -> Vec<&'t str> {
    let mut stack = Vec::new();
    for &l in lines {
        let (mut quote, mut escaped) = (None, false);
        let mut chars = l.chars().peekable();
        while let Some(c) = chars.next() {
            if let Some(q) = quote {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    _ if c == q => quote = None,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' | '\'' => quote = Some(c),
                '#' => break,
                '/' if chars.peek() == Some(&'/') => break,
                '{' | '[' | '(' => stack.push(l),
                '}' | ']' | ')' => {
                    stack.pop();
                }
                _ => {}
            }
        }
    }
    stack
}

/// The YAML lines `this` (the line after `before`) is nested under, nearest first. A parent is
/// less indented, or, for a `- item`, a key at the item's own indentation. A `- key:` line
/// holds its key at the column after the dash: a line at that column is that key's sibling in
/// the same list item, so the item's parent comes next, not the key.
fn yaml_parents<'t>(before: &[&'t str], this: &str) -> Vec<&'t str> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let is_item = |l: &str| l.trim_start().starts_with('-');
    let key_column = |l: &str| {
        let rest = l.trim_start();
        match rest.strip_prefix('-') {
            Some(after) => indent(l) + 1 + (after.len() - after.trim_start_matches(' ').len()),
            None => indent(l),
        }
    };
    let (mut limit, mut item) = (indent(this), is_item(this));
    let mut parents = Vec::new();
    for &l in before.iter().rev() {
        let content = l.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let at = indent(l);
        let sibling_in_item = is_item(l) && key_column(l) == limit && !item;
        if sibling_in_item {
            (limit, item) = (at, true);
            continue;
        }
        if at < limit || (at == limit && item && !is_item(l)) {
            parents.push(l);
            (limit, item) = (at, is_item(l));
            if at == 0 && !item {
                break;
            }
        }
    }
    parents
}

/// With an `(?P<identity>…)` group in `added`: whether the identity the match at byte `at` of
/// this line captures is new, i.e. no removed line of the file captures the same one (trimmed).
/// An edited line that keeps its identity (a route that gains a middleware) is not an
/// introduction.
fn introduces(rule: &Rule, file: &ChangedFile, text: &str, at: usize) -> bool {
    let Some(re) = rule.added.as_ref().filter(|re| re.has_group(IDENTITY)) else {
        return true;
    };
    let identity = |t: &str, at: usize| {
        re.captures_at(t, at)
            .and_then(|c| c.name(IDENTITY))
            .map(|m| String::from_utf8_lossy(m.as_bytes()).trim().to_string())
    };
    let Some(this) = identity(text, at) else {
        return true;
    };
    !file
        .removed()
        .any(|(_, t)| identity(t, 0).is_some_and(|that| that == this))
}

/// Where `pattern` (the rule's `added` or `removed`) fires in `text`, which it matches: the
/// start of its first match that is not inside a comment (unless the rule matches comments) and
/// that no match of the rule's `unless` overlaps. What an exemption must overlap is the match
/// widened to the whole identifiers at its two ends (`targetOrigin: '*'` for a match of
/// `Origin: '*'`), so a word elsewhere on the line (a trailing comment, another statement)
/// excuses nothing. `None`: every match is excused.
fn firing(pattern: &LazyRegex, rule: &Rule, text: &str, comments: CommentSyntax) -> Option<usize> {
    let unless = rule.unless.as_ref();
    let comments_syntax = match rule.match_comments {
        true => CommentSyntax::NONE,
        false => comments,
    };
    let comments: Vec<Range<usize>> = match comments_syntax.in_line(text).next() {
        None if unless.is_none_or(|u| !u.is_match(text)) => return Some(0),
        None => Vec::new(),
        // Only lines that match and hold a comment or an exemption get this far.
        Some(_) => comments_syntax.in_line(text).collect(),
    };
    // Exemptions read the line without its comments: a comment never excuses anything.
    let code = comments_syntax.blanked(text, false);
    pattern
        .find_iter(text)
        .find(|m| {
            !comments.iter().any(|c| c.contains(&m.start))
                && !unless.is_some_and(|u| exempt(u, &code, m.clone()))
        })
        .map(|m| m.start)
}

/// Whether a match of `unless` in `code` (a text without comments) overlaps `span` widened to
/// whole identifiers (see [`firing`]).
pub(super) fn exempt(unless: &LazyRegex, code: &str, span: Range<usize>) -> bool {
    let construct = widened(code, span);
    unless.find_iter(code).any(|e| overlaps(&e, &construct))
}

/// `span` of `text` widened to the whole identifiers (`[A-Za-z0-9_$]`) it starts and ends in.
fn widened(text: &str, span: Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    let ident = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$';
    let start = span.start
        - bytes[..span.start]
            .iter()
            .rev()
            .take_while(|b| ident(b))
            .count();
    let end = span.end + bytes[span.end..].iter().take_while(|b| ident(b)).count();
    start..end
}

/// Whether an exemption's match overlaps a construct (an empty match: touches it).
fn overlaps(exemption: &Range<usize>, construct: &Range<usize>) -> bool {
    match exemption.is_empty() {
        true => construct.start <= exemption.start && exemption.start <= construct.end,
        false => exemption.start < construct.end && construct.start < exemption.end,
    }
}

/// Reports `rule` on `line`, for its match at byte `at` of `text`, unless its image class check
/// fails; says whether it did.
fn push(
    rule: &Rule,
    file: &ChangedFile,
    line: &DiffLine,
    text: &str,
    at: usize,
    out: &mut Vec<Finding>,
) -> bool {
    let Some(message) =
        side_regex(rule, line.side).and_then(|re| message(rule, re, &file.path, text, at))
    else {
        return false;
    };
    out.push(finding(
        rule,
        file,
        Some((line.line, line.side)),
        message,
        Some(text),
    ));
    true
}

/// The regex of `rule` for lines of `side`: `added` for head lines, `removed` for base lines.
fn side_regex(rule: &Rule, side: Side) -> Option<&LazyRegex> {
    match side {
        Side::Head => rule.added.as_ref(),
        Side::Base => rule.removed.as_ref(),
    }
}

/// The message of `rule` for a line of `path` (not one of the change's own lines: a line
/// rewritten with the values it reads) when its regex for `side` matches it and its image class
/// check passes.
pub(super) fn fires(rule: &Rule, path: &str, side: Side, text: &str) -> Option<String> {
    let regex = side_regex(rule, side).filter(|re| re.is_match(text))?;
    message(rule, regex, path, text, 0)
}

#[cfg(test)]
mod tests {

    /// The enclosing constructs of 1-based `line` in `text`.
    fn enclosing_blocks(text: &str, line: u32, yaml: bool) -> Vec<&str> {
        let lines: Vec<&str> = text.lines().collect();
        super::enclosing_blocks(&lines, line, yaml)
    }

    #[test]
    fn blocks_and_lists_enclose_the_lines_inside_them() {
        let tf = "cors_rule {\n  allowed_origins = [\n    \"*\",\n  ]\n  max_age = 1\n}\n";
        assert_eq!(
            enclosing_blocks(tf, 3, false),
            ["cors_rule {", "  allowed_origins = ["]
        );
        assert_eq!(enclosing_blocks(tf, 5, false), ["cors_rule {"]);
        let braces_in_strings = "a = \"{[\" # {\nb\n";
        assert!(enclosing_blocks(braces_in_strings, 2, false).is_empty());
        let single_quoted = "A = [\n    'https://a.example']\n\nB = (\n    '*',\n)\n";
        assert_eq!(enclosing_blocks(single_quoted, 5, false), ["B = ("]);
    }

    #[test]
    fn yaml_lines_are_nested_under_their_less_indented_parents() {
        let yaml =
            "spring:\n  cors:\n    # origins\n    allowed-origins:\n    - \"*\"\n    max-age: 1\n";
        assert_eq!(
            enclosing_blocks(yaml, 5, true),
            ["    allowed-origins:", "  cors:", "spring:"]
        );
        assert_eq!(enclosing_blocks(yaml, 6, true), ["  cors:", "spring:"]);
        let siblings =
            "Rules:\n  - AllowedOrigins:\n      - x\n    AllowedHeaders:\n      - \"*\"\n";
        assert_eq!(
            enclosing_blocks(siblings, 5, true),
            ["    AllowedHeaders:", "Rules:"]
        );
        let items = "Rules:\n  - AllowedOrigins:\n      - \"*\"\n";
        assert_eq!(
            enclosing_blocks(items, 3, true),
            ["  - AllowedOrigins:", "Rules:"]
        );
    }
}
