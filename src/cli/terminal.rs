//! Markdown (a rule's documentation) rendered for reading at a terminal: no `#`, `**` or
//! backticks; headings, emphasis and code set off by style (or, without colour, headings
//! underlined), paragraphs and list items wrapped to the width, code blocks indented as they
//! are, links followed by their address.

use anstyle::{AnsiColor, Color, Style};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The widest text `explain` wraps to, however wide the terminal.
const MOST_COLUMNS: usize = 100;
/// The width when the output is not a terminal, or the terminal is narrower than readable.
const DEFAULT_COLUMNS: usize = 80;

/// The width to wrap to: the terminal's (`columns`), within reason, else 80.
pub(super) fn width(columns: Option<usize>) -> usize {
    match columns {
        Some(c) if c >= 40 => c.min(MOST_COLUMNS),
        _ => DEFAULT_COLUMNS,
    }
}

/// `markdown` as plain text wrapped to `width` columns, styled with ANSI codes when `color`.
pub(super) fn render(markdown: &str, width: usize, color: bool) -> String {
    let mut r = Renderer {
        width,
        color,
        out: String::new(),
        inline: Vec::new(),
        styles: Vec::new(),
        lists: Vec::new(),
        pending_prefix: None,
        code_block: None,
        link: None,
    };
    for event in Parser::new(markdown) {
        r.event(event);
    }
    r.flush();
    let trimmed = r.out.trim_end();
    format!("{trimmed}\n")
}

/// A piece of inline text and how it looks.
type Span = (String, Style);

struct Renderer {
    width: usize,
    color: bool,
    out: String,
    /// The paragraph, heading or list item being collected, not yet wrapped.
    inline: Vec<Span>,
    /// The inline styles open now (strong, emphasis, link).
    styles: Vec<Style>,
    /// The lists open now: the next number of an ordered list, `None` for bullets.
    lists: Vec<Option<u64>>,
    /// The marker of a list item whose first line is not written yet ("• ", "2. ").
    pending_prefix: Option<String>,
    /// The code block being collected.
    code_block: Option<String>,
    /// The address of the link being collected.
    link: Option<String>,
}

const STRONG: Style = Style::new().bold();
const EMPHASIS: Style = Style::new().italic();
const CODE: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Cyan)));
const LINK: Style = Style::new().underline();

