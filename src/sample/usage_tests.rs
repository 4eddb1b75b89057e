//! The meter against a directory laid out like `/proc`: what is read when, the rates
//! it computes on a clock the test drives, and what it never claims.

use std::fs;
use std::time::{Duration, Instant};

use super::*;
use crate::model::ProcKey;

struct Fake {
    root: tempfile::TempDir,
}

impl Fake {
    fn new() -> Fake {
        Fake { root: tempfile::tempdir().unwrap() }
    }

    fn proc_dir(&self) -> ProcDir {
        ProcDir::open(self.root.path()).unwrap()
    }

    /// A process started at tick 1000 with its smaps_rollup and io.
    fn process(&self, pid: u32, pss_kib: u64, io: (u64, u64)) -> ProcKey {
        let dir = self.root.path().join(pid.to_string());
        fs::create_dir_all(&dir).unwrap();
        let stat =
            format!("{pid} (srv) S 1 {pid} {pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1000 1000 50 0");
        fs::write(dir.join("stat"), stat).unwrap();
        fs::write(
            dir.join("smaps_rollup"),
            format!(
                "00400000-7fff ---p 00000000 00:00 0 [rollup]\nRss: 9000 kB\nPss: {pss_kib} kB\nSwap: 4 kB\n"
            ),
        )
        .unwrap();
        self.io(pid, io);
        fs::write(
            dir.join("status"),
            "Name:\tsrv\nVmRSS:\t9000 kB\nRssAnon:\t6000 kB\nRssFile:\t2000 kB\nRssShmem:\t1000 kB\nVmSwap:\t4 kB\n",
        )
        .unwrap();
        ProcKey::new(pid, 1000).unwrap()
    }

    fn io(&self, pid: u32, (read, write): (u64, u64)) {
        let text = format!(
            "rchar: 1\nwchar: 1\nread_bytes: {read}\nwrite_bytes: {write}\ncancelled_write_bytes: 0\n"
        );
        fs::write(self.root.path().join(format!("{pid}/io")), text).unwrap();
    }

    /// A file that cannot be read (a directory in its place: reading it fails).
    fn unreadable(&self, pid: u32, file: &str) {
        let path = self.root.path().join(format!("{pid}/{file}"));
        let _ = fs::remove_file(&path);
        fs::create_dir_all(path).unwrap();
    }
}

/// One refresh of every key: what the meter read and kept.
fn refresh(
    meter: &mut UsageMeter,
    proc: &mut ProcDir,
    seen: &mut [(ProcKey, Option<Box<UsageSeen>>)],
    generation: u32,
    now: Instant,
    activity: Activity,
) -> usize {
    meter.begin(generation, now, Some(1.0));
    let mut smaps_reads = 0;
    for (key, s) in seen.iter_mut() {
        let reading = meter.read(proc, *key, activity, s.as_deref());
        smaps_reads += usize::from(reading.pss.is_some());
        meter.commit(s, reading, activity);
    }
    smaps_reads
}

#[test]
fn pss_mode_reads_only_targets_a_share_per_refresh_and_each_within_its_period() {
    let fake = Fake::new();
    let keys: Vec<ProcKey> = (100..140).map(|pid| fake.process(pid, 300, (0, 0))).collect();
    let outsider = fake.process(500, 300, (0, 0));
    let mut proc = fake.proc_dir();
    let mut meter = UsageMeter::default();
    meter.set(MemoryMode::Pss, false);
    meter.set_targets(PssTargets { keys: keys.iter().copied().collect(), at_once: false });
    let mut seen: Vec<(ProcKey, Option<Box<UsageSeen>>)> =
        keys.iter().chain([&outsider]).map(|k| (*k, None)).collect();
    let t0 = Instant::now();
    // At 1 s a refresh a target is read once in 4: 40 targets, at most 11 a refresh.
    let mut measured_at: Vec<Vec<u32>> = vec![Vec::new(); seen.len()];
    for generation in 1..=12 {
        let now = t0 + Duration::from_secs(u64::from(generation));
        let reads = refresh(&mut meter, &mut proc, &mut seen, generation, now, Activity::Idle);
        assert!(reads <= 11, "refresh {generation} read {reads} smaps_rollup files: never all at once");
        for (i, (_, s)) in seen.iter().enumerate() {
            if s.as_ref().and_then(|s| s.pss_at) == Some(generation) {
                measured_at[i].push(generation);
            }
        }
    }
    for (i, (key, s)) in seen.iter().enumerate().take(keys.len()) {
        assert_eq!(s.as_ref().unwrap().pss(), Pss::Measured { pss: 300 * 1024, swap: 4096 }, "{key}");
        let at = &measured_at[i];
        assert!(at[0] <= 4, "{key} first measured at refresh {}", at[0]);
        assert!(at.windows(2).all(|w| w[1] - w[0] <= 5), "{key} measured at {at:?}");
    }
    let (_, outside) = seen.last().unwrap();
    assert!(outside.is_none(), "a process outside the targets is never read, and nothing is kept of it");
}

