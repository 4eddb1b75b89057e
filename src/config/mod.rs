//! Configuration: one pure resolve, defaults < config file < environment < flags.

mod file;
mod locate;
mod user;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::text::sanitize;

pub use crate::model::sort::SortKey;
pub use crate::model::usage::MemoryMode;
use crate::sample::SourceKind;
pub use crate::tui::columns::Column;

/// The shipped defaults, embedded so the binary needs no files.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

pub use file::{MAX_CONFIG_BYTES, decode, read_config_file};

/// The longest grace between the polite signal and SIGKILL (`kill.grace_secs`, `--grace`):
/// a day. Larger values overflow the kill engine's deadline arithmetic.
pub const MAX_GRACE_SECS: u64 = 86_400;
/// The shortest and longest refresh interval (`refresh_ms`, `--refresh`): 100 ms and an hour.
pub const MIN_REFRESH_MS: u64 = 100;
pub const MAX_REFRESH_MS: u64 = 3_600_000;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub refresh_ms: u64,
    pub theme: Theme,
    /// How the tree's lines are drawn.
    pub tree_guides: TreeGuides,
    /// The tree's data columns after NAME, in order.
    pub columns: Vec<Column>,
    /// For how many refreshes new processes are marked and exited ones stay (0: off).
    pub highlight_refreshes: u32,
    pub read_only: bool,
    pub sort: SortKey,
    /// How memory is counted: RSS, or PSS for the processes in attempts.
    pub memory: MemoryMode,
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
    /// Other boxes to show beside this one (`[user@]HOST[:PORT]`, as `--host`).
    #[serde(default)]
    pub hosts: Vec<String>,
    /// The ssh program and its options (`--ssh-command`), split as a shell would.
    pub ssh_command: String,
    /// What ssh runs on the far side before `serve --stdio` (`--remote-command`).
    pub remote_command: String,
}

/// The shipped tree key bindings: the `[keys]` table of `DEFAULT_TOML`, their only
/// source. (The other contexts' keys are fixed, in `tui::command::BINDINGS`.)
pub fn default_keys() -> BTreeMap<String, Vec<String>> {
    #[derive(Deserialize)]
    struct Keys {
        keys: BTreeMap<String, Vec<String>>,
    }
    // Invariant: the embedded file parses and has a [keys] table (tested by
    // `shipped_file_is_exactly_the_defaults`; `resolve` reports a broken one as an error).
    toml::from_str::<Keys>(DEFAULT_TOML)
        .map(|k| k.keys)
        .expect("config/default.toml has a valid [keys] table")
}

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

/// The characters of the tree's lines: box drawing (`├─ └─ │ ▾ ▸ ▶`), or ASCII
/// (`|- `- | v > *`) for terminals and fonts without them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TreeGuides {
    Unicode,
    Ascii,
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
            tree_guides: TreeGuides::Unicode,
            columns: crate::tui::columns::default_columns(),
            highlight_refreshes: 3,
            read_only: false,
            sort: SortKey::Cpu,
            memory: MemoryMode::Rss,
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
            keys: default_keys(),
            hosts: Vec::new(),
            ssh_command: crate::remote::host::DEFAULT_SSH.into(),
            remote_command: crate::remote::host::DEFAULT_REMOTE.into(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A problem at a place in a config file: `file:line:column: key: message`.
    #[error("{}", at_text(.file, *.line, *.column, .key.as_deref(), .message))]
    At { file: String, line: usize, column: Option<usize>, key: Option<String>, message: String },
    /// A problem with the file itself: cannot open, not a regular file, too large.
    #[error("{}: {message}", sanitize(.file))]
    File { file: String, message: String },
    /// A bad command-line value.
    #[error("{flag}: {message}")]
    Flag { flag: String, message: String },
}

fn at_text(file: &str, line: usize, column: Option<usize>, key: Option<&str>, message: &str) -> String {
    let column = column.map(|c| format!("{c}:")).unwrap_or_default();
    // Keys and values of the file are quoted in messages: no raw control characters,
    // and no kilobytes of one key.
    let key = key.map(|k| format!(" {}:", clip(&sanitize(k), 200))).unwrap_or_default();
    format!("{}:{line}:{column}{key} {}", sanitize(file), clip(&sanitize(message), 1000))
}

