//! Honest memory and I/O of real processes, through the built binary: PSS counts a
//! page two processes share once where RSS counts it twice, what was not measured is
//! null (never 0), and another user's processes are unknown (`-`, null), never 0.
//! Every process runs in a session of its own.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::sentinel;
use common::*;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);
const MIB: u64 = 1 << 20;
/// The mapping the two processes share.
const SHARED_MIB: u64 = 64;

/// Maps `SHARED_MIB` of shared anonymous memory, forks, and has both processes touch
/// every page (fork does not copy the page tables of a shared mapping), then sleep.
const SHARING: &str = r#"
import mmap, os, sys, time
size = int(sys.argv[2]) << 20
m = mmap.mmap(-1, size, flags=mmap.MAP_SHARED)
for off in range(0, size, 4096):
    m[off] = 1
os.fork()
total = 0
for off in range(0, size, 4096):
    total += m[off]
open(sys.argv[1] + "." + str(os.getpid()), "w").close()
while True:
    time.sleep(3600)
"#;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_swarmtop")
}

fn skip_without_python() -> bool {
    if sentinel::available() {
        return false;
    }
    println!("SKIPPED: the sharing processes need python3");
    true
}

/// Starts the two sharing processes with `launcher` (`exec -a NAME`, or a `swarmtop
/// run … --`), files in `tmp`; waits until both touched every page. They are found by
/// their script, `sharing_script(tmp)`.
fn start_sharing(procs: &mut Sessions, dir: &Path, tmp: &Path, launcher: &str) {
    let script = sharing_script(tmp);
    std::fs::write(&script, SHARING).unwrap();
    let python = sentinel::python().expect("python3");
    let ready = tmp.join("ready");
    let command = format!("{launcher} {python} {} {} {SHARED_MIB}", script.display(), ready.display());
    procs.spawn(&label("sharing", "leader"), dir, &command);
    wait_for("both sharing processes ready", WAIT, || {
        let files = std::fs::read_dir(tmp).ok()?.filter_map(Result::ok);
        let ready = files.filter(|e| e.file_name().to_string_lossy().starts_with("ready.")).count();
        (ready == 2).then_some(())
    });
}

fn sharing_script(tmp: &Path) -> std::path::PathBuf {
    tmp.join("sharing.py")
}

/// The two sharing processes of a `list --json` document.
fn sharers(doc: &Value, tmp: &Path) -> Vec<Value> {
    let script = sharing_script(tmp);
    let script = script.to_str().unwrap();
    // The script is python's first argument (a `swarmtop run … --` above it has it later).
    named(doc, |p| p["cmd"][1] == script)
}

/// Every process object of a `list --json` document that `matches`.
fn named(doc: &Value, matches: impl Fn(&Value) -> bool) -> Vec<Value> {
    json_processes(doc).into_iter().map(|(_, p)| p).filter(|p| matches(p)).collect()
}

/// The attempt of a `list --json` document at `path` (the filter also keeps the
/// attempt of whatever runs the test: swarmtop's own argv holds the filter).
fn attempt_at(doc: &Value, path: &Path) -> Value {
    let projects = doc["projects"].as_array().into_iter().flatten();
    let tasks = projects.flat_map(|p| p["tasks"].as_array().into_iter().flatten());
    let mut attempts = tasks.flat_map(|t| t["attempts"].as_array().into_iter().flatten());
    let path = path.to_str().unwrap();
    attempts.find(|a| a["path"] == path).cloned().unwrap_or_else(|| panic!("no attempt at {path}: {doc}"))
}

fn u64_of(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn pss_of_two_processes_sharing_a_mapping_sums_below_their_rss() {
    if skip_without_python() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("memshare{}", std::process::id()));
    let wt = worktree(&r, &tmp.path().join("wt/5a5a-share"), "vk/5a5a-share");
    let mut procs = Sessions::default();
    start_sharing(&mut procs, &wt, tmp.path(), &format!("exec -a {}", label("pss", "sharer")));
    let root = tmp.path().to_str().unwrap();

    let (doc, both) = wait_for("both processes measured", WAIT, || {
        let doc = json_of(&swarmtop(&["list", "--json", "--memory", "pss", "--filter", root]));
        let both = sharers(&doc, tmp.path());
        (both.len() == 2 && both.iter().all(|p| p["pss_bytes"].is_u64())).then_some((doc, both))
    });
    let rss: u64 = both.iter().map(|p| u64_of(&p["memory_bytes"])).sum();
    let pss: u64 = both.iter().map(|p| u64_of(&p["pss_bytes"])).sum();
    for p in &both {
        assert!(u64_of(&p["memory_bytes"]) >= SHARED_MIB * MIB, "each maps all of it: {p}");
        assert!(p["swap_bytes"].is_u64(), "swap is measured with PSS: {p}");
    }
    // Each RSS counts the shared mapping whole; their PSS share it once between them.
    assert!(
        pss + SHARED_MIB * MIB * 3 / 4 < rss,
        "PSS {} MiB is not below RSS {} MiB by about the shared {SHARED_MIB} MiB",
        pss / MIB,
        rss / MIB
    );
    let attempt = &attempt_at(&doc, &wt);
    assert_eq!(u64_of(&attempt["pss_bytes"]), pss, "the attempt sums its processes' PSS: {attempt}");
    assert!(u64_of(&attempt["pss_bytes"]) < u64_of(&attempt["memory_bytes"]));

    // rss mode measures no PSS: null, never 0.
    let doc = json_of(&swarmtop(&["list", "--json", "--filter", root]));
    for p in sharers(&doc, tmp.path()) {
        assert_eq!((&p["pss_bytes"], &p["swap_bytes"]), (&Value::Null, &Value::Null), "{p}");
    }
    assert_eq!(attempt_at(&doc, &wt)["pss_bytes"], Value::Null);

    // The text says which it counts; every process here was measured, so nothing is marked.
    let out = swarmtop(&["list", "--memory", "pss", "--filter", root]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().nth(1).is_some_and(|l| l.contains(" PSS ")), "{text}");
    let rows: Vec<&str> = text.lines().filter(|l| l.contains("sharing.py")).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert!(rows.iter().all(|l| !l.contains('*') && !l.contains(" - ")), "{text}");
}