#[test]
fn rss_mode_reads_nothing_and_forgets_what_pss_mode_read() {
    let fake = Fake::new();
    let key = fake.process(100, 300, (0, 0));
    let mut proc = fake.proc_dir();
    let mut meter = UsageMeter::default();
    let mut seen = vec![(key, None)];
    let now = Instant::now();
    assert_eq!(refresh(&mut meter, &mut proc, &mut seen, 1, now, Activity::Ran), 0);
    assert!(seen[0].1.is_none());
    meter.set(MemoryMode::Pss, false);
    meter.set_targets(PssTargets { keys: [key].into(), at_once: false });
    refresh(&mut meter, &mut proc, &mut seen, 2, now, Activity::Ran);
    assert_eq!(seen[0].1.as_ref().unwrap().pss().bytes(), Some(300 * 1024));
    meter.set(MemoryMode::Rss, false);
    assert_eq!(refresh(&mut meter, &mut proc, &mut seen, 3, now, Activity::Ran), 0);
    assert!(seen[0].1.is_none(), "back in rss mode: no stale PSS");
}

#[test]
fn an_unreadable_smaps_rollup_is_unreadable_never_zero() {
    let fake = Fake::new();
    let key = fake.process(100, 300, (0, 0));
    fake.unreadable(100, "smaps_rollup");
    let empty = fake.process(101, 0, (0, 0));
    fs::write(fake.root.path().join("101/smaps_rollup"), "").unwrap();
    let mut proc = fake.proc_dir();
    let mut meter = UsageMeter::default();
    meter.set(MemoryMode::Pss, false);
    meter.set_targets(PssTargets { keys: [key, empty].into(), at_once: true });
    let mut seen = vec![(key, None), (empty, None)];
    refresh(&mut meter, &mut proc, &mut seen, 1, Instant::now(), Activity::Idle);
    assert_eq!(seen[0].1.as_ref().unwrap().pss(), Pss::Unreadable);
    assert_eq!(seen[1].1.as_ref().unwrap().pss(), Pss::Unreadable, "an empty file (a zombie) says nothing");
}

#[test]
fn a_one_shot_reads_every_target_and_every_newcomer_at_once() {
    let fake = Fake::new();
    let keys: Vec<ProcKey> = (100..140).map(|pid| fake.process(pid, 300, (0, 0))).collect();
    let newcomer = fake.process(600, 100, (0, 0));
    let mut proc = fake.proc_dir();
    let mut meter = UsageMeter::default();
    meter.set(MemoryMode::Pss, false);
    meter.set_targets(PssTargets { keys: keys.iter().copied().collect(), at_once: true });
    let mut seen: Vec<(ProcKey, Option<Box<UsageSeen>>)> = keys.iter().map(|k| (*k, None)).collect();
    assert_eq!(refresh(&mut meter, &mut proc, &mut seen, 1, Instant::now(), Activity::Idle), 40);
    let mut new = None;
    meter.begin(2, Instant::now(), Some(0.2));
    let reading = meter.read(&mut proc, newcomer, Activity::New, None);
    meter.commit(&mut new, reading, Activity::New);
    assert_eq!(new.unwrap().pss().bytes(), Some(100 * 1024));
}

