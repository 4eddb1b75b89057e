//! The directory layouts of orchestrators' worktrees: which tool made a worktree, from
//! where it is (each layout cites the upstream that makes it).

use std::fs;
use std::path::{Path, PathBuf};

use super::bounded::{self, Links};
use crate::model::{AttemptSource, Worktree};

/// Orchestrators' directory layouts that the probe recognises.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownLayouts {
    /// Where vibe-kanban makes workspaces: `<root>/<hex>-<slug>/<repo>/` (the default
    /// `/var/tmp/vibe-kanban/worktrees`, a configured `<workspace_dir>/.vibe-kanban-workspaces`),
    /// or a single worktree `<root>/<hex>-<slug>` in older builds.
    pub vibe_kanban: Vec<PathBuf>,
    /// vibe-kanban's configured branch prefixes (`git_branch_prefix`, default `vk`): a
    /// worktree on `<prefix>/<hex>-<slug>` is one of its workspaces wherever it is.
    pub vk_branch_prefixes: Vec<String>,
    /// Roots whose worktrees (at any depth) an orchestrator made, with its source:
    /// claude-squad, KILD and shards, Codex app, uzi, container-use, Conductor.
    pub roots: Vec<(PathBuf, AttemptSource)>,
}

impl KnownLayouts {
    /// Adds what `other` knows.
    pub fn merge(&mut self, other: &KnownLayouts) {
        extend_unique(&mut self.vibe_kanban, &other.vibe_kanban);
        extend_unique(&mut self.vk_branch_prefixes, &other.vk_branch_prefixes);
        extend_unique(&mut self.roots, &other.roots);
    }

    /// The vibe-kanban workspace directory holding `path`, if any.
    fn vk_workspace(&self, path: &Path) -> Option<PathBuf> {
        self.vibe_kanban.iter().find_map(|root| {
            let ws = path.strip_prefix(root).ok()?.components().next()?;
            Some(root.join(ws))
        })
    }

    /// Marks a worktree made by a known orchestrator.
    pub(super) fn classify(&self, mut wt: Worktree) -> Worktree {
        let parent = wt.path.parent();
        let name_of =
            |p: Option<&Path>| p.and_then(Path::file_name).and_then(|n| n.to_str()).map(str::to_string);
        if let Some(ws) = self.vk_workspace(&wt.path) {
            wt.source = AttemptSource::VibeKanban;
            if parent == Some(ws.as_path()) {
                wt.layout_dir = Some(ws);
            }
        } else if let Some((_, source)) = self.roots.iter().find(|(root, _)| wt.path.starts_with(root)) {
            wt.source = *source;
        } else if name_of(parent).as_deref() == Some(".conductor") {
            // Conductor before 0.25.0 (docs.conductor.build/tips/nesting-issues).
            wt.source = AttemptSource::Conductor;
        } else if name_of(parent).as_deref() == Some("worktrees")
            && name_of(parent.and_then(Path::parent)).as_deref() == Some(".claude")
        {
            // `claude --worktree <name>` (code.claude.com docs "worktrees").
            wt.source = AttemptSource::Claude;
        } else if wt.branch.as_deref().is_some_and(|b| self.is_vk_branch(b)) {
            wt.source = AttemptSource::VibeKanban;
        }
        if wt.source == AttemptSource::ContainerUse {
            if let Some(origin) = container_use_origin(&wt.project_path) {
                wt.project_path = origin;
            }
        }
        wt
    }

    fn is_vk_branch(&self, branch: &str) -> bool {
        self.vk_branch_prefixes.iter().filter(|p| !p.is_empty()).any(|p| {
            branch.strip_prefix(p.as_str()).and_then(|r| r.strip_prefix('/')).is_some_and(is_hex_slug)
        })
    }

    /// For a cwd in a vibe-kanban workspace but outside its repositories (where the
    /// agent works), the workspace's first repository worktree.
    pub(super) fn workspace_repo(&self, cwd: &Path) -> Option<PathBuf> {
        let ws = self.vk_workspace(cwd)?;
        let mut repos: Vec<PathBuf> = fs::read_dir(&ws)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| fs::symlink_metadata(p.join(".git")).is_ok())
            .collect();
        repos.sort();
        repos.into_iter().next()
    }
}

fn extend_unique<T: Clone + PartialEq>(into: &mut Vec<T>, from: &[T]) {
    for item in from {
        if !into.contains(item) {
            into.push(item.clone());
        }
    }
}

/// `<4+ hex>-<slug>`, as vibe-kanban names a workspace (`short_uuid` + `git_branch_id`).
pub fn is_hex_slug(s: &str) -> bool {
    s.split_once('-').is_some_and(|(hex, slug)| {
        hex.len() >= 4
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && !slug.is_empty()
            && !slug.contains('/')
    })
}

