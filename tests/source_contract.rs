//! Every ProcessSource must report the same facts for the same real processes.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use swarmtop::model::{ProcState, Process};
use swarmtop::sample::linux::CWD_SWEEP;
use swarmtop::sample::{ProcessSource, ProcfsSource, SysinfoSource};

type Facts =
    (u32, u32, u32, u64, Option<std::sync::Arc<std::path::Path>>, Vec<String>, String, Option<u32>, i8, u32);

fn facts(source: &mut dyn ProcessSource, sids: &[u32]) -> BTreeMap<u32, Facts> {
    source
        .refresh()
        .unwrap()
        .into_iter()
        .filter(|p: &Process| sids.contains(&p.sid))
        .map(|p| {
            (
                p.pid(),
                (
                    p.ppid,
                    p.pgid,
                    p.sid,
                    p.key.start_time(),
                    p.cwd.clone(),
                    p.facts.cmd.iter().map(str::to_string).collect(),
                    p.facts.user.to_string(),
                    p.facts.uid,
                    p.nice,
                    p.threads,
                ),
            )
        })
        .collect()
}

#[test]
fn procfs_and_sysinfo_agree_on_a_real_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let l = |r: &str| label("contract", r);
    let mut procs = Sessions::default();
    procs.spawn(
        &l("root"),
        tmp.path(),
        &format!(
            "(cd /tmp && exec -a {} sleep 600) & (renice -n 7 -p $BASHPID >/dev/null; exec -a {} sleep 600) & wait",
            l("moved"),
            l("execd")
        ),
    );
    let sids = procs.sids();
    let mut procfs = ProcfsSource::new().unwrap();
    let mut sysinfo = SysinfoSource::new().unwrap();
    let expected = wait_for("three settled processes", Duration::from_secs(10), || {
        let a = facts(&mut procfs, &sids);
        // The forked subshell shows the root's argv until it execs.
        let mut argv0: Vec<&str> = a.values().filter_map(|f| f.5.first().map(String::as_str)).collect();
        argv0.sort_unstable();
        (argv0 == [l("execd"), l("moved"), l("root")]).then_some(a)
    });
    let got = facts(&mut sysinfo, &sids);
    assert_eq!(got, expected);
    let moved = expected.values().find(|f| f.5[0] == l("moved")).unwrap();
    assert_eq!(moved.4.as_deref(), Some(std::path::Path::new("/tmp")));
    let execd = expected.values().find(|f| f.5[0] == l("execd")).unwrap();
    assert_eq!((execd.8, execd.9), (7, 1), "nice and threads of the reniced sleep");
    assert_eq!((moved.8, moved.9), (0, 1));
}

#[test]
fn procfs_cache_evicts_dead_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let mut procs = Sessions::default();
    // `exec` so the session leader is the only process: we reap it, so it leaves /proc.
    let pid = procs.spawn(&label("evict", "root"), tmp.path(), "exec sleep 600");
    let mut source = ProcfsSource::new().unwrap();
    let key = wait_for("the process", Duration::from_secs(10), || {
        source.refresh().unwrap().into_iter().find(|p| p.pid() == pid).map(|p| p.key)
    });
    assert!(source.is_cached(key));
    // Other tests start and end processes meanwhile: count the kept files of this
    // refresh's arrivals and departures too.
    let keys = |source: &mut ProcfsSource| -> std::collections::HashSet<_> {
        source.refresh().unwrap().into_iter().map(|p| p.key).collect()
    };
    let before = keys(&mut source);
    let kept = source.kept_files();
    procs.kill_all();
    let after = keys(&mut source);
    assert!(!source.is_cached(key), "a dead ProcKey's facts are dropped");
    let (gone, new) = (before.difference(&after).count(), after.difference(&before).count());
    assert!(before.contains(&key) && !after.contains(&key));
    assert!(source.kept_files() + gone <= kept + new, "and its stat file closed");
}

