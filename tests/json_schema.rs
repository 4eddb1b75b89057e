//! `list --json` and `kill`/`signal`/`pause`/`resume`/`renice --json` of the built binary, on a real worktree with real
//! processes, validate against the schemas in docs/; and the schemas reject what they
//! must (wrong types, a missing field, another schema number) while allowing new fields.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};

fn schema(file: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("{file} is no valid JSON Schema: {e}");
    }
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator.iter_errors(doc).map(|e| format!("at {}: {e}", e.instance_path())).take(10).collect()
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors = errors(validator, doc);
    assert!(errors.is_empty(), "{what} does not match its schema:\n{}", errors.join("\n"));
}

fn swarmtop(args: &[&str], config_home: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(args)
        .env("XDG_CONFIG_HOME", config_home)
        .stdin(Stdio::null())
        .output()
        .expect("run swarmtop");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "swarmtop {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("swarmtop {args:?}: not JSON: {e}"))
}

fn project<'a>(doc: &'a Value, id: &str) -> Option<&'a Value> {
    doc["projects"].as_array()?.iter().find(|p| p["id"] == id)
}

/// A repository `js<pid><role>` with a worktree whose agent (named by the config's
/// `agents`, so `agent` objects are filled too) has a child whose argv[0] and cwd are
/// not UTF-8 (so the `*_bytes` fields are there too).
struct Swarm {
    tmp: tempfile::TempDir,
    config_home: PathBuf,
    project_id: String,
    agent: String,
    pid: u32,
    procs: Sessions,
}

fn swarm(role: &str) -> Swarm {
    let tmp = tempfile::tempdir().unwrap();
    let name = format!("js{}{role}", std::process::id());
    let repo_dir = repo(tmp.path(), &name);
    let wt = worktree(&repo_dir, &tmp.path().join("wt/5e5e-schema"), "vk/5e5e-schema");
    let agent = label(role, "agent");
    let config_home = tmp.path().join("config");
    std::fs::create_dir_all(config_home.join("swarmtop")).unwrap();
    std::fs::write(config_home.join("swarmtop/config.toml"), format!("agents = [{agent:?}]\n")).unwrap();
    std::fs::create_dir(wt.join(OsStr::from_bytes(b"\xffdir"))).unwrap();
    let mut procs = Sessions::default();
    let child = format!("(cd $'\\xffdir' && exec -a $'{}\\xff' sleep 600) & wait", label(role, "child"));
    let pid = procs.spawn(&agent, &wt, &child);
    Swarm { tmp, config_home, project_id: format!("project:{name}"), agent, pid, procs }
}

impl Swarm {
    /// `list --json` of this swarm alone, once both processes are in the attempt.
    fn listed(&self) -> Value {
        let root = self.tmp.path().to_str().unwrap();
        wait_for("the attempt in list --json", Duration::from_secs(10), || {
            let doc = swarmtop(&["list", "--json", "--filter", root], &self.config_home);
            let n = project(&doc, &self.project_id)?["tasks"][0]["attempts"][0]["process_count"].as_u64();
            (n == Some(2)).then_some(doc)
        })
    }
}

#[test]
fn real_list_output_matches_the_schema() {
    let list_schema = schema("schema-1.json");
    let s = swarm("schemalist");
    let doc = s.listed();
    assert_valid(&list_schema, &doc, "list --json");
    let attempt = &project(&doc, &s.project_id).expect("our project")["tasks"][0]["attempts"][0];
    let top = &attempt["processes"][0];
    assert_eq!(top["agent"]["kind"], s.agent.as_str(), "an agent object was validated: {top}");
    let child = &top["children"][0];
    assert!(
        child["cmd_bytes"].is_array() && child["cwd_bytes"].is_array(),
        "bytes fields were validated: {top}"
    );

    let all = swarmtop(&["list", "--json", "--all"], &s.config_home);
    assert_valid(&list_schema, &all, "list --json --all");
    assert!(project(&all, &s.project_id).is_some(), "our project is in --all");
    assert!(all["unassigned"].as_array().is_some_and(|u| !u.is_empty()), "--all lists other processes");

    // PSS, swap and I/O rates measured: numbers where the schema allows null.
    let measured = swarmtop(&["list", "--json", "--all", "--memory", "pss", "--io"], &s.config_home);
    assert_valid(&list_schema, &measured, "list --json --all --memory pss --io");
    let attempt = &project(&measured, &s.project_id).expect("our project")["tasks"][0]["attempts"][0];
    let top = &attempt["processes"][0];
    for key in ["pss_bytes", "swap_bytes", "read_bytes_per_sec", "write_bytes_per_sec"] {
        assert!(top[key].is_u64(), "{key} was measured and validated: {top}");
    }
    assert!(attempt["pss_bytes"].is_u64() && attempt["read_bytes_per_sec"].is_u64(), "{attempt}");
}

