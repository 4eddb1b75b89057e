//! Memory and I/O of one process: `/proc/PID/smaps_rollup` (proportional set size,
//! swap), the memory lines of `/proc/PID/status` (resident anonymous and file pages)
//! and `/proc/PID/io`. Pure parsers of `Key: value [kB]` lines; hostile bytes give
//! `None`, never a panic.

/// From `smaps_rollup`, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rollup {
    pub rss: u64,
    /// Proportional set size: each shared page divided among the processes mapping it.
    pub pss: u64,
    pub swap: u64,
    /// The proportional share of swapped-out pages (since Linux 4.14).
    pub swap_pss: Option<u64>,
}

use crate::model::usage::{IoTotals, Resident};

pub fn parse_smaps_rollup(text: &[u8]) -> Option<Rollup> {
    let f = Fields(text);
    Some(Rollup { rss: f.get("Rss")?, pss: f.get("Pss")?, swap: f.get("Swap")?, swap_pss: f.get("SwapPss") })
}

/// From `status`, in bytes: what the resident set is made of (since Linux 4.5) and
/// what is swapped out. A kernel thread has none of these lines.
pub fn parse_resident(status: &[u8]) -> Option<Resident> {
    let f = Fields(status);
    Some(Resident {
        rss: f.get("VmRSS")?,
        anon: f.get("RssAnon")?,
        file: f.get("RssFile")?,
        shmem: f.get("RssShmem")?,
        swap: f.get("VmSwap")?,
    })
}

/// From `io`: bytes this process caused to be read from and written to storage.
pub fn parse_io(text: &[u8]) -> Option<IoTotals> {
    let f = Fields(text);
    Some(IoTotals { read: f.get("read_bytes")?, write: f.get("write_bytes")? })
}

/// `Key: value` lines; a value with the unit `kB` is in KiB.
struct Fields<'a>(&'a [u8]);

impl Fields<'_> {
    /// The first line with this key, in bytes; `None` when absent or malformed.
    fn get(&self, key: &str) -> Option<u64> {
        let line = self
            .0
            .split(|&b| b == b'\n')
            .find(|l| l.strip_prefix(key.as_bytes()).is_some_and(|rest| rest.first() == Some(&b':')))?;
        let mut words = line.get(key.len() + 1..)?.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty());
        let value = decimal(words.next()?)?;
        match words.next() {
            None => Some(value),
            Some(b"kB") => value.checked_mul(1024),
            Some(_) => None,
        }
    }
}

fn decimal(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then_some(())?;
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Copied from `/proc/self/smaps_rollup` of a shell on Linux 6.18.
    const ROLLUP: &str = "55ce76aa9000-7ffda4d41000 ---p 00000000 00:00 0                          [rollup]
Rss:                1756 kB
Pss:                 302 kB
Pss_Dirty:           116 kB
Pss_Anon:            116 kB
Pss_File:            186 kB
Pss_Shmem:             0 kB
Shared_Clean:       1600 kB
Anonymous:           116 kB
Swap:                 12 kB
SwapPss:               4 kB
Locked:                0 kB
";

    #[test]
    fn smaps_rollup_in_bytes() {
        let r = parse_smaps_rollup(ROLLUP.as_bytes()).unwrap();
        assert_eq!(r, Rollup { rss: 1756 * 1024, pss: 302 * 1024, swap: 12 * 1024, swap_pss: Some(4096) });
        // `Pss_Anon` is not `Pss`; an older kernel without SwapPss still parses.
        let old = ROLLUP.replace("SwapPss:               4 kB\n", "");
        assert_eq!(parse_smaps_rollup(old.as_bytes()).unwrap().swap_pss, None);
        assert_eq!(parse_smaps_rollup(b"Rss: 1 kB\n"), None, "no Pss");
        assert_eq!(parse_smaps_rollup(b"Rss: x kB\nPss: 1 kB\nSwap: 0 kB\n"), None);
        assert_eq!(parse_smaps_rollup(b"Rss: 1 MB\nPss: 1 kB\nSwap: 0 kB\n"), None, "unknown unit");
        let huge = format!("Rss: {} kB\nPss: 1 kB\nSwap: 0 kB\n", u64::MAX / 1000);
        assert_eq!(parse_smaps_rollup(huge.as_bytes()), None, "overflows in bytes");
    }

    #[test]
    fn status_memory_lines() {
        let status = "Name:\tbash\nVmRSS:\t    4000 kB\nRssAnon:\t    1000 kB\nRssFile:\t    2900 kB\nRssShmem:\t     100 kB\nVmSwap:\t       8 kB\n";
        let parts = parse_resident(status.as_bytes()).unwrap();
        let kib = |n: u64| n * 1024;
        assert_eq!(
            parts,
            Resident { rss: kib(4000), anon: kib(1000), file: kib(2900), shmem: kib(100), swap: kib(8) }
        );
        assert_eq!(parse_resident(b"Name:\tkthreadd\n"), None);
    }

    #[test]
    fn io_counters() {
        let io = "rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 0\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n";
        assert_eq!(parse_io(io.as_bytes()), Some(IoTotals { read: 4096, write: 8192 }));
        assert_eq!(parse_io(b"rchar: 1\n"), None);
        // `write_bytes` must not be found inside `cancelled_write_bytes`.
        assert_eq!(parse_io(b"cancelled_write_bytes: 5\nread_bytes: 1\n"), None);
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_smaps_rollup(&bytes);
            let _ = parse_resident(&bytes);
            let _ = parse_io(&bytes);
        }

        #[test]
        fn hostile_lines_with_real_keys_never_panic(
            lines in proptest::collection::vec(("(Rss|Pss|Swap|read_bytes|write_bytes|RssAnon)", ":", "[ \\t0-9kBx\\x00-\\xff]{0,24}"), 0..8)
        ) {
            let text: String = lines.iter().map(|(k, c, v)| format!("{k}{c}{v}\n")).collect();
            let _ = parse_smaps_rollup(text.as_bytes());
            let _ = parse_io(text.as_bytes());
            let _ = parse_resident(text.as_bytes());
        }
    }
}
