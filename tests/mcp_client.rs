//! `swarmtop mcp` through a real MCP client (rmcp's), spawned over stdio by a shell that
//! works in worktree A of a repository with two worktrees — so the server's caller, its
//! parent, is placed in attempt A. Sentinels in B, named exactly like A's target
//! processes, must receive nothing. Also raw JSON-RPC lines for malformed requests.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::Duration;

use common::sentinel::{Sentinel, skip_without_python};
use common::*;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

/// `bash -c 'swarmtop [flags] mcp; exit'` in `cwd`: bash stays the server's parent (the
/// caller), in a session of its own.
fn server_command(cwd: &Path, flags: &str) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("bash");
    cmd.arg("-c")
        .arg(format!("{} {flags} mcp; exit $?", env!("CARGO_BIN_EXE_swarmtop")))
        .current_dir(cwd)
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test");
    // SAFETY: setsid is async-signal-safe and touches nothing of the parent's.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}

type Client = RunningService<RoleClient, ()>;

async fn client(cwd: &Path, flags: &str) -> (Client, SessionGuard) {
    let transport = TokioChildProcess::new(server_command(cwd, flags)).expect("spawn the server");
    let guard = SessionGuard(transport.id().expect("the server's shell pid"));
    let client = ().serve(transport).await.expect("initialize");
    (client, guard)
}

async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(arguments) = args else { panic!("arguments are an object") };
    let arguments: JsonObject = arguments;
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(arguments))
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
}

fn text(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect::<Vec<_>>().join("\n")
}

fn structured(result: &CallToolResult) -> Value {
    assert_eq!(result.is_error, Some(false), "{}", text(result));
    result.structured_content.clone().unwrap_or_else(|| panic!("no structured content: {}", text(result)))
}

fn pids_in(doc: &Value, key: &str) -> Vec<u64> {
    let mut pids: Vec<u64> =
        doc[key].as_array().map(|a| a.iter().filter_map(|p| p["pid"].as_u64()).collect()).unwrap_or_default();
    pids.sort_unstable();
    pids
}

struct Scene {
    w: TwoWorktrees,
    procs: Sessions,
    /// A's processes named `worker` (argv[0]).
    workers: Vec<u32>,
    /// B's sentinels, also named `worker`.
    in_b: Vec<(Sentinel, u32)>,
}

fn scene(name: &str) -> Scene {
    let w = two_worktrees("mcp", name);
    let mut procs = Sessions::default();
    let sentinels: Vec<Sentinel> = (0..2)
        .map(|i| {
            let log = w.tmp.path().join(format!("{}.log", label(name, &format!("b{i}"))));
            let s = Sentinel { label: "worker".into(), log };
            std::fs::write(s.script(), Sentinel::command("worker", &s.log)).unwrap();
            s
        })
        .collect();
    procs.spawn(&label(name, "b"), &w.wt_b, &format!("bash {} & wait", sentinels[0].script().display()));
    let moved = format!("(cd {} && bash {}) &", w.wt_b.display(), sentinels[1].script().display());
    procs.spawn(
        &label(name, "a"),
        &w.wt_a,
        &format!("{moved} (exec -a worker sleep 600) & (exec -a worker sleep 601) & wait"),
    );
    let mut sampler = live_sampler();
    let (workers, in_b) = wait_for("every worker placed", WAIT, || {
        let f = sample_forest(&mut sampler);
        let (a, b) = (attempt_at(&f, &w.wt_a)?, attempt_at(&f, &w.wt_b)?);
        let (mut workers, mut in_b) = (Vec::new(), Vec::new());
        for (_, _, at) in f.attempts() {
            for root in &at.processes {
                root.walk(&mut |n| {
                    if n.process.facts.cmd.first() != Some("worker") {
                        return;
                    }
                    if at.id.as_str() == a {
                        workers.push(n.process.pid());
                    } else if at.id.as_str() == b {
                        in_b.push(n.process.pid());
                    }
                });
            }
        }
        let ready = sentinels.iter().all(Sentinel::ready) && workers.len() == 2 && in_b.len() == 2;
        ready.then_some((workers, in_b))
    });
    let in_b = sentinels.into_iter().zip(in_b).collect();
    Scene { w, procs, workers, in_b }
}