#[test]
fn io_rates_come_from_two_readings_and_an_idle_process_did_no_io() {
    let fake = Fake::new();
    let key = fake.process(100, 0, (1000, 0));
    let mut proc = fake.proc_dir();
    let mut meter = UsageMeter::default();
    meter.set(MemoryMode::Rss, true);
    let mut seen = None;
    let t0 = Instant::now();
    let mut step = |meter: &mut UsageMeter, generation: u32, secs: u64, activity: Activity| {
        meter.begin(generation, t0 + Duration::from_secs(secs), Some(1.0));
        let reading = meter.read(&mut proc, key, activity, seen.as_deref());
        meter.commit(&mut seen, reading, activity);
        seen.as_deref().and_then(UsageSeen::io_rate)
    };
    // Generation 1 is not its sweep turn (100 % 4 == 0): read as its first reading.
    assert_eq!(step(&mut meter, 1, 0, Activity::Idle), None, "one reading is no rate");
    fake.io(100, (5000, 2048));
    assert_eq!(step(&mut meter, 2, 2, Activity::Ran), Some(IoRate { read: 2000, write: 1024 }));
    // It did not run: not read, and it did no I/O.
    assert_eq!(step(&mut meter, 3, 3, Activity::Idle), Some(IoRate::default()));
    // It ran in the next second: the rate is over that second, not since the last read.
    fake.io(100, (9000, 2048));
    assert_eq!(step(&mut meter, 5, 4, Activity::Ran), Some(IoRate { read: 4000, write: 0 }));
    fake.unreadable(100, "io");
    assert_eq!(step(&mut meter, 6, 5, Activity::Ran), None, "unreadable: unknown, never 0");
    meter.set(MemoryMode::Rss, false);
    assert_eq!(step(&mut meter, 7, 6, Activity::Ran), None);
    assert!(seen.is_none(), "the IO column is off: nothing kept");
}

#[test]
fn a_process_born_since_the_last_refresh_did_all_its_io_since() {
    let fake = Fake::new();
    let key = fake.process(101, 0, (3000, 0));
    let mut proc = fake.proc_dir();
    let mut meter = UsageMeter::default();
    meter.set(MemoryMode::Rss, true);
    let mut seen = None;
    meter.begin(2, Instant::now(), Some(1.5));
    let reading = meter.read(&mut proc, key, Activity::New, None);
    meter.commit(&mut seen, reading, Activity::New);
    assert_eq!(seen.unwrap().io_rate(), Some(IoRate { read: 2000, write: 0 }));
}

#[test]
fn idle_processes_are_read_in_a_sweep_and_unreadable_ones_only_then() {
    let fake = Fake::new();
    let key = fake.process(101, 0, (0, 0));
    fake.unreadable(101, "io");
    let mut proc = fake.proc_dir();
    let mut meter = UsageMeter::default();
    meter.set(MemoryMode::Rss, true);
    let mut seen = None;
    let mut reads = Vec::new();
    for generation in 1..=8 {
        meter.begin(generation, Instant::now(), Some(1.0));
        let reading = meter.read(&mut proc, key, Activity::Ran, seen.as_deref());
        if reading.io.is_some() {
            reads.push(generation);
        }
        meter.commit(&mut seen, reading, Activity::Ran);
    }
    assert_eq!(reads, [1, 5], "unreadable: tried again in its sweep turn only (101 % 4 == 1)");
}

#[test]
fn inspect_reads_everything_and_a_reused_pid_gives_nothing() {
    let fake = Fake::new();
    let key = fake.process(100, 300, (4096, 0));
    let mut proc = fake.proc_dir();
    let mut buf = Vec::new();
    let seen = inspect(&mut proc, key, &mut buf);
    assert_eq!(seen.pss, Pss::Measured { pss: 300 * 1024, swap: 4096 });
    let r = seen.resident.unwrap();
    assert_eq!(
        (r.rss, r.anon, r.file, r.shmem, r.swap),
        (9000 * 1024, 6000 * 1024, 2000 * 1024, 1000 * 1024, 4096)
    );
    assert_eq!(seen.io, Some(IoTotals { read: 4096, write: 0 }));
    let other = ProcKey::new(100, 999).unwrap();
    let gone = inspect(&mut proc, other, &mut buf);
    assert_eq!(
        (gone.resident, gone.pss, gone.io),
        (None, Pss::Unmeasured, None),
        "PID 100 is another process now"
    );
    fake.unreadable(100, "io");
    fake.unreadable(100, "smaps_rollup");
    let private = inspect(&mut proc, key, &mut buf);
    assert_eq!((private.pss, private.io), (Pss::Unreadable, None));
    assert!(private.resident.is_some(), "status is readable by anyone");
}
