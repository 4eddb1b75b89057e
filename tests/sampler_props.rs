//! Property tests for every parser of the sampler: arbitrary bytes never panic, and
//! what a format can carry comes back as it went in.

use std::path::Path;

use proptest::prelude::*;
use swarmtop::model::Argv;
use swarmtop::model::argv::{escape_bytes, unescape};
use swarmtop::procfs::{parse_stat, parse_status_uid};
use swarmtop::sample::registry::{ProcessId, RegistryFile};
use swarmtop::sample::worktree::{parse_head, read_worktree};
use swarmtop::sample::{bounded, claude_sessions, orchestrators};

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

/// Bytes that are often text with the characters parsers split on.
fn tricky(max: usize) -> impl Strategy<Value = Vec<u8>> {
    let pick = prop::sample::select(vec![b'(', b')', b' ', b'\n', b'\\', b'x', b'0', b'\xff', b'\xc3', b'a']);
    prop::collection::vec(prop_oneof![pick, any::<u8>()], 0..max)
}

fn escaped_back(text: &str, raw: &[u8]) -> bool {
    match escape_bytes(raw) {
        std::borrow::Cow::Borrowed(b) => b.as_bytes() == raw && text == b,
        std::borrow::Cow::Owned(o) => o == text && unescape(&o) == raw,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn escaping_round_trips(raw in tricky(64)) {
        let text = escape_bytes(&raw);
        prop_assert!(escaped_back(&text, &raw));
    }

    #[test]
    fn stat_lines_round_trip(
        pid in 1u32.., comm in tricky(20), state in prop::sample::select(vec!['R', 'S', 'D', 'Z', 'T', 't', 'X', 'I']),
        ppid: u32, pgid: u32, sid: u32, flags: u32, minflt: u32, utime: u32, stime: u32,
        threads: u32, start: u64, rss: u32,
    ) {
        let mut line = format!("{pid} (").into_bytes();
        line.extend_from_slice(&comm);
        line.extend_from_slice(format!(
            ") {state} {ppid} {pgid} {sid} 34816 -1 {flags} {minflt} 0 0 0 {utime} {stime} 0 0 20 0 {threads} 0 {start} 123456 {rss} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        ).as_bytes());
        let s = parse_stat(&line).expect("a well-formed line parses");
        prop_assert_eq!((s.pid, s.state, s.ppid, s.pgid, s.sid), (pid, state, ppid, pgid, sid));
        prop_assert_eq!((s.minor_faults, s.cpu_ticks, s.num_threads), (u64::from(minflt), u64::from(utime) + u64::from(stime), threads));
        prop_assert_eq!((s.start_ticks, s.rss_pages), (start, u64::from(rss)));
        prop_assert_eq!(s.kernel_thread, flags & 0x0020_0000 != 0);
        prop_assert!(escaped_back(&s.comm, &comm));
        prop_assert_eq!(s.comm_escaped, std::str::from_utf8(&comm).is_err());
    }

    #[test]
    fn stat_parsing_never_panics(raw in tricky(300)) {
        let _ = parse_stat(&raw);
    }

    #[test]
    fn cmdlines_round_trip(args in prop::collection::vec(tricky(12).prop_map(|a| a.into_iter().filter(|&b| b != 0).collect::<Vec<u8>>()), 1..6)) {
        let mut raw = Vec::new();
        for a in &args {
            raw.extend_from_slice(a);
            raw.push(0);
        }
        let argv = Argv::from_cmdline(&raw);
        prop_assert_eq!(argv.bytes(), args.clone());
        prop_assert_eq!(argv.len(), args.len());
        prop_assert_eq!(argv.is_escaped(), std::str::from_utf8(&raw).is_err());
    }

    #[test]
    fn cmdline_and_environ_parsing_never_panic(raw in bytes(200)) {
        let a = Argv::from_cmdline(&raw);
        let _ = (a.len(), a.first(), a.join(" "), a.bytes());
        let _ = swarmtop::model::tags::parse_environ(&raw);
    }

    #[test]
    fn status_uids_round_trip(uid: u32, other in bytes(100)) {
        let status = format!("Name:\tx\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nGid:\t0\n");
        prop_assert_eq!(parse_status_uid(&status), Some(uid));
        let _ = parse_status_uid(&String::from_utf8_lossy(&other));
    }

    #[test]
    fn head_refs_round_trip(branch in tricky(30).prop_map(|b| b.into_iter().filter(|c| !c.is_ascii_whitespace()).collect::<Vec<u8>>()), junk in bytes(80)) {
        // git trims a HEAD line, Unicode whitespace (U+000B, U+0085, ...) included.
        prop_assume!(!branch.is_empty() && escape_bytes(&branch).trim_end() == escape_bytes(&branch));
        let mut head = b"ref: refs/heads/".to_vec();
        head.extend_from_slice(&branch);
        head.push(b'\n');
        let (got, detached) = parse_head(&escape_bytes(&head));
        prop_assert_eq!(detached, None);
        prop_assert!(escaped_back(&got.unwrap_or_default(), &branch));
        let _ = parse_head(&escape_bytes(&junk));
    }
}

/// Writes `content` at `path`, creating its directory.
fn put(path: &Path, content: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn git_files_never_panic(dot_git in tricky(60), head in tricky(60), commondir in tricky(40)) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("wt");
        let gitdir = tmp.path().join("repo/.git/worktrees/wt");
        put(&gitdir.join("HEAD"), &head);
        put(&gitdir.join("commondir"), &commondir);
        put(&root.join(".git"), &dot_git);
        let _ = read_worktree(&root);
        put(&root.join(".git"), format!("gitdir: {}\n", gitdir.display()).as_bytes());
        let wt = read_worktree(&root).expect("a readable worktree");
        let trimmed = head.trim_ascii();
        if let Some(branch) = trimmed.strip_prefix(b"ref: refs/heads/") {
            if !branch.is_empty() && escape_bytes(branch).trim() == escape_bytes(branch) {
                prop_assert!(escaped_back(wt.branch.as_deref().unwrap_or(""), branch));
            }
        }
    }

    #[test]
    fn state_files_never_panic(raw in bytes(300), text in "[\\[\\]{}\":,0-9a-z_ ]{0,120}") {
        let tmp = tempfile::tempdir().unwrap();
        let h = tmp.path();
        for content in [&raw[..], text.as_bytes()] {
            put(&h.join(".claude/sessions/1.json"), content);
            put(&h.join(".kild/sessions/a/kild.json"), content);
            put(&h.join(".shards/sessions/b.json"), content);
            put(&h.join(".sk/kit/active-bun-pids.json"), content);
            put(&h.join(".claude-squad/state.json"), content);
            put(&h.join("registry/1-1.json"), content);
            let _ = claude_sessions::read_dir(&h.join(".claude/sessions"));
            let _ = orchestrators::Orchestrators::new(Some(h.to_path_buf())).refresh();
            let _ = swarmtop::sample::registry::Registry::new(Some(h.join("registry"))).refresh();
            let _ = bounded::read(&h.join("registry/1-1.json"), 16, bounded::Links::Refuse);
        }
    }

    #[test]
    fn registry_files_round_trip(pid in 1u32.., start: u64, project in ".{0,20}", task in ".{0,20}", cmd in prop::collection::vec(".{0,10}", 0..4), child: Option<(u32, u64)>) {
        let file = RegistryFile {
            pid, start_time: start, project: project.clone(), task: task.clone(), attempt: task,
            cwd: "/w".into(), command: cmd, child: child.map(|(pid, start_time)| ProcessId { pid, start_time }),
        };
        let tmp = tempfile::tempdir().unwrap();
        let path = swarmtop::sample::registry::write(tmp.path(), &file).unwrap();
        let back: RegistryFile = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        prop_assert_eq!(back, file);
    }

    #[test]
    fn claude_sessions_round_trip(pid: u32, id in "[a-z0-9-]{1,20}", start: u64, name in proptest::option::of(".{0,20}")) {
        let tmp = tempfile::tempdir().unwrap();
        let json = serde_json::json!({"pid": pid, "sessionId": id, "procStart": start.to_string(), "name": name});
        put(&tmp.path().join(format!("{pid}.json")), json.to_string().as_bytes());
        let (sessions, warnings) = claude_sessions::read_dir(tmp.path());
        prop_assert!(warnings.is_empty(), "{:?}", warnings);
        prop_assert_eq!((sessions[0].pid, &sessions[0].session_id, sessions[0].proc_start, &sessions[0].name), (pid, &id, Some(start), &name));
    }

    #[test]
    fn orchestrator_records_round_trip(pid in 1u32.., secs in 100_000_000u64..4_000_000_000, project in "[a-z]{1,10}", task in "[a-z]{1,10}", comm in "[a-z]{1,15}") {
        let tmp = tempfile::tempdir().unwrap();
        let h = tmp.path();
        let kild = serde_json::json!({"project_id": project, "branch": format!("kild/{task}"), "worktree_path": "/w",
            "status": "Active", "process_id": pid, "process_name": comm, "process_start_time": secs});
        put(&h.join(".kild/sessions/a/kild.json"), kild.to_string().as_bytes());
        let bun = serde_json::json!([{"pid": pid, "script_path": format!("/k/{task}.ts"), "started_at": secs * 1000}]);
        put(&h.join(".sk/kit/active-bun-pids.json"), bun.to_string().as_bytes());
        let mut warnings = Vec::new();
        let got = orchestrators::read_all(h, &mut warnings);
        prop_assert!(warnings.is_empty(), "{:?}", warnings);
        prop_assert_eq!(got.len(), 2);
        prop_assert_eq!((got[0].pid, got[0].comm.as_deref(), got[0].start_epoch_secs), (pid, Some(comm.as_str()), Some(secs)));
        prop_assert_eq!((&got[0].project, &got[0].task), (&project, &task));
        prop_assert_eq!((got[1].pid, got[1].start_epoch_secs, &got[1].task), (pid, Some(secs), &task));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn claude_squad_titles_round_trip(titles in prop::collection::vec(("[a-z ]{1,20}", "[a-z/]{1,20}", any::<bool>()), 0..5)) {
        let tmp = tempfile::tempdir().unwrap();
        let instances: Vec<serde_json::Value> = titles
            .iter()
            .map(|(title, branch, nested)| if *nested {
                serde_json::json!({"title": title, "branch": "", "worktree": {"branch_name": branch}})
            } else {
                serde_json::json!({"title": title, "branch": branch})
            })
            .collect();
        put(&tmp.path().join(".claude-squad/state.json"), serde_json::json!({"instances": instances}).to_string().as_bytes());
        let (state, warnings) = orchestrators::Orchestrators::new(Some(tmp.path().to_path_buf())).refresh();
        prop_assert!(warnings.is_empty(), "{:?}", warnings);
        let got: Vec<(String, String)> = state.titles.iter().map(|t| (t.title.clone(), t.branch.clone())).collect();
        let want: Vec<(String, String)> = titles.into_iter().map(|(t, b, _)| (t, b)).collect();
        prop_assert_eq!(got, want);
    }
}
