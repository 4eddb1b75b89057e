//! The procfs source against a directory laid out like `/proc`, so its caching and
//! its cwd policy can be driven exactly.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use super::*;

struct FakeProc {
    root: tempfile::TempDir,
}

/// One process's files; `ticks` and `faults` are what tells the source it ran.
struct Proc<'a> {
    pid: u32,
    start: u64,
    comm: &'a str,
    argv: &'a [&'a str],
    env: &'a str,
    cwd: &'a str,
    ticks: u64,
    faults: u64,
}

impl Default for Proc<'_> {
    fn default() -> Self {
        Proc { pid: 40, start: 1000, comm: "bash", argv: &["bash"], env: "", cwd: "/a", ticks: 0, faults: 0 }
    }
}

impl FakeProc {
    fn new() -> FakeProc {
        FakeProc { root: tempfile::tempdir().unwrap() }
    }

    fn dir(&self, pid: u32) -> PathBuf {
        self.root.path().join(pid.to_string())
    }

    fn write(&self, p: &Proc) {
        let dir = self.dir(p.pid);
        fs::create_dir_all(&dir).unwrap();
        let stat = format!(
            "{pid} ({comm}) S 1 {pid} {pid} 0 -1 4194560 {faults} 0 0 0 {ticks} 0 0 0 20 0 1 0 {start} 1000 50 0",
            pid = p.pid,
            comm = p.comm,
            faults = p.faults,
            ticks = p.ticks,
            start = p.start
        );
        fs::write(dir.join("stat"), stat).unwrap();
        let argv: String = p.argv.iter().map(|a| format!("{a}\0")).collect();
        fs::write(dir.join("cmdline"), argv).unwrap();
        let uid = rustix::process::getuid().as_raw();
        fs::write(dir.join("status"), format!("Name:\t{}\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\n", p.comm))
            .unwrap();
        fs::write(dir.join("environ"), p.env.replace(' ', "\0")).unwrap();
        self.set_cwd(p.pid, p.cwd);
    }

    fn set_cwd(&self, pid: u32, cwd: &str) {
        let link = self.dir(pid).join("cwd");
        let _ = fs::remove_file(&link);
        symlink(cwd, link).unwrap();
    }

    fn source(&self) -> ProcfsSource {
        ProcfsSource::with_root(self.root.path()).unwrap()
    }
}

