//! CloudFormation values reached through the template's own functions: `Ref` to a parameter
//! with a `Default`, `Fn::Sub` (with or without a variable map), `Fn::Join`, `Fn::Split` (as a
//! comma-separated list) and `Fn::FindInMap` over `Mappings` with keys the template fixes, in their short (`!Ref`) and long (`{"Ref": …}`)
//! forms. A parameter default is what the stack deploys when nobody overrides it, so a risky
//! default is judged like the literal it stands for, and reported where it is written.

use super::tree::{Node, Value};

/// How deep functions may nest inside one another before the value is not judged.
const MAX_DEPTH: u32 = 8;

/// The longest value built from functions, in bytes; longer ones are not judged.
const MAX_TEXT: usize = 4096;

/// What an unknown part of a joined or substituted value reads as: a variable, as `!Sub` writes
/// one, so image and origin checks see a value they cannot pin down.
const UNKNOWN: &str = "${?}";

/// The parameters and mappings of one template: what its functions may reach.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Template<'d> {
    parameters: Option<&'d Node>,
    mappings: Option<&'d Node>,
}

/// A value computed from functions: its text, and where the defaults and mapping values it used
/// are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The value as deployed with the defaults.
    pub text: String,
    /// The lines of the parameter defaults and mapping values used, in order of use.
    pub lines: Vec<u32>,
    /// The parameters whose defaults were used.
    pub parameters: Vec<String>,
}

/// What one resolution has used so far.
#[derive(Default)]
struct Used {
    lines: Vec<u32>,
    parameters: Vec<String>,
    /// Nesting too deep or text too long somewhere: the whole value is not judged.
    overflow: bool,
}

