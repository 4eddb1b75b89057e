//! `swarmtop bench`: one steady-state sample + association next to a raw read of
//! every `/proc/PID/stat`, measured in the same run and reported as ratios, since
//! absolute times on a busy box mean little.

use std::time::{Duration, Instant};

use super::CliError;
use super::bench_load::Load;
use crate::associate::{Options, associate};
use crate::config::Config;
use crate::model::MemoryMode;
use crate::model::Snapshot;
use crate::procfs;
use crate::sample::usage::PSS_SECONDS;
use crate::sample::{self, HostFacts, Measure, PssTargets, Sampler, SourceKind};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Measured rounds per contender (after one warm-up round).
    #[arg(long, default_value_t = 20)]
    pub rounds: usize,
    /// Start this many extra idle processes (nested trees, own session) for the run.
    #[arg(long, default_value_t = 0)]
    pub load: usize,
    /// Also make this many git worktrees, each with two processes listening on a TCP port.
    #[arg(long, default_value_t = 0)]
    pub worktrees: usize,
    /// Also time the TUI on a synthetic box of this many processes (0: skip).
    #[arg(long, default_value_t = 10_000)]
    pub tui_processes: usize,
}

pub fn run(args: &BenchArgs, config: &Config) -> Result<i32, CliError> {
    let rounds = args.rounds.max(3);
    let load = Load::start(args.load, args.worktrees)?;
    let options = super::associate_options(config);
    let mut raw_proc = procfs::ProcDir::open(std::path::Path::new("/proc"))?;
    let mut proc = procfs::ProcDir::open(std::path::Path::new("/proc"))?;
    // Each contender has a phase of its own, alternating with the raw read, and its ratio
    // is to the raw read of that phase: together, the files the contenders keep open
    // (stat files, sysinfo's own) would run past the file limit at 10,000 processes.
    let mut versus_raw = |contender: &mut dyn FnMut()| {
        let t = interleaved_medians(rounds, &mut [&mut || raw_stat_read(&mut raw_proc, false), contender]);
        (t[0], t[1])
    };
    let (raw, with_cwd) = versus_raw(&mut || raw_stat_read(&mut proc, true));
    let mut rows = vec![
        ("raw read of every /proc/PID/stat".to_string(), raw, raw),
        ("raw read of every stat + cwd link".to_string(), with_cwd, raw),
    ];
    let kept = keep_stat_files_open(&mut proc);
    let (base, t) = versus_raw(&mut || reread_kept(&kept));
    rows.push(("raw re-read of every stat file kept open".to_string(), t, base));
    drop(kept);
    // Ports off and on in one phase, in turn with the raw read, so their ratio to each
    // other is measured under the same conditions.
    let mut off = warm_sampler(SourceKind::Procfs, Measure { ports: false, ..Measure::default() })?;
    let mut on = warm_sampler(SourceKind::Procfs, Measure::default())?;
    // pss mode at its worst: every process in an attempt read each refresh (a one-shot
    // `list --memory pss`); the TUI reads a share of them each refresh (`PSS_SECONDS`).
    let mut pss =
        warm_sampler(SourceKind::Procfs, Measure { memory: MemoryMode::Pss, ..Measure::default() })?;
    let keys = associate(&pss.sample()?, &options).attempt_keys();
    let targets = keys.len();
    pss.set_pss_targets(PssTargets { keys, at_once: true });
    let (mut count, mut listening) = (0, 0);
    let mut phase_proc = procfs::ProcDir::open(std::path::Path::new("/proc"))?;
    let t = interleaved_medians(
        rounds,
        &mut [
            &mut || raw_stat_read(&mut phase_proc, false),
            &mut || sample_and_associate(&mut off, &options, &mut |_| {}),
            &mut || {
                sample_and_associate(&mut on, &options, &mut |s| {
                    count = s.processes.len();
                    listening = s
                        .processes
                        .iter()
                        .filter(|p| p.ports.as_ref().is_some_and(|p| !p.is_empty()))
                        .count();
                })
            },
            &mut || sample_and_associate(&mut pss, &options, &mut |_| {}),
        ],
    );
    rows.push((format!("procfs sample + associate, ports off ({count} processes)"), t[1], t[0]));
    rows.push((format!("procfs sample + associate, ports on ({listening} listening)"), t[2], t[0]));
    rows.push((format!("  same, pss mode: all {targets} in attempts read"), t[3], t[0]));
    let ports_ratio = t[2].as_secs_f64() / t[1].as_secs_f64().max(1e-9);
    let pss_ratio = t[3].as_secs_f64() / t[2].as_secs_f64().max(1e-9);
    drop((off, on, pss));
    let mut sysinfo = warm_sampler(SourceKind::Sysinfo, Measure::default())?;
    let (base, t) = versus_raw(&mut || sample_and_associate(&mut sysinfo, &options, &mut |_| {}));
    rows.push(("sysinfo sample + associate".to_string(), t, base));
    println!("{:<52} {:>10} {:>8}", "contender", "median", "ratio");
    for (name, t, base) in rows {
        let ratio = t.as_secs_f64() / base.as_secs_f64().max(1e-9);
        println!("{name:<52} {:>8.2}ms {ratio:>7.2}x", t.as_secs_f64() * 1000.0);
    }
    println!("(each ratio is to the raw read timed in turn with that contender)");
    println!("ports on / ports off: {ports_ratio:.2}x");
    // At a refresh of R seconds the TUI reads R / PSS_SECONDS of them each refresh.
    let share = (config.refresh_ms as f64 / 1000.0 / PSS_SECONDS).min(1.0);
    println!(
        "pss mode (all {targets} read) / rss mode: {pss_ratio:.2}x; rolling, at the {} ms refresh: ~{:.2}x",
        config.refresh_ms,
        1.0 + (pss_ratio - 1.0) * share
    );
    drop(load);
    if args.tui_processes > 0 {
        super::bench_tui::run(args.tui_processes, rounds, raw);
    }
    Ok(0)
}