fn only(source: &mut ProcfsSource) -> Process {
    let mut all = source.refresh().unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

fn cwd(p: &Process) -> Option<&Path> {
    p.cwd.as_deref()
}

#[test]
fn an_idle_process_cwd_is_read_again_within_the_sweep_but_not_every_time() {
    let fake = FakeProc::new();
    fake.write(&Proc::default());
    let mut source = fake.source();
    assert_eq!(cwd(&only(&mut source)), Some(Path::new("/a")));
    fake.set_cwd(40, "/b");
    let seen: Vec<bool> = (0..CWD_SWEEP).map(|_| cwd(&only(&mut source)) == Some(Path::new("/b"))).collect();
    assert!(seen.last() == Some(&true), "read again within {CWD_SWEEP} refreshes: {seen:?}");
    assert!(seen.first() == Some(&false), "not read on every refresh while idle: {seen:?}");
}

#[test]
fn a_process_that_ran_has_its_cwd_read_on_the_next_refresh() {
    let fake = FakeProc::new();
    fake.write(&Proc::default());
    let mut source = fake.source();
    only(&mut source);
    fake.write(&Proc { cwd: "/b", ticks: 1, ..Proc::default() });
    assert_eq!(cwd(&only(&mut source)), Some(Path::new("/b")), "CPU ticks changed");
    fake.write(&Proc { cwd: "/c", ticks: 1, faults: 7, ..Proc::default() });
    assert_eq!(cwd(&only(&mut source)), Some(Path::new("/c")), "minor faults changed");
}

#[test]
fn a_reused_pid_gets_fresh_argv_and_environment() {
    let fake = FakeProc::new();
    fake.write(&Proc { argv: &["old", "--x"], env: "SWARMTOP_TASK=old", ..Proc::default() });
    let mut source = fake.source();
    let first = only(&mut source);
    assert_eq!(first.tag("SWARMTOP_TASK"), Some("old"));
    fake.write(&Proc { start: 2000, argv: &["new"], env: "SWARMTOP_TASK=new", ..Proc::default() });
    let second = only(&mut source);
    assert_ne!(first.key, second.key);
    assert_eq!((second.facts.cmd.join(" "), second.tag("SWARMTOP_TASK")), ("new".to_string(), Some("new")));
    assert!(!source.is_cached(first.key), "the dead key's facts are dropped");
}

#[test]
fn exec_under_the_same_key_reads_argv_again() {
    let fake = FakeProc::new();
    fake.write(&Proc::default());
    let mut source = fake.source();
    assert_eq!(only(&mut source).facts.cmd.join(" "), "bash");
    fake.write(&Proc { comm: "sleep", argv: &["sleep", "9"], ..Proc::default() });
    let after = only(&mut source);
    assert_eq!(
        (&*after.facts.name, after.facts.cmd.iter().collect::<Vec<_>>()),
        ("sleep", vec!["sleep", "9"])
    );
}

#[test]
fn a_process_gone_between_listing_and_reading_is_skipped() {
    let fake = FakeProc::new();
    fake.write(&Proc::default());
    // Listed in the directory, but its files are gone (it exited meanwhile).
    fs::create_dir_all(fake.dir(41)).unwrap();
    // Its stat is readable but everything else vanished: still listed, with what is known.
    fake.write(&Proc { pid: 42, ..Proc::default() });
    for f in ["cmdline", "status", "environ", "cwd"] {
        fs::remove_file(fake.dir(42).join(f)).unwrap();
    }
    let mut all = fake.source().refresh().unwrap();
    all.sort_by_key(|p| p.pid());
    assert_eq!(all.iter().map(|p| p.pid()).collect::<Vec<_>>(), [40, 42]);
    assert_eq!((all[1].cwd.as_deref(), all[1].facts.cmd.len()), (None, 0));
}

#[test]
fn processes_in_one_directory_share_one_cwd_and_gone_cwds_are_forgotten() {
    let fake = FakeProc::new();
    fake.write(&Proc::default());
    fake.write(&Proc { pid: 41, cwd: "/a", ..Proc::default() });
    let mut source = fake.source();
    let all = source.refresh().unwrap();
    let (a, b) = (all[0].cwd.as_ref().unwrap(), all[1].cwd.as_ref().unwrap());
    assert!(std::sync::Arc::ptr_eq(a, b), "{a:?} and {b:?} are one allocation");
    drop(all);
    assert_eq!(source.kept_files(), 2);
    fs::remove_dir_all(fake.dir(40)).unwrap();
    fs::remove_dir_all(fake.dir(41)).unwrap();
    source.refresh().unwrap();
    assert!(source.cwds.known.is_empty(), "no process uses /a any more");
    assert_eq!(source.kept_files(), 0, "the stat files of gone processes are closed");
}

#[test]
fn stat_files_beyond_the_budget_are_read_by_opening_them_each_time() {
    let fake = FakeProc::new();
    (40..45).for_each(|pid| fake.write(&Proc { pid, ..Proc::default() }));
    let mut source = fake.source();
    source.files.budget = 2;
    assert_eq!(source.refresh().unwrap().len(), 5);
    assert_eq!(source.kept_files(), 2);
    fake.write(&Proc { pid: 44, ticks: 500, ..Proc::default() });
    let busy = source.refresh().unwrap().into_iter().find(|p| p.pid() == 44).unwrap();
    assert!(busy.cpu_percent > 0.0, "a process without a kept file is still read afresh");
}

#[test]
fn sources_that_share_a_budget_keep_at_most_it_open_together_and_give_it_back() {
    // The TUI's sampler, its kill's and its detail pane's each once kept half of the
    // open-file limit: at 10,000 processes two of them took it all (EMFILE).
    static KEPT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let fake = FakeProc::new();
    (40..45).for_each(|pid| fake.write(&Proc { pid, ..Proc::default() }));
    let (mut first, mut second) = (fake.source(), fake.source());
    first.share_file_budget(7, &KEPT);
    second.share_file_budget(7, &KEPT);
    assert_eq!(first.refresh().unwrap().len(), 5);
    assert_eq!(second.refresh().unwrap().len(), 5, "the second reads every process all the same");
    assert_eq!((first.kept_files(), second.kept_files()), (5, 2));
    drop(first);
    assert_eq!(KEPT.load(std::sync::atomic::Ordering::Relaxed), 2, "a dropped source gives its share back");
    second.refresh().unwrap();
    assert_eq!(second.kept_files(), 5, "and the other takes it up");
}

#[test]
fn the_cache_gives_back_its_room_after_a_burst() {
    let fake = FakeProc::new();
    (1000..3000).for_each(|pid| fake.write(&Proc { pid, ..Proc::default() }));
    let mut source = fake.source();
    source.files.budget = 0; // 2,000 open files would not fit under every file limit
    source.refresh().unwrap();
    let busy = source.seen.capacity();
    (1001..3000).for_each(|pid| fs::remove_dir_all(fake.dir(pid)).unwrap());
    assert_eq!(source.refresh().unwrap().len(), 1);
    assert!(source.seen.capacity() < busy / 4, "{} of {busy} kept for one process", source.seen.capacity());
}