#[test]
fn real_kill_output_matches_the_schema() {
    let kill_schema = schema("kill-schema-1.json");
    let mut s = swarm("schemakill");
    let doc = s.listed();
    let attempt = &project(&doc, &s.project_id).expect("our project")["tasks"][0]["attempts"][0];
    let attempt_id = attempt["id"].as_str().expect("attempt id");
    let plan = swarmtop(&["kill", "--dry-run", "--json", attempt_id], &s.config_home);
    assert_valid(&kill_schema, &plan, "kill --dry-run --json");
    assert_eq!(plan["processes"].as_array().map(Vec::len), Some(2), "{plan}");
    let narrowed = swarmtop(
        &[
            "kill",
            "--dry-run",
            "--json",
            "--keep-agents",
            "--older-than",
            "1d",
            "--min-rss",
            "1K",
            "--min-cpu",
            "0",
            attempt_id,
        ],
        &s.config_home,
    );
    assert_valid(&kill_schema, &narrowed, "kill --dry-run --json, narrowed");
    assert_eq!(narrowed["narrowing"]["older_than_secs"], 86400, "{narrowed}");
    assert!(
        narrowed["processes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["outcome"].as_str().unwrap().starts_with("skipped: ")),
        "nothing here is a day old: {narrowed}"
    );

    // The other actions' plans and reports, on the same processes, before the kill.
    let tree = format!("tree:{}", s.pid);
    for args in [
        &["signal", "WINCH", "--dry-run", "--json", attempt_id][..],
        &["pause", "--dry-run", "--json", attempt_id],
        &["resume", "--dry-run", "--json", attempt_id],
        &["renice", "3", "--dry-run", "--json", attempt_id],
        &["pause", "--yes", "--json", &tree],
        &["resume", "--yes", "--json", &tree],
        &["renice", "4", "--yes", "--json", &tree],
        &["signal", "WINCH", "--yes", "--json", &tree],
    ] {
        let doc = swarmtop(args, &s.config_home);
        assert_valid(&kill_schema, &doc, &args.join(" "));
        assert_eq!(doc["action"], args[0], "{doc}");
        if args.contains(&"--yes") {
            assert_eq!(doc["exit_code"], 0, "{args:?}: {doc}");
        }
    }
    let report = swarmtop(&["kill", "--yes", "--json", "--grace", "5", &tree], &s.config_home);
    assert_valid(&kill_schema, &report, "kill --json");
    assert_eq!(report["dry_run"], false, "{report}");
    assert_eq!(report["exit_code"], 0, "{report}");
    s.procs.kill_all();
}

/// The smallest document of each schema with every kind of object in it.
fn minimal_list() -> Value {
    let process = json!({"pid": 7, "ppid": 1, "pgid": 7, "sid": 7, "start_time": 123, "user": "u",
        "name": "claude", "cmd": ["claude"], "cwd": "/w", "state": "sleeping", "cpu_percent": 0.5,
        "memory_bytes": 4096, "pss_bytes": 2048, "swap_bytes": 0, "read_bytes_per_sec": null,
        "write_bytes_per_sec": null, "orphan": true,
        "agent": {"kind": "claude", "session_id": null, "session_name": null, "status": "idle"},
        "assigned_by": "cwd", "ports": [{"proto": "tcp", "addr": "127.0.0.1", "port": 3000}],
        "children": []});
    let sums = |v: Value| {
        let mut v = v;
        for (k, x) in [
            ("cpu_percent", json!(0.5)),
            ("memory_bytes", json!(4096)),
            ("pss_bytes", json!(2048)),
            ("read_bytes_per_sec", json!(null)),
            ("write_bytes_per_sec", json!(null)),
            ("process_count", json!(1)),
            ("orphan_count", json!(1)),
            ("ports", json!([{"proto": "udp", "addr": "::", "port": 5353}])),
        ] {
            v[k] = x;
        }
        v
    };
    json!({"schema": 1, "host": "box", "sampled_at_ms": 1, "totals": {"processes": 1, "cpu_percent": 0.5,
        "memory_bytes": 4096},
        "projects": [sums(json!({"id": "project:a", "name": "a", "path": "/a",
            "tasks": [sums(json!({"id": "task:a/t", "name": "t", "title": null,
                "attempts": [sums(json!({"id": "attempt:a/t/w", "name": "w", "path": "/w", "branch": null,
                    "source": "git", "agent": "claude", "processes": [process]}))]}))]}))],
        "shared": [], "unassigned": []})
}

/// `ports --json` and `list --json` with a real listener in a worktree match their schemas.
#[test]
fn real_ports_output_matches_the_schemas() {
    if !common::sentinel::available() {
        println!("SKIPPED: the listener needs python3");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path(), &format!("jsports{}", std::process::id()));
    let wt = worktree(&r, &tmp.path().join("wt/7a7a-ports"), "vk/7a7a-ports");
    let mut procs = Sessions::default();
    let name = label("schemaports", "listener");
    let out = tmp.path().join("listener.ports");
    let cmd = common::listener::listener_command(&name, "", &out, &["tcp,::1,0", "udp,127.0.0.1,0"]);
    let pid = procs.spawn(&name, &wt, &cmd);
    let port = common::listener::bound(&out)[0].2;
    let config_home = tmp.path().join("config");
    let root = tmp.path().to_str().unwrap();
    let doc = wait_for("the listener's ports in list --json", Duration::from_secs(30), || {
        let doc = swarmtop(&["list", "--json", "--filter", root], &config_home);
        // The filter also keeps swarmtop's own process (its argv holds the path), so the
        // checkout it runs in is a project too: find this test's.
        let projects = doc["projects"].as_array()?;
        let ours = projects.iter().find(|p| p["name"].as_str().is_some_and(|n| n.starts_with("jsports")))?;
        let p = &ours["tasks"][0]["attempts"][0]["processes"][0];
        (p["pid"] == pid && p["ports"].as_array().is_some_and(|a| a.len() == 2)).then_some(doc)
    });
    assert_valid(&schema("schema-1.json"), &doc, "list --json with ports");
    let table = swarmtop(&["ports", "--json"], &config_home);
    assert_valid(&schema("ports-schema-1.json"), &table, "ports --json");
    let row = table["ports"].as_array().unwrap().iter().find(|r| r["pid"] == pid && r["port"] == port);
    assert!(row.is_some_and(|r| r["attempt"].is_string()), "{table}");
}

fn minimal_kill() -> Value {
    json!({"scope": ["pid:7"], "dry_run": false, "action": "kill", "signal": "SIGTERM", "grace_secs": 5,
        "nice": null,
        "processes": [{"pid": 7, "start_time": 123, "name": "n", "cmd": "n --x", "outcome": "exited",
            "born_after_plan": false, "nice": null}],
        "groups": [], "cancelled": false, "warnings": [], "exit_code": 0,
        "narrowing": {"mine": null, "older_than_secs": null, "min_rss_bytes": null, "min_cpu_percent": null,
            "keep_agents": false}})
}

#[test]
fn the_schemas_reject_wrong_types_and_allow_new_fields() {
    let list_schema = schema("schema-1.json");
    let kill_schema = schema("kill-schema-1.json");
    let list = minimal_list();
    assert_valid(&list_schema, &list, "the minimal list document");
    let process = "/projects/0/tasks/0/attempts/0/processes/0";
    let wrong: [(&str, Value); 16] = [
        (&format!("{process}/pss_bytes"), json!(-1)),
        (&format!("{process}/read_bytes_per_sec"), json!("0")),
        ("/projects/0/tasks/0/attempts/0/pss_bytes", json!(1.5)),
        (&format!("{process}/ports"), json!("3000")),
        (&format!("{process}/ports/0/port"), json!(0)),
        (&format!("{process}/ports/0/proto"), json!("sctp")),
        ("/projects/0/ports", json!(null)),
        ("/schema", json!(2)),
        (&format!("{process}/pid"), json!("7")),
        (&format!("{process}/cpu_percent"), json!("0.5")),
        (&format!("{process}/cmd"), json!("claude")),
        (&format!("{process}/assigned_by"), json!("guess")),
        (&format!("{process}/agent/kind"), json!(3)),
        ("/projects/0/tasks/0/attempts/0/branch", json!(false)),
        ("/projects/0/tasks/0/id", json!("attempt:a/t/w")),
        ("/totals/memory_bytes", json!(-1)),
    ];
    for (pointer, value) in wrong {
        let mut doc = list.clone();
        *doc.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = value.clone();
        assert!(!errors(&list_schema, &doc).is_empty(), "{pointer} = {value} passed the list schema");
    }
    for (field, value) in
        [("cwd_bytes", json!([256])), ("cmd_bytes", json!([104, 105])), ("name_bytes", json!("n"))]
    {
        let mut doc = list.clone();
        doc.pointer_mut(process).unwrap()[field] = value.clone();
        assert!(!errors(&list_schema, &doc).is_empty(), "{field} = {value} passed the list schema");
    }
    let mut bytes = list.clone();
    bytes.pointer_mut(process).unwrap()["cmd_bytes"] = json!([[99, 255]]);
    assert_valid(&list_schema, &bytes, "cmd_bytes");
    let mut unreadable = list.clone();
    unreadable.pointer_mut(process).unwrap()["ports"] = json!(null);
    assert_valid(&list_schema, &unreadable, "a process whose ports could not be read");
    let mut missing = list.clone();
    missing.as_object_mut().unwrap().remove("host");
    assert!(!errors(&list_schema, &missing).is_empty(), "a missing host passed");
    let mut grown = list.clone();
    grown["new_top_level_field"] = json!({"x": 1});
    grown.pointer_mut(process).unwrap()["new_process_field"] = json!([1, 2]);
    assert_valid(&list_schema, &grown, "schema 1 with added fields");

    let ports_schema = schema("ports-schema-1.json");
    let ports = json!({"schema": 1, "host": "box", "sampled_at_ms": 1, "ports": [
        {"port": 3000, "proto": "tcp", "addr": "::1", "pid": 7, "start_time": 123, "name": "node",
         "cmd": ["node", "vite"], "group": "attempt", "attempt": "attempt:a/t/w"},
        {"port": 22, "proto": "tcp", "addr": "0.0.0.0", "pid": null, "start_time": null, "name": null,
         "cmd": null, "group": null, "attempt": null}]});
    assert_valid(&ports_schema, &ports, "the minimal ports document");
    for (pointer, value) in [
        ("/ports/0/port", json!(70000)),
        ("/ports/0/pid", json!("7")),
        ("/ports/0/group", json!("attempts")),
        ("/ports/0/attempt", json!("task:a/t")),
        ("/ports/1/proto", json!(null)),
    ] {
        let mut doc = ports.clone();
        *doc.pointer_mut(pointer).unwrap() = value.clone();
        assert!(!errors(&ports_schema, &doc).is_empty(), "{pointer} = {value} passed the ports schema");
    }

    let kill = minimal_kill();
    assert_valid(&kill_schema, &kill, "the minimal kill document");
    for (pointer, value) in [
        ("/processes/0/outcome", json!("vaporized")),
        ("/processes/0/outcome", json!("skipped:")),
        ("/processes/0/pid", json!(-7)),
        ("/signal", json!("SIGFOO")),
        ("/action", json!("nuke")),
        ("/nice", json!(20)),
        ("/grace_secs", json!(86401)),
        ("/processes/0/outcome", json!("reniced")),
        ("/processes/0/nice", json!("5")),
        ("/exit_code", json!("0")),
        ("/dry_run", json!(null)),
        ("/narrowing/keep_agents", json!("yes")),
        ("/narrowing/mine", json!("project:alpha")),
        ("/narrowing/min_rss_bytes", json!(-1)),
    ] {
        let mut doc = kill.clone();
        *doc.pointer_mut(pointer).unwrap() = value.clone();
        assert!(!errors(&kill_schema, &doc).is_empty(), "{pointer} = {value} passed the kill schema");
    }
    let mut skipped = kill.clone();
    skipped["processes"][0]["outcome"] = json!("skipped: PID 1 (init)");
    assert_valid(&kill_schema, &skipped, "a skipped process");
    let mut reniced = kill.clone();
    for (k, v) in [
        ("action", json!("renice")),
        ("signal", json!(null)),
        ("grace_secs", json!(null)),
        ("nice", json!(-3)),
    ] {
        reniced[k] = v;
    }
    reniced["processes"][0]["outcome"] = json!("reniced (nice -3)");
    reniced["processes"][0]["nice"] = json!(-3);
    assert_valid(&kill_schema, &reniced, "a renice report");
}
