//! Sums over a node and everything below it: CPU, memory (RSS, and PSS where
//! measured), I/O rates where known, process counts.

use super::process::{ProcState, Process};
use super::usage::{MemoryMode, Pss};

/// Sums over a node and everything below it. The PSS and I/O fields are sums over the
/// processes where they were measured, so an unmeasured process is never counted as 0;
/// they are all 0 when nothing is measured (rss mode), and then left off the wire. A
/// field missing on the wire (a peer without it) is 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Rollup {
    pub cpu_percent: f32,
    /// Resident (RSS).
    pub memory_bytes: u64,
    /// u32 keeps every node and row 8 bytes smaller; no box has 4 billion processes.
    pub process_count: u32,
    pub orphan_count: u32,
    /// Processes stopped (state `T`, not a debugger's `t`): paused. Absent on the wire
    /// from a far side that does not count them: none.
    pub stopped_count: u32,
    /// PSS summed over the `pss_measured` processes whose `smaps_rollup` was read.
    #[serde(skip_serializing_if = "is_zero")]
    pub pss_bytes: u64,
    /// The RSS of those same processes (what pss mode replaces with `pss_bytes`).
    #[serde(skip_serializing_if = "is_zero")]
    pub pss_rss_bytes: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub pss_measured: u32,
    /// Processes whose `smaps_rollup` could not be read (another user's).
    #[serde(skip_serializing_if = "is_zero")]
    pub pss_unreadable: u32,
    /// I/O rates summed over the `io_known` processes whose rate is known.
    #[serde(skip_serializing_if = "is_zero")]
    pub io_read: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub io_write: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub io_known: u32,
}

fn is_zero<T: Default + PartialEq>(n: &T) -> bool {
    *n == T::default()
}

impl Rollup {
    pub fn of_process(p: &Process, orphan: bool) -> Rollup {
        let mut r = Rollup {
            cpu_percent: p.cpu_percent,
            memory_bytes: p.memory_bytes,
            process_count: 1,
            orphan_count: u32::from(orphan),
            stopped_count: u32::from(p.state == ProcState::Stopped),
            ..Rollup::default()
        };
        match p.pss() {
            Pss::Measured { pss, .. } => {
                (r.pss_bytes, r.pss_rss_bytes, r.pss_measured) = (pss, p.memory_bytes, 1)
            }
            Pss::Unreadable => r.pss_unreadable = 1,
            Pss::Unmeasured => {}
        }
        if let Some(io) = p.io() {
            (r.io_read, r.io_write, r.io_known) = (io.read, io.write, 1);
        }
        r
    }

    pub fn add(&mut self, other: &Rollup) {
        self.cpu_percent += other.cpu_percent;
        self.memory_bytes += other.memory_bytes;
        self.process_count += other.process_count;
        self.orphan_count += other.orphan_count;
        self.stopped_count += other.stopped_count;
        self.pss_bytes += other.pss_bytes;
        self.pss_rss_bytes += other.pss_rss_bytes;
        self.pss_measured += other.pss_measured;
        self.pss_unreadable += other.pss_unreadable;
        self.io_read = self.io_read.saturating_add(other.io_read);
        self.io_write = self.io_write.saturating_add(other.io_write);
        self.io_known += other.io_known;
    }

    pub fn sum<'a>(items: impl IntoIterator<Item = &'a Rollup>) -> Rollup {
        let mut total = Rollup::default();
        for r in items {
            total.add(r);
        }
        total
    }

    /// The memory `mode` counts: RSS, or PSS with RSS standing in where not measured.
    pub fn memory(&self, mode: MemoryMode) -> u64 {
        match mode {
            MemoryMode::Rss => self.memory_bytes,
            MemoryMode::Pss => self.memory_bytes.saturating_sub(self.pss_rss_bytes) + self.pss_bytes,
        }
    }

    /// Processes whose RSS stands in for their PSS: not measured, or unreadable.
    pub fn pss_estimated(&self) -> u32 {
        self.process_count.saturating_sub(self.pss_measured)
    }

    /// The PSS of every process counted, when each was measured (and there is one).
    pub fn pss_exact(&self) -> Option<u64> {
        (self.process_count > 0 && self.pss_estimated() == 0).then_some(self.pss_bytes)
    }

    /// Processes whose I/O rate is unknown (left out of `io_read` and `io_write`).
    pub fn io_unknown(&self) -> u32 {
        self.process_count.saturating_sub(self.io_known)
    }

    /// Read plus write bytes per second, for sorting.
    pub fn io_total(&self) -> u64 {
        self.io_read.saturating_add(self.io_write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::{ProcessExt, process};

    #[test]
    fn unmeasured_processes_count_their_rss_and_are_never_a_zero() {
        let measured = process(1, 0, "a").mem(900).pss(Pss::Measured { pss: 300, swap: 0 }).io(10, 20);
        let unmeasured = process(2, 0, "b").mem(500);
        let unreadable = process(3, 0, "c").mem(100).pss(Pss::Unreadable);
        let all = Rollup::sum(&[
            Rollup::of_process(&measured, false),
            Rollup::of_process(&unmeasured, false),
            Rollup::of_process(&unreadable, false),
        ]);
        assert_eq!(all.memory(MemoryMode::Rss), 1500);
        assert_eq!(all.memory(MemoryMode::Pss), 300 + 500 + 100, "RSS stands in for the two not measured");
        assert_eq!((all.pss_estimated(), all.pss_unreadable, all.pss_exact()), (2, 1, None));
        assert_eq!((all.io_read, all.io_write, all.io_unknown()), (10, 20, 2));
        let one = Rollup::of_process(&measured, false);
        assert_eq!(one.pss_exact(), Some(300));
        assert_eq!(Rollup::default().pss_exact(), None, "an empty group was measured by nobody");
    }

    #[test]
    fn what_nothing_measured_is_left_off_the_wire() {
        let r = Rollup::of_process(&process(1, 0, "a").mem(900), false);
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains("pss") && !text.contains("io_"), "{text}");
        assert_eq!(serde_json::from_str::<Rollup>(&text).unwrap(), r);
    }
}
