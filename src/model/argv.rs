//! A command line in one allocation.

use std::fmt;

/// argv as its arguments, each followed by a NUL, in one string: the layout of
/// `/proc/PID/cmdline`. A process's facts are cached for its whole life and most are
/// never looked at; one string instead of one per argument halves what they hold.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Argv(Box<str>);

impl Argv {
    /// From `/proc/PID/cmdline` (NUL-separated, normally NUL-terminated; invalid UTF-8
    /// replaced).
    pub fn from_cmdline(raw: &[u8]) -> Argv {
        let mut text = String::from_utf8_lossy(raw).into_owned();
        if !text.is_empty() && !text.ends_with('\0') {
            text.push('\0');
        }
        Argv(text.into_boxed_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split_terminator('\0')
    }

    pub fn first(&self) -> Option<&str> {
        self.iter().next()
    }

    pub fn len(&self) -> usize {
        self.0.bytes().filter(|&b| b == 0).count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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
        Argv(text.into_boxed_str())
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
    fn an_empty_argument_is_not_an_empty_argv() {
        assert!(Argv::from_cmdline(b"").is_empty());
        assert_eq!(Argv::from_cmdline(b"").first(), None);
        let one_empty: Argv = [""].into_iter().collect();
        assert_eq!((one_empty.is_empty(), one_empty.len(), one_empty.first()), (false, 1, Some("")));
        assert_eq!(format!("{one_empty:?}"), r#"[""]"#);
    }
}
