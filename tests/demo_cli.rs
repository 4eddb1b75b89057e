//! `swarmtop demo` without a terminal: prints the demo forest, and removes every
//! process and file it made, also when it is interrupted.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::processes_under;

/// Starts the demo, returns it and its root (read from its first stderr line).
fn start_demo() -> (std::process::Child, PathBuf, BufReader<std::process::ChildStderr>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .arg("demo")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let root = PathBuf::from(line.trim().rsplit(' ').next().unwrap());
    assert!(root.is_absolute(), "{line}");
    (child, root, err)
}

fn assert_cleaned(root: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while root.exists() || !processes_under(root).is_empty() {
        assert!(Instant::now() < deadline, "left behind: {:?}", processes_under(root));
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn demo_prints_the_swarm_and_cleans_up() {
    let (child, root, _) = start_demo();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // Project ids may carry a `~2` when another demo runs at the same time.
    for expected in
        ["/add-login/1a2b", "/add-login/3c4d", "/main/main", "/dev/fix-typo/18a2b3c4d5e6f708", "[orphan]"]
    {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    // Whole, realistic command lines: agents named like real agents, nothing left over
    // from whatever stands in for them.
    for line in ["claude [claude]", "claude --continue [claude]", "codex [codex]", "cargo test --workspace"] {
        assert!(text.lines().any(|l| l.trim_end().ends_with(line)), "no line ends with {line:?}:\n{text}");
    }
    assert!(!text.contains("2147483647") && !text.contains(".sh"), "{text}");
    // Each dev server listens (on 5173, or the next free port as vite does) and shows it.
    let vites: Vec<&str> = text.lines().filter(|l| l.contains("vite --port 5173")).collect();
    assert_eq!(vites.len(), 2, "{text}");
    assert!(vites.iter().all(|l| l.trim_end().ends_with(']') && l.contains(" [:")), "{text}");
    assert_cleaned(&root);
}

#[test]
fn an_interrupted_demo_still_cleans_up() {
    let (mut child, root, _err) = start_demo();
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    child.wait().unwrap();
    assert_cleaned(&root);
}
