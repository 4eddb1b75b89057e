//! Where a key is in a config file, and which key a byte offset is in: every
//! config error names a line and, when there is one, the key.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// A step of a key path: a key of a table or an element of an array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A dotted key path as error messages show it: `kill.grace_secs`, `layout[0].path`,
/// `keys.quit[1]`, `keys."a.b"`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    pub fn key(k: &str) -> KeyPath {
        KeyPath(vec![Seg::Key(k.to_string())])
    }

    pub fn then(mut self, k: &str) -> KeyPath {
        self.0.push(Seg::Key(k.to_string()));
        self
    }

    pub fn at(mut self, i: usize) -> KeyPath {
        self.0.push(Seg::Index(i));
        self
    }
}

impl std::fmt::Display for KeyPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if n == 0 => f.write_str(&segment(k))?,
                Seg::Key(k) => write!(f, ".{}", segment(k))?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// One key or array element of the document. Entries point at their parent rather
/// than holding their whole path, so deep nesting of long keys costs no more memory
/// than the file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    parent: Option<usize>,
    seg: Seg,
    key: Option<Range<usize>>,
    value: Range<usize>,
}

/// Every key and element of a document, found with best-effort recovery so a file
/// with a syntax error still has its keys.
pub struct Locator {
    entries: Vec<Entry>,
}

type Items<'a, 'i> = &'a [toml::Spanned<DeValue<'i>>];

impl Locator {
    pub fn new(text: &str) -> Locator {
        let (root, _) = DeTable::parse_recoverable(text);
        let mut entries = Vec::new();
        // Explicit stacks: nesting depth comes from the file.
        let mut tables: Vec<(Option<usize>, &DeTable<'_>)> = vec![(None, root.get_ref())];
        let mut arrays: Vec<(usize, Items<'_, '_>)> = Vec::new();
        while !tables.is_empty() || !arrays.is_empty() {
            if let Some((parent, table)) = tables.pop() {
                for (k, v) in table.iter() {
                    let seg = Seg::Key(k.get_ref().to_string());
                    entries.push(Entry { parent, seg, key: Some(k.span()), value: v.span() });
                    push_value(entries.len() - 1, v.get_ref(), &mut tables, &mut arrays);
                }
            } else if let Some((parent, items)) = arrays.pop() {
                for (i, v) in items.iter().enumerate() {
                    entries.push(Entry {
                        parent: Some(parent),
                        seg: Seg::Index(i),
                        key: None,
                        value: v.span(),
                    });
                    push_value(entries.len() - 1, v.get_ref(), &mut tables, &mut arrays);
                }
            }
        }
        Locator { entries }
    }

    /// The byte offset of a key (or of an element's value).
    pub fn offset_of(&self, path: &KeyPath) -> Option<usize> {
        let mut at: Option<usize> = None;
        for seg in &path.0 {
            at = Some(self.entries.iter().position(|e| e.parent == at && e.seg == *seg)?);
        }
        let e = &self.entries[at?];
        Some(e.key.as_ref().unwrap_or(&e.value).start)
    }

    /// The innermost key whose name or value holds `offset`.
    pub fn key_at(&self, offset: usize) -> Option<KeyPath> {
        let holds = |r: &Range<usize>| r.start <= offset && offset < r.end.max(r.start + 1);
        let (_, found) = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let len = [e.key.as_ref(), Some(&e.value)]
                    .into_iter()
                    .flatten()
                    .filter(|r| holds(r))
                    .map(|r| r.len())
                    .min()?;
                Some((len, i))
            })
            .min_by_key(|(len, _)| *len)?;
        let mut segs = Vec::new();
        let mut at = Some(found);
        while let Some(i) = at {
            segs.push(self.entries[i].seg.clone());
            at = self.entries[i].parent;
        }
        segs.reverse();
        Some(KeyPath(segs))
    }
}

/// A key as a path segment: bare when TOML allows, quoted otherwise.
pub fn segment(key: &str) -> String {
    if is_bare_key(key) { key.to_string() } else { format!("{key:?}") }
}