fn untouched(s: &Sentinel, pid: u32) {
    assert_eq!(s.received(), Vec::<String>::new(), "{} ({pid}) was signalled", s.log.display());
    assert!(alive(pid) && state(pid) != Some('T'), "{} ({pid}) was killed or left stopped", s.log.display());
}

#[tokio::test(flavor = "current_thread")]
async fn an_agent_lists_and_kills_only_its_own_attempt_through_a_real_client() {
    if skip_without_python() {
        return;
    }
    let mut s = scene("client");
    let (client, _guard) = client(&s.w.wt_a, "").await;
    let info = client.peer_info().expect("initialized");
    assert_eq!(info.server_info.as_ref().map(|i| i.name.as_str()), Some("swarmtop"));

    let tools = client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(names, ["kill", "list_processes", "who_listens"]);
    let kill = tools.iter().find(|t| t.name == "kill").unwrap();
    let hints = kill.annotations.clone().unwrap();
    assert_eq!((hints.destructive_hint, hints.idempotent_hint), (Some(true), Some(false)));
    assert_eq!(kill.input_schema["properties"]["dry_run"]["default"], json!(true), "{:?}", kill.input_schema);
    let list = tools.iter().find(|t| t.name == "list_processes").unwrap();
    assert_eq!(list.annotations.clone().unwrap().read_only_hint, Some(true));

    let listed = structured(&call(&client, "list_processes", json!({})).await);
    let attempt = listed["attempt"].as_str().unwrap().to_string();
    assert!(attempt.ends_with("/wt-a"), "{listed}");
    let processes = listed["processes"].as_array().unwrap();
    let mut workers: Vec<u64> =
        processes.iter().filter(|p| p["name"] == "worker").map(|p| p["pid"].as_u64().unwrap()).collect();
    workers.sort_unstable();
    let mut want: Vec<u64> = s.workers.iter().map(|&p| u64::from(p)).collect();
    want.sort_unstable();
    assert_eq!(workers, want, "A's workers, not B's: {listed}");
    assert!(
        processes.iter().any(|p| p["is_caller"] == true && p["name"] == "bash"),
        "the server's parent: {listed}"
    );
    let wide = structured(&call(&client, "list_processes", json!({"scope": "project"})).await);
    assert!(wide["process_count"].as_u64() > listed["process_count"].as_u64(), "{wide}");

    // Refused: a target in B, by attempt and by pid; and nonsense.
    let b = attempt.replace("/wt-a", "/wt-b").replace("-a/", "-b/");
    for target in [b.clone(), format!("pid:{}", s.in_b[0].1)] {
        let refused = call(&client, "kill", json!({"targets": [target], "dry_run": false})).await;
        assert_eq!(refused.is_error, Some(true), "{target}: {}", text(&refused));
        assert!(text(&refused).contains("is outside your attempt"), "{}", text(&refused));
    }
    let bad = call(&client, "kill", json!({"targets": ["pod:1"]})).await;
    assert!(bad.is_error == Some(true) && text(&bad).contains("unknown kind"), "{}", text(&bad));
    let bad = call(&client, "kill", json!({"targetz": ["name:worker"]})).await;
    assert!(bad.is_error == Some(true) && text(&bad).contains("invalid arguments"), "{}", text(&bad));

    // A dry run by default: the plan, nothing signalled.
    let plan = structured(&call(&client, "kill", json!({"targets": ["name:worker"]})).await);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(pids_in(&plan, "processes"), want, "{plan}");
    assert!(plan["narrowing"]["mine"].as_str() == Some(attempt.as_str()), "{plan}");
    assert!(s.workers.iter().all(|&p| alive(p)));

    // The real kill.
    let report = structured(
        &call(&client, "kill", json!({"targets": ["name:worker"], "dry_run": false, "grace_secs": 2})).await,
    );
    assert_eq!(
        (report["dry_run"].clone(), report["exit_code"].clone()),
        (json!(false), json!(0)),
        "{report}"
    );
    for &pid in &s.workers {
        wait_for("A's workers gone", WAIT, || (!alive(pid)).then_some(()));
    }

    // The whole attempt: all of it but the caller (the shell), the server and their
    // ancestors, which the plan shows as skipped and the kill leaves alive.
    let callers: Vec<u64> =
        processes.iter().filter(|p| p["is_caller"] == true).filter_map(|p| p["pid"].as_u64()).collect();
    assert!(callers.len() >= 2, "the shell and the server: {listed}");
    let planned = |doc: &Value| -> Vec<u64> {
        let rows = doc["processes"].as_array().cloned().unwrap_or_default();
        rows.iter().filter(|p| p["outcome"] == "planned").filter_map(|p| p["pid"].as_u64()).collect()
    };
    let plan = structured(&call(&client, "kill", json!({"targets": [attempt]})).await);
    assert!(!planned(&plan).is_empty() && planned(&plan).iter().all(|p| !callers.contains(p)), "{plan}");
    let report = structured(&call(&client, "kill", json!({"targets": [attempt], "dry_run": false})).await);
    // Not an error result: what the plan spared is listed with its reason (exit_code 1, as
    // `swarmtop kill` exits), everything else is gone.
    for row in report["processes"].as_array().unwrap() {
        let (pid, outcome) = (row["pid"].as_u64().unwrap(), row["outcome"].as_str().unwrap());
        let spared = outcome.starts_with("skipped: swarmtop itself or one of its ancestors");
        assert!(
            if callers.contains(&pid) { spared } else { ["exited", "needed SIGKILL"].contains(&outcome) },
            "{report}"
        );
    }
    let after = structured(&call(&client, "list_processes", json!({})).await);
    let left: Vec<u64> =
        after["processes"].as_array().unwrap().iter().filter_map(|p| p["pid"].as_u64()).collect();
    assert!(callers.iter().all(|p| left.contains(p)), "the caller and the server still serve: {after}");
    for (sentinel, pid) in &s.in_b {
        untouched(sentinel, *pid);
    }
    client.cancel().await.unwrap();
    s.procs.kill_all();
}

