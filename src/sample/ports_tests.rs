//! The procfs source's port attribution against a directory laid out like `/proc`:
//! which descriptors are read when, and what a change of a table does.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;

use crate::model::Process;
use crate::sample::{ProcessSource, ProcfsSource};

const HEADER: &str =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

/// `127.0.0.1:port` listening (`0A`) or connected (`01`), with its inode.
fn tcp_line(port: u16, state: &str, inode: u64) -> String {
    format!(
        "   0: 0100007F:{port:04X} 00000000:0000 {state} 00000000:00000000 00:00000000 00000000  0  0 {inode} 1\n"
    )
}

struct Fake {
    root: tempfile::TempDir,
}

impl Fake {
    fn new() -> Fake {
        Fake { root: tempfile::tempdir().unwrap() }
    }

    fn dir(&self, pid: u32) -> PathBuf {
        self.root.path().join(pid.to_string())
    }

    /// A process that has used `ticks` of CPU, with the given socket inodes open.
    fn process(&self, pid: u32, ticks: u64, sockets: &[u64]) {
        let dir = self.dir(pid);
        fs::create_dir_all(dir.join("fd")).unwrap();
        fs::create_dir_all(dir.join("ns")).unwrap();
        fs::create_dir_all(dir.join("net")).unwrap();
        let stat =
            format!("{pid} (srv) S 1 {pid} {pid} 0 -1 4194560 0 0 0 0 {ticks} 0 0 0 20 0 1 0 5000 1000 50 0");
        fs::write(dir.join("stat"), stat).unwrap();
        fs::write(dir.join("cmdline"), "srv\0").unwrap();
        fs::write(dir.join("status"), "Uid:\t0\t0\t0\t0\n").unwrap();
        fs::write(dir.join("environ"), "").unwrap();
        let _ = fs::remove_file(dir.join("cwd"));
        symlink("/", dir.join("cwd")).unwrap();
        let _ = fs::remove_file(dir.join("ns/net"));
        symlink("net:[4026531833]", dir.join("ns/net")).unwrap();
        self.sockets(pid, sockets);
    }

    fn sockets(&self, pid: u32, sockets: &[u64]) {
        let fd = self.dir(pid).join("fd");
        for entry in fs::read_dir(&fd).unwrap() {
            fs::remove_file(entry.unwrap().path()).unwrap();
        }
        symlink("/dev/null", fd.join("0")).unwrap();
        for (i, inode) in sockets.iter().enumerate() {
            symlink(format!("socket:[{inode}]"), fd.join((i + 3).to_string())).unwrap();
        }
    }

    /// The namespace's tcp table, as seen through every process.
    fn table(&self, pids: &[u32], lines: &[String]) {
        for pid in pids {
            fs::write(self.dir(*pid).join("net/tcp"), format!("{HEADER}{}", lines.concat())).unwrap();
        }
    }
}

fn ports_of(all: &[Process], pid: u32) -> Vec<u16> {
    let p = all.iter().find(|p| p.pid() == pid).unwrap_or_else(|| panic!("{pid} not listed"));
    p.ports.as_ref().expect("readable").iter().map(|p| p.port).collect()
}

#[test]
fn a_listener_belongs_to_every_holder_and_a_connection_to_nobody() {
    let fake = Fake::new();
    fake.process(40, 0, &[100]);
    fake.process(41, 0, &[100, 300]);
    fake.process(42, 0, &[200]);
    fake.table(
        &[40, 41, 42],
        &[tcp_line(3000, "0A", 100), tcp_line(3000, "01", 200), tcp_line(5000, "0A", 300)],
    );
    let mut source = ProcfsSource::with_root(fake.root.path()).unwrap();
    let all = source.refresh().unwrap();
    assert_eq!(ports_of(&all, 40), [3000]);
    assert_eq!(ports_of(&all, 41), [3000, 5000], "a socket passed to a child: both hold it");
    assert_eq!(ports_of(&all, 42), Vec::<u16>::new(), "an accepted connection on :3000 is no listener");
    assert!(source.unowned_ports().is_empty());
}

/// A PID whose sweep turn does not come in the next few refreshes.
const QUIET: u32 = 40;

