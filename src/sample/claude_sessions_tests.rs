use super::*;

/// `sessions/10842.json` exactly as Claude Code 2.1.197 (npm) wrote it for a `claude --bg`
/// job, run here offline.
const BG_SESSION: &str = r#"{"pid":10842,"sessionId":"f727b954-d8dc-4544-b2b5-178b742901e5","cwd":"/tmp/ccbg/repo","startedAt":1796207353076,"procStart":"90431","version":"2.1.197","peerProtocol":1,"kind":"bg","entrypoint":"cli","name":"say hi","jobId":"f727b954","status":"idle","updatedAt":1796207353320,"statusUpdatedAt":1796207353320}"#;

/// `jobs/f727b954/state.json` of that job (2.1.197), shortened to the fields it has.
const JOB_STATE: &str = r#"{
  "state": "blocked", "detail": "", "tempo": "blocked", "output": null, "children": null,
  "template": "bg", "respawnFlags": [], "providerEnv": {}, "intent": "say hi",
  "sessionId": "f727b954-d8dc-4544-b2b5-178b742901e5",
  "resumeSessionId": "f727b954-d8dc-4544-b2b5-178b742901e5", "daemonShort": "f727b954",
  "cwd": "/tmp/ccbg/repo", "createdAt": "2026-12-02T10:29:11.494Z", "updatedAt": "2026-12-02T10:29:13.298Z",
  "firstTerminalAt": null, "backend": "daemon", "inFlight": {"tasks": 0, "queued": 0, "kinds": []},
  "needs": "login required — run /login"
}"#;

/// `daemon.status.json` and `daemon/roster.json` of that daemon (2.1.197).
const STATUS: &str =
    r#"{"supervisorPid": 10804, "supervisorProcStart": "90373", "writtenAt": 1796207351825, "workers": {}}"#;
const ROSTER: &str = r#"{"proto": 1, "supervisorPid": 10804, "updatedAt": 1796207352888, "workers": {"f727b954": {
  "pid": 10829, "procStart": "90406", "sessionId": "f727b954-d8dc-4544-b2b5-178b742901e5",
  "rendezvousSock": "/tmp/cc-daemon-0/79c8c3a4/rv/f727b954.sock", "ptySock": "/tmp/cc-daemon-0/79c8c3a4/pty/f727b954.sock",
  "cliVersion": "2.1.197", "startedAt": 1796207351865, "attempt": 1, "cwd": "/tmp/ccbg/repo"}}}"#;

#[test]
fn session_files_parse_leniently_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("4242.json"),
        r#"{"pid":4242,"sessionId":"s-1","cwd":"/wt","startedAt":1,"procStart":"98765","version":"2.1.197","kind":"interactive","name":"fix login","status":"busy","tmux":"x:@1.%2"}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("7.json"), r#"{"pid":7,"sessionId":"s-2","procStart":5}"#).unwrap();
    std::fs::write(dir.path().join("8.json"), r#"{"pid":8}"#).unwrap();
    std::fs::write(dir.path().join("9.json"), "{not json").unwrap();
    let (sessions, warnings) = read_dir(dir.path());
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].proc_start, Some(5));
    assert_eq!(sessions[1].proc_start, Some(98765));
    assert_eq!(sessions[1].status.as_deref(), Some("busy"));
    assert_eq!(warnings.len(), 2);
    assert!(warnings.iter().any(|w| w.contains("8.json") && w.contains("sessionId")), "{warnings:?}");
    let mut watched = ClaudeSessions::new(Some(dir.path().to_path_buf()));
    let first = watched.refresh().0;
    assert_eq!(first.len(), 2);
    let (again, told) = watched.refresh();
    assert!(told.is_empty(), "unchanged files are not read again");
    assert!(Shared::ptr_eq(&first, &again), "unchanged files hand out the same rows");
    let busy = r#"{"pid":7,"sessionId":"s-2","procStart":5,"status":"waiting"}"#;
    std::fs::write(dir.path().join("7.json"), busy).unwrap();
    let file = std::fs::File::options().write(true).open(dir.path().join("7.json")).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5)).unwrap();
    let (sessions, _) = watched.refresh();
    assert_eq!(sessions[0].status.as_deref(), Some("waiting"), "a rewritten file is read again");
}

