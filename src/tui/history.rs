//! Recent CPU and memory per row (ProcKey or group id), bounded: a fixed number of
//! samples per live row, and rows that vanish are dropped.

use std::collections::{HashMap, VecDeque};

use super::rows::RowId;
use crate::model::{Forest, ProcNode, Rollup};

pub const SAMPLES: usize = 60;

#[derive(Debug, Default, Clone)]
struct Series {
    /// CPU in tenths of a percent.
    cpu: VecDeque<u32>,
    /// Memory in KiB.
    mem: VecDeque<u32>,
    /// The last recording that saw this row.
    seen: u64,
}

#[derive(Debug, Default, Clone)]
pub struct History {
    series: HashMap<RowId, Series>,
    recordings: u64,
}

impl History {
    /// Records every group and every process in an attempt or a shared service; the
    /// processes outside every attempt only when they are shown (on a busy box they
    /// are most of the processes, and mostly never looked at).
    pub fn record(&mut self, forest: &Forest, include_unassigned: bool) {
        self.recordings += 1;
        let now = self.recordings;
        let mut push = |id: RowId, r: &Rollup| {
            let s = self.series.entry(id).or_default();
            if s.cpu.len() == SAMPLES {
                s.cpu.pop_front();
                s.mem.pop_front();
            }
            s.cpu.push_back((r.cpu_percent * 10.0).round().max(0.0) as u32);
            s.mem.push_back(u32::try_from(r.memory_bytes / 1024).unwrap_or(u32::MAX));
            s.seen = now;
        };
        for p in &forest.projects {
            push(RowId::Project(p.id.clone()), &p.rollup);
            for t in &p.tasks {
                push(RowId::Task(t.id.clone()), &t.rollup);
                for a in &t.attempts {
                    push(RowId::Attempt(a.id.clone()), &a.rollup);
                    a.processes.iter().for_each(|root| {
                        root.walk(&mut |n| {
                            push(RowId::Process(n.key()), &Rollup::of_process(&n.process, n.orphan))
                        })
                    });
                }
            }
        }
        let others: &[ProcNode] = if include_unassigned { &forest.unassigned } else { &[] };
        for root in forest.shared.iter().chain(others) {
            root.walk(&mut |n| push(RowId::Process(n.key()), &Rollup::of_process(&n.process, n.orphan)));
        }
        self.series.retain(|_, s| s.seen == now);
    }

    /// CPU history in tenths of a percent, oldest first.
    pub fn cpu(&self, id: &RowId) -> Vec<u64> {
        self.series.get(id).map(|s| s.cpu.iter().map(|&v| u64::from(v)).collect()).unwrap_or_default()
    }

    /// Memory history in KiB, oldest first.
    pub fn mem(&self, id: &RowId) -> Vec<u64> {
        self.series.get(id).map(|s| s.mem.iter().map(|&v| u64::from(v)).collect()).unwrap_or_default()
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
        assert!(h.series.is_empty(), "processes outside every attempt are recorded only when shown");
        for i in 0..(SAMPLES + 5) {
            h.record(&busy(i as f32), true);
        }
        let key = RowId::Process(busy(0.0).unassigned[0].key());
        let cpu = h.cpu(&key);
        assert_eq!(cpu.len(), SAMPLES);
        assert_eq!(cpu.last(), Some(&((SAMPLES as u64 + 4) * 10)));
        h.record(&associate(&snapshot(vec![], vec![]), &Options::default()), true);
        assert!(h.cpu(&key).is_empty() && h.series.is_empty(), "a vanished process leaves nothing behind");
    }
}
