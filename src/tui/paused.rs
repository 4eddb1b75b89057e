//! The processes this TUI stopped on purpose (a pause, or a stopping signal sent once),
//! kept by ProcKey while they stay stopped: the header counts them, quitting offers to
//! resume them, and whatever ends the TUI says which are left stopped. Pure.

use std::collections::HashMap;

use crate::kill::exec::{KillReport, Outcome};
use crate::kill::operation::Operation;
use crate::model::{Forest, ProcKey, ProcState};

/// Forests after which a process that never showed as stopped (a stopping signal it
/// handled) is no longer counted.
const LOOKS_TO_STOP: u8 = 3;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PausedByUs {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: ProcKey,
    /// The targets of the action that stopped it, as text.
    scope: String,
    /// Stopped (`T`) in the newest forest.
    stopped: bool,
    /// Shown as stopped at least once since it was recorded.
    seen_stopped: bool,
    looks: u8,
}

impl PausedByUs {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Records what `report` stopped: a pause's paused processes, or the processes a
    /// stopping signal (TSTP, TTIN, TTOU) was delivered to.
    pub fn record(&mut self, report: &KillReport, scope: &str) {
        let stopping = match report.operation {
            Operation::Pause => Outcome::Paused,
            Operation::Send { signal } if signal.stops() => Outcome::Delivered,
            _ => return,
        };
        for (entry, outcome) in &report.outcomes {
            if *outcome == stopping && !self.entries.iter().any(|e| e.key == entry.key) {
                self.entries.push(Entry {
                    key: entry.key,
                    scope: scope.to_string(),
                    stopped: true,
                    seen_stopped: false,
                    looks: 0,
                });
            }
        }
    }

    /// Follows the newest forest: forgets what exited, what was continued since it was
    /// seen stopped (by `resume` or anyone), and what never stopped.
    pub fn update(&mut self, forest: &Forest) {
        if self.entries.is_empty() {
            return;
        }
        let mut states: HashMap<ProcKey, ProcState> = HashMap::with_capacity(self.entries.len());
        let wanted: std::collections::HashSet<ProcKey> = self.entries.iter().map(|e| e.key).collect();
        forest.walk_processes(&mut |n| {
            if wanted.contains(&n.key()) {
                states.insert(n.key(), n.process.state);
            }
        });
        self.entries.retain_mut(|e| {
            let Some(state) = states.get(&e.key) else { return false };
            e.stopped = *state == ProcState::Stopped;
            e.looks = e.looks.saturating_add(1);
            if e.stopped {
                e.seen_stopped = true;
                return true;
            }
            !e.seen_stopped && e.looks < LOOKS_TO_STOP
        });
    }

    /// The processes stopped now, by the scope that stopped them, in the order they
    /// were stopped.
    pub fn scopes(&self) -> Vec<(String, Vec<ProcKey>)> {
        let mut out: Vec<(String, Vec<ProcKey>)> = Vec::new();
        for e in self.entries.iter().filter(|e| e.stopped) {
            match out.iter_mut().find(|(scope, _)| *scope == e.scope) {
                Some((_, keys)) => keys.push(e.key),
                None => out.push((e.scope.clone(), vec![e.key])),
            }
        }
        out
    }

    /// How many are stopped now.
    pub fn count(&self) -> usize {
        self.entries.iter().filter(|e| e.stopped).count()
    }

    /// What is left stopped, for stderr once the terminal is restored; None when nothing.
    pub fn reminder(&self) -> Option<String> {
        let scopes = self.scopes();
        if scopes.is_empty() {
            return None;
        }
        let listed: Vec<String> = scopes
            .iter()
            .map(|(scope, keys)| {
                format!("{scope} ({} process{})", keys.len(), if keys.len() == 1 { "" } else { "es" })
            })
            .collect();
        let targets: Vec<&str> = scopes.iter().map(|(scope, _)| scope.as_str()).collect();
        Some(format!(
            "left paused (stopped) by you: {}; `swarmtop resume {}` continues them",
            listed.join(", "),
            targets.join(" ")
        ))
    }
}

#[cfg(test)]
#[path = "paused_tests.rs"]
mod tests;
