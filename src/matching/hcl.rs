//! A Terraform module's string values, as far as its own files say: `variable` defaults,
//! `locals`, and `terraform.tfvars` / `*.auto.tfvars` assignments (which win over defaults, the
//! `.auto` ones last, in name order, as Terraform loads them), and a line with `var.x` /
//! `local.x` references rewritten with those values, so a rule that judges a literal line judges
//! what it deploys.
//!
//! A small reader rather than an HCL parser: a line-oriented scan that knows strings, comments,
//! heredocs and braces, which is all it takes to find top-level `variable` and `locals` blocks
//! and one-line string values. Anything else (numbers, lists, conditionals, functions, values
//! over several lines) is unknown and stays as written: not judged, never guessed.

pub(crate) use super::origin::Origin;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// How many references deep a value may lead (`local.image` → `var.tag`…) before it is unknown.
const MAX_DEPTH: u32 = 8;

/// The longest rewritten line, in bytes; longer ones are not judged.
const MAX_LINE: usize = 4096;

static VARIABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*variable\s+"([^"]+)"\s*\{(?:.*\bdefault\s*=\s*(.*?)\s*\}\s*$)?"#)
        .expect("valid regex")
});
static LOCALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*locals\s*\{").expect("valid regex"));
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*)$").expect("valid regex")
});
static INTERPOLATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{\s*(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}").expect("valid regex")
});
static BARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([=:]\s*)(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)(\s*(?:,|#|//|$))")
        .expect("valid regex")
});

/// One value a module sets: its text when it is a one-line string, and where it is set.
#[derive(Debug, Clone)]
struct Set {
    text: Option<String>,
    origin: Origin,
}

/// The values of one module directory.
#[derive(Debug, Default)]
pub(crate) struct Module {
    values: HashMap<String, Set>,
}

/// A line with the references it holds rewritten, and where their values are set (outermost
/// first: `local.image`, then the `var.tag` it reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rewritten {
    /// The line as deployed.
    pub text: String,
    /// Where the values used are set.
    pub origins: Vec<Origin>,
}

/// Whether `path` (a file name, or a path) is read into a module: `*.tf`, `terraform.tfvars`,
/// `*.auto.tfvars`.
pub(crate) fn is_module_file(path: &str) -> bool {
    rank(path).is_some()
}

/// The order files are loaded in: `.tf` files, then `terraform.tfvars`, then `*.auto.tfvars`.
fn rank(path: &str) -> Option<u8> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".auto.tfvars") {
        Some(2)
    } else if name == "terraform.tfvars" {
        Some(1)
    } else {
        name.ends_with(".tf").then_some(0)
    }
}

impl Module {
    /// The module its files (path and text) make, loaded in Terraform's order.
    pub(crate) fn new<'f>(files: impl IntoIterator<Item = (&'f str, &'f str)>) -> Module {
        let mut files: Vec<(u8, &str, &str)> = files
            .into_iter()
            .filter_map(|(path, text)| Some((rank(path)?, path, text)))
            .collect();
        files.sort_unstable();
        let mut module = Module::default();
        for (rank, path, text) in files {
            for (name, text, line) in assignments(text, rank > 0) {
                let origin = Origin {
                    name: name.clone(),
                    path: path.to_string(),
                    line,
                };
                module.values.insert(name, Set { text, origin });
            }
        }
        module
    }

    /// `line` with its `${var.x}` / `${local.x}` interpolations and bare `= var.x` values
    /// rewritten with the module's values; `None` when it uses none that are known, or when
    /// references lead too deep (a cycle) or the line grows too long.
    pub(crate) fn rewrite(&self, line: &str) -> Option<Rewritten> {
        if !line.contains("var.") && !line.contains("local.") {
            return None;
        }
        let mut origins = Vec::new();
        let mut overflow = false;
        let bare = BARE.replace_all(line, |c: &regex::Captures| {
            let name = format!("{}.{}", &c[2], &c[3]);
            match self.value(&name, &mut origins, 0) {
                Ok(Some(value)) => format!("{}\"{value}\"{}", &c[1], &c[4]),
                Ok(None) => c[0].to_string(),
                Err(TooDeep) => {
                    overflow = true;
                    String::new()
                }
            }
        });
        let text = self.interpolate(&bare, &mut origins, 0).ok()?;
        let judged = !overflow && !origins.is_empty() && text.len() <= MAX_LINE;
        judged.then_some(Rewritten { text, origins })
    }

    /// `text` with its interpolations of known values replaced.
    fn interpolate(
        &self,
        text: &str,
        origins: &mut Vec<Origin>,
        depth: u32,
    ) -> Result<String, TooDeep> {
        if depth > MAX_DEPTH {
            return Err(TooDeep);
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for c in INTERPOLATED.captures_iter(text) {
            let (Some(whole), name) = (c.get(0), format!("{}.{}", &c[1], &c[2])) else {
                continue;
            };
            out.push_str(&text[last..whole.start()]);
            match self.value(&name, origins, depth + 1)? {
                Some(value) => out.push_str(&value),
                None => out.push_str(whole.as_str()),
            }
            last = whole.end();
            if out.len() > MAX_LINE {
                return Err(TooDeep);
            }
        }
        out.push_str(&text[last..]);
        Ok(out)
    }

    /// The value of `var.x` / `local.x` (`None`: not a known one-line string), its own
    /// references resolved, noting where it is set.
    fn value(
        &self,
        name: &str,
        origins: &mut Vec<Origin>,
        depth: u32,
    ) -> Result<Option<String>, TooDeep> {
        let Some((set, text)) = self
            .values
            .get(name)
            .and_then(|set| Some((set, set.text.as_deref()?)))
        else {
            return Ok(None);
        };
        let mut used = vec![set.origin.clone()];
        let value = self.interpolate(text, &mut used, depth)?;
        origins.extend(used);
        Ok(Some(value))
    }
}

