//! Parsers for `/proc` files. Parsing is pure; the readers are thin.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::buffer::spare_capacity;
use rustix::fs::{Dir, Mode, OFlags};

/// `PF_KTHREAD` in the `flags` field of `/proc/PID/stat`.
const PF_KTHREAD: u64 = 0x0020_0000;

/// The fields swarmtop needs from `/proc/PID/stat`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatFields {
    pub pid: u32,
    pub comm: String,
    pub state: char,
    pub ppid: u32,
    pub pgid: u32,
    pub sid: u32,
    pub kernel_thread: bool,
    /// Minor page faults so far: like `cpu_ticks`, a sign the process ran.
    pub minor_faults: u64,
    /// utime + stime, in clock ticks.
    pub cpu_ticks: u64,
    /// Start time in clock ticks since boot (field 22): half of a ProcKey.
    pub start_ticks: u64,
    pub rss_pages: u64,
}

/// Parses one `/proc/PID/stat` line. `comm` may contain spaces and parentheses,
/// so the fields after it are found from the *last* `)`.
pub fn parse_stat(line: &str) -> Option<StatFields> {
    let mut fields = StatFields::default();
    parse_stat_into(line, &mut fields)?;
    Some(fields)
}

/// [`parse_stat`] into `out`, reusing its `comm` buffer; `None` (with `out` partly
/// overwritten) when the line is malformed.
pub fn parse_stat_into(line: &str, out: &mut StatFields) -> Option<()> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    out.pid = line[..open].trim().parse().ok()?;
    out.comm.clear();
    out.comm.push_str(line.get(open + 1..close)?);
    let mut rest = line.get(close + 1..)?.split_ascii_whitespace();
    // After comm, field 3 is the first: state.
    let mut field = |n: usize| -> Option<&str> { rest.nth(n) };
    out.state = field(0)?.chars().next()?;
    out.ppid = field(0)?.parse().ok()?;
    out.pgid = field(0)?.parse().ok()?;
    out.sid = field(0)?.parse().ok()?;
    let flags: u64 = field(2)?.parse().ok()?; // skip tty_nr, tpgid
    out.kernel_thread = flags & PF_KTHREAD != 0;
    out.minor_faults = field(0)?.parse().ok()?;
    let utime: u64 = field(3)?.parse().ok()?; // skip cminflt, majflt, cmajflt
    let stime: u64 = field(0)?.parse().ok()?;
    out.cpu_ticks = utime + stime;
    out.start_ticks = field(6)?.parse().ok()?; // skip cutime..itrealvalue
    out.rss_pages = field(1)?.parse().ok()?; // skip vsize
    Some(())
}

/// The real uid from `/proc/PID/status` (`Uid:` real effective saved fs).
pub fn parse_status_uid(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|uid| uid.parse().ok())
}

/// A link target of `/proc/PID` as a path; the kernel appends ` (deleted)` to a
/// removed directory, which is cut off.
pub fn link_target(raw: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(raw.strip_suffix(b" (deleted)").unwrap_or(raw)))
}

