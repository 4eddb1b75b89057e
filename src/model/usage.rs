//! Memory and I/O of a process beyond its resident set: how memory is counted (RSS or
//! PSS), what `smaps_rollup` said, I/O rates, and what the detail pane shows of one
//! process. Plain data: the readings come from `sample`.

use serde::Deserialize;

use super::forest::Rollup;
use super::process::ProcKey;
use super::text::human_bytes;

/// Marks a figure that is not all measured: RSS standing in for a PSS not read yet,
/// or I/O that leaves out processes whose counters are unknown. Plain text, so it reads
/// without colour.
pub const ESTIMATE_MARK: char = '*';

/// How memory is counted: the resident set (RSS, every shared page counted in every
/// process that maps it) or the proportional set (PSS, each shared page divided among
/// the processes that map it, so sums count it once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemoryMode {
    #[default]
    Rss,
    Pss,
}

impl MemoryMode {
    pub fn toggled(self) -> MemoryMode {
        match self {
            MemoryMode::Rss => MemoryMode::Pss,
            MemoryMode::Pss => MemoryMode::Rss,
        }
    }

    /// Its name in the config and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            MemoryMode::Rss => "rss",
            MemoryMode::Pss => "pss",
        }
    }
}

/// What a sampler measures besides the basics, from its next refresh on. A source that
/// cannot measure something leaves it unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// Listening ports: on unless a caller has no use for them (a kill's re-samples).
    pub ports: bool,
    /// I/O rates from `/proc/PID/io` (the TUI's IO column).
    pub io: bool,
    /// In pss mode, `smaps_rollup` of the processes the caller names (those in attempts).
    pub memory: MemoryMode,
}

impl Default for Measure {
    fn default() -> Measure {
        Measure { ports: true, io: false, memory: MemoryMode::Rss }
    }
}

/// A process's proportional set size, by its `smaps_rollup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pss {
    /// Not measured: rss mode, outside every attempt, or its turn has not come yet.
    #[default]
    Unmeasured,
    /// Its `smaps_rollup` cannot be read (another user's process, unless root).
    Unreadable,
    Measured {
        pss: u64,
        swap: u64,
    },
}

impl Pss {
    pub fn bytes(self) -> Option<u64> {
        match self {
            Pss::Measured { pss, .. } => Some(pss),
            _ => None,
        }
    }

    pub fn swap(self) -> Option<u64> {
        match self {
            Pss::Measured { swap, .. } => Some(swap),
            _ => None,
        }
    }
}

/// What pss mode and the IO column measured of one process, kept behind one pointer
/// (`Process::usage`) so a process that was not measured costs 8 bytes in every
/// snapshot and forest, not 48.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, Deserialize)]
pub struct Usage {
    pub pss: Pss,
    /// Its I/O over the last refresh; `None` when unknown: not measured (the IO column
    /// is off), not yet two readings, or unreadable (another user's process).
    pub io: Option<IoRate>,
}

impl Usage {
    /// `None` when nothing is known.
    pub fn shared(self) -> Option<std::sync::Arc<Usage>> {
        (self != Usage::default()).then(|| std::sync::Arc::new(self))
    }
}

/// Bytes per second a process caused to be read from and written to storage
/// (`read_bytes`, `write_bytes` of `/proc/PID/io`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, Deserialize)]
pub struct IoRate {
    pub read: u64,
    pub write: u64,
}

/// The cumulative counters of `/proc/PID/io`, since the process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IoTotals {
    pub read: u64,
    pub write: u64,
}

impl IoRate {
    /// The rate between two readings `secs` apart; `None` when they are too close to
    /// tell (a counter never goes back; if one seems to, it counts as no I/O).
    pub fn between(before: IoTotals, after: IoTotals, secs: f64) -> Option<IoRate> {
        if !secs.is_finite() || secs < 0.01 {
            return None;
        }
        let per_sec = |a: u64, b: u64| (b.saturating_sub(a) as f64 / secs).round() as u64;
        Some(IoRate { read: per_sec(before.read, after.read), write: per_sec(before.write, after.write) })
    }
}

/// What the resident set of a process is made of, by its `status`, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resident {
    pub rss: u64,
    pub anon: u64,
    pub file: u64,
    pub shmem: u64,
    /// Swapped out (`VmSwap`).
    pub swap: u64,
}

