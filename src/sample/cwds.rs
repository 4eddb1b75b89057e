//! The cwd links of processes, one shared copy per distinct directory.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use crate::procfs::{self, ProcDir};

/// One shared copy of each distinct cwd: the processes of a worktree share theirs.
#[derive(Default)]
pub struct Cwds {
    pub(super) known: HashSet<Arc<Path>>,
}

impl Cwds {
    /// Reads `/proc/PID/cwd`, keeping `previous` when unchanged (no hashing, no
    /// allocation).
    /// `via`: read it through that thread of the group (a zombie leader's own is gone).
    pub fn read(
        &mut self,
        proc: &mut ProcDir,
        pid: u32,
        via: Option<u32>,
        buf: &mut Vec<u8>,
        previous: Option<&Arc<Path>>,
    ) -> Option<Arc<Path>> {
        match via {
            Some(tid) => proc.read_link(pid, &format!("task/{tid}/cwd"), buf).ok()?,
            None => proc.read_link(pid, "cwd", buf).ok()?,
        }
        let target = procfs::link_target(buf);
        if let Some(p) = previous.filter(|p| ***p == *target) {
            return Some(p.clone());
        }
        if let Some(p) = self.known.get(target) {
            return Some(p.clone());
        }
        let p: Arc<Path> = target.into();
        self.known.insert(p.clone());
        Some(p)
    }

    /// Forgets the cwds nothing holds any more.
    pub fn prune(&mut self) {
        self.known.retain(|p| Arc::strong_count(p) > 1);
    }
}
