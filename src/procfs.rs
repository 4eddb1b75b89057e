//! Parsers for `/proc` files. Parsing is pure; the readers are thin.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::buffer::spare_capacity;
use rustix::fs::{Dir, Mode, OFlags};

use crate::model::argv::escape_bytes;

pub mod net;
pub mod usage;

/// `PF_KTHREAD` in the `flags` field of `/proc/PID/stat`.
const PF_KTHREAD: u64 = 0x0020_0000;

/// The fields swarmtop needs from `/proc/PID/stat`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatFields {
    pub pid: u32,
    /// Escaped by [`escape_bytes`] where it is not UTF-8.
    pub comm: String,
    pub comm_escaped: bool,
    pub state: char,
    pub ppid: u32,
    pub pgid: u32,
    pub sid: u32,
    /// The controlling terminal's device number (field 7; 0: none).
    pub tty_nr: u32,
    pub kernel_thread: bool,
    /// Minor page faults so far: like `cpu_ticks`, a sign the process ran.
    pub minor_faults: u64,
    /// utime + stime, in clock ticks.
    pub cpu_ticks: u64,
    /// The nice value (field 19), -20 (first) to 19 (last).
    pub nice: i8,
    /// Threads in the group (field 20), the leader included while it is a zombie.
    pub num_threads: u32,
    /// Start time in clock ticks since boot (field 22): half of a ProcKey.
    pub start_ticks: u64,
    pub rss_pages: u64,
    /// Where argv starts in memory (field 48; 0 when hidden, as for other users'
    /// processes, or on kernels before 3.5): it moves on every exec, so an exec of
    /// the same binary (same comm) shows in it.
    pub arg_start: u64,
}

/// Parses one `/proc/PID/stat` line. `comm` may contain spaces, parentheses and
/// bytes that are not UTF-8 (kept, escaped by [`escape_bytes`]), so the fields after it
/// are found from the *last* `)`.
pub fn parse_stat(line: impl AsRef<[u8]>) -> Option<StatFields> {
    let mut fields = StatFields::default();
    parse_stat_into(line.as_ref(), &mut fields)?;
    Some(fields)
}

/// [`parse_stat`] into `out`, reusing its `comm` buffer; `None` (with `out` partly
/// overwritten) when the line is malformed.
pub fn parse_stat_into(line: &[u8], out: &mut StatFields) -> Option<()> {
    let open = line.iter().position(|&b| b == b'(')?;
    let close = line.iter().rposition(|&b| b == b')')?;
    out.pid = number(line.get(..open)?.trim_ascii())?.try_into().ok()?;
    out.comm.clear();
    let comm = escape_bytes(line.get(open + 1..close)?);
    out.comm_escaped = matches!(comm, std::borrow::Cow::Owned(_));
    out.comm.push_str(&comm);
    let mut rest = line.get(close + 1..)?.split(u8::is_ascii_whitespace).filter(|f| !f.is_empty());
    // After comm, field 3 is the first: state.
    let mut field = |n: usize| -> Option<&[u8]> { rest.nth(n) };
    out.state = char::from(*field(0)?.first()?);
    out.ppid = number(field(0)?)?.try_into().ok()?;
    out.pgid = number(field(0)?)?.try_into().ok()?;
    out.sid = number(field(0)?)?.try_into().ok()?;
    // A terminal's number is a positive int; -1 or junk reads as no terminal.
    out.tty_nr = signed(field(0)?).and_then(|t| u32::try_from(t).ok()).unwrap_or(0);
    let flags = number(field(1)?)?; // skip tpgid
    out.kernel_thread = flags & PF_KTHREAD != 0;
    out.minor_faults = number(field(0)?)?;
    let utime = number(field(3)?)?; // skip cminflt, majflt, cmajflt
    let stime = number(field(0)?)?;
    out.cpu_ticks = utime.saturating_add(stime);
    let nice = signed(field(3)?)?; // skip cutime, cstime, priority
    out.nice = nice.clamp(-20, 19) as i8;
    out.num_threads = number(field(0)?)?.try_into().ok()?;
    out.start_ticks = number(field(1)?)?; // skip itrealvalue
    out.rss_pages = number(field(1)?)?; // skip vsize
    out.arg_start = field(23).and_then(number).unwrap_or(0); // skip rsslim .. start_brk
    Some(())
}

/// An unsigned decimal of ASCII digits only.
pub(crate) fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then_some(())?;
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// A decimal with an optional leading `-`.
fn signed(digits: &[u8]) -> Option<i64> {
    match digits.strip_prefix(b"-") {
        Some(rest) => number(rest).and_then(|n| i64::try_from(n).ok()).map(|n| -n),
        None => number(digits).and_then(|n| i64::try_from(n).ok()),
    }
}

/// Whether a thread group still runs: true unless its leader is a zombie (or dead)
/// and no other thread of the group is alive. A leader that called `pthread_exit`
/// shows as `Z` while its other threads work on.
pub fn thread_group_alive(pid: u32, stat: &StatFields) -> bool {
    !matches!(stat.state, 'Z' | 'X' | 'x') || live_thread(pid).is_some()
}

