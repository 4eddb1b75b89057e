//! Task and attempt names from a worktree's branch and directory.

use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::model::{AttemptSource, Worktree};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptName {
    pub task: String,
    pub attempt: String,
}

/// Naming rules:
/// - a vibe-kanban workspace (its directory `<hex>-<slug>`, or a branch
///   `<prefix>/<hex>-<slug>`), or any `vk/<hex>-<slug>` branch → task `slug`, attempt `hex`;
/// - a `claude --worktree <name>` worktree → task and attempt `<name>` (its branch is
///   `worktree-<name>`);
/// - a Codex app worktree `<codex home>/worktrees/<id>/<project>` → task and attempt `<id>`
///   (the association names the task after its thread's title when it knows one);
/// - `kild/<name>` → task `name`, attempt = worktree directory;
/// - a claude-squad directory `<branch>_<hex>` → task = branch, attempt = `hex`;
/// - the main worktree → task = branch, attempt `main`;
/// - any other branch → task = branch, attempt = worktree directory;
/// - a detached HEAD → task `detached`, attempt as above.
pub fn attempt_name(wt: &Worktree) -> AttemptName {
    let dir = dir_name(wt);
    match wt.source {
        AttemptSource::VibeKanban => {
            let layout = wt.layout_dir.as_deref().and_then(Path::file_name).and_then(|n| n.to_str());
            let last = wt.branch.as_deref().map(|b| b.rsplit('/').next().unwrap_or(b));
            if let Some((hex, slug)) =
                [layout, last, Some(dir.as_str())].into_iter().flatten().find_map(split_hex_slug)
            {
                return AttemptName { task: slug.into(), attempt: hex.into() };
            }
        }
        AttemptSource::Claude => return AttemptName { task: dir.clone(), attempt: dir },
        AttemptSource::Codex => {
            let id = codex_worktree_id(wt).unwrap_or(dir);
            return AttemptName { task: id.clone(), attempt: id };
        }
        _ => {}
    }
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

/// `<id>` of a Codex app worktree at `…/worktrees/<id>/<project>`.
pub fn codex_worktree_id(wt: &Worktree) -> Option<String> {
    let parent = wt.path.parent()?;
    let in_worktrees = parent.parent()?.file_name().is_some_and(|n| n == "worktrees");
    in_worktrees.then(|| parent.file_name()?.to_str().map(str::to_string)).flatten()
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

/// What a name belongs to, for telling clashing names apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim<'a> {
    /// A worktree or repository: its path is its identity.
    Path(&'a Path),
    /// Named by tags or the registry (`label` is its source): tagged attempts with
    /// equal names are one attempt, so there is at most one of these per name.
    Tagged { label: &'static str, path: &'a Path },
}

/// Makes the names unique without letting an id move from one node to another.
///
/// A name held by exactly one path keeps it as is (or, with no path, by exactly one
/// tagged node). Every other holder of a clashing name gets a suffix derived from
/// itself alone: `~` and 8 hex digits of a hash of its path, or `~` and its source
/// for a tagged node, so a registry attempt never takes a worktree's id. Neither
/// the order of the input nor the presence of other nodes changes a suffix. A name
/// that already looks suffixed is always suffixed, so a plain name never equals a
/// suffixed one.
pub fn unique_names(items: &[(String, Claim<'_>)]) -> Vec<String> {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (name, _)) in items.iter().enumerate() {
        groups.entry(name.as_str()).or_default().push(i);
    }
    let mut out: Vec<String> = items.iter().map(|(name, _)| name.clone()).collect();
    for (name, members) in groups {
        let paths: Vec<usize> = members.iter().copied().filter(|&i| is_path(&items[i].1)).collect();
        let owner = match (looks_suffixed(name), paths.as_slice(), members.as_slice()) {
            (true, _, _) => None,
            (false, [only], _) => Some(*only),
            (false, [], [only]) => Some(*only),
            _ => None,
        };
        for &i in &members {
            if Some(i) != owner {
                out[i] = format!("{name}~{}", short_token(&items[i].1));
            }
        }
        // A hash collision, or two tagged nodes of one source: the long form.
        for i in duplicates(&out, &members) {
            out[i] = format!("{name}~{}", long_token(&items[i].1));
        }
        // Only identical claims are left: nothing tells them apart, so numbering them
        // cannot move an id between distinguishable nodes.
        for (k, i) in duplicates(&out, &members).into_iter().enumerate() {
            out[i] = format!("{name}~{}-{}", long_token(&items[i].1), k + 1);
        }
    }
    out
}

/// The claim of an attempt: real worktrees (git and the orchestrators whose worktrees
/// are found on disk) by path, the rest as tagged.
pub fn attempt_claim(source: AttemptSource, has_branch: bool, path: &Path) -> Claim<'_> {
    match source {
        AttemptSource::Git
        | AttemptSource::VibeKanban
        | AttemptSource::ClaudeSquad
        | AttemptSource::Claude
        | AttemptSource::Codex
        | AttemptSource::Conductor
        | AttemptSource::Uzi
        | AttemptSource::ContainerUse => Claim::Path(path),
        AttemptSource::Kild if has_branch => Claim::Path(path),
        source => Claim::Tagged { label: source.as_str(), path },
    }
}

fn is_path(claim: &Claim<'_>) -> bool {
    matches!(claim, Claim::Path(_))
}

/// Whether the name ends like a suffix this module makes: `~` and lowercase letters,
/// digits or `-`.
fn looks_suffixed(name: &str) -> bool {
    name.rsplit_once('~').is_some_and(|(_, tail)| {
        !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

fn short_token(claim: &Claim<'_>) -> String {
    match claim {
        Claim::Path(_) => format!("{:016x}", claim_hash(claim))[..8].to_string(),
        Claim::Tagged { label, .. } => label.to_string(),
    }
}

fn long_token(claim: &Claim<'_>) -> String {
    format!("{:016x}", claim_hash(claim))
}

/// FNV-1a 64 of the claim: stable across runs and versions, unlike std's hasher.
fn claim_hash(claim: &Claim<'_>) -> u64 {
    let (domain, label, path): (&[u8], &str, &Path) = match claim {
        Claim::Path(path) => (b"path", "", path),
        Claim::Tagged { label, path } => (b"tagged", label, path),
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [domain, label.as_bytes(), path.as_os_str().as_bytes()] {
        for &b in part.iter().chain(&[0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Members whose current name another member of the group has too.
fn duplicates(out: &[String], members: &[usize]) -> Vec<usize> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for &i in members {
        *count.entry(out[i].as_str()).or_default() += 1;
    }
    members.iter().copied().filter(|&i| count[out[i].as_str()] > 1).collect()
}

#[cfg(test)]
#[path = "naming_tests.rs"]
mod clash_tests;

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
