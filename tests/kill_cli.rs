//! The built binary's `kill`: dry runs, confirmation, exit codes, bad targets.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
}

/// An attempt `attempt:<repo>/kill/<hex>` with an agent and a child; returns (tmp, repo name, agent pid).
fn attempt(procs: &mut Sessions, name: &str) -> (tempfile::TempDir, String, u32) {
    let tmp = tempfile::tempdir().unwrap();
    let repo_name = format!("k{}{name}", std::process::id());
    let r = repo(tmp.path(), &repo_name);
    let wt = worktree(&r, &tmp.path().join("wt/abcd-kill"), "vk/abcd-kill");
    let l = label("killcli", name);
    let pid = procs.spawn(&l, &wt, &format!("exec -a {l}-child sleep 600 & wait"));
    let id = format!("attempt:{repo_name}/kill/abcd");
    wait_for("the attempt", Duration::from_secs(10), || {
        let out = swarmtop(&["kill", "--dry-run", "--json", &id]);
        let v: Value = serde_json::from_slice(&out.stdout).ok()?;
        (v["processes"].as_array()?.len() == 2).then_some(())
    });
    (tmp, repo_name, pid)
}

#[test]
fn dry_run_lists_the_plan_and_signals_nothing() {
    let mut procs = Sessions::default();
    let (_tmp, repo_name, pid) = attempt(&mut procs, "dry");
    let out = swarmtop(&["kill", "--dry-run", &format!("attempt:{repo_name}/kill/abcd")]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2 processes") && text.contains("SIGTERM"), "{text}");
    assert!(alive(pid));
}

#[test]
fn without_yes_and_without_a_terminal_it_refuses() {
    let mut procs = Sessions::default();
    let (_tmp, repo_name, pid) = attempt(&mut procs, "refuse");
    let out = swarmtop(&["kill", &format!("attempt:{repo_name}/kill/abcd")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert!(alive(pid));
    let out = swarmtop(&["--read-only", "kill", "--yes", &format!("pid:{pid}")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("disabled"));
    assert!(alive(pid));
}

#[test]
fn yes_kills_the_attempt_and_exits_0() {
    let mut procs = Sessions::default();
    let (_tmp, repo_name, pid) = attempt(&mut procs, "yes");
    let out =
        swarmtop(&["kill", "--yes", "--json", "--grace", "2", &format!("attempt:{repo_name}/kill/abcd")]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert_eq!(v["exit_code"], 0);
    assert!(v["processes"].as_array().unwrap().iter().all(|p| p["outcome"] == "exited"), "{v}");
    assert!(!alive(pid));
}

#[test]
fn unknown_and_malformed_targets_exit_2_with_close_matches() {
    let mut procs = Sessions::default();
    let (_tmp, repo_name, pid) = attempt(&mut procs, "typo");
    let out = swarmtop(&["kill", "--yes", &format!("attempt:{repo_name}/kill/abce")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("close matches: attempt:{repo_name}/kill/abcd")), "{err}");
    let out = swarmtop(&["kill", "--yes", "pod:12"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown kind"));
    assert!(alive(pid));
    let out = swarmtop(&["kill", "--yes", "orphans:no-such-project"]);
    assert_eq!(out.status.code(), Some(2));
}