/// References lead too deep (a cycle), or a value grew too long: the line is not judged.
#[derive(Debug)]
struct TooDeep;

/// The values a file sets, as (`var.x` or `local.x`, one-line string value, line): `variable`
/// defaults and `locals` entries at the top level of a `.tf` file, or top-level assignments of a
/// `.tfvars` file (`tfvars`).
fn assignments(text: &str, tfvars: bool) -> Vec<(String, Option<String>, u32)> {
    let mut out = Vec::new();
    let mut scan = Scan::default();
    // The block the scan is in at depth 1: a variable's name, or `None` for `locals`.
    let mut block: Option<Option<String>> = None;
    for (index, line) in text.lines().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if scan.in_heredoc() {
            scan.line(line);
            continue;
        }
        match (scan.depth, &block) {
            (0, _) if tfvars => {
                if let Some(c) = ASSIGNMENT.captures(line) {
                    out.push((format!("var.{}", &c[1]), string(&c[2]), number));
                }
            }
            (0, _) => {
                if let Some(c) = VARIABLE.captures(line) {
                    let name = format!("var.{}", &c[1]);
                    match c.get(2) {
                        Some(default) => out.push((name, string(default.as_str()), number)),
                        None => block = Some(Some(c[1].to_string())),
                    }
                } else if LOCALS.is_match(line) {
                    block = Some(None);
                }
            }
            (1, Some(owner)) => {
                if let Some(c) = ASSIGNMENT.captures(line) {
                    match owner {
                        Some(variable) if &c[1] == "default" => {
                            out.push((format!("var.{variable}"), string(&c[2]), number));
                        }
                        Some(_) => {}
                        None => out.push((format!("local.{}", &c[1]), string(&c[2]), number)),
                    }
                }
            }
            _ => {}
        }
        scan.line(line);
        if scan.depth == 0 {
            block = None;
        }
    }
    out
}

/// A one-line string literal (`"…"`, then nothing but a comment or a comma): its text with
/// `\"` and `\\` unescaped; `None` for anything else.
fn string(value: &str) -> Option<String> {
    let rest = value.trim().strip_prefix('"')?;
    let mut out = String::with_capacity(rest.len());
    let mut chars = rest.char_indices();
    let mut nested = 0usize;
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '$' if rest[i..].starts_with("${") => {
                nested += 1;
                out.push(c);
            }
            '}' if nested > 0 => {
                nested -= 1;
                out.push(c);
            }
            '"' if nested == 0 => {
                let tail = rest[i + 1..].trim_start().trim_start_matches(',').trim();
                let ends = tail.is_empty() || tail.starts_with('#') || tail.starts_with("//");
                return ends.then_some(out);
            }
            _ => out.push(c),
        }
    }
    None
}

/// Where a line-by-line scan of HCL is: brace depth outside strings and comments, inside a
/// `/* */` comment, or inside a heredoc (until its terminator).
#[derive(Debug, Default)]
struct Scan {
    depth: usize,
    comment: bool,
    heredoc: Option<String>,
}

