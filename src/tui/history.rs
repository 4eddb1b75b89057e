//! Recent CPU and memory per row (ProcKey or group id), bounded: a fixed number of
//! samples per live row, and rows that vanish are dropped. Samples are kept as runs
//! of equal values, so an idle process (most of a busy box) costs one run.

use std::collections::HashMap;
use std::hash::Hash;

use super::rows::RowId;
use crate::capacity::shrunk;
use crate::model::{Forest, ProcKey, ProcNode, Rollup};

pub const SAMPLES: usize = 60;

/// `count` consecutive samples with the same values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Run {
    /// CPU in tenths of a percent.
    cpu: u32,
    /// Memory in KiB.
    mem: u32,
    count: u32,
}

/// The newest run is kept inline, so a row whose values never changed (most processes
/// on a busy box) allocates nothing.
#[derive(Debug, Default, Clone)]
struct Series {
    /// Oldest first; at most SAMPLES runs, so removing the front is cheap.
    earlier: Vec<Run>,
    /// `count == 0` until the first sample.
    newest: Run,
    /// The last recording that saw this row (wrapping: only equality matters).
    seen: u32,
}

impl Series {
    fn push(&mut self, cpu: u32, mem: u32) {
        let n = &mut self.newest;
        if n.count > 0 && n.cpu == cpu && n.mem == mem {
            n.count += 1;
        } else {
            if n.count > 0 {
                self.earlier.push(*n);
            }
            *n = Run { cpu, mem, count: 1 };
        }
        let total: u32 = self.earlier.iter().map(|r| r.count).sum::<u32>() + self.newest.count;
        if total as usize > SAMPLES {
            match self.earlier.first_mut() {
                Some(first) if first.count > 1 => first.count -= 1,
                Some(_) => drop(self.earlier.remove(0)),
                None => self.newest.count -= 1,
            }
        }
    }

    fn values(&self, field: impl Fn(&Run) -> u32) -> Vec<u64> {
        self.earlier
            .iter()
            .chain(std::iter::once(&self.newest))
            .flat_map(|r| std::iter::repeat_n(u64::from(field(r)), r.count as usize))
            .collect()
    }
}

#[derive(Debug, Default, Clone)]
pub struct History {
    groups: HashMap<RowId, Series>,
    processes: HashMap<ProcKey, Series>,
    recordings: u32,
}

fn push<K: Eq + Hash>(map: &mut HashMap<K, Series>, id: K, r: &Rollup, now: u32) {
    let s = map.entry(id).or_default();
    s.push(
        (r.cpu_percent * 10.0).round().max(0.0) as u32,
        u32::try_from(r.memory_bytes / 1024).unwrap_or(u32::MAX),
    );
    s.seen = now;
}

impl History {
    /// Records every group and every process in an attempt or a shared service; the
    /// processes outside every attempt only when they are shown (on a busy box they
    /// are most of the processes, and mostly never looked at).
    pub fn record(&mut self, forest: &Forest, include_unassigned: bool) {
        self.recordings = self.recordings.wrapping_add(1);
        let now = self.recordings;
        let (groups, processes) = (&mut self.groups, &mut self.processes);
        let mut process =
            |n: &ProcNode| push(processes, n.key(), &Rollup::of_process(&n.process, n.orphan), now);
        for p in &forest.projects {
            push(groups, RowId::Project(p.id.clone()), &p.rollup, now);
            for t in &p.tasks {
                push(groups, RowId::Task(t.id.clone()), &t.rollup, now);
                for a in &t.attempts {
                    push(groups, RowId::Attempt(a.id.clone()), &a.rollup, now);
                    a.processes.iter().for_each(|root| root.walk(&mut process));
                }
            }
        }
        let others: &[ProcNode] = if include_unassigned { &forest.unassigned } else { &[] };
        for root in forest.shared.iter().chain(others) {
            root.walk(&mut process);
        }
        self.groups.retain(|_, s| s.seen == now);
        self.processes.retain(|_, s| s.seen == now);
        if let Some(c) = shrunk(self.processes.capacity(), self.processes.len()) {
            self.processes.shrink_to(c);
        }
    }

    fn series(&self, id: &RowId) -> Option<&Series> {
        match id {
            RowId::Process(key) => self.processes.get(key),
            group => self.groups.get(group),
        }
    }

    /// CPU history in tenths of a percent, oldest first.
    pub fn cpu(&self, id: &RowId) -> Vec<u64> {
        self.series(id).map(|s| s.values(|r| r.cpu)).unwrap_or_default()
    }

    /// Memory history in KiB, oldest first.
    pub fn mem(&self, id: &RowId) -> Vec<u64> {
        self.series(id).map(|s| s.values(|r| r.mem)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::associate::{Options, associate};
    use crate::model::fixture::{ProcessExt, process, snapshot};

    #[test]
    fn history_is_bounded_and_forgets_vanished_rows() {
        let mut h = History::default();
        let busy =
            |cpu: f32| associate(&snapshot(vec![process(10, 1, "a").cpu(cpu)], vec![]), &Options::default());
        h.record(&busy(1.0), false);
        assert!(h.processes.is_empty(), "processes outside every attempt are recorded only when shown");
        for i in 0..(SAMPLES + 5) {
            h.record(&busy(i as f32), true);
        }
        let key = RowId::Process(busy(0.0).unassigned[0].key());
        let cpu = h.cpu(&key);
        assert_eq!(cpu.len(), SAMPLES);
        assert_eq!(cpu.last(), Some(&((SAMPLES as u64 + 4) * 10)));
        h.record(&associate(&snapshot(vec![], vec![]), &Options::default()), true);
        assert!(h.cpu(&key).is_empty() && h.processes.is_empty(), "a vanished process leaves nothing behind");
    }

    #[test]
    fn runs_keep_every_sample_exactly_and_idle_rows_stay_one_run() {
        let mut s = Series::default();
        let sent: Vec<(u32, u32)> =
            (0..SAMPLES as u32 * 2).map(|i| if i % 7 < 3 { (0, 500) } else { (i, 500 + i / 10) }).collect();
        for &(cpu, mem) in &sent {
            s.push(cpu, mem);
        }
        let tail = &sent[sent.len() - SAMPLES..];
        assert_eq!(s.values(|r| r.cpu), tail.iter().map(|&(c, _)| u64::from(c)).collect::<Vec<_>>());
        assert_eq!(s.values(|r| r.mem), tail.iter().map(|&(_, m)| u64::from(m)).collect::<Vec<_>>());

        let mut idle = Series::default();
        (0..SAMPLES * 3).for_each(|_| idle.push(0, 1024));
        assert!(idle.earlier.is_empty() && idle.earlier.capacity() == 0, "an idle row allocates nothing");
        assert_eq!(idle.values(|r| r.mem), vec![1024; SAMPLES]);
    }
}
