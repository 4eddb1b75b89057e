//! Files any local user can plant where swarmtop looks (worktrees, state files,
//! databases) cannot hang it, blow up its memory or make it trust strangers.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use swarmtop::sample::WorktreeProbe;
use swarmtop::sample::claude_sessions;
use swarmtop::sample::codex_state::CodexState;
use swarmtop::sample::keyed::Place;
use swarmtop::sample::orchestrators::Orchestrators;
use swarmtop::sample::registry::Registry;

const DEADLINE: Duration = Duration::from_secs(10);

/// Puts something hostile at a path.
type Plant = fn(&Path);

/// `f` on a thread of its own; a regression that hangs fails here instead of hanging.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(DEADLINE).unwrap_or_else(|_| panic!("{what} did not finish within {DEADLINE:?}"))
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let mode = rustix::fs::Mode::from_raw_mode(0o600);
    rustix::fs::mknodat(rustix::fs::CWD, path, rustix::fs::FileType::Fifo, mode, 0).unwrap();
}

fn to_dev_zero(path: &Path) {
    let _ = std::fs::remove_file(path);
    std::os::unix::fs::symlink("/dev/zero", path).unwrap();
}

fn probe(dir: &Path) -> (Vec<swarmtop::model::Worktree>, Vec<String>) {
    let dir = dir.to_path_buf();
    within(&format!("probing {}", dir.display()), move || {
        let mut p = WorktreeProbe::new();
        let found = p.probe(std::iter::once(dir.as_path()));
        (found, p.take_warnings())
    })
}

fn reported(warnings: &[String], file: &str, why: &str) -> bool {
    warnings.iter().any(|w| w.contains(file) && w.contains(why))
}

#[test]
fn a_fifo_or_dev_zero_as_dot_git_is_refused_and_reported_once() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, plant, why) in
        [("fifo", mkfifo as fn(&Path), "FIFO"), ("zero", to_dev_zero as fn(&Path), "character device")]
    {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        plant(&dir.join(".git"));
        let (found, warnings) = probe(&dir);
        assert!(found.is_empty());
        assert!(reported(&warnings, ".git", why), "{warnings:?}");
        let mut p = WorktreeProbe::new();
        p.probe(std::iter::once(dir.as_path()));
        p.probe(std::iter::once(dir.as_path()));
        assert_eq!(p.take_warnings().len(), 1, "reported once");
    }
}

#[test]
fn a_fifo_dev_zero_or_huge_head_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, Plant, &str); 3] = [
        ("fifo", mkfifo, "FIFO"),
        ("zero", to_dev_zero, "character device"),
        ("huge", |p| std::fs::File::create(p).unwrap().set_len(1 << 30).unwrap(), "larger than"),
    ];
    for (name, plant, why) in cases {
        let r = repo(tmp.path(), name);
        plant(&r.join(".git/HEAD"));
        let started = Instant::now();
        let (found, warnings) = probe(&r);
        assert!(started.elapsed() < Duration::from_secs(2), "{name}: {:?}", started.elapsed());
        assert!(found.is_empty(), "{name}: {found:?}");
        assert!(reported(&warnings, "HEAD", why), "{name}: {warnings:?}");
    }
}

#[test]
fn a_fifo_as_commondir_falls_back_to_the_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "common");
    let wt = worktree(&r, &tmp.path().join("wt-common"), "feature");
    mkfifo(&r.join(".git/worktrees/wt-common/commondir"));
    let (found, warnings) = probe(&wt);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].project_path, r);
    assert_eq!(found[0].branch.as_deref(), Some("feature"));
    assert!(reported(&warnings, "commondir", "FIFO"), "{warnings:?}");
}

#[test]
fn a_branch_that_is_not_utf8_keeps_its_worktree() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), "latin1");
    std::fs::write(r.join(".git/HEAD"), b"ref: refs/heads/caf\xe9\n").unwrap();
    let (found, warnings) = probe(&r);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].branch.as_deref(), Some("caf\\xe9"));
}