/// A sampler of `kind` measuring `measure`, after one warm-up sample (which fills its
/// caches and primes CPU deltas).
fn warm_sampler(kind: SourceKind, measure: Measure) -> Result<Sampler, CliError> {
    let mut sampler = Sampler::new(sample::open_source(kind)?, HostFacts::read());
    sampler.set_measure(measure);
    sampler.sample()?;
    Ok(sampler)
}

/// One refresh: sample, look at the snapshot, associate.
fn sample_and_associate(sampler: &mut Sampler, options: &Options, look: &mut dyn FnMut(&Snapshot)) {
    if let Ok(s) = sampler.sample() {
        look(&s);
        std::hint::black_box(associate(&s, options));
    }
}

/// Lists /proc and reads every stat file into one reused buffer, with the same
/// primitives the procfs source uses: the floor. With `cwd`, also reads every cwd
/// link (what association would need on top if every cwd were read every time).
fn raw_stat_read(proc: &mut procfs::ProcDir, cwd: bool) {
    let (mut pids, mut buf, mut link) = (Vec::new(), Vec::with_capacity(1024), Vec::new());
    if proc.list(&mut pids).is_ok() {
        for &pid in &pids {
            let _ = std::hint::black_box(proc.read(pid, "stat", &mut buf));
            if cwd {
                let _ = std::hint::black_box(proc.read_link(pid, "cwd", &mut link));
            }
        }
    }
}

/// Every process's stat file, opened once (what the procfs source keeps).
fn keep_stat_files_open(proc: &mut procfs::ProcDir) -> Vec<std::os::fd::OwnedFd> {
    let mut pids = Vec::new();
    if proc.list(&mut pids).is_err() {
        return Vec::new();
    }
    pids.iter().filter_map(|&pid| proc.open_file(pid, "stat").ok()).collect()
}

fn reread_kept(fds: &[std::os::fd::OwnedFd]) {
    let mut buf = Vec::with_capacity(1024);
    for fd in fds {
        let _ = std::hint::black_box(procfs::reread(fd, &mut buf));
    }
}

/// The median time of each contender over `rounds` rounds, each round calling every
/// contender once in turn, so a machine that gets busier or quieter during the run
/// slows all of them alike.
fn interleaved_medians(rounds: usize, contenders: &mut [&mut dyn FnMut()]) -> Vec<Duration> {
    contenders.iter_mut().for_each(|f| f());
    let mut times = vec![Vec::with_capacity(rounds); contenders.len()];
    for _ in 0..rounds {
        for (f, t) in contenders.iter_mut().zip(&mut times) {
            let start = Instant::now();
            f();
            t.push(start.elapsed());
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect()
}

/// The median time of `rounds` calls after one warm-up call.
pub(super) fn median(rounds: usize, mut f: impl FnMut()) -> Duration {
    interleaved_medians(rounds, &mut [&mut f])[0]
}