/// A process labelled `label` (argv[0]) listening on a free TCP port of 127.0.0.1: its pid
/// and port.
fn listener(procs: &mut Sessions, label: &str, cwd: &Path, dir: &Path) -> (u32, u16) {
    let file = dir.join(format!("{label}.port"));
    let python = common::sentinel::python().unwrap_or("python3");
    let code = format!(
        "import socket, time\ns = socket.socket()\ns.bind((\"127.0.0.1\", 0))\ns.listen()\nopen(\"{}.tmp\", \"w\").write(str(s.getsockname()[1]))\nimport os\nos.rename(\"{0}.tmp\", \"{0}\")\ntime.sleep(600)\n",
        file.display()
    );
    std::fs::write(dir.join(format!("{label}.py")), code).unwrap();
    let pid = procs.spawn(
        label,
        cwd,
        &format!("exec -a {label} {python} {}", dir.join(format!("{label}.py")).display()),
    );
    (pid, wait_for("the listener's port", WAIT, || std::fs::read_to_string(&file).ok()?.trim().parse().ok()))
}

#[tokio::test(flavor = "current_thread")]
async fn who_listens_says_where_a_listener_lives_and_port_kills_stay_in_the_attempt() {
    if skip_without_python() {
        return;
    }
    let w = two_worktrees("mcp", "ports");
    let mut procs = Sessions::default();
    let (la, lb) = (label("mcpports", "in-a"), label("mcpports", "in-b"));
    let (pid_a, port_a) = listener(&mut procs, &la, &w.wt_a, w.tmp.path());
    let (_, port_b) = listener(&mut procs, &lb, &w.wt_b, w.tmp.path());
    let (client, _guard) = client(&w.wt_a, "").await;
    let holder =
        |doc: &Value| doc["listeners"].as_array().and_then(|l| l.first()).cloned().unwrap_or(Value::Null);
    let a = wait_for_async(
        || async { structured(&call(&client, "who_listens", json!({"port": port_a})).await) },
        |d| holder(d)["pid"].is_u64(),
    )
    .await;
    assert_eq!(
        (holder(&a)["pid"].clone(), holder(&a)["in_your_attempt"].clone()),
        (json!(pid_a), json!(true)),
        "{a}"
    );
    assert_eq!(holder(&a)["cmd"][0], json!(la), "{a}");
    let b = structured(&call(&client, "who_listens", json!({"port": port_b})).await);
    assert_eq!(holder(&b)["in_your_attempt"], false, "{b}");
    assert!(holder(&b)["attempt"].as_str().is_some_and(|id| id.ends_with("/wt-b")), "{b}");
    let listed = structured(&call(&client, "list_processes", json!({})).await);
    let row =
        listed["processes"].as_array().unwrap().iter().find(|p| p["name"] == la.as_str()).cloned().unwrap();
    assert_eq!(row["ports"], json!([port_a]), "{listed}");

    let refused =
        call(&client, "kill", json!({"targets": [format!("port:{port_b}")], "dry_run": false})).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(text(&refused).contains("matches nothing in your attempt"), "{}", text(&refused));
    let plan = structured(&call(&client, "kill", json!({"targets": [format!("port:{port_a}")]})).await);
    assert_eq!(plan["processes"].as_array().map(Vec::len), Some(1), "exactly the listener: {plan}");
    assert_eq!(plan["processes"][0]["name"], json!(la));
    let bad = call(&client, "who_listens", json!({"port": 70000})).await;
    assert!(bad.is_error == Some(true) && text(&bad).contains("invalid arguments"), "{}", text(&bad));
    client.cancel().await.unwrap();
}

