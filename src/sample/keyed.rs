//! One watcher per distinct state directory, whichever processes name it: made when a
//! process first names it (from its own environment), dropped when none does any more.
//! A directory's owner is part of its key: what a state file says about a process counts
//! only for processes of the user who owns the directory (or root's files), so one user
//! cannot plant records that move another user's processes.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A state directory and the uid that owns it (`None` while it does not exist).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub dir: PathBuf,
    pub owner: Option<u32>,
}

impl Place {
    /// `dir` with its owner as `lstat` says now.
    pub fn of(dir: PathBuf) -> Place {
        let owner = std::fs::symlink_metadata(&dir).ok().map(|m| m.uid());
        Place { dir, owner }
    }

    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.join(rel)
    }
}

/// Watchers keyed by `K`.
#[derive(Debug)]
pub struct Keyed<K, W> {
    map: BTreeMap<K, W>,
}

impl<K, W> Default for Keyed<K, W> {
    fn default() -> Keyed<K, W> {
        Keyed { map: BTreeMap::new() }
    }
}

impl<K: Ord + Clone, W> Keyed<K, W> {
    /// Keeps a watcher for each of `wanted` (new ones from `make`), drops the others, and
    /// returns them in key order.
    pub fn sync(
        &mut self,
        wanted: impl IntoIterator<Item = K>,
        make: impl Fn(&K) -> W,
    ) -> impl Iterator<Item = (&K, &mut W)> {
        let mut map = BTreeMap::new();
        for key in wanted {
            if map.contains_key(&key) {
                continue;
            }
            let watcher = self.map.remove(&key).unwrap_or_else(|| make(&key));
            map.insert(key, watcher);
        }
        self.map = map;
        self.map.iter_mut()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_watcher_per_key_kept_while_wanted() {
        let mut keyed: Keyed<u32, String> = Keyed::default();
        let made = std::cell::Cell::new(0);
        let make = |k: &u32| {
            made.set(made.get() + 1);
            format!("w{k}")
        };
        assert_eq!(keyed.sync([2, 1, 2], make).map(|(k, _)| *k).collect::<Vec<_>>(), [1, 2]);
        keyed.sync([1, 3], make).for_each(drop);
        assert_eq!((keyed.len(), made.get()), (2, 3), "1 kept, 2 dropped, 3 made");
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(Place::of(tmp.path().join("absent")).owner, None);
        assert_eq!(Place::of(tmp.path().to_path_buf()).owner, Some(rustix::process::getuid().as_raw()));
    }
}