/// A live thread of `pid`'s group other than the leader, and its state letter.
pub fn live_thread(pid: u32) -> Option<(u32, char)> {
    let mut proc = ProcDir::open(Path::new("/proc")).ok()?;
    proc.live_thread(pid, &mut Vec::new())
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

    /// Whether `pid` still names the process that started at `start_ticks` (PIDs are
    /// reused quickly on a busy box): checked after reading a file by PID, so what was
    /// read belongs to that process. `buf` is scratch.
    pub fn is_still(&mut self, pid: u32, start_ticks: u64, buf: &mut Vec<u8>) -> bool {
        self.read(pid, "stat", buf)
            .ok()
            .and_then(|_| parse_stat(&buf[..]))
            .is_some_and(|s| s.start_ticks == start_ticks)
    }

    /// The target of the `PID/LINK` symlink, into `buf`.
    pub fn read_link(&mut self, pid: u32, link: &str, buf: &mut Vec<u8>) -> io::Result<()> {
        self.set_path(pid, link);
        buf.clear();
        buf.reserve(PATH_MAX);
        rustix::fs::readlinkat_raw(&self.fd, self.path.as_str(), spare_capacity(buf))?;
        Ok(())
    }

    /// A live thread of `pid`'s group other than the leader, and its state letter
    /// (for a zombie leader whose threads work on); `buf` is scratch.
    pub fn live_thread(&mut self, pid: u32, buf: &mut Vec<u8>) -> Option<(u32, char)> {
        self.set_path(pid, "task");
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let task = rustix::fs::openat(&self.fd, self.path.as_str(), flags, Mode::empty()).ok()?;
        let mut dir = Dir::read_from(&task).ok()?;
        let mut path = String::new();
        while let Some(Ok(entry)) = dir.read() {
            let tid = std::str::from_utf8(entry.file_name().to_bytes()).ok().and_then(|s| s.parse().ok());
            let Some(tid) = tid.filter(|&t: &u32| t != pid) else { continue };
            path.clear();
            path.push_str(&tid.to_string());
            path.push_str("/stat");
            let Ok(fd) =
                rustix::fs::openat(&task, path.as_str(), OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())
            else {
                continue;
            };
            let state = read_whole(&fd, buf).ok().and_then(|_| parse_stat(&buf[..])).map(|s| s.state);
            if let Some(state) = state.filter(|s| !matches!(s, 'Z' | 'X' | 'x')) {
                return Some((tid, state));
            }
        }
        None
    }
}

/// Linux's `PATH_MAX`: no link target in `/proc` is longer.
const PATH_MAX: usize = 4096;

/// Reads and parses `/proc/PID/stat` into a reused buffer; `None` when the process is
/// gone (or the file unreadable).
pub fn read_stat(pid: u32, buf: &mut Vec<u8>) -> Option<StatFields> {
    read_into(&PathBuf::from(format!("/proc/{pid}/stat")), buf).ok()?;
    parse_stat(&buf[..])
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
        assert_eq!((s.nice, s.num_threads, s.tty_nr), (0, 1, 34816));
        assert!(!s.kernel_thread);
        let reniced = STAT.replace(" 20 0 1 0 98765", " 39 19 7 0 98765");
        let s = parse_stat(reniced).unwrap();
        assert_eq!((s.nice, s.num_threads, s.start_ticks), (19, 7, 98765));
        let s = parse_stat(STAT.replace(" 20 0 1 0 98765", " 0 -20 3 0 98765")).unwrap();
        assert_eq!((s.nice, s.num_threads), (-20, 3));
        assert_eq!(parse_stat(STAT.replace(" 20 0 1 0 98765", " 0 -x 3 0 98765")), None);
        let no_tty = parse_stat(STAT.replace(" 34816 1234 ", " 0 -1 ")).unwrap();
        assert_eq!(no_tty.tty_nr, 0);
    }

    #[test]
    fn a_comm_that_is_not_utf8_is_kept_escaped() {
        let line = b"77 (\xff\xfe) (x) Z 1 77 77 0 -1 4194560 1 0 0 0 2 3 0 0 20 0 3 0 500 0 0 0";
        let s = parse_stat(&line[..]).unwrap();
        assert_eq!((s.comm.as_str(), s.comm_escaped), ("\\xff\\xfe) (x", true));
        assert_eq!((s.state, s.num_threads, s.start_ticks, s.cpu_ticks), ('Z', 3, 500, 5));
        assert!(!parse_stat(STAT).unwrap().comm_escaped);
    }

    #[test]
    fn every_live_process_stat_parses_with_the_same_fields_as_ps_reads() {
        let mut buf = Vec::new();
        let mut parsed = 0;
        for pid in list_pids() {
            let Ok(_) = read_into(Path::new(&format!("/proc/{pid}/stat")), &mut buf) else { continue };
            let line = String::from_utf8_lossy(&buf).into_owned();
            let s = parse_stat(&buf[..]).unwrap_or_else(|| panic!("unparsed: {line}"));
            // Fields 19 and 20 counted from the last `)`, as proc(5) numbers them.
            let after: Vec<&str> = line[line.rfind(')').unwrap() + 1..].split_whitespace().collect();
            assert_eq!(s.nice.to_string(), after[19 - 3], "{line}");
            assert_eq!(s.num_threads.to_string(), after[20 - 3], "{line}");
            assert_eq!(s.start_ticks.to_string(), after[22 - 3], "{line}");
            parsed += 1;
        }
        assert!(parsed > 0);
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
