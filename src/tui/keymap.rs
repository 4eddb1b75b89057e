//! Key bindings as data: parsed from the `[keys]` config table, looked up per key event,
//! and rendered back into the help screen and footer.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::command::{COMMANDS, Command};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

/// A bad `[keys]` table; `index` is the position of the offending key in its list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeymapError {
    UnknownAction {
        action: String,
    },
    BadKey {
        action: String,
        index: usize,
        key: String,
    },
    Conflict {
        key: String,
        first: String,
        second: String,
        index: usize,
    },
    /// A command that must keep a key (quit, help) has none.
    Unbound {
        action: String,
    },
}

/// Commands an empty list may not unbind: without them there is no way out or no way
/// to learn the keys.
pub const MUST_BE_BOUND: &[Command] = &[Command::Quit, Command::Help];

impl KeymapError {
    /// The `[keys]` action it is about (the later one of a conflict).
    pub fn action(&self) -> &str {
        match self {
            KeymapError::UnknownAction { action }
            | KeymapError::Unbound { action }
            | KeymapError::BadKey { action, .. } => action,
            KeymapError::Conflict { second, .. } => second,
        }
    }

    /// The position of the offending key in the action's list.
    pub fn index(&self) -> Option<usize> {
        match self {
            KeymapError::BadKey { index, .. } | KeymapError::Conflict { index, .. } => Some(*index),
            KeymapError::UnknownAction { .. } | KeymapError::Unbound { .. } => None,
        }
    }

    /// The other action of a conflict.
    pub fn other_action(&self) -> Option<&str> {
        match self {
            KeymapError::Conflict { first, .. } => Some(first),
            _ => None,
        }
    }

    /// What is wrong, without the entry.
    pub fn detail(&self) -> String {
        match self {
            KeymapError::UnknownAction { .. } => {
                let known: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
                format!("unknown command (known: {})", known.join(", "))
            }
            KeymapError::BadKey { key, .. } => format!("cannot parse key {key:?}"),
            KeymapError::Conflict { key, first, second, .. } => {
                format!("key {key:?} is bound to both {first} and {second}")
            }
            KeymapError::Unbound { action } => format!("{action} needs at least one key"),
        }
    }
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index() {
            Some(i) => write!(f, "keys.{}[{i}]: {}", self.action(), self.detail()),
            None => write!(f, "keys.{}: {}", self.action(), self.detail()),
        }
    }
}

impl std::error::Error for KeymapError {}

pub fn parse_key(spec: &str) -> Option<KeySpec> {
    let mut ctrl = false;
    let mut alt = false;
    let mut rest = spec;
    loop {
        if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
            ctrl = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
            alt = true;
            rest = r;
        } else {
            break;
        }
    }
    let code = match rest {
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" => KeyCode::PageUp,
        "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" => KeyCode::Delete,
        f if f.len() > 1 && f.starts_with('f') => {
            KeyCode::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?)
        }
        c if c.chars().count() == 1 => {
            let ch = c.chars().next()?;
            // ctrl-C arrives as ctrl + 'c'.
            KeyCode::Char(if ctrl { ch.to_ascii_lowercase() } else { ch })
        }
        _ => return None,
    };
    Some(KeySpec { code, ctrl, alt })
}

