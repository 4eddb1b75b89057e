//! A command line in one allocation, and the escaping that keeps bytes that are not
//! UTF-8 (process names, arguments, paths, branches) as text without losing them.

use std::borrow::Cow;
use std::fmt;

/// `raw` as text: valid UTF-8 as it is (borrowed); anything else owned, with each
/// byte that is not part of valid UTF-8 as `\xNN` and each `\` doubled, so that
/// [`unescape`] gives back `raw` exactly.
pub fn escape_bytes(raw: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(raw) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(raw.len() + 8);
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        for b in chunk.invalid() {
            use std::fmt::Write;
            // Writing to a String cannot fail.
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    Cow::Owned(out)
}

/// The bytes that [`escape_bytes`] turned into the owned `text`.
pub fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let (b, len) = match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(b'\\')) => (b'\\', 2),
            (b'\\', Some(b'x')) => match bytes.get(i + 2..i + 4).and_then(hex_byte) {
                Some(v) => (v, 4),
                None => (b'\\', 1),
            },
            (b, _) => (b, 1),
        };
        out.push(b);
        i += len;
    }
    out
}

fn hex_byte(digits: &[u8]) -> Option<u8> {
    u8::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// argv as its arguments, each followed by a NUL, in one string: the layout of
/// `/proc/PID/cmdline`. A process's facts are cached for its whole life and most are
/// never looked at; one string instead of one per argument halves what they hold.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Argv {
    text: Box<str>,
    /// Read from bytes that are not all UTF-8: every argument is [`escape_bytes`]'s
    /// owned form.
    escaped: bool,
}

impl Argv {
    /// From `/proc/PID/cmdline` (NUL-separated, normally NUL-terminated; bytes that are
    /// not UTF-8 escaped by [`escape_bytes`]).
    pub fn from_cmdline(raw: &[u8]) -> Argv {
        let text = escape_bytes(raw);
        let escaped = matches!(text, Cow::Owned(_));
        let mut text = text.into_owned();
        if !text.is_empty() && !text.ends_with('\0') {
            text.push('\0');
        }
        Argv { text: text.into_boxed_str(), escaped }
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.text.split_terminator('\0')
    }

    pub fn first(&self) -> Option<&str> {
        self.iter().next()
    }

    pub fn len(&self) -> usize {
        self.text.bytes().filter(|&b| b == 0).count()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Whether the arguments are escaped text (see [`escape_bytes`]).
    pub fn is_escaped(&self) -> bool {
        self.escaped
    }

    /// The exact bytes of each argument.
    pub fn bytes(&self) -> Vec<Vec<u8>> {
        if self.escaped {
            self.iter().map(unescape).collect()
        } else {
            self.iter().map(|a| a.as_bytes().to_vec()).collect()
        }
    }

    /// The arguments joined with `sep`.
    pub fn join(&self, sep: &str) -> String {
        self.iter().collect::<Vec<_>>().join(sep)
    }
}

impl<S: AsRef<str>> FromIterator<S> for Argv {
    fn from_iter<I: IntoIterator<Item = S>>(args: I) -> Argv {
        let mut text = String::new();
        for a in args {
            text.push_str(a.as_ref());
            text.push('\0');
        }
        Argv { text: text.into_boxed_str(), escaped: false }
    }
}

impl fmt::Debug for Argv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmdline_layout_round_trips() {
        let a = Argv::from_cmdline(b"bash\0-c\0echo hi\0");
        assert_eq!(a.iter().collect::<Vec<_>>(), ["bash", "-c", "echo hi"]);
        assert_eq!((a.first(), a.len(), a.join(" ")), (Some("bash"), 3, "bash -c echo hi".to_string()));
        assert_eq!(Argv::from_cmdline(b"a\0\0b\0").iter().collect::<Vec<_>>(), ["a", "", "b"]);
        assert_eq!(Argv::from_cmdline(b"no terminator"), ["no terminator"].into_iter().collect());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_escaped_losslessly() {
        assert!(matches!(escape_bytes(b"plain \\x41"), Cow::Borrowed("plain \\x41")));
        assert_eq!(escape_bytes(b"a\\\xff\xfe"), "a\\\\\\xff\\xfe");
        assert_eq!(unescape("a\\\\\\xff\\xfe"), b"a\\\xff\xfe");
        let a = Argv::from_cmdline(b"sl\xffeep\0x600\0");
        assert!(a.is_escaped());
        assert_eq!(a.iter().collect::<Vec<_>>(), ["sl\\xffeep", "x600"]);
        assert_eq!(a.bytes(), [b"sl\xffeep".to_vec(), b"x600".to_vec()]);
        assert!(!Argv::from_cmdline(b"ok\0").is_escaped());
    }

    #[test]
    fn an_empty_argument_is_not_an_empty_argv() {
        assert!(Argv::from_cmdline(b"").is_empty());
        assert_eq!(Argv::from_cmdline(b"").first(), None);
        let one_empty: Argv = [""].into_iter().collect();
        assert_eq!((one_empty.is_empty(), one_empty.len(), one_empty.first()), (false, 1, Some("")));
        assert_eq!(format!("{one_empty:?}"), r#"[""]"#);
    }
}
