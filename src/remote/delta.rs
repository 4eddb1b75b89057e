//! What changed between two WireForests: per table, the records whose whole value
//! changed (or are new) and the keys that are gone. Records are compared whole, so a
//! field added to a record's type is part of the delta without any code here. Pure.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::wire::{AttemptRecord, Header, NodeRecord, ProjectRecord, TaskRecord, WireForest};
use crate::model::{AttemptId, ProcKey, ProcessFacts, ProjectId, TaskId};

/// One table's changes: `set` is new or changed records, `del` the keys that are gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "K: Serialize, V: Serialize",
    deserialize = "K: Deserialize<'de>, V: Deserialize<'de>"
))]
pub struct TableDelta<K, V> {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<(K, V)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub del: Vec<K>,
}

impl<K, V> Default for TableDelta<K, V> {
    fn default() -> Self {
        TableDelta { set: Vec::new(), del: Vec::new() }
    }
}

impl<K: Ord + Clone, V: Clone + PartialEq> TableDelta<K, V> {
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.del.is_empty()
    }

    /// From `old` to `new`, in one pass over both (they are sorted).
    pub fn between(old: &BTreeMap<K, V>, new: &BTreeMap<K, V>) -> TableDelta<K, V> {
        Self::between_by(old, new, |a, b| a == b)
    }

    /// Like `between`, with `same` deciding whether a record changed.
    pub fn between_by(
        old: &BTreeMap<K, V>,
        new: &BTreeMap<K, V>,
        same: impl Fn(&V, &V) -> bool,
    ) -> TableDelta<K, V> {
        let mut delta = TableDelta::default();
        let (mut a, mut b) = (old.iter().peekable(), new.iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some((ka, _)), None) => {
                    delta.del.push((*ka).clone());
                    a.next();
                }
                (None, Some((kb, vb))) => {
                    delta.set.push(((*kb).clone(), (*vb).clone()));
                    b.next();
                }
                (Some((ka, va)), Some((kb, vb))) => match ka.cmp(kb) {
                    std::cmp::Ordering::Less => {
                        delta.del.push((*ka).clone());
                        a.next();
                    }
                    std::cmp::Ordering::Greater => {
                        delta.set.push(((*kb).clone(), (*vb).clone()));
                        b.next();
                    }
                    std::cmp::Ordering::Equal => {
                        if !same(va, vb) {
                            delta.set.push(((*kb).clone(), (*vb).clone()));
                        }
                        a.next();
                        b.next();
                    }
                },
            }
        }
        delta
    }

    pub fn apply(self, table: &mut BTreeMap<K, V>) {
        for k in &self.del {
            table.remove(k);
        }
        table.extend(self.set);
    }
}

/// The changes of a whole forest. The header is always sent: it is the heartbeat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ForestDelta {
    pub header: Header,
    #[serde(default, skip_serializing_if = "TableDelta::is_empty")]
    pub projects: TableDelta<ProjectId, ProjectRecord>,
    #[serde(default, skip_serializing_if = "TableDelta::is_empty")]
    pub tasks: TableDelta<TaskId, TaskRecord>,
    #[serde(default, skip_serializing_if = "TableDelta::is_empty")]
    pub attempts: TableDelta<AttemptId, AttemptRecord>,
    #[serde(default, skip_serializing_if = "TableDelta::is_empty")]
    pub facts: TableDelta<ProcKey, Arc<ProcessFacts>>,
    #[serde(default, skip_serializing_if = "TableDelta::is_empty")]
    pub nodes: TableDelta<ProcKey, NodeRecord>,
}

impl ForestDelta {
    /// What turns `old` (nothing: the whole forest) into `new`.
    pub fn between(old: Option<&WireForest>, new: &WireForest) -> ForestDelta {
        let empty = WireForest::default();
        let old = old.unwrap_or(&empty);
        ForestDelta {
            header: new.header.clone(),
            projects: TableDelta::between(&old.projects, &new.projects),
            tasks: TableDelta::between(&old.tasks, &new.tasks),
            attempts: TableDelta::between(&old.attempts, &new.attempts),
            // Shared facts: the same allocation is the same facts, without comparing.
            facts: TableDelta::between_by(&old.facts, &new.facts, |a, b| Arc::ptr_eq(a, b) || a == b),
            nodes: TableDelta::between(&old.nodes, &new.nodes),
        }
    }

    pub fn apply(self, w: &mut WireForest) {
        w.header = self.header;
        self.projects.apply(&mut w.projects);
        self.tasks.apply(&mut w.tasks);
        self.attempts.apply(&mut w.attempts);
        self.facts.apply(&mut w.facts);
        self.nodes.apply(&mut w.nodes);
    }

    /// Records set or deleted: 0 for a box where nothing changed.
    pub fn changes(&self) -> usize {
        self.projects.set.len()
            + self.projects.del.len()
            + self.tasks.set.len()
            + self.tasks.del.len()
            + self.attempts.set.len()
            + self.attempts.del.len()
            + self.facts.set.len()
            + self.facts.del.len()
            + self.nodes.set.len()
            + self.nodes.del.len()
    }
}

#[cfg(test)]
#[path = "delta_tests.rs"]
mod tests;
