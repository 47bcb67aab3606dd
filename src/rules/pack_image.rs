//! Built-in packs, parsed when the binary is built. Parsing the packs' TOML on every check cost
//! as much as loading a pull request's change; build.rs (which includes this file) parses each
//! pack once, leaves out what a check never reads (worked examples, help texts), and stores
//! the rest as numbers and one string. A check deserializes the rules straight from them, with
//! every span still pointing into the pack's TOML, so errors read as if the TOML were parsed.
//!
//! The image holds no pointers (offsets only), so the dynamic loader has nothing to relocate.

use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use std::ops::Range;

const STRING: u32 = 0;
const INTEGER: u32 = 1;
const BOOLEAN: u32 = 2;
const ARRAY: u32 = 3;
const TABLE: u32 = 4;

/// A pack's TOML as numbers: `nodes[0]` is the root table's index; each node is a tag, its
/// span, and its contents (string offset and length, value, or child indices).
#[cfg_attr(not(test), allow(dead_code, reason = "build.rs stores the images"))]
pub fn encode(toml_text: &str, leave_out: &[&str]) -> Result<(Vec<u32>, String), String> {
    let root = toml::de::DeTable::parse(toml_text).map_err(|e| e.to_string())?;
    let mut image = Encoder {
        nodes: vec![0],
        strings: String::new(),
    };
    let span = root.span();
    let root = image.table(root.get_ref(), span, leave_out, 0)?;
    image.nodes[0] = root;
    Ok((image.nodes, image.strings))
}

#[cfg_attr(not(test), allow(dead_code, reason = "build.rs stores the images"))]
struct Encoder {
    nodes: Vec<u32>,
    strings: String,
}

#[cfg_attr(not(test), allow(dead_code, reason = "build.rs stores the images"))]
impl Encoder {
    fn number(n: usize) -> Result<u32, String> {
        u32::try_from(n).map_err(|_| "a pack is too large for its image".to_string())
    }

    fn string(&mut self, text: &str) -> Result<[u32; 2], String> {
        let at = Self::number(self.strings.len())?;
        self.strings.push_str(text);
        Ok([at, Self::number(text.len())?])
    }

    fn header(&mut self, tag: u32, span: Range<usize>) -> Result<u32, String> {
        let at = Self::number(self.nodes.len())?;
        self.nodes
            .extend([tag, Self::number(span.start)?, Self::number(span.end)?]);
        Ok(at)
    }

    /// Writes `value` (children first) and returns its index. Keys in `leave_out` are dropped
    /// from the tables one level down from the root's arrays: the `[[rule]]` tables.
    fn value(
        &mut self,
        value: &toml::de::DeValue<'_>,
        span: Range<usize>,
        leave_out: &[&str],
        depth: usize,
    ) -> Result<u32, String> {
        use toml::de::DeValue;
        match value {
            DeValue::String(text) => {
                let text = self.string(text)?;
                let at = self.header(STRING, span)?;
                self.nodes.extend(text);
                Ok(at)
            }
            DeValue::Integer(integer) => {
                let n = i64::from_str_radix(integer.as_str(), integer.radix())
                    .map_err(|e| e.to_string())?;
                let at = self.header(INTEGER, span)?;
                let bits = n as u64;
                self.nodes.extend([bits as u32, (bits >> 32) as u32]);
                Ok(at)
            }
            DeValue::Boolean(b) => {
                let at = self.header(BOOLEAN, span)?;
                self.nodes.push(u32::from(*b));
                Ok(at)
            }
            DeValue::Array(items) => {
                let children = items
                    .iter()
                    .map(|item| self.value(item.get_ref(), item.span(), leave_out, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                let at = self.header(ARRAY, span)?;
                self.nodes.push(Self::number(children.len())?);
                self.nodes.extend(children);
                Ok(at)
            }
            DeValue::Table(table) => self.table(table, span, leave_out, depth),
            DeValue::Float(_) | DeValue::Datetime(_) => {
                Err("packs hold no floats or dates".to_string())
            }
        }
    }

    fn table(
        &mut self,
        table: &toml::de::DeTable<'_>,
        span: Range<usize>,
        leave_out: &[&str],
        depth: usize,
    ) -> Result<u32, String> {
        let mut entries = Vec::new();
        for (key, value) in table {
            if depth == 2 && leave_out.contains(&key.get_ref().as_ref()) {
                continue;
            }
            let child = self.value(value.get_ref(), value.span(), leave_out, depth + 1)?;
            entries.push((self.string(key.get_ref())?, child));
        }
        let at = self.header(TABLE, span)?;
        self.nodes.push(Self::number(entries.len())?);
        for ([offset, len], child) in entries {
            self.nodes.extend([offset, len, child]);
        }
        Ok(at)
    }
}

/// Deserializes a `T` from a pack's image.
pub fn deserialize<T: DeserializeOwned>(nodes: &[u32], strings: &str) -> Result<T, String> {
    let image = Image { nodes, strings };
    let root = image.get(0).ok_or("the pack image is empty")?;
    T::deserialize(Node {
        image,
        at: usize::try_from(root).map_err(|e| e.to_string())?,
    })
    .map_err(|e| e.to_string())
}

#[derive(Clone, Copy)]
struct Image<'a> {
    nodes: &'a [u32],
    strings: &'a str,
}

impl<'a> Image<'a> {
    fn get(self, at: usize) -> Option<u32> {
        self.nodes.get(at).copied()
    }