#[test]
fn io_rates_are_measured_when_asked_and_null_otherwise() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("memio{}", std::process::id()));
    let wt = worktree(&r, &tmp.path().join("wt/6b6b-io"), "vk/6b6b-io");
    let name = label("io", "idle");
    let mut procs = Sessions::default();
    procs.spawn(&name, &wt, "sleep 600 & wait");
    let root = tmp.path().to_str().unwrap();
    let is_it = |p: &Value| p["cmd"][0] == name.as_str();
    let p = wait_for("the process with its rates", WAIT, || {
        let doc = json_of(&swarmtop(&["list", "--json", "--io", "--filter", root]));
        named(&doc, is_it).into_iter().find(|p| p["read_bytes_per_sec"].is_u64())
    });
    assert_eq!(
        (u64_of(&p["read_bytes_per_sec"]), u64_of(&p["write_bytes_per_sec"])),
        (0, 0),
        "it waits: {p}"
    );
    let doc = json_of(&swarmtop(&["list", "--json", "--filter", root]));
    let p = named(&doc, is_it).pop().expect("listed");
    assert_eq!(p["read_bytes_per_sec"], Value::Null, "not asked: not measured, never 0: {p}");
    let out = swarmtop(&["list", "--io", "--filter", root]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().nth(1).is_some_and(|l| l.contains("IO R/W")), "{text}");
    assert!(text.lines().any(|l| l.contains(&name) && l.contains("0/0")), "{text}");
}

fn run_as_nobody(args: &[&str], state: &Path) -> Output {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", bin()])
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .env("XDG_STATE_HOME", state)
        .env("HOME", "/nonexistent")
        .stdin(Stdio::null())
        .output()
        .expect("run setpriv")
}

/// Another user's processes, placed in an attempt (by a `swarmtop run` registry entry
/// both can read): their memory and I/O cannot be read, so they are unknown — null in
/// JSON, `-` in text — never 0; root reads them all.
#[test]
fn another_users_memory_and_io_are_unknown_never_zero() {
    if skip_without_python() {
        return;
    }
    if !rustix::process::geteuid().is_root() || Command::new("setpriv").arg("--version").output().is_err() {
        println!("SKIPPED: needs root and setpriv to look at root's processes as another user");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (state, work) = (tmp.path().join("state"), tmp.path().join("work"));
    std::fs::create_dir_all(&work).unwrap();
    let project = format!("memother{}", std::process::id());
    let mut procs = Sessions::default();
    let launcher = format!(
        "export XDG_STATE_HOME={}; exec {} run --project {project} --task t --attempt a1 --cwd {} --",
        state.display(),
        bin(),
        work.display()
    );
    start_sharing(&mut procs, &work, &work, &launcher);
    // The other user may read the registry entry (root's own is private to root).
    for dir in [tmp.path(), state.as_path(), &state.join("swarmtop"), &state.join("swarmtop/registry")] {
        chmod(dir, 0o755);
    }
    for entry in std::fs::read_dir(state.join("swarmtop/registry")).unwrap() {
        chmod(&entry.unwrap().path(), 0o644);
    }
    let args = ["list", "--json", "--memory", "pss", "--io", "--filter", project.as_str()];
    let as_root = wait_for("root's view with every figure", WAIT, || {
        let doc = json_of(&Command::new(bin()).args(args).env("XDG_STATE_HOME", &state).output().unwrap());
        let both = sharers(&doc, &work);
        let all = |key: &str| both.iter().all(|p| p[key].is_u64());
        (both.len() == 2 && all("pss_bytes") && all("read_bytes_per_sec")).then_some(doc)
    });
    assert!(attempt_at(&as_root, &work)["pss_bytes"].is_u64(), "{as_root}");

    let doc = wait_for("nobody's view of the attempt", WAIT, || {
        let doc = json_of(&run_as_nobody(&args, &state));
        (sharers(&doc, &work).len() == 2).then_some(doc)
    });
    for p in sharers(&doc, &work) {
        for key in ["pss_bytes", "swap_bytes", "read_bytes_per_sec", "write_bytes_per_sec"] {
            assert_eq!(p[key], Value::Null, "{key} of another user's process is unknown: {p}");
        }
        assert!(u64_of(&p["memory_bytes"]) > 0, "its RSS (from stat) is known: {p}");
    }
    let attempt = &attempt_at(&doc, &work);
    assert_eq!(
        (&attempt["pss_bytes"], &attempt["read_bytes_per_sec"]),
        (&Value::Null, &Value::Null),
        "{attempt}"
    );
    let out = run_as_nobody(&["list", "--memory", "pss", "--io", "--filter", &project], &state);
    let text = String::from_utf8_lossy(&out.stdout);
    let rows = text.lines().filter(|l| l.contains("sharing.py") && !l.contains("swarmtop run"));
    let rows: Vec<&str> = rows.collect();
    assert_eq!(rows.len(), 2, "{text}");
    for row in rows {
        let cells: Vec<&str> = row.split_whitespace().collect();
        // PID, CPU%, PSS, (PROCS), IO R/W: unknown memory and I/O read `-`.
        assert!(cells.iter().filter(|c| **c == "-").count() >= 2, "{row}\n{text}");
        assert!(!row.contains("0/0"), "never a 0 for what could not be read: {row}");
    }
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