/// Plants `plant` as every state file swarmtop reads under `home`.
fn plant_state_files(home: &Path, registry: &Path, plant: Plant) -> Vec<PathBuf> {
    let files = [
        registry.join("1-2.json"),
        home.join(".claude/sessions/42.json"),
        home.join(".kild/sessions/abc/kild.json"),
        home.join(".shards/sessions/s.json"),
        home.join(".sk/kit/active-bun-pids.json"),
        home.join(".claude-squad/state.json"),
    ];
    for f in &files {
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        plant(f);
    }
    files.to_vec()
}

/// The warnings of one read of every state file reader.
fn read_state(home: &Path, registry: &Path) -> Vec<String> {
    let (home, registry) = (home.to_path_buf(), registry.to_path_buf());
    within("reading the state files", move || {
        let mut warnings = Registry::new(Some(registry)).refresh().1;
        warnings.extend(claude_sessions::read_dir(&home.join(".claude/sessions")).1);
        warnings.extend(Orchestrators::new(Some(home)).refresh().1);
        warnings
    })
}

#[test]
fn state_files_that_are_fifos_symlinks_or_not_utf8_are_skipped_and_reported() {
    let cases: [(Plant, &str); 3] = [
        (mkfifo, "FIFO"),
        (to_dev_zero, "symbolic link"),
        (|p| std::fs::write(p, b"{\"pid\": \"\xff\"}").unwrap(), "not UTF-8"),
    ];
    for (plant, why) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let registry = tmp.path().join("state/swarmtop/registry");
        let files = plant_state_files(tmp.path(), &registry, plant);
        let warnings = read_state(tmp.path(), &registry);
        for f in &files {
            let name = f.file_name().unwrap().to_str().unwrap();
            assert!(reported(&warnings, name, why), "{why}: {name} in {warnings:?}");
        }
    }
}

#[test]
fn a_huge_state_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join(".sk/kit/active-bun-pids.json");
    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
    std::fs::File::create(&f).unwrap().set_len(1 << 30).unwrap();
    let home = tmp.path().to_path_buf();
    let warnings = within("the huge file", move || Orchestrators::new(Some(home)).refresh().1);
    assert!(reported(&warnings, "active-bun-pids.json", "larger than"), "{warnings:?}");
}

fn codex_db(home: &Path, schema: &str) {
    std::fs::create_dir_all(home.join(".codex")).unwrap();
    let c = rusqlite::Connection::open(home.join(".codex/state_5.sqlite")).unwrap();
    c.execute_batch(schema).unwrap();
}

#[test]
fn an_endless_huge_or_forever_computing_threads_view_falls_back_reported_once() {
    let endless = "CREATE VIEW threads AS WITH RECURSIVE r(id, cwd, git_branch) AS \
                   (SELECT 'x', '/w', 'b' UNION ALL SELECT id, cwd, git_branch FROM r) SELECT * FROM r;";
    let forever = "CREATE VIEW threads AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) \
                   SELECT 'x' AS id, '/w' AS cwd, 'b' AS git_branch FROM r WHERE n < 0;";
    let huge = "CREATE VIEW threads AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r LIMIT 80) \
                SELECT 'x' || n AS id, CAST(zeroblob(1000000) AS TEXT) AS cwd, 'b' AS git_branch FROM r;";
    for (schema, why) in [(endless, "rows"), (forever, "interrupted"), (huge, "bytes of text")] {
        let tmp = tempfile::tempdir().unwrap();
        codex_db(tmp.path(), schema);
        let home = tmp.path().to_path_buf();
        let (threads, warnings, first, again) = within("reading the view", move || {
            let mut state = CodexState::new(Place::of(home.join(".codex")), None);
            let mut warnings = Vec::new();
            // CPU time of this thread, not wall time: a loaded box may pause it anywhere.
            let cpu = || rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
            let busy = |from: rustix::time::Timespec| {
                let now = cpu();
                Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
                    .saturating_sub(Duration::new(from.tv_sec as u64, from.tv_nsec as u32))
            };
            let started = cpu();
            let threads = state.refresh(&mut warnings).threads;
            let first = busy(started);
            let started = cpu();
            state.refresh(&mut warnings);
            (threads, warnings, first, busy(started))
        });
        assert!(threads.is_empty(), "{why}: {} threads", threads.len());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        // On a loaded box the endless and the huge view may also reach the deadline first:
        // either way the database falls back, reported once.
        let reason = warnings[0].contains(why) || warnings[0].contains("interrupted");
        assert!(warnings[0].contains("state_5.sqlite") && reason, "{why}: {warnings:?}");
        assert!(
            again < Duration::from_millis(5) && again * 10 < first.max(Duration::from_millis(1)),
            "an unchanged bad database is not read again: {again:?} of CPU (the read took {first:?})"
        );
    }
}