    fn slice(self, at: usize, len: u32) -> Result<&'a [u32], Error> {
        let len = usize::try_from(len).map_err(de::Error::custom)?;
        at.checked_add(len)
            .and_then(|end| self.nodes.get(at..end))
            .ok_or_else(|| de::Error::custom("the pack image is cut short"))
    }

    fn text(self, offset: u32, len: u32) -> Result<&'a str, Error> {
        let start = usize::try_from(offset).map_err(de::Error::custom)?;
        let end = start.saturating_add(usize::try_from(len).map_err(de::Error::custom)?);
        self.strings
            .get(start..end)
            .ok_or_else(|| de::Error::custom("the pack image points outside its strings"))
    }
}

/// One value in an image.
#[derive(Clone, Copy)]
struct Node<'a> {
    image: Image<'a>,
    at: usize,
}

/// What a node holds once read.
enum Read<'a> {
    String(&'a str),
    Integer(i64),
    Boolean(bool),
    Array(&'a [u32]),
    Table(&'a [u32]),
}

impl<'a> Node<'a> {
    fn span(self) -> Result<Range<usize>, Error> {
        let [_, start, end] = self.image.slice(self.at, 3)? else {
            return Err(de::Error::custom("the pack image is cut short"));
        };
        let number = |n: u32| usize::try_from(n).map_err(de::Error::custom);
        Ok(number(*start)?..number(*end)?)
    }

    fn read(self) -> Result<Read<'a>, Error> {
        let image = self.image;
        let tag = image.slice(self.at, 1)?[0];
        let body = self.at + 3;
        match (tag, image.slice(body, 1)?[0]) {
            (STRING, offset) => Ok(Read::String(
                image.text(offset, image.slice(body + 1, 1)?[0])?,
            )),
            (INTEGER, low) => {
                let high = image.slice(body + 1, 1)?[0];
                Ok(Read::Integer(
                    ((u64::from(high) << 32) | u64::from(low)) as i64,
                ))
            }
            (BOOLEAN, b) => Ok(Read::Boolean(b != 0)),
            (ARRAY, n) => Ok(Read::Array(image.slice(body + 1, n)?)),
            (TABLE, n) => Ok(Read::Table(image.slice(body + 1, n.saturating_mul(3))?)),
            _ => Err(de::Error::custom("the pack image has an unknown node")),
        }
    }

    fn child(self, at: u32) -> Result<Node<'a>, Error> {
        Ok(Node {
            image: self.image,
            at: usize::try_from(at).map_err(de::Error::custom)?,
        })
    }
}

impl<'de> IntoDeserializer<'de, Error> for Node<'_> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for Node<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.read()? {
            Read::String(text) => visitor.visit_str(text),
            Read::Integer(n) => visitor.visit_i64(n),
            Read::Boolean(b) => visitor.visit_bool(b),
            Read::Array(children) => {
                let items = children
                    .iter()
                    .map(|&c| self.child(c))
                    .collect::<Result<Vec<_>, _>>()?;
                visitor.visit_seq(SeqDeserializer::new(items.into_iter()))
            }
            Read::Table(entries) => {
                let entries = entries
                    .chunks_exact(3)
                    .map(|e| Ok((self.image.text(e[0], e[1])?, self.child(e[2])?)))
                    .collect::<Result<Vec<_>, Error>>()?;
                visitor.visit_map(MapDeserializer::new(entries.into_iter()))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if serde_spanned::de::is_spanned(name) {
            let span = self.span()?;
            return visitor.visit_map(serde_spanned::de::SpannedDeserializer::new(self, span));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.read()? {
            Read::String(text) => visitor.visit_enum(text.into_deserializer()),
            _ => Err(de::Error::custom("expected a string naming a variant")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::spec::RuleFile;

    fn round_trip(text: &str) -> Result<RuleFile, String> {
        let (nodes, strings) = encode(text, &[])?;
        deserialize(&nodes, &strings)
    }

    /// Rules read from an image are the rules the TOML gives, spans included.
    #[test]
    fn an_image_deserializes_like_its_toml() {
        let text = r#"
[[rule]]
id = "t/one"
severity = "warning"
message = "m {path}"
paths = ["*.yml", "/x/**"]
added = '''(?x) a | b'''
status = ["added", "renamed"]

[rule.query]
path = "a.b[*]"
change = "changed"
is = { value = "^x", tagged = true }
"#;
        let from_toml: RuleFile = toml::from_str(text).unwrap();
        let from_image = round_trip(text).unwrap();
        assert_eq!(format!("{from_toml:?}"), format!("{from_image:?}"));
    }

    #[test]
    fn errors_read_like_the_tomls() {
        let unknown = "[[rule]]\nid = \"t/x\"\nseverity = \"info\"\nmessage = \"m\"\nbogus = 1\n";
        let error = round_trip(unknown).unwrap_err();
        assert!(error.contains("unknown field `bogus`"), "{error}");
        let bad_enum = "[[rule]]\nid = \"t/x\"\nseverity = \"loud\"\nmessage = \"m\"\n";
        assert!(round_trip(bad_enum).unwrap_err().contains("loud"));
    }

    #[test]
    fn damaged_images_are_refused() {
        let (nodes, strings) = encode("[[rule]]\nid = \"t/x\"\n", &[]).unwrap();
        assert!(deserialize::<RuleFile>(&[], &strings).is_err());
        for end in 1..nodes.len() {
            let _ = deserialize::<RuleFile>(&nodes[..end], &strings);
        }
        assert!(deserialize::<toml::Table>(&nodes, "").is_err());
    }
}
