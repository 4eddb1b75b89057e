//! New and exited processes, remembered for a few refreshes (htop's `-H`): which
//! processes appeared, and a copy of each one that vanished (a "ghost") with where it
//! was, so the tree can show it greyed where it died.
//!
//! A ghost is a memory of a process that is gone. It is shown, never acted on: its
//! rows have ids of their own (`RowId::Ghost`), no kill resolves them, and every plan
//! is made from the live forest, which holds no ghost.

use std::collections::{HashMap, HashSet};

use super::rows::RowId;
use crate::capacity::shrunk;
use crate::model::{Forest, ProcKey, ProcNode, Process};

/// A process that vanished, as it was last seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Ghost {
    pub process: Process,
    pub orphan: bool,
    /// Where its row goes: under its parent (a live process or another ghost), else
    /// under its group (`RowId::Attempt`, `Shared`, `Other`) while that group is shown,
    /// else in the `RowId::Exited` bucket.
    pub under: GhostParent,
    /// The refresh that no longer saw it.
    vanished: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GhostParent {
    Process(ProcKey),
    Group(RowId),
}

#[derive(Debug, Default)]
pub struct Changes {
    /// How many refreshes a change stays highlighted (0: never).
    window: u32,
    refresh: u32,
    /// Every live process: the refresh it was first seen in (0: in the first forest,
    /// which is not news), and the last refresh that saw it.
    seen: HashMap<ProcKey, (u32, u32)>,
    /// The processes first seen within the window.
    born: HashSet<ProcKey>,
    ghosts: Vec<Ghost>,
    /// Each agent's status and since when (sample time, ms) it has had it, for agents
    /// whose files do not say when it changed.
    agents: HashMap<ProcKey, (Box<str>, u64)>,
    /// How many agents wait for their user.
    waiting: usize,
}

impl Changes {
    pub fn new(window: u32) -> Changes {
        Changes { window, ..Changes::default() }
    }

    /// For how many refreshes a change stays highlighted.
    pub fn window(&self) -> u32 {
        self.window
    }

    pub fn is_new(&self, key: ProcKey) -> bool {
        !self.born.is_empty() && self.born.contains(&key)
    }

    pub fn ghosts(&self) -> &[Ghost] {
        &self.ghosts
    }

    /// Whether anything is highlighted (an idle refresh must then still count).
    pub fn is_active(&self) -> bool {
        !self.born.is_empty() || !self.ghosts.is_empty()
    }

    /// Since when (ms since the epoch) the agent `key` has had `status`: by its own
    /// file when it says, else since the first sample that saw it so.
    pub fn status_since(&self, key: ProcKey, status: &str) -> Option<u64> {
        self.agents.get(&key).filter(|(s, _)| &**s == status).map(|(_, since)| *since)
    }

    /// How many agents wait for their user.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// Whether any agent's status (and so a time on screen) is known.
    pub fn has_agents(&self) -> bool {
        !self.agents.is_empty()
    }

    /// A new forest replaces `old`: who was born, who died, which agent's status changed.
    /// `others`: the processes outside every attempt are shown, so their exits are too
    /// (on a busy box they are most of the churn, and otherwise never seen).
    pub fn record(&mut self, old: &Forest, new: &Forest, others: bool) {
        self.record_agents(new);
        if self.window == 0 {
            return;
        }
        let first = self.seen.is_empty() && self.refresh == 0;
        self.refresh = self.refresh.wrapping_add(1);
        let now = self.refresh;
        let (seen, born) = (&mut self.seen, &mut self.born);
        new.walk_processes(&mut |n| {
            let entry = seen.entry(n.key()).or_insert_with(|| {
                if !first {
                    born.insert(n.key());
                }
                (if first { 0 } else { now }, now)
            });
            entry.1 = now;
        });
        let gone: HashSet<ProcKey> = self.seen.iter().filter(|(_, s)| s.1 != now).map(|(k, _)| *k).collect();
        if !gone.is_empty() {
            self.seen.retain(|_, s| s.1 == now);
            self.born.retain(|k| !gone.contains(k));
            self.bury(old, &gone, others);
        }
        if let Some(c) = shrunk(self.seen.capacity(), self.seen.len()) {
            self.seen.shrink_to(c);
        }
        self.expire();
    }

    fn record_agents(&mut self, forest: &Forest) {
        let (mut agents, mut waiting) = (HashMap::new(), 0);
        let now = forest.sampled_at_ms;
        for (_, _, a) in forest.attempts() {
            let Some(node) = a.agent_node() else { continue };
            let Some(info) = node.agent.as_deref() else { continue };
            let Some(status) = info.status.as_deref() else { continue };
            waiting += usize::from(info.waits());
            let since = match self.agents.remove(&node.key()) {
                Some((was, since)) if &*was == status => since,
                _ => info.status_since_ms.unwrap_or(now),
            };
            agents.insert(node.key(), (status.into(), info.status_since_ms.unwrap_or(since)));
        }
        self.agents = agents;
        self.waiting = waiting;
    }

    /// A refresh that changed nothing still ages the highlights; true when some ended.
    pub fn tick(&mut self) -> bool {
        if self.window == 0 || !self.is_active() {
            return false;
        }
        self.refresh = self.refresh.wrapping_add(1);
        self.expire()
    }

    fn expire(&mut self) -> bool {
        let (now, window) = (self.refresh, self.window);
        let before = (self.born.len(), self.ghosts.len());
        let seen = &self.seen;
        self.born.retain(|k| seen.get(k).is_some_and(|s| now.wrapping_sub(s.0) < window));
        self.ghosts.retain(|g| now.wrapping_sub(g.vanished) < window);
        before != (self.born.len(), self.ghosts.len())
    }

    /// Makes a ghost of every process of `old` in `gone`, each under its parent when
    /// that is a process still there or gone too, else under its group.
    fn bury(&mut self, old: &Forest, gone: &HashSet<ProcKey>, others: bool) {
        let now = self.refresh;
        let mut add = |roots: &[ProcNode], group: RowId| {
            let mut stack: Vec<(&ProcNode, Option<ProcKey>)> =
                roots.iter().rev().map(|n| (n, None)).collect();
            while let Some((n, parent)) = stack.pop() {
                if gone.contains(&n.key()) {
                    let under = match parent {
                        Some(p) => GhostParent::Process(p),
                        None => GhostParent::Group(group.clone()),
                    };
                    let process = n.process.clone();
                    self.ghosts.push(Ghost { process, orphan: n.orphan, under, vanished: now });
                }
                stack.extend(n.children.iter().rev().map(|c| (c, Some(n.key()))));
            }
        };
        for (_, _, a) in old.attempts() {
            add(&a.processes, RowId::Attempt(a.id.clone()));
        }
        add(&old.shared, RowId::Shared);
        if others {
            add(&old.unassigned, RowId::Other);
        }
    }
}
