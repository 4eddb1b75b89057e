//! Driving the built binary from tests: runs with a configuration of its own, JSON
//! output, and waiting for the box to show what a test started.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use swarmtop::model::Forest;

use super::sentinel::Sentinel;
use super::{alive, find_label, live_sampler, sample_forest, state, wait_for};

const WAIT: Duration = Duration::from_secs(15);

/// The binary under test: `SWARMTOP_BIN` runs the same cases against another build.
pub fn bin() -> String {
    std::env::var("SWARMTOP_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_swarmtop").to_string())
}

/// Runs the binary with `config` (TOML text) as its whole configuration.
pub fn swarmtop(args: &[&str], config: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("swarmtop")).unwrap();
    std::fs::write(dir.path().join("swarmtop/config.toml"), config).unwrap();
    Command::new(bin())
        .args(args)
        .env("XDG_CONFIG_HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("run swarmtop")
}

/// Samples until `ready` holds of the forest.
pub fn forest_when(what: &str, mut ready: impl FnMut(&Forest) -> bool) -> Forest {
    let mut sampler = live_sampler();
    wait_for(what, WAIT, || {
        let f = sample_forest(&mut sampler);
        ready(&f).then_some(f)
    })
}

pub fn pid_of(forest: &Forest, label: &str) -> u32 {
    find_label(forest, label).unwrap_or_else(|| panic!("{label} not on the box")).process.pid()
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    })
}

/// The sentinel received nothing, is alive and is not stopped.
pub fn untouched(s: &Sentinel, pid: u32) {
    assert_eq!(s.received(), Vec::<String>::new(), "{} was signalled", s.label);
    assert!(alive(pid), "{} was killed", s.label);
    assert_ne!(state(pid), Some('T'), "{} was left stopped", s.label);
}
