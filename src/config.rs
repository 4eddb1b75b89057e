//! Configuration: one pure resolve, defaults < config file < environment < flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::model::sort::SortKey;
use crate::sample::SourceKind;

/// The shipped defaults, embedded so the binary needs no files.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub refresh_ms: u64,
    pub theme: Theme,
    pub read_only: bool,
    pub sort: SortKey,
    pub source: SourceKind,
    pub subreapers: Vec<String>,
    /// Program names recognised as agents besides claude, codex, aider, gemini, goose,
    /// opencode, cursor-agent and amp.
    pub agents: Vec<String>,
    /// vibe-kanban base directories (workspaces under `<dir>/worktrees/`).
    pub vibe_kanban_dirs: Vec<PathBuf>,
    pub kill: KillConfig,
    /// `[[layout]]`: directory patterns of orchestrators swarmtop does not know.
    #[serde(default)]
    pub layout: Vec<LayoutConfig>,
    /// TUI action name → key specs; parsed and checked by `tui::keymap`.
    pub keys: BTreeMap<String, Vec<String>>,
}

/// The shipped key bindings (mirrored in `config/default.toml`; a test checks they agree).
pub const DEFAULT_KEYS: &[(&str, &[&str])] = &[
    ("quit", &["q", "ctrl-c"]),
    ("up", &["up", "k"]),
    ("down", &["down", "j"]),
    ("page_up", &["pageup", "ctrl-b"]),
    ("page_down", &["pagedown", "ctrl-f"]),
    ("top", &["home", "g"]),
    ("bottom", &["end", "G"]),
    ("expand", &["right", "l"]),
    ("collapse", &["left", "h"]),
    ("toggle", &["enter"]),
    ("expand_all", &["+"]),
    ("collapse_all", &["-"]),
    ("filter", &["/"]),
    ("clear_filter", &["esc"]),
    ("sort_next", &["s"]),
    ("sort_reverse", &["S"]),
    ("toggle_other", &["a"]),
    ("orphans_only", &["o"]),
    ("pause", &["p"]),
    ("detail", &["tab", "d"]),
    ("help", &["?", "f1"]),
    ("kill", &["x"]),
    ("kill_tree", &["X"]),
    ("kill_orphans", &["O"]),
];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutConfig {
    /// e.g. `/srv/agents/{project}/{task}/{attempt}`
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KillConfig {
    pub grace_secs: u64,
    pub protect: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Default,
    Mono,
}

impl<'de> Deserialize<'de> for SourceKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SourceKind, D::Error> {
        match String::deserialize(d)?.as_str() {
            "auto" => Ok(SourceKind::Auto),
            "procfs" => Ok(SourceKind::Procfs),
            "sysinfo" => Ok(SourceKind::Sysinfo),
            other => Err(serde::de::Error::unknown_variant(other, &["auto", "procfs", "sysinfo"])),
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            refresh_ms: 1000,
            theme: Theme::Default,
            read_only: false,
            sort: SortKey::Cpu,
            source: SourceKind::Auto,
            subreapers: vec!["systemd".into()],
            agents: Vec::new(),
            vibe_kanban_dirs: vec!["/var/tmp/vibe-kanban".into(), "/tmp/vibe-kanban".into()],
            kill: KillConfig {
                grace_secs: 5,
                protect: ["sshd", "systemd", "init", "tmux: server", "dockerd", "containerd"]
                    .map(String::from)
                    .to_vec(),
            },
            layout: Vec::new(),
            keys: DEFAULT_KEYS
                .iter()
                .map(|(action, keys)| (action.to_string(), keys.iter().map(|k| k.to_string()).collect()))
                .collect(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("{file}:{line}:{column}: {message}")]
    Parse { file: String, line: usize, column: usize, message: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("cannot read config file {file}: {message}")]
    Read { file: String, message: String },
}

/// Overrides from the command line; `None` keeps the config's value.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub refresh_ms: Option<u64>,
    pub read_only: bool,
    pub source: Option<SourceKind>,
}

/// A config file's path and text, already read by the caller.
pub struct FileInput<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

/// Merges the layers. `env` looks up an environment variable.
pub fn resolve(
    file: Option<FileInput<'_>>,
    env: &dyn Fn(&str) -> Option<String>,
    flags: &Flags,
) -> Result<Config, ConfigError> {
    let mut merged: toml::Table =
        DEFAULT_TOML.parse().map_err(|e| parse_error("<built-in defaults>", DEFAULT_TOML, e))?;
    let file_name = file.as_ref().map(|f| f.path.display().to_string()).unwrap_or_default();
    if let Some(f) = &file {
        let user: toml::Table = f.text.parse().map_err(|e| parse_error(&file_name, f.text, e))?;
        merge(&mut merged, user);
    }
    let mut config: Config = Config::deserialize(toml::Value::Table(merged)).map_err(|e| match &file {
        // Unknown keys and bad values in the user file: find the key's line there.
        Some(f) => locate(&file_name, f.text, e.message()),
        None => ConfigError::Invalid { file: "<built-in defaults>".into(), message: e.message().to_string() },
    })?;
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        config.theme = Theme::Mono;
    }
    if let Some(ms) = flags.refresh_ms {
        config.refresh_ms = ms;
    }
    if let Some(source) = flags.source {
        config.source = source;
    }
    config.read_only |= flags.read_only;
    for (i, layout) in config.layout.iter().enumerate() {
        if let Err(message) = crate::model::layout::LayoutPattern::parse(&layout.path) {
            return Err(ConfigError::Invalid {
                file: file_name.clone(),
                message: format!("layout[{i}].path: {message}"),
            });
        }
    }
    if !(100..=60_000).contains(&config.refresh_ms) {
        return Err(ConfigError::Invalid {
            file: if file.is_some() { file_name } else { "--refresh".into() },
            message: format!("refresh_ms = {} is outside 100..=60000", config.refresh_ms),
        });
    }
    Ok(config)
}