/// `swarmtop list --json --all` under `home`, with a deadline; (stdout, stderr).
fn list_under(home: &Path, filter: &Path) -> (Value, String) {
    let out = home.join("list.out");
    let err = home.join("list.err");
    let child = Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(["list", "--json", "--all", "--filter", filter.to_str().unwrap()])
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let mut child = Killed(Some(child));
    let status = wait_for("swarmtop list", DEADLINE, || child.0.as_mut()?.try_wait().unwrap());
    child.0 = None;
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert!(status.success(), "{stderr}");
    (serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("JSON"), stderr)
}

impl Drop for Killed {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A `list` child killed by its pid if it outlives the test.
struct Killed(Option<std::process::Child>);

#[test]
fn list_finishes_with_fifos_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    plant_state_files(home, &home.join("state/swarmtop/registry"), mkfifo);
    let work = home.join("work");
    std::fs::create_dir(&work).unwrap();
    mkfifo(&work.join(".git"));
    let mut procs = Sessions::default();
    let name = label("fifos", "sleeper");
    procs.spawn(&name, &work, "sleep 600 & wait");
    let (doc, stderr) = list_under(home, &work);
    assert!(doc["unassigned"].to_string().contains(&name), "{doc}");
    assert!(stderr.contains(".git") && stderr.contains("FIFO"), "{stderr}");
}

/// The project holding the process with `pid`, if any.
fn project_of(doc: &Value, pid: u32) -> Option<String> {
    doc["projects"].as_array()?.iter().find_map(|p| {
        p.to_string().contains(&format!("\"pid\":{pid},")).then(|| p["id"].as_str().unwrap_or("").to_string())
    })
}

#[test]
fn records_with_only_a_pid_place_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let r = repo(tmp.path(), "mine");
    let mut procs = Sessions::default();
    let pid = procs.spawn(&label("pidonly", "sleeper"), &r, "exec sleep 600");
    std::fs::create_dir_all(home.join(".sk/kit")).unwrap();
    std::fs::write(
        home.join(".sk/kit/active-bun-pids.json"),
        format!(r#"[{{"pid": {pid}, "script_path": "/k/scripts/steal.ts"}}]"#),
    )
    .unwrap();
    std::fs::create_dir_all(home.join(".kild/sessions/x")).unwrap();
    std::fs::write(
        home.join(".kild/sessions/x/kild.json"),
        format!(
            r#"{{"project_id":"thief","branch":"kild/steal","worktree_path":"/nonexistent/steal","status":"Active","process_id":{pid}}}"#
        ),
    )
    .unwrap();
    let (doc, stderr) = list_under(&home, tmp.path());
    assert_eq!(project_of(&doc, pid).as_deref(), Some("project:mine"), "{doc}");
    assert!(stderr.contains("active-bun-pids.json") && stderr.contains("no start time"), "{stderr}");
    assert!(stderr.contains("kild.json") && stderr.contains("no start time"), "{stderr}");
}

fn touch_later(path: &Path, secs: u64) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(secs)).unwrap();
}

