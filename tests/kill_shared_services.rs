//! Shared agent services change what an attempt kill spares: Codex's managed app-server
//! daemon (recognised by its argv, or confirmed by its pid file) serves every attempt and
//! is never signalled by one; vibe-kanban's per-attempt `codex app-server` (stdio) is that
//! attempt's agent and dies with it (and an attempt's pause stops it, never the daemon). Sentinels stand in for each, at the real argv shapes
//! (openai/codex `app-server-daemon/src/backend/pid.rs` 06e41b3 and @openai/codex 0.171.0;
//! BloopAI/vibe-kanban `crates/executors/src/executors/codex.rs` 4deb7ec).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::sentinel::{self, Sentinel};
use common::*;
use serde_json::Value;
use swarmtop::model::Forest;

const WAIT: Duration = Duration::from_secs(20);

/// A sentinel whose argv is `<argv0> -c <script> <log> <args…>`: python keeps the rest.
fn sentinel_as(argv0: &Path, args: &str, log: &Path) -> (Sentinel, String) {
    let label = argv0.display().to_string();
    let command = format!("{} {args}", Sentinel::command(&label, log));
    (Sentinel { label, log: log.to_path_buf() }, command)
}

fn pid_of(forest: &Forest, s: &Sentinel) -> Option<u32> {
    find_label(forest, &s.label).map(|n| n.process.pid())
}

fn in_shared(forest: &Forest, pid: u32) -> bool {
    let mut found = false;
    forest.shared.iter().for_each(|r| r.walk(&mut |n| found |= n.process.pid() == pid));
    found
}

#[test]
fn an_attempt_kill_spares_the_codex_daemon_and_kills_its_own_app_server() {
    if !sentinel::available() {
        println!("SKIPPED: sentinels need python3");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("svc{}", std::process::id()));
    let wt = worktree(&r, &tmp.path().join("wt-a"), "svc-a");
    let codex_home = tmp.path().join("codex-home");
    std::fs::create_dir_all(codex_home.join("app-server-daemon")).unwrap();
    let bin = |dir: &str| {
        let d = tmp.path().join(dir);
        std::fs::create_dir_all(&d).unwrap();
        d.join("codex")
    };
    let (daemon, daemon_cmd) = sentinel_as(
        &bin("daemon/bin"),
        "app-server --listen unix:// --analytics-default-enabled --managed-daemon",
        &tmp.path().join("daemon.log"),
    );
    let (confirmed, confirmed_cmd) =
        sentinel_as(&bin("pidfile/bin"), "app-server", &tmp.path().join("confirmed.log"));
    let (own, own_cmd) = sentinel_as(&bin("npx/bin"), "app-server", &tmp.path().join("own.log"));
    let agent = label("svc", "agent");
    // The Codex TUI starts its daemon in a session of its own (setsid), in its worktree;
    // vibe-kanban starts the attempt's app-server as a plain child.
    let script = format!(
        "export CODEX_HOME={home}; setsid bash -c {d} & setsid bash -c {c} & bash -c {o} & wait",
        home = codex_home.display(),
        d = shell_quote(&daemon_cmd),
        c = shell_quote(&confirmed_cmd),
        o = shell_quote(&own_cmd),
    );
    let mut procs = Sessions::default();
    procs.spawn(&agent, &wt, &script);
    let mut sampler = live_sampler();
    let ready = |f: &Forest| [&daemon, &confirmed, &own].iter().all(|s| s.ready() && pid_of(f, s).is_some());
    let forest = wait_for("the three app-servers", WAIT, || Some(sample_forest(&mut sampler)).filter(ready));
    let pids: Vec<u32> = [&daemon, &confirmed, &own].iter().map(|s| pid_of(&forest, s).unwrap()).collect();
    // The setsid'd ones left the test's session: kill them by their own sessions too.
    let _guards = [SessionGuard(pids[0]), SessionGuard(pids[1])];
    let ticks = swarmtop::procfs::read_stat(pids[1], &mut Vec::new()).unwrap().start_ticks;
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    // `daemon.pid` as @openai/codex 0.171.0 writes it.
    std::fs::write(
        codex_home.join("app-server-daemon/daemon.pid"),
        format!(
            r#"{{"pid":{},"processStartTime":"x","processIdentity":{{"bootId":"{}","startTicks":{ticks}}}}}"#,
            pids[1],
            boot.trim()
        ),
    )
    .unwrap();
    let forest = wait_for("the pid file's daemon to be shared", WAIT, || {
        let f = sample_forest(&mut sampler);
        (in_shared(&f, pids[0]) && in_shared(&f, pids[1]) && attempt_at(&f, &wt).is_some()).then_some(f)
    });
    assert!(!in_shared(&forest, pids[2]), "vibe-kanban's stdio app-server is no shared service");
    let attempt = attempt_at(&forest, &wt).unwrap();
    assert_eq!(attempt_of(&forest, &own.label).as_deref(), Some(attempt.as_str()));

    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_swarmtop"))
            .args(args)
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        report
    };
    // A pause of the attempt stops its own app-server and never the shared daemons
    // (SIGSTOP cannot be logged: their state says it); its resume continues only it.
    let report = run(&["pause", "--yes", "--json", &attempt]);
    wait_for("the attempt's own app-server paused", WAIT, || (state(pids[2]) == Some('T')).then_some(()));
    for (s, pid) in [(&daemon, pids[0]), (&confirmed, pids[1])] {
        assert_ne!(state(pid), Some('T'), "{} was paused by an attempt's pause: {report}", s.label);
    }
    let report = run(&["resume", "--yes", "--json", &attempt]);
    let resumed: Vec<u64> = report["processes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["outcome"] == "resumed")
        .filter_map(|p| p["pid"].as_u64())
        .collect();
    assert!(resumed.contains(&u64::from(pids[2])), "{report}");
    assert!(!resumed.contains(&u64::from(pids[0])) && !resumed.contains(&u64::from(pids[1])), "{report}");
    wait_for("the attempt's own app-server to run again", WAIT, || {
        (state(pids[2]) != Some('T')).then_some(())
    });

    let report = run(&["kill", "--yes", "--json", "--grace", "2", &attempt]);
    for (s, pid) in [(&daemon, pids[0]), (&confirmed, pids[1])] {
        assert_eq!(s.received(), Vec::<String>::new(), "{} was signalled: {report}", s.label);
        assert!(alive(pid), "{} was killed: {report}", s.label);
        assert_ne!(state(pid), Some('T'), "{} was left stopped", s.label);
    }
    wait_for("the attempt's own app-server to die", WAIT, || (!alive(pids[2])).then_some(()));
    assert!(own.received().iter().any(|s| s == "SIGTERM"), "{report}");
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
