//! The keymap: the binding table of `command` with the tree's keys from the `[keys]`
//! config table, looked up per context and key event, and rendered back into hints.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::command::{BINDINGS, Binding, Command, Context, Keys, bindings};

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
    /// A built-in binding of the table is broken (a bug, caught by the tests).
    BuiltIn {
        detail: String,
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
            KeymapError::BuiltIn { .. } => "",
        }
    }

    /// The position of the offending key in the action's list.
    pub fn index(&self) -> Option<usize> {
        match self {
            KeymapError::BadKey { index, .. } | KeymapError::Conflict { index, .. } => Some(*index),
            KeymapError::UnknownAction { .. } | KeymapError::Unbound { .. } | KeymapError::BuiltIn { .. } => {
                None
            }
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
                let known: Vec<&str> = bindings(Context::Tree)
                    .filter_map(|b| match b.keys {
                        Keys::Config(name) => Some(name),
                        _ => None,
                    })
                    .collect();
                format!("unknown command (known: {})", known.join(", "))
            }
            KeymapError::BadKey { key, .. } => format!("cannot parse key {key:?}"),
            KeymapError::Conflict { key, first, second, .. } => {
                format!("key {key:?} is bound to both {first} and {second}")
            }
            KeymapError::Unbound { action } => format!("{action} needs at least one key"),
            KeymapError::BuiltIn { detail } => format!("built-in binding: {detail}"),
        }
    }
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index() {
            _ if matches!(self, KeymapError::BuiltIn { .. }) => f.write_str(&self.detail()),
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
    by_key: HashMap<(Context, KeySpec), Command>,
    /// The keys of each binding, in the table's order.
    by_binding: BTreeMap<(Context, Command), Vec<KeySpec>>,
}

impl Keymap {
    /// The tree's keys from `keys` (the `[keys]` table), every other context's from the
    /// binding table.
    pub fn from_config(keys: &BTreeMap<String, Vec<String>>) -> Result<Keymap, KeymapError> {
        let mut km = Keymap { by_key: HashMap::new(), by_binding: BTreeMap::new() };
        let mut names: HashMap<KeySpec, &str> = HashMap::new();
        for (action, specs) in keys {
            let command = Command::by_name(action)
                .ok_or_else(|| KeymapError::UnknownAction { action: action.clone() })?;
            for (index, spec) in specs.iter().enumerate() {
                let key = parse_key(spec).ok_or_else(|| KeymapError::BadKey {
                    action: action.clone(),
                    index,
                    key: spec.clone(),
                })?;
                if let Some(previous) = names.insert(key, action).filter(|p| *p != action) {
                    return Err(KeymapError::Conflict {
                        key: spec.clone(),
                        first: previous.to_string(),
                        second: action.clone(),
                        index,
                    });
                }
                km.bind(Context::Tree, command, key);
            }
        }
        if let Some(c) = MUST_BE_BOUND.iter().find(|c| km.keys_in(Context::Tree, **c).is_empty()) {
            let action = c.config_name().unwrap_or_default();
            return Err(KeymapError::Unbound { action: action.to_string() });
        }
        for b in BINDINGS {
            let (Keys::Fixed(specs) | Keys::FixedAndTree(specs, _)) = b.keys else { continue };
            for spec in specs {
                let key = parse_key(spec).ok_or_else(|| built_in(b, spec, "does not parse"))?;
                if km.by_key.contains_key(&(b.context, key)) {
                    return Err(built_in(b, spec, "is bound twice"));
                }
                km.bind(b.context, b.command, key);
            }
        }
        for b in BINDINGS {
            let Keys::FixedAndTree(_, tree_command) = b.keys else { continue };
            for key in km.keys_in(Context::Tree, tree_command).to_vec() {
                if !km.by_key.contains_key(&(b.context, key)) {
                    km.bind(b.context, b.command, key);
                }
            }
        }
        Ok(km)
    }

    fn bind(&mut self, context: Context, command: Command, key: KeySpec) {
        self.by_key.insert((context, key), command);
        let keys = self.by_binding.entry((context, command)).or_default();
        if !keys.contains(&key) {
            keys.push(key);
        }
    }

    /// The tree command of a key.
    pub fn command_for(&self, ev: &KeyEvent) -> Option<Command> {
        self.command_in(Context::Tree, ev)
    }

    /// The command of a key in `context`; a plain character no binding takes is text
    /// where the context reads text.
    pub fn command_in(&self, context: Context, ev: &KeyEvent) -> Option<Command> {
        if let Some(c) = self.by_key.get(&(context, KeySpec::from_event(ev))) {
            return Some(*c);
        }
        let plain = matches!(ev.code, KeyCode::Char(_))
            && !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let text = bindings(context).find(|b| b.keys == Keys::Text).map(|b| b.command);
        text.filter(|_| plain)
    }

    pub fn keys_in(&self, context: Context, command: Command) -> &[KeySpec] {
        self.by_binding.get(&(context, command)).map_or(&[], Vec::as_slice)
    }

    /// The tree keys of a command as the help screen shows them: `q ^C`.
    pub fn keys_label(&self, command: Command) -> String {
        self.label(bindings(Context::Tree).find(|b| b.command == command))
    }

    /// The keys of a binding as the help screen shows them.
    pub fn label(&self, binding: Option<&Binding>) -> String {
        match binding {
            Some(b) if b.keys == Keys::Text => "text".into(),
            Some(b) => self
                .keys_in(b.context, b.command)
                .iter()
                .map(KeySpec::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            None => String::new(),
        }
    }

    /// The bindings of `context` the user can use: all but the destructive ones in
    /// read-only mode.
    pub fn usable(&self, context: Context, read_only: bool) -> impl Iterator<Item = &'static Binding> {
        bindings(context).filter(move |b| !(read_only && (b.command.is_destructive() || context.is_kill())))
    }

    /// Hints `(keys, label)` of a context in table order, for usable bindings with a
    /// label and a key; neighbours with the same label share it (`←→ choose`).
    pub fn hints(&self, context: Context, read_only: bool) -> Vec<(String, &'static str)> {
        let mut hints: Vec<(String, &'static str)> = Vec::new();
        for b in self.usable(context, read_only) {
            let (Some(label), Some(key)) = (b.hint, self.keys_in(context, b.command).first()) else {
                continue;
            };
            match hints.last_mut() {
                Some((keys, last)) if *last == label => keys.push_str(&key.to_string()),
                _ => hints.push((key.to_string(), label)),
            }
        }
        hints
    }

    /// The first keys of `commands` in `context`, run together: `↑↓`.
    pub fn first_keys(&self, context: Context, commands: &[Command]) -> String {
        commands.iter().filter_map(|c| self.keys_in(context, *c).first()).map(KeySpec::to_string).collect()
    }
}

fn built_in(b: &Binding, spec: &str, what: &str) -> KeymapError {
    KeymapError::BuiltIn { detail: format!("{:?} key {spec:?} of {:?} {what}", b.context, b.command) }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
