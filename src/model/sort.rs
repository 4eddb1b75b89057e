//! Sort keys for sibling groups: groups compare by their roll-ups, processes by
//! their subtree roll-ups (so a quiet parent of a busy child sorts as busy).

use std::cmp::Ordering;

use serde::Deserialize;

use super::forest::Rollup;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortKey {
    Cpu,
    Mem,
    Pid,
    Name,
    Count,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [SortKey::Cpu, SortKey::Mem, SortKey::Pid, SortKey::Name, SortKey::Count];

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
        }
    }

    /// Numbers sort high-first by default, names and PIDs low-first.
    fn descending(self) -> bool {
        matches!(self, SortKey::Cpu | SortKey::Mem | SortKey::Count)
    }
}

/// What a row offers to sort on.
pub struct SortFields<'a> {
    pub rollup: &'a Rollup,
    pub name: &'a str,
    pub pid: Option<u32>,
}

/// Compares two siblings; ties fall back to name then pid so the order is stable.
pub fn compare(key: SortKey, reverse: bool, a: &SortFields<'_>, b: &SortFields<'_>) -> Ordering {
    let primary = match key {
        SortKey::Cpu => a.rollup.cpu_percent.total_cmp(&b.rollup.cpu_percent),
        SortKey::Mem => a.rollup.memory_bytes.cmp(&b.rollup.memory_bytes),
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
        assert_eq!(compare(SortKey::Cpu, false, &a, &b), Ordering::Less);
        assert_eq!(compare(SortKey::Cpu, true, &a, &b), Ordering::Greater);
        assert_eq!(compare(SortKey::Name, false, &a, &b), Ordering::Greater);
        assert_eq!(compare(SortKey::Pid, false, &a, &b), Ordering::Greater);
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
