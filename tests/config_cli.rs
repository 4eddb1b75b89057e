//! Hostile config files through the real binary: every one is a clear message on
//! stderr and exit 2, quickly, never a panic or a hang.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use swarmtop::kill::sessions;

const DEADLINE: Duration = Duration::from_secs(20);

/// A swarmtop child in a session of its own, killed by its session id on drop.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            sessions::kill_sessions(&[self.0.id()], Duration::from_secs(5));
        }
        let _ = self.0.wait();
    }
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
}

/// Runs swarmtop with `args` and XDG_CONFIG_HOME at `xdg`; fails (and kills it) if it
/// has not exited by the deadline.
fn swarmtop(xdg: &Path, args: &[&str]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let err_path = dir.path().join("stderr");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_swarmtop"));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", xdg)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap());
    sessions::in_new_session(&mut cmd);
    let mut child = Guard(cmd.spawn().expect("spawn swarmtop"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < DEADLINE, "swarmtop {args:?} still running after {DEADLINE:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Outcome { code: status.code(), stderr }
}

/// `<tmp>/swarmtop/config.toml`, the default path under XDG_CONFIG_HOME=<tmp>.
fn default_config(xdg: &Path) -> PathBuf {
    let dir = xdg.join("swarmtop");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("config.toml")
}

fn rejects(contents: &[u8], expected: &str) {
    let xdg = tempfile::tempdir().unwrap();
    let cfg = default_config(xdg.path());
    std::fs::write(&cfg, contents).unwrap();
    let out = swarmtop(xdg.path(), &["list"]);
    let expected = format!("swarmtop: {}{expected}", cfg.display());
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.starts_with(&expected), "expected {expected:?}, got {:?}", out.stderr);
}

#[test]
fn type_errors_name_line_column_and_key() {
    rejects(
        b"theme = \"mono\"\n[kill]\ngrace_secs = \"5\"\n",
        ":3:14: kill.grace_secs: invalid type: string",
    );
    rejects(
        b"[keys]\nquit = [\"q\", 3]\n",
        ":2:14: keys.quit[1]: invalid type: integer `3`, expected a string",
    );
    rejects(b"refresh_ms = 1000\nrefersh = 2\n", ":2:1: refersh: unknown field `refersh`");
}

#[test]
fn numbers_that_become_durations_are_bounded() {
    rejects(
        b"[kill]\ngrace_secs = 9223372036854775807\n",
        ":2:1: kill.grace_secs: 9223372036854775807 s is more than 86400",
    );
    rejects(b"refresh_ms = 99\n", ":1:1: refresh_ms: 99 ms is outside 100..=3600000");
    let xdg = tempfile::tempdir().unwrap();
    let out = swarmtop(xdg.path(), &["--refresh", "0", "list"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("--refresh: 0 ms is outside"), "{}", out.stderr);
}

#[test]
fn list_rejects_a_bad_keys_table() {
    rejects(b"[keys]\nfly = [\"f\"]\n", ":2:1: keys.fly: unknown command");
    rejects(b"[keys]\nquit = []\n", ":2:1: keys.quit: quit needs at least one key");
    rejects(b"[keys]\nup = [\"hyper-x\"]\n", ":2:7: keys.up[0]: cannot parse key \"hyper-x\"");
    rejects(b"[keys]\n\ndown = [\"q\"]\n", ":3:1: keys.down: key \"q\" is bound to both down and quit");
}

#[test]
fn bytes_that_are_not_utf8_are_placed() {
    rejects(b"theme = \"mono\"\n# caf\xe9\n", ":2:6: not valid UTF-8");
}

#[test]
fn a_fifo_config_is_refused_at_once_at_either_path() {
    let xdg = tempfile::tempdir().unwrap();
    let cfg = default_config(xdg.path());
    rustix::fs::mkfifoat(rustix::fs::CWD, &cfg, rustix::fs::Mode::from_raw_mode(0o600)).unwrap();
    let expected = format!("swarmtop: {}: is a FIFO, not a regular file", cfg.display());
    let out = swarmtop(xdg.path(), &["list"]);
    assert_eq!((out.code, out.stderr.trim()), (Some(2), expected.as_str()));
    let elsewhere = tempfile::tempdir().unwrap();
    let out = swarmtop(elsewhere.path(), &["--config", cfg.to_str().unwrap(), "list"]);
    assert_eq!((out.code, out.stderr.trim()), (Some(2), expected.as_str()));
}

#[test]
fn devices_and_huge_files_are_refused_without_reading_them() {
    let xdg = tempfile::tempdir().unwrap();
    let cfg = default_config(xdg.path());
    std::os::unix::fs::symlink("/dev/zero", &cfg).unwrap();
    let out = swarmtop(xdg.path(), &["list"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("is a character device, not a regular file"), "{}", out.stderr);
    std::fs::remove_file(&cfg).unwrap();
    std::fs::File::create(&cfg).unwrap().set_len(1 << 40).unwrap(); // sparse
    let out = swarmtop(xdg.path(), &["list"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("is larger than 1048576 bytes"), "{}", out.stderr);
    let out = swarmtop(xdg.path(), &["--config", xdg.path().to_str().unwrap(), "list"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("is a directory, not a regular file"), "{}", out.stderr);
}
