//! The facts read once per process besides its argv: the environment variables that place
//! it (`model::tags`), where its agents keep state (`model::homes`, one shared copy per
//! distinct set of values) and, for names that cannot tell an agent alone, the
//! program's resolved path.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::Argv;
use crate::model::agent::needs_program_path;
use crate::model::homes::StateHomes;

/// One shared copy of each distinct [`StateHomes`]: every process of a user shares one.
#[derive(Debug, Default)]
pub struct HomesCache {
    known: HashSet<Arc<StateHomes>>,
}

impl HomesCache {
    /// The state homes of a raw environ block, shared.
    pub fn of_environ(&mut self, raw: &[u8]) -> Option<Arc<StateHomes>> {
        let homes = StateHomes::from_environ(raw)?;
        if let Some(known) = self.known.get(&homes) {
            return Some(known.clone());
        }
        let homes = Arc::new(homes);
        self.known.insert(homes.clone());
        Some(homes)
    }

    /// The placing tags and the state homes of a raw environ block (none when unread).
    pub fn facts(&mut self, raw: Option<&[u8]>) -> (Vec<(String, String)>, Option<Arc<StateHomes>>) {
        match raw {
            Some(raw) => (crate::model::tags::parse_environ(raw), self.of_environ(raw)),
            None => (Vec::new(), None),
        }
    }

    /// Forgets what no process holds any more.
    pub fn prune(&mut self) {
        self.known.retain(|h| Arc::strong_count(h) > 1);
    }
}

/// The resolved path of the program `cmd` runs, when its name alone is ambiguous:
/// `exe` (read only then) for a binary, the real path of the script under an
/// interpreter.
pub fn program_path(cmd: &Argv, exe: impl FnOnce() -> Option<PathBuf>) -> Option<Box<str>> {
    let argv0 = cmd.first()?;
    let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    let interpreter = ["node", "nodejs", "bun", "deno"].contains(&base(argv0).as_str());
    let path = if interpreter {
        let script = cmd.iter().skip(1).find(|a| !a.starts_with('-'))?;
        if !needs_program_path(&base(script)) || !script.starts_with('/') {
            return None;
        }
        std::fs::canonicalize(Path::new(script)).ok()?
    } else {
        if !needs_program_path(&base(argv0)) {
            return None;
        }
        exe()?
    };
    Some(path.to_string_lossy().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homes_are_shared_and_pruned() {
        let mut cache = HomesCache::default();
        let a = cache.of_environ(b"HOME=/home/ann\0PATH=/bin\0").unwrap();
        let b = cache.of_environ(b"PATH=/usr/bin\0HOME=/home/ann\0").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(cache.of_environ(b"PATH=/bin\0").is_none());
        drop((a, b));
        cache.prune();
        assert!(cache.known.is_empty());
    }

    #[test]
    fn only_ambiguous_programs_are_resolved() {
        let argv = |s: &str| s.split(' ').collect::<Argv>();
        let exe = || Some(PathBuf::from("/opt/@sourcegraph/amp/amp.exe"));
        assert_eq!(program_path(&argv("amp --help"), exe).as_deref(), Some("/opt/@sourcegraph/amp/amp.exe"));
        assert_eq!(program_path(&argv("claude"), || panic!("not read for claude")), None);
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("main.js");
        std::fs::write(&real, "").unwrap();
        let link = tmp.path().join("amp");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let got = program_path(&argv(&format!("node {}", link.display())), || None);
        assert_eq!(got.as_deref(), real.canonicalize().unwrap().to_str());
    }
}