impl Renderer {
    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => match &mut self.code_block {
                Some(code) => code.push_str(&text),
                None => self.push(&text, Style::new()),
            },
            Event::Code(code) => self.push(&code, CODE),
            Event::SoftBreak => self.push(" ", Style::new()),
            Event::HardBreak => self.inline.push(("\n".into(), Style::new())),
            Event::Html(html) | Event::InlineHtml(html) => self.push(&html, Style::new()),
            Event::Rule => {
                self.flush();
                let line = "─".repeat(self.width.min(40));
                self.out.push_str(&format!("{line}\n\n"));
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Heading { .. } => self.flush(),
            Tag::Strong => self.styles.push(STRONG),
            Tag::Emphasis => self.styles.push(EMPHASIS),
            Tag::Link { dest_url, .. } => {
                self.styles.push(LINK);
                self.link = Some(dest_url.to_string());
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.code_block = Some(String::new());
            }
            Tag::List(first) => {
                self.flush();
                self.lists.push(first);
            }
            Tag::Item => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "• ".to_string(),
                };
                self.pending_prefix = Some(marker);
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                let title: String = self.inline.drain(..).map(|(t, _)| t).collect();
                let title = title.trim().to_string();
                if self.color {
                    self.out.push_str(&format!("{STRONG}{title}{STRONG:#}\n\n"));
                } else {
                    let rule = "─".repeat(title.chars().count());
                    self.out.push_str(&format!("{title}\n{rule}\n\n"));
                }
            }
            TagEnd::Paragraph => {
                self.flush();
                if self.lists.is_empty() {
                    self.out.push('\n');
                }
            }
            TagEnd::Strong | TagEnd::Emphasis => {
                self.styles.pop();
            }
            TagEnd::Link => {
                self.styles.pop();
                let url = self.link.take().unwrap_or_default();
                let text: String = self.inline.iter().map(|(t, _)| t.as_str()).collect();
                if !text.ends_with(&url) {
                    self.push(&format!(" <{url}>"), Style::new());
                }
            }
            TagEnd::CodeBlock => {
                let code = self.code_block.take().unwrap_or_default();
                let indent = " ".repeat(self.indent() + 4);
                for line in code.trim_end_matches('\n').lines() {
                    let line = self.paint(CODE, line);
                    self.out.push_str(&format!("{indent}{line}\n"));
                }
                self.out.push('\n');
            }
            TagEnd::Item => self.flush(),
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.out.push('\n');
                }
            }
            _ => {}
        }
    }

    /// Adds inline `text` in `style` combined with the styles open now.
    fn push(&mut self, text: &str, style: Style) {
        let combined = self.styles.iter().fold(style, |acc, s| combine(acc, *s));
        self.inline.push((text.to_string(), combined));
    }

    /// How far the current block is indented: two columns per enclosing list.
    fn indent(&self) -> usize {
        self.lists.len().saturating_sub(1) * 2 + if self.lists.is_empty() { 0 } else { 2 }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color && style != Style::new() {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    /// Writes the collected inline text as wrapped lines.
    fn flush(&mut self) {
        let spans = std::mem::take(&mut self.inline);
        let marker = self.pending_prefix.take();
        if spans.iter().all(|(t, _)| t.trim().is_empty()) {
            if let Some(marker) = marker {
                self.pending_prefix = Some(marker);
            }
            return;
        }
        let indent = self.indent();
        let first = match &marker {
            Some(m) => format!("{}{m}", " ".repeat(indent.saturating_sub(2))),
            None => " ".repeat(indent),
        };
        let rest = " ".repeat(indent);
        let mut line = first.clone();
        let mut used = first.chars().count();
        let mut at_start = true;
        for word in words(&spans) {
            let Some(word) = word else {
                self.out.push_str(line.trim_end());
                self.out.push('\n');
                line = rest.clone();
                used = rest.len();
                at_start = true;
                continue;
            };
            let len: usize = word.iter().map(|(t, _)| t.chars().count()).sum();
            if !at_start && used + 1 + len > self.width {
                self.out.push_str(line.trim_end());
                self.out.push('\n');
                line = rest.clone();
                used = rest.len();
                at_start = true;
            }
            if !at_start {
                line.push(' ');
                used += 1;
            }
            for (text, style) in &word {
                line.push_str(&self.paint(*style, text));
            }
            used += len;
            at_start = false;
        }
        self.out.push_str(line.trim_end());
        self.out.push('\n');
    }
}

/// Two styles' effects together.
fn combine(a: Style, b: Style) -> Style {
    let mut style = a.effects(a.get_effects() | b.get_effects());
    if let Some(color) = b.get_fg_color().or(a.get_fg_color()) {
        style = style.fg_color(Some(color));
    }
    style
}

/// The words of `spans` (a word may mix styles, as in `**Severity:**` glued to text), each as
/// its styled pieces; `None` for a hard line break.
fn words(spans: &[Span]) -> Vec<Option<Vec<Span>>> {
    let mut words = Vec::new();
    let mut word: Vec<Span> = Vec::new();
    for (text, style) in spans {
        if text == "\n" {
            if !word.is_empty() {
                words.push(Some(std::mem::take(&mut word)));
            }
            words.push(None);
            continue;
        }
        let mut piece = String::new();
        for c in text.chars() {
            if c.is_whitespace() {
                if !piece.is_empty() {
                    word.push((std::mem::take(&mut piece), *style));
                }
                if !word.is_empty() {
                    words.push(Some(std::mem::take(&mut word)));
                }
            } else {
                piece.push(c);
            }
        }
        if !piece.is_empty() {
            word.push((piece, *style));
        }
    }
    if !word.is_empty() {
        words.push(Some(word));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "## `team/debug-on`\n\n**Severity:** error  \n**Summary:** debug *on*\n\nWhy it matters, a paragraph long enough to be wrapped at forty columns, with `code`.\n\n- one item\n- two\n\n```toml\nDEBUG = true\n```\n\n**More:** <https://example.com/x>\n";

    #[test]
    fn plain_text_has_no_markdown_and_wraps() {
        let text = render(DOC, 40, false);
        assert_eq!(
            text,
            "team/debug-on\n─────────────\n\nSeverity: error\nSummary: debug on\n\nWhy it matters, a paragraph long enough\nto be wrapped at forty columns, with\ncode.\n\n• one item\n• two\n\n    DEBUG = true\n\nMore: https://example.com/x\n"
        );
    }

    #[test]
    fn color_styles_instead_of_markup() {
        let text = render("**bold** and `code`\n", 80, true);
        assert!(text.contains("\u{1b}[1mbold"), "{text:?}");
        assert!(!text.contains("**") && !text.contains('`'), "{text:?}");
    }

    #[test]
    fn width_is_the_terminals_within_reason() {
        assert_eq!(width(None), 80);
        assert_eq!(width(Some(20)), 80);
        assert_eq!(width(Some(60)), 60);
        assert_eq!(width(Some(300)), 100);
    }
}