fn is_bare_key(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The dotted path of a duplicate key, which the parsed document does not hold: the
/// key as written on its line, under the last table header before it.
pub fn duplicate_path(text: &str, offset: usize) -> Option<String> {
    let mut start = offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    if let Some(header) = header_name(line) {
        return Some(header.to_string());
    }
    let written = line.split('=').next()?.trim();
    let table = text[..line_start].lines().rev().find_map(header_name);
    Some(match table {
        Some(t) => format!("{t}.{written}"),
        None => written.to_string(),
    })
}

/// `kill` of `[kill]` or `[[kill]]`.
fn header_name(line: &str) -> Option<&str> {
    let l = line.trim();
    let inner = l
        .strip_prefix("[[")
        .and_then(|r| r.split("]]").next())
        .or_else(|| l.strip_prefix('[').and_then(|r| r.split(']').next()))?;
    Some(inner.trim())
}

fn push_value<'a, 'i>(
    index: usize,
    value: &'a DeValue<'i>,
    tables: &mut Vec<(Option<usize>, &'a DeTable<'i>)>,
    arrays: &mut Vec<(usize, Items<'a, 'i>)>,
) {
    match value {
        DeValue::Table(t) => tables.push((Some(index), t)),
        DeValue::Array(a) => arrays.push((index, a)),
        _ => {}
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// serde's type names in words a config's author uses.
pub fn plain_message(message: &str) -> String {
    let mut m = message.trim().to_string();
    for (from, to) in [
        ("expected u64", "expected a non-negative integer"),
        ("invalid type: map", "invalid type: table"),
        ("invalid type: sequence", "invalid type: array"),
        ("expected a sequence", "expected an array"),
        ("expected a map", "expected a table"),
    ] {
        m = m.replace(from, to);
    }
    if m.starts_with("wanted exactly 1 element") {
        // serde's word for a table where a name (theme, sort, source) was expected.
        return "expected a string".to_string();
    }
    if let Some(i) = m.find("expected struct ") {
        m.replace_range(i.., "expected a table");
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str =
        "refresh_ms = 5\n[kill]\ngrace_secs = 9\n[[layout]]\npath = \"x\"\n[keys]\nquit = [\"q\", \"j\"]\n";

    #[test]
    fn keys_are_found_by_path_and_by_offset() {
        let l = Locator::new(DOC);
        let line = |p: KeyPath| l.offset_of(&p).map(|o| line_col(DOC, o).0);
        assert_eq!(line(KeyPath::key("refresh_ms")), Some(1));
        assert_eq!(line(KeyPath::key("kill").then("grace_secs")), Some(3));
        assert_eq!(line(KeyPath::key("layout").at(0).then("path")), Some(5));
        assert_eq!(line(KeyPath::key("keys").then("quit").at(1)), Some(7));
        assert_eq!(line(KeyPath::key("keys").then("nope")), None);
        let at = |needle: &str| l.key_at(DOC.find(needle).unwrap()).map(|p| p.to_string());
        assert_eq!(at("9").as_deref(), Some("kill.grace_secs"));
        assert_eq!(at("\"j\"").as_deref(), Some("keys.quit[1]"));
        assert_eq!(at("grace").as_deref(), Some("kill.grace_secs"));
        assert_eq!(at("\"x\"").as_deref(), Some("layout[0].path"));
        let quoted = Locator::new("[keys]\n\"a.b\" = 1\n");
        assert_eq!(quoted.offset_of(&KeyPath::key("keys").then("a.b")), Some(7));
        assert_eq!(quoted.key_at(8).map(|p| p.to_string()).as_deref(), Some("keys.\"a.b\""));
    }

    #[test]
    fn a_broken_document_still_has_its_earlier_keys() {
        let text = "refresh_ms = 5\ntheme = = 3\n";
        assert_eq!(Locator::new(text).offset_of(&KeyPath::key("refresh_ms")), Some(0));
    }

    #[test]
    fn duplicates_are_named_by_their_header_and_line() {
        let at = |t: &str, needle: &str| duplicate_path(t, t.rfind(needle).unwrap());
        assert_eq!(at("a = 1\na = 2\n", "a").as_deref(), Some("a"));
        assert_eq!(
            at("[kill]\ngrace_secs = 1\ngrace_secs = 2\n", "grace").as_deref(),
            Some("kill.grace_secs")
        );
        assert_eq!(at("kill.grace_secs = 1\n[kill]\n", "kill").as_deref(), Some("kill"));
        assert_eq!(at("[[layout]]\npath = \"x\"\npath = \"y\"\n", "path").as_deref(), Some("layout.path"));
    }

    #[test]
    fn line_col_counts_characters_and_survives_bad_offsets() {
        assert_eq!(line_col("é = 1\nx", 7), (2, 1));
        assert_eq!(line_col("éa", 1), (1, 1));
        assert_eq!(line_col("ab", 99), (1, 3));
    }
}