/// container-use works in a bare fork (`~/.config/container-use/repos/<origin>`) whose
/// config includes the user's repository's (`include.path = <repo>/.git/config`,
/// dagger/container-use `repository/repository.go` at 2e43e62): that repository is the
/// project, not the fork.
fn container_use_origin(fork: &Path) -> Option<PathBuf> {
    let config = bounded::read_text(&fork.join("config"), CONFIG_LIMIT, Links::Refuse).ok()?;
    let mut in_include = false;
    for line in config.lines().map(str::trim) {
        if line.starts_with('[') {
            in_include =
                line.trim_start_matches('[').trim_end_matches(']').trim().eq_ignore_ascii_case("include");
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        if in_include && key.trim().eq_ignore_ascii_case("path") {
            let included = Path::new(value.trim().trim_matches('"'));
            let repo = included.parent()?.parent()?;
            return (included.ends_with(".git/config") && repo.is_absolute()).then(|| repo.to_path_buf());
        }
    }
    None
}

/// A git config file (a fork's): small, but larger than a HEAD.
const CONFIG_LIMIT: u64 = 64 << 10;

#[cfg(test)]
mod tests {
    use super::*;

    fn wt(path: &str, branch: Option<&str>) -> Worktree {
        Worktree {
            path: path.into(),
            project_path: "/src/alpha".into(),
            branch: branch.map(str::to_string),
            detached_at: None,
            is_main: false,
            source: AttemptSource::Git,
            layout_dir: None,
        }
    }

    fn layouts() -> KnownLayouts {
        KnownLayouts {
            vibe_kanban: vec![
                "/var/tmp/vibe-kanban/worktrees".into(),
                "/h/code/.vibe-kanban-workspaces".into(),
            ],
            vk_branch_prefixes: vec!["vk".into(), "feat".into(), String::new()],
            roots: vec![
                ("/h/.claude-squad/worktrees".into(), AttemptSource::ClaudeSquad),
                ("/h/.codex/worktrees".into(), AttemptSource::Codex),
                ("/h/conductor/workspaces".into(), AttemptSource::Conductor),
            ],
        }
    }

    #[test]
    fn each_layout_names_its_orchestrator() {
        let l = layouts();
        let source = |path: &str, branch: Option<&str>| l.classify(wt(path, branch)).source;
        let ws = l.classify(wt("/h/code/.vibe-kanban-workspaces/3c4d-fix/alpha", Some("3c4d-fix")));
        assert_eq!(
            (ws.source, ws.layout_dir),
            (AttemptSource::VibeKanban, Some("/h/code/.vibe-kanban-workspaces/3c4d-fix".into()))
        );
        assert_eq!(
            source("/var/tmp/vibe-kanban/worktrees/1a2b-old", Some("vk/1a2b-old")),
            AttemptSource::VibeKanban,
            "a single-worktree workspace"
        );
        assert_eq!(
            source("/elsewhere/x", Some("feat/9f9f-fix-it")),
            AttemptSource::VibeKanban,
            "a configured prefix"
        );
        assert_eq!(
            source("/elsewhere/y", Some("9f9f-fix-it")),
            AttemptSource::Git,
            "an empty prefix is too generic alone"
        );
        assert_eq!(
            source(
                "/h/.claude-squad/worktrees/ann/refactor-auth_18a2b3c4d5e6f708",
                Some("ann/refactor-auth")
            ),
            AttemptSource::ClaudeSquad
        );
        assert_eq!(source("/h/.codex/worktrees/7f3a/alpha", None), AttemptSource::Codex);
        assert_eq!(source("/h/conductor/workspaces/alpha/lima", Some("u/lima")), AttemptSource::Conductor);
        assert_eq!(source("/src/alpha/.conductor/oslo", Some("u/oslo")), AttemptSource::Conductor);
        assert_eq!(
            source("/src/alpha/.claude/worktrees/fix-login", Some("worktree-fix-login")),
            AttemptSource::Claude
        );
        assert_eq!(source("/src/alpha/worktrees/fix-login", Some("fix-login")), AttemptSource::Git);
    }

    /// A container-use fork's `config` as `git config include.path <repo>/.git/config`
    /// writes it (dagger/container-use `repository/repository.go`, 2e43e62).
    #[test]
    fn a_container_use_worktree_belongs_to_the_repository_its_fork_came_from() {
        let tmp = tempfile::tempdir().unwrap();
        let fork = tmp.path().join(".config/container-use/repos/github.com/o/alpha");
        std::fs::create_dir_all(&fork).unwrap();
        std::fs::write(
            fork.join("config"),
            "[core]\n\trepositoryformatversion = 0\n\tbare = true\n[include]\n\tpath = /src/alpha/.git/config\n[commit]\n\tgpgsign = false\n",
        )
        .unwrap();
        let root = tmp.path().join(".config/container-use/worktrees");
        let l = KnownLayouts {
            roots: vec![(root.clone(), AttemptSource::ContainerUse)],
            ..KnownLayouts::default()
        };
        let mut w = wt(root.join("adapted-lemur").to_str().unwrap(), Some("adapted-lemur"));
        w.project_path = fork.clone();
        let got = l.classify(w.clone());
        assert_eq!(
            (got.source, got.project_path),
            (AttemptSource::ContainerUse, PathBuf::from("/src/alpha"))
        );
        std::fs::write(fork.join("config"), "[core]\n\tbare = true\n").unwrap();
        assert_eq!(l.classify(w).project_path, fork, "no include: the fork it is");
    }
}
