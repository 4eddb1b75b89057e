//! Task and attempt names from a worktree's branch and directory.

use crate::model::Worktree;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptName {
    pub task: String,
    pub attempt: String,
}

/// DESIGN.md's naming rules:
/// - `vk/<hex>-<slug>` (vibe-kanban) → task `slug`, attempt `hex`;
/// - `kild/<name>` → task `name`, attempt = worktree directory;
/// - a claude-squad directory `<branch>_<hex>` → task = branch, attempt = `hex`;
/// - the main worktree → task = branch, attempt `main`;
/// - any other branch → task = branch, attempt = worktree directory;
/// - a detached HEAD → task `detached`, attempt as above.
pub fn attempt_name(wt: &Worktree) -> AttemptName {
    let dir = dir_name(wt);
    let attempt_for_dir = || {
        if wt.is_main { "main".to_string() } else { dir.clone() }
    };
    let Some(branch) = wt.branch.as_deref() else {
        return AttemptName { task: "detached".into(), attempt: attempt_for_dir() };
    };
    if let Some((hex, slug)) = branch.strip_prefix("vk/").and_then(split_hex_slug) {
        return AttemptName { task: slug.into(), attempt: hex.into() };
    }
    if let Some(name) = branch.strip_prefix("kild/").filter(|n| !n.is_empty()) {
        return AttemptName { task: name.into(), attempt: attempt_for_dir() };
    }
    if !wt.is_main {
        if let Some(hex) = claude_squad_suffix(&dir) {
            return AttemptName { task: branch.into(), attempt: hex.into() };
        }
    }
    AttemptName { task: branch.into(), attempt: attempt_for_dir() }
}

fn dir_name(wt: &Worktree) -> String {
    wt.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| wt.path.to_string_lossy().into_owned())
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `1a2b-add-login` → (`1a2b`, `add-login`).
fn split_hex_slug(rest: &str) -> Option<(&str, &str)> {
    let (hex, slug) = rest.split_once('-')?;
    (hex.len() >= 4 && is_hex(hex) && !slug.is_empty()).then_some((hex, slug))
}

/// claude-squad names worktree directories `<branch>_<hex timestamp>`.
fn claude_squad_suffix(dir: &str) -> Option<&str> {
    let (_, hex) = dir.rsplit_once('_')?;
    (hex.len() >= 8 && is_hex(hex)).then_some(hex)
}

/// Project name from its path: the directory name, without a bare repo's `.git`.
pub fn project_name(project_path: &std::path::Path) -> String {
    let name =
        project_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "/".to_string());
    match name.strip_suffix(".git") {
        Some(stem) if !stem.is_empty() => stem.to_string(),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn wt(path: &str, branch: Option<&str>, is_main: bool) -> Worktree {
        Worktree {
            path: PathBuf::from(path),
            project_path: PathBuf::from("/src/alpha"),
            branch: branch.map(str::to_string),
            detached_at: None,
            is_main,
            source: crate::model::AttemptSource::Git,
            layout_dir: None,
        }
    }

    fn name(task: &str, attempt: &str) -> AttemptName {
        AttemptName { task: task.into(), attempt: attempt.into() }
    }

    #[test]
    fn vibe_kanban_branch_gives_slug_and_hex() {
        let w = wt("/var/tmp/vibe-kanban/worktrees/1a2b-add-login/alpha", Some("vk/1a2b-add-login"), false);
        assert_eq!(attempt_name(&w), name("add-login", "1a2b"));
    }

    #[test]
    fn vk_branch_without_hex_falls_back_to_plain_rule() {
        let w = wt("/wt/x", Some("vk/zz-login"), false);
        assert_eq!(attempt_name(&w), name("vk/zz-login", "x"));
    }

    #[test]
    fn kild_branch_gives_name() {
        let w = wt("/home/u/.kild/worktrees/alpha/fix-bug", Some("kild/fix-bug"), false);
        assert_eq!(attempt_name(&w), name("fix-bug", "fix-bug"));
    }

    #[test]
    fn claude_squad_directory_gives_hex_attempt() {
        let w = wt("/home/u/.claude-squad/worktrees/u-refactor_18a2b3c4d5e6f708", Some("u/refactor"), false);
        assert_eq!(attempt_name(&w), name("u/refactor", "18a2b3c4d5e6f708"));
    }

    #[test]
    fn main_worktree_is_attempt_main() {
        assert_eq!(attempt_name(&wt("/src/alpha", Some("develop"), true)), name("develop", "main"));
    }

    #[test]
    fn plain_branch_uses_directory_as_attempt() {
        assert_eq!(
            attempt_name(&wt("/wt/alpha-feat", Some("feature/x"), false)),
            name("feature/x", "alpha-feat")
        );
    }

    #[test]
    fn detached_head_is_task_detached() {
        assert_eq!(attempt_name(&wt("/wt/bisect", None, false)), name("detached", "bisect"));
        assert_eq!(attempt_name(&wt("/src/alpha", None, true)), name("detached", "main"));
    }

    #[test]
    fn bare_repo_project_drops_dot_git() {
        assert_eq!(project_name(std::path::Path::new("/srv/alpha.git")), "alpha");
        assert_eq!(project_name(std::path::Path::new("/src/alpha")), "alpha");
    }
}