/// The user config path: `$XDG_CONFIG_HOME/swarmtop/config.toml`, else
/// `~/.config/swarmtop/config.toml`.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    xdg_path(env, "XDG_CONFIG_HOME", ".config", "config.toml")
}

/// `$<xdg_var>/swarmtop/<name>`, else `~/<home_default>/swarmtop/<name>` (XDG base dirs).
pub fn xdg_path(
    env: &dyn Fn(&str) -> Option<String>,
    xdg_var: &str,
    home_default: &str,
    name: &str,
) -> Option<PathBuf> {
    let base = env(xdg_var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(home_default)))?;
    Some(base.join("swarmtop").join(name))
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

fn parse_error(file: &str, text: &str, e: toml::de::Error) -> ConfigError {
    let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
    ConfigError::Parse { file: file.to_string(), line, column, message: e.message().trim().to_string() }
}

/// Points a semantic error (unknown field `x`, bad value for `x`) at the key's line.
fn locate(file: &str, text: &str, message: &str) -> ConfigError {
    let key = message.split('`').nth(1).filter(|k| !k.is_empty());
    let line = key.and_then(|k| {
        text.lines().position(|l| {
            let l = l.trim_start();
            l.strip_prefix(k).is_some_and(|rest| rest.trim_start().starts_with('='))
        })
    });
    match line {
        Some(i) => {
            ConfigError::Parse { file: file.into(), line: i + 1, column: 1, message: message.to_string() }
        }
        None => ConfigError::Invalid { file: file.into(), message: message.to_string() },
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn with_file(text: &str) -> Result<Config, ConfigError> {
        resolve(Some(FileInput { path: Path::new("/c/config.toml"), text }), &no_env, &Flags::default())
    }

    #[test]
    fn shipped_file_is_exactly_the_defaults() {
        assert_eq!(resolve(None, &no_env, &Flags::default()).unwrap(), Config::default());
    }

    #[test]
    fn layers_apply_in_order() {
        let c = with_file("refresh_ms = 2000\n[kill]\ngrace_secs = 9\n").unwrap();
        assert_eq!((c.refresh_ms, c.kill.grace_secs), (2000, 9));
        assert_eq!(c.kill.protect, Config::default().kill.protect, "nested tables merge key by key");
        let flags = Flags { refresh_ms: Some(500), read_only: true, source: None };
        let env = |k: &str| (k == "NO_COLOR").then(|| "1".to_string());
        let text = "refresh_ms = 2000\n";
        let c = resolve(Some(FileInput { path: Path::new("x"), text }), &env, &flags).unwrap();
        assert_eq!((c.refresh_ms, c.read_only, c.theme), (500, true, Theme::Mono));
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let e = with_file("refresh_ms = 2000\n\nrefresh_msec = 3\n").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("/c/config.toml:3:1: "), "{text}");
        assert!(text.contains("refresh_msec"), "{text}");
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let e = with_file("theme = \"mono\"\nrefresh_ms = = 3\n").unwrap_err();
        match e {
            ConfigError::Parse { line, file, .. } => {
                assert_eq!((line, file.as_str()), (2, "/c/config.toml"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn layouts_are_checked() {
        let c = with_file("[[layout]]\npath = \"/srv/{project}/{task}\"\n").unwrap();
        assert_eq!(c.layout, [LayoutConfig { path: "/srv/{project}/{task}".into() }]);
        let e = with_file("[[layout]]\npath = \"/srv/{project}\"\n").unwrap_err();
        assert!(e.to_string().contains("layout[0].path"), "{e}");
        assert!(with_file("[[layout]]\npath = \"/srv/{project}/{task}\"\nname = 1\n").is_err());
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(with_file("theme = \"neon\"\n").unwrap_err().to_string().contains("neon"));
        assert!(with_file("refresh_ms = 5\n").unwrap_err().to_string().contains("outside"));
        assert!(with_file("sort = 3\n").is_err());
    }
}