impl Scan {
    fn in_heredoc(&self) -> bool {
        self.heredoc.is_some()
    }

    /// Moves past one line.
    fn line(&mut self, line: &str) {
        if let Some(end) = &self.heredoc {
            if line.trim() == end {
                self.heredoc = None;
            }
            return;
        }
        let bytes = line.as_bytes();
        let (mut i, mut quoted, mut nested) = (0, false, 0usize);
        while i < bytes.len() {
            let (c, next) = (bytes[i], bytes.get(i + 1).copied());
            if self.comment {
                if c == b'*' && next == Some(b'/') {
                    self.comment = false;
                    i += 1;
                }
            } else if quoted {
                match c {
                    b'\\' => i += 1,
                    b'$' if next == Some(b'{') => {
                        nested += 1;
                        i += 1;
                    }
                    b'}' if nested > 0 => nested -= 1,
                    b'"' if nested == 0 => quoted = false,
                    _ => {}
                }
            } else {
                match c {
                    b'"' => quoted = true,
                    b'#' => return,
                    b'/' if next == Some(b'/') => return,
                    b'/' if next == Some(b'*') => {
                        self.comment = true;
                        i += 1;
                    }
                    b'{' => self.depth += 1,
                    b'}' => self.depth = self.depth.saturating_sub(1),
                    b'<' if next == Some(b'<') => {
                        let marker = line[i + 2..].trim_start_matches('-');
                        let end: String = marker
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if !end.is_empty() {
                            self.heredoc = Some(end);
                            return;
                        }
                        i += 1;
                    }
                    _ => {}
                }
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARIABLES: &str = r#"
variable "repository" {
  type    = string
  default = "ghcr.io/acme/api" # the registry
}
variable "image_tag" {
  description = "tag { not a brace }"
  default     = "1.4.2"
}
variable "replicas" { default = 3 }
locals {
  image = "${var.repository}:${var.image_tag}"
  doc = <<-EOT
    image = "x:latest"
  EOT
  name = "api"
}
resource "aws_ecs_task_definition" "api" {
  container_definitions = jsonencode([{ image = local.image, name = local.name }])
}
"#;

    #[test]
    fn defaults_locals_and_tfvars_rewrite_a_line() {
        let module = Module::new([("main.tf", VARIABLES)]);
        let line = "  container_definitions = jsonencode([{ image = local.image, name = \"a\" }])";
        let rewritten = module.rewrite(line).unwrap();
        assert!(
            rewritten
                .text
                .contains("image = \"ghcr.io/acme/api:1.4.2\",")
        );
        let origins = rewritten
            .origins
            .iter()
            .map(|o| format!("{}@{}", o.name, o.line));
        assert_eq!(
            origins.collect::<Vec<_>>().join(" "),
            "local.image@12 var.repository@4 var.image_tag@8"
        );
        let tfvars = "image_tag = \"latest\"\n";
        let module = Module::new([("main.tf", VARIABLES), ("terraform.tfvars", tfvars)]);
        let rewritten = module
            .rewrite("image = \"${var.repository}:${var.image_tag}\"")
            .unwrap();
        assert_eq!(rewritten.text, "image = \"ghcr.io/acme/api:latest\"");
        assert_eq!(rewritten.origins[1].path, "terraform.tfvars");
    }

    #[test]
    fn unknown_values_stay_as_written() {
        let module = Module::new([("main.tf", VARIABLES)]);
        assert_eq!(module.rewrite("replicas = var.replicas"), None);
        assert_eq!(module.rewrite("image = var.other"), None);
        assert_eq!(module.rewrite("x = local.doc"), None);
        assert_eq!(module.rewrite("image = \"nginx:latest\""), None);
    }

    #[test]
    fn self_references_and_hostile_text_end() {
        let loops = "locals {\n  a = \"${local.b}\"\n  b = \"${local.a}\"\n}\n";
        let module = Module::new([("main.tf", loops)]);
        assert_eq!(module.rewrite("image = local.a"), None);
        let broken = "variable \"x\" {\n  default = \"unterminated\n}\n\"}}}{{{\n<<\n";
        let module = Module::new([("main.tf", broken), ("a.auto.tfvars", "= \"\\")]);
        assert_eq!(module.rewrite("image = var.x"), None);
    }
}
