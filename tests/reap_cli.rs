//! `swarmtop reap` on real processes in a worktree: old orphans and leftovers die; a
//! young orphan (`--older-than`) and a dev server started by hand in an attempt that
//! never had an agent — sentinels that log every signal — receive nothing.

mod common;

use std::time::{Duration, Instant};

use common::sentinel::{Sentinel, skip_without_python};
use common::*;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

/// A PID no process holds now (for a `CLAUDE_PID` whose claude is gone).
fn free_pid() -> u32 {
    let max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(32768);
    (2..max).rev().find(|p| !std::path::Path::new(&format!("/proc/{p}")).exists()).expect("a free pid")
}

fn pid_labelled(label: &str) -> Option<u32> {
    let mut sampler = live_sampler();
    find_label(&sample_forest(&mut sampler), label).map(|n| n.process.pid())
}

#[test]
fn reap_kills_old_orphans_and_leftovers_and_spares_the_young_and_the_never_agented() {
    if skip_without_python() {
        return;
    }
    let w = two_worktrees("reap", "age");
    let project = format!("reap{}age", std::process::id());
    let mut procs = Sessions::default();
    let (old, leftover) = (label("reap", "old-orphan"), label("reap", "leftover"));
    // A dev server started by hand: an attempt that never had an agent has no leftovers.
    let dev = Sentinel::new(&label("reap", "dev-server"), w.tmp.path());
    procs.spawn(&label("reap", "shell"), &w.wt_a, &format!("bash {} & wait", dev.script().display()));
    // Orphaned at once: its shell exits.
    procs.spawn(&label("reap", "old-sh"), &w.wt_a, &format!("(exec -a {old} sleep 600) &"));
    // Started by a claude that is gone (and not an orphan: its shell waits).
    let gone = free_pid();
    procs.spawn(
        &label("reap", "tool"),
        &w.wt_b,
        &format!("(CLAUDE_PID={gone} exec -a {leftover} sleep 600) & wait"),
    );
    let started = Instant::now();
    let (old_pid, leftover_pid) =
        wait_for("the old ones", WAIT, || Some((pid_labelled(&old)?, pid_labelled(&leftover)?)));
    wait_for("the dev server", WAIT, || dev.ready().then_some(()));
    let dev_pid = wait_for("the dev server listed", WAIT, || pid_labelled(&dev.label));
    // Ages are whole seconds since boot: wait until the old ones are surely 8 s old. The
    // young one must stay under 8 s until the reap has sampled, also on a loaded box.
    wait_for("eight seconds", WAIT, || (started.elapsed() >= Duration::from_millis(9200)).then_some(()));
    let dry = swarmtop(&["reap", "--dry-run", "--json", "--older-than", "8s", "--project", &project]);
    let plan: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(dry.status.code(), Some(0), "{plan}");
    let planned: Vec<u64> = plan["processes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["outcome"] == "planned")
        .map(|p| p["pid"].as_u64().unwrap())
        .collect();
    let mut want = vec![u64::from(old_pid), u64::from(leftover_pid)];
    want.sort_unstable();
    let mut got = planned.clone();
    got.sort_unstable();
    assert_eq!(got, want, "{plan}");

    let young = Sentinel::new(&label("reap", "young-orphan"), w.tmp.path());
    procs.spawn(&label("reap", "young-sh"), &w.wt_a, &format!("(bash {}) &", young.script().display()));
    wait_for("the young orphan", WAIT, || young.ready().then_some(()));
    let young_pid = wait_for("the young orphan listed", WAIT, || pid_labelled(&young.label));
    let out =
        swarmtop(&["reap", "--yes", "--json", "--grace", "2", "--older-than", "8s", "--project", &project]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "spared by --older-than is not a failure: {report}");
    let young_row = report["processes"].as_array().unwrap().iter().find(|p| p["pid"] == young_pid).cloned();
    let young_row = young_row.unwrap_or_else(|| panic!("the young orphan is listed as spared: {report}"));
    assert!(
        young_row["outcome"].as_str().unwrap().starts_with("skipped: younger than --older-than 8s"),
        "{report}"
    );
    for pid in [old_pid, leftover_pid] {
        wait_for("the reaped to be gone", WAIT, || (!alive(pid)).then_some(()));
    }
    for (s, pid) in [(&dev, dev_pid), (&young, young_pid)] {
        assert_eq!(s.received(), Vec::<String>::new(), "{} was signalled", s.label);
        assert!(alive(pid) && state(pid) != Some('T'), "{} was killed or left stopped", s.label);
    }

    // Only the young one is left, and it is spared: nothing to reap, which is success.
    let again = swarmtop(&["reap", "--yes", "--older-than", "1h", "--project", &project]);
    assert_eq!(again.status.code(), Some(0));
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(text.contains(": 0 processes") && text.contains("younger than --older-than 1h"), "{text}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to reap"));
    procs.kill_all();
    let none = swarmtop(&["reap", "--yes", "--project", &project]);
    assert_eq!(
        (none.status.code(), String::from_utf8_lossy(&none.stdout).as_ref()),
        (Some(0), "nothing to reap\n")
    );
}

#[test]
fn reap_refuses_bad_usage_and_finds_nothing_in_an_empty_project() {
    let out = swarmtop(&["reap", "--yes", "--project", "no-such-project-reap"]);
    assert_eq!(out.status.code(), Some(0), "a cron job for a project with nothing running now");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "nothing to reap\n");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no process is placed in project \"no-such-project-reap\" now")
    );
    let out = swarmtop(&["reap", "--project", "a/b"]);
    assert_eq!(out.status.code(), Some(2));
    let out = swarmtop(&["--read-only", "reap", "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("disabled"));
}
