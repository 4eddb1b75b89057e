//! Pure association: Snapshot → Forest (rules and ids: docs/architecture.md).

mod build;
pub mod naming;
mod placement;

use std::collections::HashMap;

use crate::model::{Forest, Snapshot};

/// Knobs association takes from config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Names of processes that adopt orphans besides PID 1 (`systemd --user`).
    pub subreapers: Vec<String>,
    /// Program names recognised as agents besides the built-in ones.
    pub agents: Vec<String>,
    /// `[[layout]]` patterns, checked before git worktrees.
    pub layouts: Vec<crate::model::layout::LayoutPattern>,
}

impl Default for Options {
    fn default() -> Options {
        Options { subreapers: vec!["systemd".to_string()], agents: Vec::new(), layouts: Vec::new() }
    }
}

pub fn associate(snapshot: &Snapshot, options: &Options) -> Forest {
    let index_of_pid: HashMap<u32, usize> =
        snapshot.processes.iter().enumerate().map(|(i, p)| (p.pid(), i)).collect();
    let placements = placement::place_all(snapshot, &index_of_pid, options);
    let orphan: Vec<bool> = snapshot
        .processes
        .iter()
        .zip(&placements.of)
        .map(|(p, placement)| {
            placement.is_some()
                && (p.ppid == 1
                    || index_of_pid.get(&p.ppid).is_some_and(|&i| {
                        options.subreapers.iter().any(|s| **s == *snapshot.processes[i].facts.name)
                    }))
        })
        .collect();
    build::Builder { snapshot, placements: &placements, index_of_pid: &index_of_pid, orphan: &orphan }.build()
}

#[cfg(test)]
mod rule_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod upstream_tests;
