//! Sort keys for sibling groups: groups compare by their roll-ups, processes by
//! their subtree roll-ups (so a quiet parent of a busy child sorts as busy).

use std::cmp::Ordering;

use serde::Deserialize;

use super::forest::Rollup;
use super::usage::MemoryMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortKey {
    Cpu,
    Mem,
    Pid,
    Name,
    Count,
    /// Read plus write bytes per second.
    Io,
}

impl SortKey {
    pub const ALL: [SortKey; 6] =
        [SortKey::Cpu, SortKey::Mem, SortKey::Pid, SortKey::Name, SortKey::Count, SortKey::Io];

    pub fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Cpu => "CPU%",
            SortKey::Mem => "MEM",
            SortKey::Pid => "PID",
            SortKey::Name => "NAME",
            SortKey::Count => "PROCS",
            SortKey::Io => "IO",
        }
    }

    /// Numbers sort high-first by default, names and PIDs low-first.
    fn descending(self) -> bool {
        matches!(self, SortKey::Cpu | SortKey::Mem | SortKey::Count | SortKey::Io)
    }
}

/// What a row offers to sort on.
pub struct SortFields<'a> {
    pub rollup: &'a Rollup,
    pub name: &'a str,
    pub pid: Option<u32>,
}

/// How rows are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub key: SortKey,
    pub reverse: bool,
    /// What MEM sorts by: the memory this mode counts.
    pub memory: MemoryMode,
}

/// Compares two siblings; ties fall back to name then pid so the order is stable.
pub fn compare(order: Order, a: &SortFields<'_>, b: &SortFields<'_>) -> Ordering {
    let Order { key, reverse, memory } = order;
    let primary = match key {
        SortKey::Cpu => a.rollup.cpu_percent.total_cmp(&b.rollup.cpu_percent),
        SortKey::Mem => a.rollup.memory(memory).cmp(&b.rollup.memory(memory)),
        SortKey::Io => a.rollup.io_total().cmp(&b.rollup.io_total()),
        SortKey::Count => a.rollup.process_count.cmp(&b.rollup.process_count),
        SortKey::Pid => a.pid.cmp(&b.pid),
        SortKey::Name => Ordering::Equal,
    };
    let primary = if key.descending() { primary.reverse() } else { primary };
    let primary = if reverse { primary.reverse() } else { primary };
    primary.then_with(|| a.name.cmp(b.name)).then_with(|| a.pid.cmp(&b.pid))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f<'a>(r: &'a Rollup, name: &'a str, pid: u32) -> SortFields<'a> {
        SortFields { rollup: r, name, pid: Some(pid) }
    }

    #[test]
    fn numbers_sort_high_first_and_reverse_flips() {
        let busy = Rollup { cpu_percent: 50.0, ..Rollup::default() };
        let idle = Rollup::default();
        let (a, b) = (f(&busy, "b", 2), f(&idle, "a", 1));
        let by = |key, reverse| Order { key, reverse, memory: MemoryMode::Rss };
        assert_eq!(compare(by(SortKey::Cpu, false), &a, &b), Ordering::Less);
        assert_eq!(compare(by(SortKey::Cpu, true), &a, &b), Ordering::Greater);
        assert_eq!(compare(by(SortKey::Name, false), &a, &b), Ordering::Greater);
        assert_eq!(compare(by(SortKey::Pid, false), &a, &b), Ordering::Greater);
    }

    #[test]
    fn memory_sorts_by_what_the_mode_counts_and_io_by_read_plus_write() {
        // Big resident, small proportional (its pages are shared), and the other way.
        let measured = |rss, pss| Rollup {
            memory_bytes: rss,
            pss_rss_bytes: rss,
            pss_bytes: pss,
            pss_measured: 1,
            process_count: 1,
            ..Rollup::default()
        };
        let shared = Rollup { io_read: 5, ..measured(900, 100) };
        let private = Rollup { io_write: 9, ..measured(500, 500) };
        let (a, b) = (f(&shared, "a", 1), f(&private, "b", 2));
        let by = |key, memory| Order { key, reverse: false, memory };
        assert_eq!(compare(by(SortKey::Mem, MemoryMode::Rss), &a, &b), Ordering::Less);
        assert_eq!(compare(by(SortKey::Mem, MemoryMode::Pss), &a, &b), Ordering::Greater);
        assert_eq!(compare(by(SortKey::Io, MemoryMode::Rss), &a, &b), Ordering::Greater);
    }

    #[test]
    fn next_cycles_through_all_keys() {
        let mut k = SortKey::Cpu;
        for _ in 0..SortKey::ALL.len() {
            k = k.next();
        }
        assert_eq!(k, SortKey::Cpu);
    }
}