fn clip(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

/// Overrides from the command line; `None` keeps the config's value.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub refresh_ms: Option<u64>,
    pub read_only: bool,
    pub source: Option<SourceKind>,
    /// `--host` (added to the config's `hosts`).
    pub hosts: Vec<String>,
    pub ssh_command: Option<String>,
    pub remote_command: Option<String>,
    pub memory: Option<MemoryMode>,
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
    let mut config = defaults()?;
    if let Some(f) = &file {
        user::apply(&mut config, &f.path.display().to_string(), f.text)?;
    }
    if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        config.theme = Theme::Mono;
    }
    if let Some(ms) = flags.refresh_ms {
        if let Err(message) = check_refresh_ms(ms) {
            return Err(ConfigError::Flag { flag: "--refresh".into(), message });
        }
        config.refresh_ms = ms;
    }
    if let Some(source) = flags.source {
        config.source = source;
    }
    if let Some(memory) = flags.memory {
        config.memory = memory;
    }
    config.read_only |= flags.read_only;
    for host in &flags.hosts {
        check_host(host).map_err(|message| ConfigError::Flag { flag: "--host".into(), message })?;
        if !config.hosts.contains(host) {
            config.hosts.push(host.clone());
        }
    }
    if let Some(ssh) = &flags.ssh_command {
        check_ssh_command(ssh)
            .map_err(|message| ConfigError::Flag { flag: "--ssh-command".into(), message })?;
        config.ssh_command = ssh.clone();
    }
    if let Some(remote) = &flags.remote_command {
        check_remote_command(remote)
            .map_err(|message| ConfigError::Flag { flag: "--remote-command".into(), message })?;
        config.remote_command = remote.clone();
    }
    Ok(config)
}

/// The shipped defaults, parsed from `DEFAULT_TOML`.
fn defaults() -> Result<Config, ConfigError> {
    toml::from_str(DEFAULT_TOML).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| locate::line_col(DEFAULT_TOML, s.start));
        ConfigError::At {
            file: "<built-in defaults>".into(),
            line,
            column: Some(column),
            key: None,
            message: e.message().to_string(),
        }
    })
}

pub fn check_refresh_ms(ms: u64) -> Result<(), String> {
    if (MIN_REFRESH_MS..=MAX_REFRESH_MS).contains(&ms) {
        Ok(())
    } else {
        Err(format!("{ms} ms is outside {MIN_REFRESH_MS}..={MAX_REFRESH_MS} (100 ms to an hour)"))
    }
}

pub fn check_host(host: &str) -> Result<(), String> {
    host.parse::<crate::remote::host::HostSpec>().map(drop).map_err(|e| e.to_string())
}

/// The ssh command's words; an error for one a shell could not split, or none.
pub fn ssh_words(command: &str) -> Result<Vec<String>, String> {
    match shlex::split(command) {
        Some(words) if !words.is_empty() => Ok(words),
        Some(_) => Err("empty".into()),
        None => Err(format!("{command:?} has an unclosed quote or a trailing backslash")),
    }
}

pub fn check_ssh_command(command: &str) -> Result<(), String> {
    ssh_words(command).map(drop)
}

pub fn check_remote_command(command: &str) -> Result<(), String> {
    if command.trim().is_empty() || command.contains(['\n', '\r', '\0']) {
        return Err("it must be one line of text".into());
    }
    Ok(())
}

/// The most refreshes a change stays highlighted (each one keeps its exited processes).
pub const MAX_HIGHLIGHT_REFRESHES: u32 = 60;

pub fn check_highlight_refreshes(n: u32) -> Result<(), String> {
    if n <= MAX_HIGHLIGHT_REFRESHES {
        Ok(())
    } else {
        Err(format!("{n} is more than {MAX_HIGHLIGHT_REFRESHES} refreshes"))
    }
}

pub fn check_grace_secs(secs: u64) -> Result<(), String> {
    if secs <= MAX_GRACE_SECS {
        Ok(())
    } else {
        Err(format!("{secs} s is more than {MAX_GRACE_SECS} (a day)"))
    }
}

/// The user config path: `$XDG_CONFIG_HOME/swarmtop/config.toml`, else
/// `~/.config/swarmtop/config.toml`.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    crate::xdg::path(env, "XDG_CONFIG_HOME", ".config", "config.toml")
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
