//! vibe-kanban's own state, in its data directory (`$XDG_DATA_HOME/vibe-kanban`, else
//! `~/.local/share/vibe-kanban`: `directories::ProjectDirs`, BloopAI/vibe-kanban
//! `crates/utils/src/assets.rs` at 4deb7ec, v0.1.44):
//! - `config.json`: `git_branch_prefix` (default `vk`, may be empty) and `workspace_dir`
//!   (worktrees at `<dir>/.vibe-kanban-workspaces/<hex>-<slug>/<repo>`, since 0c209cc,
//!   2026-01-20; `crates/services/src/services/config/versions/v8.rs`);
//! - `db.v2.sqlite` (older `db.sqlite`): task titles by workspace branch. Since 0.1.15
//!   (139b181, migration `20260217120312_remove_task_fk_from_workspaces`) new workspaces
//!   have no task and their title is `workspaces.name` (`crates/db/src/models/workspace.rs`).

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::Deserialize;

use super::keyed::Place;
use super::sqlite_state::{Budget, Database, MAX_ROWS, capped};
use super::watched::{self, WatchedFile};
use crate::model::{Shared, TaskTitle};

/// What vibe-kanban's config says about where and how it makes worktrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VkConfig {
    pub branch_prefix: String,
    /// Where its workspaces are (`<workspace_dir>/.vibe-kanban-workspaces`), when moved.
    pub worktree_root: Option<PathBuf>,
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default = "default_prefix")]
    git_branch_prefix: String,
    #[serde(default)]
    workspace_dir: Option<String>,
}

fn default_prefix() -> String {
    "vk".to_string()
}

#[derive(Debug)]
pub struct VibeKanban {
    home: Option<PathBuf>,
    config: WatchedFile<VkConfig>,
    db: Database<TaskTitle>,
}

/// What one vibe-kanban data directory holds.
#[derive(Debug, Clone, Default)]
pub struct VkParts {
    pub config: Shared<VkConfig>,
    pub titles: Shared<TaskTitle>,
}

impl VibeKanban {
    /// Its data directory, and the HOME that `~` in `workspace_dir` stands for.
    pub fn new(dir: &Place, home: Option<PathBuf>) -> VibeKanban {
        VibeKanban {
            home,
            config: WatchedFile::new(Some(dir.join("config.json"))),
            db: Database::new(vec![dir.join("db.v2.sqlite"), dir.join("db.sqlite")]),
        }
    }

    pub fn refresh(&mut self, warnings: &mut Vec<String>) -> VkParts {
        let home = self.home.clone();
        let config = self.config.refresh(
            |p: &Path, t: &str, w: &mut Vec<String>| parse_config(p, t, w, home.as_deref()),
            warnings,
        );
        VkParts { config, titles: self.db.refresh(&titles, warnings) }
    }
}

fn parse_config(path: &Path, text: &str, problems: &mut Vec<String>, home: Option<&Path>) -> Vec<VkConfig> {
    let Some(raw) = watched::json::<RawConfig>(path, text, problems) else { return Vec::new() };
    let expand = |dir: &str| match (dir.strip_prefix('~'), home) {
        (Some(rest), Some(home)) => Some(home.join(rest.trim_start_matches('/'))),
        (Some(_), None) => None,
        (None, _) => Some(PathBuf::from(dir)).filter(|p| p.is_absolute()),
    };
    let worktree_root =
        raw.workspace_dir.as_deref().and_then(expand).map(|d| d.join(".vibe-kanban-workspaces"));
    vec![VkConfig { branch_prefix: raw.git_branch_prefix, worktree_root }]
}

/// Titles by branch: `workspaces.name`, else the task's title (databases before 0.1.15),
/// else from `task_attempts` (before the workspaces refactor of 2025-12-16).
fn titles(c: &Connection) -> rusqlite::Result<Vec<TaskTitle>> {
    let limit = MAX_ROWS + 1;
    let tasks = |table: &str| {
        format!(
            "SELECT w.branch, t.title, p.name, w.id FROM {table} w JOIN tasks t ON t.id = w.task_id \
             LEFT JOIN projects p ON p.id = t.project_id WHERE w.branch IS NOT NULL LIMIT {limit}"
        )
    };
    let queries = [
        format!(
            "SELECT w.branch, COALESCE(NULLIF(w.name, ''), t.title), p.name, w.id FROM workspaces w \
             LEFT JOIN tasks t ON t.id = w.task_id LEFT JOIN projects p ON p.id = t.project_id \
             WHERE w.branch IS NOT NULL AND COALESCE(NULLIF(w.name, ''), t.title) IS NOT NULL LIMIT {limit}"
        ),
        format!(
            "SELECT branch, name, NULL, id FROM workspaces WHERE branch IS NOT NULL AND name <> '' LIMIT {limit}"
        ),
        tasks("workspaces"),
        tasks("task_attempts"),
    ];
    let mut stmt = c
        .prepare(&queries[0])
        .or_else(|_| c.prepare(&queries[1]))
        .or_else(|_| c.prepare(&queries[2]))
        .or_else(|_| c.prepare(&queries[3]))?;
    let mut budget = Budget::new();
    let rows = stmt.query_map([], |r| {
        Ok(TaskTitle {
            branch: budget.required(r, 0)?,
            title: budget.required(r, 1)?,
            project: budget.text(r, 2)?,
            workspace_id: uuid_text(r.get_ref(3)?),
        })
    })?;
    capped(rows)
}

/// vibe-kanban stores UUIDs as 16-byte blobs; environment variables carry them hyphenated.
fn uuid_text(v: rusqlite::types::ValueRef<'_>) -> Option<String> {
    match v {
        rusqlite::types::ValueRef::Blob(b) if b.len() == 16 => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            Some(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
        }
        rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t).ok().map(str::to_lowercase),
        _ => None,
    }
}

#[cfg(test)]
#[path = "vibe_kanban_tests.rs"]
mod tests;