/// Reads a whole `/proc` file into a reused buffer; returns the bytes read.
pub fn read_into(path: &Path, buf: &mut Vec<u8>) -> io::Result<usize> {
    let fd = rustix::fs::open(path, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
    read_whole(&fd, buf)
}

/// Reads a file opened by [`ProcDir::open_file`] again, whole, from its start: `/proc`
/// generates it anew, and no path is looked up (the cost of a stat read is mostly
/// the lookup and the open).
pub fn reread(fd: impl AsFd, buf: &mut Vec<u8>) -> io::Result<usize> {
    fill(buf, |buf| {
        let at = buf.len() as u64;
        rustix::io::pread(fd.as_fd(), spare_capacity(buf), at)
    })
}

/// Reads until the end in as few `read`s as possible: no `fstat`/`lseek` first (what
/// `std`'s `read_to_end` does), since `/proc` files report no size anyway.
fn read_whole(fd: impl AsFd, buf: &mut Vec<u8>) -> io::Result<usize> {
    fill(buf, |buf| rustix::io::read(fd.as_fd(), spare_capacity(buf)))
}

/// Fills `buf` with `read` (which appends) until a read comes back short.
fn fill(
    buf: &mut Vec<u8>,
    mut read: impl FnMut(&mut Vec<u8>) -> rustix::io::Result<usize>,
) -> io::Result<usize> {
    buf.clear();
    loop {
        if buf.capacity() - buf.len() < 1024 {
            buf.reserve(4096);
        }
        let asked = buf.capacity() - buf.len();
        let n = rustix::io::retry_on_intr(|| read(buf))?;
        // `/proc` files are generated whole: a read shorter than asked is the end.
        if n == 0 || n < asked {
            return Ok(buf.len());
        }
    }
}

/// An open `/proc`: lists PIDs without allocating per entry, and opens `PID/FILE`
/// relative to it so `/proc` itself is not looked up again for every file.
pub struct ProcDir {
    fd: OwnedFd,
    dir: Dir,
    /// Reused for every `PID/FILE` path.
    path: String,
}

impl ProcDir {
    pub fn open(root: &Path) -> io::Result<ProcDir> {
        let fd = rustix::fs::open(root, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?;
        let dir = Dir::read_from(&fd)?;
        Ok(ProcDir { fd, dir, path: String::with_capacity(32) })
    }

    /// The PIDs listed right now (any of them may be gone by the next read), into `out`.
    pub fn list(&mut self, out: &mut Vec<u32>) -> io::Result<()> {
        out.clear();
        self.dir.rewind();
        while let Some(entry) = self.dir.read() {
            if let Some(pid) =
                std::str::from_utf8(entry?.file_name().to_bytes()).ok().and_then(|s| s.parse().ok())
            {
                out.push(pid);
            }
        }
        Ok(())
    }

    fn set_path(&mut self, pid: u32, file: &str) {
        use std::fmt::Write;
        self.path.clear();
        // Writing to a String cannot fail.
        let _ = write!(self.path, "{pid}/{file}");
    }

    /// Reads `PID/FILE` whole into `buf`.
    pub fn read(&mut self, pid: u32, file: &str, buf: &mut Vec<u8>) -> io::Result<usize> {
        read_whole(self.open_file(pid, file)?, buf)
    }

    /// Opens `PID/FILE`, to read it now and [`reread`] it later. The descriptor stays
    /// bound to that process: once it is gone, reads fail, even if its PID is reused.
    pub fn open_file(&mut self, pid: u32, file: &str) -> io::Result<OwnedFd> {
        self.set_path(pid, file);
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        Ok(rustix::fs::openat(&self.fd, self.path.as_str(), flags, Mode::empty())?)
    }

    /// The target of the `PID/LINK` symlink, into `buf`.
    pub fn read_link(&mut self, pid: u32, link: &str, buf: &mut Vec<u8>) -> io::Result<()> {
        self.set_path(pid, link);
        buf.clear();
        buf.reserve(PATH_MAX);
        rustix::fs::readlinkat_raw(&self.fd, self.path.as_str(), spare_capacity(buf))?;
        Ok(())
    }
}

/// Linux's `PATH_MAX`: no link target in `/proc` is longer.
const PATH_MAX: usize = 4096;

/// Reads and parses `/proc/PID/stat` into a reused buffer; `None` when the process is
/// gone (or the file unreadable).
pub fn read_stat(pid: u32, buf: &mut Vec<u8>) -> Option<StatFields> {
    read_into(&PathBuf::from(format!("/proc/{pid}/stat")), buf).ok()?;
    parse_stat(std::str::from_utf8(buf).ok()?)
}

/// The PIDs listed in `/proc` right now (any of them may be gone by the next read).
pub fn list_pids() -> Vec<u32> {
    let mut pids = Vec::new();
    // Unreadable /proc: no processes to report, as if all were gone.
    if let Ok(mut proc) = ProcDir::open(Path::new("/proc")) {
        let _ = proc.list(&mut pids);
    }
    pids
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
        assert_eq!(s.minor_faults, 100);
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
    fn status_uid_and_host_files() {
        assert_eq!(parse_status_uid("Name:\tx\nUid:\t1000\t1000\t1000\t1000\n"), Some(1000));
        assert_eq!(parse_boot_time("cpu 1 2\nbtime 1700000000\n"), Some(1_700_000_000));
        assert_eq!(parse_mem_total("MemTotal:       16384 kB\n"), Some(16384 * 1024));
    }

    #[test]
    fn deleted_suffix_is_removed() {
        assert_eq!(link_target(b"/wt/a (deleted)"), Path::new("/wt/a"));
        assert_eq!(link_target(b"/wt/a"), Path::new("/wt/a"));
    }
}
