//! Parsers for `/proc` files. Parsing is pure; the readers are thin.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// `PF_KTHREAD` in the `flags` field of `/proc/PID/stat`.
const PF_KTHREAD: u64 = 0x0020_0000;

/// The fields swarmtop needs from `/proc/PID/stat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatFields {
    pub pid: u32,
    pub comm: String,
    pub state: char,
    pub ppid: u32,
    pub pgid: u32,
    pub sid: u32,
    pub kernel_thread: bool,
    /// utime + stime, in clock ticks.
    pub cpu_ticks: u64,
    /// Start time in clock ticks since boot (field 22): half of a ProcKey.
    pub start_ticks: u64,
    pub rss_pages: u64,
}

/// Parses one `/proc/PID/stat` line. `comm` may contain spaces and parentheses,
/// so the fields after it are found from the *last* `)`.
pub fn parse_stat(line: &str) -> Option<StatFields> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let pid = line[..open].trim().parse().ok()?;
    let comm = line.get(open + 1..close)?.to_string();
    let mut rest = line.get(close + 1..)?.split_ascii_whitespace();
    // After comm, field 3 is the first: state.
    let mut field = |n: usize| -> Option<&str> { rest.nth(n) };
    let state = field(0)?.chars().next()?;
    let ppid = field(0)?.parse().ok()?;
    let pgid = field(0)?.parse().ok()?;
    let sid = field(0)?.parse().ok()?;
    let flags: u64 = field(2)?.parse().ok()?; // skip tty_nr, tpgid
    let utime: u64 = field(4)?.parse().ok()?; // skip minflt..cmajflt
    let stime: u64 = field(0)?.parse().ok()?;
    let start_ticks = field(6)?.parse().ok()?; // skip cutime..itrealvalue
    let rss_pages = field(1)?.parse().ok()?; // skip vsize
    Some(StatFields {
        pid,
        comm,
        state,
        ppid,
        pgid,
        sid,
        kernel_thread: flags & PF_KTHREAD != 0,
        cpu_ticks: utime + stime,
        start_ticks,
        rss_pages,
    })
}

/// Splits `/proc/PID/cmdline` (NUL-separated, maybe NUL-terminated).
pub fn parse_cmdline(raw: &[u8]) -> Vec<String> {
    let raw = raw.strip_suffix(b"\0").unwrap_or(raw);
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(|&b| b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect()
}

/// The real uid from `/proc/PID/status` (`Uid:` real effective saved fs).
pub fn parse_status_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
}

/// A cwd link target; the kernel appends ` (deleted)` when the directory is gone.
pub fn clean_link_target(target: PathBuf) -> PathBuf {
    match target.to_str().and_then(|s| s.strip_suffix(" (deleted)")) {
        Some(s) => PathBuf::from(s),
        None => target,
    }
}

/// Reads a whole file into a reused buffer; returns the bytes read.
pub fn read_into(path: &Path, buf: &mut Vec<u8>) -> io::Result<usize> {
    buf.clear();
    fs::File::open(path)?.read_to_end(buf)
}

/// Reads and parses `/proc/PID/stat` into a reused buffer; `None` when the process is
/// gone (or the file unreadable).
pub fn read_stat(pid: u32, buf: &mut Vec<u8>) -> Option<StatFields> {
    read_into(&PathBuf::from(format!("/proc/{pid}/stat")), buf).ok()?;
    parse_stat(std::str::from_utf8(buf).ok()?)
}

/// The PIDs listed in `/proc` right now (any of them may be gone by the next read).
pub fn list_pids() -> Vec<u32> {
    fs::read_dir("/proc")
        .map(|d| d.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

/// `btime` from `/proc/stat`: boot time in seconds since the epoch.
pub fn parse_boot_time(proc_stat: &str) -> Option<u64> {
    proc_stat.lines().find_map(|l| l.strip_prefix("btime ")).and_then(|v| v.trim().parse().ok())
}

/// `MemTotal` from `/proc/meminfo`, in bytes.
pub fn parse_mem_total(meminfo: &str) -> Option<u64> {
    let kib: u64 =
        meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:"))?.split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "1234 (my (weird) name) S 1 1234 1234 34816 1234 4194560 100 0 0 0 250 50 0 0 20 0 1 0 98765 12345678 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

    #[test]
    fn stat_fields_are_found_after_the_last_paren() {
        let s = parse_stat(STAT).unwrap();
        assert_eq!(s.pid, 1234);
        assert_eq!(s.comm, "my (weird) name");
        assert_eq!((s.state, s.ppid, s.pgid, s.sid), ('S', 1, 1234, 1234));
        assert_eq!(s.cpu_ticks, 300);
        assert_eq!(s.start_ticks, 98765);
        assert_eq!(s.rss_pages, 2048);
        assert!(!s.kernel_thread);
    }

    #[test]
    fn kernel_threads_are_flagged() {
        let k = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 1 0 0 0 0 0";
        assert!(parse_stat(k).unwrap().kernel_thread);
    }

    #[test]
    fn truncated_stat_is_rejected() {
        assert_eq!(parse_stat("12 (x) S 1 2"), None);
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn cmdline_splits_on_nul() {
        assert_eq!(parse_cmdline(b"bash\0-c\0echo hi\0"), vec!["bash", "-c", "echo hi"]);
        assert_eq!(parse_cmdline(b""), Vec::<String>::new());
        assert_eq!(parse_cmdline(b"a\0\0b\0"), vec!["a", "", "b"]);
    }

    #[test]
    fn status_uid_and_host_files() {
        assert_eq!(parse_status_uid("Name:\tx\nUid:\t1000\t1000\t1000\t1000\n"), Some(1000));
        assert_eq!(parse_boot_time("cpu 1 2\nbtime 1700000000\n"), Some(1_700_000_000));
        assert_eq!(parse_mem_total("MemTotal:       16384 kB\n"), Some(16384 * 1024));
    }

    #[test]
    fn deleted_suffix_is_removed() {
        assert_eq!(clean_link_target(PathBuf::from("/wt/a (deleted)")), PathBuf::from("/wt/a"));
        assert_eq!(clean_link_target(PathBuf::from("/wt/a")), PathBuf::from("/wt/a"));
    }
}
