//! Exited processes among the rows: each ghost under its parent's row, or its group's,
//! or — when its group is gone too — in an "exited processes" bucket. Ghost rows have
//! ids of their own (`RowId::Ghost`), so nothing that acts on processes can take one.

use std::collections::{HashMap, HashSet};

use super::changes::{Changes, Ghost, GhostParent};
use super::rows::{Group, ProcessRow, RowBuilder, RowId, RowKind};
use crate::model::{ProcNode, Rollup};

/// A child row to build: a live process or a ghost.
pub(super) enum Item<'n> {
    Live(&'n ProcNode),
    Ghost(&'n Ghost),
}

/// The ghosts of a build, by the row they hang under.
#[derive(Default)]
pub(super) struct Ghosts<'c> {
    by_parent: HashMap<&'c GhostParent, Vec<&'c Ghost>>,
    /// The group rows built so far.
    shown_groups: HashSet<RowId>,
}

impl<'c> Ghosts<'c> {
    pub fn of(changes: Option<&'c Changes>) -> Ghosts<'c> {
        let mut ghosts = Ghosts::default();
        for g in changes.map_or(&[][..], Changes::ghosts) {
            ghosts.by_parent.entry(&g.under).or_default().push(g);
        }
        for list in ghosts.by_parent.values_mut() {
            list.sort_by_key(|g| g.process.pid());
        }
        ghosts
    }

    pub fn under(&self, parent: &GhostParent) -> Vec<&'c Ghost> {
        if self.by_parent.is_empty() {
            return Vec::new();
        }
        self.by_parent.get(parent).cloned().unwrap_or_default()
    }

    pub fn has(&self, parent: &GhostParent) -> bool {
        !self.by_parent.is_empty() && self.by_parent.contains_key(parent)
    }

    pub fn group_shown(&mut self, id: &RowId) {
        if !self.by_parent.is_empty() {
            self.shown_groups.insert(id.clone());
        }
    }

    /// Ghosts whose group has no row (an attempt whose every process exited), but not
    /// those of the hidden "other processes": exits outside every attempt are not news.
    fn homeless(&self) -> Vec<&'c Ghost> {
        let mut out: Vec<&Ghost> = (self.by_parent.iter())
            .filter(|(p, _)| {
                matches!(p, GhostParent::Group(g) if *g != RowId::Other && !self.shown_groups.contains(g))
            })
            .flat_map(|(_, list)| list.iter().copied())
            .collect();
        out.sort_by_key(|g| g.process.pid());
        out
    }
}

impl<'o> RowBuilder<'o> {
    /// Pushes a ghost's row; returns its index when it is open (its ghost children follow).
    pub(super) fn ghost(&mut self, g: &Ghost, depth: u16, parent: usize, last: bool) -> Option<usize> {
        let key = g.process.key;
        let row = ProcessRow {
            process: &g.process,
            id: RowId::Ghost(key),
            kind: RowKind::Ghost,
            orphan: g.orphan,
            has_children: self.ghosts.has(&GhostParent::Process(key)),
            subtree: Rollup::of_process(&g.process, g.orphan),
            agent: None,
            new: false,
            node: None,
        };
        self.push_process(row, depth, parent, last)
    }

    /// The bucket of ghosts whose group is gone, last.
    pub(super) fn exited_bucket(&mut self) {
        let homeless = self.ghosts.homeless();
        if homeless.is_empty() {
            return;
        }
        let mut rollup = Rollup::default();
        for g in &homeless {
            rollup.add(&Rollup::of_process(&g.process, g.orphan));
        }
        if let Some(me) = self.group(Group {
            id: RowId::Exited,
            kind: RowKind::Ghost,
            depth: 0,
            parent: None,
            label: "exited processes",
            note: String::new(),
            rollup,
            has_children: true,
            last: false,
            ports: Vec::new(),
        }) {
            self.processes(&[], &homeless, 1, me);
        }
    }
}