/// One look at one process for the detail pane: everything known of its memory and
/// I/O, measured when it is selected and again while it stays selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub key: ProcKey,
    /// `None` when its `status` could not be read: it is gone.
    pub resident: Option<Resident>,
    pub pss: Pss,
    /// `None` when its `io` cannot be read (another user's process, unless root).
    pub io: Option<IoTotals>,
    /// Since the previous look at it; `None` on the first, or when `io` is unreadable.
    pub io_rate: Option<IoRate>,
}

/// The MEM figure of a row (a process, or the sum below it) in `mode`: PSS marked
/// `*` where RSS stands in for processes not measured, `-` when none could be read.
pub fn memory_text(r: &Rollup, mode: MemoryMode) -> String {
    match mode {
        MemoryMode::Rss => human_bytes(r.memory_bytes),
        MemoryMode::Pss if r.process_count > 0 && r.pss_unreadable >= r.process_count => "-".into(),
        MemoryMode::Pss => {
            let mut text = human_bytes(r.memory(mode));
            if r.pss_estimated() > 0 {
                text.push(ESTIMATE_MARK);
            }
            text
        }
    }
}

/// The IO figure of a row, `read/write` per second: `1.2M/340K`, marked `*` when it
/// leaves out processes whose I/O is unknown, `-` when none is known.
pub fn io_text(r: &Rollup) -> String {
    if r.process_count > 0 && r.io_known == 0 {
        return "-".into();
    }
    let mut text = format!("{}/{}", rate_text(r.io_read), rate_text(r.io_write));
    if r.io_unknown() > 0 {
        text.push(ESTIMATE_MARK);
    }
    text
}

/// Bytes per second, short: `0`, `512B`, `1.2M`.
pub fn rate_text(bytes: u64) -> String {
    if bytes == 0 { "0".into() } else { human_bytes(bytes) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_say_what_was_measured() {
        let measured = Rollup {
            memory_bytes: 9 << 20,
            pss_rss_bytes: 9 << 20,
            pss_bytes: 3 << 20,
            pss_measured: 2,
            process_count: 2,
            ..Rollup::default()
        };
        assert_eq!(memory_text(&measured, MemoryMode::Rss), "9.0M");
        assert_eq!(memory_text(&measured, MemoryMode::Pss), "3.0M");
        let partly = Rollup { memory_bytes: 10 << 20, process_count: 3, ..measured };
        assert_eq!(memory_text(&partly, MemoryMode::Pss), "4.0M*", "RSS stands in for one: marked");
        let unreadable =
            Rollup { pss_measured: 0, pss_bytes: 0, pss_rss_bytes: 0, pss_unreadable: 2, ..measured };
        assert_eq!(memory_text(&unreadable, MemoryMode::Pss), "-", "never a figure nobody read");
        assert_eq!(memory_text(&Rollup::default(), MemoryMode::Pss), "0B", "an empty group holds nothing");
        let io = Rollup { io_read: 1536, io_write: 0, io_known: 3, process_count: 3, ..Rollup::default() };
        assert_eq!(io_text(&io), "1.5K/0");
        assert_eq!(io_text(&Rollup { io_known: 2, ..io }), "1.5K/0*");
        assert_eq!(io_text(&Rollup { io_known: 0, io_read: 0, ..io }), "-", "unknown is never 0");
    }

    #[test]
    fn rates_are_per_second_and_never_negative() {
        let a = IoTotals { read: 1000, write: 4096 };
        let b = IoTotals { read: 3000, write: 4096 };
        assert_eq!(IoRate::between(a, b, 2.0), Some(IoRate { read: 1000, write: 0 }));
        assert_eq!(IoRate::between(b, a, 1.0), Some(IoRate { read: 0, write: 0 }));
        assert_eq!(IoRate::between(a, b, 0.0), None, "no time: no rate");
        assert_eq!(IoRate::between(a, b, f64::NAN), None);
    }

    #[test]
    fn modes_toggle_and_name_themselves() {
        assert_eq!(MemoryMode::default(), MemoryMode::Rss);
        assert_eq!(MemoryMode::Rss.toggled(), MemoryMode::Pss);
        assert_eq!(MemoryMode::Pss.toggled().name(), "rss");
        assert_eq!(Pss::Unreadable.bytes(), None);
        assert_eq!(Pss::Measured { pss: 5, swap: 1 }.swap(), Some(1));
    }
}
