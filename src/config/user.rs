//! The user's config file: every key optional, laid over the defaults, and checked
//! here so a bad value is reported at its key and line before anything uses it.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use serde::Deserialize;

use super::locate::{KeyPath, Locator, duplicate_path, line_col, plain_message};
use super::{
    Column, Config, ConfigError, LayoutConfig, MemoryMode, SortKey, SourceKind, Theme, TreeGuides,
    check_grace_secs, check_highlight_refreshes, check_host, check_refresh_ms, check_remote_command,
    check_ssh_command,
};
use crate::model::layout::LayoutPattern;
use crate::tui::keymap::Keymap;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserConfig {
    refresh_ms: Option<u64>,
    theme: Option<Theme>,
    tree_guides: Option<TreeGuides>,
    columns: Option<Vec<Column>>,
    highlight_refreshes: Option<u32>,
    read_only: Option<bool>,
    sort: Option<SortKey>,
    memory: Option<MemoryMode>,
    source: Option<SourceKind>,
    subreapers: Option<Vec<String>>,
    agents: Option<Vec<String>>,
    vibe_kanban_dirs: Option<Vec<PathBuf>>,
    kill: Option<UserKill>,
    layout: Option<Vec<LayoutConfig>>,
    keys: Option<BTreeMap<String, Vec<String>>>,
    hosts: Option<Vec<String>>,
    ssh_command: Option<String>,
    remote_command: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserKill {
    grace_secs: Option<u64>,
    protect: Option<Vec<String>>,
}

/// A file's errors, each placed at its key's line.
struct Places<'a> {
    file: &'a str,
    text: &'a str,
    locator: Locator,
}

impl Places<'_> {
    /// An error at a byte offset; the key is the one holding it.
    fn at_offset(&self, span: Option<Range<usize>>, message: &str) -> ConfigError {
        let offset = span.map(|s| s.start);
        let mut key = offset.and_then(|o| self.locator.key_at(o)).map(|k| k.to_string());
        if message == "duplicate key" {
            key = offset.and_then(|o| duplicate_path(self.text, o)).or(key);
        }
        let (line, column) = line_col(self.text, offset.unwrap_or(0));
        ConfigError::At {
            file: self.file.into(),
            line,
            column: Some(column),
            key,
            message: plain_message(message),
        }
    }

    /// An error about a key; the first of `paths` found in the file gives the line.
    fn at_key(&self, paths: &[KeyPath], message: String) -> ConfigError {
        let found = paths.iter().find_map(|p| Some((p, self.locator.offset_of(p)?)));
        let (key, line, column) = match found {
            Some((p, offset)) => {
                let (line, column) = line_col(self.text, offset);
                (p.to_string(), line, Some(column))
            }
            // Checks run on values the file set, so their keys are in it.
            None => (paths.first().map(ToString::to_string).unwrap_or_default(), 1, None),
        };
        ConfigError::At { file: self.file.into(), line, column, key: Some(key), message }
    }
}

/// Lays the file over `config`, or says what is wrong with it, where.
pub fn apply(config: &mut Config, file: &str, text: &str) -> Result<(), ConfigError> {
    let places = Places { file, text, locator: Locator::new(text) };
    let user: UserConfig = toml::from_str(text).map_err(|e| places.at_offset(e.span(), e.message()))?;
    check(&user, &places)?;
    let UserConfig {
        refresh_ms,
        theme,
        tree_guides,
        columns,
        highlight_refreshes,
        read_only,
        sort,
        memory,
        source,
        subreapers,
        agents,
        vibe_kanban_dirs,
        kill,
        layout,
        keys,
        hosts,
        ssh_command,
        remote_command,
    } = user;
    set(&mut config.refresh_ms, refresh_ms);
    set(&mut config.theme, theme);
    set(&mut config.tree_guides, tree_guides);
    set(&mut config.columns, columns);
    set(&mut config.highlight_refreshes, highlight_refreshes);
    set(&mut config.read_only, read_only);
    set(&mut config.sort, sort);
    set(&mut config.memory, memory);
    set(&mut config.source, source);
    set(&mut config.subreapers, subreapers);
    set(&mut config.agents, agents);
    set(&mut config.vibe_kanban_dirs, vibe_kanban_dirs);
    set(&mut config.layout, layout);
    set(&mut config.hosts, hosts);
    set(&mut config.ssh_command, ssh_command);
    set(&mut config.remote_command, remote_command);
    let kill = kill.unwrap_or_default();
    set(&mut config.kill.grace_secs, kill.grace_secs);
    set(&mut config.kill.protect, kill.protect);
    config.keys.extend(keys.unwrap_or_default());
    // The whole table, defaults included, must make a keymap: conflicts with a default
    // binding and unbinding quit are errors too.
    if let Err(e) = Keymap::from_config(&config.keys) {
        let action = KeyPath::key("keys").then(e.action());
        let entry = match e.index() {
            Some(i) => action.clone().at(i),
            None => action.clone(),
        };
        let other = e.other_action().map(|a| KeyPath::key("keys").then(a)).unwrap_or_default();
        return Err(places.at_key(&[entry, action, other, KeyPath::key("keys")], e.detail()));
    }
    Ok(())
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn check(user: &UserConfig, places: &Places<'_>) -> Result<(), ConfigError> {
    if let Some(ms) = user.refresh_ms {
        check_refresh_ms(ms).map_err(|m| places.at_key(&[KeyPath::key("refresh_ms")], m))?;
    }
    if let Some(secs) = user.kill.as_ref().and_then(|k| k.grace_secs) {
        check_grace_secs(secs).map_err(|m| places.at_key(&[KeyPath::key("kill").then("grace_secs")], m))?;
    }
    for (i, host) in user.hosts.iter().flatten().enumerate() {
        check_host(host)
            .map_err(|m| places.at_key(&[KeyPath::key("hosts").at(i), KeyPath::key("hosts")], m))?;
    }
    if let Some(ssh) = &user.ssh_command {
        check_ssh_command(ssh).map_err(|m| places.at_key(&[KeyPath::key("ssh_command")], m))?;
    }
    if let Some(remote) = &user.remote_command {
        check_remote_command(remote).map_err(|m| places.at_key(&[KeyPath::key("remote_command")], m))?;
    }
    if let Some(n) = user.highlight_refreshes {
        check_highlight_refreshes(n).map_err(|m| places.at_key(&[KeyPath::key("highlight_refreshes")], m))?;
    }
    if let Some(i) = user.columns.as_deref().and_then(crate::tui::columns::first_repeat) {
        let columns = KeyPath::key("columns");
        return Err(places.at_key(&[columns.clone().at(i), columns], "a column is listed twice".into()));
    }
    for (i, layout) in user.layout.iter().flatten().enumerate() {
        if let Err(message) = LayoutPattern::parse(&layout.path) {
            let layout = KeyPath::key("layout").at(i);
            return Err(
                places.at_key(&[layout.clone().then("path"), layout, KeyPath::key("layout")], message)
            );
        }
    }
    Ok(())
}