/// Calls `f` until `ready` holds of its answer (a listener's socket may be read a refresh late).
async fn wait_for_async<F, Fut>(mut f: F, ready: impl Fn(&Value) -> bool) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let v = f().await;
        if ready(&v) || std::time::Instant::now() > deadline {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn read_only_refuses_a_real_kill_and_says_why() {
    let w = two_worktrees("mcp", "ro");
    let mut procs = Sessions::default();
    let pid = procs.spawn(&label("mcpro", "worker"), &w.wt_a, "sleep 600");
    let config = w.tmp.path().join("read-only.toml");
    std::fs::write(&config, "read_only = true\n").unwrap();
    for flags in ["--read-only".to_string(), format!("--config {}", config.display())] {
        let (client, _guard) = client(&w.wt_a, &flags).await;
        let refused =
            call(&client, "kill", json!({"targets": [format!("pid:{pid}")], "dry_run": false})).await;
        assert_eq!(refused.is_error, Some(true), "{flags}");
        assert!(text(&refused).contains("read_only"), "{flags}: {}", text(&refused));
        let plan = structured(&call(&client, "kill", json!({"targets": [format!("pid:{pid}")]})).await);
        assert_eq!(
            pids_in(&plan, "processes"),
            [u64::from(pid)],
            "{flags}: a dry run is still allowed: {plan}"
        );
        assert!(alive(pid), "{flags}");
        client.cancel().await.unwrap();
    }
}

/// The CPU time (user + system, in clock ticks) of `pid` so far.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn idle_between_calls_the_server_samples_nothing() {
    let w = two_worktrees("mcp", "idle");
    let (client, guard) = client(&w.wt_a, "").await;
    // The first call opens the sampler (and its first sample reads every process).
    structured(&call(&client, "list_processes", json!({})).await);
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", guard.0)).unwrap();
    let server: u32 = children.split_whitespace().next().and_then(|p| p.parse().ok()).expect("the server");
    let before = cpu_ticks(server);
    std::thread::sleep(Duration::from_secs(3));
    // Blocked on stdin, it is never running when a tick is counted. A sample of /proc
    // takes a tick or more (tens of ms in a test build): a server that sampled once a
    // second used 2 ticks in 2 s when this test was written.
    let used = cpu_ticks(server) - before;
    assert!(used <= 1, "the idle server used {used} ticks in 3 s");
    structured(&call(&client, "who_listens", json!({"port": 22})).await);
    client.cancel().await.unwrap();
}

