//! How many `stat` files a procfs source keeps open between refreshes. Each kept file
//! is one descriptor; the sources of one process share half of its open-file limit, so
//! that several of them (the TUI's, its kill's and its detail pane's samplers, the
//! bench's contenders) never take all of it together.

use std::sync::atomic::{AtomicUsize, Ordering};

/// At most this many stat files are kept open, and never more than half of the
/// process's file limit (the kill path needs descriptors too).
const MAX_KEPT_FILES: u64 = 65_536;

/// Stat files kept open by every shared budget of this process together.
static KEPT_BY_ALL_SOURCES: AtomicUsize = AtomicUsize::new(0);

/// One source's kept files, counted against its budget (and the shared count, if any).
/// Dropping it gives its share back.
#[derive(Debug)]
pub(super) struct FileBudget {
    kept: usize,
    pub(super) budget: usize,
    shared: Option<&'static AtomicUsize>,
}

impl FileBudget {
    /// A budget of its own (tests reading a directory laid out like /proc).
    pub(super) fn own(budget: usize) -> FileBudget {
        FileBudget { kept: 0, budget, shared: None }
    }

    /// Half of the open-file limit (raised first), shared by every source of the process.
    pub(super) fn process_wide() -> FileBudget {
        FileBudget { kept: 0, budget: raise_file_limit() / 2, shared: Some(&KEPT_BY_ALL_SOURCES) }
    }

    /// Counted with every budget given the same `count`.
    pub(super) fn shared(budget: usize, count: &'static AtomicUsize) -> FileBudget {
        FileBudget { kept: 0, budget, shared: Some(count) }
    }

    pub(super) fn kept(&self) -> usize {
        self.kept
    }

    /// Takes one file's room; false when the budget is spent.
    pub(super) fn try_keep(&mut self) -> bool {
        if self.kept >= self.budget {
            return false;
        }
        if let Some(shared) = self.shared
            && shared.fetch_add(1, Ordering::Relaxed) >= self.budget
        {
            shared.fetch_sub(1, Ordering::Relaxed);
            return false;
        }
        self.kept += 1;
        true
    }

    /// `n` kept files were closed.
    pub(super) fn released(&mut self, n: usize) {
        self.kept -= n;
        if let Some(shared) = self.shared {
            shared.fetch_sub(n, Ordering::Relaxed);
        }
    }
}

impl Drop for FileBudget {
    fn drop(&mut self) {
        self.released(self.kept);
    }
}

/// Raises the soft limit on open files towards the hard one (as Go programs do) and
/// returns it: on most boxes the soft limit (1,024) is below the number of processes.
fn raise_file_limit() -> usize {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(MAX_KEPT_FILES * 2);
    let wanted = limit.maximum.unwrap_or(u64::MAX).min(MAX_KEPT_FILES * 2);
    if wanted > current {
        match setrlimit(Resource::Nofile, Rlimit { current: Some(wanted), maximum: limit.maximum }) {
            Ok(()) => return wanted as usize,
            Err(e) => crate::warn!("swarmtop: cannot raise the open-file limit to {wanted}: {e}"),
        }
    }
    current.min(MAX_KEPT_FILES * 2) as usize
}