#[test]
fn an_idle_process_is_read_again_when_it_runs_or_its_sweep_turn_comes() {
    // (held sockets at its last read, sweep period)
    for (first, period) in [(&[200u64][..], super::FD_SWEEP), (&[][..], super::FD_SWEEP_SOCKETLESS)] {
        let fake = Fake::new();
        fake.process(QUIET, 0, first);
        fake.table(&[QUIET], &[tcp_line(3000, "0A", 100), tcp_line(4000, "01", 200)]);
        let mut source = ProcfsSource::with_root(fake.root.path()).unwrap();
        assert_eq!(ports_of(&source.refresh().unwrap(), QUIET), Vec::<u16>::new());
        // It took the socket without running (as far as its counters show): not read again
        // until its turn in the sweep.
        fake.sockets(QUIET, &[100]);
        let found = (2..=period + 1).find(|_| ports_of(&source.refresh().unwrap(), QUIET) == [3000]);
        let found = found.unwrap_or_else(|| panic!("not read again within {period} refreshes"));
        assert!(found > 2, "an idle process's descriptors are not read every refresh (period {period})");
    }

    // Ran: read at once.
    let fake = Fake::new();
    fake.process(QUIET, 0, &[]);
    fake.table(&[QUIET], &[tcp_line(3000, "0A", 100)]);
    let mut source = ProcfsSource::with_root(fake.root.path()).unwrap();
    source.refresh().unwrap();
    fake.process(QUIET, 7, &[100]);
    assert_eq!(ports_of(&source.refresh().unwrap(), QUIET), [3000]);
}

#[test]
fn a_busy_process_with_many_descriptors_is_read_again_less_often() {
    let many: Vec<u64> = (1000..1000 + 3 * u64::from(super::FDS_PER_REFRESH)).collect();
    let fake = Fake::new();
    fake.process(QUIET, 0, &many);
    fake.table(&[QUIET], &[tcp_line(3000, "0A", 100)]);
    let mut source = ProcfsSource::with_root(fake.root.path()).unwrap();
    source.refresh().unwrap();
    let mut reads = 0;
    let mut with = many.clone();
    with.push(100);
    fake.sockets(QUIET, &with);
    for ticks in 1..=4 {
        fake.process(QUIET, ticks, &with);
        reads += usize::from(ports_of(&source.refresh().unwrap(), QUIET) == [3000]);
    }
    // 193 descriptors: read again once in four refreshes while it keeps running.
    assert!(reads >= 1, "read again within four refreshes");
    assert!(reads < 4, "not on every refresh");
}

/// A namespace of a directory laid out like /proc is never swarmtop's own: its tables
/// are read on every `FOREIGN_EVERY` refreshes.
#[test]
fn a_listener_that_closes_leaves_its_holders_without_reading_them_again() {
    let fake = Fake::new();
    fake.process(QUIET, 0, &[100]);
    fake.table(&[QUIET], &[tcp_line(3000, "0A", 100)]);
    let mut source = ProcfsSource::with_root(fake.root.path()).unwrap();
    assert_eq!(ports_of(&source.refresh().unwrap(), QUIET), [3000]);
    fake.table(&[QUIET], &[]);
    let mut refreshes = 0;
    while refreshes < super::FOREIGN_EVERY {
        refreshes += 1;
        if ports_of(&source.refresh().unwrap(), QUIET).is_empty() {
            break;
        }
    }
    assert!(
        refreshes < super::FOREIGN_EVERY.min(super::FD_SWEEP),
        "seen closed within {refreshes} refreshes"
    );
    assert!(ports_of(&source.refresh().unwrap(), QUIET).is_empty());
}

#[test]
fn a_process_in_another_namespace_brings_its_tables() {
    let fake = Fake::new();
    fake.process(40, 0, &[]);
    fake.process(50, 0, &[900]);
    fs::remove_file(fake.dir(50).join("ns/net")).unwrap();
    symlink("net:[4026532999]", fake.dir(50).join("ns/net")).unwrap();
    fake.table(&[40], &[tcp_line(3000, "0A", 100)]);
    fake.table(&[50], &[tcp_line(8080, "0A", 900)]);
    let mut source = ProcfsSource::with_root(fake.root.path()).unwrap();
    let all = source.refresh().unwrap();
    assert_eq!(ports_of(&all, 50), [8080]);
}

#[test]
fn ports_off_leaves_them_unknown() {
    let fake = Fake::new();
    fake.process(40, 0, &[100]);
    fake.table(&[40], &[tcp_line(3000, "0A", 100)]);
    let mut source = ProcfsSource::with_root(fake.root.path()).unwrap();
    source.set_measure(crate::sample::Measure { ports: false, ..Default::default() });
    assert_eq!(source.refresh().unwrap()[0].ports, None);
}