impl KeySpec {
    pub fn from_event(ev: &KeyEvent) -> KeySpec {
        let code = match ev.code {
            KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        KeySpec {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("^")?;
        }
        if self.alt {
            f.write_str("M-")?;
        }
        match self.code {
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("S-Tab"),
            KeyCode::Backspace => f.write_str("Bksp"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.ctrl => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<KeySpec, Command>,
    by_command: BTreeMap<Command, Vec<KeySpec>>,
}

impl Keymap {
    pub fn from_config(keys: &BTreeMap<String, Vec<String>>) -> Result<Keymap, KeymapError> {
        let mut by_key: HashMap<KeySpec, Command> = HashMap::new();
        let mut by_command: BTreeMap<Command, Vec<KeySpec>> = BTreeMap::new();
        for (action, specs) in keys {
            let command = Command::by_name(action)
                .ok_or_else(|| KeymapError::UnknownAction { action: action.clone() })?;
            for (index, spec) in specs.iter().enumerate() {
                let key = parse_key(spec).ok_or_else(|| KeymapError::BadKey {
                    action: action.clone(),
                    index,
                    key: spec.clone(),
                })?;
                if let Some(previous) = by_key.insert(key, command).filter(|p| *p != command) {
                    return Err(KeymapError::Conflict {
                        key: spec.clone(),
                        first: previous.info().name.to_string(),
                        second: action.clone(),
                        index,
                    });
                }
                by_command.entry(command).or_default().push(key);
            }
        }
        if let Some(c) = MUST_BE_BOUND.iter().find(|c| !by_command.contains_key(c)) {
            return Err(KeymapError::Unbound { action: c.info().name.to_string() });
        }
        Ok(Keymap { by_key, by_command })
    }

    pub fn command_for(&self, ev: &KeyEvent) -> Option<Command> {
        self.by_key.get(&KeySpec::from_event(ev)).copied()
    }

    /// The keys of a command as the help screen shows them: `q ^C`.
    pub fn keys_label(&self, command: Command) -> String {
        self.by_command
            .get(&command)
            .map(|ks| ks.iter().map(KeySpec::to_string).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }

    /// Footer hints `(first key, label)` in help order, for bound commands with a label.
    pub fn footer_hints(&self) -> Vec<(String, &'static str)> {
        COMMANDS
            .iter()
            .filter_map(|c| {
                let key = self.by_command.get(&c.command)?.first()?;
                Some((key.to_string(), c.footer?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_bind_vim_and_arrow_keys() {
        let km = Keymap::from_config(&Config::default().keys).unwrap();
        assert_eq!(km.command_for(&ev(KeyCode::Char('j'), KeyModifiers::NONE)), Some(Command::Down));
        assert_eq!(km.command_for(&ev(KeyCode::Down, KeyModifiers::NONE)), Some(Command::Down));
        assert_eq!(km.command_for(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Command::Bottom));
        assert_eq!(km.command_for(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Command::Quit));
        assert_eq!(km.command_for(&ev(KeyCode::Char('c'), KeyModifiers::NONE)), None);
        assert_eq!(km.keys_label(Command::Quit), "q ^C");
    }

    #[test]
    fn bad_bindings_are_reported() {
        let mut keys = Config::default().keys;
        keys.insert("fly".into(), vec!["f".into()]);
        assert!(matches!(Keymap::from_config(&keys), Err(KeymapError::UnknownAction { .. })));
        let mut keys = Config::default().keys;
        keys.insert("quit".into(), vec!["ctrl-".into()]);
        assert!(matches!(Keymap::from_config(&keys), Err(KeymapError::BadKey { .. })));
        let mut keys = Config::default().keys;
        keys.insert("quit".into(), vec!["j".into()]);
        let e = Keymap::from_config(&keys).unwrap_err();
        assert!(e.to_string().contains("\"j\" is bound to both"), "{e}");
    }

    #[test]
    fn quit_and_help_cannot_be_left_without_a_key_but_others_can() {
        for action in ["quit", "help"] {
            let mut keys = Config::default().keys;
            keys.insert(action.into(), Vec::new());
            let e = Keymap::from_config(&keys).unwrap_err();
            assert_eq!(e, KeymapError::Unbound { action: action.into() });
            assert_eq!(e.to_string(), format!("keys.{action}: {action} needs at least one key"));
        }
        let mut keys = Config::default().keys;
        keys.insert("kill".into(), Vec::new());
        let km = Keymap::from_config(&keys).unwrap();
        assert_eq!(km.command_for(&ev(KeyCode::Char('x'), KeyModifiers::NONE)), None);
    }

    #[test]
    fn key_names_parse() {
        assert_eq!(parse_key("f5").map(|k| k.code), Some(KeyCode::F(5)));
        assert_eq!(parse_key("alt-x"), Some(KeySpec { code: KeyCode::Char('x'), ctrl: false, alt: true }));
        assert_eq!(parse_key("f13"), None);
        assert_eq!(parse_key("hyper-x"), None);
    }
}
