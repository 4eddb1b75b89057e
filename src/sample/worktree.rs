//! Git worktree discovery from cwds, with file reads only (no `git` subprocess).
//! Cached per directory; a worktree's HEAD is re-read when its mtime changes.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use super::bounded::{self, GIT_FILE_LIMIT, Links, ReadError};
pub use super::layouts::KnownLayouts;
use crate::model::argv::escape_bytes;
use crate::model::{AttemptSource, Worktree};

/// Files that could not be read: the path and why.
type Problems = Vec<(PathBuf, ReadError)>;

/// At most this many unreadable files are remembered as reported.
const MAX_REPORTED: usize = 4096;

#[derive(Debug, Default)]
pub struct WorktreeProbe {
    layouts: KnownLayouts,
    /// cwd → root of the worktree containing it (None: not inside one).
    roots_of_dirs: HashMap<PathBuf, (Option<PathBuf>, u64)>,
    worktrees: HashMap<PathBuf, (Option<Worktree>, Option<SystemTime>, u64)>,
    generation: u64,
    /// Unreadable `.git`, `HEAD` and `commondir` files, each reported once.
    reported: HashSet<PathBuf>,
    warnings: Vec<String>,
}

impl WorktreeProbe {
    pub fn new() -> WorktreeProbe {
        WorktreeProbe::default()
    }

    pub fn with_layouts(layouts: KnownLayouts) -> WorktreeProbe {
        WorktreeProbe { layouts, ..WorktreeProbe::default() }
    }

    /// Recognises these layouts from now on (worktrees are classified again).
    pub fn set_layouts(&mut self, layouts: KnownLayouts) {
        if layouts != self.layouts {
            self.layouts = layouts;
            self.worktrees.clear();
        }
    }

    pub fn layouts(&self) -> &KnownLayouts {
        &self.layouts
    }

    /// The worktrees containing any of `cwds`, each once. Entries not used in this
    /// call are evicted, so the cache stays bounded by the live cwds.
    pub fn probe<'a>(&mut self, cwds: impl Iterator<Item = &'a Path>) -> Vec<Worktree> {
        self.generation += 1;
        let generation = self.generation;
        let mut found: Vec<Worktree> = Vec::new();
        for cwd in cwds {
            let root = match self.roots_of_dirs.get_mut(cwd) {
                Some(entry) => {
                    entry.1 = generation;
                    entry.0.clone()
                }
                None => {
                    let root = find_root(cwd).or_else(|| self.layouts.workspace_repo(cwd));
                    self.roots_of_dirs.insert(cwd.to_path_buf(), (root.clone(), generation));
                    root
                }
            };
            let Some(root) = root else { continue };
            if let Some(wt) = self.worktree(&root, generation) {
                if !found.iter().any(|w| w.path == wt.path) {
                    found.push(wt);
                }
            }
        }
        self.roots_of_dirs.retain(|_, (_, g)| *g == generation);
        self.worktrees.retain(|_, (_, _, g)| *g == generation);
        found
    }

    /// Problems found since the last call, each file once.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    fn report(&mut self, problems: Problems) {
        for (path, e) in problems.into_iter().filter(|(_, e)| e.is_problem()) {
            if self.reported.len() >= MAX_REPORTED {
                self.reported.clear();
            }
            if self.reported.insert(path.clone()) {
                self.warnings.push(format!("{}: not read: {e}", path.display()));
            }
        }
    }

    fn worktree(&mut self, root: &Path, generation: u64) -> Option<Worktree> {
        if let Some((wt, mtime, g)) = self.worktrees.get_mut(root) {
            if *g == generation {
                return wt.clone();
            }
            *g = generation;
            let current = head_mtime(wt.as_ref(), root);
            if current == *mtime {
                return wt.clone();
            }
        }
        let mut problems = Problems::new();
        let wt = read_worktree_noting(root, &mut problems).map(|w| self.layouts.classify(w));
        self.report(problems);
        let mtime = head_mtime(wt.as_ref(), root);
        self.worktrees.insert(root.to_path_buf(), (wt.clone(), mtime, generation));
        wt
    }
}