/// Older Claude Code builds wrote `sessions/pid-<n>.json` with a snake_case `session_id`
/// (no `procStart`, so they link nothing, but they are no problem to report).
#[test]
fn legacy_pid_files_parse_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pid-4321.json"), r#"{"session_id":"0b6a-legacy","cwd":"/wt"}"#).unwrap();
    let (sessions, warnings) = read_dir(dir.path());
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        (sessions[0].pid, sessions[0].session_id.as_str(), sessions[0].proc_start),
        (4321, "0b6a-legacy", None)
    );
}

#[test]
fn a_config_dir_gives_sessions_jobs_and_the_daemons_own_records() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("claude-work");
    std::fs::create_dir_all(dir.join("sessions")).unwrap();
    std::fs::create_dir_all(dir.join("jobs/f727b954")).unwrap();
    std::fs::create_dir_all(dir.join("daemon")).unwrap();
    std::fs::write(dir.join("sessions/10842.json"), BG_SESSION).unwrap();
    std::fs::write(dir.join("jobs/f727b954/state.json"), JOB_STATE).unwrap();
    std::fs::write(dir.join("daemon.status.json"), STATUS).unwrap();
    std::fs::write(dir.join("daemon/roster.json"), ROSTER).unwrap();
    let mut claude = ClaudeSessions::in_dir(Some(Place::of(dir.clone())));
    let mut warnings = Vec::new();
    let parts = claude.refresh_all(&mut warnings);
    assert!(warnings.is_empty(), "{warnings:?}");
    let s = &parts.sessions[0];
    assert_eq!((s.pid, s.proc_start, s.job_id.as_deref()), (10842, Some(90431), Some("f727b954")));
    assert_eq!(s.owner, Some(rustix::process::getuid().as_raw()), "rows carry the directory's owner");
    assert_eq!(parts.jobs[0].state.as_deref(), Some("blocked"));
    assert_eq!(parts.jobs[0].id, "f727b954");
    assert_eq!((parts.status[0].pid, &parts.status[0].start), (10804, &RecordedStart::Ticks(90373)));
    assert_eq!((parts.roster[0].pid, &parts.roster[0].start), (10829, &RecordedStart::Ticks(90406)));
    // A roster of a shape it does not know: told once, nothing taken from it.
    std::fs::write(dir.join("daemon/roster.json"), r#"{"workers": [1, 2]}"#).unwrap();
    let parts = claude.refresh_all(&mut warnings);
    let again = claude.refresh_all(&mut warnings);
    assert!(parts.roster.is_empty() && again.roster.is_empty());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("roster.json") && warnings[0].contains("expected a map"), "{warnings:?}");
}

/// `sessions/26845.json` exactly as Claude Code 2.1.197 (npm) wrote it for an interactive
/// claude at its prompt in a tmux pane, run here offline (2026-12-02). Its code sets
/// `statusUpdatedAt` with every `status` it writes, and `waitingFor` ("permission
/// prompt", "worker request", "sandbox request", "dialog open", "input needed") with
/// `waiting`; the status is one of busy, shell, idle, waiting.
const INTERACTIVE_SESSION: &str = r#"{"pid":26845,"sessionId":"824206cd-22ff-4855-94e7-212705e2a34f","cwd":"/tmp/ccrepo","startedAt":1796207174051,"procStart":"72511","version":"2.1.197","peerProtocol":1,"kind":"interactive","entrypoint":"cli","name":"ccrepo-d9","nameSource":"derived","status":"idle","updatedAt":1796207173957,"statusUpdatedAt":1796207173957}"#;

#[test]
fn a_session_says_its_status_since_when_what_it_waits_for_and_its_pane() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("26845.json"), INTERACTIVE_SESSION).unwrap();
    let waiting = INTERACTIVE_SESSION.replace("26845", "26900").replace(
        r#""status":"idle""#,
        r#""status":"waiting","waitingFor":"permission prompt","tmux":"agents:@2.%7""#,
    );
    std::fs::write(dir.path().join("26900.json"), waiting).unwrap();
    let (sessions, warnings) = read_dir(dir.path());
    assert!(warnings.is_empty(), "{warnings:?}");
    let idle = &sessions[0];
    assert_eq!((idle.status.as_deref(), idle.status_since_ms), (Some("idle"), Some(1796207173957)));
    assert_eq!((idle.waiting_for.as_deref(), idle.tmux.as_deref()), (None, None));
    let waits = &sessions[1];
    assert_eq!(waits.status.as_deref(), Some("waiting"));
    assert_eq!(waits.waiting_for.as_deref(), Some("permission prompt"));
    assert_eq!(waits.tmux.as_deref(), Some("agents:@2.%7"));
}
