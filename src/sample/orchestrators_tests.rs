use super::*;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn kild_shards_and_script_kit_files_are_read_and_bad_ones_named() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let session = |status: &str, pid: &str| {
        format!(
            r#"{{"id":"alpha/fix","project_id":"alpha","branch":"kild/fix","worktree_path":"/w/alpha/fix","agent":"claude","status":"{status}","created_at":"2024-01-01T00:00:00Z","process_id":{pid},"process_name":"claude","process_start_time":1700000000,"command":"claude","note":null}}"#
        )
    };
    write(&h.join(".kild/sessions/abc/kild.json"), &session("Active", "4242"));
    write(&h.join(".kild/sessions/old/kild.json"), &session("Stopped", "99"));
    write(&h.join(".shards/sessions/alpha_fix.json"), "{\"id\": 3}");
    write(
        &h.join(".sk/kit/active-bun-pids.json"),
        r#"[{"pid": 777, "script_path": "/home/u/.kenv/scripts/resize-images.ts", "started_at": 1700000000123}]"#,
    );
    let mut warnings = Vec::new();
    let got = read_all(h, &mut warnings);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(
        (got[0].pid, got[0].task.as_str(), got[0].start_epoch_secs),
        (4242, "fix", Some(1_700_000_000))
    );
    assert_eq!(
        (got[1].project.as_str(), got[1].task.as_str(), got[1].attempt.as_str()),
        ("script-kit", "resize-images", "777")
    );
    assert!(
        warnings.len() == 1 && warnings[0].contains("alpha_fix.json") && warnings[0].contains("project_id"),
        "{warnings:?}"
    );
}

/// A flat `~/.kild/sessions/<id>.json` (2026-01-27 → 02-17) and per-instance Script Kit
/// files in `~/.scriptkit` are read beside the newer shapes.
#[test]
fn flat_kild_files_and_every_script_kit_location() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    write(
        &h.join(".kild/sessions/alpha_flat.json"),
        r#"{"id":"alpha/flat","project_id":"alpha","branch":"kild/flat","worktree_path":"/w/alpha/flat","agent":"claude",
            "status":"Active","created_at":"2026-02-01T00:00:00Z","process_id":5151,"process_name":"claude",
            "process_start_time":1700000000,"command":"claude"}"#,
    );
    write(&h.join(".kild/sessions/alpha_flat.status"), "working");
    let script = |pid: u32| {
        format!(r#"[{{"pid": {pid}, "script_path": "/s/{pid}.ts", "started_at": "2026-07-11T10:00:00Z"}}]"#)
    };
    write(&h.join(".kenv/active-bun-pids.json"), &script(801));
    write(&h.join(".scriptkit/active-bun-pids.json"), &script(802));
    write(&h.join(".scriptkit/active-pids-4100.json"), &script(803));
    write(&h.join(".scriptkit/active-pids-4200.json"), &script(804));
    let mut warnings = Vec::new();
    let mut pids: Vec<u32> = read_all(h, &mut warnings).iter().map(|s| s.pid).collect();
    pids.sort_unstable();
    assert_eq!(pids, [801, 802, 803, 804, 5151]);
    assert!(warnings.is_empty(), "{warnings:?}");
}

/// claude-squad's `state.json` with an instance as `session/storage.go` (434ca25) stores it:
/// the worktree nested under the `<user>/` branch prefix.
#[test]
fn squad_and_uzi_titles_and_unchanged_files_read_once() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    write(
        &h.join(".claude-squad/state.json"),
        r#"{"help_screens_seen": 3, "instances": [{"title": "refactor auth", "path": "/r", "branch": "",
           "status": 0, "height": 40, "width": 120, "created_at": "2026-05-01T10:00:00Z", "updated_at": "2026-05-01T10:00:00Z",
           "auto_yes": false, "program": "claude", "worktree": {"repo_path": "/r",
           "worktree_path": "/h/.claude-squad/worktrees/ann/refactor-auth_18a2b3c4d5e6f708",
           "session_name": "refactor auth", "branch_name": "ann/refactor-auth", "base_commit_sha": "abc",
           "is_existing_branch": false}, "diff_stats": {"added": 0, "removed": 0, "content": ""}}]}"#,
    );
    // `pkg/state/state.go` (421685f): agents by session name.
    write(
        &h.join(".local/share/uzi/state.json"),
        r#"{"agent-alpha-1a2b3c4-brave-panda": {"git_repo": "git@github.com:o/alpha.git", "branch_from": "main",
            "branch_name": "brave-panda-alpha-1a2b3c4-1733300000-0", "prompt": "Add dark mode\nand tests",
            "worktree_path": "/h/.local/share/uzi/worktrees/brave-panda-alpha-1a2b3c4-1733300000-0",
            "port": 3000, "model": "claude", "created_at": "2025-06-04T09:00:00Z", "updated_at": "2025-06-04T09:00:00Z"}}"#,
    );
    let mut o = Orchestrators::new(Some(h.to_path_buf()));
    let (state, _) = o.refresh();
    let titles: Vec<(&str, &str)> =
        state.titles.iter().map(|t| (t.branch.as_str(), t.title.as_str())).collect();
    assert_eq!(
        titles,
        [("ann/refactor-auth", "refactor auth"), ("brave-panda-alpha-1a2b3c4-1733300000-0", "Add dark mode")]
    );
    let (again, told) = o.refresh();
    assert!(told.is_empty(), "unchanged files are not re-read or re-reported");
    assert!(Shared::ptr_eq(&state.sessions, &again.sessions) && Shared::ptr_eq(&state.titles, &again.titles));
}