fn head_mtime(wt: Option<&Worktree>, root: &Path) -> Option<SystemTime> {
    let gitdir = wt.and_then(|_| git_dir(root, &mut Problems::new()))?;
    fs::metadata(gitdir.join("HEAD")).and_then(|m| m.modified()).ok()
}

/// Walks up from an existing directory to the nearest one holding `.git`.
/// A cwd that no longer exists (deleted worktree) is not walked up, so its
/// processes are not misplaced into an enclosing repository.
pub fn find_root(cwd: &Path) -> Option<PathBuf> {
    if !cwd.is_absolute() || fs::metadata(cwd).is_err() {
        return None;
    }
    cwd.ancestors().find(|dir| fs::symlink_metadata(dir.join(".git")).is_ok()).map(Path::to_path_buf)
}

/// One of git's own small files, whole; a problem is noted in `problems`.
fn git_file(path: PathBuf, problems: &mut Problems) -> Option<Vec<u8>> {
    match bounded::read(&path, GIT_FILE_LIMIT, Links::Follow) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            problems.push((path, e));
            None
        }
    }
}

/// A path written in a git file: bytes, as git writes them.
fn path_in(bytes: &[u8]) -> &Path {
    Path::new(std::ffi::OsStr::from_bytes(bytes.trim_ascii()))
}

/// The git directory of a worktree root: `.git` itself, or where a `.git` file points.
fn git_dir(root: &Path, problems: &mut Problems) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    let meta = fs::metadata(&dot_git).ok()?;
    if meta.is_dir() {
        return Some(dot_git);
    }
    let text = git_file(dot_git, problems)?;
    let target = text.split(|&b| b == b'\n').find_map(|l| l.strip_prefix(b"gitdir:"))?;
    Some(normalize(&root.join(path_in(target))))
}

pub fn read_worktree(root: &Path) -> Option<Worktree> {
    read_worktree_noting(root, &mut Problems::new())
}

fn read_worktree_noting(root: &Path, problems: &mut Problems) -> Option<Worktree> {
    let is_main = fs::metadata(root.join(".git")).ok()?.is_dir();
    let gitdir = git_dir(root, problems)?;
    let head = git_file(gitdir.join("HEAD"), problems)?;
    let project_path = if is_main {
        root.to_path_buf()
    } else {
        let common = match bounded::read(&gitdir.join("commondir"), GIT_FILE_LIMIT, Links::Follow) {
            Ok(rel) => normalize(&gitdir.join(path_in(&rel))),
            Err(e) => {
                problems.push((gitdir.join("commondir"), e));
                normalize(&gitdir.join("../.."))
            }
        };
        if common.file_name().is_some_and(|n| n == ".git") { common.parent()?.to_path_buf() } else { common }
    };
    let (branch, detached_at) = parse_head(&escape_bytes(&head));
    Some(Worktree {
        path: root.to_path_buf(),
        project_path,
        branch,
        detached_at,
        is_main,
        source: AttemptSource::Git,
        layout_dir: None,
    })
}

/// `ref: refs/heads/B` → branch B; a commit id → detached at its first 7 hex digits.
pub fn parse_head(head: &str) -> (Option<String>, Option<String>) {
    let head = head.trim();
    if let Some(r) = head.strip_prefix("ref:") {
        let r = r.trim();
        let branch = r.strip_prefix("refs/heads/").unwrap_or(r);
        return (Some(branch.to_string()), None);
    }
    (None, Some(head.chars().take(7).collect()))
}

/// Resolves `.` and `..` lexically (no symlink lookups, no filesystem access).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_refs_and_detached_commits() {
        assert_eq!(parse_head("ref: refs/heads/vk/1a2b-x\n"), (Some("vk/1a2b-x".into()), None));
        assert_eq!(parse_head("0123456789abcdef0123456789abcdef01234567\n"), (None, Some("0123456".into())));
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
    }
}