#[test]
fn a_bad_state_file_is_reported_once_while_others_change() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path();
    let sessions = h.join(".claude/sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    mkfifo(&sessions.join("1.json"));
    std::fs::write(sessions.join("2.json"), r#"{"pid":2,"sessionId":"s","procStart":"5"}"#).unwrap();
    std::fs::create_dir_all(h.join(".sk/kit")).unwrap();
    mkfifo(&h.join(".sk/kit/active-bun-pids.json"));
    std::fs::create_dir_all(h.join(".kild/sessions/a")).unwrap();
    let kild = h.join(".kild/sessions/a/kild.json");
    std::fs::write(&kild, r#"{"project_id":"p","branch":"b","worktree_path":"/w","status":"Stopped"}"#)
        .unwrap();
    let home = h.to_path_buf();
    let (first, second) = within("the state files", move || {
        let mut claude = swarmtop::sample::claude_sessions::ClaudeSessions::from_home(Some(&home));
        let mut orchestrators = Orchestrators::new(Some(home.clone()));
        let mut first = claude.refresh().1;
        first.extend(orchestrators.refresh().1);
        touch_later(&home.join(".claude/sessions/2.json"), 5);
        touch_later(&home.join(".kild/sessions/a/kild.json"), 5);
        let mut second = claude.refresh().1;
        second.extend(orchestrators.refresh().1);
        (first, second)
    });
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(second.is_empty(), "told again: {second:?}");
}

#[test]
fn refreshes_of_unchanged_state_hand_out_the_same_rows() {
    use swarmtop::model::Shared;
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path();
    let me = std::process::id();
    let start = swarmtop::sample::registry::start_ticks(me).unwrap();
    let file = swarmtop::sample::registry::RegistryFile {
        pid: me,
        start_time: start,
        project: "p".into(),
        task: "t".into(),
        attempt: "a".into(),
        cwd: "/w".into(),
        command: vec!["x".into()],
        child: None,
    };
    swarmtop::sample::registry::write(&h.join("registry"), &file).unwrap();
    std::fs::create_dir_all(h.join(".claude/sessions")).unwrap();
    std::fs::write(h.join(".claude/sessions/2.json"), r#"{"pid":2,"sessionId":"s"}"#).unwrap();
    std::fs::create_dir_all(h.join(".sk/kit")).unwrap();
    std::fs::write(
        h.join(".sk/kit/active-bun-pids.json"),
        r#"[{"pid":7,"script_path":"/a.ts","started_at":5}]"#,
    )
    .unwrap();
    codex_db(
        h,
        "CREATE TABLE threads (id TEXT, cwd TEXT, git_branch TEXT); INSERT INTO threads VALUES ('t', '/w', 'b');",
    );
    let mut registry = Registry::new(Some(h.join("registry")));
    let mut claude = claude_sessions::ClaudeSessions::from_home(Some(h));
    let mut orchestrators = Orchestrators::new(Some(h.to_path_buf()));
    let mut db = CodexState::new(Place::of(h.join(".codex")), None);
    let mut warnings = Vec::new();
    let first =
        (registry.refresh().0, claude.refresh().0, orchestrators.refresh().0, db.refresh(&mut warnings));
    let second =
        (registry.refresh().0, claude.refresh().0, orchestrators.refresh().0, db.refresh(&mut warnings));
    assert_eq!((first.0.len(), first.1.len(), first.2.sessions.len(), first.3.threads.len()), (1, 1, 1, 1));
    assert!(Shared::ptr_eq(&first.0, &second.0), "registry");
    assert!(Shared::ptr_eq(&first.1, &second.1), "claude sessions");
    assert!(Shared::ptr_eq(&first.2.sessions, &second.2.sessions), "orchestrator sessions");
    assert!(Shared::ptr_eq(&first.3.threads, &second.3.threads), "codex threads");
    assert!(warnings.is_empty(), "{warnings:?}");
    touch_later(&h.join(".claude/sessions/2.json"), 5);
    assert!(!Shared::ptr_eq(&first.1, &claude.refresh().0), "a touched file is read again");
}

#[test]
fn a_bad_registry_file_is_told_again_only_when_it_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("1-2.json");
    std::fs::write(&bad, "{not json").unwrap();
    let mut registry = Registry::new(Some(tmp.path().to_path_buf()));
    assert!(reported(&registry.refresh().1, "1-2.json", "skipped"));
    assert!(registry.refresh().1.is_empty(), "the same content is told once");
    std::fs::write(&bad, "{still not json").unwrap();
    touch_later(&bad, 5);
    assert!(reported(&registry.refresh().1, "1-2.json", "skipped"), "a changed file that is still bad");
}