#[test]
fn a_running_process_that_changes_cwd_is_seen_there_by_every_source_within_the_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut procs = Sessions::default();
    // Builtins only, so the change of cwd is the process's own, not a child's; no one
    // ever writes to `never`, so it then waits there.
    let pid = procs.spawn(
        &label("contract", "cd"),
        dir,
        "mkfifo f never && : > ready && read -r d < f && cd \"$d\" && : > \"$OLDPWD/moved\" && read -r _ < \"$OLDPWD/never\"",
    );
    let mut procfs = ProcfsSource::new().unwrap();
    let mut sysinfo = SysinfoSource::new().unwrap();
    let cwd_of = |source: &mut dyn ProcessSource| {
        source.refresh().unwrap().into_iter().find(|p| p.pid() == pid).and_then(|p| p.cwd)
    };
    wait_for("the fifo", Duration::from_secs(10), || dir.join("ready").exists().then_some(()));
    assert_eq!(cwd_of(&mut procfs).as_deref(), Some(dir.canonicalize().unwrap().as_path()));
    std::fs::write(dir.join("f"), "/tmp\n").unwrap();
    wait_for("the cd", Duration::from_secs(10), || dir.join("moved").exists().then_some(()));
    let tmp = Some(std::path::PathBuf::from("/tmp").into());
    let seen: Vec<_> = (0..CWD_SWEEP).map(|_| cwd_of(&mut procfs)).collect();
    assert!(seen.contains(&tmp), "procfs shows the new cwd within {CWD_SWEEP} refreshes: {seen:?}");
    assert_eq!(cwd_of(&mut sysinfo).as_deref(), Some(std::path::Path::new("/tmp")));
}

#[test]
fn a_kept_stat_file_shows_a_process_stop_and_continue() {
    let tmp = tempfile::tempdir().unwrap();
    let mut procs = Sessions::default();
    let pid = procs.spawn(&label("contract", "stopped"), tmp.path(), "exec sleep 600");
    let mut source = ProcfsSource::new().unwrap();
    let mut state = || source.refresh().unwrap().into_iter().find(|p| p.pid() == pid).map(|p| p.state);
    wait_for("the sleep", Duration::from_secs(10), || (state() == Some(ProcState::Sleeping)).then_some(()));
    let signal = |s| rustix::process::kill_process(rustix::process::Pid::from_raw(pid as i32).unwrap(), s);
    signal(rustix::process::Signal::STOP).unwrap();
    wait_for("stopped", Duration::from_secs(10), || (state() == Some(ProcState::Stopped)).then_some(()));
    signal(rustix::process::Signal::CONT).unwrap();
    wait_for("running again", Duration::from_secs(10), || {
        (state() == Some(ProcState::Sleeping)).then_some(())
    });
}

#[test]
fn both_sources_escape_arguments_that_are_not_utf8_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let mut procs = Sessions::default();
    let name = label("contract", "bytes");
    procs.spawn(&format!("{name}-root"), tmp.path(), &format!("exec -a $'{name}\\xff' sleep 600"));
    let sids = procs.sids();
    let mut procfs = ProcfsSource::new().unwrap();
    let mut sysinfo = SysinfoSource::new().unwrap();
    let want = format!("{name}\\xff");
    let escaped = |source: &mut dyn ProcessSource| {
        source
            .refresh()
            .unwrap()
            .into_iter()
            .find(|p| sids.contains(&p.sid) && p.facts.cmd.first() == Some(&want))
    };
    let a = wait_for("the escaped argv", Duration::from_secs(10), || escaped(&mut procfs));
    let b = escaped(&mut sysinfo).expect("sysinfo lists it too");
    assert!(a.facts.cmd.is_escaped() && b.facts.cmd.is_escaped());
    assert_eq!(a.facts.cmd.bytes(), b.facts.cmd.bytes());
    assert_eq!(a.facts.cmd.bytes()[0], [name.as_bytes(), b"\xff"].concat());
}