impl<'d> Template<'d> {
    /// The template among a file's documents: the first with `Resources`; `None` when none has.
    pub(crate) fn find(docs: &'d [Node]) -> Option<Template<'d>> {
        docs.iter().find_map(Template::of)
    }

    /// The template a document is, if it has `Resources`.
    pub(crate) fn of(doc: &'d Node) -> Option<Template<'d>> {
        doc.get("Resources")?;
        Some(Template {
            parameters: doc.get("Parameters"),
            mappings: doc.get("Mappings"),
        })
    }

    /// The value `node` computes when it is a function this reader knows (`None` otherwise, and
    /// for a `Ref` to something without a default: a resource, a pseudo parameter, a parameter
    /// the deployer must give). Parts of a `Fn::Sub` or `Fn::Join` that cannot be known read as
    /// variables (`${AWS::Region}`).
    pub(crate) fn resolve(&self, node: &Node) -> Option<Resolved> {
        if !is_function(node) {
            return None;
        }
        let mut used = Used::default();
        let text = self.value(node, &mut used, 0)?;
        if used.overflow {
            return None;
        }
        Some(Resolved {
            text,
            lines: used.lines,
            parameters: used.parameters,
        })
    }

    /// A node's value: a literal, or a function computed; `None` when it cannot be known.
    fn value(&self, node: &Node, used: &mut Used, depth: u32) -> Option<String> {
        if depth > MAX_DEPTH {
            used.overflow = true;
            return None;
        }
        let text = match &node.resolved().value {
            Value::Scalar { text, tag: None } => text.clone(),
            Value::Scalar { text, tag: Some(t) } if t == "!Ref" => self.parameter(text, used)?,
            Value::Scalar { text, tag: Some(t) } if t == "!Sub" => {
                self.substitute(text, None, used, depth)?
            }
            Value::Map(entries) => match entries.as_slice() {
                [(f, arg)] if f == "Ref" => self.parameter(arg.text()?, used)?,
                [(f, arg)] if f == "Fn::Sub" => match arg.items() {
                    Some([text, vars]) => self.substitute(text.text()?, Some(vars), used, depth)?,
                    Some(_) => return None,
                    None => self.substitute(arg.text()?, None, used, depth)?,
                },
                [(f, arg)] if f == "Fn::Join" => self.join(arg, used, depth)?,
                [(f, arg)] if f == "Fn::FindInMap" => self.find_in_map(arg, used, depth)?,
                [(f, arg)] if f == "Fn::Split" => self.split(arg, used, depth)?,
                _ => return None,
            },
            _ => return None,
        };
        used.overflow |= text.len() > MAX_TEXT;
        (!used.overflow).then_some(text)
    }

    /// A part of a joined or substituted value: its value, else a variable naming it.
    fn part(&self, node: &Node, used: &mut Used, depth: u32) -> String {
        self.value(node, used, depth + 1)
            .unwrap_or_else(|| match &node.resolved().value {
                Value::Scalar { text, tag: Some(_) } => format!("${{{text}}}"),
                _ => UNKNOWN.to_string(),
            })
    }

    /// The default of parameter `name`, noted as used.
    fn parameter(&self, name: &str, used: &mut Used) -> Option<String> {
        let default = self.parameters?.get(name)?.get("Default")?;
        let text = default.text()?.to_string();
        used.lines.push(default.line);
        used.parameters.push(name.to_string());
        Some(text)
    }

    /// `Fn::Sub`: each `${Name}` replaced by the variable map's value or the parameter's
    /// default, kept as written when neither is known (`${AWS::Region}`, `${Res.Attr}`);
    /// `${!Literal}` is the literal `${Literal}`.
    fn substitute(
        &self,
        text: &str,
        vars: Option<&Node>,
        used: &mut Used,
        depth: u32,
    ) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find("${") {
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 2..open + close];
            out.push_str(&rest[..open]);
            let known = match vars.and_then(|v| v.get(name)) {
                Some(var) => Some(self.part(var, used, depth)),
                None if name.starts_with('!') => Some(format!("${{{}}}", &name[1..])),
                None => self.parameter(name, used),
            };
            match known {
                Some(value) => out.push_str(&value),
                None => out.push_str(&rest[open..=open + close]),
            }
            if out.len() > MAX_TEXT {
                used.overflow = true;
                return None;
            }
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// `Fn::Join [delimiter, [parts]]`.
    fn join(&self, arg: &Node, used: &mut Used, depth: u32) -> Option<String> {
        let [delimiter, parts] = arg.items()? else {
            return None;
        };
        let delimiter = delimiter.text()?;
        let mut out = String::new();
        for (i, part) in parts.items()?.iter().enumerate() {
            if i > 0 {
                out.push_str(delimiter);
            }
            out.push_str(&self.part(part, used, depth));
            if out.len() > MAX_TEXT {
                used.overflow = true;
                return None;
            }
        }
        Some(out)
    }

    /// `Fn::Split [delimiter, text]`: the list as a comma-separated text, as a
    /// `CommaDelimitedList` parameter writes it.
    fn split(&self, arg: &Node, used: &mut Used, depth: u32) -> Option<String> {
        let [delimiter, text] = arg.items()? else {
            return None;
        };
        let delimiter = delimiter.text().filter(|d| !d.is_empty())?;
        Some(self.value(text, used, depth + 1)?.replace(delimiter, ","))
    }

    /// `Fn::FindInMap [map, top key, second key]` with keys the template fixes.
    fn find_in_map(&self, arg: &Node, used: &mut Used, depth: u32) -> Option<String> {
        let [map, top, second] = arg.items()? else {
            return None;
        };
        let key = |k: &Node, used: &mut Used| self.value(k, used, depth + 1);
        let (map, top, second) = (key(map, used)?, key(top, used)?, key(second, used)?);
        let value = self.mappings?.get(&map)?.get(&top)?.get(&second)?;
        let text = value.text()?.to_string();
        used.lines.push(value.line);
        Some(text)
    }
}

/// The functions this reader computes, in their long form.
const FUNCTIONS: [&str; 5] = ["Ref", "Fn::Sub", "Fn::Join", "Fn::FindInMap", "Fn::Split"];

/// Whether `node` is a function call this reader computes.
fn is_function(node: &Node) -> bool {
    match &node.resolved().value {
        Value::Scalar { tag: Some(t), .. } => t == "!Ref" || t == "!Sub",
        Value::Map(entries) => matches!(
            entries.as_slice(),
            [(f, _)] if FUNCTIONS.contains(&f.as_str())
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::tree::parse;

    const TEMPLATE: &str = "\
Parameters:
  Tag: {Type: String, Default: latest}
  Repo:
    Type: String
    Default: acme/app
  Origins: {Type: String}
Mappings:
  Images: {prod: {tag: '1.4.2'}}
Resources:
  A: {Image: !Ref Tag}
  B: {Image: {\"Fn::Sub\": [\"${R}:${Tag}\", {R: !Ref Repo}]}}
  C: {Image: !Join [':', [!GetAtt Repo.RepositoryUri, !Ref Tag]]}
  D: {Image: !FindInMap [Images, prod, tag]}
  E: {Image: !Ref Origins}
  F: {Image: !Sub '${AWS::AccountId}.dkr.ecr/${Repo}:${!x}'}
  G: {Image: !Split [';', !Sub 'https://a.example;${Tag}']}
";

    fn resolve(id: &str) -> Option<Resolved> {
        let docs = parse(TEMPLATE).unwrap();
        let template = Template::find(&docs).unwrap();
        let image = docs[0].get("Resources")?.get(id)?.get("Image")?;
        template.resolve(image)
    }

    #[test]
    fn functions_reach_defaults_and_mappings_with_their_lines() {
        let a = resolve("A").unwrap();
        assert_eq!((a.text.as_str(), a.lines.as_slice()), ("latest", &[2][..]));
        assert_eq!(a.parameters, ["Tag"]);
        let b = resolve("B").unwrap();
        assert_eq!(
            (b.text.as_str(), b.lines.as_slice()),
            ("acme/app:latest", &[5, 2][..])
        );
        let c = resolve("C").unwrap();
        assert_eq!(c.text, "${Repo.RepositoryUri}:latest");
        assert_eq!(
            resolve("D").map(|d| (d.text, d.lines)),
            Some(("1.4.2".into(), vec![8]))
        );
        let f = resolve("F").unwrap();
        assert_eq!(f.text, "${AWS::AccountId}.dkr.ecr/acme/app:${x}");
        assert_eq!(resolve("G").unwrap().text, "https://a.example,latest");
    }

    #[test]
    fn a_reference_without_a_default_is_not_known() {
        assert_eq!(resolve("E"), None);
    }

    #[test]
    fn deep_or_huge_values_are_not_judged() {
        let mut nested = "x".to_string();
        for _ in 0..20 {
            nested = format!("!Join ['', [{nested}]]");
        }
        let docs = parse(&format!("Resources:\n  A: {{Image: {nested}}}\n")).unwrap();
        let template = Template::find(&docs).unwrap();
        let image = docs[0]
            .get("Resources")
            .and_then(|r| r.get("A")?.get("Image"));
        assert_eq!(template.resolve(image.unwrap()), None);
        let big = format!(
            "Parameters: {{P: {{Default: '{}'}}}}\nResources:\n  A: {{Image: !Sub '${{P}}${{P}}'}}\n",
            "a".repeat(3000)
        );
        let docs = parse(&big).unwrap();
        let template = Template::find(&docs).unwrap();
        let image = docs[0]
            .get("Resources")
            .and_then(|r| r.get("A")?.get("Image"));
        assert_eq!(template.resolve(image.unwrap()), None);
    }
}