/// The server over raw pipes, for what a well-behaved client never sends.
struct Raw {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Raw {
    fn start(cwd: &Path) -> Raw {
        let mut cmd = std::process::Command::new("bash");
        cmd.arg("-c")
            .arg(format!("{} mcp; exit $?", env!("CARGO_BIN_EXE_swarmtop")))
            .current_dir(cwd)
            .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        swarmtop::kill::sessions::in_new_session(&mut cmd);
        let mut child = cmd.spawn().expect("spawn the server");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Raw { child, stdin, stdout }
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
    }

    fn reply(&mut self) -> Value {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("a reply");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        swarmtop::kill::sessions::kill_sessions(&[self.child.id()], Duration::from_secs(10));
        let _ = self.child.wait();
    }
}

#[test]
fn malformed_requests_get_protocol_errors_and_the_server_keeps_serving() {
    let w = two_worktrees("mcp", "raw");
    let mut raw = Raw::start(&w.wt_a);
    raw.send(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#);
    assert_eq!(raw.reply()["result"]["serverInfo"]["name"], "swarmtop");
    raw.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    // Not JSON: ignored (no id to answer; answering invalid data can loop with a peer
    // that echoes it), as the other official SDKs do.
    raw.send("this is not json {{{");
    // JSON of the wrong shape: an Invalid Request error.
    raw.send(r#"{"jsonrpc":"2.0","id":2,"method":42}"#);
    assert_eq!(raw.reply()["error"]["code"], -32600);
    // An unknown method and an unknown tool: errors, with their ids.
    raw.send(r#"{"jsonrpc":"2.0","id":3,"method":"no/such/method"}"#);
    let r = raw.reply();
    assert_eq!((r["id"].clone(), r["error"]["code"].clone()), (json!(3), json!(-32601)), "{r}");
    raw.send(
        r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"format_disk","arguments":{}}}"#,
    );
    let r = raw.reply();
    assert!(r["error"]["code"].is_i64() && r["id"] == 4, "{r}");
    // Bad arguments to a real tool: a tool error the model can read.
    raw.send(r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"kill","arguments":{"targets":"pid:1"}}}"#);
    let r = raw.reply();
    assert_eq!((r["id"].clone(), r["result"]["isError"].clone()), (json!(5), json!(true)), "{r}");
    // Still serving.
    raw.send(r#"{"jsonrpc":"2.0","id":6,"method":"tools/list"}"#);
    let r = raw.reply();
    assert_eq!(r["id"], 6);
    assert_eq!(r["result"]["tools"].as_array().map(Vec::len), Some(3), "{r}");
}

#[test]
fn without_its_server_binary_swarmtop_mcp_says_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let alone = tmp.path().join("swarmtop");
    std::fs::copy(env!("CARGO_BIN_EXE_swarmtop"), &alone).unwrap();
    let out = std::process::Command::new(&alone)
        .arg("mcp")
        .env("XDG_CONFIG_HOME", "/nonexistent-swarmtop-test")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("swarmtop-mcp") && err.contains("beside swarmtop"), "{err}");
}

#[test]
fn a_bad_config_is_an_error_before_the_server_serves() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config.toml");
    std::fs::write(&config, "read_only = true\nrefresh_msec = 5\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_swarmtop"))
        .args(["--config", config.to_str().unwrap(), "mcp"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on the protocol channel");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.toml:2") && err.contains("refresh_msec"), "{err}");
}
