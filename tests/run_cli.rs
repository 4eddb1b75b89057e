//! `swarmtop run`: registry entries, placement from anywhere, signals and exit
//! statuses, stale and corrupt registry files.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(10);

fn swarmtop(state: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env("XDG_STATE_HOME", state)
        .stdin(Stdio::null())
        .output()
        .expect("run swarmtop")
}

fn registry_files(state: &Path) -> Vec<String> {
    let dir = state.join("swarmtop/registry");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The attempt with `id` in `list --json`, if it is there.
fn attempt(state: &Path, id: &str) -> Option<Value> {
    let out = swarmtop(state, &["list", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).ok()?;
    v["projects"]
        .as_array()?
        .iter()
        .flat_map(|p| p["tasks"].as_array().cloned().unwrap_or_default())
        .find_map(|t| t["attempts"].as_array()?.iter().find(|a| a["id"] == id).cloned())
}

#[test]
fn exit_status_is_forwarded_and_the_entry_removed() {
    let state = tempfile::tempdir().unwrap();
    let out = swarmtop(state.path(), &["run", "--project", "p", "--task", "t", "--", "sh", "-c", "exit 7"]);
    assert_eq!(out.status.code(), Some(7));
    assert!(registry_files(state.path()).is_empty());
    let out = swarmtop(state.path(), &["run", "--project", "p", "--task", "t", "--", "/no/such/program"]);
    assert_eq!(out.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/program"));
    let out = swarmtop(state.path(), &["run", "--cwd", "/", "--", "true"]);
    assert_eq!(out.status.code(), Some(2), "no project and task, and / is no worktree");
}

#[test]
fn a_run_shows_up_under_its_names_from_anywhere_and_forwards_signals() {
    let state = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let l = label("run", "x");
    let mut procs = Sessions::default();
    let bin = env!("CARGO_BIN_EXE_swarmtop");
    let script = format!(
        "export XDG_STATE_HOME={}; exec {bin} run --project proj --task nightly --attempt a1 --cwd /tmp -- bash -c '(exec -a {l} sleep 600) & wait'",
        state.path().display()
    );
    let wrapper = procs.spawn(&label("run", "wrapper"), tmp.path(), &script);
    let a = wait_for("the registered attempt", WAIT, || {
        attempt(state.path(), "attempt:proj/nightly/a1").filter(|a| a["process_count"] == 3)
    });
    assert_eq!(a["source"], "registry");
    assert_eq!(a["processes"][0]["pid"], wrapper);
    assert_eq!(a["processes"][0]["assigned_by"], "registry");
    assert_eq!(registry_files(state.path()).len(), 1);

    // SIGTERM to the wrapper reaches the command's group; the entry goes with it.
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(wrapper as i32).unwrap(),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    wait_for("the run to end", WAIT, || registry_files(state.path()).is_empty().then_some(()));
    wait_for("the command to die", WAIT, || {
        attempt(state.path(), "attempt:proj/nightly/a1").is_none().then_some(())
    });
}

#[test]
fn project_and_task_come_from_the_worktree_of_cwd() {
    let state = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "gamma");
    let wt = worktree(&r, &tmp.path().join("wt/beef-fix-it"), "vk/beef-fix-it");
    let out = swarmtop(
        state.path(),
        &[
            "run",
            "--attempt",
            "z9",
            "--cwd",
            wt.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            "echo $SWARMTOP_PROJECT/$SWARMTOP_TASK/$SWARMTOP_ATTEMPT",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "gamma/fix-it/z9");
}

#[test]
fn stale_entries_are_pruned_and_corrupt_ones_reported_and_kept() {
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().join("swarmtop/registry");
    std::fs::create_dir_all(&dir).unwrap();
    let stale = r#"{"pid": 999999, "start_time": 1, "project": "p", "task": "t", "attempt": "a", "cwd": "/", "command": ["x"]}"#;
    std::fs::write(dir.join("999999-1.json"), stale).unwrap();
    std::fs::write(dir.join("broken.json"), "{\"pid\": 12").unwrap();
    std::fs::write(dir.join("missing.json"), r#"{"pid": 5, "start_time": 1}"#).unwrap();
    let out = swarmtop(state.path(), &["list"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.json") && err.contains("missing.json") && err.contains("project"), "{err}");
    assert_eq!(registry_files(state.path()), ["broken.json", "missing.json"], "stale pruned, corrupt kept");
}

#[test]
fn a_run_named_like_a_worktree_never_takes_its_id() {
    let state = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let project = format!("idclash{}", std::process::id());
    let r = repo(tmp.path(), &project);
    let wt = worktree(&r, &tmp.path().join("wt/wt-a"), "feat-a");
    let mut procs = Sessions::default();
    procs.spawn(&label("idclash", "agent"), &wt, "sleep 600 & wait");
    let l = label("idclash", "run");
    let bin = env!("CARGO_BIN_EXE_swarmtop");
    let script = format!(
        "export XDG_STATE_HOME={}; exec {bin} run --project {project} --task feat-a --attempt wt-a --cwd /tmp -- bash -c '(exec -a {l} sleep 600) & wait'",
        state.path().display()
    );
    procs.spawn(&label("idclash", "wrapper"), tmp.path(), &script);
    let plain = format!("attempt:{project}/feat-a/wt-a");
    let suffixed = format!("{plain}~registry");
    let (git, registry) = wait_for("both attempts", WAIT, || {
        Some((attempt(state.path(), &plain)?, attempt(state.path(), &suffixed)?))
    });
    assert_eq!((git["source"].as_str(), registry["source"].as_str()), (Some("git"), Some("registry")));
    assert_eq!(git["path"], wt.to_str().unwrap());
}
