//! Rules with `statements = true`: `added` is also matched against the head file as a whole,
//! its comments blanked and the names of its simple constants read as their values, so a
//! construct a formatter split over lines (`origin:` then `'*'` on the next line) or a setting
//! held in a constant (`origin: ORIGINS` with `const ORIGINS = '*'`) is judged like one written
//! on one line. Patterns written for one line read across line breaks where they allow
//! whitespace (`\s`), and never where they say "to the end of the line" (`.`, `[^\n]`).
//!
//! A match counts when the change introduced it: it is reported once, on the first added line
//! it spans, or, when none, on the first added line of a constant it reads (the constant
//! changed, the use did not). One finding per construct and category: not when the line pass
//! already reported as severe a finding of the rule's category on one of its lines, and a
//! milder one there (a "setting changed" warning) gives way to it.

use super::findings::{finding, message};
use super::lines::exempt;
use crate::change::{ChangedFile, FileKind, Side};
use crate::error::Result;
use crate::finding::{Finding, capped};
use crate::matching::comments::CommentSyntax;
use crate::matching::constants::{Constants, Substituted};
use crate::matching::line_starts::LineStarts;
use crate::rules::RuleSet;
use crate::source::ContentReader;
use std::collections::HashSet;
use std::ops::Range;

/// Judges `file` against the statement rules open in `gate`; `from` is where this file's line
/// findings start in `out` (see the module's documentation for how the two passes share a
/// construct).
pub(super) fn judge_statements(
    file: &ChangedFile,
    rules: &RuleSet,
    gate: &[bool],
    reader: &ContentReader,
    out: &mut Vec<Finding>,
    from: usize,
) -> Result<()> {
    let all = rules.rules();
    let chosen: Vec<usize> = (0..all.len())
        .filter(|&r| gate[r] && all[r].statements)
        .collect();
    let added: Vec<u32> = file.added().map(|(l, _)| l.line).collect();
    if chosen.is_empty()
        || added.is_empty()
        || file.kind != FileKind::Text
        || file.not_scanned.is_some()
    {
        return Ok(());
    }
    let Some(head) = reader.read_text(&file.head)? else {
        return Ok(());
    };
    // Only rules whose needles the file holds (a name read as its value is spelled out at its
    // definition in the same file, so substitution brings in no needle the file lacks).
    let lower = head.to_ascii_lowercase();
    let holds = |r: &usize| {
        all[*r].added_needles.as_ref().is_none_or(|needles| {
            needles
                .iter()
                .any(|n| memchr::memmem::find(lower.as_bytes(), n).is_some())
        })
    };
    let chosen: Vec<usize> = chosen.into_iter().filter(holds).collect();
    if chosen.is_empty() {
        return Ok(());
    }
    let syntax = CommentSyntax::of_path(&file.path);
    let code = syntax.blanked(&head, true);
    let strings: Vec<Range<usize>> = syntax.strings_in_file(&code).collect();
    let constants = Constants::of(&code, &strings);
    let text = File {
        lines: LineStarts::new(&head),
        added: &added,
        constants: &constants,
        substituted: constants.substitute(&code, &strings, syntax.shorthand_properties()),
    };
    let mut reported: HashSet<(usize, u32)> = HashSet::new();
    for r in chosen {
        let rule = &all[r];
        let Some(re) = rule.added.as_ref() else {
            continue;
        };
        let sub = &text.substituted.text;
        let category = rule.id.split('/').next().unwrap_or(&rule.id);
        if !re.is_match(sub) {
            continue;
        }
        let removed_ok = rule
            .removed
            .as_ref()
            .is_none_or(|re| file.removed().any(|(_, t)| re.is_match(t)));
        if !removed_ok {
            continue;
        }
        for m in re.find_iter(sub) {
            let (window, offset) = text.window(m.clone());
            let span = m.start - offset..m.end - offset;
            if rule
                .unless
                .as_ref()
                .is_some_and(|u| exempt(u, window, span))
            {
                continue;
            }
            let (first, last) = text.lines_of(text.substituted.original(m.clone()));
            // The construct's lines: the match's, and the definitions of the constants it reads
            // (`const ORIGINS = '*'` is itself part of the wildcard origin).
            let mut spans = vec![(first, last)];
            spans.extend(
                text.substituted
                    .constants_in(text.constants, m.clone())
                    .map(|c| text.lines_of(c.definition.clone())),
            );
            let Some(line) = text.introduced_at(first, last, m.clone()) else {
                continue;
            };
            let finding_here = |f: &Finding| {
                f.side.is_none()
                    && f.category() == category
                    && f.line
                        .is_some_and(|l| spans.iter().any(|&(a, b)| (a..=b).contains(&l)))
            };
            // One finding per construct and category: a line finding as severe already says it,
            // a milder one (a "setting changed" warning) gives way.
            let severity = capped(rule.severity, &file.path);
            let said = out[from..]
                .iter()
                .any(|f| finding_here(f) && f.severity >= severity);
            let message = match said || reported.contains(&(r, line)) {
                true => None,
                false => message(rule, re, &file.path, sub, m.start),
            };
            if !said && message.is_none() {
                continue;
            }
            let mut i = from;
            while i < out.len() {
                match finding_here(&out[i]) && out[i].severity < severity {
                    true => drop(out.remove(i)),
                    false => i += 1,
                }
            }
            let Some(message) = message else {
                continue;
            };
            reported.insert((r, line));
            let snippet = head.lines().nth(line as usize - 1);
            out.push(finding(
                rule,
                file,
                Some((line, Side::Head)),
                message,
                snippet,
            ));
        }
    }
    Ok(())
}

/// The head file, read for statement rules.
struct File<'a> {
    /// Where each line starts.
    lines: LineStarts,
    /// The change's added lines (1-based, in order).
    added: &'a [u32],
    constants: &'a Constants,
    /// The head, comments blanked, constants' names replaced by their values.
    substituted: Substituted<'a>,
}

impl File<'_> {
    /// The 1-based line holding original byte `at`.
    fn line_of(&self, at: usize) -> u32 {
        self.lines.line_of(at)
    }

    /// The first and last lines of an original byte range.
    fn lines_of(&self, span: Range<usize>) -> (u32, u32) {
        let last = span.end.saturating_sub(1).max(span.start);
        (self.line_of(span.start), self.line_of(last))
    }

    /// The first added line from `first` to `last`.
    fn added_within(&self, first: u32, last: u32) -> Option<u32> {
        let i = self.added.partition_point(|&l| l < first);
        self.added.get(i).copied().filter(|&l| l <= last)
    }

    /// Where a match (a range of the substituted text, spanning original lines `first` to
    /// `last`) was introduced: its first added line, else the first added line of a constant it
    /// reads; `None` when the change touched neither.
    fn introduced_at(&self, first: u32, last: u32, span: Range<usize>) -> Option<u32> {
        self.added_within(first, last).or_else(|| {
            self.substituted
                .constants_in(self.constants, span)
                .filter_map(|c| {
                    let (first, last) = self.lines_of(c.definition.clone());
                    self.added_within(first, last)
                })
                .min()
        })
    }

    /// The lines of the substituted text around a range of it, and the offset they start at:
    /// what an exemption is searched in.
    fn window(&self, span: Range<usize>) -> (&str, usize) {
        let sub = &self.substituted.text;
        let start = sub[..span.start].rfind('\n').map_or(0, |n| n + 1);
        let end = sub[span.end..]
            .find('\n')
            .map_or(sub.len(), |n| span.end + n);
        (&sub[start..end], start)
    }
}
