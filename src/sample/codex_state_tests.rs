use super::*;
use rusqlite::Connection;

/// `threads` exactly as @openai/codex 0.171.0 (npm, run here) creates it in `state_5.sqlite`
/// (the foreign keys to its other tables left out).
const THREADS: &str = "CREATE TABLE threads (
    id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    source TEXT NOT NULL, model_provider TEXT NOT NULL, cwd TEXT NOT NULL, title TEXT NOT NULL,
    sandbox_policy TEXT NOT NULL, approval_mode TEXT NOT NULL, tokens_used INTEGER NOT NULL DEFAULT 0,
    has_user_event INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0, archived_at INTEGER,
    git_sha TEXT, git_branch TEXT, git_origin_url TEXT, cli_version TEXT NOT NULL DEFAULT '',
    first_user_message TEXT NOT NULL DEFAULT '', agent_nickname TEXT, agent_role TEXT,
    memory_mode TEXT NOT NULL DEFAULT 'enabled', model TEXT, reasoning_effort TEXT, agent_path TEXT,
    created_at_ms INTEGER, updated_at_ms INTEGER, thread_source TEXT, preview TEXT NOT NULL DEFAULT '',
    recency_at INTEGER NOT NULL DEFAULT 0, recency_at_ms INTEGER NOT NULL DEFAULT 0,
    history_mode TEXT NOT NULL DEFAULT 'legacy', name TEXT, is_pinned INTEGER NOT NULL DEFAULT 0);";

fn thread(id: &str, cwd: &str, title: &str, name: Option<&str>) -> String {
    let name = name.map_or("NULL".to_string(), |n| format!("'{n}'"));
    format!(
        "INSERT INTO threads (id, rollout_path, created_at, updated_at, source, model_provider, cwd, title,
           sandbox_policy, approval_mode, git_branch, name)
         VALUES ('{id}', '/r', 1, 1, 'cli', 'openai', '{cwd}', '{title}', 'workspace-write', 'on-request', NULL, {name});"
    )
}

/// `daemon.pid` as 0.171.0 wrote it here (its `executableIdentity` digests shortened).
fn daemon_pid(boot: &str) -> String {
    format!(
        r#"{{"pid":22777,"processStartTime":"Wed Dec  2 10:23:42 2026","processIdentity":{{"bootId":"{boot}","startTicks":57587}},"executableIdentity":{{"digest":[166,161],"path_digest":[43,252]}}}}"#
    )
}

#[test]
fn threads_come_from_the_sqlite_home_the_config_or_environment_names() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("codex-home");
    let elsewhere = tmp.path().join("sqlite-elsewhere");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let make = |dir: &Path, id: &str| {
        Connection::open(dir.join("state_5.sqlite"))
            .unwrap()
            .execute_batch(&format!("{THREADS}{}", thread(id, "/wt/app", "fix the build", Some("Build fix"))))
            .unwrap();
    };
    make(&home, "in-home");
    make(&elsewhere, "in-env");
    let mut warnings = Vec::new();
    let ids = |s: &mut CodexState, w: &mut Vec<String>| {
        s.refresh(w).threads.iter().map(|t| t.id.clone()).collect::<Vec<_>>()
    };
    let mut state = CodexState::new(Place::of(home.clone()), None);
    assert_eq!(ids(&mut state, &mut warnings), ["in-home"]);
    let mut state = CodexState::new(Place::of(home.clone()), Some(elsewhere.clone()));
    assert_eq!(ids(&mut state, &mut warnings), ["in-env"], "CODEX_SQLITE_HOME beats CODEX_HOME");
    std::fs::write(home.join("config.toml"), "model = \"o3\"\nsqlite_home = \"../sqlite-elsewhere\"\n")
        .unwrap();
    let mut state = CodexState::new(Place::of(home.clone()), None);
    let parts = state.refresh(&mut warnings);
    assert_eq!(parts.threads[0].id, "in-env", "the config key beats both");
    assert_eq!(parts.threads[0].title.as_deref(), Some("Build fix"), "name beats title");
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn pid_files_of_both_shapes_name_the_daemon_and_bad_ones_are_told() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app-server-daemon");
    std::fs::create_dir_all(&dir).unwrap();
    let boot = boot_id().unwrap_or("no-boot-id");
    std::fs::write(dir.join("daemon.pid"), daemon_pid(boot)).unwrap();
    // `PidRecord` of pid.rs (06e41b3), serialised with serde_json.
    std::fs::write(
        dir.join("app-server.pid"),
        r#"{"pid":31337,"processStartTime":"Wed Dec  2 10:23:42 2026"}"#,
    )
    .unwrap();
    std::fs::write(dir.join("daemon-updater.pid"), "").unwrap();
    std::fs::write(dir.join("app-server-updater.pid"), r#"{"pid":"x"}"#).unwrap();
    let mut state = CodexState::new(Place::of(tmp.path().to_path_buf()), None);
    let mut warnings = Vec::new();
    let parts = state.refresh(&mut warnings);
    let records: Vec<ServiceRecord> = parts.services.iter().flat_map(|s| s.iter().cloned()).collect();
    assert_eq!(records.len(), 2, "{records:?}");
    assert!(records.iter().any(|r| r.pid == 22777 && r.start == RecordedStart::Ticks(57587)));
    assert!(records.iter().any(|r| r.pid == 31337 && r.start == RecordedStart::LocalTime("Wed Dec  2 10:23:42 2026".into())));
    assert_eq!(warnings.len(), 1, "the empty file is a start in progress; the bad one is told: {warnings:?}");
    assert!(warnings[0].contains("app-server-updater.pid"));
    std::fs::write(dir.join("daemon.pid"), daemon_pid("another-boot")).unwrap();
    let later = std::fs::File::options().write(true).open(dir.join("daemon.pid")).unwrap();
    later.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5)).unwrap();
    let parts = state.refresh(&mut warnings);
    assert!(
        parts.services.iter().all(|s| s.iter().all(|r| r.pid != 22777)),
        "a record of an earlier boot names nothing"
    );
}
