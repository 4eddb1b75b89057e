//! Every ProcessSource must report the same facts for the same real processes.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use swarmtop::model::Process;
use swarmtop::sample::{ProcessSource, ProcfsSource, SysinfoSource};

type Facts = (u32, u32, u32, u64, Option<std::sync::Arc<std::path::Path>>, Vec<String>, String, Option<u32>);

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
                    p.cmd.to_vec(),
                    p.user.to_string(),
                    p.uid,
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
        &format!("(cd /tmp && exec -a {} sleep 600) & exec -a {} sleep 600 & wait", l("moved"), l("execd")),
    );
    let sids = procs.sids();
    let mut procfs = ProcfsSource::new().unwrap();
    let mut sysinfo = SysinfoSource::new().unwrap();
    let expected = wait_for("three settled processes", Duration::from_secs(10), || {
        let a = facts(&mut procfs, &sids);
        let settled =
            a.len() == 3 && a.values().all(|f| f.5.first().is_some_and(|argv0| argv0.starts_with("st-")));
        settled.then_some(a)
    });
    let got = facts(&mut sysinfo, &sids);
    assert_eq!(got, expected);
    let moved = expected.values().find(|f| f.5[0] == l("moved")).unwrap();
    assert_eq!(moved.4.as_deref(), Some(std::path::Path::new("/tmp")));
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
    procs.kill_all();
    source.refresh().unwrap();
    assert!(!source.is_cached(key), "a dead ProcKey's facts are dropped");
}
